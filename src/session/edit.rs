//! Entry changes, whoever asks for them: an [`EntryEdit`] is a plain
//! description of what to set (secret values in secret types), checked
//! whole before anything changes and then applied
//! to a new or existing entry in a session, with the log record that goes
//! with the change. The front ends only fill the struct in — from flags or
//! from a form — and name a refused value their own way ([`EditField`]).

use super::{Error, Result, Session};
use crate::audit::{Action, Draft, Field};
use crate::secret::Concealed;
use crate::totp::Totp;
use crate::vault::{self, BackupCode, CustomField, Entry, EntryId, EntryRef, Vault};

/// The group used when an added entry names none.
pub const DEFAULT_GROUP: &str = "General";

/// What to change on an entry. `None` (or an empty list where noted)
/// leaves a value as it is.
#[derive(Default)]
pub struct EntryEdit {
    /// A new title (trimmed; not empty).
    pub title: Option<String>,
    /// Move to (or, for a new entry, add to) this group.
    pub group: Option<String>,
    pub username: Option<String>,
    /// `Some(empty)` clears the URLs.
    pub urls: Option<Vec<String>>,
    pub notes: Option<Concealed>,
    /// `Some(empty)` clears the tags.
    pub tags: Option<Vec<String>>,
    /// The e-mail the service account is registered to; empty clears it.
    pub identity: Option<String>,
    /// An otpauth URI or a base32 seed, as given.
    pub totp: Option<Concealed>,
    pub clear_totp: bool,
    /// Replaces every backup code.
    pub backup_codes: Option<Vec<Concealed>>,
    /// Days between rotations; 0 clears it.
    pub rotate_days: Option<u32>,
    /// When the account expires, as a date the member typed.
    pub expires: Option<String>,
    /// Custom fields to set: name, value, concealed.
    pub fields: Vec<(String, Concealed, bool)>,
    /// Custom fields to remove, by name.
    pub remove_fields: Vec<String>,
    pub password: Option<Concealed>,
}

/// The value of an [`EntryEdit`] that was refused, so that the command
/// line can name its flag and the form its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditField {
    Title,
    Group,
    Username,
    Url,
    Tag,
    Identity,
    Totp,
    BackupCodes,
    Expires,
    CustomField,
    /// A concealed custom field.
    SecretField,
    /// A custom field to remove.
    RemoveField,
}

impl EditField {
    /// The field's name as a form shows it.
    pub fn label(self) -> &'static str {
        match self {
            EditField::Title => "title",
            EditField::Group => "group",
            EditField::Username => "username",
            EditField::Url => "URL",
            EditField::Tag => "tag",
            EditField::Identity => "identity",
            EditField::Totp => "TOTP",
            EditField::BackupCodes => "backup codes",
            EditField::Expires => "expiry",
            EditField::CustomField => "custom field",
            EditField::SecretField => "concealed field",
            EditField::RemoveField => "field to remove",
        }
    }
}

/// Why an [`EntryEdit`] was refused; nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {why}", field.label())]
pub struct EditError {
    pub field: EditField,
    pub why: String,
}

fn refuse(field: EditField, why: impl Into<String>) -> EditError {
    EditError {
        field,
        why: why.into(),
    }
}

/// A name or label: no direction control or invisible character (which
/// would make it read as another name, or two names that look alike
/// differ; `text::hidden_char`).
fn no_hidden(field: EditField, value: &str) -> std::result::Result<(), EditError> {
    match crate::text::refuse_hidden(value) {
        Some(why) => Err(refuse(field, why)),
        None => Ok(()),
    }
}

/// A value shown on screen: no control characters (which could drive a
/// terminal when the value is listed), no direction control or invisible
/// character unless the entry holds the value already (`kept`: an
/// imported one, which is shown escaped), and not overlong.
fn plain_text(
    field: EditField,
    value: &str,
    max_chars: usize,
    kept: bool,
) -> std::result::Result<(), EditError> {
    if value.chars().any(char::is_control) {
        return Err(refuse(field, "must not contain control characters"));
    }
    if !kept {
        no_hidden(field, value)?;
    }
    if value.chars().count() > max_chars {
        return Err(refuse(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    Ok(())
}

fn is_builtin_field(name: &str) -> bool {
    ["password", "username", "totp", "notes", "url", "title"]
        .iter()
        .any(|b| b.eq_ignore_ascii_case(name))
}

/// An e-mail address: `local@domain.tld`, no spaces, control, direction
/// control or invisible characters.
pub fn valid_email(s: &str) -> bool {
    if s.chars().any(char::is_control) || crate::text::hidden_char(s).is_some() || s.len() > 320 {
        return false;
    }
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// The values of an edit that need parsing, parsed once by
/// [`EntryEdit::check`].
struct Checked {
    title: Option<String>,
    tags: Option<Vec<String>>,
    identity: Option<Option<String>>,
    totp: Option<Totp>,
    expires: Option<i64>,
}

impl EntryEdit {
    /// Checks every value; `Err` names the first refused one. Nothing is
    /// changed by a check. `current` is the entry edited and its group's
    /// name: a value it holds already is not refused for a direction
    /// control or an invisible character (an imported entry stays
    /// editable; such values are shown escaped).
    fn check(&self, current: Option<(&Entry, &str)>) -> std::result::Result<Checked, EditError> {
        let e = current.map(|(e, _)| e);
        let title = match &self.title {
            Some(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return Err(refuse(EditField::Title, "cannot be empty"));
                }
                if e.is_none_or(|e| e.title != t) {
                    no_hidden(EditField::Title, t)?;
                }
                Some(t.to_owned())
            }
            None => None,
        };
        if let Some(g) = &self.group
            && current.is_none_or(|(_, group)| group != g.trim())
        {
            // An empty or malformed path is the vault's to refuse.
            no_hidden(EditField::Group, g)?;
        }
        if let Some(u) = &self.username {
            plain_text(
                EditField::Username,
                u,
                500,
                e.is_some_and(|e| &e.username == u),
            )?;
        }
        for u in self.urls.iter().flatten() {
            plain_text(
                EditField::Url,
                u,
                2000,
                e.is_some_and(|e| e.urls.contains(u)),
            )?;
        }
        let tags = match &self.tags {
            Some(list) => {
                let mut tags: Vec<String> = Vec::new();
                for t in list {
                    let kept = e.is_some_and(|e| e.tags.iter().any(|x| x == t.trim()));
                    plain_text(EditField::Tag, t, 100, kept)?;
                    let t = t.trim();
                    if !t.is_empty() && !tags.iter().any(|x| x == t) {
                        tags.push(t.to_owned());
                    }
                }
                Some(tags)
            }
            None => None,
        };
        let identity = match &self.identity {
            Some(id) => {
                let id = id.trim();
                if id.is_empty() {
                    Some(None)
                } else if valid_email(id) {
                    Some(Some(id.to_owned()))
                } else {
                    return Err(refuse(
                        EditField::Identity,
                        format!("{id:?} is not an e-mail address"),
                    ));
                }
            }
            None => None,
        };
        let totp = match &self.totp {
            Some(t) => {
                Some(Totp::parse(t.expose()).map_err(|e| refuse(EditField::Totp, e.to_string()))?)
            }
            None => None,
        };
        if self.backup_codes.as_ref().is_some_and(Vec::is_empty) {
            return Err(refuse(EditField::BackupCodes, "there are no codes"));
        }
        let expires = match &self.expires {
            Some(d) => Some(
                crate::dates::parse(d).map_err(|e| refuse(EditField::Expires, e.to_string()))?,
            ),
            None => None,
        };
        for (name, _, concealed) in &self.fields {
            let field = if *concealed {
                EditField::SecretField
            } else {
                EditField::CustomField
            };
            let name = name.trim();
            let kept = e.is_some_and(|e| e.fields.iter().any(|f| f.name == name));
            plain_text(field, name, 100, kept)?;
            if name.is_empty() || is_builtin_field(name) {
                return Err(refuse(
                    field,
                    format!("{name:?} cannot be a custom field name"),
                ));
            }
        }
        Ok(Checked {
            title,
            tags,
            identity,
            totp,
            expires,
        })
    }

    /// Applies a checked edit to `e`; `is_new` sets the password without
    /// keeping the (empty) old one in history.
    fn apply(self, c: Checked, e: &mut Entry, now: i64, me: u32, is_new: bool) {
        if let Some(t) = c.title {
            e.title = t;
        }
        if let Some(u) = self.username {
            e.username = u;
        }
        if let Some(urls) = self.urls {
            e.urls = urls;
        }
        if let Some(n) = self.notes {
            e.notes = n;
        }
        if let Some(tags) = c.tags {
            e.tags = tags;
        }
        if let Some(id) = c.identity {
            e.identity = id;
        }
        if self.clear_totp {
            e.totp = None;
        }
        if let Some(t) = c.totp {
            e.totp = Some(t);
        }
        if let Some(codes) = self.backup_codes {
            e.backup_codes = codes
                .into_iter()
                .map(|code| BackupCode {
                    code,
                    used_at: None,
                    used_by: None,
                })
                .collect();
        }
        if let Some(n) = self.rotate_days {
            e.rotate_days = (n > 0).then_some(n);
        }
        if let Some(t) = c.expires {
            e.expires_at = Some(t);
        }
        for name in &self.remove_fields {
            e.fields.retain(|f| &f.name != name);
        }
        for (name, value, concealed) in self.fields {
            let name = name.trim();
            if let Some(existing) = e.fields.iter_mut().find(|x| x.name == name) {
                existing.value = value;
                existing.concealed = concealed;
            } else {
                e.fields.push(CustomField {
                    stamp: None,
                    name: name.to_owned(),
                    value,
                    concealed,
                });
            }
        }
        if let Some(p) = self.password {
            if is_new {
                e.password = p;
                e.password_changed_at = now;
            } else {
                e.set_password(p, now, me);
            }
        }
        // The score weighs the password against the title and username,
        // which may have changed too.
        e.rescore();
    }
}

/// A record about one entry, with its title and group sealed for the log
/// key's holders.
pub fn entry_draft(
    v: &Vault,
    r: EntryRef,
    action: Action,
    field: Option<Field>,
    now: i64,
) -> Draft {
    Draft {
        entry: Some(v.entry(r).id.0),
        group: Some(v.group_id(r)),
        field,
        details: Some(v.details_for(r)),
        ..Draft::new(now, action)
    }
}

fn refuse_auditor(s: &Session) -> Result<()> {
    super::refuse_auditor(&s.vault)
}

/// Adds an entry titled `title` (to `edit.group`, else [`DEFAULT_GROUP`])
/// with an `add` record; not saved. Every value is checked first, so a
/// refusal changes nothing.
pub fn add_entry(
    s: &mut Session,
    title: &str,
    mut edit: EntryEdit,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<EntryRef> {
    refuse_auditor(s)?;
    let title = title.trim();
    no_hidden(EditField::Title, title).map_err(Error::Edit)?;
    vault::validate_title(title)?;
    edit.title = None;
    let checked = edit.check(None).map_err(Error::Edit)?;
    // The vault checks the group's name (an empty one is refused).
    let group = edit
        .group
        .take()
        .unwrap_or_else(|| DEFAULT_GROUP.to_owned());
    let me = s.vault.me().id;
    let mut e = Entry::new(EntryId::random(rng), title.to_owned(), now, me);
    edit.apply(checked, &mut e, now, me, true);
    let r = s.vault.add(&group, e, rng)?;
    s.vault
        .note(entry_draft(&s.vault, r, Action::Add, None, now));
    Ok(r)
}

/// Changes the entry `r` (moving it when `edit.group` names another
/// group) with an `edit` record that says whether the password changed;
/// not saved. Every value is checked first, so a refusal changes nothing.
/// Returns where the entry is now.
pub fn edit_entry(
    s: &mut Session,
    r: EntryRef,
    edit: EntryEdit,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<EntryRef> {
    refuse_auditor(s)?;
    let checked = edit
        .check(Some((s.vault.entry(r), s.vault.group_name(r))))
        .map_err(Error::Edit)?;
    if let Some(t) = &checked.title {
        vault::validate_title(t)?;
    }
    {
        let e = s.vault.entry(r);
        if let Some(missing) = edit
            .remove_fields
            .iter()
            .find(|n| !e.fields.iter().any(|f| &&f.name == n))
        {
            return Err(Error::Edit(refuse(
                EditField::RemoveField,
                format!("{} has no field {missing:?}", e.title),
            )));
        }
    }
    // Moving into the group it is in changes nothing; the vault refuses an
    // empty or malformed name.
    let r = match edit.group.as_deref() {
        Some(g) => s.vault.move_entry(r, g, now, rng)?,
        None => r,
    };
    let me = s.vault.me().id;
    let password_before = s.vault.entry(r).password.duplicate();
    s.vault
        .edit(r, now, |e| edit.apply(checked, e, now, me, false))?;
    let changed = s.vault.entry(r).password != password_before;
    s.vault.note(entry_draft(
        &s.vault,
        r,
        Action::Edit,
        changed.then_some(Field::Password),
        now,
    ));
    Ok(r)
}

/// Removes the entry (the owner keeps it in the history) with a `remove`
/// record; not saved.
pub fn remove_entry(s: &mut Session, r: EntryRef, now: i64) -> Result<()> {
    refuse_auditor(s)?;
    s.vault
        .note(entry_draft(&s.vault, r, Action::Remove, None, now));
    s.vault.remove(r, now)?;
    Ok(())
}

/// Marks backup code `index` (from 0) used with a `code-used` record;
/// not saved. Returns how many unused codes are left.
pub fn mark_code_used(s: &mut Session, r: EntryRef, index: usize, now: i64) -> Result<usize> {
    refuse_auditor(s)?;
    s.vault.mark_code_used(r, index, now)?;
    let mut draft = entry_draft(&s.vault, r, Action::CodeUsed, Some(Field::BackupCodes), now);
    if let Some(d) = draft.details.as_mut() {
        d.note = Some(format!("code {}", index + 1));
    }
    s.vault.note(draft);
    Ok(s.vault.entry(r).unused_codes().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_value_is_named_by_its_field() {
        let edit = EntryEdit {
            identity: Some("nope".into()),
            ..EntryEdit::default()
        };
        let err = edit.check(None).err().expect("refused");
        assert_eq!(err.field, EditField::Identity);
        assert_eq!(
            err.to_string(),
            "identity: \"nope\" is not an e-mail address"
        );
    }

    #[test]
    fn control_characters_and_builtin_names_are_refused() {
        let url = EntryEdit {
            urls: Some(vec!["https://a\u{1b}[2J".into()]),
            ..EntryEdit::default()
        };
        assert_eq!(url.check(None).err().map(|e| e.field), Some(EditField::Url));
        // A concealed field is named as one (the command line: --secret-field).
        let field = EntryEdit {
            fields: vec![("Password".into(), Concealed::of("x"), true)],
            ..EntryEdit::default()
        };
        assert_eq!(
            field.check(None).err().map(|e| e.field),
            Some(EditField::SecretField)
        );
        let field = EntryEdit {
            fields: vec![("Title".into(), Concealed::of("x"), false)],
            ..EntryEdit::default()
        };
        assert_eq!(
            field.check(None).err().map(|e| e.field),
            Some(EditField::CustomField)
        );
        let title = EntryEdit {
            title: Some("  ".into()),
            ..EntryEdit::default()
        };
        assert_eq!(
            title.check(None).err().map(|e| e.field),
            Some(EditField::Title)
        );
    }

    /// The security review's finding 10b: a direction control or an
    /// invisible character is refused in every name or label typed, but a
    /// value the entry already holds (an imported one) is not, so that a
    /// form sending every field back still saves.
    #[test]
    fn direction_controls_are_refused_unless_the_entry_holds_the_value() {
        let refused = |edit: EntryEdit| edit.check(None).err().map(|e| (e.field, e.why));
        let why = "must not contain U+202E, a direction control, which reorders the text around it";
        for (edit, field) in [
            (
                EntryEdit {
                    title: Some("Pay\u{202e}roll".into()),
                    ..EntryEdit::default()
                },
                EditField::Title,
            ),
            (
                EntryEdit {
                    group: Some("Cli\u{202e}ents".into()),
                    ..EntryEdit::default()
                },
                EditField::Group,
            ),
            (
                EntryEdit {
                    tags: Some(vec!["a\u{202e}".into()]),
                    ..EntryEdit::default()
                },
                EditField::Tag,
            ),
        ] {
            assert_eq!(refused(edit), Some((field, why.to_owned())));
        }
        let mut e = Entry::new(EntryId([2; 8]), "Pay\u{202e}roll".into(), 10, 1);
        e.username = "ad\u{200b}min".into();
        let same = EntryEdit {
            title: Some("Pay\u{202e}roll".into()),
            group: Some("Gen\u{2067}eral".into()),
            username: Some("ad\u{200b}min".into()),
            ..EntryEdit::default()
        };
        assert!(same.check(Some((&e, "Gen\u{2067}eral"))).is_ok());
        let changed = EntryEdit {
            username: Some("ad\u{200c}min".into()),
            ..EntryEdit::default()
        };
        assert_eq!(
            changed.check(Some((&e, "General"))).err().map(|e| e.field),
            Some(EditField::Username)
        );
        assert!(!valid_email("it@acme\u{180e}.example"));
    }

    #[test]
    fn an_applied_edit_sets_what_it_names_and_keeps_the_rest() {
        let mut e = Entry::new(EntryId([1; 8]), "Bank".into(), 10, 1);
        e.username = "keep".into();
        e.tags = vec!["old".into()];
        let edit = EntryEdit {
            tags: Some(vec![" a ".into(), "a".into(), "b".into()]),
            rotate_days: Some(30),
            identity: Some("it@firm.example".into()),
            password: Some(Concealed::of("new-password")),
            ..EntryEdit::default()
        };
        let c = edit.check(None).expect("valid");
        edit.apply(c, &mut e, 20, 1, false);
        assert_eq!(e.username, "keep");
        assert_eq!(e.tags, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(e.rotate_days, Some(30));
        assert_eq!(e.identity.as_deref(), Some("it@firm.example"));
        assert_eq!(e.password.expose(), "new-password");
        assert_eq!(e.password_changed_at, 20);
    }
}
