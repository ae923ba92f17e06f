//! Reads baton-json, the format [`crate::export::to_json`] writes (its
//! shape is documented there), back into entries: every field Baton
//! stores comes back as it was, except the entry id (each import gets a
//! fresh one) and member ids, which mean nothing outside the vault they
//! came from (imported entries are stamped with member 0, "from a file").
//!
//! Strict: the `format` must be `baton-json` and the `version` one this
//! Baton reads; unknown keys, wrong types, bad timestamps and bad TOTP
//! URIs make the whole file [`ImportError::Malformed`], so that a damaged
//! export is noticed rather than half imported. Error messages name the
//! entry (by position and title) and the key, never a value.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{ImportError, Imported, Item};
use crate::export::{JSON_FORMAT, JSON_VERSION};
use crate::secret::Concealed;
use crate::totp::Totp;
use crate::vault::{BackupCode, CustomField, Entry, EntryId, HistoryItem};

/// Who created and changed an imported entry: no member of this vault.
const FROM_FILE: crate::format::MemberId = 0;

/// Enough of the file to know what it claims to be.
#[derive(Deserialize)]
struct Head {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    #[serde(rename = "format")]
    _format: String,
    #[serde(rename = "version")]
    _version: u32,
    entries: Vec<EntryV1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryV1 {
    group: String,
    title: String,
    username: String,
    password: Concealed,
    urls: Vec<String>,
    notes: Concealed,
    tags: Vec<String>,
    identity: Option<String>,
    fields: Vec<FieldV1>,
    totp: Option<Concealed>,
    backup_codes: Vec<CodeV1>,
    rotate_days: Option<u32>,
    expires_at: Option<String>,
    created_at: String,
    modified_at: String,
    password_changed_at: String,
    history: Vec<HistoryV1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldV1 {
    name: String,
    value: Concealed,
    concealed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeV1 {
    code: Concealed,
    used_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryV1 {
    password: Concealed,
    replaced_at: String,
}

/// Parses a baton-json document. `now` is unused (every time is in the
/// file) but kept so all parsers are called alike; `rng` makes entry ids.
pub fn parse(
    text: &str,
    _now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<Imported, ImportError> {
    let head: Head =
        serde_json::from_str(text).map_err(|e| json_error("the baton-json file", &e))?;
    match head.format.as_ref().and_then(|f| f.as_str()) {
        Some(JSON_FORMAT) => {}
        _ => {
            return Err(ImportError::Malformed(
                "this is not a baton-json file (its \"format\" is not \"baton-json\")".into(),
            ));
        }
    }
    match head.version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(JSON_VERSION) => {}
        Some(v) => {
            return Err(ImportError::Malformed(format!(
                "baton-json version {v} is not supported: this Baton reads version {JSON_VERSION}; \
                 import it with the Baton that wrote it, or a newer one"
            )));
        }
        None => {
            return Err(ImportError::Malformed(
                "the baton-json file has no \"version\" number".into(),
            ));
        }
    }
    let file: FileV1 =
        serde_json::from_str(text).map_err(|e| json_error("the baton-json file", &e))?;

    let mut out = Imported::default();
    let mut groups = BTreeSet::new();
    for (i, raw) in file.entries.into_iter().enumerate() {
        let item = entry(raw, rng).map_err(|(title, why)| {
            ImportError::Malformed(format!(
                "entry {} ({}) of the baton-json file: {why}",
                i + 1,
                quoted_title(&title)
            ))
        })?;
        if !item.group.is_empty() {
            groups.insert(item.group.clone());
        }
        out.items.push(item);
    }
    out.groups = groups.len();
    Ok(out.scored())
}

/// A title for an error message: quoted, one line, at most 60 characters.
fn quoted_title(title: &str) -> String {
    let t: String = title.chars().filter(|c| !c.is_control()).take(60).collect();
    format!("{t:?}")
}

/// One entry, or its title and what is wrong with it.
fn entry(e: EntryV1, rng: &mut impl rand::CryptoRng) -> Result<Item, (String, String)> {
    let time = |key: &str, s: &str| {
        crate::dates::parse(s).map_err(|err| format!("\"{key}\" is not an RFC 3339 time: {err}"))
    };
    let fail = |title: &str, why: String| (title.to_owned(), why);
    let created_at = time("created_at", &e.created_at).map_err(|w| fail(&e.title, w))?;
    let modified_at = time("modified_at", &e.modified_at).map_err(|w| fail(&e.title, w))?;
    let password_changed_at =
        time("password_changed_at", &e.password_changed_at).map_err(|w| fail(&e.title, w))?;
    let expires_at = match &e.expires_at {
        Some(s) => Some(time("expires_at", s).map_err(|w| fail(&e.title, w))?),
        None => None,
    };
    let totp = match &e.totp {
        Some(uri) => Some(
            Totp::parse(uri.expose()).map_err(|err| fail(&e.title, format!("\"totp\": {err}")))?,
        ),
        None => None,
    };
    let mut backup_codes = Vec::with_capacity(e.backup_codes.len());
    for c in e.backup_codes {
        let used_at = match &c.used_at {
            Some(s) => Some(time("backup_codes.used_at", s).map_err(|w| fail(&e.title, w))?),
            None => None,
        };
        backup_codes.push(BackupCode {
            code: c.code,
            used_at,
            used_by: None,
        });
    }
    let mut history = Vec::with_capacity(e.history.len());
    for h in e.history {
        let replaced_at =
            time("history.replaced_at", &h.replaced_at).map_err(|w| fail(&e.title, w))?;
        history.push(HistoryItem {
            value: h.password,
            replaced_at,
            replaced_by: FROM_FILE,
            field: None,
        });
    }

    let mut entry = Entry::new(EntryId::random(rng), e.title, created_at, FROM_FILE);
    entry.username = e.username;
    entry.password = e.password;
    entry.urls = e.urls;
    entry.notes = e.notes;
    entry.tags = e.tags;
    entry.identity = e.identity;
    entry.fields = e
        .fields
        .into_iter()
        .map(|f| CustomField {
            stamp: None,
            name: f.name,
            value: f.value,
            concealed: f.concealed,
        })
        .collect();
    entry.totp = totp;
    entry.backup_codes = backup_codes;
    entry.rotate_days = e.rotate_days;
    entry.expires_at = expires_at;
    entry.modified_at = modified_at;
    entry.password_changed_at = password_changed_at;
    entry.history = history;
    Ok(Item {
        group: e.group,
        entry,
    })
}

/// A JSON error as a message without any value from the file: serde's
/// "invalid type: string \"…\"" quotes the value it met, which may be a
/// password, so only the expected type, the key names and the position
/// are kept.
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> ImportError {
    use serde_json::error::Category;
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let msg = full.strip_suffix(&position).unwrap_or(&full);
    let why = match e.classify() {
        Category::Io => "could not be read".to_owned(),
        Category::Eof => "ends too early (is it cut short?)".to_owned(),
        Category::Syntax => format!("is not valid JSON ({msg})"),
        Category::Data => {
            if let Some(rest) = msg.strip_prefix("unknown field ") {
                let name = rest.split(", expected").next().unwrap_or("");
                format!("has an unknown key {}", key_name(name))
            } else if let Some(rest) = msg.strip_prefix("missing field ") {
                format!("lacks the key {}", key_name(rest))
            } else if let Some(rest) = msg.strip_prefix("duplicate field ") {
                format!("repeats the key {}", key_name(rest))
            } else if let Some((_, expected)) = msg.rsplit_once(", expected ") {
                // `expected` comes from Baton's own types, never the file.
                format!("has a value of the wrong type or range (expected {expected})")
            } else {
                "has a value of the wrong type".to_owned()
            }
        }
    };
    ImportError::Malformed(format!("{what} {why}{position}"))
}

/// A key named in serde's message (`` `name` ``), kept only when it
/// looks like a key rather than anything else pasted there.
fn key_name(quoted: &str) -> String {
    let name = quoted.trim().trim_matches('`');
    if !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        format!("\"{name}\"")
    } else {
        "(not shown)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::export::tests::{NOW, full_vault};
    use crate::export::to_json;

    fn items(text: &str) -> Result<Imported, ImportError> {
        parse(text, NOW, &mut StdRng::seed_from_u64(9))
    }

    fn err(text: &str) -> String {
        match items(text) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let mut rng = StdRng::seed_from_u64(3);
        let v = full_vault(&mut rng);
        let text = to_json(&v);
        let got = items(&text).expect("parses");
        let want: Vec<(&str, &Entry)> = v.entries().map(|(_, g, e)| (g.name.as_str(), e)).collect();
        assert_eq!(got.items.len(), want.len());
        assert_eq!(got.groups, 2);
        for (item, (group, e)) in got.items.iter().zip(want) {
            let i = &item.entry;
            assert_eq!(item.group, group);
            assert_eq!(i.title, e.title);
            assert_eq!(i.username, e.username);
            assert!(i.password == e.password);
            assert_eq!(i.urls, e.urls);
            assert!(i.notes == e.notes);
            assert_eq!(i.tags, e.tags);
            assert_eq!(i.identity, e.identity);
            assert_eq!(i.fields.len(), e.fields.len());
            for (a, b) in i.fields.iter().zip(&e.fields) {
                assert_eq!(a.name, b.name);
                assert!(a.value == b.value);
                assert_eq!(a.concealed, b.concealed);
            }
            assert_eq!(
                i.totp.as_ref().map(|t| t.to_uri()),
                e.totp.as_ref().map(|t| t.to_uri())
            );
            assert_eq!(i.backup_codes.len(), e.backup_codes.len());
            for (a, b) in i.backup_codes.iter().zip(&e.backup_codes) {
                assert!(a.code == b.code);
                assert_eq!(a.used_at, b.used_at);
            }
            assert_eq!(i.rotate_days, e.rotate_days);
            assert_eq!(i.expires_at, e.expires_at);
            assert_eq!(i.created_at, e.created_at);
            assert_eq!(i.modified_at, e.modified_at);
            assert_eq!(i.password_changed_at, e.password_changed_at);
            assert_eq!(i.history.len(), e.history.len());
            for (a, b) in i.history.iter().zip(&e.history) {
                assert!(a.value == b.value);
                assert_eq!(a.field, b.field);
                assert_eq!(a.replaced_at, b.replaced_at);
            }
            assert_eq!(i.strength, e.strength, "rescored after import");
            assert!(i.removed.is_none());
        }
        // The full entry really had everything (so the loop compared it).
        let full = &got.items[0].entry;
        assert!(full.totp.is_some() && full.expires_at.is_some());
        assert_eq!(full.history.len(), 2);
        assert_eq!(
            full.backup_codes
                .iter()
                .filter(|c| c.used_at.is_some())
                .count(),
            1
        );
        assert!(full.strength.is_some());
    }

    #[test]
    fn unknown_version_is_refused_clearly() {
        let e = err(r#"{"format":"baton-json","version":2,"entries":[]}"#);
        assert!(e.contains("version 2 is not supported"), "{e}");
        let e = err(r#"{"format":"baton-json","version":"1","entries":[]}"#);
        assert!(e.contains("no \"version\" number"), "{e}");
        let e = err(r#"{"format":"bitwarden","version":1,"entries":[]}"#);
        assert!(e.contains("not a baton-json file"), "{e}");
        assert!(items(r#"{"format":"baton-json","version":1,"entries":[]}"#).is_ok());
    }

    #[test]
    fn strict_about_types_and_keys() {
        let mut rng = StdRng::seed_from_u64(4);
        let text = to_json(&full_vault(&mut rng));
        let bad = text.replacen("\"rotate_days\": 90", "\"rotate_days\": \"90\"", 1);
        assert_ne!(bad, *text);
        assert!(err(&bad).contains("wrong type"));
        let bad = text.replacen("\"concealed\": true", "\"concealed\": 1", 1);
        assert!(err(&bad).contains("wrong type"));
        let bad = text.replacen("\"tags\":", "\"labels\":", 1);
        assert!(
            err(&bad).contains("unknown key \"labels\""),
            "{}",
            err(&bad)
        );
        let bad = text.replacen("\"expires_at\": \"", "\"expires_at\": \"x", 1);
        let e = err(&bad);
        assert!(e.contains("entry 1") && e.contains("expires_at"), "{e}");
        let bad = format!("{}x", &*text);
        assert!(err(&bad).contains("not valid JSON"));
    }

    #[test]
    fn no_secret_in_error_messages() {
        let mut rng = StdRng::seed_from_u64(5);
        let text = to_json(&full_vault(&mut rng));
        let secret = "Zq8#vN2!kLp0,\\\"x\\\"";
        assert!(text.contains(secret));
        // A password where a number belongs, and a number where the password belongs.
        let bad = text.replacen(
            "\"rotate_days\": 90",
            &format!("\"rotate_days\": \"{secret}\""),
            1,
        );
        let e = err(&bad);
        assert!(!e.contains("Zq8#vN2"), "{e}");
        let bad = text.replacen(
            &format!("\"password\": \"{secret}\""),
            "\"password\": 987654321123",
            1,
        );
        let e = err(&bad);
        assert!(!e.contains("987654321123"), "{e}");
        // A secret pasted as a key.
        let bad = text.replacen("\"tags\":", "\"Zq8#vN2!kLp0\":", 1);
        let e = err(&bad);
        assert!(!e.contains("Zq8#vN2"), "{e}");
        // A TOTP URI with a bad secret.
        let bad = text.replacen("secret=JBSWY3DPEHPK3PXP", "secret=JBSWY3DP!!K3PXP", 1);
        let e = err(&bad);
        assert!(e.contains("totp") && !e.contains("JBSWY3DP"), "{e}");
    }

    #[test]
    fn truncations_never_panic_or_leak() {
        let mut rng = StdRng::seed_from_u64(6);
        let text = to_json(&full_vault(&mut rng));
        let whole = text.trim_end();
        for (cut, _) in whole.char_indices() {
            let e = err(&whole[..cut]);
            assert!(!e.contains("Zq8#vN2") && !e.contains("4711"), "{e}");
        }
        assert!(items(whole).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in ".{0,200}") {
            let _ = items(&s);
            let _ = items(&format!(r#"{{"format":"baton-json","version":1,"entries":[{s}]}}"#));
        }
    }
}
