//! Every piece of text the TUI shows, in one place.

use super::action::CopyWhat;

pub const APP: &str = "Baton";

// Unlock screen.
pub const UNLOCK_TITLE: &str = "Unlock the vault";
pub const MEMBER: &str = "Member";
pub const PASSPHRASE: &str = "Passphrase";
pub const UNLOCK_HINT: &str = "Enter unlock · Tab member · Esc quit";
pub const DERIVING: &str = "Deriving the key from your passphrase…";
pub const WRONG_PASSPHRASE: &str = "Wrong passphrase, or no such member.";
pub const ACCESS_DENIED: &str = "Access denied.";
pub const LOCKED_ELSEWHERE: &str = "The vault is open in another Baton process.";
pub const DAMAGED: &str = "The vault file is damaged or was altered.";
pub const CANNOT_OPEN: &str = "The vault cannot be opened.";
pub const TYPE_PASSPHRASE: &str = "Type your passphrase, then Enter.";
pub const PASSPHRASE_TOO_LONG: &str = "That passphrase is longer than Baton accepts (1024 bytes).";

// First run.
pub const ONBOARD_TITLE: &str = "Create your firm's vault";
pub const ONBOARD_INTRO: &str =
    "No vault here yet. You become its owner; contractors get their own passphrases later.";
pub const ONBOARD_KEYS: &str = "Tab/↑↓ fields · Enter next / create · Esc quit";
pub const CREATING: &str = "Creating the vault; tuning key derivation to about a second…";
pub const NAME_REQUIRED: &str = "Type your name (it appears in the access log).";
pub const PASSPHRASE_SHORT: &str =
    "Use at least 12 characters; 5 or more random words are easier to type.";
pub const PASSPHRASES_DIFFER: &str = "The two passphrases differ; type it again.";
pub const RECOVERY_TITLE: &str = "Recovery code: shown once";
pub const RECOVERY_EXPLAIN: &str = "If the passphrase is lost, this code opens the vault as its owner (baton --recovery passwd). Write it down and keep it offline, away from this computer.";
pub const RECOVERY_CONFIRM: &str = "Press y once you have stored it.";
pub const CREATED: &str = "Vault created. Unlock it with your passphrase.";

// Main view.
pub const GROUPS: &str = "Groups";
pub const ALL: &str = "All";
pub const ENTRIES: &str = "Entries";
pub const SEARCH_PROMPT: &str = "/ search";
pub const NO_ENTRIES: &str = "Nothing yet: n adds one.";
pub const NO_MATCH: &str = "Nothing matches.";
pub const NOTHING_SELECTED: &str = "Select an entry to see it here.";
pub const DETAILS: &str = "Details";
pub const MASK: &str = "••••••••";
pub const HELP_TITLE: &str = "Keys";
pub const HELP_CLOSE: &str = "Esc, Enter or ? closes this help";

// Shift summary.
pub const SUMMARY_TITLE: &str = "Vault locked";
pub const SUMMARY_NONE: &str = "Nothing was revealed or copied in this session.";
pub const SUMMARY_HINT: &str = "Enter unlock again · q quit";
pub const LOCKED_IDLE: &str = "Locked after a while without a key press; every key was dropped.";
pub const LOCKED_ASKED: &str = "Locked; every key and decrypted value was dropped.";

/// The keys of PRODUCT.md §5 (and Tab), for `?` help: key, what it does.
pub const KEYS: &[(&str, &str)] = &[
    ("↑/↓  j/k", "move"),
    ("PgUp/PgDn Home/End", "move by page, to the ends"),
    (
        "Enter",
        "open; in search: keep the filter, best match first",
    ),
    ("Esc", "back; in search: clear it"),
    ("Tab", "groups pane ↔ entry list"),
    (
        "/",
        "search as you type (titles, groups, users, URLs, tags)",
    ),
    ("r", "reveal/hide concealed values (logged; hides in 15 s)"),
    (
        "c  u  t",
        "copy password, username, TOTP code (logged; 20 s)",
    ),
    ("n  e  d", "new entry, edit, delete (asks first)"),
    ("g", "password generator (in a form: Ctrl-G)"),
    ("b", "backup codes (logged); x marks one used"),
    ("A", "access log (yours, or everyone's for owners)"),
    ("Ctrl-S", "save again after a failed save"),
    ("Ctrl-L", "lock now: drop every key, show what you revealed"),
    ("?", "this help"),
    ("q", "quit (clears the clipboard if it holds our value)"),
];

/// The footer's key hints (they fit 80 columns).
pub const FOOTER_LIST: &str =
    "/ search  r reveal  c/u/t copy  n new  e edit  b codes  A log  ? help  q quit";
pub const FOOTER_SEARCH: &str = "type to filter  ⏎ keep  Esc clear  ↑↓ move";
pub const FOOTER_GROUPS: &str = "↑↓ choose group  ⏎/Tab entries  ^L lock  ? help  q quit";
pub const FOOTER_DETAIL: &str =
    "r reveal  c/u/t copy  e edit  d delete  b codes  Esc back  ^L lock  ? help";
pub const FOOTER_OVERLAY: &str = "Esc close  ^L lock";
pub const LOST_ON_LOCK: &str =
    "The last changes could not be saved and were dropped with the session.";
pub const NOTHING_CONCEALED: &str = "This entry has no concealed value to reveal.";
pub const WEAK_KDF: &str = "Weak-KDF vault: its passphrases are cheap to guess (tests, demos).";

pub fn what(w: CopyWhat) -> &'static str {
    match w {
        CopyWhat::Password => "password",
        CopyWhat::Username => "username",
        CopyWhat::TotpCode => "TOTP code",
    }
}

pub fn copied(title: &str, w: CopyWhat, secs: u64) -> String {
    format!(
        "Copied {title}'s {}; the clipboard is cleared in {secs} s.",
        what(w)
    )
}

pub fn nothing_to_copy(title: &str, w: CopyWhat) -> String {
    match w {
        CopyWhat::TotpCode => format!("{title} has no TOTP."),
        _ => format!("{title} has no {}.", what(w)),
    }
}

pub const DELETE_TITLE: &str = "Delete";
pub const DELETE_EXPLAIN: &str =
    "It disappears from every member's list; the owner keeps it in the history.";
pub const DELETE_KEYS: &str = "y delete · n or Esc keep it";
pub const LOG_KEYS: &str = "↑↓ PgUp/PgDn scroll · Esc close";
pub const NEW_TITLE: &str = "New entry";
pub const EDIT_TITLE: &str = "Edit entry";
pub const UNCHANGED: &str = "(unchanged)";
pub const SAVING: &str = "Saving…";
pub const FORM_KEYS: &str = "Tab/↑↓ fields · ^G generate password · Enter save · Esc cancel";
pub const GENERATOR_TITLE: &str = "Generator";
pub const GENERATOR_KEYS: &str = "g new · w words/characters · +/- length · c copy · Esc close";
pub const CODE_ALREADY_USED: &str = "That backup code is already used.";
pub const TITLE_REQUIRED: &str = "An entry needs a title.";

pub fn code_marked(n: usize, left: usize) -> String {
    if left < 3 {
        format!("Backup code {n} marked used; only {left} left: generate new ones at the service.")
    } else {
        format!("Backup code {n} marked used; {left} left.")
    }
}

pub fn not_saved(why: &str) -> String {
    format!("Not saved: {why}. The change is kept; Ctrl-S tries again.")
}

pub fn codes_keys(secs_left: u64) -> String {
    format!("↑↓ choose · x mark used · Esc close · hidden in {secs_left} s")
}

pub fn no_codes(title: &str) -> String {
    format!("{title} has no backup codes.")
}

pub fn generated_copied(secs: u64) -> String {
    format!("Copied the generated password; the clipboard is cleared in {secs} s.")
}

pub fn entry_count(shown: usize, total: usize) -> String {
    if shown == total {
        format!("{total} entries")
    } else {
        format!("{shown} of {total}")
    }
}
