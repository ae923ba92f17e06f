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
        // SIGTERM, so that Xvfb removes its lock file and socket.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        if self.child.wait().is_err() {
            let _ = self.child.kill();
        }
    }
}

/// Starts Xvfb on a display it chooses itself (`-displayfd`), so that
/// parallel runs and stale lock files never collide.
fn start_xvfb() -> Xvfb {
    use std::io::BufRead;
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "640x480x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (.ci/run installs the xvfb package)");
    let mut line = String::new();
    let out = child.stdout.take().expect("Xvfb's standard output");
    std::io::BufReader::new(out)
        .read_line(&mut line)
        .expect("Xvfb reports its display");
    let n: u32 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb reported {line:?}"));
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
