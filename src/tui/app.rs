//! The TUI's whole state. Only [`super::update`] changes it; the view
//! reads it. The unlocked session (keys, decrypted entries, the vault's
//! lock) lives in [`MainScreen`] and nowhere else, so locking is dropping
//! that screen.

use zeroize::Zeroize;

use zeroize::Zeroizing;

use super::action::{CopyWhat, EntryForm, GenOptions, RevealHow};
use crate::health::{Finding, Kind};
use crate::search::Index;
use crate::secret::Passphrase;
use crate::session::{Context, Session};
use crate::vault::{EntryId, EntryRef, Vault};

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

pub struct UnlockScreen {
    /// Members who may unlock, as the file lists them (empty when the file
    /// could not be read; the runtime's error then says why).
    pub members: Vec<String>,
    pub member: usize,
    pub passphrase: SecretInput,
    pub focus: UnlockFocus,
    /// Deriving the key since this instant (the spinner runs).
    pub busy_since: Option<u64>,
    /// Characters typed before Enter, for the mask while the key is derived.
    pub submitted_chars: usize,
    pub error: Option<UnlockError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockFocus {
    Member,
    Passphrase,
}

/// Why the last unlock failed: a heading by kind and the detail.
pub struct UnlockError {
    pub heading: &'static str,
    pub detail: String,
}

impl UnlockScreen {
    pub fn new(members: Vec<String>, preferred: Option<&str>) -> Self {
        let member = preferred
            .and_then(|p| members.iter().position(|m| m == p))
            .unwrap_or(0);
        UnlockScreen {
            members,
            member,
            passphrase: SecretInput::new(),
            focus: UnlockFocus::Passphrase,
            busy_since: None,
            submitted_chars: 0,
            error: None,
        }
    }
}

/// First-run form: the owner's name, the firm's e-mail domain, and the
/// passphrase twice.
pub struct OnboardScreen {
    pub owner: String,
    pub domain: String,
    pub passphrase: SecretInput,
    pub repeat: SecretInput,
    pub cursor: usize,
    pub error: Option<String>,
    /// Creating the vault (calibrating the KDF) since this instant.
    pub busy_since: Option<u64>,
}

pub const ONBOARD_LABELS: [&str; 4] =
    ["Your name", "Firm e-mail domain", "Passphrase", "Repeat it"];

impl OnboardScreen {
    pub fn new() -> Self {
        OnboardScreen {
            owner: String::new(),
            domain: String::new(),
            passphrase: SecretInput::new(),
            repeat: SecretInput::new(),
            cursor: 0,
            error: None,
            busy_since: None,
        }
    }
}

impl Default for OnboardScreen {
    fn default() -> Self {
        Self::new()
    }
}

pub struct RecoveryScreen {
    pub owner: String,
    pub code: Zeroizing<String>,
}

/// A rough strength hint for a new passphrase: an entropy estimate from
/// its length and character classes (a guess, not a measurement: a
/// dictionary word scores higher than it deserves), and a word for it.
pub fn strength(p: &str) -> (&'static str, u32) {
    let n = p.chars().count();
    if n == 0 {
        return ("", 0);
    }
    let mut pool = 0u32;
    if p.chars().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if p.chars().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if p.chars().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if p.chars().any(|c| !c.is_ascii_alphanumeric()) {
        pool += 33;
    }
    let bits = (n as f64 * f64::from(pool.max(2)).log2()) as u32;
    let word = match bits {
        0..50 => "weak",
        50..80 => "fair",
        _ => "strong",
    };
    (word, bits)
}

/// Which part of the main view has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Groups,
    List,
    /// Typing into the search field.
    Search,
    /// The selected entry's details fill the right side.
    Detail,
}

pub enum Overlay {
    Help,
    /// "Delete this entry?"
    ConfirmDelete(EntryRef),
    /// The entry's backup codes, shown after the reveal was logged, until
    /// the instant given.
    Codes {
        entry: EntryRef,
        cursor: usize,
        until_ms: u64,
    },
    /// The access log, newest first; `top` rows scrolled.
    Log {
        top: usize,
    },
    Form(Box<Form>),
    Generator(Generator),
    /// Members and handover (`M`).
    Members(Box<MembersView>),
    /// What needs attention (`H`): the findings, computed when it opens.
    Health(Box<HealthView>),
}

/// The add or edit form.
pub struct Form {
    /// The entry edited; `None` for a new one.
    pub editing: Option<EntryRef>,
    pub values: EntryForm,
    pub cursor: usize,
    pub error: Option<String>,
    /// Waiting for the runtime to save.
    pub saving: bool,
    /// Opened from a handover checklist or the health view: go back to
    /// it when the form closes.
    pub back_to: Option<BackTo>,
}

/// Where an edit form opened from another view returns to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackTo {
    /// This member's checklist, this entry selected.
    Checklist(ChecklistAt),
    /// The health view, recomputed, near this finding.
    Health(HealthAt),
}

/// A place in the health view to come back to: the finding the form was
/// opened for (if it is still there after the save, it is selected; if
/// it is gone, whatever took its row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthAt {
    pub kind: Kind,
    pub entry_id: EntryId,
    pub cursor: usize,
}

/// A place in a handover checklist to come back to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistAt {
    pub member: String,
    pub entry_id: String,
}

/// The form's fields, in order.
pub const FORM_LABELS: [&str; 10] = [
    "Title",
    "Group",
    "Username",
    "Password",
    "URL",
    "Identity",
    "Tags",
    "TOTP",
    "Rotate days",
    "Notes",
];
pub const FORM_PASSWORD: usize = 3;

pub enum FieldMut<'a> {
    Plain(&'a mut String),
    Secret(&'a mut SecretInput),
}

pub enum FieldRef<'a> {
    Plain(&'a str),
    Secret(&'a SecretInput),
}

impl EntryForm {
    pub fn empty(group: String) -> Self {
        EntryForm {
            title: String::new(),
            group,
            username: String::new(),
            url: String::new(),
            identity: String::new(),
            tags: String::new(),
            rotate_days: String::new(),
            password: SecretInput::new(),
            totp: SecretInput::new(),
            notes: SecretInput::new(),
        }
    }

    pub fn field_mut(&mut self, i: usize) -> FieldMut<'_> {
        match i {
            0 => FieldMut::Plain(&mut self.title),
            1 => FieldMut::Plain(&mut self.group),
            2 => FieldMut::Plain(&mut self.username),
            3 => FieldMut::Secret(&mut self.password),
            4 => FieldMut::Plain(&mut self.url),
            5 => FieldMut::Plain(&mut self.identity),
            6 => FieldMut::Plain(&mut self.tags),
            7 => FieldMut::Secret(&mut self.totp),
            8 => FieldMut::Plain(&mut self.rotate_days),
            _ => FieldMut::Secret(&mut self.notes),
        }
    }

    pub fn field(&self, i: usize) -> FieldRef<'_> {
        match i {
            0 => FieldRef::Plain(&self.title),
            1 => FieldRef::Plain(&self.group),
            2 => FieldRef::Plain(&self.username),
            3 => FieldRef::Secret(&self.password),
            4 => FieldRef::Plain(&self.url),
            5 => FieldRef::Plain(&self.identity),
            6 => FieldRef::Plain(&self.tags),
            7 => FieldRef::Secret(&self.totp),
            8 => FieldRef::Plain(&self.rotate_days),
            _ => FieldRef::Secret(&self.notes),
        }
    }
}

/// The password generator (`g`).
pub struct Generator {
    pub opts: GenOptions,
    pub value: Option<Zeroizing<String>>,
}

pub struct MainScreen {
    pub session: Session,
    pub index: Index,
    pub focus: Focus,
    /// The search as typed.
    pub query: String,
    /// Entries shown, best match first (all entries, in vault order, for
    /// an empty query), after the group filter.
    pub hits: Vec<EntryRef>,
    /// Index into `hits`.
    pub selected: usize,
    /// First row of `hits` on screen.
    pub top: usize,
    /// Groups pane: 0 is "All", then the vault's groups in order.
    pub group_cursor: usize,
    /// The entry whose concealed values are shown, until when.
    pub revealed: Option<(EntryRef, u64)>,
    /// A copy or reveal waiting for the runtime's report.
    pub pending: Option<(EntryRef, RevealHow)>,
    pub overlay: Option<Overlay>,
    /// Everything revealed or copied in this session, for the summary.
    pub shift: Vec<ShiftItem>,
}

impl MainScreen {
    /// Rebuilds the index after a change and selects `entry` if it is
    /// still listed.
    pub fn reindex(&mut self, entry: Option<EntryRef>) {
        self.index = Index::build(&self.session.vault);
        self.refilter();
        if let Some(r) = entry
            && let Some(i) = self.hits.iter().position(|h| *h == r)
        {
            self.selected = i;
        }
        self.revealed = None;
    }

    /// The log records this member may read, newest first: all of them for
    /// owners and auditors, their own for a contractor.
    pub fn visible_log(&self) -> Vec<usize> {
        let v = &self.session.vault;
        let me = v.me();
        let own_only = me.role == crate::format::Role::Contractor;
        v.log()
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, r)| !own_only || r.record.member == me.id)
            .map(|(i, _)| i)
            .collect()
    }
}

/// One line of the shift summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftItem {
    pub unix: i64,
    pub title: String,
    pub group: String,
    pub what: ShiftWhat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftWhat {
    Revealed,
    Copied(CopyWhat),
    /// The backup codes were shown.
    Codes,
}

pub struct SummaryScreen {
    pub member: String,
    /// Who may unlock next (for the unlock screen's picker).
    pub members: Vec<String>,
    pub items: Vec<ShiftItem>,
    /// Why the session ended.
    pub reason: LockReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockReason {
    Asked,
    Idle,
}

impl MainScreen {
    pub fn new(session: Session, index: Index) -> Self {
        let mut m = MainScreen {
            session,
            index,
            focus: Focus::List,
            query: String::new(),
            hits: Vec::new(),
            selected: 0,
            top: 0,
            group_cursor: 0,
            revealed: None,
            pending: None,
            overlay: None,
            shift: Vec::new(),
        };
        m.refilter();
        m
    }

    /// The group the list is limited to, if any.
    pub fn group_filter(&self) -> Option<usize> {
        self.group_cursor.checked_sub(1)
    }

    /// Runs the search and the group filter again; the selection goes to
    /// the best match.
    pub fn refilter(&mut self) {
        let group = self.group_filter();
        self.hits = self
            .index
            .query(&self.query)
            .into_iter()
            .map(|h| h.entry)
            .filter(|r| group.is_none_or(|g| r.group == g))
            .collect();
        self.selected = 0;
        self.top = 0;
    }

    pub fn selected_entry(&self) -> Option<EntryRef> {
        self.hits.get(self.selected).copied()
    }

    /// Entries per group (live ones), in the vault's group order.
    pub fn group_counts(&self) -> Vec<(String, usize)> {
        let v = &self.session.vault;
        v.groups()
            .iter()
            .map(|g| {
                (
                    g.name.clone(),
                    g.entries.iter().filter(|e| e.removed.is_none()).count(),
                )
            })
            .collect()
    }

    pub fn is_revealed(&self, r: EntryRef) -> bool {
        self.revealed.is_some_and(|(e, _)| e == r)
    }
}

/// The members view (`M`): the member list, and what is open over it.
pub struct MembersView {
    /// Index into [`member_rows`].
    pub cursor: usize,
    pub mode: MembersMode,
}

impl MembersView {
    pub fn new() -> Self {
        MembersView {
            cursor: 0,
            mode: MembersMode::List,
        }
    }
}

impl Default for MembersView {
    fn default() -> Self {
        Self::new()
    }
}

pub enum MembersMode {
    List,
    /// The add-member form (`a`).
    Add(Box<MemberForm>),
    /// Groups to grant the selected contractor (`g`).
    Grant(GrantInput),
    /// "Revoke …?", "Start the handover …?" (`y`/`n`).
    Confirm(MemberConfirm),
    /// A handover's checklist, recomputed from the vault's log each time
    /// it is drawn; `cursor` indexes its items.
    Checklist {
        member: String,
        cursor: usize,
    },
}

/// What a confirmation in the members view would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberConfirm {
    Revoke(String),
    /// Revoke these expired memberships.
    Sweep(Vec<String>),
    /// Start the handover of this member.
    Handover {
        name: String,
        revoked: bool,
    },
}

/// The groups typed for a grant.
pub struct GrantInput {
    pub member: String,
    pub groups: String,
    pub error: Option<String>,
}

/// The add-member form.
pub struct MemberForm {
    pub name: String,
    pub role: crate::format::Role,
    /// Comma-separated group names (contractors).
    pub groups: String,
    /// `YYYY-MM-DD`, or empty for no expiry.
    pub expires: String,
    pub passphrase: SecretInput,
    pub repeat: SecretInput,
    pub cursor: usize,
    pub error: Option<String>,
}

/// The add-member form's fields, in order.
pub const MEMBER_FORM_LABELS: [&str; 6] = [
    "Name",
    "Role",
    "Groups",
    "Expires",
    "Passphrase",
    "Repeat it",
];
pub const MEMBER_FORM_ROLE: usize = 1;
pub const MEMBER_FORM_GROUPS: usize = 2;
pub const MEMBER_FORM_EXPIRES: usize = 3;
pub const MEMBER_FORM_PASSPHRASE: usize = 4;
pub const MEMBER_FORM_REPEAT: usize = 5;

impl MemberForm {
    pub fn new() -> Self {
        MemberForm {
            name: String::new(),
            role: crate::format::Role::Contractor,
            groups: String::new(),
            expires: String::new(),
            passphrase: SecretInput::new(),
            repeat: SecretInput::new(),
            cursor: 0,
            error: None,
        }
    }

    /// The groups typed, trimmed, without empty ones.
    pub fn group_list(&self) -> Vec<String> {
        split_groups(&self.groups)
    }
}

impl Default for MemberForm {
    fn default() -> Self {
        Self::new()
    }
}

/// Comma-separated group names, trimmed, without empty ones.
pub fn split_groups(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

pub use crate::session::members::{MemberRow, member_rows, role_name};

/// The handover of `member`, as recorded in the vault's log now.
pub fn handover_of(
    v: &crate::vault::Vault,
    member: &str,
) -> Option<crate::session::handover::HandoverView> {
    crate::session::handover::views(v)
        .into_iter()
        .find(|h| h.member == member)
}

/// The health view (`H`): the findings about the entries this member can
/// read, grouped by kind. Computed once when the view opens and again
/// after a fix (over 100,000 entries that takes tens of milliseconds, too
/// long for every frame). Holds no secret: a finding names an entry and
/// says why, never a value.
pub struct HealthView {
    /// By kind, then group and title ([`crate::health::findings`]).
    pub findings: Vec<Finding>,
    /// Each kind present and the index of its first finding, in order.
    pub kinds: Vec<(Kind, usize)>,
    /// Live entries this member can read.
    pub checked: usize,
    /// Entries with at least one finding.
    pub entries: usize,
    /// The firm's domain is set (otherwise "outside the firm" is not
    /// checked, which the view says).
    pub firm_domain: bool,
    /// Index into `findings`.
    pub cursor: usize,
    /// First row on screen; rows are the kinds' headings and the findings.
    pub top: usize,
}

impl HealthView {
    /// The findings of `v` at `now` (Unix seconds).
    pub fn compute(v: &Vault, now: i64) -> Self {
        let policy = crate::health::Policy::of(v);
        let findings = crate::health::findings(v, &policy, now);
        let mut kinds: Vec<(Kind, usize)> = Vec::new();
        for (i, f) in findings.iter().enumerate() {
            if kinds.last().is_none_or(|(k, _)| *k != f.kind) {
                kinds.push((f.kind, i));
            }
        }
        let entries = {
            let mut refs: Vec<EntryRef> = findings.iter().map(|f| f.entry).collect();
            refs.sort_by_key(|r| (r.group, r.index));
            refs.dedup();
            refs.len()
        };
        HealthView {
            findings,
            kinds,
            checked: v.entry_count(),
            entries,
            firm_domain: policy.firm_domain.is_some(),
            cursor: 0,
            top: 0,
        }
    }

    /// Rows: one heading per kind, one per finding.
    pub fn rows(&self) -> usize {
        self.findings.len() + self.kinds.len()
    }

    /// The row finding `i` is drawn on.
    pub fn row_of(&self, i: usize) -> usize {
        i + self.kinds.partition_point(|(_, start)| *start <= i)
    }

    /// What row `row` holds.
    pub fn at_row(&self, row: usize) -> Option<HealthRow> {
        // Kind `k`'s heading comes after `k` headings and the findings
        // before it.
        for (k, (kind, start)) in self.kinds.iter().enumerate() {
            let end = self.kinds.get(k + 1).map_or(self.findings.len(), |x| x.1);
            let heading = start + k;
            if row == heading {
                return Some(HealthRow::Heading(*kind, end - start));
            }
            if row <= heading + (end - start) {
                return Some(HealthRow::Finding(start + (row - heading - 1)));
            }
        }
        None
    }

    pub fn selected(&self) -> Option<&Finding> {
        self.findings.get(self.cursor)
    }

    /// Scrolls so the selection is on screen among `rows` rows, with its
    /// kind's heading when it is the first of its kind.
    pub fn keep_visible(&mut self, rows: usize) {
        let rows = rows.max(1);
        let sel = self.row_of(self.cursor);
        let first_of_kind = self.kinds.iter().any(|(_, s)| *s == self.cursor);
        let want_top = if first_of_kind { sel - 1 } else { sel };
        if want_top < self.top {
            self.top = want_top;
        } else if sel >= self.top + rows {
            self.top = sel + 1 - rows;
        }
        self.top = self.top.min(self.rows().saturating_sub(rows));
    }
}

/// A row of the health view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthRow {
    /// A kind and how many findings it has.
    Heading(Kind, usize),
    /// An index into the findings.
    Finding(usize),
}

/// Whether a finding of `kind` is put right by a new password: weak, reused, due for
/// rotation, not rotated in a year.
pub fn fixed_by_new_password(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Weak | Kind::Reused | Kind::DueForRotation | Kind::NeverRotated
    )
}
