//! Meta's Conversions API: conversion events queued per client, with their matching keys
//! normalised and hashed as Meta's SDKs do, checked before sending (one invalid event would refuse
//! Meta's whole batch), sent in batches to the client's dataset, and kept as the event log.

pub mod events;
pub mod normalize;
pub mod offline;
pub mod send;
pub mod stages;
pub mod user_data;
