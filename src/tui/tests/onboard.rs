//! First run: the onboarding form, checked field by field before the vault
//! is created, and the recovery code shown once until the owner confirms.

use super::{LABEL, NOW, SIZES, at, draw, snapshot, snapshot_text, typed, unlock_of};
use crate::tui::action::{Intent, Msg, Outcome};
use crate::tui::app::{App, OnboardField, OnboardScreen, Screen, Settings};
use crate::tui::strings;

fn onboard_app() -> App {
    App::new(
        LABEL.into(),
        Screen::Onboard(OnboardScreen::new()),
        Settings::default(),
    )
}

#[test]
fn onboarding_checks_every_field_before_creating() {
    let mut app = onboard_app();
    let error = |app: &App| match &app.screen {
        Screen::Onboard(o) => (o.cursor, o.error.clone()),
        _ => panic!("not on the onboarding screen"),
    };
    // Enter moves to the next field until the last.
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(error(&app).0, OnboardField::Domain);
    at(&mut app, Intent::PrevField, NOW);
    typed(&mut app, "ana smith", NOW);
    for _ in 0..3 {
        at(&mut app, Intent::NextPane, NOW);
    }
    assert!(
        at(&mut app, Intent::Open, NOW).is_empty(),
        "a name with a space"
    );
    assert_eq!(error(&app).0, OnboardField::Owner);
    for _ in 0..6 {
        at(&mut app, Intent::Backspace, NOW);
    }
    at(&mut app, Intent::NextPane, NOW);
    typed(&mut app, "not a domain", NOW);
    at(&mut app, Intent::NextPane, NOW);
    at(&mut app, Intent::NextPane, NOW);
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(error(&app).0, OnboardField::Domain, "{:?}", error(&app).1);
    at(&mut app, Intent::ClearField, NOW);
    for _ in 0.."not a domain".len() {
        at(&mut app, Intent::Backspace, NOW);
    }
    typed(&mut app, "acme.test", NOW);
    at(&mut app, Intent::NextPane, NOW);
    typed(&mut app, "short", NOW);
    at(&mut app, Intent::NextPane, NOW);
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(
        error(&app),
        (
            OnboardField::Passphrase,
            Some(strings::PASSPHRASE_SHORT.into())
        )
    );
    typed(&mut app, " but longer now", NOW);
    at(&mut app, Intent::NextPane, NOW);
    typed(&mut app, "short but longer nov", NOW);
    assert!(at(&mut app, Intent::Open, NOW).is_empty());
    assert_eq!(
        error(&app),
        (
            OnboardField::Repeat,
            Some(strings::PASSPHRASES_DIFFER.into())
        )
    );
    typed(&mut app, "short but longer now", NOW);
    assert_eq!(at(&mut app, Intent::Open, NOW), ["Create(ana)"]);
    let Screen::Onboard(o) = &app.screen else {
        panic!("still onboarding while the vault is created");
    };
    assert!(o.busy_since.is_some());
    assert!(
        o.passphrase.is_empty() && o.repeat.is_empty(),
        "handed over"
    );
}

#[test]
fn the_recovery_code_stays_until_the_owner_confirms() {
    let mut app = onboard_app();
    typed(&mut app, "ana", NOW);
    let code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789";
    at(
        &mut app,
        Msg::Outcome(Outcome::Created(Ok(zeroize::Zeroizing::new(
            code.to_owned(),
        )))),
        NOW,
    );
    assert!(matches!(app.screen, Screen::Recovery(_)));
    for a in [
        Intent::Open.into(),
        Intent::Back.into(),
        Intent::Char('q').into(),
        Msg::Tick,
    ] {
        at(&mut app, a, NOW);
        assert!(matches!(app.screen, Screen::Recovery(_)), "left too early");
    }
    at(&mut app, Intent::Confirm(true), NOW);
    let u = unlock_of(&app);
    assert_eq!(u.members, ["ana"], "the new owner is offered");
    assert!(draw(&app, 80, 24).contains(strings::UNLOCK_TITLE));
    assert!(!draw(&app, 80, 24).contains(code), "the code is shown once");
}

#[test]
fn snapshot_onboarding_and_recovery() {
    for size in SIZES {
        let mut app = onboard_app();
        typed(&mut app, "ana", NOW);
        at(&mut app, Intent::NextPane, NOW);
        typed(&mut app, "acme.test", NOW);
        at(&mut app, Intent::NextPane, NOW);
        typed(&mut app, "Xq7-payroll-SECRET-91", NOW);
        let text = snapshot("onboarding", &app, size);
        assert!(text.contains("strong"), "the strength hint:\n{text}");
        let mut app = onboard_app();
        at(
            &mut app,
            Msg::Outcome(Outcome::Created(Ok(zeroize::Zeroizing::new(
                "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789".to_owned(),
            )))),
            NOW,
        );
        let text = draw(&app, size.0, size.1);
        snapshot_text("recovery", size, &text);
        assert!(text.contains("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789"));
    }
}
