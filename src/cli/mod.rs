//! The command line: [`args`] parses (pure), [`run`] performs (IO), and
//! [`output`] shapes what is printed. Errors carry the documented exit code.

pub mod args;
mod demo;
pub(crate) mod handover;
pub(crate) mod health;
mod import;
mod log_cmd;
pub(crate) mod member;
pub mod output;
pub mod run;
pub mod session;

use std::ffi::OsString;

use clap::Parser;

use crate::format::FormatError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// The documented exit codes (PRODUCT.md §4, docs/USER_GUIDE.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Other = 1,
    Usage = 2,
    Unlock = 3,
    Integrity = 4,
    Locked = 5,
    Denied = 6,
}

/// An error on its way to the user: a message and an exit code.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        CliError::new(Exit::Other, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(Exit::Usage, message)
    }
}

impl From<VaultError> for CliError {
    fn from(e: VaultError) -> Self {
        let exit = match &e {
            VaultError::WrongPassphrase | VaultError::UnknownMember(_) => Exit::Unlock,
            VaultError::Kdf(crate::crypto::kdf::KdfError::OutOfMemory(_)) => Exit::Other,
            VaultError::Damaged(_) | VaultError::Kdf(_) => Exit::Integrity,
            VaultError::Limit(_) => Exit::Other,
            VaultError::RolledBack(_) => Exit::Integrity,
            VaultError::AccessDenied(_) => Exit::Denied,
            VaultError::NotFound(_) | VaultError::Ambiguous { .. } | VaultError::Invalid(_) => {
                Exit::Other
            }
        };
        CliError::new(exit, e.to_string())
    }
}

impl From<FormatError> for CliError {
    fn from(e: FormatError) -> Self {
        CliError::new(Exit::Integrity, e.to_string())
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let exit = match &e {
            StoreError::Locked { .. } => Exit::Locked,
            _ => Exit::Other,
        };
        CliError::new(exit, e.to_string())
    }
}

/// Parses `args`, runs the command, prints any error, returns the exit code.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    if args
        .get(1)
        .is_some_and(|a| a == crate::os::clipboard::HOLDER_ARG)
    {
        let mode = args.get(2).and_then(|s| s.to_str()).unwrap_or("");
        let secs = args.get(3).and_then(|s| s.to_str()).unwrap_or("");
        return crate::os::clipboard::holder_main(mode, secs);
    }
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage as i32
            } else {
                Exit::Ok as i32
            };
            let _ = e.print();
            return code;
        }
    };
    match run::run(cli) {
        Ok(()) => Exit::Ok as i32,
        Err(e) => {
            // Messages may quote titles or names from the vault. An empty
            // message is an outcome already reported (`health` exits 1).
            if !e.message.is_empty() {
                eprintln!("baton: {}", output::clean(&e.message));
            }
            e.exit as i32
        }
    }
}
