//! The hints, footers and help as they read, word for word: the key
//! tables (`super::super::keys`, each screen's `KEYS…`) must keep drawing
//! exactly these.

/// The keys of PRODUCT.md §5 (and Tab), for `?` help: key, what it does.
pub(super) const KEYS: &[(&str, &str)] = &[
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
    ("M", "members: add, grant, revoke, handover (owners)"),
    ("H", "health: what needs attention; f fixes a password"),
    ("Ctrl-S", "save again after a failed save"),
    ("Ctrl-L", "lock now: drop every key, show what you revealed"),
    ("?", "this help"),
    ("q", "quit (clears the clipboard if it holds our value)"),
];

/// The footer's key hints (they fit 80 columns; the wide one, 100). The
/// narrow one leaves `u`/`t`, `e` and `d` to the detail view's footer and
/// `?` help; the wide one leaves `d`.
pub(super) const FOOTER_LIST: &str =
    "/ search  r reveal  c copy  n new  A log  M members  H health  ? help  q quit";

pub(super) const FOOTER_LIST_WIDE: &str = "/ search  r reveal  c/u/t copy  n new  e edit  b codes  A log  M members  H health  ? help  q quit";

pub(super) const FOOTER_SEARCH: &str = "type to filter  ⏎ keep  Esc clear  ↑↓ move";

pub(super) const FOOTER_GROUPS: &str = "↑↓ choose group  ⏎/Tab entries  ^L lock  ? help  q quit";

pub(super) const FOOTER_DETAIL: &str =
    "r reveal  c/u/t copy  e edit  d delete  b codes  Esc back  ^L lock  ? help";

pub(super) const FOOTER_OVERLAY: &str = "Esc close  ^L lock";

pub(super) const ONBOARD_KEYS: &str = "Tab/↑↓ fields · Enter next / create · Esc quit";

pub(super) const UNLOCK_HINT: &str = "Enter unlock · Tab member · Esc quit";

pub(super) const SUMMARY_HINT: &str = "Enter unlock again · q quit";

pub(super) const DELETE_KEYS: &str = "y delete · n or Esc keep it";

pub(super) const LOG_KEYS: &str = "↑↓ PgUp/PgDn scroll · v verify · Esc close";

pub(super) const FORM_KEYS: &str = "Tab/↑↓ fields · ^G generate password · Enter save · Esc cancel";

pub(super) const GENERATOR_KEYS: &str =
    "g new · w words/characters · +/- length · c copy · Esc close";

pub(super) const MEMBERS_KEYS: &str =
    "a add · g grant · x revoke · s sweep expired · h handover · ↑↓ · Esc close";

pub(super) const ADD_MEMBER_KEYS: &str = "Tab/↑↓ fields · Enter add · Esc cancel";

pub(super) const GRANT_KEYS: &str = "Enter grant · Esc cancel";

pub(super) const CONFIRM_KEYS: &str = "y yes · n or Esc no";

pub(super) const HANDOVER_KEYS: &str = "y start the handover · n or Esc cancel";

pub(super) const CHECKLIST_KEYS: &str =
    "↑↓ choose · Enter/e edit it (^G generates) · v verify · Esc members";

pub(super) const CHECKLIST_KEYS_READ_ONLY: &str = "↑↓ scroll · Esc members";

pub(super) const HEALTH_KEYS: &str =
    "↑↓ choose · Enter go to entry · f fix: new password · e edit · Esc close";

pub(super) const HELP_CLOSE: &str = "Esc, Enter or ? closes this help";
