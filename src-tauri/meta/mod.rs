//! Meta: the Graph API client through which every call to Meta goes. Connections, Pages, forms
//! and lead sync build on it.

pub mod graph;

pub use graph::{Graph, GraphError, Pacing};
