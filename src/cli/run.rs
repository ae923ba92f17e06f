//! Performs commands: resolves the vault path, member and passphrase from
//! flags and the environment, opens and saves through `store`, and prints.
//!
//! Every reveal goes through [`reveal`], the one place where a secret leaves
//! the vault for the screen, the clipboard or a file.

use std::io::Write;
use std::time::{Duration, Instant};

use super::args::{AddArgs, Cli, Command, EditArgs, EntryFields, GenArgs, InitArgs};
use super::output::{self, EntryDetail, EntrySummary};
use super::session::{
    Context, Result, Revealed, check_new_passphrase, current_passphrase, new_passphrase,
    normalize_recovery, open, reveal,
};
use super::{CliError, Exit};
use crate::audit::{Action, Draft, Field};
use crate::crypto::kdf::{self, KdfParams};
use crate::generate::{self, CharsetOptions};
use crate::secret::{Concealed, Passphrase};
use crate::totp::Totp;
use crate::vault::{self, BackupCode, CreateOptions, CustomField, Entry, EntryId, EntryRef, Vault};
use crate::{dates, os, search, store};

/// The group used when `add` names none.
pub const DEFAULT_GROUP: &str = "General";

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Context::from_env(&cli)?;
    let Some(command) = cli.command else {
        if os::interactive() {
            return crate::tui::start(ctx);
        }
        // Without a command and without a terminal, show the commands.
        use clap::CommandFactory;
        let mut help = super::args::Cli::command();
        help.print_help()
            .map_err(|e| CliError::other(e.to_string()))?;
        return Ok(());
    };
    match command {
        Command::Init(a) => init(&ctx, a),
        Command::Add(a) => add(&ctx, a),
        Command::List { group, json, .. } => list(&ctx, group.as_deref(), json),
        Command::Search { query, json, .. } => search_cmd(&ctx, &query, json),
        Command::Show { entry, json, .. } => show(&ctx, &entry, json),
        Command::Get {
            entry, field, copy, ..
        } => get(&ctx, &entry, &field, copy),
        Command::Totp {
            entry, json, qr, ..
        } => {
            if qr {
                totp_qr(&ctx, &entry)
            } else {
                totp_cmd(&ctx, &entry, json)
            }
        }
        Command::Codes {
            entry,
            use_code,
            json,
            ..
        } => codes(&ctx, &entry, use_code, json),
        Command::Edit(a) => edit(&ctx, a),
        Command::Rm { entry, .. } => rm(&ctx, &entry),
        Command::Gen(a) => gen_cmd(a),
        Command::Passwd { .. } => passwd(&ctx),
        Command::Log(a) => super::log_cmd::run(&ctx, a),
        Command::Tui { .. } => crate::tui::start(ctx),
        Command::Demo => super::demo::run(&ctx),
        Command::Member(a) => super::member::run(&ctx, a),
        Command::Handover(a) => super::handover::run(&ctx, a),
        Command::Health { json, .. } => super::health::run(&ctx, json),
        Command::Settings(a) => super::health::settings(&ctx, a),
        Command::Import {
            file,
            from,
            group,
            map,
            json,
            ..
        } => super::import::import(&ctx, &file, from, group.as_deref(), &map, json),
        Command::Export { format, out, .. } => super::import::export(&ctx, format, &out),
    }
}

/// 160 random bits as 32 base32 characters in groups of four.
fn new_recovery_code(rng: &mut impl rand::CryptoRng) -> zeroize::Zeroizing<String> {
    let mut raw = zeroize::Zeroizing::new([0u8; 20]);
    rng.fill_bytes(&mut raw[..]);
    let plain = zeroize::Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&raw[..]));
    let mut out = zeroize::Zeroizing::new(String::with_capacity(40));
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
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

    let passphrase =
        if ctx.passphrase_file.is_some() || std::env::var_os("BATON_PASSPHRASE").is_some() {
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

/// A firm's e-mail domain: something like `example.com`.
pub(crate) fn check_domain(d: &str) -> Result<()> {
    if !d.contains('.') || d.contains('@') || d.contains(char::is_whitespace) {
        return Err(CliError::usage(format!(
            "{d:?} is not an e-mail domain like example.com"
        )));
    }
    Ok(())
}

/// A vault just created, and its recovery code (to be shown once).
pub(crate) struct Created {
    pub params: KdfParams,
    pub took: Duration,
    pub recovery_code: zeroize::Zeroizing<String>,
}

/// Creates the vault at `ctx.vault` (refusing to overwrite one), with
/// `kdf` or, when `None`, parameters calibrated to about a second here.
pub(crate) fn create_vault(
    ctx: &Context,
    owner: &str,
    firm_domain: Option<&str>,
    passphrase: &Passphrase,
    kdf: Option<KdfParams>,
    weak_kdf: bool,
) -> Result<Created> {
    store::ensure_dir(&ctx.vault)?;
    let lock = store::lock(&ctx.vault, &ctx.holder("init"), ctx.lock_wait)?;
    if ctx.vault.exists() {
        return Err(CliError::other(
            store::StoreError::AlreadyExists(ctx.vault.clone()).to_string(),
        ));
    }
    let (params, took) = match kdf {
        Some(p) => (p, time_kdf(&p)?),
        None => calibrate()?,
    };
    let mut rng = os::rng();
    let code = new_recovery_code(&mut rng);
    let code_bytes = normalize_recovery(code.as_bytes());
    let opts = CreateOptions {
        owner,
        firm_domain: firm_domain.map(str::to_ascii_lowercase),
        kdf: params,
        weak_kdf,
        now: os::now(),
    };
    let mut v = vault::create(opts, passphrase, &code_bytes, &mut rng)?;
    let bytes = v.seal(os::now(), &mut rng)?;
    store::create_new(&ctx.vault, &bytes, &lock)?;
    Ok(Created {
        params,
        took,
        recovery_code: code,
    })
}

fn time_kdf(p: &KdfParams) -> Result<Duration> {
    let start = Instant::now();
    kdf::derive(b"calibration", &[0u8; kdf::SALT_LEN], p)
        .map_err(|e| CliError::other(e.to_string()))?;
    Ok(start.elapsed())
}

/// Finds parameters that take about one second here: 256 MiB where half
/// the RAM allows it, four lanes, passes raised until the target is met.
fn calibrate() -> Result<(KdfParams, Duration)> {
    let ram_half_kib = os::ram_bytes() / 2 / 1024;
    let memory_kib = if ram_half_kib >= u64::from(kdf::PREFERRED_MEMORY_KIB) {
        kdf::PREFERRED_MEMORY_KIB
    } else {
        kdf::FLOOR_MEMORY_KIB
    };
    let mut p = KdfParams {
        memory_kib,
        time: kdf::FLOOR_TIME,
        parallelism: kdf::FLOOR_PARALLELISM,
    };
    let mut took = time_kdf(&p)?;
    for _ in 0..4 {
        match kdf::calibrate_step(&p, took.as_millis() as u64, 1000) {
            Some(next) => {
                p = next;
                took = time_kdf(&p)?;
            }
            None => break,
        }
    }
    Ok((p, took))
}

/// Applies the shared entry flags to `e`.
/// Refuses control characters (which could drive a terminal when the value
/// is listed) and overlong values in a field shown on screen.
fn plain_text(what: &str, value: &str, max_chars: usize) -> Result<()> {
    if value.chars().any(char::is_control) {
        return Err(CliError::usage(format!(
            "{what} must not contain control characters"
        )));
    }
    if value.chars().count() > max_chars {
        return Err(CliError::usage(format!(
            "{what} is longer than {max_chars} characters"
        )));
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

/// Applies `f` (and a new password, if any) to `e`. Every check runs
/// before the first change only for the password; callers that must not
/// leave `e` half changed apply to a scratch entry first.
pub(crate) fn apply_fields(
    e: &mut Entry,
    f: &EntryFields,
    new_password: Option<Concealed>,
    now: i64,
    me: u32,
    is_new: bool,
) -> Result<()> {
    if let Some(u) = &f.username {
        plain_text("--username", u, 500)?;
        e.username = u.clone();
    }
    if !f.urls.is_empty() {
        for u in &f.urls {
            plain_text("--url", u, 2000)?;
        }
        e.urls = f.urls.clone();
    }
    if let Some(n) = &f.notes {
        e.notes = Concealed::of(n);
    }
    if !f.tags.is_empty() {
        let mut tags: Vec<String> = Vec::new();
        for t in &f.tags {
            plain_text("--tag", t, 100)?;
            let t = t.trim();
            if !t.is_empty() && !tags.iter().any(|x| x == t) {
                tags.push(t.to_owned());
            }
        }
        e.tags = tags;
    }
    if let Some(id) = &f.identity {
        let id = id.trim();
        if id.is_empty() {
            e.identity = None;
        } else {
            if !valid_email(id) {
                return Err(CliError::usage(format!("{id:?} is not an e-mail address")));
            }
            e.identity = Some(id.to_owned());
        }
    }
    if let Some(t) = &f.totp {
        let totp = Totp::parse(t).map_err(|e| CliError::usage(format!("--totp: {e}")))?;
        e.totp = Some(totp);
    }
    if let Some(path) = &f.backup_codes_file {
        let raw = std::fs::File::open(path)
            .and_then(|f| os::read_bounded(f, 1024 * 1024))
            .map_err(|err| CliError::other(format!("cannot read {}: {err}", path.display())))?;
        let text = std::str::from_utf8(&raw)
            .map_err(|_| CliError::usage(format!("{} is not UTF-8 text", path.display())))?;
        let codes: Vec<BackupCode> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| BackupCode {
                code: Concealed::of(l),
                used_at: None,
                used_by: None,
            })
            .collect();
        if codes.is_empty() {
            return Err(CliError::usage(format!(
                "{} holds no backup codes",
                path.display()
            )));
        }
        e.backup_codes = codes;
    }
    if let Some(n) = f.rotate_days {
        e.rotate_days = (n > 0).then_some(n);
    }
    if let Some(d) = &f.expires {
        e.expires_at =
            Some(dates::parse(d).map_err(|err| CliError::usage(format!("--expires: {err}")))?);
    }
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
        let name = name.trim();
        plain_text("a custom field's name", name, 100)?;
        if name.is_empty() || is_builtin_field(name) {
            return Err(CliError::usage(format!(
                "{name:?} cannot be a custom field name"
            )));
        }
        let value = Concealed::of(value);
        if let Some(existing) = e.fields.iter_mut().find(|x| x.name == name) {
            existing.value = value;
            existing.concealed = concealed;
        } else {
            e.fields.push(CustomField {
                name: name.to_owned(),
                value,
                concealed,
            });
        }
    }
    if let Some(p) = new_password {
        if is_new {
            e.password = p;
            e.password_changed_at = now;
        } else {
            e.set_password(p, now, me);
        }
    }
    // The score weighs the password against the title and username, which
    // may have changed too.
    e.rescore();
    Ok(())
}

fn is_builtin_field(name: &str) -> bool {
    ["password", "username", "totp", "notes", "url", "title"]
        .iter()
        .any(|b| b.eq_ignore_ascii_case(name))
}

fn valid_email(s: &str) -> bool {
    if s.chars().any(char::is_control) || s.len() > 320 {
        return false;
    }
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
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
    let mut s = open(ctx, true, "add")?;
    let now = os::now();
    let me = s.vault.me().id;
    let mut rng = os::rng();
    let mut e = Entry::new(
        EntryId::random(&mut rng),
        a.title.trim().to_owned(),
        now,
        me,
    );
    apply_fields(&mut e, &a.fields, new_password(&a.fields)?, now, me, true)?;
    let group = a
        .fields
        .group
        .clone()
        .unwrap_or_else(|| DEFAULT_GROUP.to_owned());
    let r = s.vault.add(&group, e, &mut rng)?;
    s.vault
        .note(entry_draft(&s.vault, r, Action::Add, None, now));
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
            let secs = os::clipboard::clear_after().as_secs();
            // The holder keeps serving the value after this command exits.
            drop(
                os::clipboard::copy(&value, Duration::from_secs(secs))
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
        let r = s.vault.find(entry)?;
        if s.vault.me().role == crate::format::Role::Auditor {
            return Err(CliError::new(
                Exit::Denied,
                "auditors cannot change entries",
            ));
        }
        s.vault.mark_code_used(r, n - 1, os::now())?;
        let mut draft = entry_draft(
            &s.vault,
            r,
            Action::CodeUsed,
            Some(Field::BackupCodes),
            os::now(),
        );
        if let Some(d) = draft.details.as_mut() {
            d.note = Some(format!("code {n}"));
        }
        s.vault.note(draft);
        let (title, left) = {
            let e = s.vault.entry(r);
            (e.title.clone(), e.unused_codes().count())
        };
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
    let mut s = open(ctx, true, "edit")?;
    let r = s.vault.find(&a.entry)?;
    let now = os::now();
    let me = s.vault.me().id;
    let mut rng = os::rng();
    let r = match &a.fields.group {
        Some(g) => s.vault.move_entry(r, g, &mut rng)?,
        None => r,
    };
    let password_before = s.vault.entry(r).password.duplicate();
    let password = new_password(&a.fields)?;
    {
        let e = s.vault.edit(r, now)?;
        if let Some(t) = &a.title {
            let t = t.trim();
            if t.is_empty() {
                return Err(CliError::usage("the title cannot be empty"));
            }
            vault::validate_title(t)?;
            e.title = t.to_owned();
        }
        if a.clear_totp {
            e.totp = None;
        }
        for name in &a.remove_fields {
            let before = e.fields.len();
            e.fields.retain(|f| &f.name != name);
            if e.fields.len() == before {
                return Err(CliError::usage(format!(
                    "{} has no field {name:?}",
                    e.title
                )));
            }
        }
        apply_fields(e, &a.fields, password, now, me, false)?;
    }
    let password_changed = s.vault.entry(r).password != password_before;
    let field = password_changed.then_some(Field::Password);
    s.vault
        .note(entry_draft(&s.vault, r, Action::Edit, field, now));
    let (title, id) = (s.vault.entry(r).title.clone(), s.vault.entry(r).id.hex());
    s.save(ctx)?;
    println!("Updated {} ({id}).", output::clean(&title));
    Ok(())
}

fn rm(ctx: &Context, entry: &str) -> Result<()> {
    let mut s = open(ctx, true, "rm")?;
    let r = s.vault.find(entry)?;
    let (title, id) = (s.vault.entry(r).title.clone(), s.vault.entry(r).id.hex());
    s.vault
        .note(entry_draft(&s.vault, r, Action::Remove, None, os::now()));
    s.vault.remove(r, os::now())?;
    s.save(ctx)?;
    println!(
        "Removed {} ({id}); it stays in the vault's history for the owner.",
        output::clean(&title)
    );
    Ok(())
}

/// A record about one entry, with its title and group sealed for the log
/// key's holders.
pub(crate) fn entry_draft(
    v: &Vault,
    r: EntryRef,
    action: Action,
    field: Option<Field>,
    now: i64,
) -> Draft {
    Draft {
        entry: Some(v.entry(r).id.0),
        group: Some(v.group_id(r)),
        field,
        details: Some(v.details_for(r)),
        ..Draft::new(now, action)
    }
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
