//! The unlock screen: the passphrase field, the spinner while the key is
//! derived, an error heading for each kind of failure, the main screen it
//! opens, and the owner's summary line (findings, handover, memberships)
//! at unlock.

use super::{
    BOB, BOB_PASSPHRASE, DANA, DANA_PASSPHRASE, DAY, ERIN_PASSPHRASE, Fixture, NOW, OWNER,
    PASSPHRASE, PAYROLL, ROUTER, SIZES, T0, WIKI_PASSWORD, assert_no_member_secret, at,
    bob_reveals_router_and_bank, describe_effects, draw, entry_ref, findings_listed, later,
    main_of, select_member, snapshot, status_of, typed, unlock_app_without_members, unlock_of,
};
use crate::audit::Action as LogAction;
use crate::format::Role;
use crate::health::Kind;
use crate::secret::{Concealed, Passphrase};
use crate::session::{Error as SessionError, ErrorKind};
use crate::tui::action::{Effect, Intent, MemberCmd, Msg, Outcome};
use crate::tui::app::{App, Focus, Now};
use crate::tui::update::update;
use crate::tui::{runtime, strings};
use crate::vault::entry::BackupCode;

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
        v.edit(r, T0, |e| {
            for code in ["bkp-charlie-1", "bkp-delta-2"] {
                e.backup_codes.push(BackupCode {
                    code: Concealed::of(code),
                    used_at: None,
                    used_by: None,
                });
            }
        })
        .expect("edit payroll");
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

#[test]
fn unlock_summary_sums_findings_handover_and_memberships_for_owners_only() {
    let fx = Fixture::with_members();
    const ERIN: &str = "erin";
    fx.alter(|v, rng| {
        // A weak router password, in bob's groups.
        v.edit(entry_ref(v, ROUTER), T0, |e| {
            e.password = Concealed::of(WIKI_PASSWORD);
            e.rescore();
        })
        .expect("edit the router");
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
