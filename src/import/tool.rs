//! For the import tests that compare with `keepassxc-cli`: whether it can
//! run here. Under CI (the `CI` variable set, as `.ci/run` sets it) a
//! missing `keepassxc-cli` fails the test, since CI installs it; elsewhere
//! the test is skipped, saying so on standard error.

use std::io::Write;
use std::process::{Command, Stdio};

/// Whether `keepassxc-cli` runs; panics when it does not and CI is set.
#[track_caller]
pub(crate) fn keepassxc_cli() -> bool {
    let runs = Command::new("keepassxc-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if runs {
        return true;
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("this test");
    let how = "install it with `apt-get install --no-install-recommends keepassxc` (.ci/run does)";
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if ci {
        panic!("{test} needs keepassxc-cli: {how}");
    }
    // The harness captures `eprintln!`; a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {test} needs keepassxc-cli: {how}; with CI set this fails"
    );
    false
}
