//! The selected entry's secrets: a reveal or copy is asked of the runtime,
//! logged in the vault file before anything is shown (fail-closed), and
//! hidden again after `reveal_ms` or when the selection moves; the backup
//! codes view, which is revealed the same way, and marking a code used.

use super::{
    BACKUP_CODES, Fixture, NOW, PASSWORD, PAYROLL, PAYROLL_GROUP, PIN, ROUTER, SIZES, T0,
    TOTP_SEED, TOTP_SEED_BASE32, assert_no_secret, at, describe_effects, draw, key, later,
    live_entry, main_mut, main_of, no_effects, records_about, reveal_logged, secrets,
    selected_title, snapshot_text, status_of, summary_of, title_of,
};
use crate::audit::{Action as LogAction, Field};
use crate::secret::Concealed;
use crate::totp::{Algorithm, Totp};
use crate::tui::action::{Change, CopyWhat, Effect, Intent, Msg, Outcome, Reveal, RevealHow};
use crate::tui::app::{App, Overlay, Settings, ShiftItem, ShiftWhat};
use crate::tui::update::update;
use crate::tui::{keymap, runtime, strings};
use crate::vault::EntryRef;

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
fn reveal_of_an_entry_with_nothing_concealed_asks_for_no_record() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let r = main_of(&app).selected_entry().expect("an entry");
    main_mut(&mut app)
        .session
        .vault
        .edit(r, NOW.unix, |e| {
            e.password = Concealed::of("");
            e.notes = Concealed::of("");
            e.totp = None;
            e.fields.retain(|f| !f.concealed);
        })
        .expect("editable");
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

/// The security review's finding 10b: a title holding a direction
/// control, or a username an invisible character — from an import or
/// another client, since the forms refuse them — is drawn escaped in the
/// list and the details, never raw.
#[test]
fn direction_controls_and_invisible_characters_are_drawn_escaped() {
    use rand::SeedableRng;
    let fx = Fixture::new();
    let mut v = fx.disk_vault();
    let mut rng = rand::rngs::StdRng::seed_from_u64(17);
    let mut e = crate::vault::Entry::new(
        crate::vault::EntryId::random(&mut rng),
        "Pay\u{202e}lortnoc".into(),
        T0,
        1,
    );
    e.username = "ad\u{200b}min".into();
    v.add("IT/Network", e, &mut rng).expect("add");
    let bytes = v.seal(T0, &mut rng).expect("seal");
    drop(v);
    std::fs::write(&fx.ctx.vault, bytes).expect("write the vault");
    let mut app = fx.main_app((100, 30));
    let i = super::hit_titles(&app)
        .iter()
        .position(|t| t.contains("lortnoc"))
        .expect("listed");
    main_mut(&mut app).selected = i;
    let text = draw(&app, 100, 30);
    for c in ['\u{202e}', '\u{200b}'] {
        assert!(!text.contains(c), "{c:?} drawn raw:\n{text}");
    }
    assert!(text.contains("Pay\\u{202e}lortnoc"), "{text}");
    assert!(text.contains("ad\\u{200b}min"), "{text}");
}
