//! Members and handover (`M`): the member list, adding, granting,
//! revoking and sweeping, and a handover's checklist. State, update, view
//! and keys.

use crate::dates;
use crate::format::Role;
use crate::handover::State;
use crate::text::clean;
use crate::tui::action::{Change, MemberCmd, MemberOp};
use crate::tui::app::{MemberRow, Screen, SecretInput, member_rows, role_name};
use crate::tui::fields::Fields;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::form::{BackTo, ChecklistAt, edit_form};
use crate::tui::screen::handover::checklist;
use crate::tui::screen::main::{Focus, MainScreen, Overlay, is_move, keep_visible, step};
use crate::tui::update::status;
use crate::tui::view::{ACCENT, card, fit, hint, hint_owned, short_time};
use crate::tui::{App, Effect, Intent, Msg, Now, keys, strings};
use crate::vault::EntryRef;
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The members view (`M`): the member list, and what is open over it.
pub struct MembersView {
    /// Index into [`member_rows`].
    pub cursor: usize,
    pub mode: MembersMode,
}

impl MembersView {
    pub fn new() -> Self {
        MembersView {
            cursor: 0,
            mode: MembersMode::List,
        }
    }
}

impl Default for MembersView {
    fn default() -> Self {
        Self::new()
    }
}

pub enum MembersMode {
    List,
    /// The add-member form (`a`).
    Add(Box<MemberForm>),
    /// Groups to grant the selected contractor (`g`).
    Grant(GrantInput),
    /// "Revoke …?", "Start the handover …?" (`y`/`n`).
    Confirm(MemberConfirm),
    /// A handover's checklist, recomputed from the vault's log each time
    /// it is drawn; `cursor` indexes its items.
    Checklist {
        member: String,
        cursor: usize,
    },
}

/// What a confirmation in the members view would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberConfirm {
    Revoke(String),
    /// Revoke these expired memberships.
    Sweep(Vec<String>),
    /// Start the handover of this member.
    Handover {
        name: String,
        revoked: bool,
    },
}

/// The groups typed for a grant.
pub struct GrantInput {
    pub member: String,
    pub groups: String,
    pub error: Option<String>,
}

/// The add-member form.
pub struct MemberForm {
    pub name: String,
    pub role: crate::format::Role,
    /// Comma-separated group names (contractors).
    pub groups: String,
    /// `YYYY-MM-DD`, or empty for no expiry.
    pub expires: String,
    pub passphrase: SecretInput,
    pub repeat: SecretInput,
    /// The field that has the focus.
    pub cursor: MemberField,
    pub error: Option<String>,
}

/// The add-member form's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberField {
    Name,
    Role,
    Groups,
    Expires,
    Passphrase,
    Repeat,
}

impl Fields for MemberField {
    const ALL: &'static [Self] = &[
        MemberField::Name,
        MemberField::Role,
        MemberField::Groups,
        MemberField::Expires,
        MemberField::Passphrase,
        MemberField::Repeat,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        match self {
            MemberField::Name => "Name",
            MemberField::Role => "Role",
            MemberField::Groups => "Groups",
            MemberField::Expires => "Expires",
            MemberField::Passphrase => "Passphrase",
            MemberField::Repeat => "Repeat it",
        }
    }
}

impl MemberForm {
    pub fn new() -> Self {
        MemberForm {
            name: String::new(),
            role: crate::format::Role::Contractor,
            groups: String::new(),
            expires: String::new(),
            passphrase: SecretInput::new(),
            repeat: SecretInput::new(),
            cursor: MemberField::Name,
            error: None,
        }
    }

    /// The groups typed, trimmed, without empty ones.
    pub fn group_list(&self) -> Vec<String> {
        split_groups(&self.groups)
    }
}

impl Default for MemberForm {
    fn default() -> Self {
        Self::new()
    }
}

/// Comma-separated group names, trimmed, without empty ones.
pub fn split_groups(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The handover of `member`, as recorded in the vault's log now.
pub fn handover_of(
    v: &crate::vault::Vault,
    member: &str,
) -> Option<crate::session::handover::HandoverView> {
    crate::session::handover::views(v)
        .into_iter()
        .find(|h| h.member == member)
}

/// What the runtime reported for a membership change: the index is
/// rebuilt (re-keyed groups, new or revoked members), the members view
/// goes back to its list or to a checklist, and a refused form keeps
/// what was typed. Returns the status line to show.
pub(crate) fn member_done(
    m: &mut MainScreen,
    result: Result<crate::tui::action::MemberReport, String>,
) -> (Option<String>, bool) {
    match result {
        Ok(report) => {
            m.reindex(m.selected_entry());
            let n = member_rows(&m.session.vault).len();
            if let Some(Overlay::Members(mv)) = &mut m.overlay {
                mv.mode = match (report.checklist, &mv.mode) {
                    (Some(name), MembersMode::Checklist { member, cursor }) if *member == name => {
                        MembersMode::Checklist {
                            member: name,
                            cursor: *cursor,
                        }
                    }
                    (Some(name), _) => {
                        if let Some(i) = member_rows(&m.session.vault)
                            .iter()
                            .position(|r| r.name == name)
                        {
                            mv.cursor = i;
                        }
                        MembersMode::Checklist {
                            member: name,
                            cursor: 0,
                        }
                    }
                    (None, _) => MembersMode::List,
                };
                mv.cursor = mv.cursor.min(n.saturating_sub(1));
            }
            (Some(report.message), report.error)
        }
        Err(why) => {
            if let Some(Overlay::Members(mv)) = &mut m.overlay {
                match &mut mv.mode {
                    MembersMode::Add(f) => {
                        f.error = Some(why);
                        return (None, true);
                    }
                    MembersMode::Grant(g) => {
                        g.error = Some(why);
                        return (None, true);
                    }
                    MembersMode::Confirm(_) => mv.mode = MembersMode::List,
                    MembersMode::List | MembersMode::Checklist { .. } => {}
                }
            }
            (Some(why), true)
        }
    }
}

/// The members view (`M`): the list, the add form, a grant, a
/// confirmation, or a handover checklist. Owners change members; an
/// auditor reads the list and recorded checklists.
pub(crate) fn members_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let page = crate::tui::screen::main::list_rows(app.size);
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let Some(Overlay::Members(mv)) = &mut m.overlay else {
        return Vec::new();
    };
    let v = &m.session.vault;
    let owner = v.is_owner();
    let mut say: Option<(String, bool)> = None;
    let mut effects = Vec::new();
    let mut close = false;
    let mut jump: Option<(EntryRef, ChecklistAt)> = None;
    match &mut mv.mode {
        MembersMode::List => {
            let rows = member_rows(v);
            let sel = rows.get(mv.cursor);
            match action {
                a if is_move(&a) => mv.cursor = step(mv.cursor, rows.len(), &a, page),
                Msg::Intent(Intent::Back) | Msg::Intent(Intent::Members) => close = true,
                // Ctrl-S: write what a failed save left in memory.
                Msg::Intent(Intent::Submit) => effects.push(Effect::Change(Change::Retry)),
                Msg::Intent(Intent::Member(MemberCmd::Handover)) => match sel {
                    None => {}
                    Some(r) if handover_of(v, &r.name).is_some() => {
                        mv.mode = MembersMode::Checklist {
                            member: r.name.clone(),
                            cursor: 0,
                        };
                    }
                    Some(_) if !owner => say = Some((strings::MEMBERS_READ_ONLY.into(), true)),
                    Some(r) if r.name == v.me().name => {
                        say = Some((strings::NOT_YOURSELF.into(), true));
                    }
                    Some(r) => {
                        mv.mode = MembersMode::Confirm(MemberConfirm::Handover {
                            name: r.name.clone(),
                            revoked: r.revoked_at.is_some(),
                        });
                    }
                },
                Msg::Intent(Intent::Member(_)) if !owner => {
                    say = Some((strings::MEMBERS_READ_ONLY.into(), true));
                }
                Msg::Intent(Intent::Member(MemberCmd::Add)) => {
                    mv.mode = MembersMode::Add(Box::default());
                }
                Msg::Intent(Intent::Member(MemberCmd::Grant)) => match sel {
                    None => {}
                    Some(r) if r.revoked_at.is_some() => {
                        say = Some((strings::was_revoked(&r.name), true));
                    }
                    Some(r) if r.role != Role::Contractor => {
                        say = Some((strings::GRANT_CONTRACTORS_ONLY.into(), true));
                    }
                    Some(r) => {
                        mv.mode = MembersMode::Grant(GrantInput {
                            member: r.name.clone(),
                            groups: String::new(),
                            error: None,
                        });
                    }
                },
                Msg::Intent(Intent::Member(MemberCmd::Revoke)) => match sel {
                    None => {}
                    Some(r) if r.revoked_at.is_some() => {
                        say = Some((strings::was_revoked(&r.name), true));
                    }
                    Some(r) if r.name == v.me().name => {
                        say = Some((strings::NOT_YOURSELF.into(), true));
                    }
                    Some(r) => {
                        mv.mode = MembersMode::Confirm(MemberConfirm::Revoke(r.name.clone()));
                    }
                },
                Msg::Intent(Intent::Member(MemberCmd::Sweep)) => {
                    let names: Vec<String> = v
                        .expired_members(now.unix)
                        .iter()
                        .map(|x| x.name.clone())
                        .collect();
                    if names.is_empty() {
                        say = Some((strings::NONE_EXPIRED.into(), false));
                    } else {
                        mv.mode = MembersMode::Confirm(MemberConfirm::Sweep(names));
                    }
                }
                _ => {}
            }
        }
        MembersMode::Add(f) => {
            let mut back = false;
            member_form_update(f, action, now, v, &mut effects, &mut back);
            if back {
                mv.mode = MembersMode::List;
            }
        }
        MembersMode::Grant(g) => match action {
            Msg::Intent(Intent::Char(c)) => {
                g.error = None;
                if g.groups.len() < 2000 {
                    g.groups.push(c);
                }
            }
            Msg::Intent(Intent::Backspace) => {
                g.groups.pop();
            }
            Msg::Intent(Intent::ClearField) => g.groups.clear(),
            Msg::Intent(Intent::Submit) | Msg::Intent(Intent::Open) => {
                let groups = split_groups(&g.groups);
                if groups.is_empty() {
                    g.error = Some(strings::GROUPS_REQUIRED.into());
                } else {
                    effects.push(Effect::Member(MemberOp::Grant {
                        name: g.member.clone(),
                        groups,
                    }));
                }
            }
            Msg::Intent(Intent::Back) => mv.mode = MembersMode::List,
            _ => {}
        },
        MembersMode::Confirm(c) => match action {
            Msg::Intent(Intent::Confirm(true)) => effects.push(Effect::Member(match c {
                MemberConfirm::Revoke(name) => MemberOp::Revoke(vec![name.clone()]),
                MemberConfirm::Sweep(names) => MemberOp::Revoke(names.clone()),
                MemberConfirm::Handover { name, .. } => MemberOp::Handover(name.clone()),
            })),
            Msg::Intent(Intent::Confirm(false)) | Msg::Intent(Intent::Back) => {
                mv.mode = MembersMode::List
            }
            _ => {}
        },
        MembersMode::Checklist { member, cursor } => {
            let h = handover_of(v, member);
            let items = h.as_ref().map_or(&[][..], |h| &h.items[..]);
            let item = items.get(*cursor);
            match action {
                a if is_move(&a) => *cursor = step(*cursor, items.len(), &a, page),
                Msg::Intent(Intent::Back) => mv.mode = MembersMode::List,
                Msg::Intent(Intent::VerifyItem)
                | Msg::Intent(Intent::Edit)
                | Msg::Intent(Intent::Open)
                    if !owner =>
                {
                    say = Some((strings::MEMBERS_READ_ONLY.into(), true));
                }
                Msg::Intent(Intent::VerifyItem) => match item {
                    None => {}
                    Some(i) if i.state == State::Verified => {
                        say = Some((strings::already_verified(&i.title), false));
                    }
                    Some(i) if i.state == State::Pending && !i.removed => {
                        say = Some((strings::rotate_first(&i.title, member), true));
                    }
                    Some(i) => effects.push(Effect::Member(MemberOp::Verify {
                        member: member.clone(),
                        entry_id: i.entry_id.clone(),
                    })),
                },
                Msg::Intent(Intent::Edit) | Msg::Intent(Intent::Open) => {
                    if let Some(i) = item {
                        let found = v
                            .entries()
                            .find(|(_, _, e)| e.id.hex() == i.entry_id)
                            .map(|(r, _, _)| r);
                        match found {
                            Some(r) => {
                                jump = Some((
                                    r,
                                    ChecklistAt {
                                        member: member.clone(),
                                        entry_id: i.entry_id.clone(),
                                    },
                                ));
                            }
                            None => say = Some((strings::not_listed(&i.title), true)),
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if close {
        m.overlay = None;
    }
    if let Some((r, at)) = jump {
        // The entry in the main view, then its edit form over it.
        m.query.clear();
        m.group_cursor = 0;
        m.focus = Focus::List;
        m.refilter();
        if let Some(i) = m.hits.iter().position(|h| *h == r) {
            m.selected = i;
        }
        keep_visible(m, page);
        m.revealed = None;
        m.overlay = Some(Overlay::Form(Box::new(edit_form(
            m,
            r,
            Some(BackTo::Checklist(at)),
        ))));
    }
    if let Some((text, error)) = say {
        status(app, text, error, now);
    }
    effects
}

/// The add-member form: typing, moving between fields, and the checks
/// made before the runtime is asked to add the member.
pub(crate) fn member_form_update(
    f: &mut MemberForm,
    action: Msg,
    now: Now,
    v: &crate::vault::Vault,
    effects: &mut Vec<Effect>,
    back: &mut bool,
) {
    match action {
        Msg::Intent(Intent::Char(c)) => {
            f.error = None;
            match f.cursor {
                MemberField::Name if f.name.len() < 64 => f.name.push(c),
                MemberField::Role => {
                    f.role = match c.to_ascii_lowercase() {
                        'o' => Role::Owner,
                        'c' => Role::Contractor,
                        'a' => Role::Auditor,
                        ' ' => match f.role {
                            Role::Contractor => Role::Owner,
                            Role::Owner => Role::Auditor,
                            Role::Auditor => Role::Contractor,
                        },
                        _ => f.role,
                    }
                }
                MemberField::Groups if f.groups.len() < 2000 => f.groups.push(c),
                MemberField::Expires if f.expires.len() < 32 => f.expires.push(c),
                MemberField::Passphrase if !f.passphrase.push(c) => {
                    f.error = Some(strings::PASSPHRASE_TOO_LONG.into());
                }
                MemberField::Repeat if !f.repeat.push(c) => {
                    f.error = Some(strings::PASSPHRASE_TOO_LONG.into());
                }
                _ => {}
            }
        }
        Msg::Intent(Intent::Backspace) => match f.cursor {
            MemberField::Name => {
                f.name.pop();
            }
            MemberField::Role => {}
            MemberField::Groups => {
                f.groups.pop();
            }
            MemberField::Expires => {
                f.expires.pop();
            }
            MemberField::Passphrase => f.passphrase.pop(),
            MemberField::Repeat => f.repeat.pop(),
        },
        Msg::Intent(Intent::ClearField) => match f.cursor {
            MemberField::Name => f.name.clear(),
            MemberField::Role => {}
            MemberField::Groups => f.groups.clear(),
            MemberField::Expires => f.expires.clear(),
            MemberField::Passphrase => f.passphrase.clear(),
            MemberField::Repeat => f.repeat.clear(),
        },
        Msg::Intent(Intent::NextPane) => f.cursor = f.cursor.next(),
        Msg::Intent(Intent::PrevField) => f.cursor = f.cursor.prev(),
        Msg::Intent(Intent::Submit) | Msg::Intent(Intent::Open) => {
            match check_member_form(f, now, v) {
                Err((field, why)) => {
                    f.cursor = field;
                    f.error = Some(why);
                    if field == MemberField::Repeat {
                        f.repeat.clear();
                    }
                }
                Ok(()) => {
                    f.error = None;
                    effects.push(Effect::Member(MemberOp::Add));
                }
            }
        }
        Msg::Intent(Intent::Back) => *back = true,
        _ => {}
    }
}

/// The form's checks, in field order: the field at fault and why.
pub(crate) fn check_member_form(
    f: &MemberForm,
    now: Now,
    v: &crate::vault::Vault,
) -> Result<(), (MemberField, String)> {
    let name = f.name.trim();
    if name.is_empty() {
        return Err((MemberField::Name, strings::MEMBER_NAME_REQUIRED.into()));
    }
    crate::vault::validate_member_name(name).map_err(|e| (MemberField::Name, e.to_string()))?;
    if v.manifest().members.iter().any(|m| m.name == name) {
        return Err((MemberField::Name, strings::member_exists(name)));
    }
    let groups = f.group_list();
    if f.role == Role::Contractor && groups.is_empty() {
        return Err((MemberField::Groups, strings::CONTRACTOR_NEEDS_GROUPS.into()));
    }
    if f.role != Role::Contractor && !groups.is_empty() {
        return Err((MemberField::Groups, strings::GROUPS_FOR_CONTRACTORS.into()));
    }
    if !f.expires.trim().is_empty() {
        let t = crate::dates::parse(&f.expires)
            .map_err(|e| (MemberField::Expires, strings::bad_expiry(&e.to_string())))?;
        if t <= now.unix {
            return Err((MemberField::Expires, strings::EXPIRY_PASSED.into()));
        }
    }
    if f.passphrase.chars() < 12 {
        return Err((MemberField::Passphrase, strings::PASSPHRASE_SHORT.into()));
    }
    if f.passphrase.peek() != f.repeat.peek() {
        return Err((MemberField::Repeat, strings::PASSPHRASES_DIFFER.into()));
    }
    Ok(())
}

pub(crate) fn members(app: &App, m: &MainScreen, mv: &MembersView, f: &mut Frame, area: Rect) {
    // The status line and the footer stay visible below: what a change
    // did, or why it was refused, is said there.
    let area = Rect {
        height: area.height.saturating_sub(2),
        ..area
    };
    if let MembersMode::Checklist { member, cursor } = &mv.mode {
        checklist(m, member, *cursor, f, area);
        return;
    }
    let rows = member_rows(&m.session.vault);
    member_list(app, m, &rows, mv.cursor, f, area);
    match &mv.mode {
        MembersMode::Add(form) => member_form(m, form, f, area),
        MembersMode::Grant(g) => grant_card(&rows, m, g, f, area),
        MembersMode::Confirm(c) => member_confirm(c, f, area),
        MembersMode::List | MembersMode::Checklist { .. } => {}
    }
}

/// Every member: role, state (expired memberships stand out), expiry,
/// last unlock, reveals and groups; the selected one in full below.
pub(crate) fn member_list(
    app: &App,
    m: &MainScreen,
    rows: &[MemberRow],
    cursor: usize,
    f: &mut Frame,
    area: Rect,
) {
    let v = &m.session.vault;
    let now = app.clock.unix;
    let title = format!("{} · {}", strings::MEMBERS_TITLE, rows.len());
    let inner = card(f, area, &title, area.width, area.height);
    let [list_area, detail_area, keys_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    let width = usize::from(inner.width);
    let wide = width >= 100;
    let (name_w, unlock_w, unlock_head) = if wide {
        (16, 16, "LAST UNLOCK")
    } else {
        (12, 10, "UNLOCKED")
    };
    let head = format!(
        "{:<name_w$} {:<10} {:<7} {:<10} {:<unlock_w$} {:>7}  GROUPS",
        "NAME", "ROLE", "STATE", "EXPIRES", unlock_head, "REVEALS"
    );
    let used = name_w + 10 + 7 + 10 + unlock_w + 7 + 7;
    let groups_w = width.saturating_sub(used);
    let mut lines = vec![Line::from(Span::styled(
        fit(&head, width),
        Style::default().bold(),
    ))];
    let visible = usize::from(list_area.height.saturating_sub(1)).max(1);
    let first = cursor.saturating_sub(visible - 1);
    for (i, r) in rows.iter().enumerate().skip(first).take(visible) {
        let (state, state_style) = if r.revoked_at.is_some() {
            (strings::REVOKED, Style::default().fg(Color::DarkGray))
        } else if r.expired(now) {
            (
                strings::EXPIRED,
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        } else {
            (strings::ACTIVE, Style::default().fg(Color::Green))
        };
        let unlock = r.last_unlock.map_or_else(
            || "-".to_owned(),
            |t| {
                let s = short_time(t);
                s.get(..unlock_w).unwrap_or(&s).to_owned()
            },
        );
        let groups = member_groups(r);
        let mut base = Style::default();
        if r.revoked_at.is_some() {
            base = base.fg(Color::DarkGray);
        } else if r.expired(now) {
            base = base.fg(Color::Yellow);
        }
        let selected = i == cursor;
        if selected {
            base = Style::default()
                .fg(Color::Black)
                .bg(ACCENT)
                .add_modifier(Modifier::BOLD);
        }
        let state_style = if selected { base } else { state_style };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{:<name_w$} {:<10} ",
                    fit(&clean(&r.name), name_w),
                    role_name(r.role)
                ),
                base,
            ),
            Span::styled(format!("{state:<7}"), state_style),
            Span::styled(
                format!(
                    " {:<10} {:<unlock_w$} {:>7}  {}",
                    r.expires_at.map_or("-".to_owned(), dates::format_date),
                    unlock,
                    r.reveals,
                    fit(&clean(&groups), groups_w)
                ),
                base,
            ),
        ]));
    }
    f.render_widget(Paragraph::new(lines), list_area);

    if let Some(r) = rows.get(cursor) {
        // Built line by line (never wrapped), so a time is never split.
        let mut first = format!(
            "{} · {} · groups: {}",
            clean(&r.name),
            role_name(r.role),
            clean(&member_groups(r))
        );
        if let Some(t) = r.revoked_at {
            first.push_str(&format!(" · revoked {}", short_time(t)));
        } else if let Some(t) = r.expires_at {
            let word = if t <= now { "expired" } else { "expires" };
            first.push_str(&format!(" · {word} {}", dates::format_date(t)));
        }
        let mut second = match r.last_unlock {
            Some(t) => format!("last unlock {}", short_time(t)),
            None => "never unlocked".to_owned(),
        };
        second.push_str(&format!(" · reveals and copies: {}", r.reveals));
        let third = if handover_of(v, &r.name).is_some() {
            strings::HANDOVER_RECORDED
        } else if r.expired(now) {
            strings::EXPIRED_HINT
        } else {
            ""
        };
        let style = if r.expired(now) {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default()
        };
        let lines: Vec<Line> = [first, second, third.to_owned()]
            .into_iter()
            .map(|l| Line::from(Span::styled(fit(&l, width), style)))
            .collect();
        f.render_widget(Paragraph::new(lines), detail_area);
    }
    let keys = if v.is_owner() {
        KEYS_LIST.hint()
    } else {
        read_only_hint()
    };
    f.render_widget(Paragraph::new(hint_owned(keys)), keys_area);
}

/// A member's groups as listed: every group for an owner, none for an
/// auditor.
pub(crate) fn member_groups(r: &MemberRow) -> String {
    match r.role {
        Role::Owner => "(all)".to_owned(),
        _ if r.groups.is_empty() => "-".to_owned(),
        _ => r.groups.join(", "),
    }
}

pub(crate) fn vault_groups(m: &MainScreen) -> String {
    let names: Vec<String> = m
        .session
        .vault
        .groups()
        .iter()
        .map(|g| clean(&g.name).into_owned())
        .collect();
    names.join(", ")
}

pub(crate) fn member_form(m: &MainScreen, form: &MemberForm, f: &mut Frame, area: Rect) {
    let inner = card(f, area, strings::ADD_MEMBER_TITLE, 72, 12);
    let mut lines: Vec<Line> = Vec::new();
    for &field in MemberField::ALL {
        let label = field.label();
        let focused = field == form.cursor;
        let (value, note) = match field {
            MemberField::Name => (clean(&form.name).into_owned(), ""),
            MemberField::Role => (role_name(form.role).to_owned(), strings::ROLE_HINT),
            MemberField::Groups => (clean(&form.groups).into_owned(), strings::GROUPS_HINT),
            MemberField::Expires => (clean(&form.expires).into_owned(), strings::EXPIRES_HINT),
            MemberField::Passphrase => ("•".repeat(form.passphrase.chars().min(40)), ""),
            MemberField::Repeat => ("•".repeat(form.repeat.chars().min(40)), ""),
        };
        let label_style = if focused {
            Style::default().fg(ACCENT).bold()
        } else {
            Style::default().fg(Color::DarkGray)
        };
        let mut spans = vec![Span::styled(format!("{label:<12}"), label_style)];
        let shown = value.chars().count();
        spans.push(Span::raw(value));
        if focused {
            spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
        }
        if !note.is_empty() && (focused || shown == 0 || field == MemberField::Role) {
            spans.push(Span::styled(
                format!("  {note}"),
                Style::default().fg(Color::DarkGray),
            ));
        }
        if field == MemberField::Passphrase {
            spans.extend(super::onboard::strength_meter(form.passphrase.peek()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(hint_owned(format!("Groups here: {}", vault_groups(m))));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    } else {
        lines.push(Line::from(""));
    }
    lines.push(hint_owned(KEYS_ADD.hint()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub(crate) fn grant_card(
    rows: &[MemberRow],
    m: &MainScreen,
    g: &GrantInput,
    f: &mut Frame,
    area: Rect,
) {
    let title = strings::grant_title(&clean(&g.member));
    let inner = card(f, area, &title, 72, 10);
    let held = rows
        .iter()
        .find(|r| r.name == g.member)
        .map_or_else(String::new, member_groups);
    let mut lines = vec![
        Line::from(format!("{} holds: {}", clean(&g.member), clean(&held))),
        hint_owned(format!("Groups here: {}", vault_groups(m))),
        Line::from(""),
        Line::from(vec![
            Span::styled("Groups      ", Style::default().fg(ACCENT).bold()),
            Span::raw(clean(&g.groups).into_owned()),
            Span::styled("▏", Style::default().fg(ACCENT)),
        ]),
        Line::from(""),
    ];
    if let Some(e) = &g.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    } else {
        lines.push(hint(strings::GROUPS_HINT));
    }
    lines.push(hint_owned(KEYS_GRANT.hint()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub(crate) fn member_confirm(c: &MemberConfirm, f: &mut Frame, area: Rect) {
    let (title, mut lines, keys) = match c {
        MemberConfirm::Revoke(name) => (
            "Revoke",
            vec![
                Line::from(Span::styled(
                    strings::revoke_question(&clean(name)),
                    Style::default().bold(),
                )),
                Line::from(strings::REVOKE_EXPLAIN),
            ],
            confirm_hint(),
        ),
        MemberConfirm::Sweep(names) => {
            let names: Vec<String> = names.iter().map(|n| clean(n).into_owned()).collect();
            (
                "Sweep expired memberships",
                vec![
                    Line::from(Span::styled(
                        strings::sweep_question(&names),
                        Style::default().bold(),
                    )),
                    Line::from(strings::REVOKE_EXPLAIN),
                ],
                confirm_hint(),
            )
        }
        MemberConfirm::Handover { name, revoked } => {
            let name = clean(name);
            let mut lines = vec![
                Line::from(Span::styled(
                    strings::handover_question(&name),
                    Style::default().bold(),
                )),
                Line::from(""),
            ];
            lines.extend(
                strings::handover_steps(&name, *revoked)
                    .into_iter()
                    .map(Line::from),
            );
            ("Handover", lines, handover_hint())
        }
    };
    lines.push(Line::from(""));
    lines.push(hint_owned(keys));
    let inner_w = 64u16.min(area.width).saturating_sub(4).max(1);
    let height: u16 = lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(inner_w).max(1))
        .sum::<u16>()
        + 2;
    let inner = card(f, area, title, 64, height);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

const ADD: Binding = Binding::new("a", "add", &[(ch('a'), Intent::Member(MemberCmd::Add))]);
const GRANT: Binding = Binding::new("g", "grant", &[(ch('g'), Intent::Member(MemberCmd::Grant))]);
const REVOKE: Binding = Binding::new(
    "x",
    "revoke",
    &[(ch('x'), Intent::Member(MemberCmd::Revoke))],
);
const SWEEP: Binding = Binding::new(
    "s",
    "sweep expired",
    &[(ch('s'), Intent::Member(MemberCmd::Sweep))],
);
const HANDOVER: Binding = Binding::new(
    "h",
    "handover",
    &[(ch('h'), Intent::Member(MemberCmd::Handover))],
);
/// `h` as a member who is not an owner sees it: a recorded handover.
const RECORDED_HANDOVER: Binding = Binding::new(
    "h",
    "a recorded handover",
    &[(ch('h'), Intent::Member(MemberCmd::Handover))],
);
const CLOSE: Binding = Binding::new(
    "Esc",
    "close",
    &[(code(KeyCode::Esc), Intent::Back), (ch('M'), Intent::Back)],
);

/// The member list's keys.
pub const KEYS_LIST: Keys = Keys {
    bindings: &[
        &ADD,
        &GRANT,
        &REVOKE,
        &SWEEP,
        &HANDOVER,
        &keys::ARROWS,
        &CLOSE,
        &keys::QUIT_HIDDEN,
    ],
    typing: false,
    then: None,
};

const ADD_IT: Binding = Binding::new("Enter", "add", &[(code(KeyCode::Enter), Intent::Submit)]);

/// The add-member form's keys.
pub const KEYS_ADD: Keys = Keys {
    bindings: &[&keys::FIELDS, &ADD_IT, &keys::CANCEL],
    typing: true,
    then: None,
};

const GRANT_IT: Binding = Binding::new("Enter", "grant", &[(code(KeyCode::Enter), Intent::Submit)]);

/// The grant card's keys: the groups are typed.
pub const KEYS_GRANT: Keys = Keys {
    bindings: &[&GRANT_IT, &keys::CANCEL],
    typing: true,
    then: None,
};

const YES: Binding = Binding::new("y", "yes", keys::YES_KEYS);
const NO: Binding = Binding::new("n or Esc", "no", keys::NO_KEYS);
const START_HANDOVER: Binding = Binding::new("y", "start the handover", keys::YES_KEYS);
const CANCEL_HANDOVER: Binding = Binding::new("n or Esc", "cancel", keys::NO_KEYS);

/// A revocation's, a sweep's or a handover's question.
pub const KEYS_CONFIRM: Keys = Keys {
    bindings: &[&YES, &NO, &START_HANDOVER, &CANCEL_HANDOVER],
    typing: false,
    then: None,
};

/// The members view's keys in `mode`.
pub fn keys(mode: &MembersMode) -> &'static Keys {
    match mode {
        MembersMode::List => &KEYS_LIST,
        MembersMode::Add(_) => &KEYS_ADD,
        MembersMode::Grant(_) => &KEYS_GRANT,
        MembersMode::Confirm(_) => &KEYS_CONFIRM,
        MembersMode::Checklist { .. } => &super::handover::KEYS_CHECKLIST,
    }
}

/// A revocation's or a sweep's question: `y yes · n or Esc no`.
pub fn confirm_hint() -> String {
    keys::join(&[&YES, &NO], " · ")
}

/// A handover's question.
pub fn handover_hint() -> String {
    keys::join(&[&START_HANDOVER, &CANCEL_HANDOVER], " · ")
}

/// The member list, for a member who is not an owner.
pub fn read_only_hint() -> String {
    strings::read_only_keys(&keys::join(&[&RECORDED_HANDOVER, &CLOSE], " · "))
}
