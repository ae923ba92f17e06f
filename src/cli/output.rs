//! What the command line prints: the stable `--json` shapes (documented in
//! docs/USER_GUIDE.md) and their plain-text forms. Concealed values never
//! appear here; reveals print their single value in `run`.

use serde::Serialize;

use super::CliError;
use crate::dates;
use crate::vault::{Entry, Vault};

/// One entry in `list` and `search`.
#[derive(Serialize)]
pub struct EntrySummary<'a> {
    pub id: String,
    pub title: &'a str,
    pub group: &'a str,
    pub username: &'a str,
    pub urls: &'a [String],
    pub tags: &'a [String],
    pub identity: Option<&'a str>,
    pub has_password: bool,
    pub has_totp: bool,
    pub backup_codes_unused: usize,
    pub modified_at: String,
}

impl<'a> EntrySummary<'a> {
    pub fn new(group: &'a str, e: &'a Entry) -> Self {
        EntrySummary {
            id: e.id.hex(),
            title: &e.title,
            group,
            username: &e.username,
            urls: &e.urls,
            tags: &e.tags,
            identity: e.identity.as_deref(),
            has_password: !e.password.is_empty(),
            has_totp: e.totp.is_some(),
            backup_codes_unused: e.unused_codes().count(),
            modified_at: dates::format_rfc3339(e.modified_at),
        }
    }
}

#[derive(Serialize)]
pub struct FieldView<'a> {
    pub name: &'a str,
    pub concealed: bool,
    /// `null` when concealed.
    pub value: Option<&'a str>,
}

#[derive(Serialize)]
pub struct TotpView<'a> {
    pub algorithm: &'static str,
    pub digits: u8,
    pub period: u32,
    pub issuer: Option<&'a str>,
    pub account: Option<&'a str>,
}

#[derive(Serialize)]
pub struct CodesView {
    pub total: usize,
    pub unused: usize,
}

/// `totp --json`: borrowed, so no unwiped copy of the code is made.
#[derive(Serialize)]
pub struct TotpCode<'a> {
    pub code: &'a str,
    pub seconds_left: u32,
}

/// One code in `codes --json`.
#[derive(Serialize)]
pub struct Code<'a> {
    pub number: usize,
    pub code: &'a str,
}

/// `codes --json`.
#[derive(Serialize)]
pub struct Codes<'a> {
    pub unused: Vec<Code<'a>>,
    pub used: usize,
}

/// `show --json`: an entry with every concealed value left out.
#[derive(Serialize)]
pub struct EntryDetail<'a> {
    #[serde(flatten)]
    pub summary: EntrySummary<'a>,
    pub password_set: bool,
    pub notes_set: bool,
    pub fields: Vec<FieldView<'a>>,
    pub totp: Option<TotpView<'a>>,
    pub backup_codes: CodesView,
    pub rotate_days: Option<u32>,
    pub expires_at: Option<String>,
    pub created_at: String,
    pub created_by: &'a str,
    pub modified_by: &'a str,
    pub password_changed_at: String,
    pub password_history: usize,
}

impl<'a> EntryDetail<'a> {
    pub fn new(vault: &'a Vault, group: &'a str, e: &'a Entry) -> Self {
        EntryDetail {
            summary: EntrySummary::new(group, e),
            password_set: !e.password.is_empty(),
            notes_set: !e.notes.is_empty(),
            fields: e
                .fields
                .iter()
                .map(|f| FieldView {
                    name: &f.name,
                    concealed: f.concealed,
                    value: (!f.concealed).then(|| f.value.expose()),
                })
                .collect(),
            totp: e.totp.as_ref().map(|t| TotpView {
                algorithm: t.algorithm.uri_name(),
                digits: t.digits,
                period: t.period,
                issuer: t.issuer.as_deref(),
                account: t.account.as_deref(),
            }),
            backup_codes: CodesView {
                total: e.backup_codes.len(),
                unused: e.unused_codes().count(),
            },
            rotate_days: e.rotate_days,
            expires_at: e.expires_at.map(dates::format_date),
            created_at: dates::format_rfc3339(e.created_at),
            created_by: vault.member_name(e.created_by),
            modified_by: vault.member_name(e.modified_by),
            password_changed_at: dates::format_rfc3339(e.password_changed_at),
            password_history: e.history.len(),
        }
    }
}

/// Text safe to print on a terminal: control characters (which could move
/// the cursor, rewrite earlier lines or set the clipboard through escape
/// sequences) are shown as `\u{..}` escapes. Vault contents can come from
/// other members and imported files, so every listed value goes through here.
pub use crate::text::clean;

pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("JSON output of plain data cannot fail")
}

/// `s` padded or cut to `width` terminal columns: wide characters (CJK,
/// most emoji) take two, so counting characters would misalign the table.
fn clip(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let s = clean(s);
    let cols = |c: char| c.width().unwrap_or(0);
    let total: usize = s.chars().map(cols).sum();
    let mut out = String::with_capacity(s.len() + width);
    let mut used = 0;
    if total <= width {
        out.push_str(&s);
        used = total;
    } else {
        for c in s.chars() {
            if used + cols(c) > width.saturating_sub(1) {
                break;
            }
            used += cols(c);
            out.push(c);
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// The plain-text table of `list` and `search`.
pub fn table(rows: &[EntrySummary<'_>]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        return out;
    }
    out.push_str(&format!(
        "{:<16}  {:<28}  {:<18}  {}\n",
        "ID", "TITLE", "GROUP", "USERNAME"
    ));
    for r in rows {
        out.push_str(&format!(
            "{}  {}  {}  {}\n",
            r.id,
            clip(r.title, 28),
            clip(r.group, 18),
            clean(r.username)
        ));
    }
    out
}

/// The plain-text form of `show`.
pub fn detail_text(d: &EntryDetail<'_>) -> String {
    let s = &d.summary;
    let mut out = String::new();
    let mut line = |k: &str, v: &str| {
        if !v.is_empty() {
            out.push_str(&format!("{:<18}{}\n", clean(k), clean(v)));
        }
    };
    line("Title", s.title);
    line("Id", &s.id);
    line("Group", s.group);
    line("Username", s.username);
    line(
        "Password",
        if d.password_set {
            "•••••••• (baton get to reveal)"
        } else {
            ""
        },
    );
    for u in s.urls {
        line("URL", u);
    }
    line("Identity", s.identity.unwrap_or(""));
    line("Tags", &s.tags.join(", "));
    line(
        "Notes",
        if d.notes_set {
            "•••••••• (baton get --field notes)"
        } else {
            ""
        },
    );
    for f in &d.fields {
        let v = f.value.map_or_else(|| "••••••••".to_owned(), str::to_owned);
        line(f.name, &v);
    }
    if let Some(t) = &d.totp {
        line(
            "TOTP",
            &format!(
                "{} digits every {} s, {} (baton totp to show the code)",
                t.digits, t.period, t.algorithm
            ),
        );
    }
    if d.backup_codes.total > 0 {
        line(
            "Backup codes",
            &format!(
                "{} of {} unused (baton codes to reveal)",
                d.backup_codes.unused, d.backup_codes.total
            ),
        );
    }
    if let Some(n) = d.rotate_days {
        line("Rotate every", &format!("{n} days"));
    }
    line("Expires", d.expires_at.as_deref().unwrap_or(""));
    line("Created", &format!("{} by {}", d.created_at, d.created_by));
    line(
        "Modified",
        &format!("{} by {}", s.modified_at, d.modified_by),
    );
    line("Password changed", &d.password_changed_at);
    if d.password_history > 0 {
        line("Old passwords", &d.password_history.to_string());
    }
    out
}

/// `text` as a QR code drawn with half-block characters (two rows of
/// modules per line), dark modules on a light quiet zone, for scanning
/// from a terminal.
pub fn qr_code(text: &str) -> super::unlock::Result<zeroize::Zeroizing<String>> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| CliError::other(format!("cannot draw a QR code: {e}")))?;
    let drawn = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    let mut out = zeroize::Zeroizing::new(drawn);
    out.push('\n');
    Ok(out)
}

/// `n` with `one` or `many`: "1 record", "3 records".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A path as a shell word: quoted when it holds anything but letters,
/// digits and `/._-`, so that a printed command can be pasted as it is.
pub fn shell_word(path: &std::path::Path) -> String {
    let s = path.display().to_string();
    let s = s.strip_prefix("./").unwrap_or(&s).to_owned();
    if !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':' | '@')
        })
    {
        return clean(&s).into_owned();
    }
    format!("'{}'", clean(&s).replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn table_columns_line_up_with_wide_characters() {
        for title in [
            "秘密",
            "🚗🐎🔋📎",
            "Ακρόπολη",
            "plain",
            "長い長い長い長い長い長い長い長い長い長い",
        ] {
            let cell = clip(title, 28);
            assert_eq!(cell.width(), 28, "{title:?} → {cell:?}");
        }
        let cut = clip("長い長い長い長い長い長い長い長い長い長い", 28);
        assert!(cut.trim_end().ends_with('…'), "{cut:?}");
        assert!(cut.starts_with("長い長い"), "{cut:?}");
        // A wide character that would straddle the last column is left
        // out, and the cell padded to the width.
        assert_eq!(clip("ab秘密", 4), "ab… ");
    }
}
