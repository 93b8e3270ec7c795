//! Assignment policies as a Graph list: their properties as columns, scoped to catalogs.
