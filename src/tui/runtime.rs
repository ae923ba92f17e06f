//! The loop: draw, wait for a key or a tick, map the key, update, perform
//! the effects, and feed their results back as actions. Generic over the
//! ratatui backend and the event source, so tests can drive it.
//!
//! Effects are the TUI's only IO: unlocking (on a worker thread, since the
//! KDF takes about a second), the reveal path shared with the command line
//! ([`crate::session::reveal`]: role check, then the signed record
//! appended and synced, and only then the value shown or copied), the
//! clipboard, and ending a session.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::Event;
use ratatui::crossterm::terminal as crossterm_terminal;

use super::action::{
    Change, CopyWhat, Effect, MemberOp, MemberReport, Msg, Opened, Outcome, Reveal, RevealHow,
};
use super::app::{
    App, Form, MainScreen, MemberForm, MembersMode, Now, Overlay, Screen, SecretInput, role_name,
};
use super::input::Input;
use super::{keymap, strings, update, view};
use crate::audit::{Action as LogAction, Draft};
use crate::os::TtyInput;
use crate::os::clipboard::{self, Holder};
use crate::search::Index;
use crate::secret::Concealed;
use crate::session::edit::{self as entry_edit, EntryEdit};
use crate::session::members::{self, NewMember};
use crate::session::{self, Context, Error, Revealed, Session, handover};
use crate::vault::EntryRef;

/// Where key presses and resizes come from.
pub trait Events {
    /// The next event, or `None` after `timeout` without one.
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// The real terminal's events: key presses parsed by [`Input`] from the
/// bytes [`TtyInput`] reads, and a resize whenever the terminal's size
/// differs from the last one seen.
pub struct TerminalEvents {
    tty: TtyInput,
    input: Input,
    /// The last read filled the buffer: more bytes may follow at once.
    more: bool,
    size: Option<(u16, u16)>,
}

impl TerminalEvents {
    pub fn new() -> io::Result<Self> {
        Ok(TerminalEvents {
            tty: TtyInput::open()?,
            input: Input::default(),
            more: false,
            size: crossterm_terminal::size().ok(),
        })
    }
}

impl Events for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if let Ok(size) = crossterm_terminal::size()
            && self.size != Some(size)
        {
            self.size = Some(size);
            return Ok(Some(Event::Resize(size.0, size.1)));
        }
        if let Some(k) = self.input.next(self.more) {
            return Ok(Some(Event::Key(k)));
        }
        if !self.tty.wait(timeout)? {
            // Nothing followed a lone Esc: it is a key of its own.
            self.more = false;
            return Ok(self.input.next(false).map(Event::Key));
        }
        let spare = self.input.spare();
        let room = spare.len();
        let Some(n) = self.tty.read(spare)? else {
            return Ok(None);
        };
        if n == 0 && room > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the terminal closed its input",
            ));
        }
        self.input.filled(n);
        self.more = room > 0 && n == room;
        Ok(self.input.next(self.more).map(Event::Key))
    }
}

/// What the runtime holds besides the state: the command-line context,
/// the clipboard holders it started, the unlock worker, and the clock.
pub struct Env {
    pub ctx: Context,
    holders: Vec<Holder>,
    worker: Option<Receiver<Msg>>,
    start: Instant,
    /// When the vault file was last checked for outside changes.
    watched: Instant,
}

impl Env {
    pub fn new(ctx: Context) -> Self {
        Env {
            ctx,
            holders: Vec::new(),
            worker: None,
            start: Instant::now(),
            watched: Instant::now(),
        }
    }

    fn now(&self) -> Now {
        Now {
            ms: u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX),
            unix: crate::os::now(),
        }
    }
}

/// Runs until the user quits.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    env: &mut Env,
    events: &mut impl Events,
) -> io::Result<()> {
    let size = terminal.size().map_err(backend_error)?;
    dispatch(app, env, Msg::Resize(size.width, size.height));
    let mut unlocked = false;
    loop {
        if let Some(rx) = &env.worker
            && let Ok(a) = rx.try_recv()
        {
            env.worker = None;
            dispatch(app, env, a);
        }
        if app.quit {
            return Ok(());
        }
        let was_unlocked = std::mem::replace(&mut unlocked, matches!(app.screen, Screen::Main(_)));
        if was_unlocked && !unlocked {
            wipe_screen(terminal).map_err(backend_error)?;
            crate::secret::wipe_stack();
        }
        terminal
            .draw(|f| view::render(app, f))
            .map_err(backend_error)?;
        let timeout = if env.worker.is_some() {
            Duration::from_millis(80)
        } else {
            Duration::from_millis(250)
        };
        match events.next(timeout)? {
            Some(Event::Key(k)) => {
                #[cfg(debug_assertions)]
                super::terminal::panic_if_asked(app, &k);
                if let Some(a) = keymap::map(app, k) {
                    dispatch(app, env, a);
                }
            }
            Some(Event::Resize(w, h)) => dispatch(app, env, Msg::Resize(w, h)),
            _ => {}
        }
        dispatch(app, env, Msg::Tick);
        if env.watched.elapsed() >= WATCH_EVERY {
            env.watched = Instant::now();
            if let Some(msg) = watch(app, env) {
                dispatch(app, env, msg);
            }
        }
    }
}

/// How often an unlocked session looks for outside changes to the file.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Takes in what another process or a sync tool wrote to the vault while
/// the list is shown (not while a form, a reveal or another view is open,
/// whose place in the list the change could move): the list is rebuilt
/// with the same entry selected, and the status line says what changed.
pub fn watch(app: &mut App, env: &Env) -> Option<Msg> {
    let Screen::Main(m) = &mut app.screen else {
        return None;
    };
    if m.overlay.is_some() || m.pending.is_some() || env.worker.is_some() {
        return None;
    }
    let selected = m.selected_entry().map(|r| m.session.vault.entry(r).id);
    let report = match m.session.refresh(&env.ctx) {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => {
            return Some(Msg::Outcome(Outcome::Saved {
                entry: None,
                message: strings::outside_change_failed(&e.to_string()),
                error: true,
            }));
        }
    };
    let entry = selected.and_then(|id| {
        m.session
            .vault
            .entries()
            .find(|(_, _, e)| e.id == id)
            .map(|(r, _, _)| r)
    });
    Some(Msg::Outcome(Outcome::Saved {
        entry,
        message: strings::outside_change(
            report.entries.len(),
            report.conflicts(),
            report.relation == crate::vault::merge::Relation::Merged,
        ),
        error: false,
    }))
}

/// After a lock: overwrites every cell of both of ratatui's screen
/// buffers (the one drawn last and the one it is compared with), which
/// still hold the unlocked screen, a revealed value included, and clears
/// the terminal, so that the next draw repaints every cell. A cell's
/// `reset` alone writes only the tag of its symbol and can leave the old
/// character's bytes behind; `set_symbol` writes all of them.
fn wipe_screen<B: Backend>(terminal: &mut Terminal<B>) -> Result<(), B::Error> {
    for _ in 0..2 {
        for cell in &mut terminal.current_buffer_mut().content {
            cell.reset();
            cell.set_symbol(" ");
        }
        terminal.swap_buffers();
    }
    terminal.backend_mut().clear()
}

fn backend_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Updates with `action`, performs the effects, and updates with what
/// they report, until nothing is left.
pub fn dispatch(app: &mut App, env: &mut Env, msg: impl Into<Msg>) {
    let mut queue = VecDeque::from([msg.into()]);
    while let Some(a) = queue.pop_front() {
        let now = env.now();
        for effect in update::update(app, a, now) {
            let selected = selected_id(app);
            if let Some(next) = perform(app, env, effect) {
                queue.push_back(next);
            }
            // A write merged with another writer's file rebuilt the vault:
            // the list is built again, the same entry selected, before
            // anything is drawn with places taken before.
            if let Screen::Main(m) = &mut app.screen
                && m.session.take_rebased()
            {
                let entry = selected.and_then(|id| {
                    m.session
                        .vault
                        .entries()
                        .find(|(_, _, e)| e.id == id)
                        .map(|(r, _, _)| r)
                });
                queue.push_back(Msg::Outcome(Outcome::Saved {
                    entry,
                    message: strings::MERGED_ON_WRITE.to_owned(),
                    error: false,
                }));
            }
        }
    }
    // A warning the session raised meanwhile (this machine could not
    // remember the log's position) goes on the status line, after what
    // the change itself said.
    if let Screen::Main(m) = &mut app.screen
        && let Some(w) = m.session.take_late_warnings().pop()
    {
        app.status = Some(super::app::Status {
            text: w,
            error: true,
            until_ms: env.now().ms + LATE_WARNING_MS,
        });
    }
}

/// The id of the entry selected in the list, if any.
fn selected_id(app: &App) -> Option<crate::vault::EntryId> {
    match &app.screen {
        Screen::Main(m) => m.selected_entry().map(|r| m.session.vault.entry(r).id),
        _ => None,
    }
}

/// How long a late warning stays on the status line.
const LATE_WARNING_MS: u64 = 10_000;

fn perform(app: &mut App, env: &mut Env, effect: Effect) -> Option<Msg> {
    match effect {
        Effect::Unlock { member, passphrase } => {
            let ctx = env.ctx.clone();
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let result = open(&ctx, member.as_deref(), &passphrase);
                drop(passphrase);
                let _ = tx.send(match result {
                    Ok(o) => Msg::Outcome(Outcome::Unlocked(Box::new(o))),
                    Err(e) => Msg::Outcome(Outcome::UnlockFailed(e)),
                });
                // The KDF's and the decoder's locals stay on this thread's
                // stack, which outlives the thread.
                crate::secret::wipe_stack();
            });
            env.worker = Some(rx);
            None
        }
        Effect::Create {
            owner,
            domain,
            passphrase,
        } => {
            let ctx = env.ctx.clone();
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let result = crate::session::create::create_vault(
                    &ctx,
                    &owner,
                    domain.as_deref(),
                    &passphrase,
                    None,
                    false,
                );
                drop(passphrase);
                let _ = tx.send(Msg::Outcome(Outcome::Created(
                    result.map(|c| c.recovery_code),
                )));
                crate::secret::wipe_stack();
            });
            env.worker = Some(rx);
            None
        }
        Effect::Reveal(rv) => {
            let clipboard_ms = app.settings.clipboard_ms;
            let Screen::Main(m) = &mut app.screen else {
                return None;
            };
            Some(match reveal(env, m, rv, clipboard_ms) {
                Ok(()) => Msg::Outcome(Outcome::Revealed(rv)),
                Err(e) => Msg::Outcome(Outcome::RevealFailed(say(&e))),
            })
        }
        Effect::ClearClipboard => {
            clear_clipboard(env);
            None
        }
        Effect::EndSession(s) => {
            let mut s = *s;
            // Changes a failed save left in memory get one more try.
            if s.is_unsaved() && s.save(&env.ctx).is_err() {
                app.status = Some(super::app::Status {
                    text: strings::LOST_ON_LOCK.into(),
                    error: true,
                    until_ms: u64::MAX,
                });
            }
            // Best effort: a session that cannot record its end still ends.
            let _ = s.record(
                &env.ctx,
                Draft::new(crate::os::now(), LogAction::SessionEnd),
            );
            drop(s);
            None
        }
        Effect::Change(c) => Some(change(app, env, c)),
        Effect::Member(op) => Some(member_change(app, env, op)),
        Effect::Generate(opts) => {
            let mut rng = crate::os::rng();
            let value = if opts.words {
                crate::generate::passphrase(opts.length, "-", &mut rng)
            } else {
                crate::generate::password(
                    &crate::generate::CharsetOptions {
                        length: opts.length,
                        ..Default::default()
                    },
                    &mut rng,
                )
            };
            match value {
                Ok(v) => Some(Msg::Outcome(Outcome::Generated(v))),
                Err(e) => Some(Msg::Outcome(Outcome::SaveFailed(e.to_string()))),
            }
        }
        Effect::CopyGenerated(v) => {
            let ms = app.settings.clipboard_ms;
            match clipboard::copy(&v, Duration::from_millis(ms), env.ctx.display) {
                Ok(h) => {
                    env.holders.push(h);
                    None
                }
                Err(e) => Some(Msg::Outcome(Outcome::SaveFailed(e.to_string()))),
            }
        }
        Effect::VerifyLog => {
            let Screen::Main(m) = &app.screen else {
                return None;
            };
            let v = &m.session.vault;
            let result = match v.verify_log_fully() {
                Ok(()) => {
                    let head = data_encoding::HEXLOWER.encode(&v.log_head().hash);
                    Ok(strings::log_verified(
                        v.log().len(),
                        head.get(..16).unwrap_or(&head),
                    ))
                }
                Err(e) => Err(strings::log_not_verified(&e.to_string())),
            };
            Some(Msg::Outcome(Outcome::LogVerified(result)))
        }
        Effect::Quit => None,
    }
}

/// Applies a change to the vault, records it, and saves.
fn change(app: &mut App, env: &mut Env, c: Change) -> Msg {
    let Screen::Main(m) = &mut app.screen else {
        return Msg::Outcome(Outcome::SaveFailed("the vault is locked".into()));
    };
    let ctx = &env.ctx;
    let now = crate::os::now();
    let mut rng = crate::os::rng();
    let s = &mut m.session;
    let applied: Result<(Option<EntryRef>, String), Error> = match c {
        Change::SaveForm => {
            let Some(Overlay::Form(f)) = &m.overlay else {
                return Msg::Outcome(Outcome::SaveFailed("no form is open".into()));
            };
            apply_form(s, f, now, &mut rng)
        }
        Change::Remove(r) => {
            let title = s.vault.entry(r).title.clone();
            entry_edit::remove_entry(s, r, now).map(|()| {
                (
                    None,
                    format!("Deleted {title}; the owner keeps it in the history."),
                )
            })
        }
        Change::CodeUsed(r, i) => entry_edit::mark_code_used(s, r, i, now)
            .map(|left| (Some(r), strings::code_marked(i + 1, left))),
        Change::Retry => Ok((m.selected_entry(), "Saved.".into())),
    };
    let (entry, message) = match applied {
        Ok(x) => x,
        Err(e) => return Msg::Outcome(Outcome::SaveFailed(e.to_string())),
    };
    match m.session.save(ctx) {
        Ok(()) => Msg::Outcome(Outcome::Saved {
            entry,
            message,
            error: false,
        }),
        Err(e) => Msg::Outcome(Outcome::Saved {
            entry,
            message: saved_not(&e),
            error: true,
        }),
    }
}

/// The form as an entry edit: what it shows is what the entry gets, so
/// an emptied list or rotation period is cleared. Every value is checked
/// before anything changes, so a refused form changes nothing.
fn apply_form(
    s: &mut Session,
    f: &Form,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<(Option<EntryRef>, String), Error> {
    let v = &f.values;
    let title = v.title.trim().to_owned();
    let secret = |x: &SecretInput| -> Option<Concealed> {
        let p = x.peek();
        (!p.is_empty()).then(|| Concealed::of(p))
    };
    let rotate_days = match v.rotate_days.trim() {
        "" => 0,
        d => d.parse::<u32>().map_err(|_| {
            Error::invalid(format!("rotate days: {d:?} is not a whole number of days"))
        })?,
    };
    let edit = EntryEdit {
        title: Some(title.clone()),
        // What the form shows is what the entry gets: no group is General.
        group: Some(match v.group.trim() {
            "" => crate::session::DEFAULT_GROUP.to_owned(),
            g => g.to_owned(),
        }),
        username: Some(v.username.trim().to_owned()),
        urls: Some(v.url.split_whitespace().map(str::to_owned).collect()),
        notes: secret(&v.notes),
        tags: Some(v.tags.split(',').map(str::to_owned).collect()),
        identity: Some(v.identity.trim().to_owned()),
        totp: secret(&v.totp),
        rotate_days: Some(rotate_days),
        password: secret(&v.password),
        ..EntryEdit::default()
    };
    match f.editing {
        None => {
            let r = entry_edit::add_entry(s, &title, edit, now, rng)?;
            Ok((Some(r), format!("Added {title}.")))
        }
        Some(r) => {
            let r = entry_edit::edit_entry(s, r, edit, now, rng)?;
            Ok((Some(r), format!("Saved {title}.")))
        }
    }
}

/// Applies a membership change or handover step with the command line's
/// own functions (which print nothing): the change, its signed records
/// and the save, as `baton member` and `baton handover` make them.
fn member_change(app: &mut App, env: &mut Env, op: MemberOp) -> Msg {
    let Screen::Main(m) = &mut app.screen else {
        return Msg::Outcome(Outcome::MemberDone(Err("the vault is locked".into())));
    };
    let ctx = &env.ctx;
    let was_unsaved = m.session.is_unsaved();
    let s = &mut m.session;
    let result = match op {
        MemberOp::Add => match &m.overlay {
            Some(Overlay::Members(mv)) => match &mv.mode {
                MembersMode::Add(f) => add_member(ctx, s, f),
                _ => Err(Error::failed("no add-member form is open")),
            },
            _ => Err(Error::failed("no add-member form is open")),
        },
        MemberOp::Grant { name, groups } => grant(ctx, s, &name, &groups),
        MemberOp::Revoke(names) => members::revoke_members(ctx, s, &names, Vec::new()).map(|o| {
            let rekeyed = o.revoked.iter().map(|r| r.rekeyed.len()).sum();
            MemberReport {
                message: strings::revoked(&names, rekeyed, o.purged),
                error: false,
                checklist: None,
            }
        }),
        MemberOp::Handover(name) => handover::begin(ctx, s, &name).map(|started| {
            let message = match &started {
                handover::Started::Existing(h) => strings::handover_existing(&name, &h.time),
                handover::Started::New(h, outcome) => {
                    strings::handover_started(&name, h.items.len(), outcome.is_some())
                }
            };
            MemberReport {
                message,
                error: false,
                checklist: Some(name.clone()),
            }
        }),
        MemberOp::Verify { member, entry_id } => {
            handover::confirm(ctx, s, &entry_id, Some(&member)).map(|c| MemberReport {
                message: match c {
                    handover::Confirmed::Already(title) => strings::already_verified(&title),
                    handover::Confirmed::Now {
                        title,
                        member,
                        left,
                    } => strings::item_verified(&title, &member, left),
                },
                error: false,
                checklist: Some(member.clone()),
            })
        }
    };
    match result {
        Ok(r) => Msg::Outcome(Outcome::MemberDone(Ok(r))),
        // Applied in memory, but the save failed: it stays, and the next
        // save writes it.
        Err(e) if !was_unsaved && m.session.is_unsaved() => {
            Msg::Outcome(Outcome::MemberDone(Ok(MemberReport {
                message: saved_not(&e),
                error: true,
                checklist: None,
            })))
        }
        Err(e) => Msg::Outcome(Outcome::MemberDone(Err(say(&e)))),
    }
}

/// An error as the TUI says it: a vault that changed on disk since the
/// unlock is told with what to do about it.
fn say(e: &Error) -> String {
    if e.moved_on() {
        strings::MOVED_ON.to_owned()
    } else {
        e.to_string()
    }
}

/// A change applied in memory that could not be written.
fn saved_not(e: &Error) -> String {
    if e.moved_on() {
        strings::MOVED_ON.to_owned()
    } else {
        strings::not_saved(&e.to_string())
    }
}

/// `baton member add`, from the form: the member with a passphrase slot
/// and keys by role, a `member-add` record naming them, and the save.
fn add_member(ctx: &Context, s: &mut Session, f: &MemberForm) -> Result<MemberReport, Error> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can add members"));
    }
    let name = f.name.trim();
    let groups = f.group_list();
    let expires_at = match f.expires.trim() {
        "" => None,
        d => Some(
            crate::dates::parse(d)
                .map_err(|e| Error::invalid(strings::bad_expiry(&e.to_string())))?,
        ),
    };
    if f.passphrase.peek() != f.repeat.peek() {
        return Err(Error::invalid(strings::PASSPHRASES_DIFFER));
    }
    let passphrase = crate::secret::Passphrase::from_slice(f.passphrase.peek().as_bytes());
    session::context::validate_new_passphrase(&passphrase)?;
    if expires_at.is_some_and(|t| t <= crate::os::now()) {
        return Err(Error::invalid(strings::EXPIRY_PASSED));
    }
    members::add_member(
        ctx,
        s,
        &NewMember {
            name,
            role: f.role,
            groups: &groups,
            expires_at,
            passphrase: &passphrase,
            must_change: false,
        },
    )?;
    drop(passphrase);
    Ok(MemberReport {
        message: strings::member_added(name, role_name(f.role), &groups),
        error: false,
        checklist: None,
    })
}

/// `baton member grant`: the groups' keys sealed to the contractor, one
/// `member-grant` record per group newly granted, and the save.
fn grant(
    ctx: &Context,
    s: &mut Session,
    name: &str,
    groups: &[String],
) -> Result<MemberReport, Error> {
    let granted = members::grant_and_save(ctx, s, name, groups)?;
    let message = if granted == 0 {
        strings::already_holds(name)
    } else {
        strings::granted(granted, name)
    };
    Ok(MemberReport {
        message,
        error: false,
        checklist: None,
    })
}

/// Clears every clipboard value we copied that is still held.
pub fn clear_clipboard(env: &mut Env) {
    for mut h in env.holders.drain(..) {
        if h.running() {
            h.clear_now();
        }
    }
}

/// Lock, read, unlock and index, as the worker does.
pub fn open(
    ctx: &Context,
    member: Option<&str>,
    passphrase: &crate::secret::Passphrase,
) -> Result<Opened, Error> {
    let mut ctx = ctx.clone();
    if member.is_some() {
        ctx.member = member.map(str::to_owned);
    }
    let ctx = &ctx;
    let loaded = session::load(ctx, true, "tui")?;
    let mut s = session::unlock_loaded(ctx, loaded, member, passphrase, false)?;
    s.refuse_if_passphrase_change_due()?;
    s.try_record_unlock(ctx)?;
    let index = Index::build(&s.vault);
    Ok(Opened { session: s, index })
}

/// The members a vault file lists, for the unlock screen's picker; empty
/// when the file cannot be read (the unlock then says why).
pub fn members(ctx: &Context) -> Vec<String> {
    let Ok(bytes) = crate::store::read(&ctx.vault) else {
        return Vec::new();
    };
    crate::format::read::parse(&bytes)
        .map(|f| {
            f.manifest
                .members
                .iter()
                .filter(|m| m.revoked_at.is_none())
                .map(|m| m.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn reveal(env: &mut Env, m: &mut MainScreen, rv: Reveal, clipboard_ms: u64) -> Result<(), Error> {
    let ctx = &env.ctx;
    let s = &mut m.session;
    let r = rv.entry;
    match rv.how {
        RevealHow::Show => {
            let e = s.vault.entry(r);
            let mut names: Vec<String> = Vec::new();
            if !e.password.is_empty() {
                names.push("password".into());
            }
            if !e.notes.is_empty() {
                names.push("notes".into());
            }
            names.extend(
                e.fields
                    .iter()
                    .filter(|f| f.concealed && !f.value.is_empty())
                    .map(|f| f.name.clone()),
            );
            let totp = e.totp.is_some();
            for n in &names {
                session::reveal(s, ctx, r, Revealed::Field(n), false, |_| Ok::<_, Error>(()))?;
            }
            if totp {
                session::reveal(s, ctx, r, Revealed::TotpCode, false, |_| Ok::<_, Error>(()))?;
            }
            if names.is_empty() && !totp {
                session::refuse_auditor(&s.vault)?;
            }
            Ok(())
        }
        RevealHow::Codes => session::reveal(s, ctx, r, Revealed::BackupCodes, false, |_| {
            Ok::<_, Error>(())
        }),
        RevealHow::Copy(what) => {
            let kind = match what {
                CopyWhat::Password => Revealed::Field("password"),
                CopyWhat::Username => Revealed::Field("username"),
                CopyWhat::TotpCode => Revealed::TotpCode,
            };
            let clear_after = Duration::from_millis(clipboard_ms);
            let display = ctx.display;
            let holder = session::reveal(s, ctx, r, kind, true, |e| {
                let value = match what {
                    CopyWhat::Password => zeroize::Zeroizing::new(e.password.expose().to_owned()),
                    CopyWhat::Username => zeroize::Zeroizing::new(e.username.clone()),
                    CopyWhat::TotpCode => match &e.totp {
                        Some(t) => t.code_at(crate::os::now()).0,
                        None => return Err(Error::failed("this entry has no TOTP")),
                    },
                };
                clipboard::copy(&value, clear_after, display).map_err(|e| {
                    Error::failed(format!("{e}; the copy was logged but nothing was copied"))
                })
            })?;
            env.holders.push(holder);
            Ok(())
        }
    }
}

#[cfg(test)]
mod wipe_tests {
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    use super::*;

    /// After a lock, neither screen buffer holds what was drawn, and the
    /// next frame is painted whole: a frame that leaves the secret's
    /// cells blank still blanks them on the terminal.
    #[test]
    fn wiping_the_screen_empties_both_buffers_and_the_next_frame_repaints() {
        let secret = "hunter2-revealed";
        let mut t = Terminal::new(TestBackend::new(24, 2)).expect("test terminal");
        for _ in 0..2 {
            t.draw(|f| f.render_widget(Paragraph::new(secret), f.area()))
                .expect("draw");
        }
        wipe_screen(&mut t).expect("wipe");
        for _ in 0..2 {
            let held: String = t
                .current_buffer_mut()
                .content
                .iter()
                .map(|c| c.symbol())
                .collect();
            assert_eq!(held.trim(), "", "a buffer still holds {held:?}");
            t.swap_buffers();
        }
        t.draw(|f| {
            let line = ratatui::layout::Rect::new(0, 1, 24, 1);
            f.render_widget(Paragraph::new("Vault locked"), line);
        })
        .expect("draw");
        let shown = format!("{:?}", t.backend().buffer());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("Vault locked"), "{shown}");
    }
}
