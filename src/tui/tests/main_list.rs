//! The main screen's list: fuzzy search as you type, Enter keeping the best
//! match, Esc clearing the query, the groups pane limiting the list, and
//! snapshots of the list with and without a search.

use super::{
    BANK, Fixture, NOW, PAYROLL, ROUTER, SIZES, at, hit_titles, main_of, selected_title, snapshot,
    typed,
};
use crate::tui::action::Intent;
use crate::tui::app::Focus;
use crate::tui::strings;

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
