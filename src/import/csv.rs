//! Reads a generic CSV file (RFC 4180: a header row, `,` separators,
//! `"` quoting, cells may span lines) into entries, with a mapping from
//! the file's columns to Baton's fields.
//!
//! Fields: `title`, `username`, `password`, `url`, `notes`, `group`
//! (`/`-separated path), `tags` (separated by `;`), `totp` (an
//! `otpauth://totp/` URI or a base32 secret), `identity`, and custom
//! fields `field:NAME` (plain) and `secret:NAME` (concealed).
//!
//! Without a mapping, a column whose header is a field's name (ignoring
//! case, so `Title` and `secret:PIN` work) fills that field; other columns
//! are left out with a warning. A mapping (`--map COLUMN=FIELD`, repeated)
//! uses only the columns it names. The CSV [`crate::export::to_csv`]
//! writes reads back without a mapping.
//!
//! A row without a title is skipped, by line number; so is a row whose
//! number of cells differs from the header's (its cells could not be
//! matched to columns safely). A TOTP Baton cannot read is kept as the
//! concealed field `totp` with a warning.
//!
//! The `csv` crate reads each row into one reused buffer that it does not
//! wipe; the secrets in it are also in the caller's `text`.

use std::collections::BTreeSet;

use super::{ImportError, Imported, Item, Skipped};
use crate::secret::Concealed;
use crate::totp::Totp;
use crate::vault::{CustomField, Entry, EntryId};

/// Who created and changed an imported entry: no member of this vault.
const FROM_FILE: crate::format::MemberId = 0;

/// The fields a column can fill.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Title,
    Username,
    Password,
    Url,
    Notes,
    Group,
    Tags,
    Totp,
    Identity,
    Field(String),
    Secret(String),
}

const FIELD_NAMES: &str =
    "title, username, password, url, notes, group, tags, totp, identity, field:NAME, secret:NAME";

impl Target {
    fn parse(s: &str) -> Option<Target> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        let custom = |prefix: &str| {
            (lower.starts_with(prefix) && s.len() > prefix.len())
                .then(|| s[prefix.len()..].trim().to_owned())
                .filter(|n| !n.is_empty())
        };
        if let Some(name) = custom("field:") {
            return Some(Target::Field(name));
        }
        if let Some(name) = custom("secret:") {
            return Some(Target::Secret(name));
        }
        Some(match lower.as_str() {
            "title" => Target::Title,
            "username" => Target::Username,
            "password" => Target::Password,
            "url" => Target::Url,
            "notes" => Target::Notes,
            "group" => Target::Group,
            "tags" => Target::Tags,
            "totp" => Target::Totp,
            "identity" => Target::Identity,
            _ => return None,
        })
    }

    /// Whether two columns may fill it (URLs and tags add up).
    fn repeatable(&self) -> bool {
        matches!(self, Target::Url | Target::Tags)
    }
}

/// Parses `text` as CSV with a header row. `map` pairs a column (as named
/// in the header; exact, else ignoring case) with a field; empty means
/// "match headers to field names". `now` stamps the entries; `rng` makes
/// their ids.
pub fn parse(
    text: &str,
    map: &[(String, String)],
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<Imported, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| ImportError::Malformed("the CSV file's header row cannot be read".into()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ImportError::Malformed(
            "the CSV file is empty or has no header row".into(),
        ));
    }

    let mut out = Imported::default();
    let columns = columns(&headers, map, &mut out.warnings)?;

    let mut groups = BTreeSet::new();
    let mut record = csv::StringRecord::new();
    let (mut line, mut counted) = (1, 0);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                return Err(ImportError::Malformed(format!(
                    "the CSV file cannot be read after line {line}"
                )));
            }
        }
        // The physical line the row starts on, as an editor shows it (the
        // csv crate counts records, not the line breaks inside cells).
        // Its reported start may be the line break before it (after a
        // CRLF's CR, or blank lines the reader skipped).
        let mut start = record
            .position()
            .map_or(counted, |p| usize::try_from(p.byte()).unwrap_or(counted))
            .clamp(counted, text.len());
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += text.as_bytes()[counted..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = start;
        let what = format!("line {line}");
        if record.len() != headers.len() {
            out.skipped.push(Skipped {
                what,
                why: format!(
                    "it has {} cells where the header has {} columns",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let cell = |target: &Target| {
            columns
                .iter()
                .find(|(_, t)| t == target)
                .map_or("", |(i, _)| record.get(*i).unwrap_or(""))
        };
        let title = cell(&Target::Title).trim();
        if title.is_empty() {
            out.skipped.push(Skipped {
                what,
                why: "it has no title".into(),
            });
            continue;
        }

        let mut entry = Entry::new(EntryId::random(rng), title.to_owned(), now, FROM_FILE);
        let mut group = String::new();
        for (i, target) in &columns {
            let value = record.get(*i).unwrap_or("");
            match target {
                Target::Title => {}
                Target::Username => entry.username = value.trim().to_owned(),
                Target::Password => entry.password = Concealed::of(value),
                Target::Notes => entry.notes = Concealed::of(value),
                Target::Url => {
                    let url = value.trim();
                    if !url.is_empty() {
                        entry.urls.push(url.to_owned());
                    }
                }
                Target::Group => {
                    group = value
                        .split('/')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join("/");
                }
                Target::Tags => {
                    for tag in value.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                        if !entry.tags.iter().any(|t| t == tag) {
                            entry.tags.push(tag.to_owned());
                        }
                    }
                }
                Target::Identity => {
                    let id = value.trim();
                    entry.identity = (!id.is_empty()).then(|| id.to_owned());
                }
                Target::Totp => {
                    if value.trim().is_empty() {
                        continue;
                    }
                    match Totp::parse(value) {
                        Ok(t) => entry.totp = Some(t),
                        Err(e) => {
                            out.warnings.push(format!(
                                "{what} ({title:?}): its TOTP setting cannot be used ({e}); \
                                 it was kept as the concealed field \"totp\""
                            ));
                            entry.fields.push(CustomField {
                                stamp: None,
                                name: "totp".into(),
                                value: Concealed::of(value.trim()),
                                concealed: true,
                            });
                        }
                    }
                }
                Target::Field(name) | Target::Secret(name) => {
                    if !value.is_empty() {
                        entry.fields.push(CustomField {
                            stamp: None,
                            name: name.clone(),
                            value: Concealed::of(value),
                            concealed: matches!(target, Target::Secret(_)),
                        });
                    }
                }
            }
        }
        if !group.is_empty() {
            groups.insert(group.clone());
        }
        out.items.push(Item { group, entry });
    }
    out.groups = groups.len();
    Ok(out.scored())
}

/// Which column fills which field: from `map`, or from the header names.
fn columns(
    headers: &[String],
    map: &[(String, String)],
    warnings: &mut Vec<String>,
) -> Result<Vec<(usize, Target)>, ImportError> {
    let mut columns: Vec<(usize, Target)> = Vec::new();
    if map.is_empty() {
        for (i, h) in headers.iter().enumerate() {
            match Target::parse(h) {
                Some(t) if t.repeatable() || !columns.iter().any(|(_, c)| *c == t) => {
                    columns.push((i, t));
                }
                Some(_) => warnings.push(format!(
                    "column {h:?} repeats a field another column fills; it was not imported"
                )),
                None => warnings.push(format!(
                    "column {h:?} is not a Baton field and was not imported \
                     (to keep it, map it: --map {:?})",
                    format!("{h}=field:{h}")
                )),
            }
        }
    } else {
        let names = || {
            headers
                .iter()
                .map(|h| format!("{h:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (column, field) in map {
            let column = column.trim();
            let i = headers
                .iter()
                .position(|h| h == column)
                .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(column)))
                .ok_or_else(|| {
                    ImportError::Usage(format!(
                        "--map names the column {column:?}, which the CSV file does not have \
                         (its columns: {})",
                        names()
                    ))
                })?;
            let t = Target::parse(field).ok_or_else(|| {
                ImportError::Usage(format!(
                    "--map {column}={field}: {field:?} is not a field; use one of {FIELD_NAMES}"
                ))
            })?;
            if !t.repeatable() && columns.iter().any(|(_, c)| *c == t) {
                return Err(ImportError::Usage(format!(
                    "--map gives the field {field:?} two columns; give it one"
                )));
            }
            columns.push((i, t));
        }
    }
    if !columns.iter().any(|(_, t)| *t == Target::Title) {
        return Err(ImportError::Usage(format!(
            "no column of the CSV file gives the entries' titles: name one with --map COLUMN=title \
             (its columns: {})",
            headers
                .iter()
                .map(|h| format!("{h:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::export::tests::{NOW, full_vault};
    use crate::export::to_csv;

    fn run(text: &str, map: &[(&str, &str)]) -> Result<Imported, ImportError> {
        let map: Vec<(String, String)> = map
            .iter()
            .map(|(c, f)| ((*c).to_owned(), (*f).to_owned()))
            .collect();
        parse(text, &map, NOW, &mut StdRng::seed_from_u64(8))
    }

    fn field<'a>(e: &'a Entry, name: &str) -> &'a CustomField {
        e.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("field {name}"))
    }

    #[test]
    fn reads_back_what_export_writes() {
        let mut rng = StdRng::seed_from_u64(10);
        let v = full_vault(&mut rng);
        let text = to_csv(&v);
        let got = run(&text, &[]).expect("parses");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let want: Vec<_> = v.entries().collect();
        assert_eq!(got.items.len(), want.len());
        for (item, (_, g, e)) in got.items.iter().zip(want) {
            let i = &item.entry;
            assert_eq!(item.group, g.name);
            assert_eq!(i.title, e.title);
            assert_eq!(i.username, e.username);
            assert!(i.password == e.password);
            assert_eq!(i.urls.first(), e.urls.first());
            assert!(i.notes == e.notes, "multi-line notes survive");
            assert_eq!(i.tags, e.tags);
            assert_eq!(
                i.totp.as_ref().map(|t| t.to_uri()),
                e.totp.as_ref().map(|t| t.to_uri())
            );
            assert_eq!(i.strength, e.strength);
            assert_eq!(i.created_at, NOW);
        }
        assert_eq!(got.groups, 2);
    }

    const FOREIGN: &str = "Name,Login,Secret,Website,Extra,PIN,Account no,Folder,Ignored\r\n\
\"Router, office\",admin,\"p,a\"\"ss\",https://192.168.1.1,\"line 1\nline 2, with comma\",1234,AC-77,Office/Net,x\r\n\
,nobody,pw,,,,,,\r\n\
Printer,svc,\"multi\nline\npassword\",,,,,,\r\n\
NAS,root,hunter2,https://nas.local,,,,Office,\r\n";

    #[test]
    fn map_with_quotes_commas_and_multi_line_cells() {
        let map = [
            ("Name", "title"),
            ("login", "username"),
            ("Secret", "password"),
            ("Website", "url"),
            ("Extra", "notes"),
            ("PIN", "secret:PIN"),
            ("Account no", "field:Account"),
            ("Folder", "group"),
        ];
        let got = run(FOREIGN, &map).expect("parses");
        assert_eq!(got.items.len(), 3);
        let r = &got.items[0];
        assert_eq!(r.entry.title, "Router, office");
        assert_eq!(r.group, "Office/Net");
        assert_eq!(r.entry.username, "admin");
        assert_eq!(r.entry.password.expose(), "p,a\"ss");
        assert_eq!(r.entry.urls, ["https://192.168.1.1"]);
        assert_eq!(r.entry.notes.expose(), "line 1\nline 2, with comma");
        assert!(field(&r.entry, "PIN").concealed);
        assert_eq!(field(&r.entry, "PIN").value.expose(), "1234");
        assert!(!field(&r.entry, "Account").concealed);
        assert_eq!(
            got.items[1].entry.password.expose(),
            "multi\nline\npassword"
        );
        assert_eq!(got.items[2].group, "Office");
        assert_eq!(got.groups, 2);
        // The row without a title is skipped by its line (after a two-line cell).
        assert_eq!(
            got.skipped,
            [Skipped {
                what: "line 4".into(),
                why: "it has no title".into()
            }]
        );
        assert!(got.items.iter().all(|i| i.entry.strength.is_some()));
    }

    #[test]
    fn without_a_map_headers_name_fields() {
        let text = "TITLE,Username,secret:API key,Tags,identity,other\nMail,bob,k-123,a; b;a,bob@firm.example,zzz\n";
        let got = run(text, &[]).expect("parses");
        let e = &got.items[0].entry;
        assert_eq!(e.title, "Mail");
        assert_eq!(e.username, "bob");
        assert!(field(e, "API key").concealed);
        assert_eq!(e.tags, ["a", "b"]);
        assert_eq!(e.identity.as_deref(), Some("bob@firm.example"));
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0].contains("\"other\""));
        assert!(!got.warnings[0].contains("zzz"));
    }

    #[test]
    fn map_errors_are_usage_errors() {
        let e = run(FOREIGN, &[("Nmae", "title")]).err().expect("refused");
        assert!(matches!(e, ImportError::Usage(_)));
        assert!(e.to_string().contains("\"Nmae\"") && e.to_string().contains("\"Name\""));
        let e = run(FOREIGN, &[("Name", "titel")]).err().expect("refused");
        assert!(matches!(e, ImportError::Usage(_)), "{e}");
        let e = run(FOREIGN, &[("Login", "username")])
            .err()
            .expect("no title");
        assert!(matches!(e, ImportError::Usage(_)), "{e}");
        let e = run(FOREIGN, &[("Name", "title"), ("Login", "title")])
            .err()
            .expect("twice");
        assert!(matches!(e, ImportError::Usage(_)), "{e}");
        let e = run("", &[]).err().expect("empty");
        assert!(matches!(e, ImportError::Malformed(_)), "{e}");
    }

    #[test]
    fn no_secret_in_skips_or_warnings() {
        let text = "title,password,totp\n\
Bank,S3cr3t-Zebra-42,\"otpauth://totp/x?secret=S3CR3TZEBRA!!\"\n\
Ragged,S3cr3t-Zebra-42\n";
        let got = run(text, &[]).expect("parses");
        assert_eq!(got.items.len(), 1);
        assert_eq!(got.skipped.len(), 1);
        assert_eq!(got.skipped[0].what, "line 3");
        let f = field(&got.items[0].entry, "totp");
        assert!(f.concealed);
        let all = format!("{:?} {:?}", got.skipped, got.warnings);
        assert!(all.contains("TOTP"));
        assert!(!all.contains("S3cr3t") && !all.contains("S3CR3T"), "{all}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_header() {
        let got = run("\u{feff}Title,Password\r\nMail,pw\r\n", &[]).expect("parses");
        assert_eq!(got.items[0].entry.title, "Mail");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    }

    #[test]
    fn truncations_never_panic() {
        for (cut, _) in FOREIGN.char_indices() {
            let _ = run(&FOREIGN[..cut], &[("Name", "title"), ("Extra", "notes")]);
            let _ = run(&FOREIGN[..cut], &[]);
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "(?s).{0,200}") {
            let _ = run(&s, &[]);
            let _ = run(&format!("title,totp,tags,group\n{s}"), &[]);
        }
    }
}
