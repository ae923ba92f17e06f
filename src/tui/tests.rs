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

use super::action::{Change, CopyWhat, Effect, Intent, Msg, Opened, Outcome, Reveal, RevealHow};
use super::app::{
    App, Focus, LockReason, MainScreen, Now, Overlay, Screen, Settings, ShiftItem, ShiftWhat,
    SummaryScreen, UnlockFocus, UnlockScreen,
};
use super::{keymap, runtime, strings, update::update, view};
use crate::audit::{Action as LogAction, Field};
use crate::crypto::kdf::KdfParams;
use crate::secret::{Concealed, Passphrase};
use crate::session::Context;
use crate::session::{Error as SessionError, ErrorKind};
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
            lock_wait: Duration::from_millis(200),
            ..Context::at(path, Some(dir.path().join("state")))
        };
        Fixture { dir, ctx }
    }

    fn open(&self) -> Opened {
        runtime::open(
            &self.ctx,
            None,
            &Passphrase::from_slice(PASSPHRASE.as_bytes()),
        )
        .unwrap_or_else(|e| panic!("open the fixture: {e}"))
    }

    /// The vault unlocked, on the main screen, at [`NOW`], `size` cells.
    fn main_app(&self, size: (u16, u16)) -> App {
        let o = self.open();
        let mut app = App::new(
            LABEL.into(),
            Screen::Main(Box::new(MainScreen::new(o.session, o.index))),
            Settings::default(),
        );
        at(&mut app, Msg::Resize(size.0, size.1), NOW);
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

fn at(app: &mut App, action: impl Into<Msg>, now: Now) -> Vec<String> {
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
            Effect::Create { owner, .. } => format!("Create({owner})"),
            Effect::Member(op) => format!("Member({op:?})"),
        })
        .collect()
}

/// What the keymap made of a key, as tests spell it.
fn describe(a: Option<Intent>) -> String {
    match a {
        None => "none".into(),
        Some(Intent::Char(c)) => format!("Char({c})"),
        Some(i) => format!("{i:?}"),
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
        assert_eq!(at(app, Intent::Char(c), now), Vec::<String>::new());
    }
}

/// Reveal the selected entry and report the reveal logged, as the
/// runtime would; returns the entry.
fn reveal_logged(app: &mut App, now: Now) -> EntryRef {
    let r = main_of(app).selected_entry().expect("a selection");
    assert_eq!(at(app, Intent::Reveal, now), ["Reveal(Show)"]);
    let rv = Reveal {
        entry: r,
        how: RevealHow::Show,
    };
    assert_eq!(
        at(app, Msg::Outcome(Outcome::Revealed(rv)), now),
        Vec::<String>::new()
    );
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
    at(&mut app, Intent::Search, NOW);
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
    at(&mut app, Intent::Help, NOW);
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

    let effects = update(&mut app, Intent::Reveal, NOW);
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
    assert_eq!(at(&mut app, Intent::Reveal, NOW), Vec::<String>::new());

    let rv = Reveal {
        entry: r,
        how: RevealHow::Show,
    };
    assert_eq!(
        at(&mut app, Msg::Outcome(Outcome::Revealed(rv)), NOW),
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
        at(&mut app, Msg::Tick, later(reveal_ms - 1)),
        Vec::<String>::new()
    );
    assert!(main_of(&app).is_revealed(r), "hidden too early");
    assert_eq!(
        at(&mut app, Msg::Tick, later(reveal_ms)),
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
    assert_eq!(at(&mut app, Intent::Reveal, later(1)), Vec::<String>::new());
    assert!(main_of(&app).revealed.is_none());
}

#[test]
fn moving_the_selection_hides_the_reveal() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    reveal_logged(&mut app, NOW);
    at(&mut app, Intent::Down, later(1));
    assert_eq!(selected_title(&app), ROUTER);
    assert!(main_of(&app).revealed.is_none());
    at(&mut app, Intent::Up, later(2));
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
    at(&mut app, Intent::Reveal, NOW);
    at(&mut app, Intent::Down, later(1));
    let rv = Reveal {
        entry: r,
        how: RevealHow::Show,
    };
    at(&mut app, Msg::Outcome(Outcome::Revealed(rv)), later(2));
    let m = main_of(&app);
    assert!(m.revealed.is_none());
    assert_eq!(m.shift.len(), 1, "it was logged, so the summary lists it");
}

#[test]
fn reveal_failed_stays_hidden_and_says_why() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Reveal, NOW);
    let msg = "the access log could not be written (disk full); nothing was revealed";
    assert_eq!(
        at(
            &mut app,
            Msg::Outcome(Outcome::RevealFailed(msg.into())),
            NOW
        ),
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
        at(&mut app, Intent::Copy(CopyWhat::Password), NOW),
        ["Reveal(Copy(Password))"]
    );
    assert!(app.clipboard_until.is_none());
    let rv = Reveal {
        entry: r,
        how: RevealHow::Copy(CopyWhat::Password),
    };
    at(&mut app, Msg::Outcome(Outcome::Revealed(rv)), NOW);
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
    at(&mut app, Intent::Down, NOW);
    assert_eq!(selected_title(&app), ROUTER);
    assert_eq!(
        at(&mut app, Intent::Copy(CopyWhat::TotpCode), NOW),
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
    at(&mut app, Intent::Search, NOW);
    typed(&mut app, "rout", NOW);
    assert_eq!(main_of(&app).query, "rout");
    assert_eq!(hit_titles(&app), [ROUTER]);
    assert_eq!(selected_title(&app), ROUTER);

    at(&mut app, Intent::Open, NOW);
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.query, "rout", "Enter keeps the filter");
    assert_eq!(hit_titles(&app), [ROUTER]);
    assert_eq!(selected_title(&app), ROUTER);

    // A query several entries match: the best one is selected, whatever
    // its place in the vault.
    at(&mut app, Intent::Search, NOW);
    at(&mut app, Intent::ClearField, NOW);
    assert_eq!(hit_titles(&app).len(), 3);
    typed(&mut app, "ro", NOW);
    // "ro" starts a word of the router's title and is inside "Payroll".
    assert_eq!(hit_titles(&app), [ROUTER, PAYROLL]);
    at(&mut app, Intent::Open, NOW);
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
    at(&mut app, Intent::Search, NOW);
    typed(&mut app, "ops@", NOW);
    assert_eq!(hit_titles(&app), [BANK]);
    at(&mut app, Intent::Backspace, NOW);
    at(&mut app, Intent::Backspace, NOW);
    at(&mut app, Intent::Backspace, NOW);
    at(&mut app, Intent::Backspace, NOW);
    assert_eq!(main_of(&app).query, "");
    assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);
}

#[test]
fn esc_in_search_clears_the_query() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Search, NOW);
    typed(&mut app, "bank", NOW);
    assert_eq!(hit_titles(&app), [BANK]);
    at(&mut app, Intent::Back, NOW);
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.query, "");
    assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);
}

#[test]
fn groups_pane_limits_the_list() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::NextPane, NOW);
    assert_eq!(main_of(&app).focus, Focus::Groups);
    at(&mut app, Intent::Down, NOW);
    at(&mut app, Intent::Down, NOW);
    assert_eq!(main_of(&app).group_cursor, 2);
    assert_eq!(hit_titles(&app), [ROUTER]);
    at(&mut app, Intent::Open, NOW);
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
        at(&mut app, Msg::Tick, later(idle - 1)),
        Vec::<String>::new()
    );
    assert!(matches!(app.screen, Screen::Main(_)));
    assert_eq!(at(&mut app, Msg::Tick, later(idle)), ["EndSession"]);
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
        at(&mut app, Msg::Tick, later(2 * idle)),
        Vec::<String>::new()
    );
}

#[test]
fn a_key_press_postpones_the_idle_lock() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let idle = app.settings.idle_lock_ms;
    at(&mut app, Intent::Down, later(idle - 1));
    assert_eq!(at(&mut app, Msg::Tick, later(idle)), Vec::<String>::new());
    assert!(matches!(app.screen, Screen::Main(_)));
    assert_eq!(at(&mut app, Msg::Tick, later(2 * idle - 1)), ["EndSession"]);
}

#[test]
fn ctrl_l_locks_and_clears_our_clipboard() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    at(&mut app, Intent::Copy(CopyWhat::Username), NOW);
    let rv = Reveal {
        entry: r,
        how: RevealHow::Copy(CopyWhat::Username),
    };
    at(&mut app, Msg::Outcome(Outcome::Revealed(rv)), NOW);
    assert!(app.clipboard_until.is_some());

    let lock = keymap::map(&app, ctrl('l')).expect("Ctrl-L maps");
    assert_eq!(lock, Intent::Lock);
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
    at(&mut app, Intent::Open, later(20));
    let u = unlock_of(&app);
    assert_eq!(u.members, [OWNER]);
    assert_eq!(u.member, 0);
    assert!(u.passphrase.is_empty());
}

#[test]
fn quit_ends_the_session_then_quits() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    assert_eq!(at(&mut app, Intent::Quit, NOW), ["EndSession", "Quit"]);
    assert!(app.quit);
    assert!(matches!(app.screen, Screen::Summary(_)));
}

#[test]
fn quit_from_the_help_overlay_ends_the_session_too() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Help, NOW);
    assert!(matches!(main_of(&app).overlay, Some(Overlay::Help)));
    // Commands under the overlay do nothing.
    assert_eq!(at(&mut app, Intent::Reveal, NOW), Vec::<String>::new());
    assert!(main_of(&app).pending.is_none());
    at(&mut app, Intent::Back, NOW);
    assert!(main_of(&app).overlay.is_none());
    at(&mut app, Intent::Help, NOW);
    assert_eq!(at(&mut app, Intent::Quit, NOW), ["EndSession", "Quit"]);
    assert!(app.quit);
}

#[test]
fn unlock_with_an_empty_passphrase_asks_for_one() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    assert_eq!(at(&mut app, Intent::Open, NOW), Vec::<String>::new());
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
    at(&mut app, Intent::Backspace, NOW);
    assert_eq!(unlock_of(&app).passphrase.chars(), 7);

    let effects = update(&mut app, Intent::Open, later(5));
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
    assert_eq!(at(&mut app, Intent::Open, later(7)), Vec::<String>::new());
    assert!(unlock_of(&app).passphrase.is_empty());
}

#[test]
fn unlock_failed_says_wrong_passphrase() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    typed(&mut app, "wrong", NOW);
    at(&mut app, Intent::Open, NOW);
    let err = match runtime::open(&fx.ctx, None, &Passphrase::from_slice(b"wrong")) {
        Err(e) => e,
        Ok(_) => panic!("a wrong passphrase unlocked the vault"),
    };
    assert_eq!(err.kind(), ErrorKind::Unlock);
    at(
        &mut app,
        Msg::Outcome(Outcome::UnlockFailed(err)),
        later(900),
    );
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
    for (err, heading) in [
        (
            SessionError::Vault(crate::vault::VaultError::WrongPassphrase),
            strings::WRONG_PASSPHRASE,
        ),
        (SessionError::denied("detail"), strings::ACCESS_DENIED),
        (
            SessionError::Store(crate::store::StoreError::Locked {
                holder: "detail".into(),
            }),
            strings::LOCKED_ELSEWHERE,
        ),
        (
            SessionError::Vault(crate::vault::VaultError::Damaged("detail".into())),
            strings::DAMAGED,
        ),
        (SessionError::failed("detail"), strings::CANNOT_OPEN),
    ] {
        let kind = err.kind();
        let text = err.to_string();
        let mut app = unlock_app_without_members();
        at(&mut app, Msg::Outcome(Outcome::UnlockFailed(err)), NOW);
        let e = unlock_of(&app).error.as_ref().expect("an error");
        assert_eq!(e.heading, heading, "{kind:?}");
        // A wrong passphrase needs no detail beyond its heading.
        let detail = if kind == ErrorKind::Unlock {
            ""
        } else {
            text.as_str()
        };
        assert_eq!(e.detail, detail, "{kind:?}");
        assert!(kind == ErrorKind::Unlock || e.detail.contains("detail"));
    }
}

#[test]
fn unlocked_opens_the_main_screen_with_the_weak_kdf_warning() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    typed(&mut app, PASSPHRASE, NOW);
    at(&mut app, Intent::Open, NOW);
    let opened = fx.open();
    at(
        &mut app,
        Msg::Outcome(Outcome::Unlocked(Box::new(opened))),
        later(800),
    );
    let m = main_of(&app);
    assert_eq!(m.focus, Focus::List);
    assert_eq!(m.hits.len(), 3);
    assert!(m.revealed.is_none());
    // The payroll entry has one backup code left: the owner's summary
    // comes first.
    assert_eq!(status_of(&app), ("1 finding (H)", true));
    drop(app);

    // With nothing to summarize, the weak KDF is said.
    fx.alter(|v, _| {
        let r = entry_ref(v, PAYROLL);
        let e = v.edit(r, T0).expect("edit payroll");
        for code in ["bkp-charlie-1", "bkp-delta-2"] {
            e.backup_codes.push(BackupCode {
                code: Concealed::of(code),
                used_at: None,
                used_by: None,
            });
        }
    });
    let mut app = fx.unlock_app();
    typed(&mut app, PASSPHRASE, NOW);
    at(&mut app, Intent::Open, NOW);
    at(
        &mut app,
        Msg::Outcome(Outcome::Unlocked(Box::new(fx.open()))),
        later(800),
    );
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

    runtime::dispatch(&mut app, &mut env, Intent::Reveal);

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

    runtime::dispatch(&mut app, &mut env, Intent::Reveal);

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
    runtime::dispatch(&mut app, &mut env, Intent::Lock);
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
    let wrong = match runtime::open(&fx.ctx, None, &Passphrase::from_slice(b"wrong")) {
        Err(e) => e,
        Ok(_) => panic!("a wrong passphrase unlocked the vault"),
    };
    for size in SIZES {
        let mut app = fx.unlock_app();
        typed(&mut app, "wrong", NOW);
        at(&mut app, Intent::Open, NOW);
        let err = SessionError::Vault(crate::vault::VaultError::WrongPassphrase);
        assert_eq!(err.to_string(), wrong.to_string());
        at(
            &mut app,
            Msg::Outcome(Outcome::UnlockFailed(err)),
            later(900),
        );
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
        at(&mut app, Intent::Open, NOW);
        // 0.3 s in: the spinner's fourth frame.
        at(&mut app, Msg::Tick, later(300));
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
        at(&mut app, Intent::Search, NOW);
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
        at(&mut app, Intent::Help, NOW);
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
        at(&mut app, Intent::Down, later(4_000));
        at(&mut app, Intent::Copy(CopyWhat::Password), later(5_000));
        let rv = Reveal {
            entry: main_of(&app).selected_entry().expect("a selection"),
            how: RevealHow::Copy(CopyWhat::Password),
        };
        assert_ne!(rv.entry, r);
        at(&mut app, Msg::Outcome(Outcome::Revealed(rv)), later(5_000));
        assert_eq!(
            at(&mut app, Intent::Lock, later(61_000)),
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
    at(&mut app, Msg::Tick, later(reveal_ms));
    assert_no_secret("after the reveal timed out", &draw(&app, 120, 40), NOW.unix);
}

// ---------------------------------------------------------------------------
// Forms, delete, backup codes, the access log and the generator.

use super::action::GenOptions;
use super::app::{FORM_LABELS, FORM_PASSWORD, FieldRef, Form};
use crate::format::Role;
use zeroize::Zeroizing;

/// A password typed into a form (not one of the fixture's secrets).
const TYPED_PASSWORD: &str = "Typed-Pw-4242!";
/// What the generator is told it generated, for deterministic screens.
const FIXED_GENERATED: &str = "Fixed-Gen-7Qp2-Wz9k-Lm3x";
const CONTRACTOR: &str = "bob";
const CONTRACTOR_PASSPHRASE: &str = "bob's own passphrase";

impl Fixture {
    /// The fixture with a contractor, [`CONTRACTOR`], added by the owner
    /// before anyone opened the vault.
    fn with_contractor() -> Self {
        let fx = Fixture::new();
        let mut v = fx.disk_vault();
        let mut rng = StdRng::seed_from_u64(11);
        vault::testkit::add_member(
            &mut v,
            CONTRACTOR,
            Role::Contractor,
            CONTRACTOR_PASSPHRASE.as_bytes(),
            T0,
            &mut rng,
        )
        .expect("add the contractor");
        let bytes = v.seal(T0, &mut rng).expect("seal");
        drop(v);
        std::fs::write(&fx.ctx.vault, bytes).expect("write the vault");
        fx
    }

    /// The vault file's bytes.
    fn bytes(&self) -> Vec<u8> {
        store::read(&self.ctx.vault).expect("read the vault")
    }

    /// The vault as it is on disk, unlocked by the owner without taking
    /// the vault's lock (a session may hold it).
    fn disk_vault(&self) -> vault::Vault {
        let file = format::read::parse(&self.bytes()).expect("parse the vault");
        let passphrase = Passphrase::from_slice(PASSPHRASE.as_bytes());
        vault::unlock(
            file,
            vault::Credential::Passphrase {
                member: None,
                passphrase: &passphrase,
            },
            crate::os::now(),
            8 << 30,
            &format::LogHead::EMPTY,
        )
        .unwrap_or_else(|e| panic!("unlock the vault on disk: {e}"))
    }

    /// The main screen of `member`'s session.
    fn app_as(&self, member: &str, passphrase: &str, size: (u16, u16)) -> App {
        let o = runtime::open(
            &self.ctx,
            Some(member),
            &Passphrase::from_slice(passphrase.as_bytes()),
        )
        .unwrap_or_else(|e| panic!("open as {member}: {e}"));
        let mut app = App::new(
            LABEL.into(),
            Screen::Main(Box::new(MainScreen::new(o.session, o.index))),
            Settings::default(),
        );
        at(&mut app, Msg::Resize(size.0, size.1), NOW);
        app.last_input_ms = NOW.ms;
        app
    }
}

/// A live entry of `v` by title.
fn live_entry<'a>(v: &'a vault::Vault, title: &str) -> &'a Entry {
    v.entries()
        .map(|(_, _, e)| e)
        .find(|e| e.title == title)
        .unwrap_or_else(|| panic!("no live entry {title:?} in the vault"))
}

/// Any entry of `v` by title, removed ones included.
fn any_entry<'a>(v: &'a vault::Vault, title: &str) -> &'a Entry {
    v.groups()
        .iter()
        .flat_map(|g| g.entries.iter())
        .find(|e| e.title == title)
        .unwrap_or_else(|| panic!("no entry {title:?} in the vault, even removed"))
}

/// The log records of `v` about the entry `id`, oldest first.
fn records_about(v: &vault::Vault, id: EntryId) -> Vec<crate::audit::Record> {
    v.log()
        .iter()
        .map(|x| x.record.clone())
        .filter(|r| r.entry == Some(id.0))
        .collect()
}

fn form_of(app: &App) -> &Form {
    match &main_of(app).overlay {
        Some(Overlay::Form(f)) => f,
        _ => panic!("no form is open"),
    }
}

fn field_index(label: &str) -> usize {
    FORM_LABELS
        .iter()
        .position(|l| *l == label)
        .unwrap_or_else(|| panic!("no form field {label:?}"))
}

/// What a form field holds (a secret field's text too).
fn field_text(f: &Form, label: &str) -> String {
    match f.values.field(field_index(label)) {
        FieldRef::Plain(s) => s.to_owned(),
        FieldRef::Secret(s) => s.peek().to_owned(),
    }
}

/// Tab to the field `label`, with `next` performing one Tab.
fn tab_to(app: &mut App, label: &str, mut next: impl FnMut(&mut App)) {
    let want = field_index(label);
    for _ in 0..FORM_LABELS.len() {
        if form_of(app).cursor == want {
            return;
        }
        next(app);
    }
    assert_eq!(form_of(app).cursor, want, "Tab never reached {label:?}");
}

fn goto(app: &mut App, label: &str) {
    tab_to(app, label, |a| {
        assert_eq!(at(a, Intent::NextPane, NOW), Vec::<String>::new());
    });
}

fn goto_dispatched(app: &mut App, env: &mut runtime::Env, label: &str) {
    tab_to(app, label, |a| runtime::dispatch(a, env, Intent::NextPane));
}

fn typed_dispatched(app: &mut App, env: &mut runtime::Env, s: &str) {
    for c in s.chars() {
        runtime::dispatch(app, env, Intent::Char(c));
    }
}

fn codes_overlay(app: &App) -> (EntryRef, usize, u64) {
    match &main_of(app).overlay {
        Some(Overlay::Codes {
            entry,
            cursor,
            until_ms,
        }) => (*entry, *cursor, *until_ms),
        _ => panic!("the backup codes view is not open"),
    }
}

fn generator_opts(app: &App) -> GenOptions {
    match &main_of(app).overlay {
        Some(Overlay::Generator(g)) => g.opts,
        _ => panic!("the generator is not open"),
    }
}

fn status_of(app: &App) -> (&str, bool) {
    let s = app.status.as_ref().expect("a status line");
    (s.text.as_str(), s.error)
}

fn no_effects() -> Vec<String> {
    Vec::new()
}

#[test]
fn keymap_new_commands_and_their_overlays() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    for (k, want) in [
        (key('n'), "New"),
        (key('e'), "Edit"),
        (key('d'), "Delete"),
        (key('g'), "Generator"),
        (key('b'), "BackupCodes"),
        (key('A'), "AccessLog"),
        (ctrl('s'), "Submit"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the list");
    }

    at(&mut app, Intent::New, NOW);
    for (k, want) in [
        (key('q'), "Char(q)"),
        (key('d'), "Char(d)"),
        (key('y'), "Char(y)"),
        (key('A'), "Char(A)"),
        (press(KeyCode::Enter), "Submit"),
        (ctrl('s'), "Submit"),
        (ctrl('g'), "GenerateInto"),
        (ctrl('u'), "ClearField"),
        (press(KeyCode::Tab), "NextPane"),
        (press(KeyCode::Down), "NextPane"),
        (press(KeyCode::BackTab), "PrevField"),
        (press(KeyCode::Up), "PrevField"),
        (press(KeyCode::Backspace), "Backspace"),
        (press(KeyCode::Esc), "Back"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the form");
    }
    at(&mut app, Intent::Back, NOW);

    at(&mut app, Intent::Delete, NOW);
    for (k, want) in [
        (key('y'), "Confirm(true)"),
        (key('Y'), "Confirm(true)"),
        (key('n'), "Confirm(false)"),
        (press(KeyCode::Esc), "Confirm(false)"),
        (press(KeyCode::Enter), "none"),
        (key('q'), "none"),
        (key('r'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the delete confirmation");
    }
    at(&mut app, Intent::Confirm(false), NOW);

    main_mut(&mut app).overlay = Some(Overlay::Codes {
        entry: main_of(&app).selected_entry().expect("a selection"),
        cursor: 0,
        until_ms: NOW.ms + 1,
    });
    for (k, want) in [
        (key('x'), "MarkUsed"),
        (key('b'), "Back"),
        (press(KeyCode::Esc), "Back"),
        (key('j'), "Down"),
        (key('k'), "Up"),
        (key('q'), "Quit"),
        (key('r'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the backup codes view");
    }
    main_mut(&mut app).overlay = None;

    at(&mut app, Intent::AccessLog, NOW);
    for (k, want) in [
        (key('A'), "Back"),
        (press(KeyCode::Esc), "Back"),
        (press(KeyCode::PageDown), "PageDown"),
        (key('j'), "Down"),
        (key('x'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the access log");
    }
    at(&mut app, Intent::Back, NOW);

    at(&mut app, Intent::Generator, NOW);
    for (k, want) in [
        (key('g'), "Generator"),
        (key(' '), "Generator"),
        (key('w'), "ToggleWords"),
        (key('+'), "Longer"),
        (press(KeyCode::Right), "Longer"),
        (key('-'), "Shorter"),
        (press(KeyCode::Left), "Shorter"),
        (key('c'), "Copy(Password)"),
        (press(KeyCode::Enter), "Back"),
        (press(KeyCode::Esc), "Back"),
        (key('q'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the generator");
    }
}

// ---------------------------------------------------------------------------
// Update: the add and edit forms.

#[test]
fn new_opens_an_empty_form_in_the_filtered_group() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    assert_eq!(at(&mut app, Intent::New, NOW), no_effects());
    let f = form_of(&app);
    assert!(f.editing.is_none());
    assert_eq!(f.cursor, 0, "the title has the focus");
    assert!(f.error.is_none());
    assert!(!f.saving);
    for label in FORM_LABELS {
        assert_eq!(field_text(f, label), "", "{label} of a new entry");
    }
    at(&mut app, Intent::Back, NOW);
    assert!(main_of(&app).overlay.is_none());

    // With the list limited to a group, a new entry goes there.
    at(&mut app, Intent::NextPane, NOW);
    at(&mut app, Intent::Down, NOW);
    let filter = main_of(&app).group_filter().expect("a group filter");
    let name = main_of(&app).session.vault.groups()[filter].name.clone();
    assert_eq!(name, PAYROLL_GROUP);
    at(&mut app, Intent::Open, NOW);
    assert_eq!(at(&mut app, Intent::New, NOW), no_effects());
    let f = form_of(&app);
    assert_eq!(field_text(f, "Group"), PAYROLL_GROUP);
    assert_eq!(field_text(f, "Title"), "");
}

#[test]
fn typing_goes_to_the_focused_form_field_and_tab_wraps() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::New, NOW);
    typed(&mut app, "Staging", NOW);
    goto(&mut app, "Username");
    typed(&mut app, "deploy", NOW);
    goto(&mut app, "Password");
    assert_eq!(form_of(&app).cursor, FORM_PASSWORD);
    typed(&mut app, "pw-12", NOW);
    at(&mut app, Intent::Backspace, NOW);
    goto(&mut app, "Notes");
    typed(&mut app, "qdn", NOW);

    let f = form_of(&app);
    assert_eq!(field_text(f, "Title"), "Staging");
    assert_eq!(field_text(f, "Group"), "");
    assert_eq!(field_text(f, "Username"), "deploy");
    assert_eq!(field_text(f, "Password"), "pw-1");
    assert_eq!(f.values.password.chars(), 4);
    assert_eq!(field_text(f, "Notes"), "qdn");
    for label in ["URL", "Identity", "Tags", "TOTP", "Rotate days"] {
        assert_eq!(field_text(f, label), "", "{label} was not typed into");
    }

    // Tab from the last field wraps to the first, and back.
    let last = FORM_LABELS.len() - 1;
    assert_eq!(f.cursor, last);
    at(&mut app, Intent::NextPane, NOW);
    assert_eq!(form_of(&app).cursor, 0, "Tab after the last field");
    at(&mut app, Intent::PrevField, NOW);
    assert_eq!(form_of(&app).cursor, last, "Shift-Tab on the first field");
    at(&mut app, Intent::PrevField, NOW);
    assert_eq!(form_of(&app).cursor, last - 1);

    // Ctrl-U clears only the focused field.
    goto(&mut app, "Username");
    at(&mut app, Intent::ClearField, NOW);
    let f = form_of(&app);
    assert_eq!(field_text(f, "Username"), "");
    assert_eq!(field_text(f, "Title"), "Staging");

    // The password is masked on screen.
    let text = draw(&app, 80, 24);
    assert!(
        !text.contains("pw-1"),
        "the typed password is drawn:\n{text}"
    );
    assert!(text.contains("••••"), "{text}");
}

#[test]
fn form_submit_needs_a_title_then_asks_the_runtime_to_save() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::New, NOW);
    goto(&mut app, "Username");
    assert_eq!(at(&mut app, Intent::Submit, NOW), no_effects());
    let f = form_of(&app);
    assert_eq!(f.error.as_deref(), Some(strings::TITLE_REQUIRED));
    assert_eq!(f.cursor, 0, "the focus goes to the title");
    assert!(!f.saving);
    assert!(draw(&app, 80, 24).contains(strings::TITLE_REQUIRED));

    // Blanks are no title either; Enter (Open) submits like Ctrl-S.
    typed(&mut app, "   ", NOW);
    assert!(form_of(&app).error.is_none(), "typing clears the error");
    assert_eq!(at(&mut app, Intent::Open, NOW), no_effects());
    assert_eq!(
        form_of(&app).error.as_deref(),
        Some(strings::TITLE_REQUIRED)
    );

    at(&mut app, Intent::ClearField, NOW);
    typed(&mut app, "Staging", NOW);
    let effects = update(&mut app, Intent::Submit, NOW);
    assert_eq!(effects.len(), 1, "{:?}", describe_effects(&effects));
    assert!(
        matches!(effects[0], Effect::Change(Change::SaveForm)),
        "{:?}",
        describe_effects(&effects)
    );
    let f = form_of(&app);
    assert!(f.saving);
    assert!(f.error.is_none());
    assert!(draw(&app, 80, 24).contains(strings::SAVING));

    // While it saves, the form takes no input and asks nothing more.
    assert_eq!(at(&mut app, Intent::Char('x'), NOW), no_effects());
    assert_eq!(at(&mut app, Intent::Submit, NOW), no_effects());
    assert_eq!(at(&mut app, Intent::Back, NOW), no_effects());
    assert_eq!(field_text(form_of(&app), "Title"), "Staging");

    // Refused: the form stays, filled in, with the reason.
    let why = "\"nope\" is not an e-mail address";
    at(&mut app, Msg::Outcome(Outcome::SaveFailed(why.into())), NOW);
    let f = form_of(&app);
    assert!(!f.saving);
    assert_eq!(f.error.as_deref(), Some(why));
    assert_eq!(field_text(f, "Title"), "Staging");

    // Saved: the form closes and the status says so.
    at(&mut app, Intent::Submit, NOW);
    at(
        &mut app,
        Msg::Outcome(Outcome::Saved {
            entry: None,
            message: "Added Staging.".into(),
            error: false,
        }),
        NOW,
    );
    assert!(main_of(&app).overlay.is_none());
    assert_eq!(status_of(&app), ("Added Staging.", false));
}

#[test]
fn ctrl_g_in_a_form_generates_into_the_password_field() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::New, NOW);
    typed(&mut app, "Staging", NOW);
    assert_eq!(
        at(&mut app, Intent::GenerateInto, NOW),
        ["Generate(GenOptions { words: false, length: 24 })"]
    );
    assert_eq!(field_text(form_of(&app), "Password"), "");
    at(
        &mut app,
        Msg::Outcome(Outcome::Generated(Zeroizing::new(FIXED_GENERATED.into()))),
        NOW,
    );
    let f = form_of(&app);
    assert_eq!(field_text(f, "Password"), FIXED_GENERATED);
    assert_eq!(f.cursor, FORM_PASSWORD, "the focus goes to the password");
    assert_eq!(field_text(f, "Title"), "Staging");
    // A second one replaces the first.
    at(
        &mut app,
        Msg::Outcome(Outcome::Generated(Zeroizing::new("abc".into()))),
        NOW,
    );
    assert_eq!(field_text(form_of(&app), "Password"), "abc");
    let text = draw(&app, 80, 24);
    assert!(!text.contains(FIXED_GENERATED), "{text}");
}

#[test]
fn edit_prefills_the_plain_fields_and_leaves_the_secrets_empty() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = reveal_logged(&mut app, NOW);
    assert_eq!(at(&mut app, Intent::Edit, NOW), no_effects());
    assert!(main_of(&app).revealed.is_none(), "the reveal ends");
    let f = form_of(&app);
    assert_eq!(f.editing, Some(r));
    assert_eq!(f.cursor, 0);
    for (label, want) in [
        ("Title", PAYROLL),
        ("Group", PAYROLL_GROUP),
        ("Username", "payroll-admin"),
        ("URL", "https://payroll.acme.test"),
        ("Identity", ""),
        ("Tags", "payroll, mfa"),
        ("Rotate days", "90"),
        ("Password", ""),
        ("TOTP", ""),
        ("Notes", ""),
    ] {
        assert_eq!(field_text(f, label), want, "{label} of the edit form");
    }
    let text = draw(&app, 80, 24);
    assert_eq!(
        text.matches(strings::UNCHANGED).count(),
        3,
        "password, TOTP and notes say unchanged:\n{text}"
    );
    assert_no_secret("the edit form", &text, NOW.unix);
}

// ---------------------------------------------------------------------------
// Update: delete, backup codes, the generator.

#[test]
fn delete_asks_first_and_only_y_removes() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Down, NOW);
    let r = main_of(&app).selected_entry().expect("a selection");
    assert_eq!(title_of(&app, r), ROUTER);

    for cancel in [key('n'), key('N'), press(KeyCode::Esc)] {
        assert_eq!(at(&mut app, Intent::Delete, NOW), no_effects());
        assert!(matches!(
            main_of(&app).overlay,
            Some(Overlay::ConfirmDelete(x)) if x == r
        ));
        // Commands under the confirmation do nothing.
        assert_eq!(at(&mut app, Intent::Reveal, NOW), no_effects());
        let a = keymap::map(&app, cancel).expect("the key maps");
        assert_eq!(at(&mut app, a, NOW), no_effects(), "{cancel:?}");
        assert!(main_of(&app).overlay.is_none(), "{cancel:?} keeps it open");
        assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);
    }

    at(&mut app, Intent::Delete, NOW);
    let y = keymap::map(&app, key('y')).expect("y maps");
    let effects = update(&mut app, y, NOW);
    assert_eq!(effects.len(), 1, "{:?}", describe_effects(&effects));
    assert!(
        matches!(effects[0], Effect::Change(Change::Remove(x)) if x == r),
        "{:?}",
        describe_effects(&effects)
    );
    assert!(main_of(&app).overlay.is_none());
}

#[test]
fn backup_codes_of_an_entry_without_codes_asks_nothing() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Down, NOW);
    assert_eq!(selected_title(&app), ROUTER);
    assert_eq!(at(&mut app, Intent::BackupCodes, NOW), no_effects());
    let m = main_of(&app);
    assert!(m.overlay.is_none());
    assert!(m.pending.is_none());
    assert_eq!(status_of(&app), (strings::no_codes(ROUTER).as_str(), true));
}

#[test]
fn backup_codes_open_only_when_the_reveal_is_reported_and_hide_after_reveal_ms() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    let effects = update(&mut app, Intent::BackupCodes, NOW);
    assert_eq!(effects.len(), 1, "{:?}", describe_effects(&effects));
    match &effects[0] {
        Effect::Reveal(rv) => assert_eq!(
            *rv,
            Reveal {
                entry: r,
                how: RevealHow::Codes
            }
        ),
        _ => panic!("expected a reveal, got {:?}", describe_effects(&effects)),
    }
    let m = main_of(&app);
    assert!(m.overlay.is_none(), "the codes are shown before the log");
    assert_eq!(m.pending, Some((r, RevealHow::Codes)));
    assert_no_secret("codes asked, not logged", &draw(&app, 80, 24), NOW.unix);
    // Asked once only.
    assert_eq!(at(&mut app, Intent::BackupCodes, NOW), no_effects());

    let rv = Reveal {
        entry: r,
        how: RevealHow::Codes,
    };
    assert_eq!(
        at(&mut app, Msg::Outcome(Outcome::Revealed(rv)), NOW),
        no_effects()
    );
    let reveal_ms = app.settings.reveal_ms;
    let (entry, cursor, until) = codes_overlay(&app);
    assert_eq!(entry, r);
    assert_eq!(cursor, 1, "the cursor starts on the first unused code");
    assert_eq!(until, NOW.ms + reveal_ms);
    let m = main_of(&app);
    assert!(m.pending.is_none());
    assert_eq!(
        m.shift,
        [ShiftItem {
            unix: NOW.unix,
            title: PAYROLL.into(),
            group: PAYROLL_GROUP.into(),
            what: ShiftWhat::Codes,
        }]
    );

    at(&mut app, Msg::Tick, later(reveal_ms - 1));
    codes_overlay(&app);
    at(&mut app, Msg::Tick, later(reveal_ms));
    assert!(
        main_of(&app).overlay.is_none(),
        "the codes are still shown after reveal_ms"
    );
    assert_no_secret("codes hidden", &draw(&app, 80, 24), NOW.unix);
}

#[test]
fn backup_codes_reveal_failed_opens_nothing() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::BackupCodes, NOW);
    at(
        &mut app,
        Msg::Outcome(Outcome::RevealFailed(
            "the access log could not be written".into(),
        )),
        NOW,
    );
    let m = main_of(&app);
    assert!(m.overlay.is_none());
    assert!(m.pending.is_none());
    assert!(m.shift.is_empty());
    assert!(status_of(&app).1);
}

#[test]
fn marking_a_used_backup_code_asks_nothing() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("a selection");
    at(&mut app, Intent::BackupCodes, NOW);
    at(
        &mut app,
        Msg::Outcome(Outcome::Revealed(Reveal {
            entry: r,
            how: RevealHow::Codes,
        })),
        NOW,
    );
    at(&mut app, Intent::Up, NOW);
    assert_eq!(codes_overlay(&app).1, 0);
    assert_eq!(at(&mut app, Intent::MarkUsed, NOW), no_effects());
    assert_eq!(status_of(&app), (strings::CODE_ALREADY_USED, true));
    codes_overlay(&app);

    at(&mut app, Intent::Down, NOW);
    // The cursor stops at the last code.
    at(&mut app, Intent::Down, NOW);
    assert_eq!(codes_overlay(&app).1, 1);
    let effects = update(&mut app, Intent::MarkUsed, NOW);
    assert_eq!(describe_effects(&effects), ["Change(CodeUsed(1))"]);
    assert!(matches!(effects[0], Effect::Change(Change::CodeUsed(x, 1)) if x == r));

    assert_eq!(at(&mut app, Intent::Back, NOW), no_effects());
    assert!(main_of(&app).overlay.is_none());
}

#[test]
fn generator_lengths_stay_within_bounds() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    assert_eq!(
        at(&mut app, Intent::Generator, NOW),
        ["Generate(GenOptions { words: false, length: 24 })"]
    );
    let chars = |n: usize| GenOptions {
        words: false,
        length: n,
    };
    let words = |n: usize| GenOptions {
        words: true,
        length: n,
    };
    assert_eq!(generator_opts(&app), chars(24));

    // Every press asks for a new value with the options it shows.
    let press_n = |app: &mut App, action: fn() -> Msg, n: usize| {
        for _ in 0..n {
            let effects = update(app, action(), NOW);
            let opts = generator_opts(app);
            assert_eq!(describe_effects(&effects), [format!("Generate({opts:?})")]);
        }
    };
    press_n(&mut app, || Msg::Intent(Intent::Longer), 200);
    assert_eq!(generator_opts(&app), chars(128));
    press_n(&mut app, || Msg::Intent(Intent::Shorter), 200);
    assert_eq!(generator_opts(&app), chars(8));
    press_n(&mut app, || Msg::Intent(Intent::Longer), 1);
    assert_eq!(generator_opts(&app), chars(9));

    assert_eq!(
        at(&mut app, Intent::ToggleWords, NOW),
        ["Generate(GenOptions { words: true, length: 6 })"]
    );
    press_n(&mut app, || Msg::Intent(Intent::Longer), 50);
    assert_eq!(generator_opts(&app), words(20));
    press_n(&mut app, || Msg::Intent(Intent::Shorter), 50);
    assert_eq!(generator_opts(&app), words(3));
    at(&mut app, Intent::ToggleWords, NOW);
    assert_eq!(generator_opts(&app), chars(24));
}

#[test]
fn generator_copies_only_a_value_it_has() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Generator, NOW);
    assert_eq!(
        at(&mut app, Intent::Copy(CopyWhat::Password), NOW),
        no_effects()
    );
    assert!(app.clipboard_until.is_none());
    at(
        &mut app,
        Msg::Outcome(Outcome::Generated(Zeroizing::new(FIXED_GENERATED.into()))),
        NOW,
    );
    let effects = update(&mut app, Intent::Copy(CopyWhat::Password), NOW);
    match effects.as_slice() {
        [Effect::CopyGenerated(v)] => assert_eq!(v.as_str(), FIXED_GENERATED),
        _ => panic!("expected a copy, got {:?}", describe_effects(&effects)),
    }
    let clipboard_ms = app.settings.clipboard_ms;
    assert_eq!(app.clipboard_until, Some(NOW.ms + clipboard_ms));
    assert_eq!(
        status_of(&app),
        (
            strings::generated_copied(clipboard_ms / 1000).as_str(),
            false
        )
    );
    // Nothing from the vault: no reveal, nothing for the summary.
    assert!(main_of(&app).shift.is_empty());
    at(&mut app, Intent::Back, NOW);
    assert!(main_of(&app).overlay.is_none());
}

// ---------------------------------------------------------------------------
// Update: the access log.

#[test]
fn the_owner_reads_every_log_record() {
    let fx = Fixture::with_contractor();
    // The contractor's unlock is in the log the owner reads.
    drop(fx.app_as(CONTRACTOR, CONTRACTOR_PASSPHRASE, (80, 24)));
    let mut app = fx.main_app((120, 40));
    assert_eq!(at(&mut app, Intent::AccessLog, NOW), no_effects());
    assert!(matches!(
        main_of(&app).overlay,
        Some(Overlay::Log { top: 0 })
    ));
    let m = main_of(&app);
    let log = m.session.vault.log();
    let all: Vec<usize> = (0..log.len()).rev().collect();
    assert_eq!(
        m.visible_log(),
        all,
        "owners read every record, newest first"
    );
    let members: Vec<&str> = log
        .iter()
        .map(|v| m.session.vault.member_name(v.record.member))
        .collect();
    assert!(members.contains(&CONTRACTOR), "{members:?}");
    assert!(members.contains(&OWNER), "{members:?}");
    let text = draw(&app, 120, 40);
    assert!(text.contains(CONTRACTOR), "{text}");
    assert!(text.contains("init"), "{text}");
    at(&mut app, Intent::Back, NOW);
    assert!(main_of(&app).overlay.is_none());
}

#[test]
fn a_contractor_reads_only_their_own_log_records() {
    let fx = Fixture::with_contractor();
    let mut app = fx.app_as(CONTRACTOR, CONTRACTOR_PASSPHRASE, (120, 40));
    let m = main_of(&app);
    assert_eq!(m.session.vault.me().role, Role::Contractor);
    let me = m.session.vault.me().id;
    let log = m.session.vault.log();
    let visible = m.visible_log();
    assert!(!visible.is_empty(), "the contractor's own unlock");
    assert!(
        visible.len() < log.len(),
        "the owner's records are there too"
    );
    for &i in &visible {
        assert_eq!(
            log[i].record.member, me,
            "record {i} is not the contractor's"
        );
    }
    assert!(visible.windows(2).all(|w| w[0] > w[1]), "newest first");
    at(&mut app, Intent::AccessLog, NOW);
    let text = draw(&app, 120, 40);
    assert!(
        !text.contains(OWNER),
        "the owner's records are listed:\n{text}"
    );
    assert!(!text.contains("init"), "{text}");
    assert!(text.contains("unlock"), "{text}");
}

// ---------------------------------------------------------------------------
// The runtime: changes from the forms, delete and the codes view are
// applied, recorded and saved in the vault file.

#[test]
fn dispatched_new_entry_is_saved_with_its_generated_password_and_an_add_record() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let me = main_of(&app).session.vault.me().id;

    runtime::dispatch(&mut app, &mut env, Intent::New);
    typed_dispatched(&mut app, &mut env, "Staging server");
    goto_dispatched(&mut app, &mut env, "Username");
    typed_dispatched(&mut app, &mut env, "deploy");
    runtime::dispatch(&mut app, &mut env, Intent::GenerateInto);
    let password = field_text(form_of(&app), "Password");
    assert_eq!(password.chars().count(), 24, "{password:?}");
    let text = draw(&app, 80, 24);
    assert!(!text.contains(&password), "the generated password is drawn");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);

    assert!(
        main_of(&app).overlay.is_none(),
        "the form closes once saved"
    );
    assert_eq!(status_of(&app), ("Added Staging server.", false));
    assert_eq!(selected_title(&app), "Staging server");
    assert_eq!(main_of(&app).hits.len(), 4);

    let v = fx.disk_vault();
    let e = live_entry(&v, "Staging server");
    assert_eq!(e.password.expose(), password);
    assert_eq!(e.username, "deploy");
    assert_eq!(e.created_by, me);
    let (r, _, _) = v
        .entries()
        .find(|(_, _, x)| x.id == e.id)
        .expect("the entry");
    assert_eq!(v.group_name(r), crate::session::DEFAULT_GROUP);
    let records = records_about(&v, e.id);
    let actions: Vec<LogAction> = records.iter().map(|r| r.action).collect();
    assert_eq!(actions, [LogAction::Add]);
    assert_eq!(records[0].member, me);
    let d = v.record_details(&records[0]).expect("details");
    assert_eq!(d.title.as_deref(), Some("Staging server"));
}

#[test]
fn dispatched_new_entry_with_a_typed_password_in_an_existing_group() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::New);
    typed_dispatched(&mut app, &mut env, "Switch");
    goto_dispatched(&mut app, &mut env, "Group");
    typed_dispatched(&mut app, &mut env, "IT/Network");
    goto_dispatched(&mut app, &mut env, "Password");
    typed_dispatched(&mut app, &mut env, TYPED_PASSWORD);
    goto_dispatched(&mut app, &mut env, "Identity");
    typed_dispatched(&mut app, &mut env, "it@acme.test");
    goto_dispatched(&mut app, &mut env, "Tags");
    typed_dispatched(&mut app, &mut env, "net, core");
    goto_dispatched(&mut app, &mut env, "Rotate days");
    typed_dispatched(&mut app, &mut env, "30");
    // Enter saves from any field.
    let enter = keymap::map(&app, press(KeyCode::Enter)).expect("Enter maps");
    runtime::dispatch(&mut app, &mut env, enter);
    assert!(
        main_of(&app).overlay.is_none(),
        "{:?}",
        app.status.as_ref().map(|s| &s.text)
    );

    let v = fx.disk_vault();
    let e = live_entry(&v, "Switch");
    assert_eq!(e.password.expose(), TYPED_PASSWORD);
    assert_eq!(e.identity.as_deref(), Some("it@acme.test"));
    assert_eq!(e.tags, ["net", "core"]);
    assert_eq!(e.rotate_days, Some(30));
    assert_eq!(v.groups().len(), 3, "no new group");
    let g = v
        .groups()
        .iter()
        .find(|g| g.entries.iter().any(|x| x.id == e.id))
        .expect("its group");
    assert_eq!(g.name, "IT/Network");
    assert_eq!(
        records_about(&v, e.id)
            .iter()
            .map(|r| r.action)
            .collect::<Vec<_>>(),
        [LogAction::Add]
    );
}

#[test]
fn dispatched_edit_keeps_the_old_password_in_history_and_logs_the_field() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    assert_eq!(selected_title(&app), PAYROLL);
    let new_password = "Nw8-payroll-ROTATED-07";

    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    goto_dispatched(&mut app, &mut env, "Password");
    typed_dispatched(&mut app, &mut env, new_password);
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert!(main_of(&app).overlay.is_none());
    assert_eq!(status_of(&app), ("Saved Acme Payroll.", false));
    assert_eq!(selected_title(&app), PAYROLL);

    let v = fx.disk_vault();
    let e = live_entry(&v, PAYROLL);
    assert_eq!(e.password.expose(), new_password);
    let old: Vec<&str> = e.history.iter().map(|h| h.password.expose()).collect();
    assert_eq!(old, [PASSWORD], "the old password is kept in the history");
    // What the form left empty is unchanged.
    assert_eq!(e.notes.expose(), NOTES);
    assert!(e.totp.is_some(), "the TOTP was dropped");
    assert_eq!(e.backup_codes.len(), 2);
    assert_eq!(
        e.field("PIN").map(|f| f.value.expose()),
        Some(PIN),
        "the custom field was dropped"
    );
    assert_eq!(e.username, "payroll-admin");
    assert_eq!(e.urls, ["https://payroll.acme.test"]);
    assert_eq!(e.tags, ["payroll", "mfa"]);
    assert_eq!(e.rotate_days, Some(90));
    let edits: Vec<Option<Field>> = records_about(&v, e.id)
        .iter()
        .filter(|r| r.action == LogAction::Edit)
        .map(|r| r.field)
        .collect();
    assert_eq!(edits, [Some(Field::Password)]);

    // An edit that leaves the password alone records no password field.
    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    goto_dispatched(&mut app, &mut env, "Username");
    runtime::dispatch(&mut app, &mut env, Intent::ClearField);
    typed_dispatched(&mut app, &mut env, "payroll-ops");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    let v = fx.disk_vault();
    let e = live_entry(&v, PAYROLL);
    assert_eq!(e.username, "payroll-ops");
    assert_eq!(e.password.expose(), new_password);
    assert_eq!(e.history.len(), 1);
    let edits: Vec<Option<Field>> = records_about(&v, e.id)
        .iter()
        .filter(|r| r.action == LogAction::Edit)
        .map(|r| r.field)
        .collect();
    assert_eq!(edits, [Some(Field::Password), None]);
}

#[test]
fn dispatched_refused_forms_stay_open_and_change_nothing_on_disk() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    // (edit the selection?, field, text typed, what the error says)
    let cases = [
        (false, "TOTP", "not a totp!", "totp"),
        (false, "Identity", "not-an-email", "e-mail"),
        (false, "Rotate days", "soon", "rotate days"),
        (true, "Identity", "nobody", "e-mail"),
        (true, "TOTP", "otpauth://nonsense", "totp"),
    ];
    for (edit, label, text, why) in cases {
        let case = format!(
            "{} with {label} {text:?}",
            if edit { "edit" } else { "add" }
        );
        let before = fx.bytes();
        let entries = main_of(&app).session.vault.entry_count();
        let log = main_of(&app).session.vault.log().len();
        if edit {
            runtime::dispatch(&mut app, &mut env, Intent::Edit);
            goto_dispatched(&mut app, &mut env, "Password");
            typed_dispatched(&mut app, &mut env, TYPED_PASSWORD);
        } else {
            runtime::dispatch(&mut app, &mut env, Intent::New);
            typed_dispatched(&mut app, &mut env, "Refused entry");
        }
        goto_dispatched(&mut app, &mut env, label);
        runtime::dispatch(&mut app, &mut env, Intent::ClearField);
        typed_dispatched(&mut app, &mut env, text);
        runtime::dispatch(&mut app, &mut env, Intent::Submit);

        let f = form_of(&app);
        assert!(!f.saving, "{case}: still saving");
        let error = f.error.clone().unwrap_or_default();
        assert!(
            error.to_lowercase().contains(why),
            "{case}: the error {error:?} does not say {why:?}"
        );
        assert_eq!(field_text(f, label), text, "{case}: the form was emptied");
        let screen = draw(&app, 80, 24);
        let shown = error.chars().take(30).collect::<String>();
        assert!(
            screen.contains(&shown),
            "{case}: error not drawn:\n{screen}"
        );
        assert!(fx.bytes() == before, "{case}: the vault file changed");
        let m = main_of(&app);
        assert_eq!(m.session.vault.entry_count(), entries, "{case}");
        assert_eq!(
            m.session.vault.log().len(),
            log,
            "{case}: a record was added"
        );
        let e = m
            .session
            .vault
            .entry(m.selected_entry().expect("a selection"));
        assert_eq!(e.title, PAYROLL, "{case}");
        assert_eq!(e.password.expose(), PASSWORD, "{case}: changed in memory");
        assert!(e.identity.is_none(), "{case}: changed in memory");
        assert!(e.history.is_empty(), "{case}: changed in memory");
        runtime::dispatch(&mut app, &mut env, Intent::Back);
        assert!(main_of(&app).overlay.is_none());
    }
    assert!(live_entry(&fx.disk_vault(), PAYROLL).history.is_empty());
}

#[test]
fn dispatched_titles_over_500_characters_are_refused_by_add_and_edit_alike() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let long = "T".repeat(501);
    let id = live_entry(&main_of(&app).session.vault, PAYROLL).id;

    let before = fx.bytes();
    runtime::dispatch(&mut app, &mut env, Intent::New);
    typed_dispatched(&mut app, &mut env, &long);
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    let error = form_of(&app).error.clone();
    assert!(
        error.as_deref().is_some_and(|e| e.contains("500")),
        "add: {error:?}"
    );
    assert!(fx.bytes() == before, "add: the vault file changed");
    runtime::dispatch(&mut app, &mut env, Intent::Back);

    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    runtime::dispatch(&mut app, &mut env, Intent::ClearField);
    typed_dispatched(&mut app, &mut env, &long);
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    let still_open = matches!(main_of(&app).overlay, Some(Overlay::Form(_)));
    let stored = fx
        .disk_vault()
        .entries()
        .find(|(_, _, e)| e.id == id)
        .map_or(0, |(_, _, e)| e.title.chars().count());
    assert!(
        still_open && fx.bytes() == before,
        "BUG: the edit form saved a {stored}-character title that adding refuses \
         (an entry title must be 1 to 500 characters; the edit path never checks it)"
    );
}

#[test]
fn dispatched_delete_marks_the_entry_removed_on_disk() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let me = main_of(&app).session.vault.me().id;
    runtime::dispatch(&mut app, &mut env, Intent::Down);
    assert_eq!(selected_title(&app), ROUTER);
    let id = live_entry(&main_of(&app).session.vault, ROUTER).id;

    runtime::dispatch(&mut app, &mut env, Intent::Delete);
    // Nothing is written before the confirmation.
    let before = fx.bytes();
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(false));
    assert!(fx.bytes() == before);
    assert_eq!(hit_titles(&app), [PAYROLL, ROUTER, BANK]);

    runtime::dispatch(&mut app, &mut env, Intent::Delete);
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert!(main_of(&app).overlay.is_none());
    assert_eq!(hit_titles(&app), [PAYROLL, BANK], "still listed");
    let (text, error) = status_of(&app);
    assert!(
        !error && text.starts_with("Deleted Office router"),
        "{text}"
    );

    let v = fx.disk_vault();
    let e = any_entry(&v, ROUTER);
    assert_eq!(e.id, id);
    let removal = e.removed.expect("marked removed on disk");
    assert_eq!(removal.by, me);
    assert!(
        v.entries().all(|(_, _, x)| x.id != id),
        "still live on disk"
    );
    assert_eq!(crate::search::Index::build(&v).len(), 2);
    let actions: Vec<LogAction> = records_about(&v, id).iter().map(|r| r.action).collect();
    assert_eq!(actions, [LogAction::Remove]);
}

#[test]
fn dispatched_codes_reveal_is_logged_on_disk_before_the_view_opens() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let id = live_entry(&main_of(&app).session.vault, PAYROLL).id;
    let tail = fx.tail_records();

    runtime::dispatch(&mut app, &mut env, Intent::BackupCodes);
    codes_overlay(&app);
    assert_eq!(
        fx.tail_records(),
        tail + 1,
        "one record appended and synced"
    );
    let v = fx.disk_vault();
    let last = &v.log().last().expect("a record").record;
    assert_eq!(last.action, LogAction::Reveal);
    assert_eq!(last.field, Some(Field::BackupCodes));
    assert_eq!(last.entry, Some(id.0));
    let text = draw(&app, 80, 24);
    assert!(text.contains(BACKUP_CODES[1]), "{text}");

    // Fail-closed: when the record cannot be written, nothing opens.
    let mut app = {
        drop(app);
        fx.main_app((80, 24))
    };
    main_mut(&mut app).session.path = fx.dir.path().join("moved-away.baton");
    let before = fx.bytes();
    runtime::dispatch(&mut app, &mut env, Intent::BackupCodes);
    let m = main_of(&app);
    assert!(m.overlay.is_none(), "the codes were shown without a record");
    assert!(m.pending.is_none());
    assert!(m.shift.is_empty());
    assert!(status_of(&app).1);
    assert!(fx.bytes() == before);
    assert_no_secret(
        "after a failed codes reveal",
        &draw(&app, 80, 24),
        app.clock.unix,
    );
}

#[test]
fn dispatched_mark_used_writes_the_code_and_a_code_used_record() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let me = main_of(&app).session.vault.me().id;
    let id = live_entry(&main_of(&app).session.vault, PAYROLL).id;

    runtime::dispatch(&mut app, &mut env, Intent::BackupCodes);
    assert_eq!(codes_overlay(&app).1, 1);
    let x = keymap::map(&app, key('x')).expect("x maps");
    runtime::dispatch(&mut app, &mut env, x);
    codes_overlay(&app);
    assert_eq!(
        status_of(&app),
        (strings::code_marked(2, 0).as_str(), false)
    );

    let v = fx.disk_vault();
    let e = live_entry(&v, PAYROLL);
    let used: Vec<Option<i64>> = e.backup_codes.iter().map(|c| c.used_at).collect();
    assert_eq!(used[0], Some(T0), "the first code's date changed");
    assert!(used[1].is_some(), "the code is not marked used on disk");
    assert_eq!(e.backup_codes[1].used_by, Some(me));
    let records = records_about(&v, id);
    let code_used: Vec<&crate::audit::Record> = records
        .iter()
        .filter(|r| r.action == LogAction::CodeUsed)
        .collect();
    assert_eq!(code_used.len(), 1, "{records:?}");
    assert_eq!(code_used[0].field, Some(Field::BackupCodes));
    let note = v.record_details(code_used[0]).and_then(|d| d.note);
    assert_eq!(note.as_deref(), Some("code 2"));
    // Marking a code used is no edit.
    assert!(records.iter().all(|r| r.action != LogAction::Edit));

    // Again on the same code: refused, nothing written.
    let before = fx.bytes();
    runtime::dispatch(&mut app, &mut env, Intent::MarkUsed);
    assert_eq!(status_of(&app), (strings::CODE_ALREADY_USED, true));
    assert!(fx.bytes() == before);
    // The used code is masked now.
    let text = draw(&app, 80, 24);
    assert!(!text.contains(BACKUP_CODES[1]), "{text}");
}

// ---------------------------------------------------------------------------
// Snapshots of the forms and overlays.

fn snapshot_text(name: &str, size: (u16, u16), text: &str) {
    insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
}

/// A log time as the access log view draws it.
fn log_time(unix: i64) -> String {
    let t = crate::dates::format_rfc3339(unix).replace('T', " ");
    t.get(..16).unwrap_or(&t).to_owned()
}

/// The access log view with the times of records written now (by the
/// session, at the wall clock) shown as [`NOW`].
fn fixed_log_times(app: &App, text: &str) -> String {
    let mut out = text.to_owned();
    for v in main_of(app).session.vault.log() {
        if v.record.time != T0 {
            out = out.replace(&log_time(v.record.time), &log_time(NOW.unix));
        }
    }
    out
}

#[test]
fn snapshot_form_new() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::New, NOW);
        typed(&mut app, "Staging server", NOW);
        goto(&mut app, "Group");
        typed(&mut app, "IT/Staging", NOW);
        goto(&mut app, "Username");
        typed(&mut app, "deploy", NOW);
        goto(&mut app, "Password");
        typed(&mut app, TYPED_PASSWORD, NOW);
        goto(&mut app, "URL");
        typed(&mut app, "https://staging.acme.test", NOW);
        let text = snapshot("form_new", &app, size);
        assert!(text.contains(strings::NEW_TITLE));
        assert!(text.contains("Staging server") && text.contains("https://staging.acme.test"));
        assert!(
            !text.contains(TYPED_PASSWORD),
            "the typed password is drawn:\n{text}"
        );
        let dots = "•".repeat(TYPED_PASSWORD.chars().count());
        assert!(text.contains(&dots), "{text}");
        assert!(
            !text.contains(strings::UNCHANGED),
            "a new entry has nothing to keep"
        );
    }
}

#[test]
fn snapshot_form_new_without_a_title() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::New, NOW);
        at(&mut app, Intent::Submit, NOW);
        let text = snapshot("form_title_required", &app, size);
        assert!(text.contains(strings::TITLE_REQUIRED));
    }
}

#[test]
fn snapshot_form_edit() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Edit, NOW);
        goto(&mut app, "Tags");
        let text = snapshot("form_edit", &app, size);
        assert!(text.contains(strings::EDIT_TITLE));
        assert!(text.contains("payroll, mfa"), "{text}");
        assert_eq!(text.matches(strings::UNCHANGED).count(), 3, "{text}");
    }
}

#[test]
fn snapshot_confirm_delete() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Delete, NOW);
        let text = snapshot("confirm_delete", &app, size);
        assert!(text.contains(&format!("Delete \"{PAYROLL}\"?")), "{text}");
        assert!(text.contains(strings::DELETE_KEYS), "{text}");
    }
}

#[test]
fn snapshot_backup_codes() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        let r = main_of(&app).selected_entry().expect("a selection");
        at(&mut app, Intent::BackupCodes, NOW);
        at(
            &mut app,
            Msg::Outcome(Outcome::Revealed(Reveal {
                entry: r,
                how: RevealHow::Codes,
            })),
            NOW,
        );
        at(&mut app, Msg::Tick, later(3_000));
        let text = draw(&app, size.0, size.1);
        // A logged reveal of the codes: the unused one is shown, the used
        // one stays masked, and nothing else secret is drawn.
        assert!(text.contains(BACKUP_CODES[1]), "{text}");
        assert!(
            !text.contains(BACKUP_CODES[0]),
            "the used code is shown:\n{text}"
        );
        let used_row = text
            .lines()
            .find(|l| l.contains("used 2026-01-01 by alice"))
            .unwrap_or_else(|| panic!("no row for the used code:\n{text}"));
        assert!(used_row.contains(strings::MASK), "{used_row}");
        for s in secrets(app.clock.unix) {
            if s != BACKUP_CODES[1] {
                assert!(!text.contains(&s), "the codes view shows {s:?}:\n{text}");
            }
        }
        assert!(text.contains("hidden in 12 s"), "{text}");
        snapshot_text("backup_codes", size, &text);
    }
}

#[test]
fn snapshot_access_log() {
    for size in SIZES {
        let fx = Fixture::new();
        let mut app = fx.main_app(size);
        let mut env = runtime::Env::new(fx.ctx.clone());
        runtime::dispatch(&mut app, &mut env, Intent::Reveal);
        runtime::dispatch(&mut app, &mut env, Intent::BackupCodes);
        runtime::dispatch(&mut app, &mut env, Intent::Back);
        at(&mut app, Msg::Tick, NOW);
        at(&mut app, Intent::AccessLog, NOW);
        let text = draw(&app, size.0, size.1);
        assert_no_secret("access log", &text, NOW.unix);
        let text = fixed_log_times(&app, &text);
        // init, unlock, four reveals and the codes reveal.
        assert!(text.contains("Access log · 7 records"), "{text}");
        assert!(text.contains("backup-codes"), "{text}");
        assert!(text.contains("2026-01-01 00:00"), "{text}");
        snapshot_text("access_log", size, &text);
    }
}

#[test]
fn snapshot_generator() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Generator, NOW);
        at(
            &mut app,
            Msg::Outcome(Outcome::Generated(Zeroizing::new(FIXED_GENERATED.into()))),
            NOW,
        );
        let text = snapshot("generator", &app, size);
        assert!(text.contains(FIXED_GENERATED), "{text}");
        assert!(text.contains("24 characters"), "{text}");
        assert!(text.contains(strings::GENERATOR_KEYS), "{text}");
    }
}

// ---------------------------------------------------------------------------
// First run: onboarding and the recovery code.

fn onboard_app() -> App {
    App::new(
        LABEL.into(),
        Screen::Onboard(super::app::OnboardScreen::new()),
        Settings::default(),
    )
}

#[test]
fn onboarding_checks_every_field_before_creating() {
    let mut app = onboard_app();
    let error = |app: &App| match &app.screen {
        Screen::Onboard(o) => (o.cursor, o.error.clone()),
        _ => panic!("not on the onboarding screen"),
    };
    // Enter moves to the next field until the last.
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(error(&app).0, 1);
    at(&mut app, Intent::PrevField, NOW);
    typed(&mut app, "ana smith", NOW);
    for _ in 0..3 {
        at(&mut app, Intent::NextPane, NOW);
    }
    assert!(
        at(&mut app, Intent::Open, NOW).is_empty(),
        "a name with a space"
    );
    assert_eq!(error(&app).0, 0);
    for _ in 0..6 {
        at(&mut app, Intent::Backspace, NOW);
    }
    at(&mut app, Intent::NextPane, NOW);
    typed(&mut app, "not a domain", NOW);
    at(&mut app, Intent::NextPane, NOW);
    at(&mut app, Intent::NextPane, NOW);
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(error(&app).0, 1, "{:?}", error(&app).1);
    at(&mut app, Intent::ClearField, NOW);
    for _ in 0.."not a domain".len() {
        at(&mut app, Intent::Backspace, NOW);
    }
    typed(&mut app, "acme.test", NOW);
    at(&mut app, Intent::NextPane, NOW);
    typed(&mut app, "short", NOW);
    at(&mut app, Intent::NextPane, NOW);
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(error(&app), (2, Some(strings::PASSPHRASE_SHORT.into())));
    typed(&mut app, " but longer now", NOW);
    at(&mut app, Intent::NextPane, NOW);
    typed(&mut app, "short but longer nov", NOW);
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(error(&app), (3, Some(strings::PASSPHRASES_DIFFER.into())));
    typed(&mut app, "short but longer now", NOW);
    assert_eq!(at(&mut app, Intent::Open, NOW), ["Create(ana)"]);
    let Screen::Onboard(o) = &app.screen else {
        panic!("still onboarding while the vault is created");
    };
    assert!(o.busy_since.is_some());
    assert!(
        o.passphrase.is_empty() && o.repeat.is_empty(),
        "handed over"
    );
}

#[test]
fn the_recovery_code_stays_until_the_owner_confirms() {
    let mut app = onboard_app();
    typed(&mut app, "ana", NOW);
    let code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789";
    at(
        &mut app,
        Msg::Outcome(Outcome::Created(Ok(zeroize::Zeroizing::new(
            code.to_owned(),
        )))),
        NOW,
    );
    assert!(matches!(app.screen, Screen::Recovery(_)));
    for a in [
        Intent::Open.into(),
        Intent::Back.into(),
        Intent::Char('q').into(),
        Msg::Tick,
    ] {
        at(&mut app, a, NOW);
        assert!(matches!(app.screen, Screen::Recovery(_)), "left too early");
    }
    at(&mut app, Intent::Confirm(true), NOW);
    let u = unlock_of(&app);
    assert_eq!(u.members, ["ana"], "the new owner is offered");
    assert!(draw(&app, 80, 24).contains(strings::UNLOCK_TITLE));
    assert!(!draw(&app, 80, 24).contains(code), "the code is shown once");
}

#[test]
fn snapshot_onboarding_and_recovery() {
    for size in SIZES {
        let mut app = onboard_app();
        typed(&mut app, "ana", NOW);
        at(&mut app, Intent::NextPane, NOW);
        typed(&mut app, "acme.test", NOW);
        at(&mut app, Intent::NextPane, NOW);
        typed(&mut app, "Xq7-payroll-SECRET-91", NOW);
        let text = snapshot("onboarding", &app, size);
        assert!(text.contains("strong"), "the strength hint:\n{text}");
        let mut app = onboard_app();
        at(
            &mut app,
            Msg::Outcome(Outcome::Created(Ok(zeroize::Zeroizing::new(
                "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789".to_owned(),
            )))),
            NOW,
        );
        let text = draw(&app, size.0, size.1);
        insta::assert_snapshot!(format!("recovery_{}x{}", size.0, size.1), text);
        assert!(text.contains("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789"));
    }
}

#[test]
fn reveal_of_an_entry_with_nothing_concealed_asks_for_no_record() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("an entry");
    {
        let e = main_mut(&mut app)
            .session
            .vault
            .edit(r, NOW.unix)
            .expect("editable");
        e.password = Concealed::of("");
        e.notes = Concealed::of("");
        e.totp = None;
        e.fields.retain(|f| !f.concealed);
    }
    assert_eq!(at(&mut app, Intent::Reveal, NOW), Vec::<String>::new());
    let status = app.status.as_ref().expect("a status");
    assert_eq!(status.text, strings::NOTHING_CONCEALED);
    assert!(main_of(&app).revealed.is_none() && main_of(&app).pending.is_none());
    at(&mut app, Intent::Lock, NOW);
    assert!(
        summary_of(&app).items.is_empty(),
        "nothing to list as revealed"
    );
}

// ---------------------------------------------------------------------------
// Members and handover (`M`).

use super::action::{MemberCmd, MemberOp, MemberReport};
use super::app::{MembersMode, MembersView, member_rows};

/// A contractor with IT/Network and Finance, no expiry.
const BOB: &str = "bob";
const BOB_PASSPHRASE: &str = "bob keeps the router running";
/// A contractor with Finance whose membership expired at 01:00 on the
/// fixture's day (before [`NOW`] and before the wall clock).
const CAROL: &str = "carol";
const CAROL_PASSPHRASE: &str = "carol audited the books once";
const CAROL_EXPIRES: i64 = T0 + 3600;
const DANA: &str = "dana";
const DANA_PASSPHRASE: &str = "dana reads the access log";
/// A new member's passphrase typed into the add form.
const ERIN_PASSPHRASE: &str = "erin's brand new passphrase";

/// name, role, groups, expiry, passphrase.
type NewMember<'a> = (&'a str, Role, &'a [&'a str], Option<i64>, &'a str);

impl Fixture {
    /// The fixture with bob, carol (expired) and dana (auditor), added
    /// by the owner with [`vault::Vault::add_member`] and recorded as
    /// `baton member add` records them.
    fn with_members() -> Self {
        let fx = Fixture::new();
        let mut v = fx.disk_vault();
        let mut rng = StdRng::seed_from_u64(13);
        let members: [NewMember; 3] = [
            (
                BOB,
                Role::Contractor,
                &["IT/Network", "Finance"],
                None,
                BOB_PASSPHRASE,
            ),
            (
                CAROL,
                Role::Contractor,
                &["Finance"],
                Some(CAROL_EXPIRES),
                CAROL_PASSPHRASE,
            ),
            (DANA, Role::Auditor, &[], None, DANA_PASSPHRASE),
        ];
        for (name, role, groups, expires, passphrase) in members {
            let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
            let id = v
                .add_member(
                    name,
                    role,
                    &groups,
                    expires,
                    &Passphrase::from_slice(passphrase.as_bytes()),
                    T0,
                    &mut rng,
                )
                .unwrap_or_else(|e| panic!("add {name}: {e}"));
            v.note(crate::audit::Draft {
                target: Some(id),
                ..crate::audit::Draft::new(T0, LogAction::MemberAdd)
            });
        }
        let bytes = v.seal(T0, &mut rng).expect("seal");
        drop(v);
        std::fs::write(&fx.ctx.vault, bytes).expect("write the vault");
        fx
    }

    /// Unlocks as `member`, or says why not.
    fn try_open_as(&self, member: &str, passphrase: &str) -> Result<Opened, SessionError> {
        runtime::open(
            &self.ctx,
            Some(member),
            &Passphrase::from_slice(passphrase.as_bytes()),
        )
    }
}

fn members_of(app: &App) -> &MembersView {
    match &main_of(app).overlay {
        Some(Overlay::Members(mv)) => mv,
        _ => panic!("the members view is not open"),
    }
}

/// The members view's mode, in a word (and its subject).
fn members_mode(app: &App) -> String {
    match &members_of(app).mode {
        MembersMode::List => "list".into(),
        MembersMode::Add(_) => "add".into(),
        MembersMode::Grant(g) => format!("grant {}", g.member),
        MembersMode::Confirm(c) => format!("confirm {c:?}"),
        MembersMode::Checklist { member, cursor } => format!("checklist {member} {cursor}"),
    }
}

fn member_form_of(app: &App) -> &super::app::MemberForm {
    match &members_of(app).mode {
        MembersMode::Add(f) => f,
        _ => panic!("the add-member form is not open"),
    }
}

/// The name of the member the list's cursor is on.
fn selected_member(app: &App) -> String {
    let rows = member_rows(&main_of(app).session.vault);
    rows[members_of(app).cursor].name.clone()
}

/// Moves the member list's cursor to `name` with ↓ (from the top).
fn select_member(app: &mut App, name: &str, mut act: impl FnMut(&mut App, Intent)) {
    act(app, Intent::Home);
    for _ in 0..10 {
        if selected_member(app) == name {
            return;
        }
        act(app, Intent::Down);
    }
    panic!("{name} is not listed");
}

fn pure(app: &mut App, a: Intent) {
    update(app, a, NOW);
}

fn member_records(v: &vault::Vault, action: LogAction) -> Vec<crate::audit::Record> {
    v.log()
        .iter()
        .map(|x| x.record.clone())
        .filter(|r| r.action == action)
        .collect()
}

fn member_id(v: &vault::Vault, name: &str) -> format::MemberId {
    v.manifest()
        .members
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no member {name}"))
        .id
}

/// Types into the add form's fields, Tab by Tab from the name.
fn fill_member_form(app: &mut App, fields: [&str; 6], mut act: impl FnMut(&mut App, Intent)) {
    assert_eq!(member_form_of(app).cursor, 0);
    for (i, text) in fields.iter().enumerate() {
        if i == super::app::MEMBER_FORM_ROLE {
            // The role is chosen by its initial.
            if let Some(c) = text.chars().next() {
                act(app, Intent::Char(c));
            }
        } else {
            act(app, Intent::ClearField);
            for c in text.chars() {
                act(app, Intent::Char(c));
            }
        }
        act(app, Intent::NextPane);
    }
}

#[test]
fn keymap_members_view_by_mode() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    assert_eq!(mapped(&app, key('M')), "Members");
    at(&mut app, Intent::Members, NOW);
    for (k, want) in [
        (key('a'), "Member(Add)"),
        (key('g'), "Member(Grant)"),
        (key('x'), "Member(Revoke)"),
        (key('s'), "Member(Sweep)"),
        (key('h'), "Member(Handover)"),
        (key('j'), "Down"),
        (press(KeyCode::Up), "Up"),
        (press(KeyCode::Esc), "Back"),
        (key('M'), "Back"),
        (key('q'), "Quit"),
        // Entry commands mean nothing here.
        (key('r'), "none"),
        (key('c'), "none"),
        (ctrl('l'), "Lock"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the member list");
    }
    // The add form types letters that are commands in the list.
    at(&mut app, Intent::Member(MemberCmd::Add), NOW);
    for (k, want) in [
        (key('a'), "Char(a)"),
        (key('x'), "Char(x)"),
        (key('q'), "Char(q)"),
        (press(KeyCode::Enter), "Submit"),
        (press(KeyCode::Tab), "NextPane"),
        (press(KeyCode::BackTab), "PrevField"),
        (press(KeyCode::Esc), "Back"),
        (ctrl('u'), "ClearField"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the add form");
    }
    at(&mut app, Intent::Back, NOW);
    select_member(&mut app, BOB, pure);
    at(&mut app, Intent::Member(MemberCmd::Revoke), NOW);
    for (k, want) in [
        (key('y'), "Confirm(true)"),
        (key('n'), "Confirm(false)"),
        (press(KeyCode::Esc), "Confirm(false)"),
        (key('x'), "none"),
        (press(KeyCode::Enter), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in a confirmation");
    }
    main_mut(&mut app)
        .overlay
        .replace(Overlay::Members(Box::new(MembersView {
            cursor: 1,
            mode: MembersMode::Checklist {
                member: BOB.into(),
                cursor: 0,
            },
        })));
    for (k, want) in [
        (key('v'), "VerifyItem"),
        (press(KeyCode::Enter), "Edit"),
        (key('e'), "Edit"),
        (key('k'), "Up"),
        (press(KeyCode::Esc), "Back"),
        (key('x'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in a checklist");
    }
}

#[test]
fn members_open_for_owners_read_only_for_auditors_and_not_for_contractors() {
    let fx = Fixture::with_members();
    {
        let mut app = fx.app_as(BOB, BOB_PASSPHRASE, (80, 24));
        assert_eq!(at(&mut app, Intent::Members, NOW), no_effects());
        assert!(main_of(&app).overlay.is_none());
        assert_eq!(status_of(&app), (strings::MEMBERS_OWNERS_ONLY, false));
        let text = draw(&app, 80, 24);
        assert!(!text.contains(CAROL) && !text.contains(DANA), "{text}");
    }
    {
        let mut app = fx.app_as(DANA, DANA_PASSPHRASE, (80, 24));
        at(&mut app, Intent::Members, NOW);
        assert_eq!(members_mode(&app), "list");
        let text = draw(&app, 80, 24);
        assert!(text.contains(strings::MEMBERS_KEYS_READ_ONLY), "{text}");
        select_member(&mut app, BOB, pure);
        for cmd in [
            MemberCmd::Add,
            MemberCmd::Grant,
            MemberCmd::Revoke,
            MemberCmd::Sweep,
            MemberCmd::Handover,
        ] {
            app.status = None;
            assert_eq!(at(&mut app, Intent::Member(cmd), NOW), no_effects());
            assert_eq!(members_mode(&app), "list", "{cmd:?}");
            assert_eq!(status_of(&app), (strings::MEMBERS_READ_ONLY, true));
        }
    }
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(selected_member(&app), OWNER);
    // Ctrl-S writes what a failed save left; the view stays open.
    assert_eq!(at(&mut app, Intent::Submit, NOW), ["Change(Retry)"]);
    let saved = Msg::Outcome(Outcome::Saved {
        entry: None,
        message: "Saved.".into(),
        error: false,
    });
    at(&mut app, saved, NOW);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(at(&mut app, Intent::Back, NOW), no_effects());
    assert!(main_of(&app).overlay.is_none(), "Esc closes it");
}

#[test]
fn member_rows_hold_roles_groups_expiry_and_activity() {
    let fx = Fixture::with_members();
    let app = fx.main_app((80, 24));
    let rows = member_rows(&main_of(&app).session.vault);
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [OWNER, BOB, CAROL, DANA]);
    assert_eq!(rows[1].groups, ["Finance", "IT/Network"]);
    assert_eq!(rows[2].groups, ["Finance"]);
    assert!(rows[3].groups.is_empty(), "an auditor holds no group");
    assert!(rows[2].expired(NOW.unix));
    assert!(!rows[2].expired(T0), "not yet at midnight");
    assert!(!rows[1].expired(NOW.unix));
    // The owner's unlock is recorded; nobody has revealed anything.
    assert!(rows[0].last_unlock.is_some());
    assert_eq!(rows[1].last_unlock, None);
    assert!(rows.iter().all(|r| r.reveals == 0));
}

#[test]
fn unlocking_owner_is_told_how_many_memberships_expired() {
    let fx = Fixture::with_members();
    let mut app = fx.unlock_app_for(OWNER);
    typed(&mut app, PASSPHRASE, NOW);
    at(&mut app, Intent::Open, NOW);
    at(
        &mut app,
        Msg::Outcome(Outcome::Unlocked(Box::new(fx.open()))),
        NOW,
    );
    // The payroll entry's backup codes, and carol's expired membership.
    assert_eq!(
        status_of(&app),
        ("1 finding (H) · 1 membership expired (M, then s)", true)
    );
    drop(app);
    // Before carol's expiry, it is an expiring membership.
    let mut app = fx.unlock_app_for(OWNER);
    typed(&mut app, PASSPHRASE, NOW);
    at(&mut app, Intent::Open, NOW);
    let before = Now {
        ms: NOW.ms,
        unix: T0,
    };
    at(
        &mut app,
        Msg::Outcome(Outcome::Unlocked(Box::new(fx.open()))),
        before,
    );
    assert_eq!(
        status_of(&app),
        (
            "1 finding (H) · 1 membership expires within 14 days (M)",
            true
        )
    );
    drop(app);
    // A contractor is not told about other members.
    let mut app = fx.unlock_app_for(BOB);
    let opened = fx
        .try_open_as(BOB, BOB_PASSPHRASE)
        .unwrap_or_else(|e| panic!("{e}"));
    at(
        &mut app,
        Msg::Outcome(Outcome::Unlocked(Box::new(opened))),
        NOW,
    );
    assert_eq!(status_of(&app), (strings::WEAK_KDF, true));
}

impl Fixture {
    fn unlock_app_for(&self, member: &str) -> App {
        let members = runtime::members(&self.ctx);
        let mut app = App::new(
            LABEL.into(),
            Screen::Unlock(UnlockScreen::new(members, Some(member))),
            Settings::default(),
        );
        app.clock = NOW;
        app
    }
}

#[test]
fn add_member_form_checks_every_field_before_asking_the_runtime() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    at(&mut app, Intent::Member(MemberCmd::Add), NOW);
    assert_eq!(members_mode(&app), "add");
    assert_eq!(member_form_of(&app).role, Role::Contractor, "the default");
    let submit = |app: &mut App| at(app, Intent::Submit, NOW);
    // (fields typed, the field at fault, what the error says)
    let p = ERIN_PASSPHRASE;
    let cases: [([&str; 6], usize, &str); 8] = [
        (
            ["", "c", "Finance", "", p, p],
            0,
            strings::MEMBER_NAME_REQUIRED,
        ),
        (
            [BOB, "c", "Finance", "", p, p],
            0,
            "already a member named bob",
        ),
        (
            ["erin", "c", "", "", p, p],
            2,
            strings::CONTRACTOR_NEEDS_GROUPS,
        ),
        (
            ["erin", "o", "Finance", "", p, p],
            2,
            strings::GROUPS_FOR_CONTRACTORS,
        ),
        (
            ["erin", "c", "Finance", "2026-13-01", p, p],
            3,
            "YYYY-MM-DD",
        ),
        // Before NOW (2026-01-01 09:30).
        (
            ["erin", "c", "Finance", "2025-12-31", p, p],
            3,
            strings::EXPIRY_PASSED,
        ),
        (
            ["erin", "c", "Finance", "", "too short", "too short"],
            4,
            strings::PASSPHRASE_SHORT,
        ),
        (
            ["erin", "a", "", "", p, "something else entirely"],
            5,
            strings::PASSPHRASES_DIFFER,
        ),
    ];
    for (fields, field, says) in cases {
        pure(&mut app, Intent::Back);
        pure(&mut app, Intent::Member(MemberCmd::Add));
        fill_member_form(&mut app, fields, pure);
        assert_eq!(submit(&mut app), no_effects(), "{fields:?}");
        let f = member_form_of(&app);
        assert_eq!(f.cursor, field, "{fields:?}");
        let error = f.error.clone().unwrap_or_default();
        assert!(error.contains(says), "{fields:?}: {error:?}");
        // The form keeps what was typed (the repeat is typed again).
        assert_eq!(f.name, fields[0]);
        assert_eq!(f.groups, fields[2]);
        assert_eq!(f.passphrase.peek(), fields[4]);
        if field == super::app::MEMBER_FORM_REPEAT {
            assert!(f.repeat.is_empty());
        }
    }
    pure(&mut app, Intent::Back);
    pure(&mut app, Intent::Member(MemberCmd::Add));
    fill_member_form(
        &mut app,
        ["erin", "c", "Finance, IT/Network", "2099-12-31", p, p],
        pure,
    );
    assert_eq!(submit(&mut app), ["Member(Add)"]);
    // Refused by the runtime: the form stays, filled in, with the reason.
    let refused = Msg::Outcome(Outcome::MemberDone(Err("no group named \"Nope\"".into())));
    assert_eq!(at(&mut app, refused, NOW), no_effects());
    let f = member_form_of(&app);
    assert_eq!(f.error.as_deref(), Some("no group named \"Nope\""));
    assert_eq!((f.name.as_str(), f.passphrase.peek()), ("erin", p));
    // Esc goes back to the list; Esc again closes the view.
    pure(&mut app, Intent::Back);
    assert_eq!(members_mode(&app), "list");
}

#[test]
fn add_member_role_is_chosen_by_initial_or_space() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    at(&mut app, Intent::Member(MemberCmd::Add), NOW);
    pure(&mut app, Intent::NextPane);
    let role = |app: &App| member_form_of(app).role;
    for (c, want) in [
        ('o', Role::Owner),
        ('a', Role::Auditor),
        ('c', Role::Contractor),
        (' ', Role::Owner),
        (' ', Role::Auditor),
        (' ', Role::Contractor),
        ('z', Role::Contractor),
    ] {
        pure(&mut app, Intent::Char(c));
        assert_eq!(role(&app), want, "{c:?}");
    }
}

#[test]
fn revoke_sweep_and_handover_ask_first() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    // Not yourself.
    assert_eq!(selected_member(&app), OWNER);
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Revoke), NOW),
        no_effects()
    );
    assert_eq!(status_of(&app), (strings::NOT_YOURSELF, true));
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Handover), NOW),
        no_effects()
    );
    assert_eq!(members_mode(&app), "list");

    select_member(&mut app, BOB, pure);
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Revoke), NOW),
        no_effects()
    );
    assert_eq!(members_mode(&app), "confirm Revoke(\"bob\")");
    let text = draw(&app, 80, 24);
    assert!(text.contains("Revoke bob?"), "{text}");
    assert_eq!(at(&mut app, Intent::Confirm(false), NOW), no_effects());
    assert_eq!(members_mode(&app), "list");
    at(&mut app, Intent::Member(MemberCmd::Revoke), NOW);
    assert_eq!(
        at(&mut app, Intent::Confirm(true), NOW),
        [format!("Member({:?})", MemberOp::Revoke(vec![BOB.into()]))]
    );

    pure(&mut app, Intent::Back);
    // The sweep names the expired memberships as of the instant given.
    app.status = None;
    let before = Now {
        ms: NOW.ms,
        unix: T0,
    };
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Sweep), before),
        no_effects()
    );
    assert_eq!(status_of(&app), (strings::NONE_EXPIRED, false));
    assert_eq!(members_mode(&app), "list");
    at(&mut app, Intent::Member(MemberCmd::Sweep), NOW);
    assert_eq!(members_mode(&app), "confirm Sweep([\"carol\"])");
    assert_eq!(
        at(&mut app, Intent::Confirm(true), NOW),
        [format!(
            "Member({:?})",
            MemberOp::Revoke(vec![CAROL.into()])
        )]
    );

    pure(&mut app, Intent::Back);
    select_member(&mut app, BOB, pure);
    at(&mut app, Intent::Member(MemberCmd::Handover), NOW);
    assert_eq!(
        members_mode(&app),
        "confirm Handover { name: \"bob\", revoked: false }"
    );
    let text = draw(&app, 120, 40);
    assert!(text.contains("Hand over bob's access?"), "{text}");
    assert!(text.contains("1. Revoke bob"), "{text}");
    assert_eq!(
        at(&mut app, Intent::Confirm(true), NOW),
        [format!("Member({:?})", MemberOp::Handover(BOB.into()))]
    );
}

#[test]
fn grant_is_for_contractors_and_needs_a_group() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    select_member(&mut app, DANA, pure);
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Grant), NOW),
        no_effects()
    );
    assert_eq!(status_of(&app), (strings::GROUPS_FOR_CONTRACTORS, true));
    assert_eq!(members_mode(&app), "list");
    select_member(&mut app, CAROL, pure);
    at(&mut app, Intent::Member(MemberCmd::Grant), NOW);
    assert_eq!(members_mode(&app), "grant carol");
    assert_eq!(at(&mut app, Intent::Submit, NOW), no_effects());
    match &members_of(&app).mode {
        MembersMode::Grant(g) => assert_eq!(g.error.as_deref(), Some(strings::GROUPS_REQUIRED)),
        _ => panic!("the grant closed"),
    }
    typed(&mut app, " IT/Network , ", NOW);
    assert_eq!(
        at(&mut app, Intent::Open, NOW),
        [format!(
            "Member({:?})",
            MemberOp::Grant {
                name: CAROL.into(),
                groups: vec!["IT/Network".into()]
            }
        )]
    );
    // Refused by the runtime: what was typed stays, with the reason.
    at(
        &mut app,
        Msg::Outcome(Outcome::MemberDone(Err("nope".into()))),
        NOW,
    );
    match &members_of(&app).mode {
        MembersMode::Grant(g) => {
            assert_eq!(g.error.as_deref(), Some("nope"));
            assert_eq!(g.groups, " IT/Network , ");
        }
        _ => panic!("the grant closed"),
    }
    // Done: back to the list, with the runtime's message.
    let done = MemberReport {
        message: "Granted.".into(),
        error: false,
        checklist: None,
    };
    at(&mut app, Msg::Outcome(Outcome::MemberDone(Ok(done))), NOW);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(selected_member(&app), CAROL);
    assert_eq!(status_of(&app), ("Granted.", false));
}

// The runtime: membership changes on a real vault file, re-opened from
// disk.

#[test]
fn dispatched_add_member_can_unlock_with_the_new_passphrase_and_reads_only_the_granted_group() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let mut act = |app: &mut App, a: Intent| runtime::dispatch(app, &mut env, a);
    act(&mut app, Intent::Members);
    act(&mut app, Intent::Member(MemberCmd::Add));
    let p = ERIN_PASSPHRASE;
    // A group that does not exist: refused by the vault, the form stays.
    let before = fx.bytes();
    fill_member_form(&mut app, ["erin", "c", "Nope", "", p, p], &mut act);
    act(&mut app, Intent::Submit);
    let f = member_form_of(&app);
    assert!(
        f.error
            .as_deref()
            .unwrap_or_default()
            .contains("no group named"),
        "{:?}",
        f.error
    );
    assert_eq!((f.name.as_str(), f.passphrase.peek()), ("erin", p));
    assert_eq!(fx.bytes(), before, "a refused form changes nothing on disk");

    act(&mut app, Intent::PrevField);
    act(&mut app, Intent::PrevField);
    act(&mut app, Intent::PrevField);
    act(&mut app, Intent::PrevField);
    assert_eq!(member_form_of(&app).cursor, super::app::MEMBER_FORM_GROUPS);
    act(&mut app, Intent::ClearField);
    typed_dispatched(&mut app, &mut env, "IT/Network");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(
        status_of(&app),
        ("Added erin as a contractor with IT/Network.", false)
    );
    assert_eq!(main_of(&app).hits.len(), 3, "the owner's list is intact");

    let v = fx.disk_vault();
    let erin = member_id(&v, "erin");
    let m = v
        .manifest()
        .members
        .iter()
        .find(|m| m.id == erin)
        .expect("erin");
    assert_eq!(m.role, Role::Contractor);
    assert_eq!(m.expires_at, None);
    let adds = member_records(&v, LogAction::MemberAdd);
    assert_eq!(adds.len(), 1);
    assert_eq!(adds[0].target, Some(erin));
    assert_eq!(adds[0].member, v.me().id);
    drop(v);
    drop(app);

    assert!(
        fx.try_open_as("erin", "not erin's passphrase").is_err(),
        "a wrong passphrase opened erin's slot"
    );
    let erin = fx.app_as("erin", ERIN_PASSPHRASE, (80, 24));
    assert_eq!(hit_titles(&erin), [ROUTER], "erin reads IT/Network only");
    let rows = member_rows(&main_of(&erin).session.vault);
    let row = rows.iter().find(|r| r.name == "erin").expect("erin's row");
    assert_eq!(row.groups, ["IT/Network"]);
}

#[test]
fn dispatched_grant_seals_the_group_to_the_contractor_with_a_record() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, CAROL, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Grant));
    typed_dispatched(&mut app, &mut env, "IT/Network, Finance");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(
        status_of(&app),
        (strings::granted(1, CAROL).as_str(), false),
        "Finance was held already"
    );
    let v = fx.disk_vault();
    let carol = member_id(&v, CAROL);
    let network = v
        .groups()
        .iter()
        .find(|g| g.name == "IT/Network")
        .expect("IT/Network")
        .id;
    let grants = member_records(&v, LogAction::MemberGrant);
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].target, grants[0].group),
        (Some(carol), Some(network))
    );
    let row = member_rows(&v)
        .into_iter()
        .find(|r| r.name == CAROL)
        .expect("carol");
    assert_eq!(row.groups, ["Finance", "IT/Network"]);
}

#[test]
fn dispatched_revoke_refuses_the_passphrase_and_records_it() {
    let fx = Fixture::with_members();
    // Bob can unlock before.
    drop(
        fx.try_open_as(BOB, BOB_PASSPHRASE)
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Revoke));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert_eq!(members_mode(&app), "list");
    let (text, error) = status_of(&app);
    assert!(
        !error && text.starts_with("Revoked bob: 2 groups re-keyed"),
        "{text}"
    );
    assert_eq!(
        main_of(&app).hits.len(),
        3,
        "the owner still reads every entry"
    );
    assert_eq!(selected_member(&app), BOB, "the cursor stays on bob");
    let screen = draw(&app, 120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("bob ") && l.contains("contractor"))
        .unwrap_or_else(|| panic!("no row for bob:\n{screen}"));
    assert!(row.contains(strings::REVOKED), "{row}");

    let v = fx.disk_vault();
    let bob = member_id(&v, BOB);
    let revokes = member_records(&v, LogAction::MemberRevoke);
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].target, Some(bob));
    assert!(
        v.manifest()
            .members
            .iter()
            .any(|m| m.id == bob && m.revoked_at.is_some())
    );
    assert_eq!(
        v.entries().count(),
        3,
        "the re-keyed groups open for the owner"
    );
    drop(v);
    drop(app);
    match fx.try_open_as(BOB, BOB_PASSPHRASE) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Denied, "{e}"),
        Ok(_) => panic!("a revoked member's passphrase still opens the vault"),
    }
    // Carol was not touched.
    drop(
        fx.try_open_as(DANA, DANA_PASSPHRASE)
            .unwrap_or_else(|e| panic!("{e}")),
    );
}

#[test]
fn dispatched_sweep_revokes_only_the_expired_membership() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Sweep));
    assert_eq!(members_mode(&app), "confirm Sweep([\"carol\"])");
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert!(
        status_of(&app).0.starts_with("Revoked carol:"),
        "{:?}",
        status_of(&app)
    );
    let v = fx.disk_vault();
    let revoked: Vec<&str> = v
        .manifest()
        .members
        .iter()
        .filter(|m| m.revoked_at.is_some())
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(revoked, [CAROL]);
    assert!(v.expired_members(crate::os::now()).is_empty());
    // Nothing left to sweep.
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Sweep));
    assert_eq!(status_of(&app), (strings::NONE_EXPIRED, false));
}

/// Bob reveals the router's and the bank's passwords in his own session.
fn bob_reveals_router_and_bank(fx: &Fixture) {
    let mut bob = fx.app_as(BOB, BOB_PASSPHRASE, (80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    assert_eq!(hit_titles(&bob).len(), 2, "{:?}", hit_titles(&bob));
    for _ in 0..2 {
        runtime::dispatch(&mut bob, &mut env, Intent::Reveal);
        assert!(
            main_of(&bob).revealed.is_some(),
            "{:?}",
            bob.status.as_ref().map(|s| &s.text)
        );
        runtime::dispatch(&mut bob, &mut env, Intent::Down);
    }
    runtime::dispatch(&mut bob, &mut env, Intent::Quit);
}

/// The checklist of `member` as the vault now computes it: (title, state).
fn checklist_states(app: &App, member: &str) -> Vec<(String, &'static str)> {
    super::app::handover_of(&main_of(app).session.vault, member)
        .expect("a recorded handover")
        .items
        .iter()
        .map(|i| (i.title.clone(), i.state.as_str()))
        .collect()
}

#[test]
fn dispatched_handover_lists_what_bob_revealed_and_follows_rotation_to_verified() {
    let fx = Fixture::with_members();
    bob_reveals_router_and_bank(&fx);
    let mut app = fx.main_app((120, 40));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert_eq!(members_mode(&app), "checklist bob 0");
    let (text, error) = status_of(&app);
    assert!(!error && text.contains("2 item(s) to rotate"), "{text}");
    assert_eq!(
        checklist_states(&app, BOB),
        [(BANK.to_owned(), "pending"), (ROUTER.to_owned(), "pending")],
        "exactly what bob revealed; not the payroll entry he could not read"
    );
    // Verify refuses an item whose password has not changed.
    runtime::dispatch(&mut app, &mut env, Intent::Down);
    assert_eq!(members_mode(&app), "checklist bob 1");
    let tail = fx.tail_records();
    runtime::dispatch(&mut app, &mut env, Intent::VerifyItem);
    assert!(
        status_of(&app)
            .0
            .contains("has not changed since bob saw it")
    );
    assert_eq!(fx.tail_records(), tail, "nothing recorded");

    // Enter: the router's edit form over the main view; a new password.
    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    assert_eq!(selected_title(&app), ROUTER);
    assert!(form_of(&app).back_to.is_some());
    goto_dispatched(&mut app, &mut env, "Password");
    runtime::dispatch(&mut app, &mut env, Intent::GenerateInto);
    let new_password = field_text(form_of(&app), "Password");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    // Back on the checklist, recomputed: the router is rotated.
    assert_eq!(members_mode(&app), "checklist bob 1");
    assert_eq!(
        checklist_states(&app, BOB),
        [(BANK.to_owned(), "pending"), (ROUTER.to_owned(), "rotated")]
    );
    let screen = draw(&app, 120, 40);
    assert!(!screen.contains(&new_password), "{screen}");
    assert!(screen.contains("Handover of bob · 2 of 2 left"), "{screen}");
    runtime::dispatch(&mut app, &mut env, Intent::VerifyItem);
    assert_eq!(
        status_of(&app),
        (strings::item_verified(ROUTER, BOB, 1).as_str(), false)
    );
    assert_eq!(members_mode(&app), "checklist bob 1");

    // On disk, re-opened.
    let v = fx.disk_vault();
    assert_eq!(live_entry(&v, ROUTER).password.expose(), new_password);
    let h = super::app::handover_of(&v, BOB).expect("the handover");
    let states: Vec<(&str, &str)> = h
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.state.as_str()))
        .collect();
    assert_eq!(states, [(BANK, "pending"), (ROUTER, "verified")]);
    assert_eq!(h.left, 1);
    assert_eq!(member_records(&v, LogAction::HandoverVerify).len(), 1);
    assert_eq!(member_records(&v, LogAction::MemberRevoke).len(), 1);
    drop(v);

    // Esc, then h on the revoked bob: the same checklist, nothing new.
    runtime::dispatch(&mut app, &mut env, Intent::Back);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(selected_member(&app), BOB);
    let len = fx.file_len();
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    assert_eq!(members_mode(&app), "checklist bob 0");
    assert_eq!(fx.file_len(), len);
    drop(app);
    match fx.try_open_as(BOB, BOB_PASSPHRASE) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Denied, "{e}"),
        Ok(_) => panic!("bob still opens the vault after his handover"),
    }
}

#[test]
fn esc_from_an_edit_opened_by_the_checklist_goes_back_to_it() {
    let fx = Fixture::with_members();
    bob_reveals_router_and_bank(&fx);
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    assert_eq!(selected_title(&app), BANK);
    runtime::dispatch(&mut app, &mut env, Intent::Back);
    assert_eq!(members_mode(&app), "checklist bob 0");
    assert_eq!(checklist_states(&app, BOB)[0], (BANK.to_owned(), "pending"));
}

// Snapshots of the members view and the checklist.

/// `text` with the wall-clock times of the session's records (and
/// revocations) shown as [`NOW`]'s, as minutes and as dates.
fn fixed_times(app: &App, text: &str) -> String {
    let v = &main_of(app).session.vault;
    let mut times: Vec<i64> = v.log().iter().map(|x| x.record.time).collect();
    times.extend(v.manifest().members.iter().filter_map(|m| m.revoked_at));
    let mut out = text.to_owned();
    for &t in &times {
        if t != T0 {
            out = out.replace(&log_time(t), &log_time(NOW.unix));
        }
    }
    for &t in &times {
        if t != T0 {
            out = out.replace(
                &crate::dates::format_date(t),
                &crate::dates::format_date(NOW.unix),
            );
        }
    }
    out
}

/// Secrets of the members fixture: the fixture's and every passphrase.
fn assert_no_member_secret(name: &str, text: &str) {
    assert_no_secret(name, text, NOW.unix);
    for p in [
        PASSPHRASE,
        BOB_PASSPHRASE,
        CAROL_PASSPHRASE,
        DANA_PASSPHRASE,
        ERIN_PASSPHRASE,
    ] {
        assert!(!text.contains(p), "{name}: a passphrase is drawn:\n{text}");
    }
}

#[test]
fn snapshot_members() {
    let fx = Fixture::with_members();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Members, NOW);
        select_member(&mut app, CAROL, pure);
        let text = draw(&app, size.0, size.1);
        assert_no_member_secret("members", &text);
        let text = fixed_times(&app, &text);
        for name in [OWNER, BOB, CAROL, DANA] {
            assert!(text.contains(name), "{name}:\n{text}");
        }
        let carol = text
            .lines()
            .find(|l| l.contains("carol ") && l.contains("contractor"))
            .unwrap_or_else(|| panic!("no row for carol:\n{text}"));
        assert!(carol.contains(strings::EXPIRED), "{carol}");
        assert!(carol.contains("2026-01-01"), "{carol}");
        assert_eq!(text.matches(strings::EXPIRED).count(), 1, "{text}");
        assert!(text.contains(strings::MEMBERS_KEYS), "{text}");
        snapshot_text("members", size, &text);
    }
}

#[test]
fn snapshot_member_form() {
    let fx = Fixture::with_members();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Members, NOW);
        at(&mut app, Intent::Member(MemberCmd::Add), NOW);
        fill_member_form(
            &mut app,
            [
                "erin",
                "c",
                "IT/Network",
                "2026-06-30",
                ERIN_PASSPHRASE,
                ERIN_PASSPHRASE,
            ],
            pure,
        );
        at(&mut app, Intent::NextPane, NOW);
        let text = draw(&app, size.0, size.1);
        assert_no_member_secret("member form", &text);
        let dots = "•".repeat(ERIN_PASSPHRASE.chars().count());
        assert_eq!(text.matches(&dots).count(), 2, "{text}");
        assert!(text.contains(strings::ADD_MEMBER_TITLE), "{text}");
        snapshot_text("member_form", size, &fixed_times(&app, &text));
    }
}

#[test]
fn snapshot_handover_checklist() {
    for size in SIZES {
        let fx = Fixture::with_members();
        bob_reveals_router_and_bank(&fx);
        let mut app = fx.main_app(size);
        let mut env = runtime::Env::new(fx.ctx.clone());
        runtime::dispatch(&mut app, &mut env, Intent::Members);
        select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
        runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
        let confirm = draw(&app, size.0, size.1);
        assert_no_member_secret("handover confirmation", &confirm);
        snapshot_text("handover_confirm", size, &fixed_times(&app, &confirm));
        runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
        // The router rotated in place, the bank still pending.
        runtime::dispatch(&mut app, &mut env, Intent::Down);
        runtime::dispatch(&mut app, &mut env, Intent::Edit);
        goto_dispatched(&mut app, &mut env, "Password");
        typed_dispatched(&mut app, &mut env, TYPED_PASSWORD);
        runtime::dispatch(&mut app, &mut env, Intent::Submit);
        app.clock = NOW;
        let text = draw(&app, size.0, size.1);
        assert_no_member_secret("checklist", &text);
        assert!(text.contains("Saved Office router."), "{text}");
        assert!(!text.contains(TYPED_PASSWORD), "{text}");
        assert!(
            text.contains("rotated") && text.contains("pending"),
            "{text}"
        );
        assert!(text.contains("revealed the password"), "{text}");
        assert!(
            !text.contains(PAYROLL),
            "bob never read the payroll entry:\n{text}"
        );
        snapshot_text("handover_checklist", size, &fixed_times(&app, &text));
    }
}

// ---------------------------------------------------------------------------
// Health (`H`) and the owner's line at unlock.

use super::app::{BackTo, HealthRow, HealthView};
use crate::health::Kind;

const FIRM: &str = "acme.test";
const WIKI: &str = "Team wiki";
/// zxcvbn scores it 0.
const WIKI_PASSWORD: &str = "password1";
const SUPPORT: &str = "Support mailbox";
const SALES: &str = "Sales mailbox";
const SHARED_PASSWORD: &str = "Sh4red-Mail-SECRET-33";
const VPN: &str = "Old VPN";
const VPN_PASSWORD: &str = "Vpn2-old-SECRET-48";
const REGISTRAR: &str = "Domain registrar";
const REGISTRAR_PASSWORD: &str = "Reg6-domain-SECRET-29";
const CLOUD: &str = "Cloud console";
const CLOUD_PASSWORD: &str = "Cld5-console-SECRET-64";
const SERVER: &str = "Server root";
const SERVER_PASSWORD: &str = "Srv3-root-SECRET-77";
const DAY: i64 = 86_400;

impl Fixture {
    /// Changes the vault on disk before anyone opens it: unlocked by the
    /// owner, changed by `f`, sealed and written back.
    fn alter(&self, f: impl FnOnce(&mut vault::Vault, &mut StdRng)) {
        let mut v = self.disk_vault();
        let mut rng = StdRng::seed_from_u64(17);
        f(&mut v, &mut rng);
        let bytes = v.seal(T0, &mut rng).expect("seal");
        drop(v);
        std::fs::write(&self.ctx.vault, bytes).expect("write the vault");
    }

    /// The fixture, with the firm's domain set and an entry crafted for
    /// each kind of finding at `now`: a weak password, two entries sharing
    /// one, an expired and an expiring entry, an identity outside the
    /// firm, and a password 400 days old with a 90-day rotation. The
    /// payroll entry has one backup code left.
    fn with_findings(now: i64) -> Self {
        let fx = Fixture::new();
        fx.alter(|v, rng| {
            v.set_firm_domain(Some(FIRM.into())).expect("firm domain");
            let me = v.me().id;
            let mut add = |group: &str, title: &str, password: &str, f: &dyn Fn(&mut Entry)| {
                let mut e = Entry::new(EntryId::random(&mut *rng), title.into(), now, me);
                e.password = Concealed::of(password);
                e.rescore();
                f(&mut e);
                v.add(group, e, &mut *rng).expect("add an entry");
            };
            add("Internal", WIKI, WIKI_PASSWORD, &|_| {});
            add("Mail", SUPPORT, SHARED_PASSWORD, &|_| {});
            add("Mail", SALES, SHARED_PASSWORD, &|_| {});
            add("IT/Network", VPN, VPN_PASSWORD, &|e| {
                e.expires_at = Some(now - 3 * DAY);
            });
            add("Internal", REGISTRAR, REGISTRAR_PASSWORD, &|e| {
                e.expires_at = Some(now + 5 * DAY);
            });
            add("Internal", CLOUD, CLOUD_PASSWORD, &|e| {
                e.identity = Some("jordan@gmail.com".into());
            });
            add("IT/Network", SERVER, SERVER_PASSWORD, &|e| {
                e.password_changed_at = now - 400 * DAY;
                e.rotate_days = Some(90);
            });
        });
        fx
    }
}

/// The entry titled `title`.
fn entry_ref(v: &vault::Vault, title: &str) -> EntryRef {
    v.entries()
        .find(|(_, _, e)| e.title == title)
        .map(|(r, _, _)| r)
        .unwrap_or_else(|| panic!("no entry {title:?}"))
}

/// The health fixture's secrets and the fixture's: none may be drawn.
fn assert_no_health_secret(name: &str, text: &str) {
    assert_no_secret(name, text, NOW.unix);
    for s in [
        WIKI_PASSWORD,
        SHARED_PASSWORD,
        VPN_PASSWORD,
        REGISTRAR_PASSWORD,
        CLOUD_PASSWORD,
        SERVER_PASSWORD,
        FIXED_GENERATED,
    ] {
        assert!(
            !text.contains(s),
            "{name}: the secret {s:?} is drawn:\n{text}"
        );
    }
}

fn health_of(app: &App) -> &HealthView {
    match &main_of(app).overlay {
        Some(Overlay::Health(h)) => h,
        _ => panic!("the health view is not open"),
    }
}

/// The findings listed: (kind, entry title).
fn findings_listed(app: &App) -> Vec<(Kind, String)> {
    health_of(app)
        .findings
        .iter()
        .map(|f| (f.kind, title_of(app, f.entry)))
        .collect()
}

/// The selected finding: (kind, entry title).
fn selected_finding(app: &App) -> (Kind, String) {
    let f = health_of(app).selected().expect("a finding is selected");
    (f.kind, title_of(app, f.entry))
}

/// Moves the health view's selection to `kind` about `title` with ↓.
fn select_finding(app: &mut App, kind: Kind, title: &str, mut act: impl FnMut(&mut App, Intent)) {
    act(app, Intent::Home);
    for _ in 0..health_of(app).findings.len() {
        if selected_finding(app) == (kind, title.to_owned()) {
            return;
        }
        act(app, Intent::Down);
    }
    assert_eq!(
        selected_finding(app),
        (kind, title.to_owned()),
        "not listed"
    );
}

/// The findings at [`NOW`], in the order listed.
fn fixture_findings() -> Vec<(Kind, String)> {
    [
        (Kind::Weak, WIKI),
        (Kind::Reused, SALES),
        (Kind::Reused, SUPPORT),
        (Kind::DueForRotation, SERVER),
        (Kind::Expired, VPN),
        (Kind::Expiring, REGISTRAR),
        (Kind::OutsideFirm, CLOUD),
        (Kind::FewBackupCodes, PAYROLL),
        (Kind::NeverRotated, SERVER),
    ]
    .into_iter()
    .map(|(k, t)| (k, t.to_owned()))
    .collect()
}

#[test]
fn keymap_health_view() {
    let fx = Fixture::with_findings(NOW.unix);
    let mut app = fx.main_app((80, 24));
    assert_eq!(mapped(&app, key('H')), "Health");
    at(&mut app, Intent::Search, NOW);
    assert_eq!(mapped(&app, key('H')), "Char(H)", "H is typed in a search");
    at(&mut app, Intent::Back, NOW);
    at(&mut app, Intent::Health, NOW);
    for (k, want) in [
        (key('j'), "Down"),
        (press(KeyCode::Up), "Up"),
        (press(KeyCode::PageDown), "PageDown"),
        (press(KeyCode::End), "End"),
        (press(KeyCode::Enter), "Open"),
        (key('f'), "Fix"),
        (key('e'), "Edit"),
        (press(KeyCode::Esc), "Back"),
        (key('H'), "Back"),
        (key('q'), "Quit"),
        // Entry commands mean nothing here: nothing is revealed.
        (key('r'), "none"),
        (key('c'), "none"),
        (key('d'), "none"),
        (ctrl('s'), "Submit"),
        (ctrl('l'), "Lock"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the health view");
    }
}

#[test]
fn health_lists_one_finding_of_each_kind_grouped_with_headings() {
    let fx = Fixture::with_findings(NOW.unix);
    let mut app = fx.main_app((80, 24));
    assert_eq!(at(&mut app, Intent::Health, NOW), no_effects());
    assert_eq!(findings_listed(&app), fixture_findings());
    let h = health_of(&app);
    let kinds: Vec<Kind> = h.kinds.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, Kind::ALL, "every kind, in order");
    assert_eq!((h.checked, h.entries), (10, 8));
    assert!(h.firm_domain);
    // A heading per kind with its count, then its findings.
    assert_eq!(h.rows(), 9 + 8);
    assert_eq!(h.at_row(0), Some(HealthRow::Heading(Kind::Weak, 1)));
    assert_eq!(h.at_row(1), Some(HealthRow::Finding(0)));
    assert_eq!(h.at_row(2), Some(HealthRow::Heading(Kind::Reused, 2)));
    assert_eq!(h.at_row(3), Some(HealthRow::Finding(1)));
    assert_eq!(h.at_row(4), Some(HealthRow::Finding(2)));
    assert_eq!(
        h.at_row(5),
        Some(HealthRow::Heading(Kind::DueForRotation, 1))
    );
    assert_eq!(h.at_row(16), Some(HealthRow::Finding(8)));
    assert_eq!(h.at_row(17), None);
    for i in 0..9 {
        assert_eq!(h.at_row(h.row_of(i)), Some(HealthRow::Finding(i)));
    }
    let reasons: Vec<&str> = h.findings.iter().map(|f| f.reason.as_str()).collect();
    assert_eq!(reasons[1], format!("same password as {SUPPORT}"));
    assert_eq!(reasons[4], "expired on 2025-12-29");
    assert_eq!(reasons[5], "expires on 2026-01-06 (in 5 days)");
    assert_eq!(
        reasons[6],
        "registered to jordan@gmail.com, not an address at acme.test"
    );
    assert_eq!(reasons[7], "1 unused backup code left of 2");
    let text = draw(&app, 120, 40);
    assert_no_health_secret("health", &text);
    for kind in Kind::ALL {
        assert!(text.contains(kind.heading()), "{kind:?}:\n{text}");
    }
    assert!(text.contains("Reused passwords (2)"), "{text}");
    assert!(!text.contains(strings::NO_FIRM_DOMAIN), "{text}");

    // Esc and H close it.
    assert_eq!(at(&mut app, Intent::Back, NOW), no_effects());
    assert!(main_of(&app).overlay.is_none());
    at(&mut app, Intent::Health, NOW);
    at(&mut app, Intent::Health, NOW);
    assert!(main_of(&app).overlay.is_none());
}

#[test]
fn health_without_a_firm_domain_says_outside_the_firm_is_not_checked() {
    let fx = Fixture::new();
    let mut app = fx.main_app((120, 40));
    at(&mut app, Intent::Health, NOW);
    assert_eq!(
        findings_listed(&app),
        [(Kind::FewBackupCodes, PAYROLL.to_owned())]
    );
    let text = draw(&app, 120, 40);
    assert!(text.contains(strings::NO_FIRM_DOMAIN), "{text}");
    assert!(
        text.contains("1 finding in 1 of the 3 entries you can read."),
        "{text}"
    );
}

#[test]
fn health_selection_moves_and_scrolls_with_its_heading() {
    let fx = Fixture::with_findings(NOW.unix);
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Health, NOW);
    // 17 rows, 14 on screen at 80x24.
    assert_eq!(view::health_rows((80, 24)), 14);
    assert_eq!((health_of(&app).cursor, health_of(&app).top), (0, 0));
    at(&mut app, Intent::End, NOW);
    assert_eq!(selected_finding(&app), (Kind::NeverRotated, SERVER.into()));
    assert_eq!(health_of(&app).top, 3, "the last row at the bottom");
    let text = draw(&app, 80, 24);
    assert!(text.contains("Not rotated in a year (1)"), "{text}");
    assert!(!text.contains("Weak passwords"), "scrolled past:\n{text}");
    // Up to the first reused: its heading comes back into view.
    for _ in 0..7 {
        at(&mut app, Intent::Up, NOW);
    }
    assert_eq!(selected_finding(&app), (Kind::Reused, SALES.into()));
    assert_eq!(health_of(&app).top, 2);
    at(&mut app, Intent::Up, NOW);
    assert_eq!(health_of(&app).top, 0);
    at(&mut app, Intent::Up, NOW);
    assert_eq!(health_of(&app).cursor, 0, "stays at the top");
    at(&mut app, Intent::PageDown, NOW);
    assert_eq!(health_of(&app).cursor, 8);
}

#[test]
fn enter_on_a_finding_selects_its_entry_clearing_only_filters_that_hide_it() {
    let fx = Fixture::with_findings(NOW.unix);
    let mut app = fx.main_app((80, 24));
    // A search that hides the server.
    at(&mut app, Intent::Search, NOW);
    typed(&mut app, "pay", NOW);
    assert_eq!(hit_titles(&app), [PAYROLL]);
    at(&mut app, Intent::Health, NOW);
    select_finding(&mut app, Kind::DueForRotation, SERVER, pure);
    assert_eq!(at(&mut app, Intent::Open, NOW), no_effects());
    let m = main_of(&app);
    assert!(m.overlay.is_none());
    assert_eq!(m.query, "");
    assert_eq!(m.focus, Focus::List);
    assert_eq!(selected_title(&app), SERVER);

    // A group filter that hides the cloud console is cleared...
    let groups: Vec<String> = main_of(&app)
        .session
        .vault
        .groups()
        .iter()
        .map(|g| g.name.clone())
        .collect();
    let group = |name: &str| 1 + groups.iter().position(|g| g == name).expect("group");
    main_mut(&mut app).group_cursor = group("Finance");
    main_mut(&mut app).refilter();
    at(&mut app, Intent::Health, NOW);
    select_finding(&mut app, Kind::OutsideFirm, CLOUD, pure);
    at(&mut app, Intent::Open, NOW);
    assert_eq!(main_of(&app).group_cursor, 0);
    assert_eq!(selected_title(&app), CLOUD);
    // ...one that shows it is kept, and so is a search that finds it.
    main_mut(&mut app).group_cursor = group("Internal");
    main_mut(&mut app).refilter();
    at(&mut app, Intent::Search, NOW);
    typed(&mut app, "o", NOW);
    at(&mut app, Intent::Health, NOW);
    select_finding(&mut app, Kind::Expiring, REGISTRAR, pure);
    at(&mut app, Intent::Open, NOW);
    let m = main_of(&app);
    assert_eq!((m.group_cursor, m.query.as_str()), (group("Internal"), "o"));
    assert_eq!(m.focus, Focus::List);
    assert_eq!(selected_title(&app), REGISTRAR);
}

#[test]
fn fix_asks_for_a_generated_password_in_the_edit_form_and_only_for_password_findings() {
    let fx = Fixture::with_findings(NOW.unix);
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Health, NOW);
    select_finding(&mut app, Kind::Weak, WIKI, pure);
    // The same request Ctrl-G makes in a form.
    assert_eq!(
        at(&mut app, Intent::Fix, NOW),
        ["Generate(GenOptions { words: false, length: 24 })"]
    );
    assert_eq!(selected_title(&app), WIKI, "selected in the main view too");
    let f = form_of(&app);
    assert_eq!(
        f.editing,
        Some(entry_ref(&main_of(&app).session.vault, WIKI))
    );
    assert_eq!(f.cursor, FORM_PASSWORD);
    assert!(matches!(f.back_to, Some(BackTo::Health(_))));
    assert_eq!(field_text(f, "Password"), "", "until the generator answers");
    let generated = Msg::Outcome(Outcome::Generated(Zeroizing::new(FIXED_GENERATED.into())));
    assert_eq!(at(&mut app, generated, NOW), no_effects());
    assert_eq!(field_text(form_of(&app), "Password"), FIXED_GENERATED);
    let text = draw(&app, 80, 24);
    assert_no_health_secret("fix form", &text);
    // Esc: back to the view, recomputed, on the same finding.
    assert_eq!(at(&mut app, Intent::Back, NOW), no_effects());
    assert_eq!(selected_finding(&app), (Kind::Weak, WIKI.into()));
    assert_eq!(findings_listed(&app), fixture_findings());

    // Every password finding asks for a new password; the others say why
    // not and ask nothing.
    for (kind, title) in fixture_findings() {
        select_finding(&mut app, kind, &title, pure);
        app.status = None;
        let effects = at(&mut app, Intent::Fix, NOW);
        if matches!(
            kind,
            Kind::Weak | Kind::Reused | Kind::DueForRotation | Kind::NeverRotated
        ) {
            assert_eq!(effects.len(), 1, "{kind:?}");
            assert_eq!(form_of(&app).cursor, FORM_PASSWORD);
            at(&mut app, Intent::Back, NOW);
        } else {
            assert_eq!(effects, no_effects(), "{kind:?}");
            assert_eq!(
                status_of(&app),
                (strings::not_fixed_by_password(kind), true),
                "{kind:?}"
            );
            assert_eq!(selected_finding(&app), (kind, title.clone()));
        }
    }
    assert_eq!(
        strings::not_fixed_by_password(Kind::OutsideFirm),
        strings::FIX_OUTSIDE_FIRM
    );
    // `e` opens the form as it is, with nothing generated.
    select_finding(&mut app, Kind::OutsideFirm, CLOUD, pure);
    assert_eq!(at(&mut app, Intent::Edit, NOW), no_effects());
    let f = form_of(&app);
    assert_eq!(field_text(f, "Identity"), "jordan@gmail.com");
    assert_eq!(field_text(f, "Password"), "");
    assert_eq!(f.cursor, 0);
}

#[test]
fn dispatched_health_writes_no_record_and_fix_in_place_saves_a_new_password() {
    let fx = Fixture::with_findings(crate::os::now());
    let mut app = fx.main_app((120, 40));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let (len, tail) = (fx.file_len(), fx.tail_records());
    let log = main_of(&app).session.vault.log().len();
    runtime::dispatch(&mut app, &mut env, Intent::Health);
    assert_eq!((fx.file_len(), fx.tail_records()), (len, tail));
    assert_eq!(
        main_of(&app).session.vault.log().len(),
        log,
        "nothing logged"
    );
    let me = main_of(&app).session.vault.me().id;

    // Each fix clears its own finding and those the same new password
    // clears: a reused pair, a password both due and a year old.
    for (kind, title, old, gone) in [
        (Kind::Weak, WIKI, WIKI_PASSWORD, vec![(Kind::Weak, WIKI)]),
        (
            Kind::Reused,
            SUPPORT,
            SHARED_PASSWORD,
            vec![(Kind::Reused, SUPPORT), (Kind::Reused, SALES)],
        ),
        (
            Kind::NeverRotated,
            SERVER,
            SERVER_PASSWORD,
            vec![(Kind::NeverRotated, SERVER), (Kind::DueForRotation, SERVER)],
        ),
    ] {
        select_finding(&mut app, kind, title, |a, x| {
            runtime::dispatch(a, &mut env, x)
        });
        let cursor = health_of(&app).cursor;
        runtime::dispatch(&mut app, &mut env, Intent::Fix);
        let password = field_text(form_of(&app), "Password");
        assert_eq!(password.chars().count(), 24, "{password:?}");
        let screen = draw(&app, 120, 40);
        assert!(!screen.contains(&password), "{screen}");
        let enter = keymap::map(&app, press(KeyCode::Enter)).expect("Enter maps");
        runtime::dispatch(&mut app, &mut env, enter);
        // Back in the view, recomputed: the finding is gone.
        let listed = findings_listed(&app);
        for (k, t) in &gone {
            assert!(
                !listed.contains(&(*k, (*t).to_owned())),
                "{k:?} {t} is still listed: {listed:?}"
            );
        }
        assert!(
            listed.contains(&(Kind::Expired, VPN.to_owned())),
            "{listed:?}"
        );
        assert_eq!(
            health_of(&app).cursor,
            cursor.min(listed.len() - 1),
            "what took its row is selected"
        );
        assert_eq!(status_of(&app), (format!("Saved {title}.").as_str(), false));
        assert_eq!(selected_title(&app), title);

        // On disk, re-opened: the new password, the old one in the history,
        // an edit of the password recorded.
        let v = fx.disk_vault();
        let e = live_entry(&v, title);
        assert_eq!(e.password.expose(), password);
        assert!(e.history.iter().any(|h| h.password.expose() == old));
        assert!(
            e.strength
                .is_some_and(|s| s >= crate::health::STRONG_ENOUGH)
        );
        let edits: Vec<_> = records_about(&v, e.id)
            .into_iter()
            .filter(|r| r.action == LogAction::Edit && r.field == Some(Field::Password))
            .collect();
        assert_eq!(edits.len(), 1, "{title}");
        assert_eq!(edits[0].member, me);
        let found: Vec<(Kind, String)> =
            crate::health::findings(&v, &crate::health::Policy::of(&v), crate::os::now())
                .iter()
                .map(|f| (f.kind, v.entry(f.entry).title.clone()))
                .collect();
        for (k, t) in &gone {
            assert!(!found.contains(&(*k, (*t).to_owned())), "{k:?} {t} on disk");
        }
    }
    // Only edits: nothing was revealed to fix anything.
    let v = fx.disk_vault();
    assert!(
        v.log()
            .iter()
            .all(|x| !matches!(x.record.action, LogAction::Reveal | LogAction::Copy)),
        "a fix revealed something"
    );
}

#[test]
fn dispatched_fix_in_place_rotates_an_open_handover_item() {
    let fx = Fixture::with_members();
    // The router: due for rotation.
    fx.alter(|v, _| {
        let e = v.edit(entry_ref(v, ROUTER), T0).expect("edit the router");
        e.rotate_days = Some(30);
        e.password_changed_at = T0 - 100 * DAY;
    });
    bob_reveals_router_and_bank(&fx);
    let mut app = fx.main_app((120, 40));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert_eq!(
        checklist_states(&app, BOB),
        [(BANK.to_owned(), "pending"), (ROUTER.to_owned(), "pending")]
    );
    runtime::dispatch(&mut app, &mut env, Intent::Back);
    runtime::dispatch(&mut app, &mut env, Intent::Back);
    assert!(main_of(&app).overlay.is_none());

    runtime::dispatch(&mut app, &mut env, Intent::Health);
    select_finding(&mut app, Kind::DueForRotation, ROUTER, |a, x| {
        runtime::dispatch(a, &mut env, x)
    });
    runtime::dispatch(&mut app, &mut env, Intent::Fix);
    let password = field_text(form_of(&app), "Password");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert!(
        !findings_listed(&app).contains(&(Kind::DueForRotation, ROUTER.to_owned())),
        "{:?}",
        findings_listed(&app)
    );
    // The save ticked the item off: no code of the health view's own.
    assert_eq!(
        checklist_states(&app, BOB),
        [(BANK.to_owned(), "pending"), (ROUTER.to_owned(), "rotated")]
    );
    let v = fx.disk_vault();
    assert_eq!(live_entry(&v, ROUTER).password.expose(), password);
    let h = super::app::handover_of(&v, BOB).expect("the handover");
    let states: Vec<(&str, &str)> = h
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.state.as_str()))
        .collect();
    assert_eq!(states, [(BANK, "pending"), (ROUTER, "rotated")]);
}

#[test]
fn unlock_summary_sums_findings_handover_and_memberships_for_owners_only() {
    let fx = Fixture::with_members();
    const ERIN: &str = "erin";
    fx.alter(|v, rng| {
        // A weak router password, in bob's groups.
        let e = v.edit(entry_ref(v, ROUTER), T0).expect("edit the router");
        e.password = Concealed::of(WIKI_PASSWORD);
        e.rescore();
        // Erin's membership ends five days after the fixture's day.
        let id = v
            .add_member(
                ERIN,
                Role::Contractor,
                &["Finance".to_owned()],
                Some(T0 + 5 * DAY),
                &Passphrase::from_slice(ERIN_PASSPHRASE.as_bytes()),
                T0,
                rng,
            )
            .expect("add erin");
        v.note(crate::audit::Draft {
            target: Some(id),
            ..crate::audit::Draft::new(T0, LogAction::MemberAdd)
        });
    });
    let at_t0 = Now {
        ms: NOW.ms,
        unix: T0,
    };
    let unlocked = |member: &str, passphrase: &str, now: Now| -> App {
        let mut app = fx.unlock_app_for(member);
        let opened = fx
            .try_open_as(member, passphrase)
            .unwrap_or_else(|e| panic!("{e}"));
        at(
            &mut app,
            Msg::Outcome(Outcome::Unlocked(Box::new(opened))),
            now,
        );
        app
    };
    // Bob, a contractor, has a finding in his groups, but no line.
    let mut bob = unlocked(BOB, BOB_PASSPHRASE, at_t0);
    assert_eq!(status_of(&bob), (strings::WEAK_KDF, true));
    // His H lists what he can read, and nothing else.
    at(&mut bob, Intent::Health, at_t0);
    assert_eq!(findings_listed(&bob), [(Kind::Weak, ROUTER.to_owned())]);
    drop(bob);

    bob_reveals_router_and_bank(&fx);
    {
        let mut app = fx.main_app((80, 24));
        let mut env = runtime::Env::new(fx.ctx.clone());
        runtime::dispatch(&mut app, &mut env, Intent::Members);
        select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
        runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
        runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
        runtime::dispatch(&mut app, &mut env, Intent::Quit);
    }

    // Carol's and erin's memberships both end within 14 days of T0.
    let app = unlocked(OWNER, PASSPHRASE, at_t0);
    let line = "2 findings (H) · 2 handover items left (M) · 2 memberships expire within 14 days";
    assert_eq!(status_of(&app), (line, true));
    let text = draw(&app, 120, 40);
    assert!(text.contains(line), "{text}");
    assert_no_member_secret("unlock summary", &text);
    // 80 characters: all of it on an 80-column screen, without the margin.
    let text = draw(&app, 80, 24);
    assert_eq!(text.lines().nth(22), Some(line), "{text}");
    drop(app);
    // At NOW carol's has expired: M, then s revokes it.
    let app = unlocked(OWNER, PASSPHRASE, NOW);
    assert_eq!(
        status_of(&app),
        (
            "2 findings (H) · 2 handover items left (M) · \
             1 membership expired (M, then s), 1 expiring within 14 days",
            true
        )
    );
    // Longer than 80 columns: cut with an ellipsis.
    let text = draw(&app, 80, 24);
    let shown = text.lines().nth(22).expect("the status line");
    assert_eq!(shown.chars().count(), 80, "{text}");
    assert!(
        shown.starts_with("2 findings (H) · ") && shown.ends_with('…'),
        "{text}"
    );
    drop(app);
    // Dana, an auditor: no entries, no line.
    let dana = unlocked(DANA, DANA_PASSPHRASE, at_t0);
    assert_eq!(status_of(&dana), (strings::WEAK_KDF, true));
}

#[test]
fn unlock_summary_says_only_what_is_not_zero() {
    assert_eq!(strings::unlock_summary(0, 0, 0, 0), None);
    assert_eq!(
        strings::unlock_summary(3, 2, 0, 1).as_deref(),
        Some("3 findings (H) · 2 handover items left (M) · 1 membership expires within 14 days")
    );
    assert_eq!(
        strings::unlock_summary(0, 1, 0, 0).as_deref(),
        Some("1 handover item left (M)")
    );
    assert_eq!(
        strings::unlock_summary(0, 0, 2, 0).as_deref(),
        Some("2 memberships expired (M, then s)")
    );
    assert_eq!(
        strings::unlock_summary(1, 0, 0, 2).as_deref(),
        Some("1 finding (H) · 2 memberships expire within 14 days (M)")
    );
}

#[test]
fn footer_and_help_list_h() {
    assert!(
        strings::FOOTER_LIST.chars().count() < 80,
        "a space before it"
    );
    assert!(strings::FOOTER_LIST_WIDE.chars().count() < 100);
    assert!(strings::FOOTER_LIST.contains("H health"));
    assert!(strings::FOOTER_LIST_WIDE.contains("H health"));
    assert!(strings::KEYS.iter().any(|(k, _)| *k == "H"));
    let fx = Fixture::new();
    for size in SIZES {
        let app = fx.main_app(size);
        let text = draw(&app, size.0, size.1);
        assert!(text.contains("H health"), "{text}");
    }
}

#[test]
fn snapshot_health() {
    let fx = Fixture::with_findings(NOW.unix);
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Health, NOW);
        select_finding(&mut app, Kind::Reused, SUPPORT, pure);
        let text = draw(&app, size.0, size.1);
        assert_no_health_secret("health", &text);
        assert!(text.contains("Health · 9 findings"), "{text}");
        assert!(text.contains(strings::HEALTH_KEYS), "{text}");
        assert!(
            text.contains(&format!("same password as {SALES}")),
            "{text}"
        );
        snapshot_text("health", size, &text);
    }
}
