use serde::Serialize;
use ts_rs::TS;

use crate::clients::ClientError;
use crate::crm::client::CrmError;
use crate::export_file::ExportFileError;
use crate::leads::ReadError;
use crate::meta::GraphError;
use crate::requests::package::PackageError;
use crate::requests::signed::SignedRequestError;
use crate::requests::RequestError;
use crate::retention::holds::HoldError;
use crate::retention::RetentionError;
use crate::spreadsheet::WriteError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// Everything an operation on the Console can fail with. Messages say what happened and what to do,
/// and never carry a secret or a person's data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{0}")]
    ConfirmationRequired(String),
    #[error(transparent)]
    Import(#[from] ReadError),
    #[error(transparent)]
    Importing(#[from] crate::leads::import::ImportError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    SignedRequest(#[from] SignedRequestError),
    #[error(transparent)]
    Retention(#[from] RetentionError),
    #[error(transparent)]
    Hold(#[from] HoldError),
    #[error(transparent)]
    Export(#[from] WriteError),
    #[error("No lead has id {0}; it may have been erased or purged.")]
    NoSuchLead(i64),
    #[error(transparent)]
    ChatFile(#[from] crate::chat::file::ChatFileError),
    #[error(transparent)]
    Breach(#[from] crate::breaches::BreachError),
    #[error(transparent)]
    Lock(#[from] crate::app_lock::LockError),
    #[error(
        "No conversation has id {0}; it may have been erased or purged. The list of conversations shows those held."
    )]
    NoSuchThread(i64),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// Meta's Graph API refused or could not be reached.
    #[error(transparent)]
    Remote(#[from] crate::meta::GraphError),
    /// A CRM's API refused or could not be reached.
    #[error(transparent)]
    Crm(crate::crm::client::CrmError),
    /// A secret the operation needs is not in the keychain.
    #[error("{0}")]
    SecretMissing(String),
    /// A legal hold keeps what the operation would delete.
    #[error("{0}")]
    Held(String),
    /// A request's search found nothing held about the person.
    #[error("{0}")]
    NothingFound(String),
    /// As `ConfirmationRequired`, and a choice must come with the confirmation (what becomes of a
    /// removed client's records in its CRMs).
    #[error("{0}")]
    ChoiceRequired(String),
    /// Records kept elsewhere (a CRM) could not all be deleted there; nothing local was removed.
    #[error("{0}")]
    NotDeletedElsewhere(String),
    /// The person stopped what they had begun (closed a login window, declined); nothing changed.
    #[error("{0}")]
    Cancelled(String),
    #[error(
        "The identity key of workspace {workspace} is not in the keychain, but the workspace holds people's keyed \
         hashes made with it (leads, erased people, holds, requests or the audit trail). Restore the keychain from \
         a backup; Custodian will not make a new key, which would make people unfindable and let erased people come back."
    )]
    IdentityKeyMissing { workspace: String },
    #[error(
        "The database key of workspace {workspace} is not in the keychain, so {dir} cannot be read. \
         Restore the keychain (for example from a backup of your login keyring) and try again; \
         Custodian will not replace the key, because that would lose the data."
    )]
    KeyMissing { workspace: String, dir: String },
    #[error(
        "{dir} holds a database but no workspace.json, so Custodian cannot tell which key opens it. \
         Restore workspace.json from a backup; the database was not touched."
    )]
    WorkspaceFileMissing { dir: String },
    #[error("The data directory {dir} cannot be used: {detail}. Check that it exists and that you may write to it, or choose another data directory.")]
    DataDir { dir: String, detail: String },
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(StoreError::Sql(e))
    }
}

/// A failure of work done on a connection's SQLite handle directly (`store::direct`).
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(StoreError::Direct(e))
    }
}

/// The codes a front-end switches on. Only codes someone acts on differently get their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    InvalidInput,
    NotFound,
    Conflict,
    /// A legal hold keeps what would be deleted: lift it first.
    Held,
    /// Nothing is held under the identifiers searched: add identifiers, or close as nothing held.
    NothingFound,
    ConfirmationRequired,
    /// A secret the operation needs is not in the keychain: store it first.
    SecretMissing,
    /// A remote service no longer accepts the token: log in again or add a new one.
    TokenInvalid,
    /// A remote service is unreachable or limiting calls: nothing was lost, try again later.
    RemoteUnavailable,
    /// A remote service refused the call (a missing permission, a bad request).
    RemoteRefused,
    KeychainUnavailable,
    KeyMissing,
    DatabaseUnreadable,
    FileUnreadable,
    /// A WhatsApp export's dates read both day first and month first, or not in the order given:
    /// say which.
    DateOrder,
    DataDirUnusable,
    /// The chosen file exists: ask before replacing it.
    FileExists,
    /// The person stopped it; nothing changed, and nothing needs saying beyond that.
    Cancelled,
    /// The window is locked: nothing but unlocking it is done until it is unlocked.
    Locked,
    /// Too many tries: wait as long as the message says, then try again.
    TryLater,
    Internal,
}

impl Error {
    pub fn code(&self) -> Code {
        match self {
            Error::Vault(VaultError::Unavailable { .. }) => Code::KeychainUnavailable,
            Error::Vault(VaultError::Unreadable { .. })
            | Error::KeyMissing { .. }
            | Error::IdentityKeyMissing { .. } => Code::KeyMissing,
            Error::Import(_) => Code::FileUnreadable,
            Error::Importing(crate::leads::import::ImportError::ReaderStopped(_)) => Code::FileUnreadable,
            Error::Importing(crate::leads::import::ImportError::Store(_)) => Code::Internal,
            Error::Export(WriteError::UnknownKind(_) | WriteError::TooManyRows(_)) | Error::Invalid(_) => {
                Code::InvalidInput
            }
            Error::Export(WriteError::Io(..)) => Code::DataDirUnusable,
            Error::Export(WriteError::File(ExportFileError::Exists(_)))
            | Error::Package(PackageError::File(ExportFileError::Exists(_))) => Code::FileExists,
            Error::Export(WriteError::File(ExportFileError::Io(..)))
            | Error::Package(PackageError::File(ExportFileError::Io(..))) => Code::DataDirUnusable,
            Error::NoSuchLead(_) | Error::NoSuchThread(_) => Code::NotFound,
            Error::ChatFile(
                crate::chat::file::ChatFileError::DateOrderUnknown { .. }
                | crate::chat::file::ChatFileError::DateOrderRefused { .. },
            ) => Code::DateOrder,
            Error::ChatFile(_) => Code::FileUnreadable,
            Error::Breach(crate::breaches::BreachError::NotFound(_)) => Code::NotFound,
            Error::Breach(crate::breaches::BreachError::File(ExportFileError::Exists(_))) => Code::FileExists,
            Error::Breach(crate::breaches::BreachError::File(ExportFileError::Io(..))) => Code::DataDirUnusable,
            Error::Breach(
                crate::breaches::BreachError::AlreadyTold { .. } | crate::breaches::BreachError::Closed(_),
            ) => Code::Conflict,
            Error::Breach(
                crate::breaches::BreachError::LeakedUnreadable(_)
                | crate::breaches::BreachError::LeakedNamesNoOne
                | crate::breaches::BreachError::LeakedColumnsUnnamed,
            ) => Code::FileUnreadable,
            Error::Breach(crate::breaches::BreachError::ClientRemoved(_)) => Code::Conflict,
            Error::Breach(crate::breaches::BreachError::Sql(_)) => Code::Internal,
            Error::Lock(crate::app_lock::LockError::TryLater(_)) => Code::TryLater,
            Error::Lock(crate::app_lock::LockError::NotSet | crate::app_lock::LockError::HashUnreadable) => {
                Code::Conflict
            }
            Error::Lock(crate::app_lock::LockError::Hash(_) | crate::app_lock::LockError::Sql(_)) => Code::Internal,
            Error::Lock(_) => Code::InvalidInput,
            Error::Breach(_) => Code::InvalidInput,
            Error::Conflict(_) => Code::Conflict,
            Error::Held(_) => Code::Held,
            Error::SecretMissing(_) => Code::SecretMissing,
            Error::Remote(GraphError::InvalidToken { .. }) => Code::TokenInvalid,
            Error::Remote(GraphError::Throttled { .. } | GraphError::Unavailable { .. }) => Code::RemoteUnavailable,
            Error::Remote(GraphError::Permission { .. } | GraphError::Refused { .. }) => Code::RemoteRefused,
            Error::Remote(GraphError::BadBaseUrl(_)) => Code::InvalidInput,
            Error::Crm(CrmError::Unauthorized { .. }) => Code::TokenInvalid,
            Error::Crm(CrmError::Throttled { .. } | CrmError::Unavailable { .. }) => Code::RemoteUnavailable,
            Error::Crm(CrmError::Refused { .. } | CrmError::Unexpected { .. }) => Code::RemoteRefused,
            Error::Crm(CrmError::BadUrl(_)) => Code::InvalidInput,
            Error::NothingFound(_) => Code::NothingFound,
            Error::Cancelled(_) => Code::Cancelled,
            Error::NotDeletedElsewhere(_) => Code::RemoteUnavailable,
            Error::ChoiceRequired(_) => Code::ConfirmationRequired,
            Error::Store(StoreError::Unreadable { .. }) | Error::WorkspaceFileMissing { .. } => {
                Code::DatabaseUnreadable
            }
            Error::Store(_) | Error::Client(ClientError::Sql(_) | ClientError::Store(_)) => Code::Internal,
            Error::Client(ClientError::NotFound(_)) => Code::NotFound,
            Error::Client(ClientError::Taken(_)) => Code::Conflict,
            Error::Client(_) => Code::InvalidInput,
            Error::Request(RequestError::Sql(_)) | Error::Retention(RetentionError::Sql(_)) => Code::Internal,
            Error::Retention(_) => Code::InvalidInput,
            Error::Hold(HoldError::Sql(_)) => Code::Internal,
            Error::Hold(HoldError::NotFound(_)) => Code::NotFound,
            Error::Hold(_) => Code::InvalidInput,
            Error::Request(RequestError::NotFound(_)) => Code::NotFound,
            Error::Request(RequestError::Closed { .. } | RequestError::Backwards { .. }) => Code::Conflict,
            Error::Request(_) => Code::InvalidInput,
            Error::Package(PackageError::NotZip) | Error::SignedRequest(_) => Code::InvalidInput,
            Error::Package(PackageError::Io(..)) => Code::DataDirUnusable,
            Error::ConfirmationRequired(_) => Code::ConfirmationRequired,
            Error::DataDir { .. } => Code::DataDirUnusable,
        }
    }
}

/// The one error shape that crosses the IPC boundary and the CLI's `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self { code: e.code(), message: e.to_string() }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidInput => "invalid_input",
            Code::NotFound => "not_found",
            Code::Conflict => "conflict",
            Code::Held => "held",
            Code::NothingFound => "nothing_found",
            Code::ConfirmationRequired => "confirmation_required",
            Code::SecretMissing => "secret_missing",
            Code::TokenInvalid => "token_invalid",
            Code::RemoteUnavailable => "remote_unavailable",
            Code::RemoteRefused => "remote_refused",
            Code::KeychainUnavailable => "keychain_unavailable",
            Code::KeyMissing => "key_missing",
            Code::DatabaseUnreadable => "database_unreadable",
            Code::FileUnreadable => "file_unreadable",
            Code::DateOrder => "date_order",
            Code::DataDirUnusable => "data_dir_unusable",
            Code::FileExists => "file_exists",
            Code::Cancelled => "cancelled",
            Code::Locked => "locked",
            Code::TryLater => "try_later",
            Code::Internal => "internal",
        }
    }
}
