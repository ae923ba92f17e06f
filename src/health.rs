//! What needs the owner's attention: findings about the entries a member
//! can read, computed from stored facts only — the strength score written
//! with each password (so no estimator runs here), dates, the firm's
//! domain and the signed manifest's rotation settings. Pure: no IO, and no
//! secret leaves it (reused passwords are compared in memory; a finding
//! names entries, never values).

use std::collections::HashMap;

use serde::Serialize;

use crate::format::GroupId;
use crate::vault::{Entry, EntryRef, Vault};

/// Scores below this (zxcvbn 0–4) are weak.
pub const STRONG_ENOUGH: u8 = 3;
/// Expiry this close counts as "expiring".
pub const EXPIRING_DAYS: i64 = 14;
/// Fewer unused backup codes than this is "few".
pub const FEW_CODES: usize = 3;
/// A password unchanged for longer than this was "never rotated in a year".
pub const YEAR_DAYS: i64 = 365;
const DAY: i64 = 86_400;

/// A kind of finding, in the order they are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Weak,
    Reused,
    DueForRotation,
    Expired,
    Expiring,
    OutsideFirm,
    FewBackupCodes,
    NeverRotated,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Weak,
        Kind::Reused,
        Kind::DueForRotation,
        Kind::Expired,
        Kind::Expiring,
        Kind::OutsideFirm,
        Kind::FewBackupCodes,
        Kind::NeverRotated,
    ];

    /// The name `--json` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Weak => "weak",
            Kind::Reused => "reused",
            Kind::DueForRotation => "due-for-rotation",
            Kind::Expired => "expired",
            Kind::Expiring => "expiring",
            Kind::OutsideFirm => "outside-firm",
            Kind::FewBackupCodes => "few-backup-codes",
            Kind::NeverRotated => "never-rotated",
        }
    }

    /// A heading for people.
    pub fn heading(self) -> &'static str {
        match self {
            Kind::Weak => "Weak passwords",
            Kind::Reused => "Reused passwords",
            Kind::DueForRotation => "Due for rotation",
            Kind::Expired => "Expired",
            Kind::Expiring => "Expiring within 14 days",
            Kind::OutsideFirm => "Registered outside the firm",
            Kind::FewBackupCodes => "Few backup codes left",
            Kind::NeverRotated => "Not rotated in a year",
        }
    }
}

/// One finding about one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub entry: EntryRef,
    pub kind: Kind,
    /// A short reason, without any secret.
    pub reason: String,
}

/// The rules' inputs from the signed manifest.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub firm_domain: Option<String>,
    pub critical_groups: Vec<GroupId>,
    pub critical_rotate_days: u32,
}

impl Policy {
    pub fn of(v: &Vault) -> Self {
        let m = v.manifest();
        Policy {
            firm_domain: m.firm_domain.clone(),
            critical_groups: m.critical_groups.clone(),
            critical_rotate_days: m.critical_rotate_days,
        }
    }

    /// The rotation period of `e` in group `group`: its own, else the
    /// critical groups' default.
    pub fn rotate_days(&self, e: &Entry, group: GroupId) -> Option<u32> {
        e.rotate_days.or_else(|| {
            self.critical_groups
                .contains(&group)
                .then_some(self.critical_rotate_days)
        })
    }
}

/// The e-mail an account is registered under: its identity, else a
/// username that is an e-mail address.
pub fn account_email(e: &Entry) -> Option<&str> {
    e.identity
        .as_deref()
        .or_else(|| e.username.contains('@').then_some(e.username.as_str()))
}

/// Whether `email`'s domain is `domain` or one of its subdomains (case
/// does not matter).
pub fn in_domain(email: &str, domain: &str) -> bool {
    let Some((_, d)) = email.trim().rsplit_once('@') else {
        return false;
    };
    let d = d.to_ascii_lowercase();
    let firm = domain.trim().trim_start_matches('@').to_ascii_lowercase();
    d == firm || d.ends_with(&format!(".{firm}"))
}

fn date(t: i64) -> String {
    crate::dates::format_date(t)
}

/// Every finding about the live entries `v` lets this member read, by
/// kind, then group and title.
pub fn findings(v: &Vault, policy: &Policy, now: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    // Reused: group live entries by password value, in memory only.
    let mut by_password: HashMap<&str, Vec<EntryRef>> = HashMap::new();
    for (r, _, e) in v.entries() {
        if !e.password.is_empty() {
            by_password.entry(e.password.expose()).or_default().push(r);
        }
    }
    for refs in by_password.values().filter(|refs| refs.len() > 1) {
        for r in refs {
            let others: Vec<&str> = refs
                .iter()
                .filter(|o| *o != r)
                .map(|o| v.entry(*o).title.as_str())
                .collect();
            let shown: Vec<&str> = others.iter().copied().take(3).collect();
            let more = others.len().saturating_sub(shown.len());
            let mut reason = format!("same password as {}", shown.join(", "));
            if more > 0 {
                reason.push_str(&format!(" and {more} more"));
            }
            out.push(Finding {
                entry: *r,
                kind: Kind::Reused,
                reason,
            });
        }
    }
    drop(by_password);
    for (r, g, e) in v.entries() {
        let has_password = !e.password.is_empty();
        if let Some(s) = e.strength.filter(|s| has_password && *s < STRONG_ENOUGH) {
            out.push(Finding {
                entry: r,
                kind: Kind::Weak,
                reason: format!("strength {s} of 4: easy to guess"),
            });
        }
        let age_days = (now - e.password_changed_at).div_euclid(DAY);
        if has_password
            && let Some(period) = policy.rotate_days(e, g.id)
            && age_days > i64::from(period)
        {
            out.push(Finding {
                entry: r,
                kind: Kind::DueForRotation,
                reason: format!("password {age_days} days old; rotate every {period} days"),
            });
        }
        if has_password && age_days > YEAR_DAYS {
            out.push(Finding {
                entry: r,
                kind: Kind::NeverRotated,
                reason: format!("password unchanged since {}", date(e.password_changed_at)),
            });
        }
        if let Some(at) = e.expires_at {
            if at <= now {
                out.push(Finding {
                    entry: r,
                    kind: Kind::Expired,
                    reason: format!("expired on {}", date(at)),
                });
            } else if at - now <= EXPIRING_DAYS * DAY {
                let days = (at - now).div_euclid(DAY);
                out.push(Finding {
                    entry: r,
                    kind: Kind::Expiring,
                    reason: format!("expires on {} (in {days} days)", date(at)),
                });
            }
        }
        if let (Some(firm), Some(email)) = (policy.firm_domain.as_deref(), account_email(e))
            && !in_domain(email, firm)
        {
            out.push(Finding {
                entry: r,
                kind: Kind::OutsideFirm,
                reason: format!("registered to {email}, not an address at {firm}"),
            });
        }
        let unused = e.unused_codes().count();
        if !e.backup_codes.is_empty() && unused < FEW_CODES {
            out.push(Finding {
                entry: r,
                kind: Kind::FewBackupCodes,
                reason: format!(
                    "{unused} unused backup code{} left of {}",
                    if unused == 1 { "" } else { "s" },
                    e.backup_codes.len()
                ),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.kind, v.group_name(a.entry), &v.entry(a.entry).title).cmp(&(
            b.kind,
            v.group_name(b.entry),
            &v.entry(b.entry).title,
        ))
    });
    out
}

/// How many findings of each kind, in [`Kind::ALL`] order, leaving out
/// kinds with none.
pub fn counts(findings: &[Finding]) -> Vec<(Kind, usize)> {
    Kind::ALL
        .iter()
        .map(|k| (*k, findings.iter().filter(|f| f.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firm_addresses_include_subdomains_and_ignore_case() {
        assert!(in_domain("it@Acme.Example", "acme.example"));
        assert!(in_domain("it@mail.acme.example", "acme.example"));
        assert!(!in_domain("it@notacme.example", "acme.example"));
        assert!(!in_domain("jordan@gmail.com", "acme.example"));
        assert!(!in_domain("no-at-sign", "acme.example"));
    }
}
