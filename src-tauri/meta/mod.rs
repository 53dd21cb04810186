//! Meta: the agency's app, its connections (tokens only in the keychain), and the Graph API client
//! through which every call to Meta goes.

pub mod app;
pub mod connections;
pub mod conversations;
pub mod graph;
pub mod inspect;
pub mod leads_at_meta;
pub mod login;
pub mod pages;
pub mod pixels;

pub use graph::{Graph, GraphError, Pacing};
