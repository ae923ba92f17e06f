//! The TUI's whole state. Only [`super::update`] changes it; the view
//! reads it. The unlocked session (keys, decrypted entries, the vault's
//! lock) lives in [`MainScreen`] and nowhere else, so locking is dropping
//! that screen.

use zeroize::Zeroize;

use crate::secret::Passphrase;
use crate::session::Context;

/// The time an update sees: a monotonic clock in milliseconds (for
/// timeouts) and the wall clock in Unix seconds (for TOTP and the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    pub ms: u64,
    pub unix: i64,
}

/// Timeouts, from the command line and environment.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Lock after this long without a key press (default 5 minutes).
    pub idle_lock_ms: u64,
    /// Hide a revealed entry after this long (15 s).
    pub reveal_ms: u64,
    /// Clear a copied value after this long (20 s).
    pub clipboard_ms: u64,
}

impl Settings {
    /// The timeouts the environment set ([`Context::idle_lock`],
    /// [`Context::clipboard_clear`]); a revealed entry hides after 15 s.
    pub fn of(ctx: &Context) -> Self {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Settings {
            idle_lock_ms: ms(ctx.idle_lock),
            clipboard_ms: ms(ctx.clipboard_clear),
            ..Settings::default()
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_lock_ms: 5 * 60 * 1000,
            reveal_ms: 15 * 1000,
            clipboard_ms: 20 * 1000,
        }
    }
}

pub struct App {
    pub screen: Screen,
    /// The time of the last update (the view draws TOTP codes, countdowns
    /// and the spinner from it).
    pub clock: Now,
    pub settings: Settings,
    /// Where the vault is, as shown to the user.
    pub vault_label: String,
    /// A line of help on the unlock screen (the demo's passphrase).
    pub hint: Option<String>,
    /// A one-line message under the body, with when it goes away.
    pub status: Option<Status>,
    pub last_input_ms: u64,
    /// The terminal's size in cells.
    pub size: (u16, u16),
    /// The clipboard holds a value we copied, until this instant.
    pub clipboard_until: Option<u64>,
    pub quit: bool,
}

impl App {
    pub fn new(vault_label: String, screen: Screen, settings: Settings) -> Self {
        App {
            screen,
            clock: Now { ms: 0, unix: 0 },
            settings,
            vault_label,
            hint: None,
            status: None,
            last_input_ms: 0,
            size: (80, 24),
            clipboard_until: None,
            quit: false,
        }
    }
}

pub struct Status {
    pub text: String,
    pub error: bool,
    pub until_ms: u64,
}

pub enum Screen {
    /// First run, no vault yet: create one.
    Onboard(OnboardScreen),
    /// The new vault's recovery code, shown once.
    Recovery(RecoveryScreen),
    Unlock(UnlockScreen),
    Main(Box<MainScreen>),
    /// After a lock: what this member revealed during the session.
    Summary(SummaryScreen),
}

/// A passphrase being typed: a fixed-capacity buffer that never
/// reallocates (so no stray copies) and is zeroized when cleared or
/// dropped. No `Debug`, no `Clone`.
pub struct SecretInput {
    buf: Vec<u8>,
}

impl SecretInput {
    pub const CAPACITY: usize = crate::os::MAX_PASSPHRASE;

    pub fn new() -> Self {
        SecretInput {
            buf: Vec::with_capacity(Self::CAPACITY),
        }
    }

    /// Appends `c`; refused (false) when it would not fit.
    pub fn push(&mut self, c: char) -> bool {
        let mut tmp = [0u8; 4];
        let bytes = c.encode_utf8(&mut tmp).as_bytes();
        if self.buf.len() + bytes.len() > Self::CAPACITY {
            tmp.zeroize();
            return false;
        }
        self.buf.extend_from_slice(bytes);
        tmp.zeroize();
        true
    }

    pub fn pop(&mut self) {
        let Ok(s) = std::str::from_utf8(&self.buf) else {
            self.clear();
            return;
        };
        let cut = s.char_indices().last().map_or(0, |(i, _)| i);
        self.buf[cut..].zeroize();
        self.buf.truncate(cut);
    }

    pub fn clear(&mut self) {
        self.buf.zeroize();
    }

    /// Characters typed, for the mask.
    pub fn chars(&self) -> usize {
        std::str::from_utf8(&self.buf).map_or(self.buf.len(), |s| s.chars().count())
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The text typed (for building an entry from a form).
    pub fn peek(&self) -> &str {
        std::str::from_utf8(&self.buf).unwrap_or("")
    }

    /// Moves the passphrase out, leaving this input empty.
    pub fn take(&mut self) -> Passphrase {
        let p = Passphrase::from_slice(&self.buf);
        self.clear();
        p
    }
}

impl Default for SecretInput {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SecretInput {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

// The screens' state lives with each screen; these names stay reachable
// from here, where the whole state is described.
pub use super::screen::form::{
    BackTo, ChecklistAt, EntryField, FieldMut, FieldRef, Form, HealthAt,
};
pub use super::screen::generator::Generator;
pub use super::screen::health::{HealthRow, HealthView, fixed_by_new_password};
pub use super::screen::main::{Focus, MainScreen, Overlay};
pub use super::screen::members::{
    GrantInput, MemberConfirm, MemberField, MemberForm, MembersMode, MembersView, handover_of,
    split_groups,
};
pub use super::screen::onboard::{OnboardField, OnboardScreen, RecoveryScreen, strength};
pub use super::screen::unlock::{
    LockReason, ShiftItem, ShiftWhat, SummaryScreen, UnlockError, UnlockFocus, UnlockScreen,
};
pub use crate::session::members::{MemberRow, member_rows, role_name};
