//! Reads Bitwarden's unencrypted JSON export (personal vaults with
//! `folders`, organization vaults with `collections`) into entries.
//!
//! The shape read (Bitwarden's documented export, only the keys used here;
//! other keys are ignored, since Bitwarden adds some over time):
//!
//! ```text
//! {"encrypted": false,
//!  "folders": [{"id", "name"}],            (names nest with "/" already)
//!  "collections": [{"id", "name"}],        (organization exports)
//!  "items": [{"type": 1 login | 2 secure note | 3 card | 4 identity | 5 SSH key,
//!    "name", "notes", "folderId", "collectionIds", "favorite",
//!    "creationDate", "revisionDate", "deletedDate",
//!    "fields": [{"name", "value", "type": 0 text | 1 hidden | 2 boolean | 3 linked}],
//!    "passwordHistory": [{"password", "lastUsedDate"}],
//!    "login": {"username", "password", "totp", "uris": [{"uri"}], "passwordRevisionDate",
//!              "fido2Credentials": [{…}]},
//!    "card": {"cardholderName", "brand", "number", "expMonth", "expYear", "code"},
//!    "identity": {"title", "firstName", …, "email", "phone", "ssn", "username",
//!                 "passportNumber", "licenseNumber"},
//!    "sshKey": {"privateKey", "publicKey", "keyFingerprint"}}]}
//! ```
//!
//! What becomes what: a folder (or an item's first collection) is the
//! group; a login's username, password, URIs and TOTP fill the entry's;
//! a TOTP Baton cannot read is kept as the concealed field `totp` with a
//! warning. Secure notes are entries with notes. Cards become concealed
//! fields `number` and `code` and plain `cardholder`, `brand`, `expiry`.
//! Identities become fields (SSN, passport and licence numbers concealed),
//! their e-mail the entry's identity. Hidden custom fields are concealed,
//! linked ones (which only point at another field) are left out with a
//! warning. A login's passkeys (`fido2Credentials`) are left out with a
//! warning naming the item and how many there were: Baton cannot use
//! them, and their contents (private keys) are never read into an entry.
//! `favorite` becomes the tag `favorite`. Items in the trash are skipped.
//! An encrypted export is refused: Baton cannot decrypt it.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::baton_json::json_error;
use super::{ImportError, Imported, Item, Skipped};
use crate::secret::Concealed;
use crate::totp::Totp;
use crate::vault::{CustomField, Entry, EntryId, HistoryItem};

/// Who created and changed an imported entry: no member of this vault.
const FROM_FILE: crate::format::MemberId = 0;

#[derive(Deserialize)]
struct Head {
    encrypted: Option<bool>,
    #[serde(rename = "passwordProtected")]
    password_protected: Option<bool>,
}

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    folders: Option<Vec<Folder>>,
    #[serde(default)]
    collections: Option<Vec<Folder>>,
    items: Vec<BwItem>,
}

#[derive(Deserialize)]
struct Folder {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BwItem {
    #[serde(rename = "type")]
    kind: u8,
    name: Option<String>,
    notes: Option<Concealed>,
    folder_id: Option<String>,
    collection_ids: Option<Vec<String>>,
    favorite: Option<bool>,
    creation_date: Option<String>,
    revision_date: Option<String>,
    deleted_date: Option<String>,
    fields: Option<Vec<BwField>>,
    password_history: Option<Vec<BwHistory>>,
    login: Option<Login>,
    card: Option<Card>,
    identity: Option<Identity>,
    ssh_key: Option<SshKey>,
    #[serde(rename = "secureNote")]
    _secure_note: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct BwField {
    name: Option<String>,
    value: Option<Concealed>,
    #[serde(rename = "type")]
    kind: u8,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BwHistory {
    password: Option<Concealed>,
    last_used_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Login {
    username: Option<String>,
    password: Option<Concealed>,
    totp: Option<Concealed>,
    uris: Option<Vec<Uri>>,
    password_revision_date: Option<String>,
    /// Passkeys: only counted, each skipped unread.
    #[serde(rename = "fido2Credentials")]
    fido2_credentials: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct Uri {
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Card {
    cardholder_name: Option<String>,
    brand: Option<String>,
    number: Option<Concealed>,
    exp_month: Option<String>,
    exp_year: Option<String>,
    code: Option<Concealed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    title: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    username: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    address3: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    ssn: Option<Concealed>,
    passport_number: Option<Concealed>,
    license_number: Option<Concealed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SshKey {
    private_key: Option<Concealed>,
    public_key: Option<String>,
    key_fingerprint: Option<String>,
}

/// Parses a Bitwarden unencrypted JSON export. `now` stamps entries whose
/// dates are missing; `rng` makes entry ids.
pub fn parse(
    text: &str,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<Imported, ImportError> {
    let what = "the Bitwarden export";
    let head: Head = serde_json::from_str(text).map_err(|e| json_error(what, &e))?;
    if head.encrypted == Some(true) || head.password_protected == Some(true) {
        return Err(ImportError::Malformed(
            "this Bitwarden export is encrypted; export it unencrypted (File → Export vault, \
             file format \".json\", not \".json (Encrypted)\") and import that file, then \
             delete it"
                .into(),
        ));
    }
    let file: Export = serde_json::from_str(text).map_err(|e| json_error(what, &e))?;

    let folders: HashMap<String, String> = file
        .folders
        .iter()
        .chain(file.collections.iter())
        .flatten()
        .map(|f| (f.id.clone(), clean_group(&f.name)))
        .collect();
    let mut out = Imported {
        groups: file.folders.as_ref().map_or(0, Vec::len)
            + file.collections.as_ref().map_or(0, Vec::len),
        ..Imported::default()
    };
    for (i, item) in file.items.into_iter().enumerate() {
        convert(i + 1, item, &folders, now, rng, &mut out);
    }
    Ok(out)
}

/// A folder name as a Baton group path: `/`-separated, no empty parts.
fn clean_group(name: &str) -> String {
    name.split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

fn time(s: Option<&str>) -> Option<i64> {
    s.and_then(|s| crate::dates::parse(s).ok())
}

fn text(s: Option<String>) -> String {
    s.map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn plain(entry: &mut Entry, name: &str, value: Option<String>) {
    let value = text(value);
    if !value.is_empty() {
        entry.fields.push(CustomField {
            stamp: None,
            name: name.into(),
            value: Concealed::new(value),
            concealed: false,
        });
    }
}

fn secret(entry: &mut Entry, name: &str, value: Option<Concealed>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        entry.fields.push(CustomField {
            stamp: None,
            name: name.into(),
            value,
            concealed: true,
        });
    }
}

fn convert(
    n: usize,
    item: BwItem,
    folders: &HashMap<String, String>,
    now: i64,
    rng: &mut impl rand::CryptoRng,
    out: &mut Imported,
) {
    let title = text(item.name);
    let label = if title.is_empty() {
        format!("item {n}")
    } else {
        format!("item {n} {title:?}")
    };
    if title.is_empty() {
        out.skipped.push(Skipped {
            what: label,
            why: "it has no name".into(),
        });
        return;
    }
    if item.deleted_date.is_some() {
        out.skipped.push(Skipped {
            what: label,
            why: "it is in Bitwarden's trash".into(),
        });
        return;
    }
    if !(1..=5).contains(&item.kind) {
        out.skipped.push(Skipped {
            what: label,
            why: format!("Bitwarden item type {} is not one Baton knows", item.kind),
        });
        return;
    }

    let collections = item.collection_ids.unwrap_or_default();
    if collections.len() > 1 {
        out.warnings.push(format!(
            "{label} is in {} collections; it was put in the first",
            collections.len()
        ));
    }
    let group_id = item.folder_id.or_else(|| collections.into_iter().next());
    let group = match group_id {
        Some(id) => match folders.get(&id) {
            Some(name) => name.clone(),
            None => {
                out.warnings.push(format!(
                    "{label} names a folder the file does not list; it was put at the top level"
                ));
                String::new()
            }
        },
        None => String::new(),
    };

    let created = time(item.creation_date.as_deref()).unwrap_or(now);
    let mut entry = Entry::new(EntryId::random(rng), title, created, FROM_FILE);
    entry.modified_at = time(item.revision_date.as_deref()).unwrap_or(created);
    entry.password_changed_at = created;
    if let Some(notes) = item.notes {
        entry.notes = notes;
    }
    if item.favorite == Some(true) {
        entry.tags.push("favorite".into());
    }

    if let Some(login) = item.login {
        let passkeys = login.fido2_credentials.as_ref().map_or(0, Vec::len);
        if passkeys > 0 {
            let plural = if passkeys == 1 { "" } else { "s" };
            out.warnings.push(format!(
                "{label}: {passkeys} passkey{plural} not imported (Baton cannot store passkeys)"
            ));
        }
        entry.username = text(login.username);
        if let Some(p) = login.password {
            entry.password = p;
        }
        if let Some(t) = time(login.password_revision_date.as_deref()) {
            entry.password_changed_at = t;
        }
        entry.urls = login
            .uris
            .into_iter()
            .flatten()
            .filter_map(|u| u.uri)
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        if let Some(t) = login.totp.filter(|t| !t.is_empty()) {
            match Totp::parse(t.expose()) {
                Ok(totp) => entry.totp = Some(totp),
                Err(e) => {
                    out.warnings.push(format!(
                        "{label}: its TOTP setting cannot be used ({e}); it was kept as the \
                         concealed field \"totp\""
                    ));
                    secret(&mut entry, "totp", Some(t));
                }
            }
        }
    }
    if let Some(card) = item.card {
        plain(&mut entry, "cardholder", card.cardholder_name);
        plain(&mut entry, "brand", card.brand);
        secret(&mut entry, "number", card.number);
        let month = text(card.exp_month);
        let year = text(card.exp_year);
        let expiry = match (month.is_empty(), year.is_empty()) {
            (false, false) => format!("{month:0>2}/{year}"),
            _ => format!("{month}{year}"),
        };
        plain(&mut entry, "expiry", Some(expiry));
        secret(&mut entry, "code", card.code);
    }
    if let Some(id) = item.identity {
        let name = [id.title, id.first_name, id.middle_name, id.last_name]
            .into_iter()
            .map(text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        plain(&mut entry, "name", Some(name));
        plain(&mut entry, "company", id.company);
        let email = text(id.email);
        if !email.is_empty() {
            entry.identity = Some(email.clone());
        }
        plain(&mut entry, "email", Some(email));
        plain(&mut entry, "phone", id.phone);
        if entry.username.is_empty() {
            entry.username = text(id.username);
        }
        let address = [id.address1, id.address2, id.address3]
            .into_iter()
            .map(text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        plain(&mut entry, "address", Some(address));
        plain(&mut entry, "city", id.city);
        plain(&mut entry, "state", id.state);
        plain(&mut entry, "postal code", id.postal_code);
        plain(&mut entry, "country", id.country);
        secret(&mut entry, "ssn", id.ssn);
        secret(&mut entry, "passport number", id.passport_number);
        secret(&mut entry, "license number", id.license_number);
    }
    if let Some(key) = item.ssh_key {
        secret(&mut entry, "private key", key.private_key);
        plain(&mut entry, "public key", key.public_key);
        plain(&mut entry, "fingerprint", key.key_fingerprint);
    }

    for (i, f) in item.fields.into_iter().flatten().enumerate() {
        let name = text(f.name);
        let name = if name.is_empty() {
            format!("field {}", i + 1)
        } else {
            name
        };
        match f.kind {
            3 => out.warnings.push(format!(
                "{label}: the linked field {name:?} only points at another field; left out"
            )),
            kind => entry.fields.push(CustomField {
                stamp: None,
                name,
                value: f.value.unwrap_or_else(|| Concealed::of("")),
                // Text (0) and boolean (2) are plain; hidden (1) and any
                // kind Baton does not know are concealed.
                concealed: !matches!(kind, 0 | 2),
            }),
        }
    }

    let mut history: Vec<HistoryItem> = item
        .password_history
        .into_iter()
        .flatten()
        .filter_map(|h| {
            let password = h.password.filter(|p| !p.is_empty())?;
            Some(HistoryItem {
                value: password,
                replaced_at: time(h.last_used_date.as_deref()).unwrap_or(created),
                replaced_by: FROM_FILE,
                field: None,
            })
        })
        .collect();
    history.sort_by_key(|h| h.replaced_at);
    entry.history = history;

    entry.rescore();
    out.items.push(Item { group, entry });
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    const NOW: i64 = 1_790_000_000;

    /// Shaped like a real export from Bitwarden's web vault (2024–2025),
    /// including keys Baton does not read.
    const EXPORT: &str = r#"{
  "encrypted": false,
  "folders": [
    {"id": "3b3f2c8a-1d4e-4c7a-9a5b-0f6e2d1c9b8a", "name": "Clients/Acme"},
    {"id": "7c1d9e2f-5a6b-4c3d-8e7f-1a2b3c4d5e6f", "name": "Personal"}
  ],
  "items": [
    {
      "passwordHistory": [
        {"lastUsedDate": "2024-03-01T10:00:00.000Z", "password": "OldHunter2!"}
      ],
      "revisionDate": "2024-05-02T08:30:00.123Z",
      "creationDate": "2023-11-20T12:00:00.000Z",
      "deletedDate": null,
      "id": "a1b2c3d4-0000-4000-8000-000000000001",
      "organizationId": null,
      "folderId": "3b3f2c8a-1d4e-4c7a-9a5b-0f6e2d1c9b8a",
      "type": 1,
      "reprompt": 0,
      "name": "Acme admin portal",
      "notes": "Shared with the on-call contractor.\nRotate after each visit.",
      "favorite": true,
      "fields": [
        {"name": "Recovery PIN", "value": "938271", "type": 1, "linkedId": null},
        {"name": "Tenant", "value": "acme-prod", "type": 0, "linkedId": null},
        {"name": "MFA enforced", "value": "true", "type": 2, "linkedId": null},
        {"name": "Username", "value": null, "type": 3, "linkedId": 100}
      ],
      "login": {
        "fido2Credentials": [],
        "uris": [
          {"match": null, "uri": "https://admin.acme.example/login"},
          {"match": 1, "uri": "acme.example"}
        ],
        "username": "it@acme.example",
        "password": "Xr7$kq2!Vb9#mWd4",
        "totp": "otpauth://totp/Acme:it%40acme.example?secret=JBSWY3DPEHPK3PXP&issuer=Acme",
        "passwordRevisionDate": "2024-03-01T10:00:00.000Z"
      },
      "collectionIds": null
    },
    {
      "revisionDate": "2024-01-01T00:00:00.000Z",
      "creationDate": "2024-01-01T00:00:00.000Z",
      "deletedDate": null,
      "id": "a1b2c3d4-0000-4000-8000-000000000002",
      "organizationId": null,
      "folderId": null,
      "type": 2,
      "reprompt": 0,
      "name": "Alarm codes",
      "notes": "Front door: 4481\nBack door: 9902",
      "favorite": false,
      "secureNote": {"type": 0},
      "collectionIds": null
    },
    {
      "revisionDate": "2024-02-01T00:00:00.000Z",
      "creationDate": "2024-02-01T00:00:00.000Z",
      "deletedDate": null,
      "id": "a1b2c3d4-0000-4000-8000-000000000003",
      "folderId": "7c1d9e2f-5a6b-4c3d-8e7f-1a2b3c4d5e6f",
      "type": 3,
      "reprompt": 0,
      "name": "Company Visa",
      "notes": null,
      "favorite": false,
      "card": {
        "cardholderName": "Jane Q Owner",
        "brand": "Visa",
        "number": "4111111111111111",
        "expMonth": "7",
        "expYear": "2027",
        "code": "123"
      },
      "collectionIds": null
    },
    {
      "revisionDate": "2024-02-01T00:00:00.000Z",
      "creationDate": "2024-02-01T00:00:00.000Z",
      "deletedDate": null,
      "id": "a1b2c3d4-0000-4000-8000-000000000004",
      "folderId": "7c1d9e2f-5a6b-4c3d-8e7f-1a2b3c4d5e6f",
      "type": 4,
      "reprompt": 0,
      "name": "Jane's identity",
      "notes": null,
      "favorite": false,
      "identity": {
        "title": "Ms", "firstName": "Jane", "middleName": null, "lastName": "Owner",
        "address1": "1 Main St", "address2": "Suite 2", "address3": null,
        "city": "Springfield", "state": "IL", "postalCode": "62701", "country": "US",
        "company": "Acme", "email": "jane@acme.example", "phone": "+1 555 0100",
        "ssn": "078-05-1120", "username": "jowner",
        "passportNumber": "X1234567", "licenseNumber": null
      },
      "collectionIds": null
    },
    {
      "revisionDate": "2024-02-01T00:00:00.000Z",
      "creationDate": "2024-02-01T00:00:00.000Z",
      "deletedDate": "2024-06-01T00:00:00.000Z",
      "folderId": null,
      "type": 1,
      "name": "Old thing",
      "login": {"username": "x", "password": "y", "uris": [], "totp": null}
    }
  ]
}"#;

    fn run(text: &str) -> Result<Imported, ImportError> {
        parse(text, NOW, &mut StdRng::seed_from_u64(7))
    }

    fn find<'a>(got: &'a Imported, title: &str) -> &'a Item {
        got.items
            .iter()
            .find(|i| i.entry.title == title)
            .unwrap_or_else(|| panic!("{title} imported"))
    }

    fn field<'a>(e: &'a Entry, name: &str) -> &'a CustomField {
        e.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("field {name}"))
    }

    #[test]
    fn login_with_hidden_field_and_secure_note() {
        let got = run(EXPORT).expect("parses");
        assert_eq!(got.items.len(), 4);
        assert_eq!(got.groups, 2);
        let item = find(&got, "Acme admin portal");
        let e = &item.entry;
        assert_eq!(item.group, "Clients/Acme");
        assert_eq!(e.username, "it@acme.example");
        assert_eq!(e.password.expose(), "Xr7$kq2!Vb9#mWd4");
        assert_eq!(e.urls, ["https://admin.acme.example/login", "acme.example"]);
        assert!(e.notes.expose().contains("Rotate after each visit."));
        assert_eq!(e.tags, ["favorite"]);
        let totp = e.totp.as_ref().expect("totp");
        assert_eq!(totp.issuer.as_deref(), Some("Acme"));
        let pin = field(e, "Recovery PIN");
        assert!(pin.concealed);
        assert_eq!(pin.value.expose(), "938271");
        assert!(!field(e, "Tenant").concealed);
        assert!(!field(e, "MFA enforced").concealed);
        assert_eq!(e.fields.len(), 3, "the linked field is left out");
        assert!(got.warnings.iter().any(|w| w.contains("linked field")));
        assert_eq!(e.history.len(), 1);
        assert_eq!(e.history[0].value.expose(), "OldHunter2!");
        assert_eq!(
            e.created_at,
            crate::dates::parse("2023-11-20T12:00:00Z").expect("date")
        );
        assert_eq!(
            e.modified_at,
            crate::dates::parse("2024-05-02T08:30:00Z").expect("date")
        );
        assert_eq!(
            e.password_changed_at,
            crate::dates::parse("2024-03-01T10:00:00Z").expect("date")
        );
        assert!(e.strength.is_some(), "rescored");

        let note = find(&got, "Alarm codes");
        assert_eq!(note.group, "");
        assert_eq!(
            note.entry.notes.expose(),
            "Front door: 4481\nBack door: 9902"
        );
        assert!(note.entry.password.is_empty());

        assert_eq!(got.skipped.len(), 1);
        assert_eq!(got.skipped[0].what, "item 5 \"Old thing\"");
        assert!(got.skipped[0].why.contains("trash"));
    }

    #[test]
    fn card_and_identity_become_fields() {
        let got = run(EXPORT).expect("parses");
        let card = find(&got, "Company Visa");
        assert_eq!(card.group, "Personal");
        let c = &card.entry;
        assert!(field(c, "number").concealed);
        assert_eq!(field(c, "number").value.expose(), "4111111111111111");
        assert!(field(c, "code").concealed);
        assert_eq!(field(c, "expiry").value.expose(), "07/2027");
        assert!(!field(c, "expiry").concealed);
        assert_eq!(field(c, "cardholder").value.expose(), "Jane Q Owner");
        assert!(!field(c, "brand").concealed);

        let id = &find(&got, "Jane's identity").entry;
        assert_eq!(id.identity.as_deref(), Some("jane@acme.example"));
        assert_eq!(id.username, "jowner");
        assert_eq!(field(id, "name").value.expose(), "Ms Jane Owner");
        assert_eq!(field(id, "address").value.expose(), "1 Main St\nSuite 2");
        assert!(field(id, "ssn").concealed);
        assert!(field(id, "passport number").concealed);
        assert!(!field(id, "phone").concealed);
        assert!(id.fields.iter().all(|f| f.name != "license number"));
    }

    #[test]
    fn encrypted_export_is_refused() {
        let e = run(r#"{"encrypted": true, "encKeyValidation_DO_NOT_EDIT": "2.abc|def", "folders": [], "items": []}"#)
            .err()
            .expect("refused")
            .to_string();
        assert!(
            e.contains("this Bitwarden export is encrypted; export it unencrypted"),
            "{e}"
        );
        let e = run(
            r#"{"encrypted": true, "passwordProtected": true, "salt": "x", "data": "2.a|b|c"}"#,
        )
        .err()
        .expect("refused")
        .to_string();
        assert!(e.contains("encrypted"), "{e}");
    }

    #[test]
    fn bad_totp_is_kept_concealed_with_a_warning() {
        let text = EXPORT.replace(
            "otpauth://totp/Acme:it%40acme.example?secret=JBSWY3DPEHPK3PXP&issuer=Acme",
            "steam://ABCDEF0123",
        );
        let got = run(&text).expect("parses");
        let e = &find(&got, "Acme admin portal").entry;
        assert!(e.totp.is_none());
        let f = field(e, "totp");
        assert!(f.concealed);
        assert_eq!(f.value.expose(), "steam://ABCDEF0123");
        let w = got
            .warnings
            .iter()
            .find(|w| w.contains("TOTP"))
            .expect("warning");
        assert!(!w.contains("ABCDEF0123"), "{w}");
    }

    #[test]
    fn passkeys_are_reported_by_item_and_count_without_key_material() {
        // Shaped like Bitwarden's export of a login holding passkeys; the
        // key and ids are made up, and must appear in no warning.
        let credential = |id: &str| {
            format!(
                r#"{{"credentialId": "{id}", "keyType": "public-key",
                    "keyAlgorithm": "ECDSA", "keyCurve": "P-256",
                    "keyValue": "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPASSKEY-PRIVATE-{id}",
                    "rpId": "login.acme.example", "userHandle": "dXNlci1oYW5kbGUt{id}",
                    "userName": "it@acme.example", "counter": "0", "rpName": "Acme",
                    "userDisplayName": "IT", "discoverable": "true",
                    "creationDate": "2024-04-01T09:00:00.000Z"}}"#
            )
        };
        let text = format!(
            r#"{{"encrypted": false, "folders": [], "items": [
              {{"type": 1, "name": "Acme SSO", "login": {{"username": "it@acme.example",
                "password": "sso-pass", "uris": null, "totp": null,
                "fido2Credentials": [{}, {}]}}}},
              {{"type": 1, "name": "Bank", "login": {{"username": "boss", "password": "b",
                "fido2Credentials": [{}]}}}},
              {{"type": 1, "name": "Router", "login": {{"username": "admin", "password": "r",
                "fido2Credentials": null}}}}]}}"#,
            credential("CRED-ID-1"),
            credential("CRED-ID-2"),
            credential("CRED-ID-3"),
        );
        let got = run(&text).expect("parses");
        assert_eq!(got.items.len(), 3, "the logins themselves are imported");
        assert_eq!(find(&got, "Acme SSO").entry.password.expose(), "sso-pass");
        let passkeys: Vec<&String> = got
            .warnings
            .iter()
            .filter(|w| w.contains("passkey"))
            .collect();
        assert_eq!(passkeys.len(), 2, "one warning per item: {passkeys:?}");
        let (sso, bank) = (passkeys[0], passkeys[1]);
        assert!(sso.contains("\"Acme SSO\""), "{sso}");
        assert!(sso.contains("2 passkeys not imported"), "{sso}");
        assert!(bank.contains("\"Bank\""), "{bank}");
        assert!(bank.contains("1 passkey not imported"), "{bank}");
        for w in &got.warnings {
            for secret in ["PASSKEY-PRIVATE", "CRED-ID", "dXNlci1oYW5kbGUt", "MIGHAgEA"] {
                assert!(!w.contains(secret), "{w}");
            }
        }
        for item in &got.items {
            for f in &item.entry.fields {
                assert!(!f.value.expose().contains("PASSKEY-PRIVATE"), "{}", f.name);
            }
        }
        // An empty list, as most exports carry, is no passkey.
        let got = run(EXPORT).expect("parses");
        assert!(
            got.warnings.iter().all(|w| !w.contains("passkey")),
            "{:?}",
            got.warnings
        );
    }

    #[test]
    fn organization_export_uses_collections() {
        let text = r#"{"encrypted": false,
          "collections": [{"id": "c1", "organizationId": "o", "name": "Shared/IT", "externalId": null}],
          "items": [{"type": 1, "name": "Router", "collectionIds": ["c1"], "folderId": null,
                     "login": {"username": "admin", "password": "p", "uris": null, "totp": null}}]}"#;
        let got = run(text).expect("parses");
        assert_eq!(got.items[0].group, "Shared/IT");
        assert_eq!(got.groups, 1);
    }

    #[test]
    fn no_secret_in_error_messages() {
        // The password where a number belongs, and a number where a string belongs.
        let bad = EXPORT.replace("\"type\": 3,", "\"type\": \"Xr7$kq2!Vb9#mWd4\",");
        let e = run(&bad).err().expect("refused").to_string();
        assert!(!e.contains("Xr7$kq2"), "{e}");
        let bad = EXPORT.replace("\"Xr7$kq2!Vb9#mWd4\"", "31415926535897");
        let e = run(&bad).err().expect("refused").to_string();
        assert!(!e.contains("31415926535897"), "{e}");
        assert!(e.contains("line"), "{e}");
    }

    #[test]
    fn truncations_never_panic_or_leak() {
        let whole = EXPORT.trim_end();
        for (cut, _) in whole.char_indices() {
            let e = run(&whole[..cut])
                .err()
                .expect("a cut file is refused")
                .to_string();
            assert!(!e.contains("Xr7$kq2") && !e.contains("938271"), "{e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_items_never_panic(s in ".{0,200}") {
            let _ = run(&s);
            let _ = run(&format!(r#"{{"encrypted":false,"items":[{s}]}}"#));
            let _ = run(&format!(r#"{{"items":[{{"type":1,"name":"x","login":{{{s}}}}}]}}"#));
        }
    }
}
