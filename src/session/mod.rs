//! The application layer: what every front end (the command line, the
//! terminal UI) does with a vault, so that each of them is only a way of
//! asking and showing.
//!
//! - [`context`]: the environment read once (vault path, member, lock wait,
//!   state directory, timeouts) and the passphrase sources that need no
//!   terminal (a file, an environment variable).
//! - [`open`]: load a vault file under its lock, unlock it into a
//!   [`Session`], save, append a durable log record, and [`reveal`] — the
//!   one fail-closed path by which a secret leaves the vault.
//! - [`create`]: a new vault, with key derivation calibrated here and its
//!   recovery code.
//! - [`edit`]: entry changes as a plain [`EntryEdit`] (secret values in
//!   secret types), checked and applied, with the records that go with
//!   them.
//! - [`members`]: adding, granting, revoking and sweeping members, and the
//!   member rows both front ends list.
//! - [`handover`]: beginning a handover, confirming checklist items, and
//!   the checklist views.
//! - [`transfer`]: import into and export out of a session.
//! - [`demo`]: the throw-away demo vault.
//!
//! Errors are one typed enum, [`Error`]; [`Error::kind`] classifies it so
//! that a front end can choose an exit code or a message without reading
//! message text. Nothing here prints: front ends show what is returned.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

pub mod context;
pub mod create;
pub mod demo;
pub mod edit;
pub mod handover;
pub mod members;
pub mod open;
pub mod sync;
pub mod transfer;

pub use context::{Context, Overrides};
pub use edit::{DEFAULT_GROUP, EditError, EditField, EntryEdit};
pub use open::{
    Accepted, Loaded, Revealed, Session, accept_older, load, reveal, unlock_behind, unlock_loaded,
};

use crate::format::FormatError;
use crate::import::ImportError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// Why an application-layer operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A value of an entry edit was refused; nothing changed.
    #[error(transparent)]
    Edit(#[from] edit::EditError),
    /// What the member asked for is not acceptable as given (a bad value,
    /// a missing name); nothing changed.
    #[error("{0}")]
    Invalid(String),
    /// The member's role or membership does not allow it.
    #[error("{0}")]
    Denied(String),
    /// The operation could not be carried out (a file that cannot be
    /// read or written, a state that does not allow it).
    #[error("{0}")]
    Failed(String),
}

/// What kind of failure an [`Error`] is, for choosing an exit code or a
/// screen's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Wrong passphrase or recovery code, or no such member.
    Unlock,
    /// The file is damaged, was altered, or its log does not verify.
    Integrity,
    /// Another process holds the vault's lock.
    Locked,
    /// Not granted, not allowed for this role, or membership over.
    Denied,
    /// A value given is not acceptable.
    Invalid,
    /// Anything else.
    Other,
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    pub fn denied(message: impl Into<String>) -> Self {
        Error::Denied(message.into())
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Error::Failed(message.into())
    }

    /// Whether the vault changed on disk under the session (another
    /// process or a sync tool wrote it), so that it can no longer write.
    pub fn moved_on(&self) -> bool {
        matches!(
            self,
            Error::Store(StoreError::MovedOn(_) | StoreError::Conflict(_))
        )
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Vault(e) => match e {
                VaultError::WrongPassphrase | VaultError::UnknownMember(_) => ErrorKind::Unlock,
                VaultError::Kdf(crate::crypto::kdf::KdfError::OutOfMemory(_)) => ErrorKind::Other,
                VaultError::Damaged(_) | VaultError::Kdf(_) | VaultError::RolledBack(_) => {
                    ErrorKind::Integrity
                }
                VaultError::AccessDenied(_) => ErrorKind::Denied,
                VaultError::Limit(_)
                | VaultError::NotFound(_)
                | VaultError::Ambiguous { .. }
                | VaultError::Invalid(_) => ErrorKind::Other,
            },
            Error::Format(_) => ErrorKind::Integrity,
            Error::Store(StoreError::Locked { .. }) => ErrorKind::Locked,
            Error::Store(StoreError::OutputRefused { .. }) => ErrorKind::Invalid,
            Error::Store(_) => ErrorKind::Other,
            Error::Import(ImportError::WrongPassphrase) => ErrorKind::Unlock,
            Error::Import(ImportError::Usage(_)) => ErrorKind::Invalid,
            Error::Import(ImportError::Malformed(_)) => ErrorKind::Other,
            Error::Invalid(_) | Error::Edit(_) => ErrorKind::Invalid,
            Error::Denied(_) => ErrorKind::Denied,
            Error::Failed(_) => ErrorKind::Other,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Why an auditor is refused a change or a secret: the role reads and
/// verifies the access log and holds no group's key.
pub const AUDITOR_READ_ONLY: &str = "auditors are read-only: they read and verify the access log (baton log, baton log verify) and see no entry";

/// Refuses an auditor ([`AUDITOR_READ_ONLY`], exit 6) before an entry is
/// looked up, changed or revealed: every entry command but `list` and
/// `search`, which say what an auditor does instead.
pub fn refuse_auditor(v: &crate::vault::Vault) -> Result<()> {
    if v.me().role == crate::format::Role::Auditor {
        return Err(Error::denied(AUDITOR_READ_ONLY));
    }
    Ok(())
}
