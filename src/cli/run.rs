//! Performs commands: resolves the vault path, member and passphrase from
//! flags and the environment, opens and saves through `store`, and prints.
//!
//! Every reveal goes through [`reveal`], the one place where a secret leaves
//! the vault for the screen, the clipboard or a file.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::io::Write;
use std::time::Duration;

use super::args::{AddArgs, Cli, Command, EditArgs, EntryFields, GenArgs, InitArgs};
use super::output::{self, EntryDetail, EntrySummary};
use super::unlock::{Result, check_new_passphrase, current_passphrase, new_passphrase, open};
use super::{CliError, Exit};
use crate::audit::{Action, Draft};
use crate::crypto::kdf::{self, KdfParams};
use crate::generate::{self, CharsetOptions};
use crate::secret::Concealed;
use crate::session::create::{check_domain, create_vault};
use crate::session::edit::{self as entry_edit, EntryEdit};
use crate::session::{Context, Revealed, refuse_auditor, reveal};
use crate::vault::{self, BackupCode};
use crate::{os, search, store};

pub fn run(cli: Cli, ctx: &Context) -> Result<()> {
    let Some(command) = cli.command else {
        // Without a command and without a terminal, show the commands.
        use clap::CommandFactory;
        let mut help = super::args::Cli::command();
        help.print_help()
            .map_err(|e| CliError::other(e.to_string()))?;
        return Ok(());
    };
    match command {
        Command::Init(a) => init(ctx, a),
        Command::Add(a) => add(ctx, a),
        Command::List { group, json, .. } => list(ctx, group.as_deref(), json),
        Command::Search { query, json, .. } => search_cmd(ctx, &query, json),
        Command::Show { entry, json, .. } => show(ctx, &entry, json),
        Command::Get {
            entry, field, copy, ..
        } => get(ctx, &entry, &field, copy),
        Command::Totp {
            entry, json, qr, ..
        } => {
            if qr {
                totp_qr(ctx, &entry)
            } else {
                totp_cmd(ctx, &entry, json)
            }
        }
        Command::Codes {
            entry,
            use_code,
            json,
            ..
        } => codes(ctx, &entry, use_code, json),
        Command::Edit(a) => edit(ctx, a),
        Command::Rm { entry, .. } => rm(ctx, &entry),
        Command::Gen(a) => gen_cmd(a),
        Command::Passwd { .. } => passwd(ctx),
        Command::AcceptOlder { .. } => accept_older(ctx),
        Command::Merge {
            other,
            dry_run,
            json,
            ..
        } => super::merge::merge(ctx, &other, dry_run, json),
        Command::MergeDriver { ours, theirs, .. } => super::merge::driver(ctx, &ours, &theirs),
        Command::Log(a) => super::log_cmd::run(ctx, a),
        Command::Tui { .. } | Command::Demo => Err(CliError::usage(
            "the terminal UI is started by the baton binary itself",
        )),
        Command::Member(a) => super::member::run(ctx, a),
        Command::Handover(a) => super::handover::run(ctx, a),
        Command::Health { json, .. } => super::health::run(ctx, json),
        Command::Settings(a) => super::health::settings(ctx, a),
        Command::Import {
            file,
            from,
            group,
            map,
            json,
            ..
        } => super::import::import(ctx, &file, from, group.as_deref(), &map, json),
        Command::Export { format, out, .. } => super::import::export(ctx, format, &out),
    }
}

fn init(ctx: &Context, a: InitArgs) -> Result<()> {
    if ctx.vault.exists() {
        return Err(CliError::other(
            store::StoreError::AlreadyExists(ctx.vault.clone()).to_string(),
        ));
    }
    let explicit = a.kdf_memory.is_some() || a.kdf_time.is_some() || a.kdf_parallelism.is_some();
    let base = if a.weak_kdf {
        KdfParams::WEAK
    } else {
        kdf::KdfParams::floor()
    };
    let requested = KdfParams {
        memory_kib: a
            .kdf_memory
            .map_or(base.memory_kib, |m| m.saturating_mul(1024)),
        time: a.kdf_time.unwrap_or(base.time),
        parallelism: a.kdf_parallelism.unwrap_or(base.parallelism),
    };
    kdf::check_bounds(&requested, a.weak_kdf, os::ram_bytes())
        .map_err(|e| CliError::usage(e.to_string()))?;
    if let Some(d) = &a.firm_domain {
        check_domain(d)?;
    }

    let passphrase = if ctx.passphrase_file.is_some() || ctx.env_passphrase {
        let p = current_passphrase(ctx, "")?;
        check_new_passphrase(&p)?;
        p
    } else {
        new_passphrase(None, &a.owner)?
    };
    let kdf = if explicit || a.weak_kdf {
        Some(requested)
    } else {
        eprintln!("Calibrating key derivation (about a second)…");
        None
    };
    let created = create_vault(
        ctx,
        &a.owner,
        a.firm_domain.as_deref(),
        &passphrase,
        kdf,
        a.weak_kdf,
    )?;
    let (params, took, code) = (created.params, created.took, created.recovery_code);

    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "Created {} for owner {}.",
        ctx.vault.display(),
        a.owner
    );
    let _ = writeln!(
        out,
        "Key derivation: Argon2id {params}, {} ms per unlock.",
        took.as_millis()
    );
    if a.weak_kdf {
        let _ = writeln!(
            out,
            "WARNING: --weak-kdf: fit for tests and demos only; every unlock will warn."
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Recovery code (shown once; store it offline, away from this computer):"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "    {}", &*code);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "It opens the vault as {} with `baton --recovery passwd` if the passphrase is lost.",
        a.owner
    );
    if let Some(w) = os::memory_warning()
        && os::interactive()
    {
        eprintln!("{w}");
    }
    Ok(())
}

/// The password `--generate` or `--password-stdin` asks for, if any.
fn new_password(f: &EntryFields) -> Result<Option<Concealed>> {
    Ok(if f.generate {
        let opts = CharsetOptions {
            length: f.length.unwrap_or(24),
            ..CharsetOptions::default()
        };
        let p = generate::password(&opts, &mut os::rng())
            .map_err(|err| CliError::usage(err.to_string()))?;
        Some(Concealed::of(&p))
    } else if f.password_stdin {
        Some(read_password_stdin()?)
    } else {
        None
    })
}

/// The backup codes in `path`: one a line, blank lines skipped.
fn read_backup_codes(path: &std::path::Path) -> Result<Vec<Concealed>> {
    let raw = std::fs::File::open(path)
        .and_then(|f| os::read_bounded(f, 1024 * 1024))
        .map_err(|err| CliError::other(format!("cannot read {}: {err}", path.display())))?;
    let text = std::str::from_utf8(&raw)
        .map_err(|_| CliError::usage(format!("{} is not UTF-8 text", path.display())))?;
    let codes: Vec<Concealed> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Concealed::of)
        .collect();
    if codes.is_empty() {
        return Err(CliError::usage(format!(
            "{} holds no backup codes",
            path.display()
        )));
    }
    Ok(codes)
}

/// The entry flags as an edit: files read, `NAME=VALUE` fields split.
/// Values are checked when applied; the password is read (or generated)
/// once the vault is open.
fn edit_of(f: &EntryFields) -> Result<EntryEdit> {
    let mut fields = Vec::new();
    for (spec, concealed) in f
        .fields
        .iter()
        .map(|s| (s, false))
        .chain(f.secret_fields.iter().map(|s| (s, true)))
    {
        let Some((name, value)) = spec.split_once('=') else {
            return Err(CliError::usage(
                "a custom field must be given as NAME=VALUE",
            ));
        };
        fields.push((name.trim().to_owned(), Concealed::of(value), concealed));
    }
    Ok(EntryEdit {
        group: f.group.clone(),
        username: f.username.clone(),
        urls: (!f.urls.is_empty()).then(|| f.urls.clone()),
        notes: f.notes.as_deref().map(Concealed::of),
        tags: (!f.tags.is_empty()).then(|| f.tags.clone()),
        identity: f.identity.clone(),
        totp: f.totp.as_deref().map(Concealed::of),
        backup_codes: f
            .backup_codes_file
            .as_deref()
            .map(read_backup_codes)
            .transpose()?,
        rotate_days: f.rotate_days,
        expires: f.expires.clone(),
        fields,
        ..EntryEdit::default()
    })
}

/// The first line of standard input, for --password-stdin.
fn read_password_stdin() -> Result<Concealed> {
    let bytes = os::read_bounded(std::io::stdin().lock(), 64 * 1024).map_err(|e| {
        CliError::other(format!("cannot read the password from standard input: {e}"))
    })?;
    let line = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::usage("--password-stdin: the password is not valid UTF-8"))?;
    let p = line.split(['\n', '\r']).next().unwrap_or("");
    if p.is_empty() {
        return Err(CliError::usage(
            "--password-stdin: standard input held no password",
        ));
    }
    Ok(Concealed::of(p))
}

fn add(ctx: &Context, a: AddArgs) -> Result<()> {
    let mut edit = edit_of(&a.fields)?;
    let mut s = open(ctx, true, "add")?;
    refuse_auditor(&s.vault)?;
    edit.password = new_password(&a.fields)?;
    let r =
        entry_edit::add_entry(&mut s, &a.title, edit, os::now(), &mut os::rng()).map_err(|e| {
            match e {
                // The title is `add`'s argument, not a flag.
                crate::session::Error::Edit(ed) if ed.field == entry_edit::EditField::Title => {
                    CliError::usage(format!("title: {}", ed.why))
                }
                e => e.into(),
            }
        })?;
    let (id, title, group) = {
        let e = s.vault.entry(r);
        (
            e.id.hex(),
            e.title.clone(),
            s.vault.group_name(r).to_owned(),
        )
    };
    s.save(ctx)?;
    if a.json {
        println!(
            "{}",
            output::json(&serde_json::json!({ "id": id, "title": title, "group": group }))
        );
    } else {
        println!(
            "Added {} ({id}) to {}.",
            output::clean(&title),
            output::clean(&group)
        );
    }
    Ok(())
}

/// What `list` and `search` tell an auditor, who holds no group's key.
const AUDITOR_LIST: &str = "An auditor sees no entries. `baton log` reads the access log, `baton log verify` checks it, and `baton member list` shows the members.";

fn list(ctx: &Context, group: Option<&str>, json: bool) -> Result<()> {
    let mut s = open(ctx, false, "list")?;
    s.record_unlock(ctx);
    let group = group.map(vault::normalize_group).transpose()?;
    if let Some(g) = &group
        && !s
            .vault
            .groups()
            .iter()
            .any(|x| &x.name == g || x.name.starts_with(&format!("{g}/")))
    {
        return Err(CliError::new(
            Exit::Other,
            format!("no group {g:?} among the groups you can read"),
        ));
    }
    let mut rows: Vec<EntrySummary<'_>> = s
        .vault
        .entries()
        .filter(|(_, g, _)| {
            group
                .as_ref()
                .is_none_or(|want| &g.name == want || g.name.starts_with(&format!("{want}/")))
        })
        .map(|(_, g, e)| EntrySummary::new(&g.name, e))
        .collect();
    rows.sort_by(|a, b| {
        a.group
            .cmp(b.group)
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    if json {
        println!("{}", output::json(&serde_json::json!({ "entries": rows })));
    } else if s.vault.me().role == crate::format::Role::Auditor {
        println!("{AUDITOR_LIST}");
    } else if rows.is_empty() {
        println!("No entries yet. Add one with `baton add TITLE`.");
    } else {
        print!("{}", output::table(&rows));
    }
    Ok(())
}

fn search_cmd(ctx: &Context, query: &str, json: bool) -> Result<()> {
    let mut s = open(ctx, false, "search")?;
    s.record_unlock(ctx);
    let hits = search::search_once(&s.vault, query);
    let rows: Vec<EntrySummary<'_>> = hits
        .iter()
        .map(|h| EntrySummary::new(s.vault.group_name(h.entry), s.vault.entry(h.entry)))
        .collect();
    if json {
        println!("{}", output::json(&serde_json::json!({ "entries": rows })));
    } else if s.vault.me().role == crate::format::Role::Auditor {
        println!("{AUDITOR_LIST}");
    } else if rows.is_empty() {
        println!("Nothing matches {query:?}.");
    } else {
        print!("{}", output::table(&rows));
    }
    Ok(())
}

fn show(ctx: &Context, entry: &str, json: bool) -> Result<()> {
    let mut s = open(ctx, false, "show")?;
    s.record_unlock(ctx);
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(entry)?;
    let d = EntryDetail::new(&s.vault, s.vault.group_name(r), s.vault.entry(r));
    if json {
        println!("{}", output::json(&d));
    } else {
        print!("{}", output::detail_text(&d));
    }
    Ok(())
}

fn get(ctx: &Context, entry: &str, field: &str, copy: bool) -> Result<()> {
    let mut s = open(ctx, true, "get")?;
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(entry)?;
    let f = field.trim();
    reveal(&mut s, ctx, r, Revealed::Field(f), copy, |e| {
        let value: zeroize::Zeroizing<String> = match f.to_ascii_lowercase().as_str() {
            "password" => zeroize::Zeroizing::new(e.password.expose().to_owned()),
            "username" => zeroize::Zeroizing::new(e.username.clone()),
            "notes" => zeroize::Zeroizing::new(e.notes.expose().to_owned()),
            "url" => zeroize::Zeroizing::new(e.urls.first().cloned().unwrap_or_default()),
            "totp" => match &e.totp {
                Some(t) => t.code_at(os::now()).0,
                None => return Err(CliError::other(format!("{} has no TOTP secret", e.title))),
            },
            _ => match e.field(f) {
                Some(cf) => zeroize::Zeroizing::new(cf.value.expose().to_owned()),
                None => {
                    return Err(CliError::other(format!(
                        "{} has no field {f:?} (fields: password, username, totp, notes, url{})",
                        e.title,
                        e.fields
                            .iter()
                            .map(|x| format!(", {}", x.name))
                            .collect::<String>()
                    )));
                }
            },
        };
        if value.is_empty() {
            return Err(CliError::other(format!("{}'s {f} is empty", e.title)));
        }
        if copy {
            let secs = ctx.clipboard_clear.as_secs();
            // The holder keeps serving the value after this command exits.
            drop(
                os::clipboard::copy(&value, Duration::from_secs(secs), ctx.display)
                    .map_err(|err| CliError::other(err.to_string()))?,
            );
            eprintln!(
                "Copied {}'s {f} to the clipboard; it will be cleared in {secs} s.",
                output::clean(&e.title)
            );
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(value.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
                .map_err(|err| {
                    CliError::other(format!("cannot write to standard output: {err}"))
                })?;
        }
        Ok(())
    })
}

fn totp_cmd(ctx: &Context, entry: &str, json: bool) -> Result<()> {
    let mut s = open(ctx, true, "totp")?;
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(entry)?;
    reveal(&mut s, ctx, r, Revealed::TotpCode, false, |e| {
        let t = e
            .totp
            .as_ref()
            .ok_or_else(|| CliError::other(format!("{} has no TOTP secret", e.title)))?;
        let (code, left) = t.code_at(os::now());
        if json {
            let out = zeroize::Zeroizing::new(output::json(&output::TotpCode {
                code: &code,
                seconds_left: left,
            }));
            println!("{}", &*out);
        } else {
            println!("{} ({left} s left)", &*code);
        }
        Ok(())
    })
}

/// The TOTP seed as a QR code, for moving it to the firm's authenticator.
fn totp_qr(ctx: &Context, entry: &str) -> Result<()> {
    let mut s = open(ctx, true, "totp --qr")?;
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(entry)?;
    if s.vault.entry(r).totp.is_none() {
        return Err(CliError::other(format!(
            "{} has no TOTP secret",
            output::clean(&s.vault.entry(r).title)
        )));
    }
    reveal(&mut s, ctx, r, Revealed::TotpSeed, false, |e| {
        let t = e.totp.as_ref().expect("checked above");
        let qr = output::qr_code(&t.to_uri())?;
        print!("{}", &*qr);
        println!(
            "Scan this with the firm's authenticator to enrol {}'s TOTP seed; then keep it out of sight.",
            output::clean(&e.title)
        );
        Ok(())
    })
}

fn codes(ctx: &Context, entry: &str, use_code: Option<usize>, json: bool) -> Result<()> {
    if let Some(n) = use_code {
        if n == 0 {
            return Err(CliError::usage("backup codes are numbered from 1"));
        }
        let mut s = open(ctx, true, "codes --use")?;
        refuse_auditor(&s.vault)?;
        let r = s.vault.find(entry)?;
        let left = entry_edit::mark_code_used(&mut s, r, n - 1, os::now())?;
        let title = s.vault.entry(r).title.clone();
        s.save(ctx)?;
        println!(
            "Marked backup code {n} of {} as used; {left} unused left.",
            output::clean(&title)
        );
        if left < 3 {
            eprintln!(
                "warning: fewer than 3 unused backup codes remain; generate new ones at the service."
            );
        }
        return Ok(());
    }
    let mut s = open(ctx, true, "codes")?;
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(entry)?;
    reveal(&mut s, ctx, r, Revealed::BackupCodes, false, |e| {
        if e.backup_codes.is_empty() {
            return Err(CliError::other(format!("{} has no backup codes", e.title)));
        }
        let unused: Vec<(usize, &BackupCode)> = e.unused_codes().collect();
        if json {
            let view = output::Codes {
                unused: unused
                    .iter()
                    .map(|(i, c)| output::Code {
                        number: i + 1,
                        code: c.code.expose(),
                    })
                    .collect(),
                used: e.backup_codes.len() - unused.len(),
            };
            let out = zeroize::Zeroizing::new(output::json(&view));
            println!("{}", &*out);
        } else if unused.is_empty() {
            println!("Every backup code of {} is used.", output::clean(&e.title));
        } else {
            for (i, c) in &unused {
                println!("{:>3}. {}", i + 1, c.code.expose());
            }
        }
        Ok(())
    })
}

fn edit(ctx: &Context, a: EditArgs) -> Result<()> {
    let mut edit = edit_of(&a.fields)?;
    edit.title = a.title.clone();
    edit.clear_totp = a.clear_totp;
    edit.remove_fields = a.remove_fields.clone();
    let mut s = open(ctx, true, "edit")?;
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(&a.entry)?;
    edit.password = new_password(&a.fields)?;
    let r = entry_edit::edit_entry(&mut s, r, edit, os::now(), &mut os::rng())?;
    let (title, id) = (s.vault.entry(r).title.clone(), s.vault.entry(r).id.hex());
    s.save(ctx)?;
    println!("Updated {} ({id}).", output::clean(&title));
    Ok(())
}

fn rm(ctx: &Context, entry: &str) -> Result<()> {
    let mut s = open(ctx, true, "rm")?;
    refuse_auditor(&s.vault)?;
    let r = s.vault.find(entry)?;
    let (title, id) = (s.vault.entry(r).title.clone(), s.vault.entry(r).id.hex());
    entry_edit::remove_entry(&mut s, r, os::now())?;
    s.save(ctx)?;
    println!(
        "Removed {} ({id}); it stays in the vault's history for the owner.",
        output::clean(&title)
    );
    Ok(())
}

fn gen_cmd(a: GenArgs) -> Result<()> {
    let mut rng = os::rng();
    let (value, bits) = match a.words {
        Some(n) => (
            generate::passphrase(n, "-", &mut rng).map_err(|e| CliError::usage(e.to_string()))?,
            generate::passphrase_entropy_bits(n),
        ),
        None => {
            let opts = CharsetOptions {
                length: a.length.unwrap_or(24),
                symbols: !a.no_symbols,
                ..CharsetOptions::default()
            };
            (
                generate::password(&opts, &mut rng).map_err(|e| CliError::usage(e.to_string()))?,
                generate::password_entropy_bits(&opts),
            )
        }
    };
    println!("{}", &*value);
    if a.entropy {
        eprintln!("about {bits:.0} bits of entropy");
    }
    Ok(())
}

fn passwd(ctx: &Context) -> Result<()> {
    let mut s = open(ctx, true, "passwd")?;
    let name = s.vault.me().name.clone();
    let new = new_passphrase(Some("BATON_NEW_PASSPHRASE"), &name)?;
    s.vault.change_passphrase(&new, &mut os::rng())?;
    s.vault
        .note(Draft::new(os::now(), Action::PassphraseChange));
    s.save(ctx)?;
    println!("Changed the passphrase of {name}.");
    Ok(())
}

/// `baton accept-older`: this copy, although older than what this machine
/// saw, is the one to use; the decision is recorded.
fn accept_older(ctx: &Context) -> Result<()> {
    let (s, accepted) = super::unlock::open_with(ctx, "accept-older", |loaded, member, secret| {
        crate::session::accept_older(ctx, loaded, member, secret, ctx.recovery)
    })?;
    match accepted {
        None => println!(
            "{} holds everything this machine has seen of its access log; nothing to accept.",
            ctx.vault.display()
        ),
        Some(a) => println!(
            "Accepted {}: it holds {} access-log records where this machine had seen {}; \
             the difference is not in this copy. Recorded as accept-older by {}.",
            ctx.vault.display(),
            a.holds,
            a.seen,
            output::clean(&s.vault.me().name)
        ),
    }
    Ok(())
}
