//! The members view (`M`): who may open it, the add-member form, grant,
//! revoke and the expiry sweep, as `update` transitions and as changes to
//! a real vault file re-opened from disk; and its snapshots.

use ratatui::crossterm::event::KeyCode;

use super::{
    BOB, BOB_PASSPHRASE, CAROL, DANA, DANA_PASSPHRASE, ERIN_PASSPHRASE, Fixture, NOW, OWNER,
    ROUTER, SIZES, T0, assert_no_member_secret, at, ctrl, draw, fixed_times, hit_titles, key,
    main_mut, main_of, mapped, member_records, members_mode, members_of, no_effects, press, pure,
    select_member, selected_member, snapshot_text, status_of, typed, typed_dispatched,
};
use crate::audit::Action as LogAction;
use crate::format::{self, Role};
use crate::session::ErrorKind;
use crate::tui::action::{Intent, MemberCmd, MemberOp, MemberReport, Msg, Outcome};
use crate::tui::app::{
    App, MemberField, MemberForm, MembersMode, MembersView, Now, Overlay, member_rows,
};
use crate::tui::fields::Fields;
use crate::tui::{runtime, strings};
use crate::vault;

fn member_form_of(app: &App) -> &MemberForm {
    match &members_of(app).mode {
        MembersMode::Add(f) => f,
        _ => panic!("the add-member form is not open"),
    }
}

fn member_id(v: &vault::Vault, name: &str) -> format::MemberId {
    v.manifest()
        .members
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no member {name}"))
        .id
}

/// Types into the add form's fields, Tab by Tab from the name.
fn fill_member_form(app: &mut App, fields: [&str; 6], mut act: impl FnMut(&mut App, Intent)) {
    assert_eq!(member_form_of(app).cursor, MemberField::Name);
    for (field, text) in MemberField::ALL.iter().zip(fields) {
        if *field == MemberField::Role {
            // The role is chosen by its initial.
            if let Some(c) = text.chars().next() {
                act(app, Intent::Char(c));
            }
        } else {
            act(app, Intent::ClearField);
            for c in text.chars() {
                act(app, Intent::Char(c));
            }
        }
        act(app, Intent::NextPane);
    }
}

#[test]
fn keymap_members_view_by_mode() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    assert_eq!(mapped(&app, key('M')), "Members");
    at(&mut app, Intent::Members, NOW);
    for (k, want) in [
        (key('a'), "Member(Add)"),
        (key('g'), "Member(Grant)"),
        (key('x'), "Member(Revoke)"),
        (key('s'), "Member(Sweep)"),
        (key('h'), "Member(Handover)"),
        (key('j'), "Down"),
        (press(KeyCode::Up), "Up"),
        (press(KeyCode::Esc), "Back"),
        (key('M'), "Back"),
        (key('q'), "Quit"),
        // Entry commands mean nothing here.
        (key('r'), "none"),
        (key('c'), "none"),
        (ctrl('l'), "Lock"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the member list");
    }
    // The add form types letters that are commands in the list.
    at(&mut app, Intent::Member(MemberCmd::Add), NOW);
    for (k, want) in [
        (key('a'), "Char(a)"),
        (key('x'), "Char(x)"),
        (key('q'), "Char(q)"),
        (press(KeyCode::Enter), "Submit"),
        (press(KeyCode::Tab), "NextPane"),
        (press(KeyCode::BackTab), "PrevField"),
        (press(KeyCode::Esc), "Back"),
        (ctrl('u'), "ClearField"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in the add form");
    }
    at(&mut app, Intent::Back, NOW);
    select_member(&mut app, BOB, pure);
    at(&mut app, Intent::Member(MemberCmd::Revoke), NOW);
    for (k, want) in [
        (key('y'), "Confirm(true)"),
        (key('n'), "Confirm(false)"),
        (press(KeyCode::Esc), "Confirm(false)"),
        (key('x'), "none"),
        (press(KeyCode::Enter), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in a confirmation");
    }
    main_mut(&mut app)
        .overlay
        .replace(Overlay::Members(Box::new(MembersView {
            cursor: 1,
            mode: MembersMode::Checklist {
                member: BOB.into(),
                cursor: 0,
            },
        })));
    for (k, want) in [
        (key('v'), "VerifyItem"),
        (press(KeyCode::Enter), "Edit"),
        (key('e'), "Edit"),
        (key('k'), "Up"),
        (press(KeyCode::Esc), "Back"),
        (key('x'), "none"),
    ] {
        assert_eq!(mapped(&app, k), want, "{k:?} in a checklist");
    }
}

#[test]
fn members_open_for_owners_read_only_for_auditors_and_not_for_contractors() {
    let fx = Fixture::with_members();
    {
        let mut app = fx.app_as(BOB, BOB_PASSPHRASE, (80, 24));
        assert_eq!(at(&mut app, Intent::Members, NOW), no_effects());
        assert!(main_of(&app).overlay.is_none());
        assert_eq!(status_of(&app), (strings::MEMBERS_OWNERS_ONLY, false));
        let text = draw(&app, 80, 24);
        assert!(!text.contains(CAROL) && !text.contains(DANA), "{text}");
    }
    {
        let mut app = fx.app_as(DANA, DANA_PASSPHRASE, (80, 24));
        at(&mut app, Intent::Members, NOW);
        assert_eq!(members_mode(&app), "list");
        let text = draw(&app, 80, 24);
        assert!(
            text.contains("Read-only: owners change members · h a recorded handover · Esc close"),
            "{text}"
        );
        select_member(&mut app, BOB, pure);
        for cmd in [
            MemberCmd::Add,
            MemberCmd::Grant,
            MemberCmd::Revoke,
            MemberCmd::Sweep,
            MemberCmd::Handover,
        ] {
            app.status = None;
            assert_eq!(at(&mut app, Intent::Member(cmd), NOW), no_effects());
            assert_eq!(members_mode(&app), "list", "{cmd:?}");
            assert_eq!(status_of(&app), (strings::MEMBERS_READ_ONLY, true));
        }
    }
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(selected_member(&app), OWNER);
    // Ctrl-S writes what a failed save left; the view stays open.
    assert_eq!(at(&mut app, Intent::Submit, NOW), ["Change(Retry)"]);
    let saved = Msg::Outcome(Outcome::Saved {
        entry: None,
        message: "Saved.".into(),
        error: false,
    });
    at(&mut app, saved, NOW);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(at(&mut app, Intent::Back, NOW), no_effects());
    assert!(main_of(&app).overlay.is_none(), "Esc closes it");
}

#[test]
fn member_rows_hold_roles_groups_expiry_and_activity() {
    let fx = Fixture::with_members();
    let app = fx.main_app((80, 24));
    let rows = member_rows(&main_of(&app).session.vault);
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [OWNER, BOB, CAROL, DANA]);
    assert_eq!(rows[1].groups, ["Finance", "IT/Network"]);
    assert_eq!(rows[2].groups, ["Finance"]);
    assert!(rows[3].groups.is_empty(), "an auditor holds no group");
    assert!(rows[2].expired(NOW.unix));
    assert!(!rows[2].expired(T0), "not yet at midnight");
    assert!(!rows[1].expired(NOW.unix));
    // The owner's unlock is recorded; nobody has revealed anything.
    assert!(rows[0].last_unlock.is_some());
    assert_eq!(rows[1].last_unlock, None);
    assert!(rows.iter().all(|r| r.reveals == 0));
}

#[test]
fn add_member_form_checks_every_field_before_asking_the_runtime() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    at(&mut app, Intent::Member(MemberCmd::Add), NOW);
    assert_eq!(members_mode(&app), "add");
    assert_eq!(member_form_of(&app).role, Role::Contractor, "the default");
    let submit = |app: &mut App| at(app, Intent::Submit, NOW);
    // (fields typed, the field at fault, what the error says)
    let p = ERIN_PASSPHRASE;
    let cases: [([&str; 6], MemberField, &str); 8] = [
        (
            ["", "c", "Finance", "", p, p],
            MemberField::Name,
            strings::MEMBER_NAME_REQUIRED,
        ),
        (
            [BOB, "c", "Finance", "", p, p],
            MemberField::Name,
            "already a member named bob",
        ),
        (
            ["erin", "c", "", "", p, p],
            MemberField::Groups,
            strings::CONTRACTOR_NEEDS_GROUPS,
        ),
        (
            ["erin", "o", "Finance", "", p, p],
            MemberField::Groups,
            strings::GROUPS_FOR_CONTRACTORS,
        ),
        (
            ["erin", "c", "Finance", "2026-13-01", p, p],
            MemberField::Expires,
            "YYYY-MM-DD",
        ),
        // Before NOW (2026-01-01 09:30).
        (
            ["erin", "c", "Finance", "2025-12-31", p, p],
            MemberField::Expires,
            strings::EXPIRY_PASSED,
        ),
        (
            ["erin", "c", "Finance", "", "too short", "too short"],
            MemberField::Passphrase,
            strings::PASSPHRASE_SHORT,
        ),
        (
            ["erin", "a", "", "", p, "something else entirely"],
            MemberField::Repeat,
            strings::PASSPHRASES_DIFFER,
        ),
    ];
    for (fields, field, says) in cases {
        pure(&mut app, Intent::Back);
        pure(&mut app, Intent::Member(MemberCmd::Add));
        fill_member_form(&mut app, fields, pure);
        assert_eq!(submit(&mut app), no_effects(), "{fields:?}");
        let f = member_form_of(&app);
        assert_eq!(f.cursor, field, "{fields:?}");
        let error = f.error.clone().unwrap_or_default();
        assert!(error.contains(says), "{fields:?}: {error:?}");
        // The form keeps what was typed (the repeat is typed again).
        assert_eq!(f.name, fields[0]);
        assert_eq!(f.groups, fields[2]);
        assert_eq!(f.passphrase.peek(), fields[4]);
        if field == MemberField::Repeat {
            assert!(f.repeat.is_empty());
        }
    }
    pure(&mut app, Intent::Back);
    pure(&mut app, Intent::Member(MemberCmd::Add));
    fill_member_form(
        &mut app,
        ["erin", "c", "Finance, IT/Network", "2099-12-31", p, p],
        pure,
    );
    assert_eq!(submit(&mut app), ["Member(Add)"]);
    // Refused by the runtime: the form stays, filled in, with the reason.
    let refused = Msg::Outcome(Outcome::MemberDone(Err("no group named \"Nope\"".into())));
    assert_eq!(at(&mut app, refused, NOW), no_effects());
    let f = member_form_of(&app);
    assert_eq!(f.error.as_deref(), Some("no group named \"Nope\""));
    assert_eq!((f.name.as_str(), f.passphrase.peek()), ("erin", p));
    // Esc goes back to the list; Esc again closes the view.
    pure(&mut app, Intent::Back);
    assert_eq!(members_mode(&app), "list");
}

#[test]
fn add_member_role_is_chosen_by_initial_or_space() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    at(&mut app, Intent::Member(MemberCmd::Add), NOW);
    pure(&mut app, Intent::NextPane);
    let role = |app: &App| member_form_of(app).role;
    for (c, want) in [
        ('o', Role::Owner),
        ('a', Role::Auditor),
        ('c', Role::Contractor),
        (' ', Role::Owner),
        (' ', Role::Auditor),
        (' ', Role::Contractor),
        ('z', Role::Contractor),
    ] {
        pure(&mut app, Intent::Char(c));
        assert_eq!(role(&app), want, "{c:?}");
    }
}

#[test]
fn revoke_sweep_and_handover_ask_first() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    // Not yourself.
    assert_eq!(selected_member(&app), OWNER);
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Revoke), NOW),
        no_effects()
    );
    assert_eq!(status_of(&app), (strings::NOT_YOURSELF, true));
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Handover), NOW),
        no_effects()
    );
    assert_eq!(members_mode(&app), "list");

    select_member(&mut app, BOB, pure);
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Revoke), NOW),
        no_effects()
    );
    assert_eq!(members_mode(&app), "confirm Revoke(\"bob\")");
    let text = draw(&app, 80, 24);
    assert!(text.contains("Revoke bob?"), "{text}");
    assert_eq!(at(&mut app, Intent::Confirm(false), NOW), no_effects());
    assert_eq!(members_mode(&app), "list");
    at(&mut app, Intent::Member(MemberCmd::Revoke), NOW);
    assert_eq!(
        at(&mut app, Intent::Confirm(true), NOW),
        [format!("Member({:?})", MemberOp::Revoke(vec![BOB.into()]))]
    );

    pure(&mut app, Intent::Back);
    // The sweep names the expired memberships as of the instant given.
    app.status = None;
    let before = Now {
        ms: NOW.ms,
        unix: T0,
    };
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Sweep), before),
        no_effects()
    );
    assert_eq!(status_of(&app), (strings::NONE_EXPIRED, false));
    assert_eq!(members_mode(&app), "list");
    at(&mut app, Intent::Member(MemberCmd::Sweep), NOW);
    assert_eq!(members_mode(&app), "confirm Sweep([\"carol\"])");
    assert_eq!(
        at(&mut app, Intent::Confirm(true), NOW),
        [format!(
            "Member({:?})",
            MemberOp::Revoke(vec![CAROL.into()])
        )]
    );

    pure(&mut app, Intent::Back);
    select_member(&mut app, BOB, pure);
    at(&mut app, Intent::Member(MemberCmd::Handover), NOW);
    assert_eq!(
        members_mode(&app),
        "confirm Handover { name: \"bob\", revoked: false }"
    );
    let text = draw(&app, 120, 40);
    assert!(text.contains("Hand over bob's access?"), "{text}");
    assert!(text.contains("1. Revoke bob"), "{text}");
    assert_eq!(
        at(&mut app, Intent::Confirm(true), NOW),
        [format!("Member({:?})", MemberOp::Handover(BOB.into()))]
    );
}

#[test]
fn grant_is_for_contractors_and_needs_a_group() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    at(&mut app, Intent::Members, NOW);
    select_member(&mut app, DANA, pure);
    assert_eq!(
        at(&mut app, Intent::Member(MemberCmd::Grant), NOW),
        no_effects()
    );
    assert_eq!(status_of(&app), (strings::GROUPS_FOR_CONTRACTORS, true));
    assert_eq!(members_mode(&app), "list");
    select_member(&mut app, CAROL, pure);
    at(&mut app, Intent::Member(MemberCmd::Grant), NOW);
    assert_eq!(members_mode(&app), "grant carol");
    assert_eq!(at(&mut app, Intent::Submit, NOW), no_effects());
    match &members_of(&app).mode {
        MembersMode::Grant(g) => assert_eq!(g.error.as_deref(), Some(strings::GROUPS_REQUIRED)),
        _ => panic!("the grant closed"),
    }
    typed(&mut app, " IT/Network , ", NOW);
    assert_eq!(
        at(&mut app, Intent::Open, NOW),
        [format!(
            "Member({:?})",
            MemberOp::Grant {
                name: CAROL.into(),
                groups: vec!["IT/Network".into()]
            }
        )]
    );
    // Refused by the runtime: what was typed stays, with the reason.
    at(
        &mut app,
        Msg::Outcome(Outcome::MemberDone(Err("nope".into()))),
        NOW,
    );
    match &members_of(&app).mode {
        MembersMode::Grant(g) => {
            assert_eq!(g.error.as_deref(), Some("nope"));
            assert_eq!(g.groups, " IT/Network , ");
        }
        _ => panic!("the grant closed"),
    }
    // Done: back to the list, with the runtime's message.
    let done = MemberReport {
        message: "Granted.".into(),
        error: false,
        checklist: None,
    };
    at(&mut app, Msg::Outcome(Outcome::MemberDone(Ok(done))), NOW);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(selected_member(&app), CAROL);
    assert_eq!(status_of(&app), ("Granted.", false));
}

#[test]
fn dispatched_add_member_can_unlock_with_the_new_passphrase_and_reads_only_the_granted_group() {
    let fx = Fixture::new();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    let mut act = |app: &mut App, a: Intent| runtime::dispatch(app, &mut env, a);
    act(&mut app, Intent::Members);
    act(&mut app, Intent::Member(MemberCmd::Add));
    let p = ERIN_PASSPHRASE;
    // A group that does not exist: refused by the vault, the form stays.
    let before = fx.bytes();
    fill_member_form(&mut app, ["erin", "c", "Nope", "", p, p], &mut act);
    act(&mut app, Intent::Submit);
    let f = member_form_of(&app);
    assert!(
        f.error
            .as_deref()
            .unwrap_or_default()
            .contains("no group named"),
        "{:?}",
        f.error
    );
    assert_eq!((f.name.as_str(), f.passphrase.peek()), ("erin", p));
    assert_eq!(fx.bytes(), before, "a refused form changes nothing on disk");

    act(&mut app, Intent::PrevField);
    act(&mut app, Intent::PrevField);
    act(&mut app, Intent::PrevField);
    act(&mut app, Intent::PrevField);
    assert_eq!(member_form_of(&app).cursor, MemberField::Groups);
    act(&mut app, Intent::ClearField);
    typed_dispatched(&mut app, &mut env, "IT/Network");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(
        status_of(&app),
        ("Added erin as a contractor with IT/Network.", false)
    );
    assert_eq!(main_of(&app).hits.len(), 3, "the owner's list is intact");

    let v = fx.disk_vault();
    let erin = member_id(&v, "erin");
    let m = v
        .manifest()
        .members
        .iter()
        .find(|m| m.id == erin)
        .expect("erin");
    assert_eq!(m.role, Role::Contractor);
    assert_eq!(m.expires_at, None);
    let adds = member_records(&v, LogAction::MemberAdd);
    assert_eq!(adds.len(), 1);
    assert_eq!(adds[0].target, Some(erin));
    assert_eq!(adds[0].member, v.me().id);
    drop(v);
    drop(app);

    assert!(
        fx.try_open_as("erin", "not erin's passphrase").is_err(),
        "a wrong passphrase opened erin's slot"
    );
    let erin = fx.app_as("erin", ERIN_PASSPHRASE, (80, 24));
    assert_eq!(hit_titles(&erin), [ROUTER], "erin reads IT/Network only");
    let rows = member_rows(&main_of(&erin).session.vault);
    let row = rows.iter().find(|r| r.name == "erin").expect("erin's row");
    assert_eq!(row.groups, ["IT/Network"]);
}

#[test]
fn dispatched_grant_seals_the_group_to_the_contractor_with_a_record() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, CAROL, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Grant));
    typed_dispatched(&mut app, &mut env, "IT/Network, Finance");
    runtime::dispatch(&mut app, &mut env, Intent::Submit);
    assert_eq!(members_mode(&app), "list");
    assert_eq!(
        status_of(&app),
        (strings::granted(1, CAROL).as_str(), false),
        "Finance was held already"
    );
    let v = fx.disk_vault();
    let carol = member_id(&v, CAROL);
    let network = v
        .groups()
        .iter()
        .find(|g| g.name == "IT/Network")
        .expect("IT/Network")
        .id;
    let grants = member_records(&v, LogAction::MemberGrant);
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].target, grants[0].group),
        (Some(carol), Some(network))
    );
    let row = member_rows(&v)
        .into_iter()
        .find(|r| r.name == CAROL)
        .expect("carol");
    assert_eq!(row.groups, ["Finance", "IT/Network"]);
}

#[test]
fn dispatched_revoke_refuses_the_passphrase_and_records_it() {
    let fx = Fixture::with_members();
    // Bob can unlock before.
    drop(
        fx.try_open_as(BOB, BOB_PASSPHRASE)
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    select_member(&mut app, BOB, |a, x| runtime::dispatch(a, &mut env, x));
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Revoke));
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert_eq!(members_mode(&app), "list");
    let (text, error) = status_of(&app);
    assert!(
        !error && text.starts_with("Revoked bob: 2 groups re-keyed"),
        "{text}"
    );
    assert_eq!(
        main_of(&app).hits.len(),
        3,
        "the owner still reads every entry"
    );
    assert_eq!(selected_member(&app), BOB, "the cursor stays on bob");
    let screen = draw(&app, 120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("bob ") && l.contains("contractor"))
        .unwrap_or_else(|| panic!("no row for bob:\n{screen}"));
    assert!(row.contains(strings::REVOKED), "{row}");

    let v = fx.disk_vault();
    let bob = member_id(&v, BOB);
    let revokes = member_records(&v, LogAction::MemberRevoke);
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].target, Some(bob));
    assert!(
        v.manifest()
            .members
            .iter()
            .any(|m| m.id == bob && m.revoked_at.is_some())
    );
    assert_eq!(
        v.entries().count(),
        3,
        "the re-keyed groups open for the owner"
    );
    drop(v);
    drop(app);
    match fx.try_open_as(BOB, BOB_PASSPHRASE) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Denied, "{e}"),
        Ok(_) => panic!("a revoked member's passphrase still opens the vault"),
    }
    // Carol was not touched.
    drop(
        fx.try_open_as(DANA, DANA_PASSPHRASE)
            .unwrap_or_else(|e| panic!("{e}")),
    );
}

#[test]
fn dispatched_sweep_revokes_only_the_expired_membership() {
    let fx = Fixture::with_members();
    let mut app = fx.main_app((80, 24));
    let mut env = runtime::Env::new(fx.ctx.clone());
    runtime::dispatch(&mut app, &mut env, Intent::Members);
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Sweep));
    assert_eq!(members_mode(&app), "confirm Sweep([\"carol\"])");
    runtime::dispatch(&mut app, &mut env, Intent::Confirm(true));
    assert!(
        status_of(&app).0.starts_with("Revoked carol:"),
        "{:?}",
        status_of(&app)
    );
    let v = fx.disk_vault();
    let revoked: Vec<&str> = v
        .manifest()
        .members
        .iter()
        .filter(|m| m.revoked_at.is_some())
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(revoked, [CAROL]);
    assert!(v.expired_members(crate::os::now()).is_empty());
    // Nothing left to sweep.
    runtime::dispatch(&mut app, &mut env, Intent::Member(MemberCmd::Sweep));
    assert_eq!(status_of(&app), (strings::NONE_EXPIRED, false));
}

#[test]
fn snapshot_members() {
    let fx = Fixture::with_members();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Members, NOW);
        select_member(&mut app, CAROL, pure);
        let text = draw(&app, size.0, size.1);
        assert_no_member_secret("members", &text);
        let text = fixed_times(&app, &text);
        for name in [OWNER, BOB, CAROL, DANA] {
            assert!(text.contains(name), "{name}:\n{text}");
        }
        let carol = text
            .lines()
            .find(|l| l.contains("carol ") && l.contains("contractor"))
            .unwrap_or_else(|| panic!("no row for carol:\n{text}"));
        assert!(carol.contains(strings::EXPIRED), "{carol}");
        assert!(carol.contains("2026-01-01"), "{carol}");
        assert_eq!(text.matches(strings::EXPIRED).count(), 1, "{text}");
        assert!(text.contains(super::expected::MEMBERS_KEYS), "{text}");
        snapshot_text("members", size, &text);
    }
}

#[test]
fn snapshot_member_form() {
    let fx = Fixture::with_members();
    for size in SIZES {
        let mut app = fx.main_app(size);
        at(&mut app, Intent::Members, NOW);
        at(&mut app, Intent::Member(MemberCmd::Add), NOW);
        fill_member_form(
            &mut app,
            [
                "erin",
                "c",
                "IT/Network",
                "2026-06-30",
                ERIN_PASSPHRASE,
                ERIN_PASSPHRASE,
            ],
            pure,
        );
        at(&mut app, Intent::NextPane, NOW);
        let text = draw(&app, size.0, size.1);
        assert_no_member_secret("member form", &text);
        let dots = "•".repeat(ERIN_PASSPHRASE.chars().count());
        assert_eq!(text.matches(&dots).count(), 2, "{text}");
        assert!(text.contains(strings::ADD_MEMBER_TITLE), "{text}");
        snapshot_text("member_form", size, &fixed_times(&app, &text));
    }
}
