//! What needs attention (`H`): the health findings, grouped by kind,
//! with a way to each entry and a one-key fix for a weak or reused
//! password. State, update, view and keys.
use crate::health::{Finding, Kind};
use crate::text::clean;
use crate::tui::action::Change;
use crate::tui::app::Screen;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::form::{BackTo, EntryField, HealthAt, edit_form};
use crate::tui::screen::main::{MainScreen, Overlay, is_move, show_entry, step};
use crate::tui::update::{FORM_GENERATE, status};
use crate::tui::view::{ACCENT, card, fit, hint_owned, pane};
use crate::tui::{App, Effect, Intent, Msg, Now, keys, strings};
use crate::vault::{EntryRef, Vault};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Padding, Paragraph};

/// The health view (`H`): the findings about the entries this member can
/// read, grouped by kind. Computed once when the view opens and again
/// after a fix (over 100,000 entries that takes tens of milliseconds, too
/// long for every frame). Holds no secret: a finding names an entry and
/// says why, never a value.
pub struct HealthView {
    /// By kind, then group and title ([`crate::health::findings`]).
    pub findings: Vec<Finding>,
    /// Each kind present and the index of its first finding, in order.
    pub kinds: Vec<(Kind, usize)>,
    /// Live entries this member can read.
    pub checked: usize,
    /// Entries with at least one finding.
    pub entries: usize,
    /// The firm's domain is set (otherwise "outside the firm" is not
    /// checked, which the view says).
    pub firm_domain: bool,
    /// Index into `findings`.
    pub cursor: usize,
    /// First row on screen; rows are the kinds' headings and the findings.
    pub top: usize,
}

impl HealthView {
    /// The findings of `v` at `now` (Unix seconds).
    pub fn compute(v: &Vault, now: i64) -> Self {
        let policy = crate::health::Policy::of(v);
        let findings = crate::health::findings(v, &policy, now);
        let mut kinds: Vec<(Kind, usize)> = Vec::new();
        for (i, f) in findings.iter().enumerate() {
            if kinds.last().is_none_or(|(k, _)| *k != f.kind) {
                kinds.push((f.kind, i));
            }
        }
        let entries = {
            let mut refs: Vec<EntryRef> = findings.iter().map(|f| f.entry).collect();
            refs.sort_by_key(|r| (r.group, r.index));
            refs.dedup();
            refs.len()
        };
        HealthView {
            findings,
            kinds,
            checked: v.entry_count(),
            entries,
            firm_domain: policy.firm_domain.is_some(),
            cursor: 0,
            top: 0,
        }
    }

    /// Rows: one heading per kind, one per finding.
    pub fn rows(&self) -> usize {
        self.findings.len() + self.kinds.len()
    }

    /// The row finding `i` is drawn on.
    pub fn row_of(&self, i: usize) -> usize {
        i + self.kinds.partition_point(|(_, start)| *start <= i)
    }

    /// What row `row` holds.
    pub fn at_row(&self, row: usize) -> Option<HealthRow> {
        // Kind `k`'s heading comes after `k` headings and the findings
        // before it.
        for (k, (kind, start)) in self.kinds.iter().enumerate() {
            let end = self.kinds.get(k + 1).map_or(self.findings.len(), |x| x.1);
            let heading = start + k;
            if row == heading {
                return Some(HealthRow::Heading(*kind, end - start));
            }
            if row <= heading + (end - start) {
                return Some(HealthRow::Finding(start + (row - heading - 1)));
            }
        }
        None
    }

    pub fn selected(&self) -> Option<&Finding> {
        self.findings.get(self.cursor)
    }

    /// Scrolls so the selection is on screen among `rows` rows, with its
    /// kind's heading when it is the first of its kind.
    pub fn keep_visible(&mut self, rows: usize) {
        let rows = rows.max(1);
        let sel = self.row_of(self.cursor);
        let first_of_kind = self.kinds.iter().any(|(_, s)| *s == self.cursor);
        let want_top = if first_of_kind { sel - 1 } else { sel };
        if want_top < self.top {
            self.top = want_top;
        } else if sel >= self.top + rows {
            self.top = sel + 1 - rows;
        }
        self.top = self.top.min(self.rows().saturating_sub(rows));
    }
}

/// A row of the health view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthRow {
    /// A kind and how many findings it has.
    Heading(Kind, usize),
    /// An index into the findings.
    Finding(usize),
}

/// Whether a finding of `kind` is put right by a new password: weak, reused, due for
/// rotation, not rotated in a year.
pub fn fixed_by_new_password(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Weak | Kind::Reused | Kind::DueForRotation | Kind::NeverRotated
    )
}

/// The health view, recomputed: the finding `at` names selected if it is
/// still there (the form was left unsaved), else what took its row.
pub(crate) fn health_at(m: &MainScreen, at: HealthAt, now: Now, rows: usize) -> Overlay {
    let v = &m.session.vault;
    let mut h = HealthView::compute(v, now.unix);
    h.cursor = h
        .findings
        .iter()
        .position(|f| f.kind == at.kind && v.entry(f.entry).id == at.entry_id)
        .unwrap_or_else(|| at.cursor.min(h.findings.len().saturating_sub(1)));
    h.keep_visible(rows);
    Overlay::Health(Box::new(h))
}

/// The health view (`H`): move among the findings, Enter selects the
/// entry in the main view, `f` opens its edit form with a new generated
/// password (Ctrl-G's path), `e` its edit form as it is. A form opened
/// here comes back to the view, recomputed. Nothing here reveals a
/// secret, so nothing is logged.
pub(crate) fn health_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let page = crate::tui::screen::health::health_rows(app.size);
    let rows = crate::tui::screen::main::list_rows(app.size);
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let Some(Overlay::Health(h)) = &mut m.overlay else {
        return Vec::new();
    };
    match action {
        a if is_move(&a) => {
            h.cursor = step(h.cursor, h.findings.len(), &a, page);
            h.keep_visible(page);
        }
        Msg::Intent(Intent::Back) | Msg::Intent(Intent::Health) => m.overlay = None,
        // Ctrl-S: write what a failed save left in memory.
        Msg::Intent(Intent::Submit) => return vec![Effect::Change(Change::Retry)],
        Msg::Intent(Intent::Open) => {
            if let Some(r) = h.selected().map(|f| f.entry) {
                m.overlay = None;
                show_entry(m, r, rows);
            }
        }
        Msg::Intent(Intent::Fix) | Msg::Intent(Intent::Edit) => {
            let Some(f) = h.selected() else {
                return Vec::new();
            };
            let fix = matches!(action, Msg::Intent(Intent::Fix));
            if fix && !fixed_by_new_password(f.kind) {
                let why = strings::not_fixed_by_password(f.kind);
                status(app, why, true, now);
                return Vec::new();
            }
            let r = f.entry;
            let at = HealthAt {
                kind: f.kind,
                entry_id: m.session.vault.entry(r).id,
                cursor: h.cursor,
            };
            show_entry(m, r, rows);
            m.revealed = None;
            let mut form = edit_form(m, r, Some(BackTo::Health(at)));
            if fix {
                // The generator's value arrives as `Generated`, which the
                // form puts in its password field.
                form.cursor = EntryField::Password;
                m.overlay = Some(Overlay::Form(Box::new(form)));
                return vec![Effect::Generate(FORM_GENERATE)];
            }
            m.overlay = Some(Overlay::Form(Box::new(form)));
        }
        _ => {}
    }
    Vec::new()
}

/// The health view's parts inside its card: the summary, the rows, the
/// selected finding in full, the keys.
pub(crate) fn health_layout(inner: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(inner)
}

/// The card over the main view, leaving the status line and the footer.
pub(crate) fn health_card_area(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(2),
        ..area
    }
}

/// Rows of the health view that fit a terminal of `size` (what Page Up
/// and Page Down move by, and how far it scrolls).
pub fn health_rows(size: (u16, u16)) -> usize {
    let card = health_card_area(Rect::new(0, 0, size.0, size.1));
    let inner = pane("", true).padding(Padding::horizontal(1)).inner(card);
    usize::from(health_layout(inner)[1].height).max(1)
}

pub(crate) fn kind_style(kind: Kind) -> Style {
    match kind {
        Kind::Weak | Kind::Reused | Kind::Expired => Style::default().fg(Color::Red).bold(),
        _ => Style::default().fg(Color::Yellow).bold(),
    }
}

/// What needs attention (`H`), by kind: a heading with its count, then a
/// row per finding (title, group, reason); the selected one in full
/// below. Only the rows on screen are built; no secret is read.
pub(crate) fn health(m: &MainScreen, h: &HealthView, f: &mut Frame, area: Rect) {
    let v = &m.session.vault;
    let area = health_card_area(area);
    let title = strings::health_title(h.findings.len());
    let inner = card(f, area, &title, area.width, area.height);
    let [top_area, list_area, detail_area, keys_area] = health_layout(inner);
    let width = usize::from(inner.width);

    let note = if !h.firm_domain && v.is_owner() {
        hint_owned(fit(strings::NO_FIRM_DOMAIN, width))
    } else {
        Line::from("")
    };
    let top = vec![
        Line::from(fit(
            &strings::health_summary(h.findings.len(), h.entries, h.checked),
            width,
        )),
        note,
    ];
    f.render_widget(Paragraph::new(top), top_area);

    let wide = width >= 100;
    let (title_w, group_w) = if wide { (28, 18) } else { (22, 14) };
    let reason_w = width.saturating_sub(2 + title_w + 1 + group_w + 1);
    let rows = usize::from(list_area.height);
    let lines: Vec<Line> = (h.top..h.rows())
        .take(rows)
        .filter_map(|row| h.at_row(row))
        .map(|row| match row {
            HealthRow::Heading(kind, n) => Line::from(Span::styled(
                fit(&format!("{} ({n})", kind.heading()), width),
                kind_style(kind),
            )),
            HealthRow::Finding(i) => {
                let x = &h.findings[i];
                let e = v.entry(x.entry);
                let selected = i == h.cursor;
                let style = if selected {
                    Style::default()
                        .fg(Color::Black)
                        .bg(ACCENT)
                        .add_modifier(Modifier::BOLD)
                } else {
                    Style::default()
                };
                // The marker shows the selection without colours too.
                let text = format!(
                    "{} {:<title_w$} {:<group_w$} {}",
                    if selected { "▸" } else { " " },
                    fit(&clean(&e.title), title_w),
                    fit(&clean(v.group_name(x.entry)), group_w),
                    fit(&clean(&x.reason), reason_w)
                );
                Line::from(Span::styled(fit(&text, width), style))
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list_area);

    if let Some(x) = h.selected() {
        let e = v.entry(x.entry);
        // Line by line (never wrapped): the reason in full when it fits.
        let lines = vec![
            Line::from(Span::styled(
                fit(
                    &format!(
                        "{} ({}) · {}",
                        clean(&e.title),
                        clean(v.group_name(x.entry)),
                        x.kind.heading()
                    ),
                    width,
                ),
                Style::default().bold(),
            )),
            Line::from(fit(&clean(&x.reason), width)),
            hint_owned(fit(strings::health_advice(x.kind), width)),
        ];
        f.render_widget(Paragraph::new(lines), detail_area);
    }
    f.render_widget(
        Paragraph::new(hint_owned(fit(&KEYS.hint(), width))),
        keys_area,
    );
}

const GO: Binding = Binding::new(
    "Enter",
    "go to entry",
    &[(code(KeyCode::Enter), Intent::Open)],
);
const FIX: Binding = Binding::new("f", "fix: new password", &[(ch('f'), Intent::Fix)]);
const EDIT: Binding = Binding::new("e", "edit", &[(ch('e'), Intent::Edit)]);
const CLOSE: Binding = Binding::new(
    "Esc",
    "close",
    &[(code(KeyCode::Esc), Intent::Back), (ch('H'), Intent::Back)],
);

/// The health view's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&keys::CHOOSE, &GO, &FIX, &EDIT, &CLOSE, &keys::QUIT_HIDDEN],
    typing: false,
    then: None,
};
