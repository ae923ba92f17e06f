//! `baton import` and `baton export`: the command line's side of
//! migration in and out — the flags, the file's passphrase, the
//! confirmation before plaintext is written, and the report. Reading,
//! adding, recording and writing are the application layer's
//! (`session::transfer`).

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::path::Path;

use super::args::{ExportFormat, ImportFormat};
use super::output;
use super::unlock::{Result, open};
use super::{CliError, Exit};
use crate::os;
use crate::session::Context;
use crate::session::context::env_passphrase;
use crate::session::transfer::{self, Report};

fn import_format(f: ImportFormat) -> transfer::ImportFormat {
    match f {
        ImportFormat::Kdbx => transfer::ImportFormat::Kdbx,
        ImportFormat::KeepassxcCsv => transfer::ImportFormat::KeepassxcCsv,
        ImportFormat::BitwardenJson => transfer::ImportFormat::BitwardenJson,
        ImportFormat::BatonJson => transfer::ImportFormat::BatonJson,
        ImportFormat::Csv => transfer::ImportFormat::Csv,
    }
}

pub(super) fn import(
    ctx: &Context,
    file: &Path,
    format: ImportFormat,
    group: Option<&str>,
    map: &[String],
    json: bool,
) -> Result<()> {
    let format = import_format(format);
    // The groups the import creates under `--group`: a name a member
    // types, refused like `add --group`'s.
    if let Some(why) = group.and_then(crate::text::refuse_hidden) {
        return Err(CliError::usage(format!("--group: {why}")));
    }
    // The file first: a missing one is said before anything is asked.
    let bytes = transfer::read_import(file)?;
    let pairs: Vec<(String, String)> = map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(c, f)| (c.trim().to_owned(), f.trim().to_owned()))
                .ok_or_else(|| CliError::usage(format!("--map {m:?}: write it as COLUMN=FIELD")))
        })
        .collect::<Result<_>>()?;
    // Before a KeePass file's passphrase is asked.
    transfer::check_map(format, &pairs)?;
    let passphrase = if format == transfer::ImportFormat::Kdbx {
        Some(match env_passphrase("BATON_IMPORT_PASSPHRASE") {
            Some(p) => p,
            None => os::prompt_passphrase(&format!("Passphrase of {}: ", file.display()))
                .map_err(|e| CliError::other(e.to_string()))?,
        })
    } else {
        None
    };
    // The file is read and parsed before the vault is opened: a bad file
    // or a wrong passphrase changes nothing.
    let imported = transfer::parse_import(&bytes, file, format, &pairs, passphrase.as_ref())?;
    drop(passphrase);
    drop(bytes);
    let mut s = open(ctx, true, "import")?;
    let report = transfer::import_into(ctx, &mut s, imported, group, format, file)?;
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
    let format = match format {
        ExportFormat::Json => transfer::ExportFormat::Json,
        ExportFormat::Csv => transfer::ExportFormat::Csv,
    };
    let count = transfer::export_to(ctx, &mut s, format, out)?;
    println!(
        "Exported {count} entries to {} (mode 0600). It holds every password in plaintext: import it, then delete it.",
        out.display()
    );
    Ok(())
}
