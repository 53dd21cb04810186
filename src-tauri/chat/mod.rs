//! Conversations on Messenger, Instagram and WhatsApp as personal data: what they are read from.

pub mod file;
pub mod import;
pub mod threads;
pub mod webhook_archive;
pub mod whatsapp_export;
