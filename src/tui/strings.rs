//! Every piece of text the TUI shows, in one place.

use super::action::CopyWhat;

pub const APP: &str = "Baton";

// Unlock screen.
pub const UNLOCK_TITLE: &str = "Unlock the vault";
pub const MEMBER: &str = "Member";
pub const PASSPHRASE: &str = "Passphrase";
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
/// The entry list of an auditor, who holds no group's key.
pub const AUDITOR_NO_ENTRIES: &str =
    "Auditors see no entries: A reads the access log, v verifies it, M lists the members.";
/// An entry command asked of an auditor.
pub const AUDITOR_READ_ONLY: &str =
    "Auditors are read-only: A reads the access log, v verifies it.";

/// An auditor's right pane.
pub const AUDIT_TITLE: &str = "Access log";
pub const AUDIT_HOW: &str = "A reads every member's records; v checks every signature and that no record is out of its place; M lists the members and recorded handovers. Auditors see no entry and change nothing.";
/// The search bar's place on an auditor's screen.
pub const AUDIT_VIEW: &str = "audit view";

/// How many records the access log holds, and the last one.
pub fn audit_records(records: usize, last: Option<(String, String)>) -> String {
    match last {
        Some((time, member)) => {
            format!("The access log holds {records} records; the last, at {time}, by {member}.")
        }
        None => "The access log holds no record.".to_owned(),
    }
}

/// The access log verified: how many records, and its head.
pub fn log_verified(records: usize, head: &str) -> String {
    format!(
        "The access log is intact: {records} records, each signed by its member and in its place; head {head}."
    )
}

/// The access log did not verify.
pub fn log_not_verified(why: &str) -> String {
    format!("The access log does not verify: {why}")
}
pub const NO_MATCH: &str = "Nothing matches.";
pub const NOTHING_SELECTED: &str = "Select an entry to see it here.";
pub const DETAILS: &str = "Details";
pub const MASK: &str = "••••••••";
pub const HELP_TITLE: &str = "Keys";

// Shift summary.
pub const SUMMARY_TITLE: &str = "Vault locked";
pub const SUMMARY_NONE: &str = "Nothing was revealed or copied in this session.";
pub const LOCKED_IDLE: &str = "Locked after a while without a key press; every key was dropped.";
pub const LOCKED_ASKED: &str = "Locked; every key and decrypted value was dropped.";

/// A write refused because the vault changed on disk since the unlock.
pub const MOVED_ON: &str = "The vault changed on disk since you unlocked (another command or a sync tool wrote it), so nothing more is written: lock (Ctrl-L) and unlock again to see it. Changes not saved are dropped then.";

/// The status line after the vault changed outside this window.
pub fn outside_change(entries: usize, conflicts: usize, merged: bool) -> String {
    let what = match entries {
        0 => "no entry you can read changed".to_owned(),
        1 => "1 entry changed".to_owned(),
        n => format!("{n} entries changed"),
    };
    let how = if merged {
        "Another copy of the vault was put in its place and merged with this session"
    } else {
        "The vault changed outside this window"
    };
    let conflicts = match conflicts {
        0 => String::new(),
        1 => "; 1 conflict: the later change was kept, the other is in history".to_owned(),
        n => format!("; {n} conflicts: the later changes were kept, the others are in history"),
    };
    format!("{how}: {what}{conflicts}.")
}

/// The status line after a write of this session merged with what
/// another writer had written meanwhile (the list is rebuilt; a value
/// about to be shown is not, and is revealed again on request).
pub const MERGED_ON_WRITE: &str = "The vault changed outside this window; this session's write was merged with it and the list is up to date. Reveal again to see a value.";

/// The status line when an outside change could not be taken in.
pub fn outside_change_failed(why: &str) -> String {
    format!("The vault changed outside this window and could not be read again: {why}")
}
pub const LOST_ON_LOCK: &str =
    "The last changes could not be saved and were dropped with the session.";
pub const NOTHING_CONCEALED: &str = "This entry has no concealed value to reveal.";
/// On the unlock screen when memory could not be locked (`os::lock_memory`).
pub const MEMORY_UNLOCKED: &str =
    "Memory is not locked: secrets could reach swap (raise ulimit -l).";
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
pub const NEW_TITLE: &str = "New entry";
pub const EDIT_TITLE: &str = "Edit entry";
pub const UNCHANGED: &str = "(unchanged)";
pub const SAVING: &str = "Saving…";
pub const GENERATOR_TITLE: &str = "Generator";
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

/// The backup codes view's hint: its keys, and when it hides.
pub fn codes_keys(keys: &str, secs_left: u64) -> String {
    format!("{keys} · hidden in {secs_left} s")
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

// Members and handover (`M`).
pub const MEMBERS_TITLE: &str = "Members";
/// The member list's hint for members who are not owners.
pub fn read_only_keys(keys: &str) -> String {
    format!("Read-only: owners change members · {keys}")
}
pub const MEMBERS_OWNERS_ONLY: &str =
    "Members and handover are for owners and auditors; ask an owner.";
pub const MEMBERS_READ_ONLY: &str = "Only an owner can change members or run a handover.";
pub const NOT_YOURSELF: &str = "You cannot revoke or hand over yourself; another owner can.";
pub const GROUPS_FOR_CONTRACTORS: &str =
    "Groups are granted to contractors; owners hold every group and auditors none.";
pub const GRANT_CONTRACTORS_ONLY: &str = GROUPS_FOR_CONTRACTORS;
pub const NONE_EXPIRED: &str = "No membership has expired.";
pub const GROUPS_REQUIRED: &str = "Type one or more group names, comma-separated.";
pub const MEMBER_NAME_REQUIRED: &str = "Type the new member's name (it appears in the access log).";
pub const CONTRACTOR_NEEDS_GROUPS: &str =
    "A contractor needs at least one group: the groups they may read and change.";
pub const EXPIRY_PASSED: &str = "That expiry date has passed.";
pub const ADD_MEMBER_TITLE: &str = "Add a member";
pub const ROLE_HINT: &str = "space, or o / c / a";
pub const GROUPS_HINT: &str = "contractors: comma-separated";
pub const EXPIRES_HINT: &str = "YYYY-MM-DD, optional";
pub const EXPIRED: &str = "EXPIRED";
pub const ACTIVE: &str = "active";
pub const REVOKED: &str = "revoked";

pub fn was_revoked(name: &str) -> String {
    format!("{name} is already revoked.")
}

pub fn member_exists(name: &str) -> String {
    format!("There is already a member named {name}.")
}

pub fn bad_expiry(why: &str) -> String {
    format!("Expires: {why}; type a date as YYYY-MM-DD, or leave it empty.")
}

pub fn already_verified(title: &str) -> String {
    format!("{title} is already verified.")
}

pub fn rotate_first(title: &str, member: &str) -> String {
    format!(
        "{title}'s password has not changed since {member} saw it: Enter edits it (^G generates a new one)."
    )
}

pub fn not_listed(title: &str) -> String {
    format!("{title} is removed or not readable here: nothing to edit.")
}

/// What an owner is told at unlock, in one line: findings, handover
/// items not yet verified, and memberships expired (not revoked) or
/// expiring within 14 days. Only the parts that are not zero; `None`
/// when all are. Each key is hinted once: `H` for the findings, `M` for
/// the handover and the memberships, `M`, then `s` for expired ones.
pub fn unlock_summary(
    findings: usize,
    handover_left: usize,
    expired: usize,
    expiring: usize,
) -> Option<String> {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = Vec::new();
    if findings > 0 {
        parts.push(format!("{} (H)", plural(findings, "finding", "findings")));
    }
    if handover_left > 0 {
        parts.push(format!(
            "{} left (M)",
            plural(handover_left, "handover item", "handover items")
        ));
    }
    let m_hinted = handover_left > 0;
    match (expired, expiring) {
        (0, 0) => {}
        (0, x) => parts.push(format!(
            "{} within 14 days{}",
            plural(x, "membership expires", "memberships expire"),
            if m_hinted { "" } else { " (M)" }
        )),
        (e, 0) => parts.push(format!(
            "{} (M, then s)",
            plural(e, "membership expired", "memberships expired")
        )),
        (e, x) => parts.push(format!(
            "{} (M, then s), {x} expiring within 14 days",
            plural(e, "membership expired", "memberships expired")
        )),
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

pub fn grant_title(name: &str) -> String {
    format!("Grant groups to {name}")
}

pub fn revoke_question(name: &str) -> String {
    format!("Revoke {name}?")
}

pub const REVOKE_EXPLAIN: &str = "Their passphrase stops opening the vault; every group they held gets a new key, sealed to the members who remain; backups under the old keys are deleted.";

pub fn sweep_question(names: &[String]) -> String {
    match names {
        [one] => format!("Revoke {one}, whose membership has expired?"),
        _ => format!(
            "Revoke {} expired memberships: {}?",
            names.len(),
            names.join(", ")
        ),
    }
}

pub fn handover_question(name: &str) -> String {
    format!("Hand over {name}'s access?")
}

pub fn handover_steps(name: &str, revoked: bool) -> Vec<String> {
    let mut out = Vec::new();
    if revoked {
        out.push(format!(
            "{name} is already revoked and their groups re-keyed."
        ));
    } else {
        out.push(format!(
            "1. Revoke {name}: their passphrase stops opening the vault."
        ));
        out.push(format!(
            "2. Re-key every group {name} held, so their old keys open nothing new."
        ));
    }
    out.push(format!(
        "{}Build the rotation checklist from the signed access log: every credential {name} revealed, copied, created or changed.",
        if revoked { "" } else { "3. " }
    ));
    out.push("Then change each password here (Enter on an item), and v verifies it.".into());
    out
}

pub fn checklist_title(name: &str, left: usize, total: usize) -> String {
    format!("Handover of {name} · {left} of {total} left")
}

pub fn nothing_to_rotate(name: &str) -> String {
    format!(
        "{name} revealed, copied, created or changed no secret since its last rotation: nothing to rotate."
    )
}

pub const CHECKLIST_HOW: &str = "Change each password (Enter edits it), then confirm it works (v).";
pub const HANDOVER_RECORDED: &str = "A handover is recorded: h shows its checklist.";
pub const EXPIRED_HINT: &str =
    "Expired but still holding keys: s revokes every expired membership.";

pub const ALL_VERIFIED: &str = "Every item is rotated and verified.";

pub fn member_added(name: &str, role: &str, groups: &[String]) -> String {
    match role {
        "contractor" => format!("Added {name} as a contractor with {}.", groups.join(", ")),
        "owner" => format!("Added {name} as an owner (every group)."),
        _ => format!("Added {name} as an auditor (the access log, no secrets)."),
    }
}

pub fn granted(n: usize, name: &str) -> String {
    format!("Granted {n} group(s) to {name}; they take effect at their next unlock.")
}

pub fn already_holds(name: &str) -> String {
    format!("{name} already holds those groups.")
}

pub fn revoked(names: &[String], rekeyed: usize, purged: usize) -> String {
    let keys = match rekeyed {
        0 => "no group to re-key".to_owned(),
        1 => "1 group re-keyed".to_owned(),
        n => format!("{n} groups re-keyed"),
    };
    let backups = match purged {
        0 => String::new(),
        n => format!("; {n} old backup(s) deleted"),
    };
    format!("Revoked {}: {keys}{backups}.", names.join(", "))
}

pub fn handover_started(name: &str, items: usize, revoked_now: bool) -> String {
    if revoked_now {
        format!("Revoked {name}, re-keyed, and recorded the handover: {items} item(s) to rotate.")
    } else {
        format!("Recorded the handover of {name}: {items} item(s) to rotate.")
    }
}

pub fn handover_existing(name: &str, time: &str) -> String {
    format!("{name} was handed over at {time}; here is where the checklist stands.")
}

pub fn item_verified(title: &str, member: &str, left: usize) -> String {
    format!("Verified {title} for the handover of {member}; {left} item(s) left.")
}

// Health (`H`).
pub const HEALTH_TITLE: &str = "Health";
pub const NO_FIRM_DOMAIN: &str =
    "No firm domain is set, so accounts outside the firm are not checked (baton settings).";
pub const FIX_NEW_PASSWORD: &str =
    "f opens its edit form with a new generated password; Enter saves it.";
pub const FIX_EXPIRED: &str =
    "Renew the account at the service, or delete the entry if it is closed.";
pub const FIX_OUTSIDE_FIRM: &str =
    "Move the account to a firm address at the service, then e edits the identity.";
pub const FIX_FEW_CODES: &str =
    "Generate new backup codes at the service and store them with the entry.";

pub fn health_title(n: usize) -> String {
    match n {
        0 => HEALTH_TITLE.to_owned(),
        1 => format!("{HEALTH_TITLE} · 1 finding"),
        n => format!("{HEALTH_TITLE} · {n} findings"),
    }
}

pub fn health_summary(findings: usize, entries: usize, checked: usize) -> String {
    if findings == 0 {
        format!("Nothing needs attention in the {checked} entries you can read.")
    } else {
        format!(
            "{findings} finding{} in {entries} of the {checked} entries you can read.",
            if findings == 1 { "" } else { "s" }
        )
    }
}

/// Why `f` does nothing for this finding, and what would help.
pub fn not_fixed_by_password(kind: crate::health::Kind) -> &'static str {
    use crate::health::Kind;
    match kind {
        Kind::OutsideFirm => FIX_OUTSIDE_FIRM,
        Kind::FewBackupCodes => FIX_FEW_CODES,
        _ => FIX_EXPIRED,
    }
}

/// What the selected finding asks of the owner.
pub fn health_advice(kind: crate::health::Kind) -> &'static str {
    if super::app::fixed_by_new_password(kind) {
        FIX_NEW_PASSWORD
    } else {
        not_fixed_by_password(kind)
    }
}
