//! What the user meant ([`Intent`], from the keymap), what the runtime
//! reports back ([`Outcome`]), both as the [`Msg`] an update takes, and
//! what the runtime must do ([`Effect`]).

use crate::search::Index;
use crate::secret::Passphrase;
use crate::session::Error as SessionError;
use crate::session::Session;
use crate::vault::EntryRef;
use zeroize::Zeroizing;

/// What a key meant, on the screen it was pressed on: a plain value, so
/// that tests compare what the keymap made of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    // Moving around.
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: open the selected entry, submit a form, keep the search.
    Open,
    /// Esc: close, go back, leave the search.
    Back,
    /// Tab: the next pane or field.
    NextPane,
    /// Text typed into the field that has the focus.
    Char(char),
    Backspace,
    /// Ctrl-U: clear the field that has the focus.
    ClearField,
    /// Shift-Tab or ↑ in a form: the previous field.
    PrevField,
    /// Ctrl-S: save the form.
    Submit,
    /// Ctrl-G in a form: generate a password into the password field.
    GenerateInto,

    // Commands (PRODUCT.md §5).
    Search,
    Reveal,
    Copy(CopyWhat),
    New,
    Edit,
    Delete,
    Generator,
    BackupCodes,
    /// `x` in the backup codes view.
    MarkUsed,
    AccessLog,
    /// `M`: members and handover.
    Members,
    /// A command of the members view (owners).
    Member(MemberCmd),
    /// `H`: what needs attention (the health findings).
    Health,
    /// `f` in the health view: the selected finding's entry in its edit
    /// form with a new generated password, for Enter to save.
    Fix,
    /// `v` in a handover checklist: the selected item's new credentials
    /// work and the old ones do not.
    VerifyItem,
    /// `v` in the access log view, and on an auditor's main screen: check
    /// every record's signature and place in the log.
    VerifyLog,
    /// `y` / `n` in a confirmation.
    Confirm(bool),
    /// In the generator: words instead of characters, or back.
    ToggleWords,
    Longer,
    Shorter,
    Lock,
    Help,
    Quit,
}

/// What the runtime reports back after performing an [`Effect`].
pub enum Outcome {
    Unlocked(Box<Opened>),
    UnlockFailed(SessionError),
    /// The reveal's log records are durable; what was asked may be shown
    /// (and, for a copy, is on the clipboard).
    Revealed(Reveal),
    /// The reveal could not be logged (or copied): nothing was shown.
    RevealFailed(String),
    /// A change was applied; the list is rebuilt and `entry` selected.
    /// `error` when it could not be written (it stays in memory, and the
    /// next save writes it).
    Saved {
        entry: Option<EntryRef>,
        message: String,
        error: bool,
    },
    /// A change was refused before anything changed.
    SaveFailed(String),
    /// A generated password or passphrase.
    Generated(Zeroizing<String>),
    /// The vault was created; its recovery code, to show once.
    Created(Result<Zeroizing<String>, SessionError>),
    /// A membership change or handover step was applied and saved (`Ok`,
    /// possibly with a save error kept in memory), or refused with
    /// nothing changed (`Err`, why).
    MemberDone(Result<MemberReport, String>),
    /// The access log was verified (`Ok`, what was checked) or not
    /// (`Err`, why).
    LogVerified(Result<String, String>),
}

/// What [`super::update::update`] is given: an intent, an outcome, or
/// the passing of time.
pub enum Msg {
    Intent(Intent),
    Outcome(Outcome),
    /// Time passed (idle lock, reveal timeout, spinner, TOTP countdown).
    Tick,
    /// The terminal's size, in cells.
    Resize(u16, u16),
}

impl From<Intent> for Msg {
    fn from(i: Intent) -> Self {
        Msg::Intent(i)
    }
}

impl From<Outcome> for Msg {
    fn from(o: Outcome) -> Self {
        Msg::Outcome(o)
    }
}

/// A command of the members view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberCmd {
    /// `a`: the add-member form.
    Add,
    /// `g`: grant groups to the selected contractor.
    Grant,
    /// `x`: revoke the selected member (asks first).
    Revoke,
    /// `s`: revoke every expired membership (asks first).
    Sweep,
    /// `h`: the handover of the selected member, or its checklist.
    Handover,
}

/// What the runtime reports after a membership change.
pub struct MemberReport {
    pub message: String,
    /// The change is in memory but could not be written.
    pub error: bool,
    /// Open this member's handover checklist.
    pub checklist: Option<String>,
}

/// A membership change or handover step, performed by the runtime (it
/// needs the OS random source, the vault file and its backups).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberOp {
    /// The open add-member form (read from the state, so that it stays
    /// filled in if it is refused).
    Add,
    Grant {
        name: String,
        groups: Vec<String>,
    },
    /// Revoke these members with a re-key, in one save.
    Revoke(Vec<String>),
    /// Start (or reopen) the handover of a member.
    Handover(String),
    /// Confirm a rotated checklist item of `member`'s handover.
    Verify {
        member: String,
        entry_id: String,
    },
}

/// A vault unlocked by the runtime, with its search index.
pub struct Opened {
    pub session: Session,
    pub index: Index,
}

/// What a copy key copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyWhat {
    Password,
    Username,
    TotpCode,
}

/// A reveal asked of the runtime: the entry, and whether it is shown on
/// screen or copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reveal {
    pub entry: EntryRef,
    pub how: RevealHow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevealHow {
    /// Every concealed value of the entry, on screen (`r`).
    Show,
    Copy(CopyWhat),
    /// The backup codes view.
    Codes,
}

/// A change to the vault, applied by the runtime (it needs the OS random
/// source for ids and new group keys), recorded, and saved.
pub enum Change {
    /// The open add or edit form (the runtime reads it from the state, so
    /// that it stays filled in if it is refused).
    SaveForm,
    Remove(EntryRef),
    CodeUsed(EntryRef, usize),
    /// Write what an earlier failed save left in memory.
    Retry,
}

/// The generator's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Words from the EFF list instead of characters.
    pub words: bool,
    /// Characters, or words.
    pub length: usize,
}

/// What the runtime must do for an update.
pub enum Effect {
    /// Lock, read and unlock the vault on a worker thread (the KDF takes
    /// about a second), then report [`Outcome::Unlocked`] or
    /// [`Outcome::UnlockFailed`].
    Unlock {
        member: Option<String>,
        passphrase: Passphrase,
    },
    /// Create the vault on a worker thread (KDF calibration takes about
    /// a second), then report [`Outcome::Created`].
    Create {
        owner: String,
        domain: Option<String>,
        passphrase: Passphrase,
    },
    /// Append and sync the reveal's signed log records, then (for a copy)
    /// copy the value; report [`Outcome::Revealed`] only if all of it
    /// succeeded, else [`Outcome::RevealFailed`].
    Reveal(Reveal),
    /// Clear the clipboard now if it still holds a value we copied.
    ClearClipboard,
    /// Apply, record and save a change; report [`Outcome::Saved`] or
    /// [`Outcome::SaveFailed`].
    Change(Change),
    /// Generate a password; report [`Outcome::Generated`].
    Generate(GenOptions),
    /// Apply, record and save a membership change or handover step;
    /// report [`Outcome::MemberDone`].
    Member(MemberOp),
    /// Copy a generated value (not from the vault: nothing to log).
    CopyGenerated(Zeroizing<String>),
    /// Verify every record of the session's access log; report
    /// [`Outcome::LogVerified`].
    VerifyLog,
    /// Record the end of the session and drop it: its keys, its decrypted
    /// entries and the vault's lock go with it.
    EndSession(Box<Session>),
    /// Leave the loop and restore the terminal.
    Quit,
}

pub use super::screen::form::EntryForm;
