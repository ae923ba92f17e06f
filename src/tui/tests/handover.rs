//! Handing over a member's access: the checklist of what they revealed,
//! followed from pending through rotated to verified, the edit form it
//! opens, and its snapshots.

use super::{
    BANK, BOB, BOB_PASSPHRASE, Fixture, NOW, PAYROLL, ROUTER, SIZES, TYPED_PASSWORD,
    assert_no_member_secret, bob_reveals_router_and_bank, checklist_states, draw, field_text,
    fixed_times, form_of, goto_dispatched, live_entry, member_records, members_mode, select_member,
    selected_member, selected_title, snapshot_text, status_of, typed_dispatched,
};
use crate::audit::Action as LogAction;
use crate::session::ErrorKind;
use crate::tui::action::{Intent, MemberCmd};
use crate::tui::app::handover_of;
use crate::tui::{runtime, strings};

#[test]
fn dispatched_handover_lists_what_bob_revealed_and_follows_rotation_to_verified() {
    let fx = Fixture::with_members();
    bob_reveals_router_and_bank(&fx);
    let mut app = fx.main_app((120, 40));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert_eq!(members_mode(&app), "checklist bob 0");
    let (text, error) = status_of(&app);
    assert!(!error && text.contains("2 item(s) to rotate"), "{text}");
    assert_eq!(
        checklist_states(&app, BOB),
        [(BANK.to_owned(), "pending"), (ROUTER.to_owned(), "pending")],
        "exactly what bob revealed; not the payroll entry he could not read"
    );
    // Verify refuses an item whose password has not changed.
    runtime::dispatch(&mut app, &mut env, Intent::Down);
    assert_eq!(members_mode(&app), "checklist bob 1");
    let tail = fx.tail_records();
    runtime::dispatch(&mut app, &mut env, Intent::VerifyItem);
    assert!(
        status_of(&app)
            .0
            .contains("has not changed since bob saw it")
    );
    assert_eq!(fx.tail_records(), tail, "nothing recorded");

    // Enter: the router's edit form over the main view; a new password.
    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    assert_eq!(selected_title(&app), ROUTER);
    assert!(form_of(&app).back_to.is_some());
    goto_dispatched(&mut app, &mut env, "Password");
    runtime::dispatch(&mut app, &mut env, Intent::GenerateInto);
    let new_password = field_text(form_of(&app), "Password");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    // Back on the checklist, recomputed: the router is rotated.
    assert_eq!(members_mode(&app), "checklist bob 1");
    assert_eq!(
        checklist_states(&app, BOB),
        [(BANK.to_owned(), "pending"), (ROUTER.to_owned(), "rotated")]
    );
    let screen = draw(&app, 120, 40);
    assert!(!screen.contains(&new_password), "{screen}");
    assert!(screen.contains("Handover of bob · 2 of 2 left"), "{screen}");
    runtime::dispatch(&mut app, &mut env, Intent::VerifyItem);
    assert_eq!(
        status_of(&app),
        (strings::item_verified(ROUTER, BOB, 1).as_str(), false)
    );
    assert_eq!(members_mode(&app), "checklist bob 1");

    // On disk, re-opened.
    let v = fx.disk_vault();
    assert_eq!(live_entry(&v, ROUTER).password.expose(), new_password);
    let h = handover_of(&v, BOB).expect("the handover");
    let states: Vec<(&str, &str)> = h
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.state.as_str()))
        .collect();
    assert_eq!(states, [(BANK, "pending"), (ROUTER, "verified")]);
    assert_eq!(h.left, 1);
    assert_eq!(member_records(&v, LogAction::HandoverVerify).len(), 1);
    assert_eq!(member_records(&v, LogAction::MemberRevoke).len(), 1);
    drop(v);

    // Esc, then h on the revoked bob: the same checklist, nothing new.
    runtime::dispatch(&mut app, &mut env, Intent::Back);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(selected_member(&app), BOB);
    let len = fx.file_len();
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    assert_eq!(members_mode(&app), "checklist bob 0");
    assert_eq!(fx.file_len(), len);
    drop(app);
    match fx.try_open_as(BOB, BOB_PASSPHRASE) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Denied, "{e}"),
        Ok(_) => panic!("bob still opens the vault after his handover"),
    }
}

#[test]
fn esc_from_an_edit_opened_by_the_checklist_goes_back_to_it() {
    let fx = Fixture::with_members();
    bob_reveals_router_and_bank(&fx);
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    runtime::dispatch(&mut app, &mut env, Intent::Edit);
    assert_eq!(selected_title(&app), BANK);
    runtime::dispatch(&mut app, &mut env, Intent::Back);
    assert_eq!(members_mode(&app), "checklist bob 0");
    assert_eq!(checklist_states(&app, BOB)[0], (BANK.to_owned(), "pending"));
}

#[test]
fn snapshot_handover_checklist() {
    for size in SIZES {
        let fx = Fixture::with_members();
        bob_reveals_router_and_bank(&fx);
        let mut app = fx.main_app(size);
        let mut env = runtime::Env::new(fx.ctx.clone());
        runtime::dispatch(&mut app, &mut env, Intent::Members);
        select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
        runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Handover));
        let confirm = draw(&app, size.0, size.1);
        assert_no_member_secret("handover confirmation", &confirm);
        snapshot_text("handover_confirm", size, &fixed_times(&app, &confirm));
        runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
        // The router rotated in place, the bank still pending.
        runtime::dispatch(&mut app, &mut env, Intent::Down);
        runtime::dispatch(&mut app, &mut env, Intent::Edit);
        goto_dispatched(&mut app, &mut env, "Password");
        typed_dispatched(&mut app, &mut env, TYPED_PASSWORD);
        runtime::dispatch(&mut app, &mut env, Intent::Submit);
        app.clock = NOW;
        let text = draw(&app, size.0, size.1);
        assert_no_member_secret("checklist", &text);
        assert!(text.contains("Saved Office router."), "{text}");
        assert!(!text.contains(TYPED_PASSWORD), "{text}");
        assert!(
            text.contains("rotated") && text.contains("pending"),
            "{text}"
        );
        assert!(text.contains("revealed the password"), "{text}");
        assert!(
            !text.contains(PAYROLL),
            "bob never read the payroll entry:\n{text}"
        );
        snapshot_text("handover_checklist", size, &fixed_times(&app, &text));
    }
}
