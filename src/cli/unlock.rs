//! How a command gets its passphrases and its session: from
//! `--passphrase-file`, `BATON_PASSPHRASE` or `BATON_NEW_PASSPHRASE` when
//! set, else asked at the terminal without echo; then the vault opened
//! through the application layer, with its warnings on standard error.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use super::{CliError, output};
use crate::os;
use crate::secret::Passphrase;
use crate::session::context::{env_passphrase, validate_new_passphrase};
use crate::session::{self, Context, Session};

pub type Result<T> = std::result::Result<T, CliError>;

/// The passphrase that unlocks: --passphrase-file, BATON_PASSPHRASE, or asked.
pub fn current_passphrase(ctx: &Context, prompt: &str) -> Result<Passphrase> {
    if let Some(p) = ctx.unattended_passphrase()? {
        return Ok(p);
    }
    os::prompt_passphrase(prompt).map_err(|e| CliError::other(e.to_string()))
}

/// A new passphrase: from `env_var` if set, else asked twice.
pub fn new_passphrase(env_var: Option<&str>, who: &str) -> Result<Passphrase> {
    let p = match env_var.and_then(env_passphrase) {
        Some(p) => p,
        None => {
            let a = os::prompt_passphrase(&format!("New passphrase for {who}: "))
                .map_err(|e| CliError::other(e.to_string()))?;
            let b =
                os::prompt_passphrase("Repeat it: ").map_err(|e| CliError::other(e.to_string()))?;
            if a.expose() != b.expose() {
                return Err(CliError::other(
                    "the two passphrases differ; nothing was changed",
                ));
            }
            a
        }
    };
    check_new_passphrase(&p)?;
    Ok(p)
}

/// Checks a new passphrase; warns on standard error when it is short.
pub fn check_new_passphrase(p: &Passphrase) -> Result<()> {
    if let Some(w) = validate_new_passphrase(p)? {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// Opens the vault: read under its lock, which is then released; each
/// write takes it again for an instant, and a write onto a file another
/// process changed meanwhile merges with it, so two commands at once both
/// succeed. Read-only commands go on without the lock when it cannot be
/// taken for a reason other than another holder (a read-only directory),
/// and then record nothing. The
/// passphrase (or recovery code) is asked only once the file has parsed.
/// Warnings go to standard error, now and for the rest of the command.
pub fn open(ctx: &Context, write: bool, what: &str) -> Result<Session> {
    let loaded = session::load(ctx, write, what)?;
    let id = *loaded.vault_id();
    let secret = ask(ctx)?;
    let s = match session::unlock_loaded(ctx, loaded, ctx.member.as_deref(), &secret, ctx.recovery)
    {
        // Another process wrote the vault between this one's read and its
        // check of the file against what this machine saw: read it again.
        Err(e) if e.moved_on() => {
            let loaded = session::load(ctx, write, what)?;
            session::unlock_loaded(ctx, loaded, ctx.member.as_deref(), &secret, ctx.recovery)
                .map_err(|e| older(ctx, &id, e))?
        }
        // A sync engine put an older version in the vault's place and the
        // newer one beside it as a conflict copy: merging the copies
        // brings everything back, which is checked before going on.
        Err(e) if rolled_back(&e) && session::sync::conflict_copy_holds_seen(ctx, &id) => {
            let loaded = session::load(ctx, write, what)?;
            let s =
                session::unlock_behind(ctx, loaded, ctx.member.as_deref(), &secret, ctx.recovery)?;
            drop(secret);
            let s = merge_copies(ctx, greet(s, what)?, what);
            return match ctx.seen(&id) {
                Ok(seen) if crate::audit::check_high_water(&seen, s.vault.log()).is_ok() => Ok(s),
                _ => Err(older(ctx, &id, e)),
            };
        }
        r => r.map_err(|e| older(ctx, &id, e))?,
    };
    drop(secret);
    let s = greet(s, what)?;
    Ok(merge_copies(ctx, s, what))
}

fn rolled_back(e: &session::Error) -> bool {
    matches!(
        e,
        session::Error::Vault(crate::vault::VaultError::RolledBack(_))
    )
}

/// Merges the conflict copies a sync engine left beside the vault and
/// says what became of each (not for a dry run, which changes nothing).
fn merge_copies(ctx: &Context, mut s: Session, what: &str) -> Session {
    if what.ends_with("--dry-run") || s.vault.file_version() != crate::format::FORMAT_VERSION {
        return s;
    }
    for c in session::sync::merge_conflict_copies(ctx, &mut s) {
        let name = output::clean(&c.path.display().to_string()).into_owned();
        let engine = c.engine.as_str();
        match c.result {
            Ok(r) if r.relation == crate::vault::merge::Relation::Held => eprintln!(
                "Removed the {engine} conflict copy {name}: the vault already held everything in it."
            ),
            Ok(r) if r.relation == crate::vault::merge::Relation::FastForward => eprintln!(
                "The {engine} conflict copy {name} held everything in the vault and {} more: it took the vault's place, and was removed.",
                output::count(r.records_theirs, "access-log record", "access-log records")
            ),
            Ok(r) => eprintln!(
                "Merged the {engine} conflict copy {name} into the vault ({} from it, {} changed, {}) and removed it.",
                output::count(r.records_theirs, "access-log record", "access-log records"),
                output::count(r.entries.len(), "entry", "entries"),
                output::count(r.conflicts(), "conflict", "conflicts")
            ),
            Err(why) => eprintln!(
                "warning: the {engine} conflict copy {name} was left as it is: {}",
                output::clean(&why)
            ),
        }
    }
    s
}

/// As [`open`], for a vault that may hold less than this machine saw
/// (see [`session::unlock_behind`]).
pub fn open_behind(ctx: &Context, write: bool, what: &str) -> Result<Session> {
    let loaded = session::load(ctx, write, what)?;
    let secret = ask(ctx)?;
    let s = session::unlock_behind(ctx, loaded, ctx.member.as_deref(), &secret, ctx.recovery)?;
    drop(secret);
    let s = greet(s, what)?;
    Ok(merge_copies(ctx, s, what))
}

/// As [`open`] (for writing), unlocking with `unlock`, which returns the
/// session and what else it did.
pub fn open_with<T>(
    ctx: &Context,
    what: &str,
    unlock: impl FnOnce(session::Loaded, Option<&str>, &Passphrase) -> session::Result<(Session, T)>,
) -> Result<(Session, T)> {
    let loaded = session::load(ctx, true, what)?;
    let secret = ask(ctx)?;
    let (s, t) = unlock(loaded, ctx.member.as_deref(), &secret)?;
    drop(secret);
    let s = greet(s, what)?;
    Ok((merge_copies(ctx, s, what), t))
}

/// An older copy is never a dead end: the refusal says what the copy is,
/// names a file that holds everything this machine saw (a backup, a
/// conflict copy, the vault this file is a backup of) with the command
/// that merges it, and the command that accepts this copy on purpose.
fn older(ctx: &Context, id: &crate::format::VaultId, e: session::Error) -> CliError {
    if !rolled_back(&e) {
        return e.into();
    }
    let this = output::shell_word(&ctx.vault);
    let mut m = format!("{e}");
    m.push_str("\nThis file is an older copy of the vault: a backup put back, or a copy from before changes made here.");
    for p in session::sync::copies_holding(ctx, id) {
        let p = output::shell_word(&p);
        m.push_str(&format!(
            "\n{p} holds everything this machine saw: `baton --vault {this} merge {p}` merges it back in, and nothing of either is lost."
        ));
    }
    m.push_str(&format!(
        "\nIf this copy is the one to use (a backup put back on purpose), `baton --vault {this} accept-older` accepts it on this machine, recorded in the access log."
    ));
    CliError::new(super::Exit::Integrity, m)
}

/// The passphrase, or the recovery code with `--recovery`.
fn ask(ctx: &Context) -> Result<Passphrase> {
    if ctx.recovery {
        current_passphrase(ctx, "Recovery code: ")
    } else {
        let who = ctx.member.as_deref().unwrap_or("the owner");
        current_passphrase(ctx, &format!("Passphrase for {who}: "))
    }
}

/// Refuses a member who must change their passphrase first (except to
/// change it), and prints the session's warnings, now and later.
fn greet(mut s: Session, what: &str) -> Result<Session> {
    if what != "passwd" {
        s.refuse_if_passphrase_change_due()?;
    }
    for w in s.warnings() {
        eprintln!("{w}");
    }
    s.on_warning(|w| eprintln!("{w}"));
    Ok(s)
}
