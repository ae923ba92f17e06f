//! First run: the form that creates the firm's vault (owner, firm domain,
//! passphrase), then the recovery code shown once. State, update, view
//! and keys.

use crate::text::clean;
use crate::tui::app::{Screen, SecretInput};
use crate::tui::fields::Fields;
use crate::tui::keys::{Binding, Keys, code};
use crate::tui::screen::unlock::UnlockScreen;
use crate::tui::update::{quit, status};
use crate::tui::view::{ACCENT, SPINNER, card, frame_parts};
use crate::tui::{App, Effect, Intent, Msg, Now, Outcome, keys, strings};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use zeroize::Zeroizing;

/// First-run form: the owner's name, the firm's e-mail domain, and the
/// passphrase twice.
pub struct OnboardScreen {
    pub owner: String,
    pub domain: String,
    pub passphrase: SecretInput,
    pub repeat: SecretInput,
    /// The field that has the focus.
    pub cursor: OnboardField,
    pub error: Option<String>,
    /// Creating the vault (calibrating the KDF) since this instant.
    pub busy_since: Option<u64>,
}

/// The first-run form's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnboardField {
    Owner,
    Domain,
    Passphrase,
    Repeat,
}

impl Fields for OnboardField {
    const ALL: &'static [Self] = &[
        OnboardField::Owner,
        OnboardField::Domain,
        OnboardField::Passphrase,
        OnboardField::Repeat,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        match self {
            OnboardField::Owner => "Your name",
            OnboardField::Domain => "Firm e-mail domain",
            OnboardField::Passphrase => "Passphrase",
            OnboardField::Repeat => "Repeat it",
        }
    }
}

impl OnboardScreen {
    pub fn new() -> Self {
        OnboardScreen {
            owner: String::new(),
            domain: String::new(),
            passphrase: SecretInput::new(),
            repeat: SecretInput::new(),
            cursor: OnboardField::Owner,
            error: None,
            busy_since: None,
        }
    }
}

impl Default for OnboardScreen {
    fn default() -> Self {
        Self::new()
    }
}

pub struct RecoveryScreen {
    pub owner: String,
    pub code: Zeroizing<String>,
}

/// A rough strength hint for a new passphrase: an entropy estimate from
/// its length and character classes (a guess, not a measurement: a
/// dictionary word scores higher than it deserves), and a word for it.
pub fn strength(p: &str) -> (&'static str, u32) {
    let n = p.chars().count();
    if n == 0 {
        return ("", 0);
    }
    let mut pool = 0u32;
    if p.chars().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if p.chars().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if p.chars().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if p.chars().any(|c| !c.is_ascii_alphanumeric()) {
        pool += 33;
    }
    let bits = (n as f64 * f64::from(pool.max(2)).log2()) as u32;
    let word = match bits {
        0..50 => "weak",
        50..80 => "fair",
        _ => "strong",
    };
    (word, bits)
}

pub(crate) fn onboard_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let Screen::Onboard(o) = &mut app.screen else {
        return Vec::new();
    };
    match action {
        Msg::Intent(Intent::Quit) => return quit(app),
        Msg::Outcome(Outcome::Created(Ok(code))) => {
            let owner = o.owner.trim().to_owned();
            app.screen = Screen::Recovery(RecoveryScreen { owner, code });
            return Vec::new();
        }
        Msg::Outcome(Outcome::Created(Err(e))) => {
            o.busy_since = None;
            o.cursor = OnboardField::Passphrase;
            o.error = Some(e.to_string());
            return Vec::new();
        }
        _ => {}
    }
    if o.busy_since.is_some() {
        return Vec::new();
    }
    match action {
        Msg::Intent(Intent::Char(c)) => {
            o.error = None;
            match o.cursor {
                OnboardField::Owner if o.owner.len() < 64 => o.owner.push(c),
                OnboardField::Domain if o.domain.len() < 253 => o.domain.push(c),
                OnboardField::Owner | OnboardField::Domain => {}
                OnboardField::Passphrase => {
                    o.passphrase.push(c);
                }
                OnboardField::Repeat => {
                    o.repeat.push(c);
                }
            }
        }
        Msg::Intent(Intent::Backspace) => match o.cursor {
            OnboardField::Owner => {
                o.owner.pop();
            }
            OnboardField::Domain => {
                o.domain.pop();
            }
            OnboardField::Passphrase => o.passphrase.pop(),
            OnboardField::Repeat => o.repeat.pop(),
        },
        Msg::Intent(Intent::NextPane) => o.cursor = o.cursor.next(),
        Msg::Intent(Intent::PrevField) => o.cursor = o.cursor.prev(),
        Msg::Intent(Intent::Open) => {
            if !o.cursor.is_last() {
                o.cursor = o.cursor.next();
                return Vec::new();
            }
            let problem = if o.owner.trim().is_empty() {
                Some((OnboardField::Owner, strings::NAME_REQUIRED.to_owned()))
            } else if let Err(e) = crate::vault::validate_member_name(o.owner.trim()) {
                Some((OnboardField::Owner, e.to_string()))
            } else if !o.domain.trim().is_empty()
                && let Err(e) = crate::session::create::check_domain(o.domain.trim())
            {
                Some((OnboardField::Domain, e.to_string()))
            } else if o.passphrase.chars() < 12 {
                Some((
                    OnboardField::Passphrase,
                    strings::PASSPHRASE_SHORT.to_owned(),
                ))
            } else if o.passphrase.peek() != o.repeat.peek() {
                Some((OnboardField::Repeat, strings::PASSPHRASES_DIFFER.to_owned()))
            } else {
                None
            };
            if let Some((field, msg)) = problem {
                o.cursor = field;
                o.error = Some(msg);
                if field == OnboardField::Repeat {
                    o.repeat.clear();
                }
                return Vec::new();
            }
            o.busy_since = Some(now.ms);
            o.repeat.clear();
            let domain = o.domain.trim();
            return vec![Effect::Create {
                owner: o.owner.trim().to_owned(),
                domain: (!domain.is_empty()).then(|| domain.to_owned()),
                passphrase: o.passphrase.take(),
            }];
        }
        _ => {}
    }
    Vec::new()
}

pub(crate) fn onboard(app: &App, o: &OnboardScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, &KEYS.hint(), f, area);
    let inner = card(f, body, strings::ONBOARD_TITLE, 70, 13);
    let mut lines = vec![Line::from(strings::ONBOARD_INTRO), Line::from("")];
    for &field in OnboardField::ALL {
        let label = field.label();
        let focused = field == o.cursor && o.busy_since.is_none();
        let value = match field {
            OnboardField::Owner => clean(&o.owner).into_owned(),
            OnboardField::Domain => clean(&o.domain).into_owned(),
            OnboardField::Passphrase => "•".repeat(o.passphrase.chars().min(24)),
            OnboardField::Repeat => "•".repeat(o.repeat.chars().min(24)),
        };
        let label_style = if focused {
            Style::default().fg(ACCENT).bold()
        } else {
            Style::default().fg(Color::DarkGray)
        };
        let mut spans = vec![
            Span::styled(format!("{label:<20}"), label_style),
            Span::raw(value),
        ];
        if focused {
            spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
        }
        if field == OnboardField::Owner && o.owner.is_empty() && !focused {
            spans.push(Span::styled(
                "a short login name, e.g. ana",
                Style::default().fg(Color::DarkGray),
            ));
        }
        if field == OnboardField::Domain && o.domain.is_empty() && !focused {
            spans.push(Span::styled(
                "optional, e.g. example.com",
                Style::default().fg(Color::DarkGray),
            ));
        }
        if field == OnboardField::Passphrase {
            spans.extend(strength_meter(o.passphrase.peek()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if let Some(since) = o.busy_since {
        let frame = (app.clock.ms.saturating_sub(since) / 100) as usize % SPINNER.len();
        lines.push(Line::from(vec![
            Span::styled(SPINNER[frame], Style::default().fg(ACCENT)),
            Span::raw(" "),
            Span::raw(strings::CREATING),
        ]));
    } else if let Some(e) = &o.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub(crate) fn recovery(app: &App, r: &RecoveryScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, strings::RECOVERY_CONFIRM, f, area);
    let inner = card(f, body, strings::RECOVERY_TITLE, 70, 12);
    let lines = vec![
        Line::from(strings::RECOVERY_EXPLAIN),
        Line::from(""),
        Line::from(Span::styled(
            format!("    {}", &*r.code),
            Style::default().fg(Color::Yellow).bold(),
        )),
        Line::from(""),
        Line::from(Span::styled(
            strings::RECOVERY_CONFIRM,
            Style::default().bold(),
        )),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

const NEXT: Binding = Binding::new(
    "Enter",
    "next / create",
    &[(code(KeyCode::Enter), Intent::Open)],
);
const QUIT_ESC: Binding = Binding::new("Esc", "quit", &[(code(KeyCode::Esc), Intent::Quit)]);

/// The first-run form's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&keys::FIELDS, &NEXT, &QUIT_ESC],
    typing: true,
    then: None,
};

/// The recovery code's screen: `y` once the code is stored.
pub const RECOVERY_KEYS: Keys = Keys {
    bindings: &[&Binding::hidden(keys::YES_KEYS)],
    typing: false,
    then: None,
};

/// The recovery code stays until the owner says it is stored (`y`); then
/// the new vault's unlock screen.
pub(crate) fn recovery_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let Screen::Recovery(r) = &app.screen else {
        return Vec::new();
    };
    match action {
        Msg::Intent(Intent::Confirm(true)) => {
            let owner = r.owner.clone();
            app.screen = Screen::Unlock(UnlockScreen::new(vec![owner.clone()], Some(&owner)));
            status(app, strings::CREATED, false, now);
            Vec::new()
        }
        Msg::Intent(Intent::Quit) => quit(app),
        _ => Vec::new(),
    }
}

/// The strength hint shown after a new passphrase as it is typed:
/// `weak`, `fair` or `strong` and the estimate in bits, coloured; nothing
/// while it is empty.
pub(crate) fn strength_meter(p: &str) -> Option<Span<'static>> {
    let (word, bits) = strength(p);
    if word.is_empty() {
        return None;
    }
    let color = match word {
        "weak" => Color::Red,
        "fair" => Color::Yellow,
        _ => Color::Green,
    };
    Some(Span::styled(
        format!("  {word} ~{bits} bits"),
        Style::default().fg(color),
    ))
}
