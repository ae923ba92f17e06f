//! `get --copy` on a real X display (Xvfb): the value reaches the
//! clipboard, standard output stays clean, and the clipboard is cleared.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{Env, code, stderr};

/// One X clipboard test at a time: they share display numbers and time.
static X_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_xvfb() -> Xvfb {
    for n in 91..120 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", "640x480x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (.ci/run installs the xvfb package)");
        let x = Xvfb {
            child,
            display: format!(":{n}"),
        };
        for _ in 0..100 {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return x;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("Xvfb :{n} did not start");
    }
    panic!("no free X display number");
}

fn clipboard(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .expect("xclip is installed (.ci/run installs the xclip package)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn copy_reaches_the_clipboard_and_is_cleared() {
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Bank", "--password-stdin"], "clip-Secret-77\n");
    let out = env
        .cmd(&["get", "Bank", "--copy"])
        .env("DISPLAY", &x.display)
        .env("BATON_CLIPBOARD_SECONDS", "3")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing printed when copying");
    assert!(stderr(&out).contains("cleared in 3 s"));
    assert_eq!(clipboard(&x.display), "clip-Secret-77");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(clipboard(&x.display), "", "cleared after the timeout");
}

#[test]
fn copy_does_not_clear_what_the_user_copied_since() {
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Bank", "--password-stdin"], "clip-Secret-88\n");
    let out = env
        .cmd(&["get", "Bank", "--copy"])
        .env("DISPLAY", &x.display)
        .env("BATON_CLIPBOARD_SECONDS", "3")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut other = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env("DISPLAY", &x.display)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        other
            .stdin
            .take()
            .unwrap()
            .write_all(b"something else")
            .unwrap();
    }
    other.wait().unwrap();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(clipboard(&x.display), "something else");
}
