//! Tests of the terminal UI against a real vault in a temporary directory:
//! the keymap, `update` transitions at fixed instants, the reveal path
//! through the runtime (logged before shown, fail-closed), the loop on a
//! `TestBackend`, and whole-screen snapshots that also check no secret of
//! the fixture is drawn on a masked screen.
//!
//! One module per screen or concern; this one holds what they share: the
//! fixture vaults and their secrets, acting on an [`App`] and reading it
//! back, keys, form and member helpers, drawing, and the snapshot helpers.
//! The snapshots live in `src/tui/snapshots/`, named after this module
//! (`baton__tui__tests__NAME_WxH.snap`) whichever screen's module takes them.

use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tempfile::TempDir;

use super::action::{Change, Effect, Intent, Msg, Opened, Outcome, Reveal, RevealHow};
use super::app::{
    App, EntryField, FieldRef, Form, HealthView, MainScreen, MembersMode, MembersView, Now,
    Overlay, Screen, Settings, SummaryScreen, UnlockScreen, member_rows,
};
use super::fields::Fields;
use super::update::update;
use super::{runtime, view};
use crate::audit::Action as LogAction;
use crate::crypto::kdf::KdfParams;
use crate::format::{self, Role};
use crate::health::Kind;
use crate::secret::{Concealed, Passphrase};
use crate::session::{Context, Error as SessionError};
use crate::store;
use crate::totp::{Algorithm, Totp};
use crate::vault::entry::{BackupCode, CustomField};
use crate::vault::{self, CreateOptions, Entry, EntryId, EntryRef};

mod detail;
mod expected;
mod form;
mod handover;
mod health;
mod keymap;
mod lock;
mod log;
mod main_list;
mod members;
mod onboard;
mod run;
mod unlock;

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

/// A password typed into a form (not one of the fixture's secrets).
const TYPED_PASSWORD: &str = "Typed-Pw-4242!";
/// What the generator is told it generated, for deterministic screens.
const FIXED_GENERATED: &str = "Fixed-Gen-7Qp2-Wz9k-Lm3x";

/// The contractor of [`Fixture::with_contractor`].
const CONTRACTOR: &str = "bob";
const CONTRACTOR_PASSPHRASE: &str = "bob's own passphrase";

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
                kdf: KdfParams::TEST,
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
            stamp: None,
            name: "Customer ID".into(),
            value: Concealed::of("C-1042"),
            concealed: false,
        });
        e.fields.push(CustomField {
            stamp: None,
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

    /// The unlock screen with `member` picked.
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

// ---------------------------------------------------------------------------
// Members: bob, carol (expired) and dana (an auditor).

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

// ---------------------------------------------------------------------------
// Health: an entry for each kind of finding.

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

// ---------------------------------------------------------------------------
// Acting on the app, and reading it back.

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
            Effect::VerifyLog => "VerifyLog".into(),
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

fn unlock_app_without_members() -> App {
    App::new(
        LABEL.into(),
        Screen::Unlock(UnlockScreen::new(Vec::new(), None)),
        Settings::default(),
    )
}

fn status_of(app: &App) -> (&str, bool) {
    let s = app.status.as_ref().expect("a status line");
    (s.text.as_str(), s.error)
}

fn no_effects() -> Vec<String> {
    Vec::new()
}

// ---------------------------------------------------------------------------
// Keys.

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
    describe(super::keymap::map(app, k))
}

// ---------------------------------------------------------------------------
// The entry form, and the vault on disk.

/// A live entry of `v` by title.
fn live_entry<'a>(v: &'a vault::Vault, title: &str) -> &'a Entry {
    v.entries()
        .map(|(_, _, e)| e)
        .find(|e| e.title == title)
        .unwrap_or_else(|| panic!("no live entry {title:?} in the vault"))
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

fn field_of(label: &str) -> EntryField {
    EntryField::ALL
        .iter()
        .copied()
        .find(|f| f.label() == label)
        .unwrap_or_else(|| panic!("no form field {label:?}"))
}

/// What a form field holds (a secret field's text too).
fn field_text(f: &Form, label: &str) -> String {
    match f.values.field(field_of(label)) {
        FieldRef::Plain(s) => s.to_owned(),
        FieldRef::Secret(s) => s.peek().to_owned(),
    }
}

/// Tab to the field `label`, with `next` performing one Tab.
fn tab_to(app: &mut App, label: &str, mut next: impl FnMut(&mut App)) {
    let want = field_of(label);
    for _ in 0..EntryField::ALL.len() {
        if form_of(app).cursor == want {
            return;
        }
        next(app);
    }
    assert_eq!(form_of(app).cursor, want, "Tab never reached {label:?}");
}

fn goto_dispatched(app: &mut App, env: &mut runtime::Env, label: &str) {
    tab_to(app, label, |a| runtime::dispatch(a, env, Intent::NextPane));
}

fn typed_dispatched(app: &mut App, env: &mut runtime::Env, s: &str) {
    for c in s.chars() {
        runtime::dispatch(app, env, Intent::Char(c));
    }
}

// ---------------------------------------------------------------------------
// Drawing and snapshots.

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

/// Draws `app` at `size`, checks no fixture secret is drawn, and compares
/// the screen with the snapshot `name`.
fn snapshot(name: &str, app: &App, size: (u16, u16)) -> String {
    let text = draw(app, size.0, size.1);
    assert_no_secret(name, &text, app.clock.unix);
    snapshot_text(name, size, &text);
    text
}

/// Compares `text` with the snapshot `{name}_{width}x{height}`.
///
/// insta names a snapshot after the module its assertion is written in
/// and keeps it in `snapshots/` beside that file. The assertion is here,
/// so every screen's module gets this module's prefix
/// (`baton__tui__tests__`); the path points from `tests/` back to
/// `src/tui/snapshots/`, where the snapshots have always been.
fn snapshot_text(name: &str, size: (u16, u16), text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
    });
}

/// A log time as the access log view draws it.
fn log_time(unix: i64) -> String {
    let t = crate::dates::format_rfc3339(unix).replace('T', " ");
    t.get(..16).unwrap_or(&t).to_owned()
}
