//! KeePassXC's CSV export (`keepassxc-cli export --format csv`, or
//! Database > Export > CSV): text in, entries with group paths out.
//!
//! KeePassXC 2.7 writes the header
//! `"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"`
//! and quotes every field; notes may span lines inside quotes. Columns are
//! found by their header name, so an export with more columns (a later
//! version's) still reads.
//!
//! Mapped: Group (without its first part, the root group's name, which
//! KeePassXC writes for every row: "Passwords/Email" goes to "Email",
//! "Passwords" to the top level), Title, Username, Password, URL, Notes,
//! TOTP (an `otpauth://` URI; one Baton cannot use stays a concealed
//! field, with a warning), Last Modified and Created (ISO 8601 UTC), Tags
//! when a column has them. Any other unknown column becomes a concealed
//! custom field.
//!
//! Dropped: Icon. The export carries no custom attributes, attachments or
//! history. A `/` inside a KeePassXC group name cannot be told from a
//! level separator in this format and reads as a deeper level.

use super::{ImportError, Imported, Item, Skipped};
use crate::secret::Concealed;
use crate::totp::Totp;
use crate::vault::{CustomField, Entry, EntryId};

/// The title given to a row that has none.
pub const UNTITLED: &str = "(untitled)";

/// Columns that must be present for the text to be read as this format.
const REQUIRED: [&str; 4] = ["Group", "Title", "Username", "Password"];
/// Columns mapped onto the entry (or deliberately dropped).
const KNOWN: [&str; 11] = [
    "Group",
    "Title",
    "Username",
    "Password",
    "URL",
    "Notes",
    "TOTP",
    "Icon",
    "Last Modified",
    "Created",
    "Tags",
];

/// Reads a KeePassXC CSV export. `now` stands in for missing times; `rng`
/// makes the new entries' ids.
pub fn parse(
    text: &str,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<Imported, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(&format!("its first line could not be read ({e})")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    for name in REQUIRED {
        if col(name).is_none() {
            return Err(bad(&format!("its header has no {name:?} column")));
        }
    }
    let extra: Vec<(usize, &String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !KNOWN.contains(&h.as_str()) && !h.is_empty())
        .collect();

    let mut out = Imported::default();
    let mut groups = std::collections::BTreeSet::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(bad(&format!("line {line} could not be read")));
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            out.skipped.push(Skipped {
                what: format!("line {line}"),
                why: format!(
                    "it has {} fields where the header has {}",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let get = |name: &str| col(name).and_then(|i| record.get(i)).unwrap_or("");

        let group = group_path(get("Group"));
        let mut path = String::new();
        for part in group.split('/').filter(|p| !p.is_empty()) {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(part);
            groups.insert(path.clone());
        }

        let mut title = get("Title").to_owned();
        if title.trim().is_empty() {
            out.warnings
                .push(format!("line {line} has no title; imported as {UNTITLED}"));
            title = UNTITLED.to_owned();
        }
        let modified = time(get("Last Modified")).unwrap_or(now);
        let created = time(get("Created")).unwrap_or(modified);
        let mut entry = Entry::new(EntryId::random(rng), title, created, 0);
        entry.modified_at = modified;
        entry.password_changed_at = modified;
        entry.username = get("Username").to_owned();
        entry.password = Concealed::of(get("Password"));
        let url = get("URL").trim();
        if !url.is_empty() {
            entry.urls.push(url.to_owned());
        }
        entry.notes = Concealed::of(get("Notes"));
        entry.tags = get("Tags")
            .split([',', ';'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let otp = get("TOTP").trim();
        if !otp.is_empty() {
            match Totp::parse(otp) {
                Ok(t) => entry.totp = Some(t),
                Err(e) => {
                    out.warnings.push(format!(
                        "line {line} ({:?}): its TOTP could not be used ({e}); kept as a concealed field",
                        entry.title
                    ));
                    entry.fields.push(CustomField {
                        stamp: None,
                        name: "TOTP".into(),
                        value: Concealed::of(otp),
                        concealed: true,
                    });
                }
            }
        }
        for (i, name) in &extra {
            let value = record.get(*i).unwrap_or("");
            if !value.is_empty() {
                entry.fields.push(CustomField {
                    stamp: None,
                    name: (*name).clone(),
                    value: Concealed::of(value),
                    concealed: true,
                });
            }
        }
        out.items.push(Item { group, entry });
    }
    out.groups = groups.len();
    Ok(out.scored())
}

fn bad(why: &str) -> ImportError {
    ImportError::Malformed(format!("not a KeePassXC CSV export: {why}"))
}

/// The Group column without its first part (the root group's name);
/// parts trimmed, empty ones dropped.
fn group_path(group: &str) -> String {
    let parts: Vec<&str> = group
        .split('/')
        .skip(1)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    parts.join("/")
}

/// `YYYY-MM-DDTHH:MM:SS` with an optional `Z` (KeePassXC writes UTC) as
/// seconds since the epoch; `None` for anything else.
fn time(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, clock) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut c = clock.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (c.next()??, c.next()??, c.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
// Tests read fixtures and run the real keepassxc-cli.
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
mod tests {
    use std::process::{Command, Stdio};

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    const NOW: i64 = 1_800_000_000;

    /// `keepassxc-cli export --format csv NewDatabase.kdbx` (2.7.4), as
    /// written.
    const NEW_DATABASE_CSV: &str = r#""Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"
"NewDatabase","Sample Entry","User Name","Password","http://www.somesite.com/","Notes","otpauth://totp/Sample%20Entry:User%20Name?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=30&digits=6&issuer=Sample%20Entry","0","2021-11-07T21:48:40Z","2010-09-06T20:28:24Z"
"NewDatabase/Homebanking/Subgroup","Subgroup Entry","Bank User Name","SecurePassword","https://www.bank.com","Important note","","0","2021-08-30T17:05:58Z","2019-06-16T06:55:07Z"
"#;

    fn rng() -> StdRng {
        StdRng::seed_from_u64(3)
    }

    #[test]
    fn keepassxc_export_reads_back() {
        let imp = parse(NEW_DATABASE_CSV, NOW, &mut rng()).expect("reads");
        assert_eq!(imp.items.len(), 2);
        assert!(imp.warnings.is_empty() && imp.skipped.is_empty());
        assert_eq!(imp.groups, 2, "Homebanking and Homebanking/Subgroup");

        let a = &imp.items[0];
        assert_eq!(a.group, "");
        assert_eq!(a.entry.title, "Sample Entry");
        assert_eq!(a.entry.username, "User Name");
        assert_eq!(a.entry.password.expose(), "Password");
        assert_eq!(a.entry.urls, ["http://www.somesite.com/"]);
        assert_eq!(a.entry.notes.expose(), "Notes");
        let totp = a.entry.totp.as_ref().expect("TOTP column");
        assert_eq!(
            totp.secret_base32().as_str(),
            "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
        );
        assert_eq!(a.entry.modified_at, 1_636_321_720);
        assert_eq!(a.entry.created_at, 1_283_804_904);
        assert!(a.entry.strength.is_some());

        let b = &imp.items[1];
        assert_eq!(b.group, "Homebanking/Subgroup");
        assert_eq!(b.entry.title, "Subgroup Entry");
        assert_eq!(b.entry.password.expose(), "SecurePassword");
    }

    #[test]
    fn multi_line_notes_in_quotes_and_an_empty_title() {
        let csv = "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"\n\
                   \"Root/Clients/Acme\",\"\",\"u\",\"p,\"\"q\"\"\",\"\",\"line 1\nline 2, \"\"quoted\"\"\n\",\"not a uri://x\",\"0\",\"\",\"\"\n";
        let imp = parse(csv, NOW, &mut rng()).expect("reads");
        let e = &imp.items[0].entry;
        assert_eq!(imp.items[0].group, "Clients/Acme");
        assert_eq!(e.title, UNTITLED);
        assert_eq!(e.password.expose(), "p,\"q\"");
        assert_eq!(e.notes.expose(), "line 1\nline 2, \"quoted\"\n");
        assert_eq!((e.created_at, e.modified_at), (NOW, NOW));
        assert!(e.totp.is_none());
        assert!(e.field("TOTP").is_some_and(|f| f.concealed));
        assert_eq!(imp.warnings.len(), 2, "{:?}", imp.warnings);
    }

    #[test]
    fn other_text_is_refused() {
        for text in [
            "",
            "name,url,username,password\na,b,c,d\n",
            "\"Group\",\"Title\"\n\"x",
        ] {
            assert!(
                matches!(parse(text, NOW, &mut rng()), Err(ImportError::Malformed(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn short_rows_are_skipped_with_their_line() {
        let csv = "Group,Title,Username,Password\nRoot,a,b,c\nRoot,only two\n";
        let imp = parse(csv, NOW, &mut rng()).expect("reads");
        assert_eq!(imp.items.len(), 1);
        assert_eq!(imp.skipped[0].what, "line 3");
    }

    #[test]
    fn iso_times() {
        assert_eq!(time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(time("2000-02-29T12:00:00Z"), Some(951_825_600));
        assert_eq!(time("0"), None);
        assert_eq!(time(""), None);
    }

    /// Exports every fixture with keepassxc-cli (when installed) and checks
    /// that this parser reads the same entries as the KDBX parser.
    #[test]
    fn round_trips_keepassxc_cli_exports_when_present() {
        use std::io::Write;
        if !super::super::tool::keepassxc_cli() {
            return;
        }
        let dir =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keepassxc");
        let fixtures = [
            ("NewDatabase.kdbx", "a"),
            ("Format400.kdbx", "t"),
            ("ProtectedStrings.kdbx", "masterpw"),
            ("NonAscii.kdbx", "\u{394}\u{f6}\u{636}"),
        ];
        for (file, pass) in fixtures {
            let child = Command::new("keepassxc-cli")
                .args(["export", "-q", "--format", "csv"])
                .arg(dir.join(file))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn();
            let mut child = child.expect("keepassxc-cli runs");
            child
                .stdin
                .take()
                .expect("piped")
                .write_all(format!("{pass}\n").as_bytes())
                .expect("passphrase written");
            let out = child.wait_with_output().expect("export finishes");
            let csv = String::from_utf8(out.stdout).expect("UTF-8");
            let from_csv = parse(&csv, NOW, &mut rng()).expect("export reads");
            let kdbx = std::fs::read(dir.join(file)).expect("fixture");
            let from_kdbx =
                super::super::kdbx::parse(&kdbx, pass, 16 << 30, NOW, &mut rng()).expect("kdbx");
            assert_eq!(from_csv.items.len(), from_kdbx.items.len(), "{file}");
            for (c, k) in from_csv.items.iter().zip(&from_kdbx.items) {
                assert_eq!(c.group, k.group, "{file}");
                assert_eq!(c.entry.title, k.entry.title, "{file}");
                assert_eq!(c.entry.username, k.entry.username, "{file}");
                assert_eq!(
                    c.entry.password.expose(),
                    k.entry.password.expose(),
                    "{file}"
                );
                assert_eq!(c.entry.notes.expose(), k.entry.notes.expose(), "{file}");
                assert_eq!(c.entry.created_at, k.entry.created_at, "{file}");
                assert_eq!(c.entry.modified_at, k.entry.modified_at, "{file}");
            }
        }
    }
}
