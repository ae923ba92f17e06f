//! Tests of the terminal UI against a real vault in a temporary directory:
//! the keymap, `update` transitions at fixed instants, the reveal path
//! through the runtime (logged before shown, fail-closed), the loop on a
//! `TestBackend`, and whole-screen snapshots that also check no secret of
//! the fixture is drawn on a masked screen.

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tempfile::TempDir;

use super::action::{Action, Change, CopyWhat, Effect, Opened, Reveal, RevealHow};
use super::app::{
    App, Focus, LockReason, MainScreen, Now, Overlay, Screen, Settings, ShiftItem, ShiftWhat,
    SummaryScreen, UnlockFocus, UnlockScreen,
};
use super::{keymap, runtime, strings, update::update, view};
use crate::audit::{Action as LogAction, Field};
use crate::cli::session::Context;
use crate::cli::{CliError, Exit};
use crate::crypto::kdf::KdfParams;
use crate::secret::{Concealed, Passphrase};
use crate::totp::{Algorithm, Totp};
use crate::vault::entry::{BackupCode, CustomField};
use crate::vault::{self, CreateOptions, Entry, EntryId, EntryRef};
use crate::{format, store};

// ---------------------------------------------------------------------------
// The fixture: a real vault file, written the way `baton init` writes one.

/// 2026-01-01 00:00:00 UTC: when the vault and its entries were made.
const T0: i64 = 1_767_225_600;
/// The instant the tests act at: 2026-01-01 09:30:00 UTC.
const NOW: Now = Now {
    ms: 50_000,
    unix: T0 + 9 * 3600 + 30 * 60,
};
const LABEL: &str = "vault.baton";
const OWNER: &str = "alice";
const PASSPHRASE: &str = "correct horse battery staple";

const PAYROLL: &str = "Acme Payroll";
const PAYROLL_GROUP: &str = "Clients/Acme";
const PASSWORD: &str = "Xq7-payroll-SECRET-91";
const NOTES: &str = "Door code 4417-ZULU. Call Dana before a payroll run.";
const PIN: &str = "PIN-8830-hidden";
/// RFC 6238's test seed.
const TOTP_SEED: &[u8] = b"12345678901234567890";
const TOTP_SEED_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const BACKUP_CODES: [&str; 2] = ["bkp-alpha-7731", "bkp-bravo-2290"];
const ROUTER: &str = "Office router";
const ROUTER_PASSWORD: &str = "Rt9-router-SECRET-55";
const BANK: &str = "Bank portal";
const BANK_PASSWORD: &str = "Bk4-bank-SECRET-12";

/// Every secret of the fixture, none of which a masked screen may show.
fn secrets(at_unix: i64) -> Vec<String> {
    let totp = Totp::new(TOTP_SEED.to_vec(), Algorithm::Sha1, 6, 30, None, None).expect("seed");
    let mut s: Vec<String> = vec![
        PASSWORD.into(),
        NOTES.into(),
        "4417-ZULU".into(),
        "Call Dana".into(),
        PIN.into(),
        TOTP_SEED_BASE32.into(),
        String::from_utf8(TOTP_SEED.to_vec()).expect("ascii seed"),
        ROUTER_PASSWORD.into(),
        BANK_PASSWORD.into(),
        // The code the detail would show at this instant.
        totp.code_at(at_unix).0.to_string(),
    ];
    s.extend(BACKUP_CODES.iter().map(|c| (*c).to_owned()));
    s
}

fn assert_no_secret(screen: &str, text: &str, at_unix: i64) {
    for s in secrets(at_unix) {
        assert!(
            !text.contains(&s),
            "{screen}: the masked screen shows the secret {s:?}:\n{text}"
        );
    }
}

struct Fixture {
    dir: TempDir,
    ctx: Context,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(LABEL);
        let mut rng = StdRng::seed_from_u64(7);
        let mut v = vault::create(
            CreateOptions {
                owner: OWNER,
                firm_domain: None,
                kdf: KdfParams {
                    memory_kib: 8,
                    time: 1,
                    parallelism: 1,
                },
                weak_kdf: true,
                now: T0,
            },
            &Passphrase::from_slice(PASSPHRASE.as_bytes()),
            &Passphrase::from_slice(b"RECOVERYCODE"),
            &mut rng,
        )
        .expect("create the vault");
        let me = v.me().id;

        let mut e = Entry::new(EntryId::random(&mut rng), PAYROLL.into(), T0, me);
        e.username = "payroll-admin".into();
        e.password = Concealed::of(PASSWORD);
        e.urls.push("https://payroll.acme.test".into());
        e.notes = Concealed::of(NOTES);
        e.tags = vec!["payroll".into(), "mfa".into()];
        e.rotate_days = Some(90);
        e.totp = Some(
            Totp::new(
                TOTP_SEED.to_vec(),
                Algorithm::Sha1,
                6,
                30,
                Some("Acme".into()),
                Some("payroll-admin".into()),
            )
            .expect("a valid TOTP"),
        );
        e.fields.push(CustomField {
            name: "Customer ID".into(),
            value: Concealed::of("C-1042"),
            concealed: false,
        });
        e.fields.push(CustomField {
            name: "PIN".into(),
            value: Concealed::of(PIN),
            concealed: true,
        });
        e.backup_codes = vec![
            BackupCode {
                code: Concealed::of(BACKUP_CODES[0]),
                used_at: Some(T0),
                used_by: Some(me),
            },
            BackupCode {
                code: Concealed::of(BACKUP_CODES[1]),
                used_at: None,
                used_by: None,
            },
        ];
        v.add(PAYROLL_GROUP, e, &mut rng).expect("add payroll");

        let mut e = Entry::new(EntryId::random(&mut rng), ROUTER.into(), T0, me);
        e.username = "admin".into();
        e.password = Concealed::of(ROUTER_PASSWORD);
        e.urls.push("https://192.168.1.1".into());
        v.add("IT/Network", e, &mut rng).expect("add router");

        let mut e = Entry::new(EntryId::random(&mut rng), BANK.into(), T0, me);
        e.username = "ops@acme.test".into();
        e.password = Concealed::of(BANK_PASSWORD);
        v.add("Finance", e, &mut rng).expect("add bank");

        let bytes = v.seal(T0, &mut rng).expect("seal");
        drop(v);
        store::ensure_dir(&path).expect("vault dir");
        let lock = store::lock(&path, "tui tests", Duration::from_millis(200)).expect("lock");
        store::create_new(&path, &bytes, &lock).expect("write the vault");
        drop(lock);

        let ctx = Context {
            vault: path,
            member: None,
            passphrase_file: None,
            recovery: false,
            lock_wait: Duration::from_millis(200),
            state_dir: Some(dir.path().join("state")),
        };
        Fixture { dir, ctx }
    }

    fn open(&self) -> Opened {
        runtime::open(
            &self.ctx,
            None,
            &Passphrase::from_slice(PASSPHRASE.as_bytes()),
        )
        .unwrap_or_else(|e| panic!("open the fixture: {}", e.message))
    }

    /// The vault unlocked, on the main screen, at [`NOW`], `size` cells.
    fn main_app(&self, size: (u16, u16)) -> App {
        let o = self.open();
        let mut app = App::new(
            LABEL.into(),
            Screen::Main(Box::new(MainScreen::new(o.session, o.index))),
            Settings::default(),
        );
        at(&mut app, Action::Resize(size.0, size.1), NOW);
        app.last_input_ms = NOW.ms;
        app
    }

    /// The unlock screen for the fixture's members.
    fn unlock_app(&self) -> App {
        let members = runtime::members(&self.ctx);
        assert_eq!(members, [OWNER]);
        let mut app = App::new(
            LABEL.into(),
            Screen::Unlock(UnlockScreen::new(members, None)),
            Settings::default(),
        );
        app.clock = NOW;
        app
    }

    fn file_len(&self) -> u64 {
        std::fs::metadata(&self.ctx.vault)
            .expect("the vault file")
            .len()
    }

    /// Log records appended to the file after its seal.
    fn tail_records(&self) -> usize {
        let bytes = store::read(&self.ctx.vault).expect("read the vault");
        format::read::parse(&bytes).expect("parse").tail.len()
    }
}

// ---------------------------------------------------------------------------
// Helpers.

fn at(app: &mut App, action: Action, now: Now) -> Vec<String> {
    describe_effects(&update(app, action, now))
}

fn later(ms: u64) -> Now {
    Now {
        ms: NOW.ms + ms,
        unix: NOW.unix + i64::try_from(ms / 1000).expect("small"),
    }
}

fn describe_effects(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .map(|e| match e {
            Effect::Unlock { member, .. } => format!("Unlock({member:?})"),
            Effect::Reveal(r) => format!("Reveal({:?})", r.how),
            Effect::ClearClipboard => "ClearClipboard".into(),
            Effect::EndSession(_) => "EndSession".into(),
            Effect::Quit => "Quit".into(),
            Effect::Change(c) => match c {
                Change::SaveForm => "Change(SaveForm)".into(),
                Change::Remove(_) => "Change(Remove)".into(),
                Change::CodeUsed(_, i) => format!("Change(CodeUsed({i}))"),
                Change::Retry => "Change(Retry)".into(),
            },
            Effect::Generate(o) => format!("Generate({o:?})"),
            Effect::CopyGenerated(_) => "CopyGenerated".into(),
        })
        .collect()
}

fn describe(a: Option<Action>) -> String {
    let Some(a) = a else {
        return "none".into();
    };
    match a {
        Action::Up => "Up".into(),
        Action::Down => "Down".into(),
        Action::PageUp => "PageUp".into(),
        Action::PageDown => "PageDown".into(),
        Action::Home => "Home".into(),
        Action::End => "End".into(),
        Action::Open => "Open".into(),
        Action::Back => "Back".into(),
        Action::NextPane => "NextPane".into(),
        Action::Char(c) => format!("Char({c})"),
        Action::Backspace => "Backspace".into(),
        Action::ClearField => "ClearField".into(),
        Action::Search => "Search".into(),
        Action::Reveal => "Reveal".into(),
        Action::Copy(w) => format!("Copy({w:?})"),
        Action::Lock => "Lock".into(),
        Action::Help => "Help".into(),
        Action::Quit => "Quit".into(),
        Action::Tick => "Tick".into(),
        Action::Resize(w, h) => format!("Resize({w}, {h})"),
        Action::Unlocked(_) => "Unlocked".into(),
        Action::UnlockFailed(e) => format!("UnlockFailed({})", e.message),
        Action::Revealed(r) => format!("Revealed({:?})", r.how),
        Action::RevealFailed(m) => format!("RevealFailed({m})"),
        Action::PrevField => "PrevField".into(),
        Action::Submit => "Submit".into(),
        Action::GenerateInto => "GenerateInto".into(),
        Action::New => "New".into(),
        Action::Edit => "Edit".into(),
        Action::Delete => "Delete".into(),
        Action::Generator => "Generator".into(),
        Action::BackupCodes => "BackupCodes".into(),
        Action::MarkUsed => "MarkUsed".into(),
        Action::AccessLog => "AccessLog".into(),
        Action::Confirm(b) => format!("Confirm({b})"),
        Action::ToggleWords => "ToggleWords".into(),
        Action::Longer => "Longer".into(),
        Action::Shorter => "Shorter".into(),
        Action::Saved { message, .. } => format!("Saved({message})"),
        Action::SaveFailed(m) => format!("SaveFailed({m})"),
        Action::Generated(_) => "Generated".into(),
    }
}

fn main_of(app: &App) -> &MainScreen {
    match &app.screen {
        Screen::Main(m) => m,
        _ => panic!("not on the main screen"),
    }
}

fn main_mut(app: &mut App) -> &mut MainScreen {
    match &mut app.screen {
        Screen::Main(m) => m,
        _ => panic!("not on the main screen"),
    }
}

fn unlock_of(app: &App) -> &UnlockScreen {
    match &app.screen {
        Screen::Unlock(u) => u,
        _ => panic!("not on the unlock screen"),
    }
}

fn summary_of(app: &App) -> &SummaryScreen {
    match &app.screen {
        Screen::Summary(s) => s,
        _ => panic!("not on the summary screen"),
    }
}

fn title_of(app: &App, r: EntryRef) -> String {
    main_of(app).session.vault.entry(r).title.clone()
}

fn selected_title(app: &App) -> String {
    let m = main_of(app);
    title_of(app, m.selected_entry().expect("an entry is selected"))
}

fn hit_titles(app: &App) -> Vec<String> {
    main_of(app)
        .hits
        .iter()
        .map(|&r| title_of(app, r))
        .collect()
}

fn typed(app: &mut App, s: &str, now: Now) {
    for c in s.chars() {
        assert_eq!(at(app, Action::Char(c), now), Vec::<String>::new());
    }
}

/// Reveal the selected entry and report the reveal logged, as the
/// runtime would; returns the entry.
fn reveal_logged(app: &mut App, now: Now) -> EntryRef {
    let r = main_of(app).selected_entry().expect("a selection");
    assert_eq!(at(app, Action::Reveal, now), ["Reveal(Show)"]);
    let rv = Reveal {
        entry: r,
        how: RevealHow::Show,
    };
    assert_eq!(at(app, Action::Revealed(rv), now), Vec::<String>::new());
    r
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn key(c: char) -> KeyEvent {
    press(KeyCode::Char(c))
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn mapped(app: &App, k: KeyEvent) -> String {
    describe(keymap::map(app, k))
}

/// The screen as text: one line per row, trailing spaces trimmed.
fn buffer_text(buf: &Buffer) -> String {
    let width = usize::from(buf.area.width);
    buf.content()
        .chunks(width)
        .map(|row| {
            let line: String = row.iter().map(|c| c.symbol()).collect();
            line.trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    t.draw(|f| view::render(app, f)).expect("draw");
    buffer_text(t.backend().buffer())
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

// ---------------------------------------------------------------------------
// Keymap.

#[test]
fn keymap_main_list_keys_are_commands() {
    let fx = Fixture::new();
    let app = fx.main_app((80, 24));
    for (k, want) in [
        (key('r'), "Reveal"),
        (key('c'), "Copy(Password)"),
        (key('u'), "Copy(Username)"),
        (key('t'), "Copy(TotpCode)"),
        (key('/'), "Search"),
        (key('?'), "Help"),
        (key('q'), "Quit"),
        (key('j'), "Down"),
        (key('k'), "Up"),
        (press(KeyCode::Down), "Down"),
        (press(KeyCode::PageDown), "PageDown"),
        (press(KeyCode::Home), "Home"),
        (press(KeyCode::End), "End"),
        (press(KeyCode::Enter), "Open"),
        (press(KeyCode::Esc), "Back"),
        (press(KeyCode::Tab), "NextPane"),
        (key('x'), "none"),
        (ctrl('l'), "Lock"),
        (ctrl('c'), "Quit"),
        (ctrl('r'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the list");
    }
}

#[test]
fn keymap_search_types_letters_that_are_commands_elsewhere() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Search, NOW);
    assert_eq!(main_of(&app).focus, Focus::Search);
    for (k, want) in [
        (key('r'), "Char(r)"),
        (key('q'), "Char(q)"),
        (key('c'), "Char(c)"),
        (key('/'), "Char(/)"),
        (key('?'), "Char(?)"),
        (key('j'), "Char(j)"),
        (press(KeyCode::Backspace), "Backspace"),
        (press(KeyCode::Enter), "Open"),
        (press(KeyCode::Esc), "Back"),
        (press(KeyCode::Down), "Down"),
        (ctrl('u'), "ClearField"),
        (ctrl('l'), "Lock"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} while searching");
    }
}

#[test]
fn keymap_help_overlay_closes_and_swallows_commands() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Help, NOW);
    for (k, want) in [
        (key('r'), "none"),
        (key('c'), "none"),
        (key('?'), "Back"),
        (press(KeyCode::Esc), "Back"),
        (press(KeyCode::Enter), "Back"),
        (key('q'), "Quit"),
        (ctrl('l'), "Lock"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} over the help");
    }
}

#[test]
fn keymap_unlock_screen_types_into_the_passphrase() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    for (k, want) in [
        (key('q'), "Char(q)"),
        (key('r'), "Char(r)"),
        (key('k'), "Char(k)"),
        (press(KeyCode::Backspace), "Backspace"),
        (press(KeyCode::Enter), "Open"),
        (press(KeyCode::Esc), "Quit"),
        (press(KeyCode::Tab), "NextPane"),
        (ctrl('u'), "ClearField"),
        (ctrl('l'), "Lock"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the passphrase field");
    }
    if let Screen::Unlock(u) = &mut app.screen {
        u.focus = UnlockFocus::Member;
    }
    for (k, want) in [
        (key('q'), "Quit"),
        (key('k'), "Up"),
        (key('j'), "Down"),
        (key('r'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the member picker");
    }
}

#[test]
fn keymap_summary_screen() {
    let app = App::new(
        LABEL.into(),
        Screen::Summary(SummaryScreen {
            member: OWNER.into(),
            members: vec![OWNER.into()],
            items: Vec::new(),
            reason: LockReason::Asked,
        }),
        Settings::default(),
    );
    for (k, want) in [
        (press(KeyCode::Enter), "Open"),
        (press(KeyCode::Esc), "Open"),
        (key(' '), "Open"),
        (key('q'), "Quit"),
        (key('r'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} on the summary");
    }
}

#[test]
fn keymap_ignores_key_releases_and_repeats() {
    let fx = Fixture::new();
    let app = fx.main_app((80, 24));
    for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
        for code in [KeyCode::Char('r'), KeyCode::Char('q'), KeyCode::Enter] {
            let k = KeyEvent::new_with_kind(code, KeyModifiers::NONE, kind);
            assert_eq!(mapped(&app, k), "none", "{k:?}");
        }
        let k = KeyEvent::new_with_kind(KeyCode::Char('l'), KeyModifiers::CONTROL, kind);
        assert_eq!(mapped(&app, k), "none", "{k:?}");
    }
    let unlock = unlock_app_without_members();
    let k = KeyEvent::new_with_kind(
        KeyCode::Char('a'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
    );
    assert_eq!(mapped(&unlock, k), "none");
}

fn unlock_app_without_members() -> App {
    App::new(
        LABEL.into(),
        Screen::Unlock(UnlockScreen::new(Vec::new(), None)),
        Settings::default(),
    )
}

// ---------------------------------------------------------------------------
// Update: reveal, search, lock, quit.

#[test]
fn reveal_asks_the_runtime_and_shows_nothing_by_itself() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    assert_eq!(title_of(&app, r), PAYROLL);

    let effects = update(&mut app, Action::Reveal, NOW);
    assert_eq!(effects.len(), 1, "{:?}", describe_effects(&effects));
    match &effects[0] {
        Effect::Reveal(rv) => assert_eq!(
            *rv,
            Reveal {
                entry: r,
                how: RevealHow::Show
            }
        ),
        _ => panic!(
            "expected Effect::Reveal, got {:?}",
            describe_effects(&effects)
        ),
    }
    let m = main_of(&app);
    assert!(m.revealed.is_none(), "shown before the runtime logged it");
    assert_eq!(m.pending, Some((r, RevealHow::Show)));
    assert!(m.shift.is_empty());

    // A second press while the first is pending asks nothing more.
    assert_eq!(at(&mut app, Action::Reveal, NOW), Vec::<String>::new());

    let rv = Reveal {
        entry: r,
        how: RevealHow::Show,
    };
    assert_eq!(
        at(&mut app, Action::Revealed(rv), NOW),
        Vec::<String>::new()
    );
    let m = main_of(&app);
    assert_eq!(
        m.revealed,
        Some((r, NOW.ms + Settings::default().reveal_ms))
    );
    assert_eq!(m.pending, None);
    assert_eq!(
        m.shift,
        [ShiftItem {
            unix: NOW.unix,
            title: PAYROLL.into(),
            group: PAYROLL_GROUP.into(),
            what: ShiftWhat::Revealed,
        }]
    );
}

#[test]
fn reveal_hides_after_reveal_ms() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = reveal_logged(&mut app, NOW);
    let reveal_ms = app.settings.reveal_ms;
    assert_eq!(
        at(&mut app, Action::Tick, later(reveal_ms - 1)),
        Vec::<String>::new()
    );
    assert!(main_of(&app).is_revealed(r), "hidden too early");
    assert_eq!(
        at(&mut app, Action::Tick, later(reveal_ms)),
        Vec::<String>::new()
    );
    assert!(
        main_of(&app).revealed.is_none(),
        "still shown after reveal_ms"
    );
}

#[test]
fn reveal_again_hides_at_once() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    reveal_logged(&mut app, NOW);
    assert_eq!(at(&mut app, Action::Reveal, later(1)), Vec::<String>::new());
    assert!(main_of(&app).revealed.is_none());
}

#[test]
fn moving_the_selection_hides_the_reveal() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    reveal_logged(&mut app, NOW);
    at(&mut app, Action::Down, later(1));
    assert_eq!(selected_title(&app), ROUTER);
    assert!(main_of(&app).revealed.is_none());
    at(&mut app, Action::Up, later(2));
    assert_eq!(selected_title(&app), PAYROLL);
    assert!(
        main_of(&app).revealed.is_none(),
        "coming back must not show it again"
    );
}

#[test]
fn a_reveal_reported_after_the_selection_moved_is_not_shown() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    at(&mut app, Action::Reveal, NOW);
    at(&mut app, Action::Down, later(1));
    let rv = Reveal {
        entry: r,
        how: RevealHow::Show,
    };
    at(&mut app, Action::Revealed(rv), later(2));
    let m = main_of(&app);
    assert!(m.revealed.is_none());
    assert_eq!(m.shift.len(), 1, "it was logged, so the summary lists it");
}

#[test]
fn reveal_failed_stays_hidden_and_says_why() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Reveal, NOW);
    let msg = "the access log could not be written (disk full); nothing was revealed";
    assert_eq!(
        at(&mut app, Action::RevealFailed(msg.into()), NOW),
        Vec::<String>::new()
    );
    let m = main_of(&app);
    assert!(m.revealed.is_none());
    assert!(m.pending.is_none());
    assert!(m.shift.is_empty());
    let status = app.status.as_ref().expect("a status");
    assert!(status.error);
    assert_eq!(status.text, msg);
    let text = draw(&app, 80, 24);
    assert!(text.contains("nothing was revealed"), "{text}");
    assert_no_secret("after a failed reveal", &text, NOW.unix);
}

#[test]
fn copy_asks_the_runtime_and_reports_when_the_clipboard_clears() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    assert_eq!(
        at(&mut app, Action::Copy(CopyWhat::Password), NOW),
        ["Reveal(Copy(Password))"]
    );
    assert!(app.clipboard_until.is_none());
    let rv = Reveal {
        entry: r,
        how: RevealHow::Copy(CopyWhat::Password),
    };
    at(&mut app, Action::Revealed(rv), NOW);
    assert_eq!(
        app.clipboard_until,
        Some(NOW.ms + Settings::default().clipboard_ms)
    );
    assert!(main_of(&app).revealed.is_none(), "a copy shows nothing");
    let status = app.status.as_ref().expect("a status");
    assert!(!status.error);
    assert!(status.text.contains(PAYROLL), "{}", status.text);
}

#[test]
fn copy_of_a_missing_value_asks_nothing() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Down, NOW);
    assert_eq!(selected_title(&app), ROUTER);
    assert_eq!(
        at(&mut app, Action::Copy(CopyWhat::TotpCode), NOW),
        Vec::<String>::new()
    );
    assert!(main_of(&app).pending.is_none());
    let status = app.status.as_ref().expect("a status");
    assert!(status.error);
    assert_eq!(
        status.text,
        strings::nothing_to_copy(ROUTER, CopyWhat::TotpCode)
    );
}

#[test]
fn typing_while_searching_filters_and_enter_keeps_the_best_match() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);
    at(&mut app, Action::Search, NOW);
    typed(&mut app, "rout", NOW);
    assert_eq!(main_of(&app).query, "rout");
    assert_eq!(hit_titles(&app), [ROUTER]);
    assert_eq!(selected_title(&app), ROUTER);

    at(&mut app, Action::Open, NOW);
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.query, "rout", "Enter keeps the filter");
    assert_eq!(hit_titles(&app), [ROUTER]);
    assert_eq!(selected_title(&app), ROUTER);

    // A query several entries match: the best one is selected, whatever
    // its place in the vault.
    at(&mut app, Action::Search, NOW);
    at(&mut app, Action::ClearField, NOW);
    assert_eq!(hit_titles(&app).len(), 3);
    typed(&mut app, "ro", NOW);
    // "ro" starts a word of the router's title and is inside "Payroll".
    assert_eq!(hit_titles(&app), [ROUTER, PAYROLL]);
    at(&mut app, Action::Open, NOW);
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.query, "ro");
    assert_eq!(m.selected, 0);
    assert_eq!(selected_title(&app), ROUTER);
}

#[test]
fn search_matches_usernames_and_backspace_widens() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Search, NOW);
    typed(&mut app, "ops@", NOW);
    assert_eq!(hit_titles(&app), [BANK]);
    at(&mut app, Action::Backspace, NOW);
    at(&mut app, Action::Backspace, NOW);
    at(&mut app, Action::Backspace, NOW);
    at(&mut app, Action::Backspace, NOW);
    assert_eq!(main_of(&app).query, "");
    assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);
}

#[test]
fn esc_in_search_clears_the_query() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Search, NOW);
    typed(&mut app, "bank", NOW);
    assert_eq!(hit_titles(&app), [BANK]);
    at(&mut app, Action::Back, NOW);
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.query, "");
    assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);
}

#[test]
fn groups_pane_limits_the_list() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::NextPane, NOW);
    assert_eq!(main_of(&app).focus, Focus::Groups);
    at(&mut app, Action::Down, NOW);
    at(&mut app, Action::Down, NOW);
    assert_eq!(main_of(&app).group_cursor, 2);
    assert_eq!(hit_titles(&app), [ROUTER]);
    at(&mut app, Action::Open, NOW);
    assert_eq!(main_of(&app).focus, Focus::List);
    assert_eq!(selected_title(&app), ROUTER);
}

#[test]
fn idle_lock_ends_the_session_and_lists_what_was_revealed() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    reveal_logged(&mut app, NOW);
    let idle = app.settings.idle_lock_ms;
    assert_eq!(app.last_input_ms, NOW.ms);

    // Reports and ticks are not key presses: they do not postpone the lock.
    assert_eq!(
        at(&mut app, Action::Tick, later(idle - 1)),
        Vec::<String>::new()
    );
    assert!(matches!(app.screen, Screen::Main(_)));
    assert_eq!(at(&mut app, Action::Tick, later(idle)), ["EndSession"]);
    let s = summary_of(&app);
    assert_eq!(s.reason, LockReason::Idle);
    assert_eq!(s.member, OWNER);
    assert_eq!(s.members, [OWNER]);
    assert_eq!(
        s.items,
        [ShiftItem {
            unix: NOW.unix,
            title: PAYROLL.into(),
            group: PAYROLL_GROUP.into(),
            what: ShiftWhat::Revealed,
        }]
    );
    assert!(app.status.is_none());
    // A tick on the summary does nothing more.
    assert_eq!(
        at(&mut app, Action::Tick, later(2 * idle)),
        Vec::<String>::new()
    );
}

#[test]
fn a_key_press_postpones_the_idle_lock() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let idle = app.settings.idle_lock_ms;
    at(&mut app, Action::Down, later(idle - 1));
    assert_eq!(
        at(&mut app, Action::Tick, later(idle)),
        Vec::<String>::new()
    );
    assert!(matches!(app.screen, Screen::Main(_)));
    assert_eq!(
        at(&mut app, Action::Tick, later(2 * idle - 1)),
        ["EndSession"]
    );
}

#[test]
fn ctrl_l_locks_and_clears_our_clipboard() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    at(&mut app, Action::Copy(CopyWhat::Username), NOW);
    let rv = Reveal {
        entry: r,
        how: RevealHow::Copy(CopyWhat::Username),
    };
    at(&mut app, Action::Revealed(rv), NOW);
    assert!(app.clipboard_until.is_some());

    let lock = keymap::map(&app, ctrl('l')).expect("Ctrl-L maps");
    assert!(matches!(lock, Action::Lock));
    assert_eq!(
        at(&mut app, lock, later(10)),
        ["ClearClipboard", "EndSession"]
    );
    assert!(app.clipboard_until.is_none());
    let s = summary_of(&app);
    assert_eq!(s.reason, LockReason::Asked);
    assert_eq!(
        s.items,
        [ShiftItem {
            unix: NOW.unix,
            title: PAYROLL.into(),
            group: PAYROLL_GROUP.into(),
            what: ShiftWhat::Copied(CopyWhat::Username),
        }]
    );
    assert!(!app.quit);

    // Enter on the summary goes back to the unlock screen, same member.
    at(&mut app, Action::Open, later(20));
    let u = unlock_of(&app);
    assert_eq!(u.members, [OWNER]);
    assert_eq!(u.member, 0);
    assert!(u.passphrase.is_empty());
}

#[test]
fn quit_ends_the_session_then_quits() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    assert_eq!(at(&mut app, Action::Quit, NOW), ["EndSession", "Quit"]);
    assert!(app.quit);
    assert!(matches!(app.screen, Screen::Summary(_)));
}

#[test]
fn quit_from_the_help_overlay_ends_the_session_too() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Action::Help, NOW);
    assert!(matches!(main_of(&app).overlay, Some(Overlay::Help)));
    // Commands under the overlay do nothing.
    assert_eq!(at(&mut app, Action::Reveal, NOW), Vec::<String>::new());
    assert!(main_of(&app).pending.is_none());
    at(&mut app, Action::Back, NOW);
    assert!(main_of(&app).overlay.is_none());
    at(&mut app, Action::Help, NOW);
    assert_eq!(at(&mut app, Action::Quit, NOW), ["EndSession", "Quit"]);
    assert!(app.quit);
}

#[test]
fn unlock_with_an_empty_passphrase_asks_for_one() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    assert_eq!(at(&mut app, Action::Open, NOW), Vec::<String>::new());
    let u = unlock_of(&app);
    assert_eq!(u.busy_since, None);
    assert_eq!(
        u.error.as_ref().map(|e| e.heading),
        Some(strings::TYPE_PASSPHRASE)
    );
}

#[test]
fn unlock_with_a_passphrase_asks_the_runtime_and_shows_the_spinner() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    typed(&mut app, "hunter2!", NOW);
    assert_eq!(unlock_of(&app).passphrase.chars(), 8);
    at(&mut app, Action::Backspace, NOW);
    assert_eq!(unlock_of(&app).passphrase.chars(), 7);

    let effects = update(&mut app, Action::Open, later(5));
    assert_eq!(describe_effects(&effects), ["Unlock(Some(\"alice\"))"]);
    match &effects[0] {
        Effect::Unlock { passphrase, .. } => assert_eq!(passphrase.expose(), b"hunter2"),
        _ => unreachable!("checked above"),
    }
    let u = unlock_of(&app);
    assert_eq!(u.busy_since, Some(later(5).ms));
    assert!(u.passphrase.is_empty(), "the passphrase left the field");
    assert!(u.error.is_none());

    // While the key is derived, typing and Enter do nothing.
    typed(&mut app, "x", later(6));
    assert_eq!(at(&mut app, Action::Open, later(7)), Vec::<String>::new());
    assert!(unlock_of(&app).passphrase.is_empty());
}

#[test]
fn unlock_failed_says_wrong_passphrase() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    typed(&mut app, "wrong", NOW);
    at(&mut app, Action::Open, NOW);
    let err = match runtime::open(&fx.ctx, None, &Passphrase::from_slice(b"wrong")) {
        Err(e) => e,
        Ok(_) => panic!("a wrong passphrase unlocked the vault"),
    };
    assert_eq!(err.exit, Exit::Unlock);
    at(&mut app, Action::UnlockFailed(err), later(900));
    let u = unlock_of(&app);
    assert_eq!(u.busy_since, None);
    assert_eq!(
        u.error.as_ref().map(|e| e.heading),
        Some(strings::WRONG_PASSPHRASE)
    );
    // Typing again clears the error.
    typed(&mut app, "c", later(1000));
    assert!(unlock_of(&app).error.is_none());
}

#[test]
fn unlock_failed_headings_by_kind() {
    for (exit, heading) in [
        (Exit::Unlock, strings::WRONG_PASSPHRASE),
        (Exit::Denied, strings::ACCESS_DENIED),
        (Exit::Locked, strings::LOCKED_ELSEWHERE),
        (Exit::Integrity, strings::DAMAGED),
        (Exit::Other, strings::CANNOT_OPEN),
    ] {
        let mut app = unlock_app_without_members();
        at(
            &mut app,
            Action::UnlockFailed(CliError::new(exit, "detail")),
            NOW,
        );
        let e = unlock_of(&app).error.as_ref().expect("an error");
        assert_eq!(e.heading, heading, "{exit:?}");
        // A wrong passphrase needs no detail beyond its heading.
        let detail = if exit == Exit::Unlock { "" } else { "detail" };
        assert_eq!(e.detail, detail, "{exit:?}");
    }
}

#[test]
fn unlocked_opens_the_main_screen_with_the_weak_kdf_warning() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    typed(&mut app, PASSPHRASE, NOW);
    at(&mut app, Action::Open, NOW);
    let opened = fx.open();
    at(&mut app, Action::Unlocked(Box::new(opened)), later(800));
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.hits.len(), 3);
    assert!(m.revealed.is_none());
    let status = app.status.as_ref().expect("the weak-KDF warning");
    assert!(status.error);
    assert_eq!(status.text, strings::WEAK_KDF);
}

// ---------------------------------------------------------------------------
// The runtime: the reveal is logged in the vault file before it is shown.

#[test]
fn dispatched_reveal_appends_signed_records_before_showing() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let r = main_of(&app).selected_entry().expect("a selection");
    let id = main_of(&app).session.vault.entry(r).id.0;
    let log_before = main_of(&app).session.vault.log().len();
    let len_before = fx.file_len();
    assert_eq!(fx.tail_records(), 1, "the unlock record");

    runtime::dispatch(&mut app, &mut env, Action::Reveal);

    let m = main_of(&app);
    assert!(m.is_revealed(r), "the reveal was logged, so it is shown");
    assert!(m.pending.is_none());
    // Password, notes, the concealed custom field and the TOTP code.
    let log = m.session.vault.log();
    assert_eq!(log.len(), log_before + 4);
    let fields: Vec<Field> = log[log_before..]
        .iter()
        .map(|v| {
            assert_eq!(v.record.action, LogAction::Reveal);
            assert_eq!(v.record.entry, Some(id));
            v.record.field.expect("a field")
        })
        .collect();
    assert_eq!(
        fields,
        [
            Field::Password,
            Field::Notes,
            Field::Custom,
            Field::TotpCode
        ]
    );
    // On disk, not only in memory.
    assert!(fx.file_len() > len_before);
    assert_eq!(fx.tail_records(), 1 + 4);

    let text = draw(&app, 80, 24);
    assert!(text.contains(PASSWORD), "revealed but not drawn:\n{text}");
}

#[test]
fn dispatched_reveal_shows_nothing_when_the_log_cannot_be_written() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    // The session now appends to a file that does not exist.
    main_mut(&mut app).session.path = fx.dir.path().join("moved-away.baton");
    let log_before = main_of(&app).session.vault.log().len();
    let len_before = fx.file_len();

    runtime::dispatch(&mut app, &mut env, Action::Reveal);

    let m = main_of(&app);
    assert!(m.revealed.is_none(), "shown although nothing was logged");
    assert!(m.pending.is_none());
    assert!(m.shift.is_empty());
    assert_eq!(m.session.vault.log().len(), log_before);
    assert_eq!(fx.file_len(), len_before);
    let status = app.status.as_ref().expect("a status");
    assert!(status.error);
    assert!(
        status.text.contains("nothing was revealed"),
        "{}",
        status.text
    );
    assert_no_secret("after a failed reveal", &draw(&app, 80, 24), app.clock.unix);
}

#[test]
fn dispatched_lock_records_the_end_of_the_session() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Action::Lock);
    assert!(matches!(app.screen, Screen::Summary(_)));
    // Unlock, then session end; and the vault's lock was released, so it
    // opens again.
    assert_eq!(fx.tail_records(), 2);
    drop(fx.open());
}

/// Key presses fed to [`runtime::run`], with waits.
enum Step {
    Key(KeyEvent),
    /// Report no event until the condition holds.
    Until(Box<dyn Fn() -> bool>),
    /// Report no event once, after the loop's timeout.
    Idle,
}

struct Script {
    steps: VecDeque<Step>,
    deadline: Instant,
}

impl Script {
    fn new(steps: Vec<Step>) -> Self {
        Script {
            steps: steps.into(),
            deadline: Instant::now() + Duration::from_secs(20),
        }
    }
}

impl runtime::Events for Script {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        assert!(Instant::now() < self.deadline, "the script timed out");
        match self.steps.pop_front() {
            None => Err(io::Error::other("the script ended before the TUI quit")),
            Some(Step::Key(k)) => Ok(Some(Event::Key(k))),
            Some(Step::Idle) => {
                std::thread::sleep(timeout);
                Ok(None)
            }
            Some(Step::Until(cond)) => {
                if !cond() {
                    std::thread::sleep(timeout.min(Duration::from_millis(20)));
                    self.steps.push_front(Step::Until(cond));
                }
                Ok(None)
            }
        }
    }
}

fn file_len_of(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn run_unlocks_reveals_and_quits_with_every_step_logged() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    let mut env = runtime::Env::new(fx.ctx.clone());
    // Tall enough for the revealed entry's last line.
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    let path = fx.ctx.vault.clone();
    let sealed = fx.file_len();

    let mut steps: Vec<Step> = PASSPHRASE.chars().map(|c| Step::Key(key(c))).collect();
    steps.push(Step::Key(press(KeyCode::Enter)));
    // The worker appends the unlock record, then reports.
    steps.push(Step::Until(Box::new(move || file_len_of(&path) > sealed)));
    steps.extend([Step::Idle, Step::Idle, Step::Idle]);
    steps.push(Step::Key(key('r')));
    steps.push(Step::Key(key('q')));
    let mut events = Script::new(steps);

    runtime::run(&mut term, &mut app, &mut env, &mut events).expect("run");

    assert!(app.quit);
    assert!(matches!(app.screen, Screen::Summary(_)));
    // The last frame drawn, before q: the reveal, after it was logged.
    let text = buffer_text(term.backend().buffer());
    assert!(text.contains(PASSWORD), "{text}");
    assert!(text.contains("revealed · hides in"), "{text}");
    // Unlock, four reveals, session end.
    assert_eq!(fx.tail_records(), 6);
}

// ---------------------------------------------------------------------------
// Snapshots.

fn snapshot(name: &str, app: &App, size: (u16, u16)) -> String {
    let text = draw(app, size.0, size.1);
    assert_no_secret(name, &text, app.clock.unix);
    insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
    text
}

#[test]
fn snapshot_unlock() {
    let fx = Fixture::new();
    for size in SIZES {
        let app = fx.unlock_app();
        let text = snapshot("unlock", &app, size);
        assert!(text.contains(strings::UNLOCK_TITLE));
        assert!(text.contains(OWNER));
    }
}

#[test]
fn snapshot_unlock_wrong_passphrase() {
    let fx = Fixture::new();
    let err = match runtime::open(&fx.ctx, None, &Passphrase::from_slice(b"wrong")) {
        Err(e) => e,
        Ok(_) => panic!("a wrong passphrase unlocked the vault"),
    };
    for size in SIZES {
        let mut app = fx.unlock_app();
        typed(&mut app, "wrong", NOW);
        at(&mut app, Action::Open, NOW);
        let err = CliError::new(err.exit, err.message.clone());
        at(&mut app, Action::UnlockFailed(err), later(900));
        let text = snapshot("unlock_wrong_passphrase", &app, size);
        assert!(text.contains(strings::WRONG_PASSPHRASE));
    }
}

#[test]
fn snapshot_unlock_deriving() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.unlock_app();
        typed(&mut app, PASSPHRASE, NOW);
        at(&mut app, Action::Open, NOW);
        // 0.3 s in: the spinner's fourth frame.
        at(&mut app, Action::Tick, later(300));
        let text = snapshot("unlock_deriving", &app, size);
        assert!(text.contains(strings::DERIVING));
        assert!(text.contains('⠸'), "{text}");
        assert!(!text.contains(PASSPHRASE));
    }
}

#[test]
fn snapshot_main() {
    let fx = Fixture::new();
    for size in SIZES {
        let app = fx.main_app(size);
        let text = snapshot("main", &app, size);
        assert!(text.contains(PAYROLL) && text.contains(ROUTER) && text.contains(BANK));
        assert!(text.contains(strings::MASK));
    }
}

#[test]
fn snapshot_main_searching() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Action::Search, NOW);
        typed(&mut app, "pay", NOW);
        let text = snapshot("main_searching", &app, size);
        assert!(text.contains("1 of 3"), "{text}");
        assert!(!text.contains(BANK));
    }
}

#[test]
fn snapshot_help() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Action::Help, NOW);
        let text = snapshot("help", &app, size);
        assert!(text.contains(strings::HELP_TITLE));
        assert!(text.contains(strings::HELP_CLOSE));
    }
}

#[test]
fn snapshot_summary() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        let r = reveal_logged(&mut app, NOW);
        at(&mut app, Action::Down, later(4_000));
        at(&mut app, Action::Copy(CopyWhat::Password), later(5_000));
        let rv = Reveal {
            entry: main_of(&app).selected_entry().expect("a selection"),
            how: RevealHow::Copy(CopyWhat::Password),
        };
        assert_ne!(rv.entry, r);
        at(&mut app, Action::Revealed(rv), later(5_000));
        assert_eq!(
            at(&mut app, Action::Lock, later(61_000)),
            ["ClearClipboard", "EndSession"]
        );
        let text = snapshot("summary", &app, size);
        assert!(text.contains(strings::SUMMARY_TITLE));
        assert!(text.contains("09:30:00 UTC"), "{text}");
        assert!(text.contains("09:30:05 UTC"), "{text}");
    }
}

#[test]
fn revealed_screen_shows_the_secrets_the_masked_one_hides() {
    // The other side of the snapshots' secret check: it can fail.
    let fx = Fixture::new();
    let mut app = fx.main_app((120, 40));
    reveal_logged(&mut app, NOW);
    let text = draw(&app, 120, 40);
    let code = Totp::new(TOTP_SEED.to_vec(), Algorithm::Sha1, 6, 30, None, None)
        .expect("seed")
        .code_at(NOW.unix)
        .0
        .to_string();
    for s in [PASSWORD, PIN, "4417-ZULU", code.as_str()] {
        assert!(text.contains(s), "{s:?} not shown:\n{text}");
    }
    // Backup codes and the TOTP seed are not part of a reveal.
    for s in BACKUP_CODES.iter().copied().chain([TOTP_SEED_BASE32]) {
        assert!(!text.contains(s), "{s:?} shown:\n{text}");
    }
    let reveal_ms = app.settings.reveal_ms;
    at(&mut app, Action::Tick, later(reveal_ms));
    assert_no_secret("after the reveal timed out", &draw(&app, 120, 40), NOW.unix);
}
