//! The add and edit forms, deleting an entry, and the password generator:
//! `update` transitions, the changes saved and recorded in the vault file,
//! and snapshots of the forms and overlays.

use ratatui::crossterm::event::KeyCode;
use zeroize::Zeroizing;

use super::{
    BANK, FIXED_GENERATED, Fixture, NOTES, NOW, PASSWORD, PAYROLL, PAYROLL_GROUP, PIN, ROUTER,
    SIZES, TYPED_PASSWORD, assert_no_secret, at, describe_effects, draw, field_text, form_of,
    goto_dispatched, hit_titles, key, live_entry, main_of, no_effects, press, records_about,
    reveal_logged, selected_title, snapshot, status_of, tab_to, title_of, typed, typed_dispatched,
};
use crate::audit::{Action as LogAction, Field};
use crate::tui::action::{Change, CopyWhat, Effect, GenOptions, Intent, Msg, Outcome};
use crate::tui::app::{App, EntryField, Overlay};
use crate::tui::fields::Fields;
use crate::tui::update::update;
use crate::tui::{keymap, runtime, strings};
use crate::vault::{self, Entry};

/// Any entry of `v` by title, removed ones included.
fn any_entry<'a>(v: &'a vault::Vault, title: &str) -> &'a Entry {
    v.groups()
        .iter()
        .flat_map(|g| g.entries.iter())
        .find(|e| e.title == title)
        .unwrap_or_else(|| panic!("no entry {title:?} in the vault, even removed"))
}

fn goto(app: &mut App, label: &str) {
    tab_to(app, label, |a| {
        assert_eq!(at(a, Intent::NextPane, NOW), Vec::<String>::new());
    });
}

fn generator_opts(app: &App) -> GenOptions {
    match &main_of(app).overlay {
        Some(Overlay::Generator(g)) => g.opts,
        _ => panic!("the generator is not open"),
    }
}

#[test]
fn new_opens_an_empty_form_in_the_filtered_group() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    assert_eq!(at(&mut app, Intent::New, NOW), no_effects());
    let f = form_of(&app);
    assert!(f.editing.is_none());
    assert_eq!(f.cursor, EntryField::Title, "the title has the focus");
    assert!(f.error.is_none());
    assert!(!f.saving);
    for label in EntryField::ALL.iter().map(|f| f.label()) {
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
    assert_eq!(form_of(&app).cursor, EntryField::Password);
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
    let last = EntryField::Notes;
    assert!(last.is_last());
    assert_eq!(f.cursor, last);
    at(&mut app, Intent::NextPane, NOW);
    assert_eq!(
        form_of(&app).cursor,
        EntryField::Title,
        "Tab after the last field"
    );
    at(&mut app, Intent::PrevField, NOW);
    assert_eq!(form_of(&app).cursor, last, "Shift-Tab on the first field");
    at(&mut app, Intent::PrevField, NOW);
    assert_eq!(form_of(&app).cursor, EntryField::RotateDays);

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
    assert_eq!(f.cursor, EntryField::Title, "the focus goes to the title");
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
    assert_eq!(
        f.cursor,
        EntryField::Password,
        "the focus goes to the password"
    );
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
    assert_eq!(f.cursor, EntryField::Title);
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
    let old: Vec<&str> = e.history.iter().map(|h| h.value.expose()).collect();
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
        // The security review's finding 10b: what reorders or hides text.
        (
            false,
            "Username",
            "ad\u{200b}min",
            "username: must not contain u+200b",
        ),
        (
            true,
            "Group",
            "IT\u{202e}",
            "group: must not contain u+202e",
        ),
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
        assert!(text.contains(super::expected::DELETE_KEYS), "{text}");
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
        assert!(text.contains(super::expected::GENERATOR_KEYS), "{text}");
    }
}

/// The edit form shows the entry's group; emptying it moves the entry to
/// General, as an empty group on a new entry does (docs/USER_GUIDE.md,
/// Forms).
#[test]
fn dispatched_edit_with_the_group_emptied_moves_the_entry_to_general() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    assert_eq!(selected_title(&app), PAYROLL);
    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    goto_dispatched(&mut app, &mut env, "Group");
    runtime::dispatch(&mut app, &mut env, Intent::ClearField);
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert!(main_of(&app).overlay.is_none(), "{:?}", status_of(&app));
    let v = fx.disk_vault();
    let (r, _, _) = v
        .entries()
        .find(|(_, _, e)| e.title == PAYROLL && e.removed.is_none())
        .expect("the entry");
    assert_eq!(v.group_name(r), crate::session::DEFAULT_GROUP);
}
