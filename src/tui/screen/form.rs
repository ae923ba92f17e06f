//! The add and edit form of an entry, and where it returns to when it
//! was opened from another view. State, update, view and keys.
use crate::health::Kind;
use crate::text::clean;
use crate::tui::action::Change;
use crate::tui::app::{Screen, SecretInput};
use crate::tui::fields::Fields;
use crate::tui::keys::{Binding, Keys, code};
use crate::tui::screen::handover::checklist_at;
use crate::tui::screen::health::health_at;
use crate::tui::screen::main::{MainScreen, Overlay};
use crate::tui::update::FORM_GENERATE;
use crate::tui::view::{ACCENT, card, hint, hint_owned};
use crate::tui::{App, Effect, Intent, Msg, Now, Outcome, keys, strings};
use crate::vault::{EntryId, EntryRef};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The add or edit form.
pub struct Form {
    /// The entry edited; `None` for a new one.
    pub editing: Option<EntryRef>,
    pub values: EntryForm,
    /// The field that has the focus.
    pub cursor: EntryField,
    pub error: Option<String>,
    /// Waiting for the runtime to save.
    pub saving: bool,
    /// Opened from a handover checklist or the health view: go back to
    /// it when the form closes.
    pub back_to: Option<BackTo>,
}

/// Where an edit form opened from another view returns to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackTo {
    /// This member's checklist, this entry selected.
    Checklist(ChecklistAt),
    /// The health view, recomputed, near this finding.
    Health(HealthAt),
}

/// A place in the health view to come back to: the finding the form was
/// opened for (if it is still there after the save, it is selected; if
/// it is gone, whatever took its row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthAt {
    pub kind: Kind,
    pub entry_id: EntryId,
    pub cursor: usize,
}

/// A place in a handover checklist to come back to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistAt {
    pub member: String,
    pub entry_id: String,
}

/// The entry form's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryField {
    Title,
    Group,
    Username,
    Password,
    Url,
    Identity,
    Tags,
    Totp,
    RotateDays,
    Notes,
}

impl Fields for EntryField {
    const ALL: &'static [Self] = &[
        EntryField::Title,
        EntryField::Group,
        EntryField::Username,
        EntryField::Password,
        EntryField::Url,
        EntryField::Identity,
        EntryField::Tags,
        EntryField::Totp,
        EntryField::RotateDays,
        EntryField::Notes,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        match self {
            EntryField::Title => "Title",
            EntryField::Group => "Group",
            EntryField::Username => "Username",
            EntryField::Password => "Password",
            EntryField::Url => "URL",
            EntryField::Identity => "Identity",
            EntryField::Tags => "Tags",
            EntryField::Totp => "TOTP",
            EntryField::RotateDays => "Rotate days",
            EntryField::Notes => "Notes",
        }
    }
}

pub enum FieldMut<'a> {
    Plain(&'a mut String),
    Secret(&'a mut SecretInput),
}

pub enum FieldRef<'a> {
    Plain(&'a str),
    Secret(&'a SecretInput),
}

impl EntryForm {
    pub fn empty(group: String) -> Self {
        EntryForm {
            title: String::new(),
            group,
            username: String::new(),
            url: String::new(),
            identity: String::new(),
            tags: String::new(),
            rotate_days: String::new(),
            password: SecretInput::new(),
            totp: SecretInput::new(),
            notes: SecretInput::new(),
        }
    }

    pub fn field_mut(&mut self, field: EntryField) -> FieldMut<'_> {
        match field {
            EntryField::Title => FieldMut::Plain(&mut self.title),
            EntryField::Group => FieldMut::Plain(&mut self.group),
            EntryField::Username => FieldMut::Plain(&mut self.username),
            EntryField::Password => FieldMut::Secret(&mut self.password),
            EntryField::Url => FieldMut::Plain(&mut self.url),
            EntryField::Identity => FieldMut::Plain(&mut self.identity),
            EntryField::Tags => FieldMut::Plain(&mut self.tags),
            EntryField::Totp => FieldMut::Secret(&mut self.totp),
            EntryField::RotateDays => FieldMut::Plain(&mut self.rotate_days),
            EntryField::Notes => FieldMut::Secret(&mut self.notes),
        }
    }

    pub fn field(&self, field: EntryField) -> FieldRef<'_> {
        match field {
            EntryField::Title => FieldRef::Plain(&self.title),
            EntryField::Group => FieldRef::Plain(&self.group),
            EntryField::Username => FieldRef::Plain(&self.username),
            EntryField::Password => FieldRef::Secret(&self.password),
            EntryField::Url => FieldRef::Plain(&self.url),
            EntryField::Identity => FieldRef::Plain(&self.identity),
            EntryField::Tags => FieldRef::Plain(&self.tags),
            EntryField::Totp => FieldRef::Secret(&self.totp),
            EntryField::RotateDays => FieldRef::Plain(&self.rotate_days),
            EntryField::Notes => FieldRef::Secret(&self.notes),
        }
    }
}

/// What an add or edit form holds when submitted. For an edit, empty
/// secret fields mean "unchanged".
pub struct EntryForm {
    pub title: String,
    pub group: String,
    pub username: String,
    pub url: String,
    pub identity: String,
    pub tags: String,
    pub rotate_days: String,
    pub password: SecretInput,
    pub totp: SecretInput,
    pub notes: SecretInput,
}

/// The edit form of entry `r`, prefilled with its plain fields; its
/// secret fields start empty ("unchanged").
pub(crate) fn edit_form(m: &MainScreen, r: EntryRef, back_to: Option<BackTo>) -> Form {
    let v = &m.session.vault;
    let e = v.entry(r);
    let mut values = EntryForm::empty(v.group_name(r).to_owned());
    values.title = e.title.clone();
    values.username = e.username.clone();
    values.url = e.urls.join(" ");
    values.identity = e.identity.clone().unwrap_or_default();
    values.tags = e.tags.join(", ");
    values.rotate_days = e.rotate_days.map(|d| d.to_string()).unwrap_or_default();
    Form {
        editing: Some(r),
        values,
        cursor: EntryField::Title,
        error: None,
        saving: false,
        back_to,
    }
}

/// The view an edit form opened from goes back to when it closes.
pub(crate) fn back_overlay(m: &MainScreen, at: BackTo, now: Now, health_rows: usize) -> Overlay {
    match at {
        BackTo::Checklist(at) => checklist_at(m, at),
        BackTo::Health(at) => health_at(m, at, now, health_rows),
    }
}

pub(crate) fn form_view(form: &Form, f: &mut Frame, area: Rect) {
    let title = if form.editing.is_some() {
        strings::EDIT_TITLE
    } else {
        strings::NEW_TITLE
    };
    let height = EntryField::ALL.len() as u16 + 6;
    let inner = card(f, area, title, 72, height);
    let width = usize::from(inner.width).saturating_sub(14);
    let mut lines: Vec<Line> = Vec::new();
    for &field in EntryField::ALL {
        let label = field.label();
        let focused = field == form.cursor;
        let value = match form.values.field(field) {
            FieldRef::Plain(s) => {
                let s = clean(s);
                // Keep the end of a long value in view while typing.
                let n = s.chars().count();
                Span::raw(s.chars().skip(n.saturating_sub(width)).collect::<String>())
            }
            FieldRef::Secret(x) if x.is_empty() => Span::styled(
                if form.editing.is_some() {
                    strings::UNCHANGED
                } else {
                    ""
                },
                Style::default().fg(Color::DarkGray),
            ),
            FieldRef::Secret(x) => Span::raw("•".repeat(x.chars().min(width))),
        };
        let label_style = if focused {
            Style::default().fg(ACCENT).bold()
        } else {
            Style::default().fg(Color::DarkGray)
        };
        let mut spans = vec![Span::styled(format!("{label:<13}"), label_style), value];
        if focused {
            spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    } else if form.saving {
        lines.push(hint(strings::SAVING));
    } else {
        lines.push(Line::from(""));
    }
    lines.push(hint_owned(KEYS.hint()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

const SAVE: Binding = Binding::new("Enter", "save", &[(code(KeyCode::Enter), Intent::Submit)]);

/// The add and edit form's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&keys::FIELDS, &keys::GENERATE_INTO, &SAVE, &keys::CANCEL],
    typing: true,
    then: None,
};

/// The form's update: typing into the focused field, moving between
/// fields, a generated password into the password field, saving (after
/// the title check), and leaving for where the form was opened from.
pub(crate) fn update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let health_rows = super::health::health_rows(app.size);
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let Some(Overlay::Form(f)) = m.overlay.as_mut() else {
        return Vec::new();
    };
    if f.saving {
        return Vec::new();
    }
    match action {
        Msg::Intent(Intent::Char(c)) => {
            f.error = None;
            match f.values.field_mut(f.cursor) {
                FieldMut::Plain(s) => {
                    if s.len() < 2000 {
                        s.push(c);
                    }
                }
                FieldMut::Secret(s) => {
                    s.push(c);
                }
            }
        }
        Msg::Intent(Intent::Backspace) => match f.values.field_mut(f.cursor) {
            FieldMut::Plain(s) => {
                s.pop();
            }
            FieldMut::Secret(s) => s.pop(),
        },
        Msg::Intent(Intent::ClearField) => match f.values.field_mut(f.cursor) {
            FieldMut::Plain(s) => s.clear(),
            FieldMut::Secret(s) => s.clear(),
        },
        Msg::Intent(Intent::NextPane) => f.cursor = f.cursor.next(),
        Msg::Intent(Intent::PrevField) => f.cursor = f.cursor.prev(),
        Msg::Intent(Intent::GenerateInto) => return vec![Effect::Generate(FORM_GENERATE)],
        Msg::Outcome(Outcome::Generated(v)) => {
            f.values.password.clear();
            for c in v.chars() {
                f.values.password.push(c);
            }
            f.cursor = EntryField::Password;
        }
        Msg::Intent(Intent::Submit) | Msg::Intent(Intent::Open) => {
            if f.values.title.trim().is_empty() {
                f.error = Some(strings::TITLE_REQUIRED.into());
                f.cursor = EntryField::Title;
            } else {
                f.saving = true;
                return vec![Effect::Change(Change::SaveForm)];
            }
        }
        Msg::Intent(Intent::Back) => {
            let back = f.back_to.take();
            m.overlay = back.map(|at| back_overlay(m, at, now, health_rows));
        }
        _ => {}
    }
    Vec::new()
}
