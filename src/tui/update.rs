//! `update`: the state after an action, and the effects the runtime must
//! perform. No IO and no clock: the time comes in as [`Now`].
//!
//! A reveal or a copy never shows anything by itself: it asks the runtime
//! for [`Effect::Reveal`], and the value appears only when the runtime
//! reports [`Msg::Outcome(Outcome::Revealed)`], which it does only after the signed log
//! records are on disk (fail-closed, PRODUCT.md §2.3).

use super::action::{
    Change, CopyWhat, Effect, EntryForm, GenOptions, Intent, MemberCmd, MemberOp, Msg, Outcome,
    Reveal, RevealHow,
};
use super::app::{
    App, BackTo, ChecklistAt, FORM_LABELS, FORM_PASSWORD, FieldMut, Focus, Form, Generator,
    GrantInput, HealthAt, HealthView, LockReason, MEMBER_FORM_EXPIRES, MEMBER_FORM_GROUPS,
    MEMBER_FORM_LABELS, MEMBER_FORM_PASSPHRASE, MEMBER_FORM_REPEAT, MEMBER_FORM_ROLE, MainScreen,
    MemberConfirm, MemberForm, MembersMode, MembersView, Now, ONBOARD_LABELS, Overlay,
    RecoveryScreen, Screen, ShiftItem, ShiftWhat, Status, SummaryScreen, UnlockError, UnlockFocus,
    UnlockScreen, fixed_by_new_password, handover_of, member_rows, split_groups,
};
use super::strings;
use super::view;
use crate::format::Role;
use crate::handover::State;
use crate::session::ErrorKind;
use crate::vault::{EntryRef, Vault};

/// How long a status message stays.
const STATUS_MS: u64 = 6_000;

/// What Ctrl-G generates into a form's password field (and `f` in the
/// health view).
const FORM_GENERATE: GenOptions = GenOptions {
    words: false,
    length: 24,
};

pub fn update(app: &mut App, msg: impl Into<Msg>, now: Now) -> Vec<Effect> {
    let action = msg.into();
    app.clock = now;
    if is_input(&action) {
        app.last_input_ms = now.ms;
    }
    match action {
        Msg::Tick => return tick(app, now),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            if let Screen::Main(m) = &mut app.screen {
                keep_visible(m, view::list_rows(app.size));
                if let Some(Overlay::Health(h)) = &mut m.overlay {
                    h.keep_visible(view::health_rows(app.size));
                }
            }
            return Vec::new();
        }
        _ => {}
    }
    match &mut app.screen {
        Screen::Onboard(_) => onboard_update(app, action, now),
        Screen::Recovery(r) => {
            match action {
                Msg::Intent(Intent::Confirm(true)) => {
                    let owner = r.owner.clone();
                    app.screen =
                        Screen::Unlock(UnlockScreen::new(vec![owner.clone()], Some(&owner)));
                    status(app, strings::CREATED, false, now);
                }
                Msg::Intent(Intent::Quit) => return quit(app),
                _ => {}
            }
            Vec::new()
        }
        Screen::Unlock(_) => unlock_update(app, action, now),
        Screen::Summary(_) => match action {
            Msg::Intent(Intent::Quit) => quit(app),
            Msg::Intent(Intent::Open) | Msg::Intent(Intent::Back) => {
                if let Screen::Summary(s) = &app.screen {
                    let members = s.members.clone();
                    app.screen = Screen::Unlock(UnlockScreen::new(members, Some(&s.member)));
                }
                Vec::new()
            }
            _ => Vec::new(),
        },
        Screen::Main(_) => main_update(app, action, now),
    }
}

/// Key-driven actions count as activity; ticks and reports do not.
fn is_input(a: &Msg) -> bool {
    !matches!(
        a,
        Msg::Tick
            | Msg::Resize(..)
            | Msg::Outcome(Outcome::Unlocked(_))
            | Msg::Outcome(Outcome::UnlockFailed(_))
            | Msg::Outcome(Outcome::Revealed(_))
            | Msg::Outcome(Outcome::RevealFailed(_))
            | Msg::Outcome(Outcome::Saved { .. })
            | Msg::Outcome(Outcome::SaveFailed(_))
            | Msg::Outcome(Outcome::Generated(_))
            | Msg::Outcome(Outcome::Created(_))
            | Msg::Outcome(Outcome::MemberDone(_))
    )
}

fn status(app: &mut App, text: impl Into<String>, error: bool, now: Now) {
    app.status = Some(Status {
        text: text.into(),
        error,
        until_ms: now.ms + STATUS_MS,
    });
}

fn tick(app: &mut App, now: Now) -> Vec<Effect> {
    if app.status.as_ref().is_some_and(|s| now.ms >= s.until_ms) {
        app.status = None;
    }
    if app.clipboard_until.is_some_and(|t| now.ms >= t) {
        app.clipboard_until = None;
    }
    if let Screen::Main(m) = &mut app.screen {
        if m.revealed.is_some_and(|(_, until)| now.ms >= until) {
            m.revealed = None;
        }
        if let Some(Overlay::Codes { until_ms, .. }) = &m.overlay
            && now.ms >= *until_ms
        {
            m.overlay = None;
        }
        if now.ms.saturating_sub(app.last_input_ms) >= app.settings.idle_lock_ms {
            return lock(app, LockReason::Idle);
        }
    }
    Vec::new()
}

fn onboard_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
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
            o.cursor = 2;
            o.error = Some(e.to_string());
            return Vec::new();
        }
        _ => {}
    }
    if o.busy_since.is_some() {
        return Vec::new();
    }
    let n = ONBOARD_LABELS.len();
    match action {
        Msg::Intent(Intent::Char(c)) => {
            o.error = None;
            match o.cursor {
                0 if o.owner.len() < 64 => o.owner.push(c),
                1 if o.domain.len() < 253 => o.domain.push(c),
                2 => {
                    o.passphrase.push(c);
                }
                3 => {
                    o.repeat.push(c);
                }
                _ => {}
            }
        }
        Msg::Intent(Intent::Backspace) => match o.cursor {
            0 => {
                o.owner.pop();
            }
            1 => {
                o.domain.pop();
            }
            2 => o.passphrase.pop(),
            _ => o.repeat.pop(),
        },
        Msg::Intent(Intent::NextPane) => o.cursor = (o.cursor + 1) % n,
        Msg::Intent(Intent::PrevField) => o.cursor = (o.cursor + n - 1) % n,
        Msg::Intent(Intent::Open) => {
            if o.cursor + 1 < n {
                o.cursor += 1;
                return Vec::new();
            }
            let problem = if o.owner.trim().is_empty() {
                Some((0, strings::NAME_REQUIRED.to_owned()))
            } else if let Err(e) = crate::vault::validate_member_name(o.owner.trim()) {
                Some((0, e.to_string()))
            } else if !o.domain.trim().is_empty()
                && let Err(e) = crate::session::create::check_domain(o.domain.trim())
            {
                Some((1, e.to_string()))
            } else if o.passphrase.chars() < 12 {
                Some((2, strings::PASSPHRASE_SHORT.to_owned()))
            } else if o.passphrase.peek() != o.repeat.peek() {
                Some((3, strings::PASSPHRASES_DIFFER.to_owned()))
            } else {
                None
            };
            if let Some((field, msg)) = problem {
                o.cursor = field;
                o.error = Some(msg);
                if field == 3 {
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

fn unlock_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let Screen::Unlock(u) = &mut app.screen else {
        return Vec::new();
    };
    match action {
        Msg::Intent(Intent::Quit) => return quit(app),
        Msg::Outcome(Outcome::Unlocked(opened)) => {
            let v = &opened.session.vault;
            // One line: the owner's summary, else the weak KDF, else the
            // session's first warning.
            let text = unlock_summary(v, now.unix).or_else(|| {
                if v.weak_kdf() {
                    Some(strings::WEAK_KDF.to_owned())
                } else {
                    opened.session.warnings().into_iter().next()
                }
            });
            app.screen = Screen::Main(Box::new(MainScreen::new(opened.session, opened.index)));
            if let Screen::Main(m) = &mut app.screen {
                keep_visible(m, view::list_rows(app.size));
            }
            if let Some(t) = text {
                status(app, t, true, now);
            }
            return Vec::new();
        }
        Msg::Outcome(Outcome::UnlockFailed(e)) => {
            u.busy_since = None;
            u.submitted_chars = 0;
            let kind = e.kind();
            let detail = if kind == ErrorKind::Unlock {
                String::new()
            } else {
                e.to_string()
            };
            u.error = Some(UnlockError {
                heading: match kind {
                    ErrorKind::Unlock => strings::WRONG_PASSPHRASE,
                    ErrorKind::Denied => strings::ACCESS_DENIED,
                    ErrorKind::Locked => strings::LOCKED_ELSEWHERE,
                    ErrorKind::Integrity => strings::DAMAGED,
                    ErrorKind::Invalid | ErrorKind::Other => strings::CANNOT_OPEN,
                },
                detail,
            });
            return Vec::new();
        }
        _ => {}
    }
    if u.busy_since.is_some() {
        return Vec::new();
    }
    match action {
        Msg::Intent(Intent::Char(c)) => {
            u.error = None;
            u.focus = UnlockFocus::Passphrase;
            if !u.passphrase.push(c) {
                u.error = Some(UnlockError {
                    heading: strings::PASSPHRASE_TOO_LONG,
                    detail: String::new(),
                });
            }
        }
        Msg::Intent(Intent::Backspace) => u.passphrase.pop(),
        Msg::Intent(Intent::ClearField) => u.passphrase.clear(),
        Msg::Intent(Intent::Up) | Msg::Intent(Intent::Down) if !u.members.is_empty() => {
            let n = u.members.len();
            u.member = if matches!(action, Msg::Intent(Intent::Up)) {
                (u.member + n - 1) % n
            } else {
                (u.member + 1) % n
            };
        }
        Msg::Intent(Intent::NextPane) if u.members.len() > 1 => {
            u.focus = match u.focus {
                UnlockFocus::Member => UnlockFocus::Passphrase,
                UnlockFocus::Passphrase => UnlockFocus::Member,
            };
        }
        Msg::Intent(Intent::Open) => {
            if u.focus == UnlockFocus::Member {
                u.focus = UnlockFocus::Passphrase;
            } else if u.passphrase.is_empty() {
                u.error = Some(UnlockError {
                    heading: strings::TYPE_PASSPHRASE,
                    detail: String::new(),
                });
            } else {
                u.error = None;
                u.busy_since = Some(now.ms);
                u.submitted_chars = u.passphrase.chars();
                return vec![Effect::Unlock {
                    member: u.members.get(u.member).cloned(),
                    passphrase: u.passphrase.take(),
                }];
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The owner's line at unlock: findings, handover items not verified,
/// memberships expired or expiring within 14 days (see
/// [`strings::unlock_summary`]). Contractors and auditors get none.
fn unlock_summary(v: &Vault, now: i64) -> Option<String> {
    if !v.is_owner() {
        return None;
    }
    let findings = crate::health::findings(v, &crate::health::Policy::of(v), now).len();
    let left: usize = crate::session::handover::views(v)
        .iter()
        .map(|h| h.left)
        .sum();
    let soon = now + crate::health::EXPIRING_DAYS * 86_400;
    let mut expired = 0;
    let mut expiring = 0;
    for m in v
        .manifest()
        .members
        .iter()
        .filter(|m| m.revoked_at.is_none())
    {
        match m.expires_at {
            Some(t) if t <= now => expired += 1,
            Some(t) if t <= soon => expiring += 1,
            _ => {}
        }
    }
    strings::unlock_summary(findings, left, expired, expiring)
}

fn main_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let rows = view::list_rows(app.size);
    let health_rows = view::health_rows(app.size);
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
    match action {
        Msg::Intent(Intent::Quit) => return quit(app),
        Msg::Intent(Intent::Lock) => return lock(app, LockReason::Asked),
        Msg::Intent(Intent::Help) => m.overlay = Some(Overlay::Help),
        Msg::Intent(Intent::Submit) => return vec![Effect::Change(Change::Retry)],
        Msg::Intent(Intent::AccessLog) => m.overlay = Some(Overlay::Log { top: 0 }),
        Msg::Intent(Intent::Members) => {
            if m.session.vault.me().role == Role::Contractor {
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
                cursor: 0,
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

fn overlay_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let rows = view::list_rows(app.size);
    let health_rows = view::health_rows(app.size);
    let clipboard_ms = app.settings.clipboard_ms;
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let log_len = if matches!(m.overlay, Some(Overlay::Log { .. })) {
        m.visible_log().len()
    } else {
        0
    };
    if matches!(m.overlay, Some(Overlay::Members(_))) {
        return members_update(app, action, now);
    }
    if matches!(m.overlay, Some(Overlay::Health(_))) {
        return health_update(app, action, now);
    }
    let Some(o) = m.overlay.as_mut() else {
        return Vec::new();
    };
    let is_move = is_move(&action);
    match o {
        Overlay::Help => {
            if matches!(
                action,
                Msg::Intent(Intent::Back) | Msg::Intent(Intent::Help) | Msg::Intent(Intent::Open)
            ) {
                m.overlay = None;
            }
        }
        Overlay::ConfirmDelete(r) => match action {
            Msg::Intent(Intent::Confirm(true)) => {
                let r = *r;
                m.overlay = None;
                return vec![Effect::Change(Change::Remove(r))];
            }
            Msg::Intent(Intent::Confirm(false)) | Msg::Intent(Intent::Back) => m.overlay = None,
            _ => {}
        },
        Overlay::Codes { entry, cursor, .. } => {
            let codes = &m.session.vault.entry(*entry).backup_codes;
            match action {
                a if is_move => *cursor = step(*cursor, codes.len(), &a, rows),
                Msg::Intent(Intent::MarkUsed) => {
                    if codes.get(*cursor).is_some_and(|c| c.used_at.is_none()) {
                        return vec![Effect::Change(Change::CodeUsed(*entry, *cursor))];
                    }
                    let text = strings::CODE_ALREADY_USED;
                    status(app, text, true, now);
                }
                Msg::Intent(Intent::Back) => m.overlay = None,
                _ => {}
            }
        }
        Overlay::Log { top } => match action {
            a if is_move => *top = step(*top, log_len, &a, rows),
            Msg::Intent(Intent::Back) => m.overlay = None,
            _ => {}
        },
        Overlay::Generator(g) => {
            let (min, max) = if g.opts.words { (3, 20) } else { (8, 128) };
            match action {
                Msg::Intent(Intent::Generator) => return vec![Effect::Generate(g.opts)],
                Msg::Intent(Intent::ToggleWords) => {
                    g.opts.words = !g.opts.words;
                    g.opts.length = if g.opts.words { 6 } else { 24 };
                    return vec![Effect::Generate(g.opts)];
                }
                Msg::Intent(Intent::Longer) | Msg::Intent(Intent::Shorter) => {
                    g.opts.length = if matches!(action, Msg::Intent(Intent::Longer)) {
                        (g.opts.length + 1).min(max)
                    } else {
                        g.opts.length.saturating_sub(1).max(min)
                    };
                    return vec![Effect::Generate(g.opts)];
                }
                Msg::Outcome(Outcome::Generated(v)) => g.value = Some(v),
                Msg::Intent(Intent::Copy(_)) => {
                    if let Some(v) = &g.value {
                        let effect = Effect::CopyGenerated(v.clone());
                        app.clipboard_until = Some(now.ms + clipboard_ms);
                        status(
                            app,
                            strings::generated_copied(clipboard_ms / 1000),
                            false,
                            now,
                        );
                        return vec![effect];
                    }
                }
                Msg::Intent(Intent::Back) => m.overlay = None,
                _ => {}
            }
        }
        Overlay::Form(f) => {
            if f.saving {
                return Vec::new();
            }
            let n = FORM_LABELS.len();
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
                Msg::Intent(Intent::NextPane) => f.cursor = (f.cursor + 1) % n,
                Msg::Intent(Intent::PrevField) => f.cursor = (f.cursor + n - 1) % n,
                Msg::Intent(Intent::GenerateInto) => return vec![Effect::Generate(FORM_GENERATE)],
                Msg::Outcome(Outcome::Generated(v)) => {
                    f.values.password.clear();
                    for c in v.chars() {
                        f.values.password.push(c);
                    }
                    f.cursor = FORM_PASSWORD;
                }
                Msg::Intent(Intent::Submit) | Msg::Intent(Intent::Open) => {
                    if f.values.title.trim().is_empty() {
                        f.error = Some(strings::TITLE_REQUIRED.into());
                        f.cursor = 0;
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
        }
        Overlay::Members(_) | Overlay::Health(_) => {}
    }
    Vec::new()
}

fn is_move(a: &Msg) -> bool {
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

/// The edit form of entry `r`, prefilled with its plain fields; its
/// secret fields start empty ("unchanged").
fn edit_form(m: &MainScreen, r: EntryRef, back_to: Option<BackTo>) -> Form {
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
        cursor: 0,
        error: None,
        saving: false,
        back_to,
    }
}

/// The view an edit form opened from goes back to when it closes.
fn back_overlay(m: &MainScreen, at: BackTo, now: Now, health_rows: usize) -> Overlay {
    match at {
        BackTo::Checklist(at) => checklist_at(m, at),
        BackTo::Health(at) => health_at(m, at, now, health_rows),
    }
}

/// The health view, recomputed: the finding `at` names selected if it is
/// still there (the form was left unsaved), else what took its row.
fn health_at(m: &MainScreen, at: HealthAt, now: Now, rows: usize) -> Overlay {
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

/// Selects `r` in the main view's list, clearing the search and then
/// the group filter only if they hide it.
fn show_entry(m: &mut MainScreen, r: EntryRef, rows: usize) {
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

/// The health view (`H`): move among the findings, Enter selects the
/// entry in the main view, `f` opens its edit form with a new generated
/// password (Ctrl-G's path), `e` its edit form as it is. A form opened
/// here comes back to the view, recomputed. Nothing here reveals a
/// secret, so nothing is logged.
fn health_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let page = view::health_rows(app.size);
    let rows = view::list_rows(app.size);
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
                form.cursor = FORM_PASSWORD;
                m.overlay = Some(Overlay::Form(Box::new(form)));
                return vec![Effect::Generate(FORM_GENERATE)];
            }
            m.overlay = Some(Overlay::Form(Box::new(form)));
        }
        _ => {}
    }
    Vec::new()
}

/// The members view showing `at.member`'s checklist, recomputed from the
/// log, with `at.entry_id` selected if it is still listed.
fn checklist_at(m: &MainScreen, at: ChecklistAt) -> Overlay {
    let v = &m.session.vault;
    let rows = member_rows(v);
    let cursor = handover_of(v, &at.member)
        .and_then(|h| h.items.iter().position(|i| i.entry_id == at.entry_id))
        .unwrap_or(0);
    Overlay::Members(Box::new(MembersView {
        cursor: rows.iter().position(|r| r.name == at.member).unwrap_or(0),
        mode: MembersMode::Checklist {
            member: at.member,
            cursor,
        },
    }))
}

/// What the runtime reported for a membership change: the index is
/// rebuilt (re-keyed groups, new or revoked members), the members view
/// goes back to its list or to a checklist, and a refused form keeps
/// what was typed. Returns the status line to show.
fn member_done(
    m: &mut MainScreen,
    result: Result<super::action::MemberReport, String>,
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
fn members_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let page = view::list_rows(app.size);
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
fn member_form_update(
    f: &mut MemberForm,
    action: Msg,
    now: Now,
    v: &crate::vault::Vault,
    effects: &mut Vec<Effect>,
    back: &mut bool,
) {
    let n = MEMBER_FORM_LABELS.len();
    match action {
        Msg::Intent(Intent::Char(c)) => {
            f.error = None;
            match f.cursor {
                0 if f.name.len() < 64 => f.name.push(c),
                MEMBER_FORM_ROLE => {
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
                MEMBER_FORM_GROUPS if f.groups.len() < 2000 => f.groups.push(c),
                MEMBER_FORM_EXPIRES if f.expires.len() < 32 => f.expires.push(c),
                MEMBER_FORM_PASSPHRASE if !f.passphrase.push(c) => {
                    f.error = Some(strings::PASSPHRASE_TOO_LONG.into());
                }
                MEMBER_FORM_REPEAT if !f.repeat.push(c) => {
                    f.error = Some(strings::PASSPHRASE_TOO_LONG.into());
                }
                _ => {}
            }
        }
        Msg::Intent(Intent::Backspace) => match f.cursor {
            0 => {
                f.name.pop();
            }
            MEMBER_FORM_GROUPS => {
                f.groups.pop();
            }
            MEMBER_FORM_EXPIRES => {
                f.expires.pop();
            }
            MEMBER_FORM_PASSPHRASE => f.passphrase.pop(),
            MEMBER_FORM_REPEAT => f.repeat.pop(),
            _ => {}
        },
        Msg::Intent(Intent::ClearField) => match f.cursor {
            0 => f.name.clear(),
            MEMBER_FORM_GROUPS => f.groups.clear(),
            MEMBER_FORM_EXPIRES => f.expires.clear(),
            MEMBER_FORM_PASSPHRASE => f.passphrase.clear(),
            MEMBER_FORM_REPEAT => f.repeat.clear(),
            _ => {}
        },
        Msg::Intent(Intent::NextPane) => f.cursor = (f.cursor + 1) % n,
        Msg::Intent(Intent::PrevField) => f.cursor = (f.cursor + n - 1) % n,
        Msg::Intent(Intent::Submit) | Msg::Intent(Intent::Open) => {
            match check_member_form(f, now, v) {
                Err((field, why)) => {
                    f.cursor = field;
                    f.error = Some(why);
                    if field == MEMBER_FORM_REPEAT {
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
fn check_member_form(
    f: &MemberForm,
    now: Now,
    v: &crate::vault::Vault,
) -> Result<(), (usize, String)> {
    let name = f.name.trim();
    if name.is_empty() {
        return Err((0, strings::MEMBER_NAME_REQUIRED.into()));
    }
    crate::vault::validate_member_name(name).map_err(|e| (0, e.to_string()))?;
    if v.manifest().members.iter().any(|m| m.name == name) {
        return Err((0, strings::member_exists(name)));
    }
    let groups = f.group_list();
    if f.role == Role::Contractor && groups.is_empty() {
        return Err((MEMBER_FORM_GROUPS, strings::CONTRACTOR_NEEDS_GROUPS.into()));
    }
    if f.role != Role::Contractor && !groups.is_empty() {
        return Err((MEMBER_FORM_GROUPS, strings::GROUPS_FOR_CONTRACTORS.into()));
    }
    if !f.expires.trim().is_empty() {
        let t = crate::dates::parse(&f.expires)
            .map_err(|e| (MEMBER_FORM_EXPIRES, strings::bad_expiry(&e.to_string())))?;
        if t <= now.unix {
            return Err((MEMBER_FORM_EXPIRES, strings::EXPIRY_PASSED.into()));
        }
    }
    if f.passphrase.chars() < 12 {
        return Err((MEMBER_FORM_PASSPHRASE, strings::PASSPHRASE_SHORT.into()));
    }
    if f.passphrase.peek() != f.repeat.peek() {
        return Err((MEMBER_FORM_REPEAT, strings::PASSPHRASES_DIFFER.into()));
    }
    Ok(())
}

/// Moves a cursor within `0..n` for a movement action.
fn step(cur: usize, n: usize, action: &Msg, page: usize) -> usize {
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

fn refilter(m: &mut MainScreen, rows: usize) {
    let before = m.selected_entry();
    m.refilter();
    keep_visible(m, rows);
    if m.selected_entry() != before {
        m.revealed = None;
    }
}

/// Scrolls the list so the selection is on screen.
fn keep_visible(m: &mut MainScreen, rows: usize) {
    let rows = rows.max(1);
    if m.selected < m.top {
        m.top = m.selected;
    } else if m.selected >= m.top + rows {
        m.top = m.selected + 1 - rows;
    }
}

/// Ends the session: the clipboard is cleared if it holds our value, the
/// session (keys, entries, the vault's lock) goes to the runtime to be
/// recorded and dropped, and the shift summary is shown.
fn lock(app: &mut App, reason: LockReason) -> Vec<Effect> {
    let m = match std::mem::replace(&mut app.screen, Screen::Summary(placeholder())) {
        Screen::Main(m) => *m,
        other => {
            app.screen = other;
            return Vec::new();
        }
    };
    let member = m.session.vault.me().name.clone();
    let members = unlockable(&m);
    app.screen = Screen::Summary(SummaryScreen {
        member,
        members,
        items: m.shift,
        reason,
    });
    app.status = None;
    let mut effects = Vec::new();
    if app.clipboard_until.take().is_some() {
        effects.push(Effect::ClearClipboard);
    }
    effects.push(Effect::EndSession(Box::new(m.session)));
    effects
}

fn placeholder() -> SummaryScreen {
    SummaryScreen {
        member: String::new(),
        members: Vec::new(),
        items: Vec::new(),
        reason: LockReason::Asked,
    }
}

fn unlockable(m: &MainScreen) -> Vec<String> {
    m.session
        .vault
        .manifest()
        .members
        .iter()
        .filter(|x| x.revoked_at.is_none())
        .map(|x| x.name.clone())
        .collect()
}

fn quit(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Screen::Main(_) = app.screen {
        effects = lock(app, LockReason::Asked);
    }
    if app.clipboard_until.take().is_some() {
        effects.push(Effect::ClearClipboard);
    }
    app.quit = true;
    effects.push(Effect::Quit);
    effects
}
