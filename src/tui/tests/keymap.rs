//! The keymap: what each key means on the list, in a search, over the help,
//! on the unlock and summary screens and in the overlays; key releases and
//! repeats ignored; and the footer and `?` help built from the same table.
//! The members and health views' keys are tested with those views.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{
    Fixture, LABEL, NOW, OWNER, SIZES, at, ctrl, draw, key, main_mut, main_of, mapped, press,
    snapshot, unlock_app_without_members,
};
use crate::tui::action::Intent;
use crate::tui::app::{
    App, Focus, LockReason, Overlay, Screen, Settings, SummaryScreen, UnlockFocus,
};
use crate::tui::strings;

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
fn snapshot_help() {
    let fx = Fixture::new();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Help, NOW);
        let text = snapshot("help", &app, size);
        assert!(text.contains(strings::HELP_TITLE));
        assert!(text.contains(super::expected::HELP_CLOSE));
    }
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

#[test]
fn footer_and_help_list_h() {
    assert!(
        super::expected::FOOTER_LIST.chars().count() < 80,
        "a space before it"
    );
    assert!(super::expected::FOOTER_LIST_WIDE.chars().count() < 100);
    assert!(super::expected::FOOTER_LIST.contains("H health"));
    assert!(super::expected::FOOTER_LIST_WIDE.contains("H health"));
    assert!(super::expected::KEYS.iter().any(|(k, _)| *k == "H"));
    let fx = Fixture::new();
    for size in SIZES {
        let app = fx.main_app(size);
        let text = draw(&app, size.0, size.1);
        assert!(text.contains("H health"), "{text}");
    }
}

/// Every hint, footer and help row is drawn from a key table, and reads
/// word for word as it did when each was written out by hand.
#[test]
fn hints_footers_and_help_are_drawn_from_the_key_tables() {
    use super::expected as x;
    use crate::tui::keys::{self, Binding};
    use crate::tui::screen::{
        form, generator, handover, health, help, log, main as main_screen, members, onboard, unlock,
    };
    let footer =
        |focus, overlay, width| keys::footer(main_screen::footer_of(focus, overlay, width));
    assert_eq!(footer(Focus::List, false, 80), x::FOOTER_LIST);
    assert_eq!(footer(Focus::List, false, 100), x::FOOTER_LIST_WIDE);
    assert_eq!(footer(Focus::Search, false, 80), x::FOOTER_SEARCH);
    assert_eq!(footer(Focus::Groups, false, 80), x::FOOTER_GROUPS);
    assert_eq!(footer(Focus::Detail, false, 80), x::FOOTER_DETAIL);
    assert_eq!(footer(Focus::List, true, 80), x::FOOTER_OVERLAY);
    for (table, want) in [
        (&onboard::KEYS, x::ONBOARD_KEYS),
        (&unlock::KEYS_PASSPHRASE, x::UNLOCK_HINT),
        (&unlock::SUMMARY_KEYS, x::SUMMARY_HINT),
        (&main_screen::KEYS_DELETE, x::DELETE_KEYS),
        (&log::KEYS, x::LOG_KEYS),
        (&form::KEYS, x::FORM_KEYS),
        (&generator::KEYS, x::GENERATOR_KEYS),
        (&members::KEYS_ADD, x::ADD_MEMBER_KEYS),
        (&members::KEYS_GRANT, x::GRANT_KEYS),
        (&handover::KEYS_CHECKLIST, x::CHECKLIST_KEYS),
        (&health::KEYS, x::HEALTH_KEYS),
        (&help::KEYS, x::HELP_CLOSE),
    ] {
        assert_eq!(table.hint(), want);
    }
    assert_eq!(members::confirm_hint(), x::CONFIRM_KEYS);
    assert_eq!(members::handover_hint(), x::HANDOVER_KEYS);
    assert_eq!(
        handover::checklist_read_only_hint(),
        x::CHECKLIST_KEYS_READ_ONLY
    );
    assert_eq!(members::KEYS_LIST.hint(), x::MEMBERS_KEYS);
    let rows: Vec<(&str, &str)> = help::rows()
        .map(|b: &Binding| (b.help_keys, b.help))
        .collect();
    assert_eq!(rows, x::KEYS);
}

/// What a footer names is what its keys do there: every key of every
/// binding a main footer shows means, through the keymap's table for
/// that focus, the intent the binding says.
#[test]
fn every_key_a_footer_names_does_what_the_footer_says() {
    use crate::tui::keys;
    use crate::tui::screen::main as main_screen;
    for (focus, table) in [
        (Focus::List, &main_screen::KEYS_LIST),
        (Focus::Detail, &main_screen::KEYS_LIST),
        (Focus::Groups, &main_screen::KEYS_GROUPS),
        (Focus::Search, &main_screen::KEYS_SEARCH),
    ] {
        for width in [80, 100] {
            for b in main_screen::footer_of(focus, false, width) {
                for (k, intent) in b.map {
                    let got = if k.ctrl {
                        keys::GLOBAL.intent(*k)
                    } else {
                        table.intent(*k)
                    };
                    assert_eq!(got, Some(*intent), "{} in {focus:?}", b.shown());
                }
            }
        }
    }
}
