//! `baton health` and `baton settings`: what needs the owner's attention
//! (see [`crate::health`]), and the signed settings its rules read. Nothing
//! here reveals a secret, so nothing is logged as a reveal.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use serde::Serialize;

use super::args::SettingsArgs;
use super::output;
use super::unlock::{Result, open};
use super::{CliError, Exit};
use crate::audit::{Action, Details, Draft};
use crate::health::{self, Finding, Policy};
use crate::os;
use crate::session::Context;
use crate::vault::Vault;

/// One finding in `health --json`.
#[derive(Serialize)]
struct FindingView {
    entry_id: String,
    title: String,
    group: String,
    kind: &'static str,
    reason: String,
}

fn finding_view(v: &Vault, f: &Finding) -> FindingView {
    FindingView {
        entry_id: v.entry(f.entry).id.hex(),
        title: v.entry(f.entry).title.clone(),
        group: v.group_name(f.entry).to_owned(),
        kind: f.kind.as_str(),
        reason: f.reason.clone(),
    }
}

pub(super) fn run(ctx: &Context, json: bool) -> Result<()> {
    let mut s = open(ctx, false, "health")?;
    s.record_unlock(ctx);
    let v = &s.vault;
    let policy = Policy::of(v);
    let found = health::findings(v, &policy, os::now());
    let entries = {
        let mut refs: Vec<_> = found.iter().map(|f| f.entry).collect();
        refs.sort_by_key(|r| (r.group, r.index));
        refs.dedup();
        refs.len()
    };
    if json {
        let counts: serde_json::Map<String, serde_json::Value> = health::counts(&found)
            .into_iter()
            .map(|(k, n)| (k.as_str().to_owned(), n.into()))
            .collect();
        let views: Vec<FindingView> = found.iter().map(|f| finding_view(v, f)).collect();
        println!(
            "{}",
            output::json(&serde_json::json!({
                "findings": views,
                "counts": counts,
                "entries_with_findings": entries,
                "entries_checked": v.entry_count(),
                "firm_domain": policy.firm_domain,
            }))
        );
    } else if found.is_empty() {
        println!(
            "Nothing needs attention in the {} entries you can read.",
            v.entry_count()
        );
    } else {
        for (kind, n) in health::counts(&found) {
            println!("{} ({n})", kind.heading());
            for f in found.iter().filter(|f| f.kind == kind) {
                let e = v.entry(f.entry);
                println!(
                    "  {}  {} ({}) — {}",
                    &e.id.hex()[..8],
                    output::clean(&e.title),
                    output::clean(v.group_name(f.entry)),
                    output::clean(&f.reason)
                );
            }
        }
        println!(
            "{} finding(s) in {entries} of {} entries.",
            found.len(),
            v.entry_count()
        );
        if policy.firm_domain.is_none() && v.is_owner() {
            println!(
                "No firm domain is set, so accounts registered outside the firm are not checked: baton settings --firm-domain DOMAIN"
            );
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        // The findings are the report; exit 1 says there were some.
        Err(CliError::new(Exit::Other, ""))
    }
}

#[derive(Serialize)]
struct SettingsView {
    firm_domain: Option<String>,
    critical_groups: Vec<String>,
    critical_rotate_days: u32,
}

fn settings_view(v: &Vault) -> SettingsView {
    let m = v.manifest();
    let mut critical: Vec<String> = m
        .critical_groups
        .iter()
        .map(|id| {
            v.groups()
                .iter()
                .find(|g| g.id == *id)
                .map_or_else(|| format!("group #{id}"), |g| g.name.clone())
        })
        .collect();
    critical.sort();
    SettingsView {
        firm_domain: m.firm_domain.clone(),
        critical_groups: critical,
        critical_rotate_days: m.critical_rotate_days,
    }
}

pub(super) fn settings(ctx: &Context, a: SettingsArgs) -> Result<()> {
    let changing = a.firm_domain.is_some()
        || a.no_firm_domain
        || !a.critical_groups.is_empty()
        || !a.not_critical.is_empty()
        || a.rotate_days.is_some();
    if let Some(d) = &a.firm_domain {
        crate::session::create::check_domain(d)?;
    }
    let mut s = open(ctx, changing, "settings")?;
    if changing {
        if !s.vault.is_owner() {
            return Err(CliError::new(
                Exit::Denied,
                "only an owner can change the settings",
            ));
        }
        let v = &mut s.vault;
        let mut changes = Vec::new();
        if a.no_firm_domain {
            v.set_firm_domain(None)?;
            changes.push("firm domain cleared".to_owned());
        } else if let Some(d) = &a.firm_domain {
            v.set_firm_domain(Some(d.clone()))?;
            changes.push(format!("firm domain {d}"));
        }
        for g in &a.critical_groups {
            v.set_critical(g, true)?;
            changes.push(format!("{g} critical"));
        }
        for g in &a.not_critical {
            v.set_critical(g, false)?;
            changes.push(format!("{g} not critical"));
        }
        if let Some(n) = a.rotate_days {
            v.set_critical_rotate_days(n)?;
            changes.push(format!("critical groups rotate every {n} days"));
        }
        let note: String = changes.join("; ").chars().take(200).collect();
        s.vault.note(Draft {
            details: Some(Details {
                title: None,
                group: None,
                note: Some(note),
            }),
            ..Draft::new(os::now(), Action::SettingsChange)
        });
        s.save(ctx)?;
    } else {
        s.record_unlock(ctx);
    }
    let view = settings_view(&s.vault);
    if a.json {
        println!("{}", output::json(&view));
        return Ok(());
    }
    println!(
        "Firm domain:       {}",
        view.firm_domain
            .as_deref()
            .map_or("(none)".into(), output::clean)
    );
    let critical: Vec<String> = view
        .critical_groups
        .iter()
        .map(|g| output::clean(g).into_owned())
        .collect();
    println!(
        "Critical groups:   {}",
        if critical.is_empty() {
            "(none)".to_owned()
        } else {
            critical.join(", ")
        }
    );
    println!(
        "Rotate critical:   every {} days (entries may set their own with --rotate-days)",
        view.critical_rotate_days
    );
    Ok(())
}
