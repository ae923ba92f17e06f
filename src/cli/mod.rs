//! The command line: [`args`] parses (pure), [`run`] performs (IO) on the
//! application layer ([`crate::session`]), and [`output`] shapes what is
//! printed. Errors carry the documented exit code: this module is the only
//! place that chooses one.

pub mod args;
mod handover;
mod health;
mod import;
mod log_cmd;
mod member;
mod merge;
pub mod output;
pub mod run;
pub mod unlock;

use std::ffi::OsString;

use clap::Parser;

use crate::format::FormatError;
use crate::session::{self, Context, EditField, ErrorKind, Overrides};
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

impl From<session::Error> for CliError {
    fn from(e: session::Error) -> Self {
        let exit = match e.kind() {
            ErrorKind::Unlock => Exit::Unlock,
            ErrorKind::Integrity => Exit::Integrity,
            ErrorKind::Locked => Exit::Locked,
            ErrorKind::Denied => Exit::Denied,
            ErrorKind::Invalid => Exit::Usage,
            ErrorKind::Other => Exit::Other,
        };
        let message = match &e {
            // The command line names the flag that carried the value.
            session::Error::Edit(edit) => format!("{}: {}", flag(edit.field), edit.why),
            // Never a dead end: say how to use this copy on purpose (the
            // command line's open adds the copies that hold what is missing).
            session::Error::Vault(VaultError::RolledBack(_)) => format!(
                "{e}\nIf this copy is the one to use (a backup put back on purpose), `baton accept-older` accepts it on this machine, recorded in the access log."
            ),
            _ => e.to_string(),
        };
        CliError::new(exit, message)
    }
}

/// The flag of `add` and `edit` that sets `f`.
fn flag(f: EditField) -> &'static str {
    match f {
        EditField::Title => "--title",
        EditField::Group => "--group",
        EditField::Username => "--username",
        EditField::Url => "--url",
        EditField::Tag => "--tag",
        EditField::Identity => "--identity",
        EditField::Totp => "--totp",
        EditField::BackupCodes => "--backup-codes-file",
        EditField::Expires => "--expires",
        EditField::CustomField => "--field",
        EditField::SecretField => "--secret-field",
        EditField::RemoveField => "--remove-field",
    }
}

impl From<VaultError> for CliError {
    fn from(e: VaultError) -> Self {
        session::Error::from(e).into()
    }
}

impl From<FormatError> for CliError {
    fn from(e: FormatError) -> Self {
        session::Error::from(e).into()
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        session::Error::from(e).into()
    }
}

/// What the arguments ask for.
pub enum Parsed {
    /// Already done (help, version, a usage error printed): exit with this.
    Exit(i32),
    /// The terminal UI (`baton` on a terminal, `baton tui`), or the demo
    /// in it (`baton demo`).
    Tui { ctx: Context, demo: bool },
    /// A command.
    Command(Box<args::Cli>, Context),
}

/// Parses `args` and reads the environment once; asks whether standard
/// input is a terminal (IO, clippy.toml).
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Parsed {
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage as i32
            } else {
                Exit::Ok as i32
            };
            let _ = e.print();
            return Parsed::Exit(code);
        }
    };
    let ctx = match Context::from_env(overrides(&cli)) {
        Ok(c) => c,
        Err(e) => return Parsed::Exit(report(e.into())),
    };
    match &cli.command {
        None if crate::os::interactive() => Parsed::Tui { ctx, demo: false },
        Some(args::Command::Tui { .. }) => Parsed::Tui { ctx, demo: false },
        Some(args::Command::Demo) => Parsed::Tui { ctx, demo: true },
        _ => Parsed::Command(Box::new(cli), ctx),
    }
}

/// The global flags the application layer's context starts from.
fn overrides(cli: &args::Cli) -> Overrides {
    Overrides {
        vault: cli.vault.clone(),
        member: cli.member.clone().or_else(|| {
            cli.command
                .as_ref()
                .and_then(|c| c.who())
                .map(str::to_owned)
        }),
        passphrase_file: cli.passphrase_file.clone(),
        recovery: cli.recovery,
    }
}

/// Runs a parsed command; prints any error; returns the exit code.
pub fn execute(cli: args::Cli, ctx: &Context) -> i32 {
    match run::run(cli, ctx) {
        Ok(()) => Exit::Ok as i32,
        Err(e) => report(e),
    }
}

/// Prints an error (unless already reported) and returns its exit code.
// Printing is IO (clippy.toml).
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
pub fn report(e: CliError) -> i32 {
    // Messages may quote titles or names from the vault. An empty
    // message is an outcome already reported (`health` exits 1).
    // Each line is cleaned on its own, so that a message of several
    // lines (an account and the commands that help) prints as lines.
    for (i, line) in e.message.lines().enumerate() {
        let lead = if i == 0 { "baton: " } else { "" };
        eprintln!("{lead}{}", output::clean(line));
    }
    e.exit as i32
}
