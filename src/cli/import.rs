//! `baton import` and `baton export`: migration in and out. The parsers
//! (`crate::import`) and the export writers (`crate::export`) are pure;
//! here the file is read, the entries are added to the vault (skipping
//! ones already there), the access log records it, and a report says what
//! came in and what did not.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::args::{ExportFormat, ImportFormat};
use super::output;
use super::session::{Context, Result, Session, env_passphrase, open};
use super::{CliError, Exit};
use crate::audit::{Action, Details, Draft, Field};
use crate::import::{ImportError, Imported, Skipped};
use crate::os;
use crate::vault::{Entry, EntryId, Vault};

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::WrongPassphrase => CliError::new(Exit::Unlock, e.to_string()),
            ImportError::Malformed(_) => CliError::other(e.to_string()),
            ImportError::Usage(_) => CliError::usage(e.to_string()),
        }
    }
}

/// What one import did, as `--json` prints it.
#[derive(Serialize, Default)]
pub struct Report {
    pub format: &'static str,
    /// Entries added.
    pub added: usize,
    /// Entries already in the vault (same group, title, username,
    /// password and first URL): not added again.
    pub already_present: usize,
    /// Groups created or used.
    pub groups: usize,
    /// Custom fields on the added entries.
    pub fields: usize,
    pub skipped: Vec<SkippedView>,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct SkippedView {
    pub what: String,
    pub why: String,
}

impl From<Skipped> for SkippedView {
    fn from(s: Skipped) -> Self {
        SkippedView {
            what: s.what,
            why: s.why,
        }
    }
}

/// A digest naming an entry's identity for de-duplication: group, title,
/// username, password and first URL. Kept in memory only.
fn identity_of(group: &str, e: &Entry) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [
        group,
        e.title.as_str(),
        e.username.as_str(),
        e.password.expose(),
        e.urls.first().map_or("", String::as_str),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// `prefix` and a file's group path joined; the top level goes to
/// `prefix`, or `Imported` when there is none.
fn target_group(prefix: Option<&str>, group: &str) -> String {
    match (
        prefix.map(str::trim).filter(|p| !p.is_empty()),
        group.trim(),
    ) {
        (Some(p), "") => p.to_owned(),
        (Some(p), g) => format!("{p}/{g}"),
        (None, "") => "Imported".to_owned(),
        (None, g) => g.to_owned(),
    }
}

/// Adds `imported` to the vault (not saved): each entry with a fresh id,
/// unless the same entry is already in its group. Returns the report.
pub(crate) fn apply(
    v: &mut Vault,
    imported: Imported,
    prefix: Option<&str>,
    format: &'static str,
    rng: &mut impl rand::CryptoRng,
) -> Result<Report> {
    let mut seen: HashSet<[u8; 32]> = v
        .entries()
        .map(|(r, _, e)| identity_of(v.group_name(r), e))
        .collect();
    let mut report = Report {
        format,
        skipped: imported.skipped.into_iter().map(Into::into).collect(),
        warnings: imported.warnings,
        ..Report::default()
    };
    let mut groups: HashSet<String> = HashSet::new();
    for item in imported.items {
        let group = crate::vault::normalize_group(&target_group(prefix, &item.group))?;
        let mut entry = item.entry;
        if let Err(e) = crate::vault::validate_title(&entry.title) {
            report.skipped.push(SkippedView {
                what: output::clean(&entry.title).chars().take(80).collect(),
                why: e.to_string(),
            });
            continue;
        }
        let key = identity_of(&group, &entry);
        if !seen.insert(key) {
            report.already_present += 1;
            continue;
        }
        entry.id = EntryId::random(rng);
        // The file's authors are not members here: the importing member
        // answers for the entries.
        let me = v.me().id;
        entry.created_by = me;
        entry.modified_by = me;
        for h in &mut entry.history {
            h.replaced_by = me;
        }
        report.fields += entry.fields.len();
        groups.insert(group.clone());
        v.add(&group, entry, rng)?;
        report.added += 1;
    }
    report.groups = groups.len();
    Ok(report)
}

fn format_name(f: ImportFormat) -> &'static str {
    match f {
        ImportFormat::Kdbx => "kdbx",
        ImportFormat::KeepassxcCsv => "keepassxc-csv",
        ImportFormat::BitwardenJson => "bitwarden-json",
        ImportFormat::BatonJson => "baton-json",
        ImportFormat::Csv => "csv",
    }
}

fn text(bytes: &[u8], what: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| CliError::other(format!("{what} is not UTF-8 text")))
}

/// Reads and parses `file` as `format`.
fn parse(file: &Path, format: ImportFormat, map: &[String]) -> Result<Imported> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(file)
            .map_err(|e| CliError::other(format!("cannot read {}: {e}", file.display())))?,
    );
    let now = os::now();
    let mut rng = os::rng();
    let what = file.display().to_string();
    let pairs: Vec<(String, String)> = map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(c, f)| (c.trim().to_owned(), f.trim().to_owned()))
                .ok_or_else(|| CliError::usage(format!("--map {m:?}: write it as COLUMN=FIELD")))
        })
        .collect::<Result<_>>()?;
    if !pairs.is_empty() && format != ImportFormat::Csv {
        return Err(CliError::usage("--map is for --from csv"));
    }
    Ok(match format {
        ImportFormat::Kdbx => {
            let pass = match env_passphrase("BATON_IMPORT_PASSPHRASE") {
                Some(p) => p,
                None => os::prompt_passphrase(&format!("Passphrase of {what}: "))
                    .map_err(|e| CliError::other(e.to_string()))?,
            };
            let pass = std::str::from_utf8(pass.expose())
                .map_err(|_| CliError::usage("the file's passphrase is not UTF-8"))?
                .to_owned();
            let pass = zeroize::Zeroizing::new(pass);
            // The keepass crate panics on some damaged files; the parser
            // catches that and reports a damaged file, so the hook's
            // "internal error" would only mislead.
            os::with_quiet_panics(|| {
                crate::import::kdbx::parse(&bytes, &pass, os::ram_bytes(), now, &mut rng)
            })?
        }
        ImportFormat::KeepassxcCsv => {
            crate::import::keepassxc_csv::parse(&text(&bytes, &what)?, now, &mut rng)?
        }
        ImportFormat::BitwardenJson => {
            crate::import::bitwarden::parse(&text(&bytes, &what)?, now, &mut rng)?
        }
        ImportFormat::BatonJson => {
            crate::import::baton_json::parse(&text(&bytes, &what)?, now, &mut rng)?
        }
        ImportFormat::Csv => {
            crate::import::csv::parse(&text(&bytes, &what)?, &pairs, now, &mut rng)?
        }
    })
}

pub(super) fn import(
    ctx: &Context,
    file: &Path,
    format: ImportFormat,
    group: Option<&str>,
    map: &[String],
    json: bool,
) -> Result<()> {
    // The file is read and parsed before the vault is opened: a bad file
    // or a wrong passphrase changes nothing.
    let imported = parse(file, format, map)?;
    let mut s = open(ctx, true, "import")?;
    if s.vault.me().role == crate::format::Role::Auditor {
        return Err(CliError::new(Exit::Denied, "auditors cannot add entries"));
    }
    let name = format_name(format);
    let report = apply(&mut s.vault, imported, group, name, &mut os::rng())?;
    if report.added > 0 {
        let note = format!(
            "{name}: {} entries from {}",
            report.added,
            file.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
        s.vault.note(Draft {
            details: Some(Details {
                title: None,
                group: None,
                note: Some(note.chars().take(200).collect()),
            }),
            ..Draft::new(os::now(), Action::Import)
        });
        s.save(ctx)?;
    }
    print_report(&report, json);
    Ok(())
}

fn print_report(r: &Report, json: bool) {
    if json {
        println!("{}", output::json(r));
        return;
    }
    let entries = |n: usize| {
        if n == 1 {
            "1 entry".to_owned()
        } else {
            format!("{n} entries")
        }
    };
    println!(
        "Imported {} into {} group(s), with {} custom field(s), from a {} file.",
        entries(r.added),
        r.groups,
        r.fields,
        r.format
    );
    if r.already_present > 0 {
        println!(
            "{} already in the vault and not added again.",
            match r.already_present {
                1 => "1 entry was".to_owned(),
                n => format!("{n} entries were"),
            }
        );
    }
    if !r.skipped.is_empty() {
        println!("Skipped {}:", r.skipped.len());
        for s in &r.skipped {
            println!("  {} — {}", output::clean(&s.what), output::clean(&s.why));
        }
    }
    for w in &r.warnings {
        println!("warning: {}", output::clean(w));
    }
}

/// Refuses an export path that would overwrite the vault or its files.
fn check_out_path(ctx: &Context, out: &Path) -> Result<()> {
    let same_dir = |a: &Path, b: &Path| {
        let dir = |p: &Path| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| Path::new(".").canonicalize(), Path::canonicalize)
                .ok()
        };
        dir(a).is_some() && dir(a) == dir(b)
    };
    let vault_name = ctx.vault.file_name().map(|n| n.as_encoded_bytes().to_vec());
    if let (Some(name), Some(v)) = (out.file_name(), vault_name)
        && same_dir(out, &ctx.vault)
        && name.as_encoded_bytes().starts_with(&v)
    {
        return Err(CliError::usage(format!(
            "--out {}: that is the vault or one of its companion files",
            out.display()
        )));
    }
    if out.is_dir() {
        return Err(CliError::usage(format!(
            "--out {}: a directory",
            out.display()
        )));
    }
    Ok(())
}

pub(super) fn export(ctx: &Context, format: ExportFormat, out: &Path) -> Result<()> {
    check_out_path(ctx, out)?;
    let mut s = open(ctx, true, "export")?;
    if !s.vault.is_owner() {
        return Err(CliError::new(Exit::Denied, "only an owner can export"));
    }
    let count = s.vault.entry_count();
    if os::interactive()
        && !os::confirm(&format!(
            "Write all {count} entries, passwords included, unencrypted to {}?",
            out.display()
        ))
    {
        return Err(CliError::other("export cancelled; nothing was written"));
    }
    // Fail-closed: every exported entry is recorded (one save, durable)
    // before a byte of plaintext is written.
    record_export(ctx, &mut s)?;
    let text = match format {
        ExportFormat::Json => crate::export::to_json(&s.vault),
        ExportFormat::Csv => crate::export::to_csv(&s.vault),
    };
    let mut f = os::create_private(out)
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", out.display())))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", out.display())))?;
    println!(
        "Exported {count} entries to {} (mode 0600). It holds every password in plaintext: import it, then delete it.",
        out.display()
    );
    Ok(())
}

fn record_export(ctx: &Context, s: &mut Session) -> Result<()> {
    let now = os::now();
    let refs: Vec<_> = s.vault.entries().map(|(r, _, _)| r).collect();
    for r in refs {
        let draft = Draft {
            entry: Some(s.vault.entry(r).id.0),
            group: Some(s.vault.group_id(r)),
            field: Some(Field::All),
            details: Some(s.vault.details_for(r)),
            ..Draft::new(now, Action::Export)
        };
        s.vault.note(draft);
    }
    s.save(ctx)?;
    Ok(())
}
