//! `baton import` and `baton export`: migration in and out. The parsers
//! (`crate::import`) and the export writers (`crate::export`) are pure;
//! here the file is read, the entries are added to the vault (skipping
//! ones already there), the access log records it, and a report says what
//! came in and what did not.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::io::Write;
use std::path::Path;

use super::args::{ExportFormat, ImportFormat};
use super::output;
use super::unlock::{Result, open};
use super::{CliError, Exit};
use crate::audit::{Action, Details, Draft};
use crate::import::{ImportError, Imported};
use crate::os;
use crate::session::Context;
use crate::session::context::env_passphrase;
use crate::session::transfer::{self, Report};

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::WrongPassphrase => CliError::new(Exit::Unlock, e.to_string()),
            ImportError::Malformed(_) => CliError::other(e.to_string()),
            ImportError::Usage(_) => CliError::usage(e.to_string()),
        }
    }
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
    let report = transfer::apply(&mut s.vault, imported, group, name, &mut os::rng())?;
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

pub(super) fn export(ctx: &Context, format: ExportFormat, out: &Path) -> Result<()> {
    transfer::check_out_path(ctx, out)?;
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
    transfer::record_export(ctx, &mut s)?;
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
