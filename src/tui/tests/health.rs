//! The health view (`H`): one finding of each kind grouped under headings,
//! moving and scrolling, Enter selecting the entry, and fixing a password
//! in place through the edit form, saved and recorded in the vault file.

use ratatui::crossterm::event::KeyCode;
use zeroize::Zeroizing;

use super::{
    BANK, BOB, CLOUD, CLOUD_PASSWORD, DAY, FIXED_GENERATED, Fixture, NOW, PAYROLL, REGISTRAR,
    REGISTRAR_PASSWORD, ROUTER, SALES, SERVER, SERVER_PASSWORD, SHARED_PASSWORD, SIZES, SUPPORT,
    T0, VPN, VPN_PASSWORD, WIKI, WIKI_PASSWORD, assert_no_secret, at, bob_reveals_router_and_bank,
    checklist_states, ctrl, draw, entry_ref, field_text, findings_listed, form_of, health_of,
    hit_titles, key, live_entry, main_mut, main_of, mapped, no_effects, press, pure, records_about,
    select_member, selected_title, snapshot_text, status_of, title_of, typed,
};
use crate::audit::{Action as LogAction, Field};
use crate::health::Kind;
use crate::tui::action::{Intent, MemberCmd, Msg, Outcome};
use crate::tui::app::{App, BackTo, EntryField, Focus, HealthRow, handover_of};
use crate::tui::{keymap, runtime, strings, view};

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
    assert_eq!(f.cursor, EntryField::Password);
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
            assert_eq!(form_of(&app).cursor, EntryField::Password);
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
    assert_eq!(f.cursor, EntryField::Title);
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
        assert!(
            e.history
                .iter()
                .any(|h| h.value.expose() == old && h.field.is_none())
        );
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
        v.edit(entry_ref(v, ROUTER), T0, |e| {
            e.rotate_days = Some(30);
            e.password_changed_at = T0 - 100 * DAY;
        })
        .expect("edit the router");
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
    let h = handover_of(&v, BOB).expect("the handover");
    let states: Vec<(&str, &str)> = h
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.state.as_str()))
        .collect();
    assert_eq!(states, [(BANK, "pending"), (ROUTER, "rotated")]);
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
        assert!(text.contains(super::expected::HEALTH_KEYS), "{text}");
        assert!(
            text.contains(&format!("same password as {SALES}")),
            "{text}"
        );
        snapshot_text("health", size, &text);
    }
}
