//! Migration out: every live entry the unlocked member can read, as
//! baton-json (everything Baton stores about an entry, read back by
//! [`crate::import::baton_json`]) or as CSV (the common columns other
//! password managers import). Pure: a [`Vault`] in, text out; the caller
//! decides where it goes.
//!
//! The output is all plaintext secrets, so it is built in
//! [`Zeroizing`] buffers sized before writing (a first pass counts the
//! bytes), so that no reallocation leaves a stray copy behind.
//!
//! # baton-json, version 1
//!
//! ```text
//! {"format":"baton-json","version":1,"entries":[{
//!   "group": "Finance/Banks", "title": "...", "username": "...",
//!   "password": "...", "urls": ["..."], "notes": "...", "tags": ["..."],
//!   "identity": "..." | null,
//!   "fields": [{"name": "...", "value": "...", "concealed": true}],
//!   "totp": "otpauth://totp/..." | null,
//!   "backup_codes": [{"code": "...", "used_at": RFC 3339 | null}],
//!   "rotate_days": 90 | null, "expires_at": RFC 3339 | null,
//!   "created_at": RFC 3339, "modified_at": RFC 3339,
//!   "password_changed_at": RFC 3339,
//!   "history": [{"password": "...", "replaced_at": RFC 3339}]
//! }]}
//! ```
//!
//! Times are UTC with seconds precision (`2026-11-23T15:54:00Z`). Member
//! ids (who created, changed or used something) are not written: they
//! mean nothing outside this vault.

use std::io::{self, Write};

use serde::Serialize;
use zeroize::{Zeroize, Zeroizing};

use crate::dates::format_rfc3339;
use crate::secret::Concealed;
use crate::vault::{Entry, Vault};

/// The `format` value of a baton-json file.
pub const JSON_FORMAT: &str = "baton-json";
/// The baton-json version [`to_json`] writes.
pub const JSON_VERSION: u32 = 1;
/// The CSV header [`to_csv`] writes.
pub const CSV_HEADER: [&str; 8] = [
    "group", "title", "username", "password", "url", "notes", "totp", "tags",
];

#[derive(Serialize)]
struct FileV1<'a> {
    format: &'static str,
    version: u32,
    entries: Vec<EntryV1<'a>>,
}

#[derive(Serialize)]
struct EntryV1<'a> {
    group: &'a str,
    title: &'a str,
    username: &'a str,
    password: &'a Concealed,
    urls: &'a [String],
    notes: &'a Concealed,
    tags: &'a [String],
    identity: Option<&'a str>,
    fields: Vec<FieldV1<'a>>,
    totp: Option<Concealed>,
    backup_codes: Vec<CodeV1<'a>>,
    rotate_days: Option<u32>,
    expires_at: Option<String>,
    created_at: String,
    modified_at: String,
    password_changed_at: String,
    history: Vec<HistoryV1<'a>>,
}

#[derive(Serialize)]
struct FieldV1<'a> {
    name: &'a str,
    value: &'a Concealed,
    concealed: bool,
}

#[derive(Serialize)]
struct CodeV1<'a> {
    code: &'a Concealed,
    used_at: Option<String>,
}

#[derive(Serialize)]
struct HistoryV1<'a> {
    password: &'a Concealed,
    replaced_at: String,
}

impl<'a> EntryV1<'a> {
    fn of(group: &'a str, e: &'a Entry) -> Self {
        EntryV1 {
            group,
            title: &e.title,
            username: &e.username,
            password: &e.password,
            urls: &e.urls,
            notes: &e.notes,
            tags: &e.tags,
            identity: e.identity.as_deref(),
            fields: e
                .fields
                .iter()
                .map(|f| FieldV1 {
                    name: &f.name,
                    value: &f.value,
                    concealed: f.concealed,
                })
                .collect(),
            totp: e.totp.as_ref().map(uri),
            backup_codes: e
                .backup_codes
                .iter()
                .map(|c| CodeV1 {
                    code: &c.code,
                    used_at: c.used_at.map(format_rfc3339),
                })
                .collect(),
            rotate_days: e.rotate_days,
            expires_at: e.expires_at.map(format_rfc3339),
            created_at: format_rfc3339(e.created_at),
            modified_at: format_rfc3339(e.modified_at),
            password_changed_at: format_rfc3339(e.password_changed_at),
            history: e
                .history
                .iter()
                .map(|h| HistoryV1 {
                    password: &h.value,
                    replaced_at: format_rfc3339(h.replaced_at),
                })
                .collect(),
        }
    }
}

/// The TOTP URI, moved (not copied) out of its zeroizing buffer.
fn uri(t: &crate::totp::Totp) -> Concealed {
    Concealed::new(std::mem::take(&mut *t.to_uri()))
}

/// Counts the bytes written to it and keeps none.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `fill` twice: once to count, then into a buffer of exactly that
/// size, so the buffer never grows (and never leaves a copy behind).
fn exact<E>(mut fill: impl FnMut(&mut dyn Write) -> Result<(), E>) -> Zeroizing<String>
where
    E: std::fmt::Debug,
{
    let mut counter = Counter(0);
    fill(&mut counter).expect("writing to a counter cannot fail");
    let mut buf = Zeroizing::new(Vec::with_capacity(counter.0));
    fill(&mut *buf).expect("writing to memory cannot fail");
    debug_assert_eq!(buf.len(), counter.0);
    let bytes = std::mem::take(&mut *buf);
    match String::from_utf8(bytes) {
        Ok(s) => Zeroizing::new(s),
        Err(e) => {
            // Both writers write only UTF-8 (`&str` fields); unreachable,
            // but wipe the bytes rather than panic with them in memory.
            let mut bytes = e.into_bytes();
            bytes.zeroize();
            Zeroizing::new(String::new())
        }
    }
}

/// Every live entry `v` lets its member read, as a baton-json document
/// (see the module docs), pretty-printed.
pub fn to_json(v: &Vault) -> Zeroizing<String> {
    let file = FileV1 {
        format: JSON_FORMAT,
        version: JSON_VERSION,
        entries: v
            .entries()
            .map(|(_, g, e)| EntryV1::of(&g.name, e))
            .collect(),
    };
    exact(|w| serde_json::to_writer_pretty(w, &file))
}

/// Every live entry `v` lets its member read, as CSV with the header
/// `group,title,username,password,url,notes,totp,tags` (RFC 4180 quoting,
/// CRLF line ends).
///
/// `url` is the entry's first URL, `tags` are joined with `;`, `totp` is
/// the `otpauth://totp/` URI (empty without TOTP).
///
/// CSV cannot carry the rest of what Baton stores: custom fields
/// (concealed or not), the identity e-mail, backup codes, password
/// history, further URLs, rotation and expiry settings and timestamps are
/// left out. Use [`to_json`] to move a vault without losing them.
///
/// The `csv` crate writes through a small internal buffer that is freed
/// without being wiped; it is kept at 64 bytes, so at most the last 64
/// bytes written may linger in freed memory.
pub fn to_csv(v: &Vault) -> Zeroizing<String> {
    exact(|w| write_csv(v, w))
}

fn write_csv(v: &Vault, w: &mut dyn Write) -> Result<(), csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(64)
        .from_writer(w);
    out.write_record(CSV_HEADER)?;
    for (_, g, e) in v.entries() {
        let totp = e.totp.as_ref().map(|t| t.to_uri());
        let tags = Zeroizing::new(e.tags.join(";"));
        out.write_record([
            g.name.as_str(),
            &e.title,
            &e.username,
            e.password.expose(),
            e.urls.first().map_or("", String::as_str),
            e.notes.expose(),
            totp.as_ref().map_or("", |t| t.as_str()),
            &tags,
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::crypto::kdf::KdfParams;
    use crate::secret::Passphrase;
    use crate::totp::Totp;
    use crate::vault::{
        BackupCode, CreateOptions, CustomField, EntryId, FOUNDING_OWNER, HistoryItem,
    };

    pub(crate) const NOW: i64 = 1_790_000_000;
    pub(crate) const TOTP_URI: &str = "otpauth://totp/Example%20Bank:ops%40firm.example?secret=JBSWY3DPEHPK3PXP&issuer=Example%20Bank&algorithm=SHA256&digits=8&period=60";

    /// A vault with one entry holding every kind of thing Baton stores,
    /// one plain entry in another group, and one removed entry.
    pub(crate) fn full_vault(rng: &mut StdRng) -> crate::vault::Vault {
        let opts = CreateOptions {
            owner: "alice",
            firm_domain: None,
            kdf: KdfParams::TEST,
            weak_kdf: true,
            now: NOW,
        };
        let pw = Passphrase::from_slice(b"pw");
        let rc = Passphrase::from_slice(b"RC");
        let mut v = crate::vault::create(opts, &pw, &rc, rng).expect("create");

        let mut e = Entry::new(
            EntryId::random(rng),
            "Bank, \"main\" account".into(),
            NOW - 5000,
            FOUNDING_OWNER,
        );
        e.username = "ops@firm.example".into();
        e.set_password(Concealed::of("old-pässword-1"), NOW - 4000, FOUNDING_OWNER);
        e.set_password(
            Concealed::of("Zq8#vN2!kLp0,\"x\""),
            NOW - 3000,
            FOUNDING_OWNER,
        );
        e.urls = vec![
            "https://bank.example/login".into(),
            "https://m.bank.example".into(),
        ];
        e.notes = Concealed::of("Line one, with comma\r\nLine «two» — ünïcode 🔐\n\"quoted\"");
        e.tags = vec!["finance".into(), "critical".into()];
        e.identity = Some("accounts@firm.example".into());
        e.fields = vec![
            CustomField {
                stamp: None,
                name: "PIN".into(),
                value: Concealed::of("4711"),
                concealed: true,
            },
            CustomField {
                stamp: None,
                name: "Branch".into(),
                value: Concealed::of("Main street, 5"),
                concealed: false,
            },
        ];
        e.totp = Some(Totp::parse(TOTP_URI).expect("valid totp"));
        e.backup_codes = vec![
            BackupCode {
                code: Concealed::of("1111-2222"),
                used_at: Some(NOW - 100),
                used_by: Some(FOUNDING_OWNER),
            },
            BackupCode {
                code: Concealed::of("3333-4444"),
                used_at: None,
                used_by: None,
            },
        ];
        e.history.push(HistoryItem {
            value: Concealed::of("ancient"),
            replaced_at: NOW - 4500,
            replaced_by: FOUNDING_OWNER,
            field: None,
        });
        e.rotate_days = Some(90);
        e.expires_at = Some(NOW + 86_400 * 30);
        e.modified_at = NOW - 2000;
        e.rescore();
        v.add("Finance/Banks", e, rng).expect("add");

        let plain = Entry::new(EntryId::random(rng), "Wiki".into(), NOW, FOUNDING_OWNER);
        v.add("Office", plain, rng).expect("add");

        let gone = Entry::new(EntryId::random(rng), "Gone".into(), NOW, FOUNDING_OWNER);
        let r = v.add("Office", gone, rng).expect("add");
        v.remove(r, NOW).expect("remove");
        v
    }

    #[test]
    fn json_has_every_field_and_no_removed_entry() {
        let mut rng = StdRng::seed_from_u64(1);
        let v = full_vault(&mut rng);
        let text = to_json(&v);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(doc["format"], "baton-json");
        assert_eq!(doc["version"], 1);
        let entries = doc["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), 2, "the removed entry is not exported");
        let e = &entries[0];
        assert_eq!(e["group"], "Finance/Banks");
        assert_eq!(e["password"], "Zq8#vN2!kLp0,\"x\"");
        assert_eq!(e["fields"][0]["concealed"], true);
        assert_eq!(e["backup_codes"][0]["used_at"], "2026-09-21T14:11:40Z");
        assert_eq!(e["backup_codes"][1]["used_at"], serde_json::Value::Null);
        assert_eq!(e["history"].as_array().map(Vec::len), Some(2));
        assert_eq!(e["created_at"], format_rfc3339(NOW - 5000).as_str());
        assert_eq!(e["rotate_days"], 90);
        assert!(
            e["totp"]
                .as_str()
                .is_some_and(|t| t.contains("JBSWY3DPEHPK3PXP"))
        );
        let keys: Vec<&String> = e.as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), 17, "{keys:?}");
        assert_eq!(entries[1]["totp"], serde_json::Value::Null);
        assert_eq!(entries[1]["identity"], serde_json::Value::Null);
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        let mut rng = StdRng::seed_from_u64(2);
        let v = full_vault(&mut rng);
        let text = to_csv(&v);
        assert!(text.starts_with("group,title,username,password,url,notes,totp,tags\r\n"));
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 2);
        let row = &rows[0];
        assert_eq!(&row[0], "Finance/Banks");
        assert_eq!(&row[1], "Bank, \"main\" account");
        assert_eq!(&row[3], "Zq8#vN2!kLp0,\"x\"");
        assert_eq!(&row[4], "https://bank.example/login");
        assert_eq!(
            &row[5],
            "Line one, with comma\r\nLine «two» — ünïcode 🔐\n\"quoted\""
        );
        assert!(row[6].starts_with("otpauth://totp/"));
        assert_eq!(&row[7], "finance;critical");
        assert_eq!(&rows[1][1], "Wiki");
        assert_eq!(&rows[1][6], "");
    }
}
