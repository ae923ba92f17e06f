//! Migration in: each parser turns another tool's file into entries with
//! group paths, without touching a vault (pure: bytes in, [`Imported`]
//! out). `cli::import` adds them to the vault, skipping ones already
//! there, and reports what was skipped and why.
//!
//! Secrets read from a file are held as [`crate::secret::Concealed`] from
//! the moment they are parsed; a parser never prints them.

use rayon::prelude::*;

use crate::vault::Entry;

pub mod baton_json;
pub mod bitwarden;
pub mod csv;
pub mod kdbx;
pub mod keepassxc_csv;
#[cfg(test)]
// Tests run the real keepassxc-cli.
#[allow(clippy::disallowed_methods, clippy::disallowed_macros)]
mod tool;

/// What a parser read.
#[derive(Default)]
pub struct Imported {
    pub items: Vec<Item>,
    /// Records of the file that did not become entries, with why.
    pub skipped: Vec<Skipped>,
    /// Things kept only in part (an attachment not imported, an unknown
    /// TOTP setting), one line each, without secrets.
    pub warnings: Vec<String>,
    /// How many groups (folders) the file had.
    pub groups: usize,
}

impl Imported {
    /// Scores every entry's password (zxcvbn, about 0.2 ms each) on all
    /// cores. Parsers call this once at the end rather than scoring entry
    /// by entry, so a 100,000-entry file is not weighed on one core.
    #[must_use]
    pub fn scored(mut self) -> Self {
        self.items.par_iter_mut().for_each(|i| i.entry.rescore());
        self
    }
}

/// One entry to add, and the group path it goes in (`/`-separated, as
/// Baton writes groups; empty for the file's top level).
pub struct Item {
    pub group: String,
    pub entry: Entry,
}

/// A record of the file that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Which record, in words the user can find in the file (a title, a
    /// line number); never a secret.
    pub what: String,
    pub why: String,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file's passphrase (KDBX) is wrong.
    #[error("wrong passphrase for the file being imported")]
    WrongPassphrase,
    /// The file is not of the format given, or is damaged.
    #[error("{0}")]
    Malformed(String),
    /// An option does not fit the file (`--map` naming no column).
    #[error("{0}")]
    Usage(String),
}
