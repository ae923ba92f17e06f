//! The names sync engines give the conflict copies they leave beside a
//! file, so that Baton can merge them into the vault (docs/USER_GUIDE.md,
//! "Sharing the vault"). Pure: names in, a verdict out. Only exact
//! patterns match; a name merely similar to the vault's is not a copy.
//!
//! For a vault `NAME.baton`:
//!
//! | engine | conflict copy |
//! |---|---|
//! | Syncthing | `NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.baton` (also nested) |
//! | Dropbox | `NAME (Someone's conflicted copy YYYY-MM-DD).baton`, optionally ` (N)` before the `)` |
//! | Nextcloud, ownCloud | `NAME (conflicted copy YYYY-MM-DD HHMMSS).baton`, `NAME_conflict-YYYYMMDD-HHMMSS.baton` |
//! | OneDrive | `NAME-MACHINE.baton` or `NAME-MACHINE-N.baton`, only for this machine's name |

/// Which sync engine left a conflict copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Syncthing,
    Dropbox,
    Nextcloud,
    OneDrive,
}

impl Engine {
    pub fn as_str(&self) -> &'static str {
        match self {
            Engine::Syncthing => "Syncthing",
            Engine::Dropbox => "Dropbox",
            Engine::Nextcloud => "Nextcloud/ownCloud",
            Engine::OneDrive => "OneDrive",
        }
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(&s[..4], 4)
        && digits(&s[5..7], 2)
        && digits(&s[8..], 2)
}

/// `.sync-conflict-YYYYMMDD-HHMMSS-DEVICE`, one or more times.
fn syncthing(mut rest: &str) -> bool {
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let Some(r) = rest.strip_prefix(".sync-conflict-") else {
            return false;
        };
        let (date, r) = r.split_at_checked(8).unwrap_or(("", ""));
        let Some(r) = r.strip_prefix('-').filter(|_| digits(date, 8)) else {
            return false;
        };
        let (time, r) = r.split_at_checked(6).unwrap_or(("", ""));
        let Some(r) = r.strip_prefix('-').filter(|_| digits(time, 6)) else {
            return false;
        };
        let end = r.find('.').unwrap_or(r.len());
        let device = &r[..end];
        if device.is_empty()
            || !device
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return false;
        }
        rest = &r[end..];
    }
    true
}

/// ` (…conflicted copy…)`: Dropbox names the machine or person, Nextcloud
/// adds a time; both carry a date.
fn bracketed(rest: &str) -> Option<Engine> {
    let inner = rest.strip_prefix(" (")?.strip_suffix(')')?;
    // A trailing " (N)" that Dropbox adds to a second copy of one day.
    let inner = match inner.rsplit_once(" (") {
        Some((head, n))
            if n.ends_with(')') && digits(&n[..n.len() - 1], n.len() - 1) && n.len() > 1 =>
        {
            head
        }
        _ => inner,
    };
    let (who, after) = inner.split_once("conflicted copy")?;
    let words: Vec<&str> = after.split_whitespace().collect();
    let date_at = words.iter().position(|w| is_date(w))?;
    let tail_ok = match &words[date_at + 1..] {
        [] => true,
        [t] => digits(t, 6),
        _ => false,
    };
    if !tail_ok {
        return None;
    }
    if who.is_empty() {
        Some(Engine::Nextcloud)
    } else if who.ends_with("'s ") || who.ends_with("\u{2019}s ") {
        Some(Engine::Dropbox)
    } else {
        None
    }
}

/// `_conflict-YYYYMMDD-HHMMSS` (ownCloud).
fn owncloud(rest: &str) -> bool {
    rest.strip_prefix("_conflict-")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(d, t)| digits(d, 8) && digits(t, 6))
}

/// `-MACHINE` or `-MACHINE-N` for this machine's name.
fn onedrive(rest: &str, host: &str) -> bool {
    if host.is_empty() {
        return false;
    }
    let Some(r) = rest.strip_prefix('-') else {
        return false;
    };
    let r = match r.rsplit_once('-') {
        Some((h, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => r,
    };
    r.eq_ignore_ascii_case(host)
}

/// Whether `candidate` is a conflict copy of the vault file `vault` (both
/// file names, without directories), and which engine left it. `host` is
/// this machine's name (OneDrive copies are recognised only for it).
pub fn conflict_copy(vault: &str, candidate: &str, host: &str) -> Option<Engine> {
    if candidate == vault {
        return None;
    }
    let (stem, ext) = match vault.rfind('.') {
        Some(i) if i > 0 => (&vault[..i], &vault[i..]),
        _ => (vault, ""),
    };
    let middle = candidate.strip_prefix(stem)?.strip_suffix(ext)?;
    if syncthing(middle) {
        return Some(Engine::Syncthing);
    }
    if let Some(e) = bracketed(middle) {
        return Some(e);
    }
    if owncloud(middle) {
        return Some(Engine::Nextcloud);
    }
    onedrive(middle, host).then_some(Engine::OneDrive)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "vault.baton";

    #[test]
    fn names_each_engine_gives_match() {
        let cases = [
            (
                "vault.sync-conflict-20261207-101112-ABCDEF7.baton",
                Engine::Syncthing,
            ),
            (
                "vault.sync-conflict-20261207-101112-ABCDEF7.sync-conflict-20261208-090000-QWERTY1.baton",
                Engine::Syncthing,
            ),
            (
                "vault (Sam's conflicted copy 2026-12-07).baton",
                Engine::Dropbox,
            ),
            (
                "vault (Sam\u{2019}s conflicted copy 2026-12-07).baton",
                Engine::Dropbox,
            ),
            (
                "vault (DESKTOP-1's conflicted copy 2026-12-07 (1)).baton",
                Engine::Dropbox,
            ),
            (
                "vault (conflicted copy 2026-12-07 101112).baton",
                Engine::Nextcloud,
            ),
            (
                "vault (conflicted copy 2026-12-07).baton",
                Engine::Nextcloud,
            ),
            ("vault_conflict-20261207-101112.baton", Engine::Nextcloud),
            ("vault-laptop.baton", Engine::OneDrive),
            ("vault-LAPTOP-2.baton", Engine::OneDrive),
        ];
        for (name, engine) in cases {
            assert_eq!(conflict_copy(V, name, "laptop"), Some(engine), "{name}");
        }
    }

    #[test]
    fn names_that_only_look_alike_do_not_match() {
        for name in [
            "vault.baton",
            "vault.baton.bak1",
            "vault.baton.lock",
            "vault.baton.tmp.123",
            "vault-desktop.baton",
            "vault-laptop.txt",
            "other.sync-conflict-20261207-101112-ABCDEF7.baton",
            "vault.sync-conflict-2026127-101112-ABCDEF7.baton",
            "vault.sync-conflict-20261207-101112-abcdef7.baton",
            "vault.sync-conflict-20261207-101112-.baton",
            "vault (copy 2026-12-07).baton",
            "vault (Sam's conflicted copy).baton",
            "vault (Sam's conflicted copy 2026-12-07 extra words).baton",
            "vault (conflicted copy 2026-12-07 1011).baton",
            "vault_conflict-20261207.baton",
            "vault2.baton",
            "my vault.baton",
        ] {
            assert_eq!(conflict_copy(V, name, "laptop"), None, "{name}");
        }
        assert_eq!(conflict_copy(V, "vault-laptop.baton", ""), None);
    }

    #[test]
    fn a_vault_without_an_extension_has_copies_too() {
        assert_eq!(
            conflict_copy("vault", "vault.sync-conflict-20261207-101112-ABCDEF7", "h"),
            Some(Engine::Syncthing)
        );
    }
}
