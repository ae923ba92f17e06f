//! The access log view (`A`): owners read every record, contractors only
//! their own.

use super::{
    CONTRACTOR, CONTRACTOR_PASSPHRASE, Fixture, NOW, OWNER, SIZES, T0, assert_no_secret, at, draw,
    log_time, main_of, no_effects, snapshot_text,
};
use crate::format::Role;
use crate::tui::action::{Intent, Msg};
use crate::tui::app::{App, Overlay};
use crate::tui::runtime;

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

/// The security review's finding 10d (THREAT_MODEL §6.10): an auditor's
/// main screen is an audit view. Its footer, keymap and `?` help offer
/// the access log, its verification and the members — no entry command —
/// its empty list says what an auditor does instead of "n adds one", and
/// an entry command that reaches it anyway changes nothing.
#[test]
fn an_auditor_gets_the_audit_view_and_no_entry_command() {
    use super::{DANA, DANA_PASSPHRASE, ctrl, key, mapped, status_of};
    use crate::tui::strings;
    let fx = Fixture::with_members();
    let mut app = fx.app_as(DANA, DANA_PASSPHRASE, (80, 24));
    for (k, want) in [
        (key('A'), "AccessLog"),
        (key('v'), "VerifyLog"),
        (key('M'), "Members"),
        (key('?'), "Help"),
        (key('q'), "Quit"),
        (ctrl('l'), "Lock"),
        (key('n'), "none"),
        (key('e'), "none"),
        (key('d'), "none"),
        (key('r'), "none"),
        (key('c'), "none"),
        (key('u'), "none"),
        (key('t'), "none"),
        (key('b'), "none"),
        (key('g'), "none"),
        (key('H'), "none"),
        (key('/'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} on an auditor's main screen");
    }
    for size in SIZES {
        // Dana's unlock is recorded at the wall clock's time.
        let text = draw(&app, size.0, size.1);
        assert_no_secret("main_auditor", &text, NOW.unix);
        snapshot_text("main_auditor", size, &super::fixed_times(&app, &text));
        assert!(
            text.contains("A log  v verify log  M members  ^L lock  ? help  q quit"),
            "{text}"
        );
        assert!(text.contains("Auditors see no entries"), "{text}");
        for offered in ["n adds one", "n new", "r reveal", "e edit", "H health"] {
            assert!(!text.contains(offered), "{offered:?} offered:\n{text}");
        }
    }
    // An entry command that reaches the update anyway opens nothing.
    for intent in [Intent::New, Intent::Edit, Intent::Delete, Intent::Reveal] {
        app.status = None;
        assert_eq!(at(&mut app, intent, NOW), no_effects(), "{intent:?}");
        assert!(main_of(&app).overlay.is_none(), "{intent:?}");
        assert_eq!(status_of(&app), (strings::AUDITOR_READ_ONLY, false));
    }
    // `?` lists the auditor's keys only.
    at(&mut app, Intent::Help, NOW);
    let help = draw(&app, 80, 24);
    assert!(help.contains("verify the access log"), "{help}");
    assert!(!help.contains("new entry, edit, delete"), "{help}");
    at(&mut app, Intent::Back, NOW);
    // `v` verifies the log, on the main screen and in the log view.
    assert_eq!(at(&mut app, Intent::VerifyLog, NOW), ["VerifyLog"]);
    at(&mut app, Intent::AccessLog, NOW);
    assert_eq!(mapped(&app, key('v')), "VerifyLog");
    assert_eq!(at(&mut app, Intent::VerifyLog, NOW), ["VerifyLog"]);
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::VerifyLog);
    let (text, error) = status_of(&app);
    assert!(!error, "{text}");
    assert!(
        text.starts_with("The access log is intact: ") && text.contains(" records, each signed"),
        "{text}"
    );
}

/// An owner's `v` in the log view verifies it too; a log that does not
/// verify says so, as an error.
#[test]
fn verifying_the_log_reports_what_was_checked() {
    use super::status_of;
    use crate::tui::action::Outcome;
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::AccessLog);
    runtime::dispatch(&mut app, &mut env, Intent::VerifyLog);
    let (text, error) = status_of(&app);
    assert!(
        !error && text.starts_with("The access log is intact"),
        "{text}"
    );
    assert!(
        matches!(main_of(&app).overlay, Some(Overlay::Log { .. })),
        "the log view stays open"
    );
    at(
        &mut app,
        Msg::Outcome(Outcome::LogVerified(Err(
            "a record's signature is wrong".into()
        ))),
        NOW,
    );
    assert_eq!(status_of(&app), ("a record's signature is wrong", true));
}
