//! Ending a session: the idle lock, Ctrl-L (which also clears a clipboard
//! we filled), quitting, the record of the session's end, and the summary
//! of what was revealed and copied.

use super::{
    Fixture, NOW, OWNER, PAYROLL, PAYROLL_GROUP, SIZES, at, ctrl, later, main_of, reveal_logged,
    snapshot, summary_of, unlock_of,
};
use crate::tui::action::{CopyWhat, Intent, Msg, Outcome, Reveal, RevealHow};
use crate::tui::app::{LockReason, Screen, ShiftItem, ShiftWhat};
use crate::tui::{keymap, runtime, strings};

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

/// Another command's save while the TUI is unlocked (the lock is taken
/// only for each write), of a new entry.
fn write_meanwhile(fx: &Fixture) -> Vec<[u8; 32]> {
    let loaded = crate::session::load(&fx.ctx, true, "add").expect("the lock is free");
    let pass = crate::secret::Passphrase::from_slice(super::PASSPHRASE.as_bytes());
    let mut s = crate::session::unlock_loaded(&fx.ctx, loaded, None, &pass, false).expect("unlock");
    crate::session::edit::add_entry(
        &mut s,
        "Written meanwhile",
        crate::session::EntryEdit::default(),
        super::T0,
        &mut crate::os::rng(),
    )
    .expect("add");
    s.save(&fx.ctx).expect("save");
    s.vault.log().iter().map(|v| v.hash).collect()
}

fn file_records(fx: &Fixture) -> Vec<[u8; 32]> {
    let bytes = std::fs::read(&fx.ctx.vault).expect("read");
    let file = crate::format::read::parse(&bytes).expect("parses");
    crate::vault::check_log(&file, &crate::audit::HighWater::EMPTY, true)
        .expect("the log verifies")
        .verified
        .iter()
        .map(|v| v.hash)
        .collect()
}

/// While the TUI is unlocked another command writes; the TUI's next
/// reveal goes into a save merged with that file: the other command's
/// records and entry are kept, the reveal is recorded before it shows,
/// and the TUI now lists the entry written meanwhile.
#[test]
fn another_command_writes_while_the_tui_is_unlocked_and_nothing_is_lost() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let theirs = write_meanwhile(&fx);
    runtime::dispatch(&mut app, &mut env, Intent::Reveal);
    // The reveal's record went into a save merged with the other file,
    // which rebuilt the vault: the list is built again and nothing from
    // before the merge is shown; revealing again shows the value.
    assert_eq!(super::status_of(&app), (strings::MERGED_ON_WRITE, false));
    assert!(main_of(&app).revealed.is_none());
    runtime::dispatch(&mut app, &mut env, Intent::Reveal);
    assert!(main_of(&app).revealed.is_some(), "the reveal was refused");
    let now = file_records(&fx);
    assert!(
        theirs.iter().all(|h| now.contains(h)),
        "a record the other command wrote was lost"
    );
    let bytes = std::fs::read(&fx.ctx.vault).expect("read");
    let file = crate::format::read::parse(&bytes).expect("parses");
    let log = crate::vault::check_log(&file, &crate::audit::HighWater::EMPTY, true).expect("log");
    use crate::audit::Action;
    assert!(
        log.verified
            .iter()
            .any(|v| v.record.action == Action::Merge),
        "no merge record joins the two writers' records"
    );
    assert!(
        log.verified
            .iter()
            .any(|v| v.record.action == Action::Reveal && !theirs.contains(&v.hash)),
        "the TUI's reveal was not recorded"
    );
    assert!(
        main_of(&app)
            .session
            .vault
            .entries()
            .any(|(_, _, e)| e.title == "Written meanwhile")
    );
}

/// Without any action, the list takes in what another command wrote
/// (the runtime looks at the file once a second).
#[test]
fn an_outside_change_appears_in_the_list_without_an_action() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    assert!(
        runtime::watch(&mut app, &env).is_none(),
        "nothing changed yet"
    );
    write_meanwhile(&fx);
    let msg = runtime::watch(&mut app, &env).expect("the change is noticed");
    runtime::dispatch(&mut app, &mut env, msg);
    let (text, error) = super::status_of(&app);
    assert!(!error, "{text}");
    assert!(text.contains("changed outside"), "{text}");
    let screen = super::draw(&app, 80, 24);
    assert!(screen.contains("Written meanwhile"), "{screen}");
    assert!(runtime::watch(&mut app, &env).is_none(), "taken in once");
}
