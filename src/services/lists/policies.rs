//! Assignment policies through the API: listed and read, scoped to what the principal may see.
