//! The main screen: groups, the entry list with search as you type, the
//! selected entry's details with concealed values masked until revealed,
//! backup codes and the delete confirmation. State, update, view and keys;
//! the other views open over it (form, generator, members, health, log,
//! help).
use crate::search::Index;
use crate::session::Session;
use crate::text::clean;
use crate::tui::action::{Change, CopyWhat, GenOptions, Reveal, RevealHow};
use crate::tui::app::Screen;
use crate::tui::keys::{Binding, Key, Keys, ch, code};
use crate::tui::screen::codes::codes;
use crate::tui::screen::detail::detail;
use crate::tui::screen::form::{EntryField, EntryForm, Form, back_overlay, edit_form, form_view};
use crate::tui::screen::generator::{Generator, generator};
use crate::tui::screen::health::{HealthView, health, health_update};
use crate::tui::screen::help::help;
use crate::tui::screen::log::log_view;
use crate::tui::screen::members::{MembersView, member_done, members, members_update};
use crate::tui::screen::unlock::{LockReason, ShiftItem, ShiftWhat};
use crate::tui::update::{lock, quit, status};
use crate::tui::view::{ACCENT, card, fit, footer, header, hint_owned, pane, status_line};
use crate::tui::{App, Effect, Intent, Msg, Now, Outcome, keys, strings};
use crate::vault::EntryRef;
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Which part of the main view has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Groups,
    List,
    /// Typing into the search field.
    Search,
    /// The selected entry's details fill the right side.
    Detail,
}

pub enum Overlay {
    Help,
    /// "Delete this entry?"
    ConfirmDelete(EntryRef),
    /// The entry's backup codes, shown after the reveal was logged, until
    /// the instant given.
    Codes {
        entry: EntryRef,
        cursor: usize,
        until_ms: u64,
    },
    /// The access log, newest first; `top` rows scrolled.
    Log {
        top: usize,
    },
    Form(Box<Form>),
    Generator(Generator),
    /// Members and handover (`M`).
    Members(Box<MembersView>),
    /// What needs attention (`H`): the findings, computed when it opens.
    Health(Box<HealthView>),
}

pub struct MainScreen {
    pub session: Session,
    pub index: Index,
    pub focus: Focus,
    /// The search as typed.
    pub query: String,
    /// Entries shown, best match first (all entries, in vault order, for
    /// an empty query), after the group filter.
    pub hits: Vec<EntryRef>,
    /// Index into `hits`.
    pub selected: usize,
    /// First row of `hits` on screen.
    pub top: usize,
    /// Groups pane: 0 is "All", then the vault's groups in order.
    pub group_cursor: usize,
    /// The entry whose concealed values are shown, until when.
    pub revealed: Option<(EntryRef, u64)>,
    /// A copy or reveal waiting for the runtime's report.
    pub pending: Option<(EntryRef, RevealHow)>,
    pub overlay: Option<Overlay>,
    /// Everything revealed or copied in this session, for the summary.
    pub shift: Vec<ShiftItem>,
}

impl MainScreen {
    /// This session is an auditor's: no entry, no change; the access log,
    /// its verification and the members.
    pub fn auditor(&self) -> bool {
        self.session.vault.me().role == crate::format::Role::Auditor
    }

    /// Rebuilds the index after a change and selects `entry` if it is
    /// still listed.
    pub fn reindex(&mut self, entry: Option<EntryRef>) {
        self.index = Index::build(&self.session.vault);
        self.refilter();
        if let Some(r) = entry
            && let Some(i) = self.hits.iter().position(|h| *h == r)
        {
            self.selected = i;
        }
        self.revealed = None;
    }

    /// The log records this member may read, newest first: all of them for
    /// owners and auditors, their own for a contractor.
    pub fn visible_log(&self) -> Vec<usize> {
        let v = &self.session.vault;
        let me = v.me();
        let own_only = me.role == crate::format::Role::Contractor;
        v.log()
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, r)| !own_only || r.record.member == me.id)
            .map(|(i, _)| i)
            .collect()
    }
}

impl MainScreen {
    pub fn new(session: Session, index: Index) -> Self {
        let mut m = MainScreen {
            session,
            index,
            focus: Focus::List,
            query: String::new(),
            hits: Vec::new(),
            selected: 0,
            top: 0,
            group_cursor: 0,
            revealed: None,
            pending: None,
            overlay: None,
            shift: Vec::new(),
        };
        m.refilter();
        m
    }

    /// The group the list is limited to, if any.
    pub fn group_filter(&self) -> Option<usize> {
        self.group_cursor.checked_sub(1)
    }

    /// Runs the search and the group filter again; the selection goes to
    /// the best match.
    pub fn refilter(&mut self) {
        let group = self.group_filter();
        self.hits = self
            .index
            .query(&self.query)
            .into_iter()
            .map(|h| h.entry)
            .filter(|r| group.is_none_or(|g| r.group == g))
            .collect();
        self.selected = 0;
        self.top = 0;
    }

    pub fn selected_entry(&self) -> Option<EntryRef> {
        self.hits.get(self.selected).copied()
    }

    /// Entries per group (live ones), in the vault's group order.
    pub fn group_counts(&self) -> Vec<(String, usize)> {
        let v = &self.session.vault;
        v.groups()
            .iter()
            .map(|g| {
                (
                    g.name.clone(),
                    g.entries.iter().filter(|e| e.removed.is_none()).count(),
                )
            })
            .collect()
    }

    pub fn is_revealed(&self, r: EntryRef) -> bool {
        self.revealed.is_some_and(|(e, _)| e == r)
    }
}

pub(crate) fn main_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let rows = crate::tui::screen::main::list_rows(app.size);
    let health_rows = crate::tui::screen::health::health_rows(app.size);
    let reveal_ms = app.settings.reveal_ms;
    let clipboard_ms = app.settings.clipboard_ms;
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    match action {
        Msg::Outcome(Outcome::Saved {
            entry,
            message,
            error,
        }) => {
            let back = match &mut m.overlay {
                Some(Overlay::Form(f)) => f.back_to.take(),
                _ => None,
            };
            if !matches!(
                m.overlay,
                Some(Overlay::Codes { .. } | Overlay::Members(_) | Overlay::Health(_))
            ) {
                m.overlay = None;
            }
            m.reindex(entry);
            keep_visible(m, rows);
            if let Some(at) = back {
                m.overlay = Some(back_overlay(m, at, now, health_rows));
            }
            status(app, message, error, now);
            return Vec::new();
        }
        Msg::Outcome(Outcome::MemberDone(result)) => {
            let (text, error) = member_done(m, result);
            keep_visible(m, rows);
            if let Some(text) = text {
                status(app, text, error, now);
            }
            return Vec::new();
        }
        Msg::Outcome(Outcome::LogVerified(result)) => {
            let (text, error) = match result {
                Ok(text) => (text, false),
                Err(text) => (text, true),
            };
            status(app, text, error, now);
            return Vec::new();
        }
        Msg::Outcome(Outcome::SaveFailed(msg)) => {
            if let Some(Overlay::Form(f)) = &mut m.overlay {
                f.saving = false;
                f.error = Some(msg);
            } else {
                status(app, msg, true, now);
            }
            return Vec::new();
        }
        Msg::Intent(Intent::Quit) => return quit(app),
        Msg::Intent(Intent::Lock) => return lock(app, LockReason::Asked),
        _ => {}
    }
    if m.overlay.is_some() {
        return overlay_update(app, action, now);
    }
    // An auditor's keys ask for none of these; whatever asks, they change
    // nothing and show no entry.
    if m.auditor()
        && matches!(
            action,
            Msg::Intent(
                Intent::New
                    | Intent::Edit
                    | Intent::Delete
                    | Intent::Reveal
                    | Intent::Copy(_)
                    | Intent::BackupCodes
                    | Intent::Generator
                    | Intent::Health
                    | Intent::Search
            )
        )
    {
        status(app, strings::AUDITOR_READ_ONLY, false, now);
        return Vec::new();
    }
    match action {
        Msg::Intent(Intent::Quit) => return quit(app),
        Msg::Intent(Intent::Lock) => return lock(app, LockReason::Asked),
        Msg::Intent(Intent::Help) => m.overlay = Some(Overlay::Help),
        Msg::Intent(Intent::Submit) => return vec![Effect::Change(Change::Retry)],
        Msg::Intent(Intent::AccessLog) => m.overlay = Some(Overlay::Log { top: 0 }),
        Msg::Intent(Intent::VerifyLog) => return vec![Effect::VerifyLog],
        Msg::Intent(Intent::Members) => {
            if crate::session::members::may_list_members(&m.session.vault).is_err() {
                status(app, strings::MEMBERS_OWNERS_ONLY, false, now);
            } else {
                m.overlay = Some(Overlay::Members(Box::default()));
            }
        }
        Msg::Intent(Intent::Health) => {
            let mut h = HealthView::compute(&m.session.vault, now.unix);
            h.keep_visible(health_rows);
            m.overlay = Some(Overlay::Health(Box::new(h)));
        }
        Msg::Intent(Intent::Generator) => {
            let opts = GenOptions {
                words: false,
                length: 24,
            };
            m.overlay = Some(Overlay::Generator(Generator { opts, value: None }));
            return vec![Effect::Generate(opts)];
        }
        Msg::Intent(Intent::New) => {
            let group = m
                .group_filter()
                .map(|g| m.session.vault.groups()[g].name.clone())
                .unwrap_or_default();
            m.overlay = Some(Overlay::Form(Box::new(Form {
                editing: None,
                values: EntryForm::empty(group),
                cursor: EntryField::Title,
                error: None,
                saving: false,
                back_to: None,
            })));
        }
        Msg::Intent(Intent::Edit) => {
            if let Some(r) = m.selected_entry() {
                m.revealed = None;
                m.overlay = Some(Overlay::Form(Box::new(edit_form(m, r, None))));
            }
        }
        Msg::Intent(Intent::Delete) => {
            if let Some(r) = m.selected_entry() {
                m.overlay = Some(Overlay::ConfirmDelete(r));
            }
        }
        Msg::Intent(Intent::BackupCodes) => {
            let Some(r) = m.selected_entry() else {
                return Vec::new();
            };
            let e = m.session.vault.entry(r);
            if e.backup_codes.is_empty() {
                let text = strings::no_codes(&e.title);
                status(app, text, true, now);
                return Vec::new();
            }
            if m.pending.is_none() {
                m.pending = Some((r, RevealHow::Codes));
                return vec![Effect::Reveal(Reveal {
                    entry: r,
                    how: RevealHow::Codes,
                })];
            }
        }
        Msg::Intent(Intent::Search) => m.focus = Focus::Search,
        Msg::Intent(Intent::Char(c)) if m.focus == Focus::Search => {
            m.query.push(c);
            refilter(m, rows);
        }
        Msg::Intent(Intent::Backspace) if m.focus == Focus::Search => {
            m.query.pop();
            refilter(m, rows);
        }
        Msg::Intent(Intent::ClearField) if m.focus == Focus::Search => {
            m.query.clear();
            refilter(m, rows);
        }
        Msg::Intent(Intent::Up)
        | Msg::Intent(Intent::Down)
        | Msg::Intent(Intent::PageUp)
        | Msg::Intent(Intent::PageDown)
        | Msg::Intent(Intent::Home)
        | Msg::Intent(Intent::End) => {
            if m.focus == Focus::Groups {
                let n = m.session.vault.groups().len() + 1;
                m.group_cursor = step(m.group_cursor, n, &action, rows);
                refilter(m, rows);
            } else {
                let before = m.selected_entry();
                m.selected = step(m.selected, m.hits.len(), &action, rows);
                keep_visible(m, rows);
                if m.selected_entry() != before {
                    m.revealed = None;
                }
            }
        }
        Msg::Intent(Intent::Open) => match m.focus {
            Focus::Search | Focus::Groups => m.focus = Focus::List,
            Focus::List if m.selected_entry().is_some() => m.focus = Focus::Detail,
            _ => {}
        },
        Msg::Intent(Intent::Back) => match m.focus {
            Focus::Search => {
                m.focus = Focus::List;
                if !m.query.is_empty() {
                    m.query.clear();
                    refilter(m, rows);
                }
            }
            Focus::Detail | Focus::Groups => m.focus = Focus::List,
            Focus::List if !m.query.is_empty() => {
                m.query.clear();
                refilter(m, rows);
            }
            Focus::List => {}
        },
        Msg::Intent(Intent::NextPane) => {
            m.focus = match m.focus {
                Focus::Groups => Focus::List,
                Focus::List | Focus::Search | Focus::Detail => Focus::Groups,
            }
        }
        Msg::Intent(Intent::Reveal) => {
            let Some(r) = m.selected_entry() else {
                return Vec::new();
            };
            let e = m.session.vault.entry(r);
            let concealed = !e.password.is_empty()
                || !e.notes.is_empty()
                || e.totp.is_some()
                || e.fields.iter().any(|f| f.concealed && !f.value.is_empty());
            if m.is_revealed(r) {
                m.revealed = None;
            } else if !concealed {
                status(app, strings::NOTHING_CONCEALED, false, now);
            } else if m.pending.is_none() {
                m.pending = Some((r, RevealHow::Show));
                return vec![Effect::Reveal(Reveal {
                    entry: r,
                    how: RevealHow::Show,
                })];
            }
        }
        Msg::Intent(Intent::Copy(what)) => {
            let Some(r) = m.selected_entry() else {
                return Vec::new();
            };
            let e = m.session.vault.entry(r);
            let missing = match what {
                CopyWhat::Password => e.password.is_empty(),
                CopyWhat::Username => e.username.is_empty(),
                CopyWhat::TotpCode => e.totp.is_none(),
            };
            if missing {
                let text = strings::nothing_to_copy(&e.title, what);
                status(app, text, true, now);
                return Vec::new();
            }
            if m.pending.is_none() {
                m.pending = Some((r, RevealHow::Copy(what)));
                return vec![Effect::Reveal(Reveal {
                    entry: r,
                    how: RevealHow::Copy(what),
                })];
            }
        }
        Msg::Outcome(Outcome::Revealed(rv)) => {
            m.pending = None;
            let e = m.session.vault.entry(rv.entry);
            let item = ShiftItem {
                unix: now.unix,
                title: e.title.clone(),
                group: m.session.vault.group_name(rv.entry).to_owned(),
                what: match rv.how {
                    RevealHow::Show => ShiftWhat::Revealed,
                    RevealHow::Copy(w) => ShiftWhat::Copied(w),
                    RevealHow::Codes => ShiftWhat::Codes,
                },
            };
            let title = e.title.clone();
            m.shift.push(item);
            match rv.how {
                RevealHow::Show => {
                    if m.selected_entry() == Some(rv.entry) {
                        m.revealed = Some((rv.entry, now.ms + reveal_ms));
                    }
                }
                RevealHow::Codes => {
                    let cursor = m
                        .session
                        .vault
                        .entry(rv.entry)
                        .backup_codes
                        .iter()
                        .position(|c| c.used_at.is_none())
                        .unwrap_or(0);
                    m.overlay = Some(Overlay::Codes {
                        entry: rv.entry,
                        cursor,
                        until_ms: now.ms + reveal_ms,
                    });
                }
                RevealHow::Copy(what) => {
                    app.clipboard_until = Some(now.ms + clipboard_ms);
                    let text = strings::copied(&title, what, clipboard_ms / 1000);
                    status(app, text, false, now);
                }
            }
        }
        Msg::Outcome(Outcome::RevealFailed(msg)) => {
            m.pending = None;
            status(app, msg, true, now);
        }
        _ => {}
    }
    Vec::new()
}

pub(crate) fn overlay_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let Screen::Main(m) = &app.screen else {
        return Vec::new();
    };
    match &m.overlay {
        Some(Overlay::Members(_)) => members_update(app, action, now),
        Some(Overlay::Health(_)) => health_update(app, action, now),
        Some(Overlay::Form(_)) => super::form::update(app, action, now),
        Some(Overlay::Help) => super::help::update(app, action),
        Some(Overlay::ConfirmDelete(_)) => delete_update(app, action),
        Some(Overlay::Codes { .. }) => super::codes::update(app, action, now),
        Some(Overlay::Log { .. }) => super::log::update(app, action),
        Some(Overlay::Generator(_)) => super::generator::update(app, action, now),
        None => Vec::new(),
    }
}

/// Asking before a delete: `y` removes the entry (the runtime records and
/// saves it), `n` or Esc keeps it.
fn delete_update(app: &mut App, action: Msg) -> Vec<Effect> {
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let Some(Overlay::ConfirmDelete(r)) = m.overlay else {
        return Vec::new();
    };
    match action {
        Msg::Intent(Intent::Confirm(true)) => {
            m.overlay = None;
            vec![Effect::Change(Change::Remove(r))]
        }
        Msg::Intent(Intent::Confirm(false)) | Msg::Intent(Intent::Back) => {
            m.overlay = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(crate) fn is_move(a: &Msg) -> bool {
    matches!(
        a,
        Msg::Intent(Intent::Up)
            | Msg::Intent(Intent::Down)
            | Msg::Intent(Intent::PageUp)
            | Msg::Intent(Intent::PageDown)
            | Msg::Intent(Intent::Home)
            | Msg::Intent(Intent::End)
    )
}

/// Selects `r` in the main view's list, clearing the search and then
/// the group filter only if they hide it.
pub(crate) fn show_entry(m: &mut MainScreen, r: EntryRef, rows: usize) {
    let before = m.selected_entry();
    if !m.hits.contains(&r) && !m.query.is_empty() {
        m.query.clear();
        m.refilter();
    }
    if !m.hits.contains(&r) && m.group_cursor != 0 {
        m.group_cursor = 0;
        m.refilter();
    }
    if let Some(i) = m.hits.iter().position(|h| *h == r) {
        m.selected = i;
    }
    m.focus = Focus::List;
    keep_visible(m, rows);
    if m.selected_entry() != before {
        m.revealed = None;
    }
}

/// Moves a cursor within `0..n` for a movement action.
pub(crate) fn step(cur: usize, n: usize, action: &Msg, page: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let last = n - 1;
    let page = page.max(1);
    match action {
        Msg::Intent(Intent::Up) => cur.saturating_sub(1),
        Msg::Intent(Intent::Down) => (cur + 1).min(last),
        Msg::Intent(Intent::PageUp) => cur.saturating_sub(page),
        Msg::Intent(Intent::PageDown) => (cur + page).min(last),
        Msg::Intent(Intent::Home) => 0,
        Msg::Intent(Intent::End) => last,
        _ => cur,
    }
}

pub(crate) fn refilter(m: &mut MainScreen, rows: usize) {
    let before = m.selected_entry();
    m.refilter();
    keep_visible(m, rows);
    if m.selected_entry() != before {
        m.revealed = None;
    }
}

/// Scrolls the list so the selection is on screen.
pub(crate) fn keep_visible(m: &mut MainScreen, rows: usize) {
    let rows = rows.max(1);
    if m.selected < m.top {
        m.top = m.selected;
    } else if m.selected >= m.top + rows {
        m.top = m.selected + 1 - rows;
    }
}

/// Where the parts of the main view go.
pub(crate) struct MainAreas {
    header: Rect,
    search: Rect,
    groups: Option<Rect>,
    list: Rect,
    detail: Rect,
    status: Rect,
    footer: Rect,
}

pub(crate) fn main_areas(area: Rect) -> MainAreas {
    let [header, search, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (groups, list, detail) = if area.width >= 100 {
        let [g, l, d] = Layout::horizontal([
            Constraint::Length(24),
            Constraint::Percentage(40),
            Constraint::Fill(1),
        ])
        .areas(body);
        (Some(g), l, d)
    } else if area.width >= 70 {
        let [g, l, d] = Layout::horizontal([
            Constraint::Length(15),
            Constraint::Length(26),
            Constraint::Fill(1),
        ])
        .areas(body);
        (Some(g), l, d)
    } else {
        let [l, d] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(body);
        (None, l, d)
    };
    MainAreas {
        header,
        search,
        groups,
        list,
        detail,
        status,
        footer,
    }
}

/// Rows of the entry list that fit a terminal of `size` (what Page Up and
/// Page Down move by, and how far the list scrolls).
pub fn list_rows(size: (u16, u16)) -> usize {
    let a = main_areas(Rect::new(0, 0, size.0, size.1));
    usize::from(a.list.height.saturating_sub(2))
}

pub(crate) fn main(app: &App, m: &MainScreen, f: &mut Frame, area: Rect) {
    let a = main_areas(area);
    let v = &m.session.vault;
    let me = v.me();
    let role = format!("{:?}", me.role).to_lowercase();
    let mut right = format!("{} ({role})", clean(&me.name));
    if let Some(until) = app.clipboard_until {
        let secs = until.saturating_sub(app.clock.ms).div_ceil(1000);
        right = format!("clipboard clears in {secs} s · {right}");
    }
    header(app, right, f, a.header);

    search_bar(m, f, a.search);
    if let Some(g) = a.groups {
        groups(m, f, g);
    }
    list(m, f, a.list);
    detail(app, m, f, a.detail);
    status_line(app, f, a.status);
    footer(&keys::footer(footer_for(m, area.width)), f, a.footer);
    main_overlay(app, m, f, area);
}

/// The search bar, with how many entries match; on an auditor's screen,
/// which has no entry to search, what the screen is.
fn search_bar(m: &MainScreen, f: &mut Frame, area: Rect) {
    if m.auditor() {
        let line = Line::from(Span::styled(
            format!(" {} ", strings::AUDIT_VIEW),
            Style::default().fg(Color::Black).bg(ACCENT),
        ));
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let searching = m.focus == Focus::Search;
    let mut spans = vec![Span::styled(
        format!(" {} ", strings::SEARCH_PROMPT),
        if searching {
            Style::default().fg(Color::Black).bg(ACCENT)
        } else {
            Style::default().fg(Color::DarkGray)
        },
    )];
    spans.push(Span::raw(" "));
    spans.push(Span::raw(clean(&m.query).into_owned()));
    if searching {
        spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
    }
    let count = strings::entry_count(m.hits.len(), m.index.len());
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let pad = usize::from(area.width).saturating_sub(used + count.chars().count() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(count, Style::default().fg(Color::DarkGray)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The view open over the main screen, if any.
fn main_overlay(app: &App, m: &MainScreen, f: &mut Frame, area: Rect) {
    match &m.overlay {
        Some(Overlay::Help) => help(main_table(m), f, area),
        Some(Overlay::ConfirmDelete(r)) => confirm_delete(m, *r, f, area),
        Some(Overlay::Codes {
            entry,
            cursor,
            until_ms,
        }) => codes(app, m, *entry, *cursor, *until_ms, f, area),
        Some(Overlay::Log { top }) => log_view(m, *top, f, area),
        Some(Overlay::Form(form)) => form_view(form, f, area),
        Some(Overlay::Generator(g)) => generator(g, f, area),
        Some(Overlay::Members(mv)) => members(app, m, mv, f, area),
        Some(Overlay::Health(h)) => health(m, h, f, area),
        None => {}
    }
}

pub(crate) fn groups(m: &MainScreen, f: &mut Frame, area: Rect) {
    let block = pane(strings::GROUPS, m.focus == Focus::Groups);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let counts = m.group_counts();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let rows = usize::from(inner.height);
    let first = m.group_cursor.saturating_sub(rows.saturating_sub(1));
    let width = usize::from(inner.width);
    let lines: Vec<Line> = std::iter::once((strings::ALL.to_owned(), total))
        .chain(counts)
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, (name, n))| {
            let n = n.to_string();
            let name = fit(&clean(&name), width.saturating_sub(n.len() + 1));
            let pad = width.saturating_sub(name.chars().count() + n.len());
            let mut style = Style::default();
            if i == m.group_cursor {
                style = style.add_modifier(Modifier::BOLD);
                if m.focus == Focus::Groups {
                    style = style.fg(Color::Black).bg(ACCENT);
                }
            }
            Line::from(vec![
                Span::styled(format!("{name}{}", " ".repeat(pad)), style),
                Span::styled(n, style.fg(Color::DarkGray)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

pub(crate) fn list(m: &MainScreen, f: &mut Frame, area: Rect) {
    let focused = matches!(m.focus, Focus::List | Focus::Search);
    let block = pane(strings::ENTRIES, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if m.hits.is_empty() {
        let text = if m.auditor() {
            strings::AUDITOR_NO_ENTRIES
        } else if m.query.is_empty() {
            strings::NO_ENTRIES
        } else {
            strings::NO_MATCH
        };
        f.render_widget(
            Paragraph::new(text.dark_gray()).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let v = &m.session.vault;
    let width = usize::from(inner.width);
    let rows = usize::from(inner.height);
    // Only the rows on screen are built.
    let lines: Vec<Line> = m
        .hits
        .iter()
        .enumerate()
        .skip(m.top)
        .take(rows)
        .map(|(i, &r)| {
            let e = v.entry(r);
            let title = fit(&clean(&e.title), width);
            let rest = width.saturating_sub(title.chars().count() + 2);
            let user = if rest > 3 && !e.username.is_empty() {
                fit(&clean(&e.username), rest)
            } else {
                String::new()
            };
            let pad = width.saturating_sub(title.chars().count() + user.chars().count());
            let selected = i == m.selected;
            let base = if selected {
                Style::default()
                    .fg(Color::Black)
                    .bg(if focused || m.focus == Focus::Detail {
                        ACCENT
                    } else {
                        Color::Gray
                    })
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(title, base),
                Span::styled(" ".repeat(pad), base),
                Span::styled(
                    user,
                    if selected {
                        base
                    } else {
                        base.fg(Color::DarkGray)
                    },
                ),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

pub(crate) fn confirm_delete(m: &MainScreen, r: EntryRef, f: &mut Frame, area: Rect) {
    let e = m.session.vault.entry(r);
    let inner = card(f, area, strings::DELETE_TITLE, 60, 7);
    let lines = vec![
        Line::from(format!("Delete \"{}\"?", clean(&e.title))),
        Line::from(strings::DELETE_EXPLAIN),
        Line::from(""),
        hint_owned(KEYS_DELETE.hint()),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

// Keys (PRODUCT.md §5). The `?` help lists `KEYS_LIST`'s bindings that
// have a help line, in this order.

const MOVE: Binding = Binding::new(
    "↑↓",
    "move",
    &[
        (code(KeyCode::Up), Intent::Up),
        (ch('k'), Intent::Up),
        (code(KeyCode::Down), Intent::Down),
        (ch('j'), Intent::Down),
    ],
)
.with_help("↑/↓  j/k", "move");
const PAGE: Binding = Binding::hidden(&[
    (code(KeyCode::PageUp), Intent::PageUp),
    (code(KeyCode::PageDown), Intent::PageDown),
    (code(KeyCode::Home), Intent::Home),
    (code(KeyCode::End), Intent::End),
])
.with_help("PgUp/PgDn Home/End", "move by page, to the ends");
const OPEN: Binding = Binding::new("⏎", "open", &[(code(KeyCode::Enter), Intent::Open)]).with_help(
    "Enter",
    "open; in search: keep the filter, best match first",
);
const BACK: Binding = Binding::new("Esc", "back", &[(code(KeyCode::Esc), Intent::Back)])
    .with_help("Esc", "back; in search: clear it");
const PANES: Binding = Binding::hidden(&[
    (code(KeyCode::Tab), Intent::NextPane),
    (code(KeyCode::BackTab), Intent::NextPane),
])
.with_help("Tab", "groups pane ↔ entry list");
const SEARCH: Binding = Binding::new("/", "search", &[(ch('/'), Intent::Search)]).with_help(
    "/",
    "search as you type (titles, groups, users, URLs, tags)",
);
const REVEAL: Binding = Binding::new("r", "reveal", &[(ch('r'), Intent::Reveal)])
    .with_help("r", "reveal/hide concealed values (logged; hides in 15 s)");
const COPY_KEYS: &[(Key, Intent)] = &[
    (ch('c'), Intent::Copy(CopyWhat::Password)),
    (ch('u'), Intent::Copy(CopyWhat::Username)),
    (ch('t'), Intent::Copy(CopyWhat::TotpCode)),
];
const COPY: Binding = Binding::new("c/u/t", "copy", COPY_KEYS).with_help(
    "c  u  t",
    "copy password, username, TOTP code (logged; 20 s)",
);
/// The narrow footer names only `c`.
const COPY_PASSWORD: Binding =
    Binding::new("c", "copy", &[(ch('c'), Intent::Copy(CopyWhat::Password))]);
const NEW: Binding = Binding::new("n", "new", &[(ch('n'), Intent::New)])
    .with_help("n  e  d", "new entry, edit, delete (asks first)");
const EDIT: Binding = Binding::new("e", "edit", &[(ch('e'), Intent::Edit)]);
const DELETE: Binding = Binding::new("d", "delete", &[(ch('d'), Intent::Delete)]);
const GENERATOR: Binding = Binding::hidden(&[(ch('g'), Intent::Generator)])
    .with_help("g", "password generator (in a form: Ctrl-G)");
const CODES: Binding = Binding::new("b", "codes", &[(ch('b'), Intent::BackupCodes)])
    .with_help("b", "backup codes (logged); x marks one used");
const LOG: Binding = Binding::new("A", "log", &[(ch('A'), Intent::AccessLog)])
    .with_help("A", "access log (yours, or everyone's for owners)");
const MEMBERS: Binding = Binding::new("M", "members", &[(ch('M'), Intent::Members)])
    .with_help("M", "members: add, grant, revoke, handover (owners)");
const HEALTH: Binding = Binding::new("H", "health", &[(ch('H'), Intent::Health)])
    .with_help("H", "health: what needs attention; f fixes a password");
const HELP: Binding =
    Binding::new("?", "help", &[(ch('?'), Intent::Help)]).with_help("?", "this help");

/// The main screen's keys, the entry list or details focused.
pub const KEYS_LIST: Keys = Keys {
    bindings: &[
        &MOVE,
        &PAGE,
        &OPEN,
        &BACK,
        &PANES,
        &SEARCH,
        &REVEAL,
        &COPY,
        &NEW,
        &EDIT,
        &DELETE,
        &GENERATOR,
        &CODES,
        &LOG,
        &MEMBERS,
        &HEALTH,
        &keys::SAVE_AGAIN,
        &keys::LOCK,
        &HELP,
        &keys::QUIT,
        &COPY_PASSWORD,
    ],
    typing: false,
    then: None,
};

const AUDIT_LOG: Binding = Binding::new("A", "log", &[(ch('A'), Intent::AccessLog)])
    .with_help("A", "the access log: every member's records");
const VERIFY_LOG: Binding = Binding::new("v", "verify log", &[(ch('v'), Intent::VerifyLog)])
    .with_help(
        "v",
        "verify the access log: every record's signature and place",
    );
const AUDIT_MEMBERS: Binding = Binding::new("M", "members", &[(ch('M'), Intent::Members)])
    .with_help("M", "members and recorded handovers (read-only)");

/// The main screen's keys for an auditor, who holds no group's key and
/// changes nothing: the access log and its verification, the members,
/// lock, help and quit — no entry command.
pub const KEYS_AUDIT: Keys = Keys {
    bindings: &[
        &AUDIT_LOG,
        &VERIFY_LOG,
        &AUDIT_MEMBERS,
        &keys::LOCK,
        &HELP,
        &keys::QUIT,
    ],
    typing: false,
    then: None,
};

/// The main screen's key table, as `?` help lists it: an auditor's, or
/// the entry list's.
pub fn main_table(m: &MainScreen) -> &'static Keys {
    if m.auditor() { &KEYS_AUDIT } else { &KEYS_LIST }
}

/// The main footer for this screen: an auditor's keys when no view is
/// open, else [`footer_of`].
pub fn footer_for(m: &MainScreen, width: u16) -> &'static [&'static Binding] {
    if m.auditor() && m.overlay.is_none() {
        KEYS_AUDIT.bindings
    } else {
        footer_of(m.focus, m.overlay.is_some(), width)
    }
}

const CHOOSE_GROUP: Binding = Binding::new(
    "↑↓",
    "choose group",
    &[
        (code(KeyCode::Up), Intent::Up),
        (ch('k'), Intent::Up),
        (code(KeyCode::Down), Intent::Down),
        (ch('j'), Intent::Down),
    ],
);
const TO_ENTRIES: Binding = Binding::new(
    "⏎/Tab",
    "entries",
    &[
        (code(KeyCode::Enter), Intent::Open),
        (code(KeyCode::Tab), Intent::NextPane),
        (code(KeyCode::BackTab), Intent::NextPane),
    ],
);

/// The main screen's keys, the groups pane focused: the same as the
/// list's, named for choosing a group.
pub const KEYS_GROUPS: Keys = Keys {
    bindings: &[&CHOOSE_GROUP, &TO_ENTRIES],
    typing: false,
    then: Some(&KEYS_LIST),
};

/// Shown only: what typing in the search does.
const TYPE_TO_FILTER: Binding = Binding::new("type", "to filter", &[]);
const KEEP: Binding = Binding::new("⏎", "keep", &[(code(KeyCode::Enter), Intent::Open)]);
const CLEAR: Binding = Binding::new("Esc", "clear", &[(code(KeyCode::Esc), Intent::Back)]);
const SEARCH_MOVE: Binding = Binding::new(
    "↑↓",
    "move",
    &[
        (code(KeyCode::Up), Intent::Up),
        (code(KeyCode::Down), Intent::Down),
    ],
);
const SEARCH_PAGE: Binding = Binding::hidden(&[
    (code(KeyCode::PageUp), Intent::PageUp),
    (code(KeyCode::PageDown), Intent::PageDown),
    (code(KeyCode::Tab), Intent::NextPane),
]);

/// The search field's keys: what is typed filters the list.
pub const KEYS_SEARCH: Keys = Keys {
    bindings: &[&TYPE_TO_FILTER, &KEEP, &CLEAR, &SEARCH_MOVE, &SEARCH_PAGE],
    typing: true,
    then: None,
};

const CONFIRM_DELETE: Binding = Binding::new("y", "delete", keys::YES_KEYS);
const KEEP_IT: Binding = Binding::new("n or Esc", "keep it", keys::NO_KEYS);

/// Asking before a delete.
pub const KEYS_DELETE: Keys = Keys {
    bindings: &[&CONFIRM_DELETE, &KEEP_IT],
    typing: false,
    then: None,
};

/// The main footer for the focus, whether a view is open over the
/// screen, and the width: bindings of the table the keymap reads there.
pub fn footer_of(focus: Focus, overlay: bool, width: u16) -> &'static [&'static Binding] {
    match focus {
        _ if overlay => &[&keys::CLOSE, &keys::LOCK],
        Focus::Search => &[&TYPE_TO_FILTER, &KEEP, &CLEAR, &SEARCH_MOVE],
        Focus::Groups => &[&CHOOSE_GROUP, &TO_ENTRIES, &keys::LOCK, &HELP, &keys::QUIT],
        Focus::Detail => &[
            &REVEAL,
            &COPY,
            &EDIT,
            &DELETE,
            &CODES,
            &BACK,
            &keys::LOCK,
            &HELP,
        ],
        Focus::List if width >= 100 => &[
            &SEARCH,
            &REVEAL,
            &COPY,
            &NEW,
            &EDIT,
            &CODES,
            &LOG,
            &MEMBERS,
            &HEALTH,
            &HELP,
            &keys::QUIT,
        ],
        Focus::List => &[
            &SEARCH,
            &REVEAL,
            &COPY_PASSWORD,
            &NEW,
            &LOG,
            &MEMBERS,
            &HEALTH,
            &HELP,
            &keys::QUIT,
        ],
    }
}

/// The keys where the main screen's focus is, or of the view open over
/// it.
pub fn keys(m: &MainScreen) -> &'static Keys {
    match &m.overlay {
        Some(Overlay::Help) => &super::help::KEYS,
        Some(Overlay::ConfirmDelete(_)) => &KEYS_DELETE,
        Some(Overlay::Codes { .. }) => &super::codes::KEYS_CODES,
        Some(Overlay::Log { .. }) => &super::log::KEYS,
        Some(Overlay::Generator(_)) => &super::generator::KEYS,
        Some(Overlay::Members(mv)) => super::members::keys(&mv.mode),
        Some(Overlay::Health(_)) => &super::health::KEYS,
        Some(Overlay::Form(_)) => &super::form::KEYS,
        None if m.auditor() => &KEYS_AUDIT,
        None => match m.focus {
            Focus::Search => &KEYS_SEARCH,
            Focus::Groups => &KEYS_GROUPS,
            Focus::List | Focus::Detail => &KEYS_LIST,
        },
    }
}
