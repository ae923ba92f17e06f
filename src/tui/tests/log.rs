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
