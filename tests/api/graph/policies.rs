//! Assignment policies through the API.
