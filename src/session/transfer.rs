//! Import into and export out of a session. The parsers
//! (`crate::import`) and the export writers (`crate::export`) are pure;
//! here imported entries are added to the vault (skipping ones already
//! there) with a report of what came in and what did not, and an export
//! is recorded — every entry, durably — before a byte of plaintext is
//! written.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Context, Error, Result, Session};
use crate::audit::{Action, Details, Draft, Field};
use crate::import::{Imported, Skipped};
use crate::secret::Passphrase;
use crate::vault::{Entry, EntryId, EntryRef, Vault};
use crate::{os, store};

/// The formats `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    Kdbx,
    KeepassxcCsv,
    BitwardenJson,
    BatonJson,
    Csv,
}

impl ImportFormat {
    /// The format's name, as `--from` spells it and the report says it.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Kdbx => "kdbx",
            ImportFormat::KeepassxcCsv => "keepassxc-csv",
            ImportFormat::BitwardenJson => "bitwarden-json",
            ImportFormat::BatonJson => "baton-json",
            ImportFormat::Csv => "csv",
        }
    }
}

/// The formats `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
}

fn text(bytes: &[u8], what: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Error::failed(format!("{what} is not UTF-8 text")))
}

/// The bytes of a file to import (read before anything is asked, so that
/// a missing file is said first).
pub fn read_import(file: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    std::fs::read(file)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| Error::failed(format!("cannot read {}: {e}", file.display())))
}

/// Refuses `COLUMN=FIELD` pairs for any format but the generic CSV.
pub fn check_map(format: ImportFormat, map: &[(String, String)]) -> Result<()> {
    if !map.is_empty() && format != ImportFormat::Csv {
        return Err(Error::invalid("--map is for --from csv"));
    }
    Ok(())
}

/// Parses the bytes of `file` as `format`: a KDBX file with `passphrase`
/// (which the front end asked for), a generic CSV with `map`'s
/// `COLUMN=FIELD` pairs. Nothing in the vault changes.
pub fn parse_import(
    bytes: &[u8],
    file: &Path,
    format: ImportFormat,
    map: &[(String, String)],
    passphrase: Option<&Passphrase>,
) -> Result<Imported> {
    let now = os::now();
    let mut rng = os::rng();
    let what = file.display().to_string();
    check_map(format, map)?;
    Ok(match format {
        ImportFormat::Kdbx => {
            let pass =
                passphrase.ok_or_else(|| Error::invalid("a KeePass file needs its passphrase"))?;
            let pass = std::str::from_utf8(pass.expose())
                .map_err(|_| Error::invalid("the file's passphrase is not UTF-8"))?;
            let pass = zeroize::Zeroizing::new(pass.to_owned());
            // The keepass crate panics on some damaged files; the parser
            // catches that and reports a damaged file, so the hook's
            // "internal error" would only mislead.
            os::with_quiet_panics(|| {
                crate::import::kdbx::parse(bytes, &pass, os::ram_bytes(), now, &mut rng)
            })?
        }
        ImportFormat::KeepassxcCsv => {
            crate::import::keepassxc_csv::parse(&text(bytes, &what)?, now, &mut rng)?
        }
        ImportFormat::BitwardenJson => {
            crate::import::bitwarden::parse(&text(bytes, &what)?, now, &mut rng)?
        }
        ImportFormat::BatonJson => {
            crate::import::baton_json::parse(&text(bytes, &what)?, now, &mut rng)?
        }
        ImportFormat::Csv => crate::import::csv::parse(&text(bytes, &what)?, map, now, &mut rng)?,
    })
}

/// Adds `imported` (read from `file` as `format`) to the session's vault
/// under `prefix`, records the import and saves; entries already there
/// are not added again. Auditors add nothing.
///
/// Every import is recorded, even one that adds nothing: a file whose
/// rows all equal entries already in the vault tells its importer that
/// those passwords are right, so it is not done silently. One `import`
/// record says how many rows were read, added and already present. A
/// member who is not an owner also writes an `add` record for each entry
/// the import added and an `import` record naming each entry a row
/// matched: both put the entry on that member's handover checklist, as
/// `baton add` and a reveal would.
pub fn import_into(
    ctx: &Context,
    s: &mut Session,
    imported: Imported,
    prefix: Option<&str>,
    format: ImportFormat,
    file: &Path,
) -> Result<Report> {
    super::refuse_auditor(&s.vault)?;
    let name = format.name();
    let now = os::now();
    let per_entry = !s.vault.is_owner();
    let file_name = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let applied = apply(&mut s.vault, imported, prefix, name, &mut os::rng())?;
    let report = applied.report;
    if per_entry {
        for (r, action) in applied
            .added
            .iter()
            .map(|r| (*r, Action::Add))
            .chain(applied.matched.iter().map(|r| (*r, Action::Import)))
        {
            let mut draft = super::edit::entry_draft(&s.vault, r, action, None, now);
            if let Some(d) = draft.details.as_mut() {
                d.note = Some(
                    match action {
                        Action::Add => format!("added by an import of {file_name}"),
                        _ => format!("a row of {file_name} equals this entry; not added again"),
                    }
                    .chars()
                    .take(200)
                    .collect(),
                );
            }
            s.vault.note(draft);
        }
    }
    let rows = |n: usize| {
        if n == 1 {
            "1 row".to_owned()
        } else {
            format!("{n} rows")
        }
    };
    let note = format!(
        "{name} file {file_name}: {} read: {} added, {} already in the vault, {} skipped",
        rows(report.read),
        report.added,
        report.already_present,
        report.skipped.len()
    );
    s.vault.note(Draft {
        details: Some(Details {
            title: None,
            group: None,
            note: Some(note.chars().take(200).collect()),
        }),
        ..Draft::new(now, Action::Import)
    });
    s.save(ctx)?;
    Ok(report)
}

/// Writes every entry the owner can read, in plaintext, to `out`, a new
/// file of mode 0600 ([`store::create_output`]: never an existing file,
/// never through a link, never the vault's files). Fail-closed: every
/// exported entry is recorded (one save, durable) before a byte of
/// plaintext is written. Owners only. Returns how many entries were
/// written.
pub fn export_to(
    ctx: &Context,
    s: &mut Session,
    format: ExportFormat,
    out: &Path,
) -> Result<usize> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can export"));
    }
    check_out_path(ctx, out)?;
    let count = s.vault.entry_count();
    record_export(ctx, s)?;
    let text = match format {
        ExportFormat::Json => crate::export::to_json(&s.vault),
        ExportFormat::Csv => crate::export::to_csv(&s.vault),
    };
    let mut f = store::create_output(out, ctx.protected())?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::failed(format!("cannot write {}: {e}", out.display())))?;
    Ok(count)
}

/// What one import did, as `--json` prints it.
#[derive(Serialize, Default)]
pub struct Report {
    pub format: &'static str,
    /// Rows (entries, items) the file held, skipped ones included.
    pub read: usize,
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

/// What [`apply`] did: the report, and which entries it added and which
/// existing entries a row of the file matched.
pub struct Applied {
    pub report: Report,
    pub added: Vec<EntryRef>,
    pub matched: Vec<EntryRef>,
}

/// Adds `imported` to the vault (not saved): each entry with a fresh id,
/// unless the same entry is already in its group. Returns the report and
/// the entries added and matched.
pub fn apply(
    v: &mut Vault,
    imported: Imported,
    prefix: Option<&str>,
    format: &'static str,
    rng: &mut impl rand::CryptoRng,
) -> Result<Applied> {
    // Each entry already here by its identity; `None` for one this import
    // added, whose record says so already.
    let mut seen: HashMap<[u8; 32], Option<EntryRef>> = v
        .entries()
        .map(|(r, _, e)| (identity_of(v.group_name(r), e), Some(r)))
        .collect();
    let mut report = Report {
        format,
        read: imported.items.len() + imported.skipped.len(),
        skipped: imported.skipped.into_iter().map(Into::into).collect(),
        warnings: imported.warnings,
        ..Report::default()
    };
    let (mut added, mut matched) = (Vec::new(), Vec::new());
    // Entries whose names or labels hold a direction control or an
    // invisible character: kept as the file has them (they are shown
    // escaped), and counted in a warning.
    let mut hidden = 0;
    let mut groups: HashSet<String> = HashSet::new();
    for item in imported.items {
        let group = crate::vault::normalize_group(&target_group(prefix, &item.group))?;
        let mut entry = item.entry;
        if let Err(e) = crate::vault::validate_title(&entry.title) {
            report.skipped.push(SkippedView {
                what: crate::text::clean(&entry.title).chars().take(80).collect(),
                why: e.to_string(),
            });
            continue;
        }
        let key = identity_of(&group, &entry);
        if let Some(existing) = seen.get(&key) {
            report.already_present += 1;
            if let Some(r) = existing
                && !matched.contains(r)
            {
                matched.push(*r);
            }
            continue;
        }
        seen.insert(key, None);
        if [group.as_str(), &entry.title, &entry.username]
            .into_iter()
            .chain(entry.urls.iter().map(String::as_str))
            .chain(entry.tags.iter().map(String::as_str))
            .chain(entry.fields.iter().map(|f| f.name.as_str()))
            .any(|t| crate::text::hidden_char(t).is_some())
        {
            hidden += 1;
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
        added.push(v.add(&group, entry, rng)?);
        report.added += 1;
    }
    if hidden > 0 {
        report.warnings.push(format!(
            "{hidden} {} a title, username, URL, tag, group or field name holding characters that reorder or hide text (such as U+202E or U+200B): kept as in the file, shown escaped (\\u{{202e}}); edit them to remove those",
            if hidden == 1 { "entry has" } else { "entries have" }
        ));
    }
    report.groups = groups.len();
    Ok(Applied {
        report,
        added,
        matched,
    })
}

/// Refuses an export path before anything happens: an existing file or
/// link, the vault or one of its companion files, this machine's
/// high-water marks ([`store::check_output`]).
pub fn check_out_path(ctx: &Context, out: &Path) -> Result<()> {
    Ok(store::check_output(out, ctx.protected())?)
}

/// Records the export of every entry the member can read (one save,
/// durable), before anything is written.
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
