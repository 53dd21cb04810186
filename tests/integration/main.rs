//! Integration tests against a real SQLCipher database on disk and the real OS keychain.
//! On headless Linux, `make test` runs them inside a D-Bus session with gnome-keyring unlocked.

mod audit_chain;
mod bindings;
mod capi;
mod capi_stages;
mod chats;
mod cli;
mod clients;
mod consent;
mod conversations;
mod crash;
mod crm;
mod crm_push;
mod crm_sign_in;
mod crm_sim;
mod erasure;
mod erasure_crash;
mod fixtures;
mod graph;
mod graph_sim;
mod identifiers;
mod import;
mod layout;
mod meta;
mod meta_login;
mod mutation;
mod pixels;
mod promises;
mod requests;
mod retention;
mod retention_crash;
mod secrets;
mod store;
mod support;
mod sync;
mod upgrade;
