//! Command-line arguments (clap derive). Parsing only validates: no file,
//! environment or terminal access happens here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "baton",
    version,
    about = "A local, encrypted password vault for small firms and their IT contractors",
    long_about = "A local, encrypted password vault for small firms and their IT contractors.\n\n\
        The vault is found at --vault, else $BATON_VAULT, else ~/.local/share/baton/vault.baton.\n\
        The passphrase is asked at the terminal, or read from --passphrase-file or $BATON_PASSPHRASE.\n\n\
        Exit codes: 0 ok, 1 other error, 2 usage, 3 wrong passphrase or unknown member,\n\
        4 damaged or altered file, 5 vault locked by another process, 6 access denied."
)]
pub struct Cli {
    /// The vault file.
    #[arg(long, global = true, value_name = "PATH")]
    pub vault: Option<PathBuf>,
    /// Unlock as this member (default: $BATON_MEMBER, else the owner created
    /// at init). Also accepted after the command, except after `log`, where
    /// `--member` filters records.
    #[arg(long, value_name = "NAME")]
    pub member: Option<String>,
    /// Read the passphrase from this file (first line).
    #[arg(long, global = true, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,
    /// Unlock with the recovery code printed at init instead of a passphrase.
    #[arg(long, global = true)]
    pub recovery: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new vault (refuses to overwrite one); prints the recovery code once.
    Init(InitArgs),
    /// Add an entry.
    Add(AddArgs),
    /// List the entries you can read (no secrets).
    List {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Fuzzy search titles, usernames, URLs, tags and groups (no secrets).
    Search {
        #[command(flatten)]
        who: Who,
        query: String,
        #[arg(long)]
        json: bool,
    },
    /// Show an entry with concealed fields masked (not a reveal).
    Show {
        #[command(flatten)]
        who: Who,
        entry: String,
        #[arg(long)]
        json: bool,
    },
    /// Reveal one field of an entry (a reveal).
    Get {
        #[command(flatten)]
        who: Who,
        entry: String,
        /// password, username, totp, notes, url, or the name of a custom field.
        #[arg(long, default_value = "password")]
        field: String,
        /// Copy to the clipboard instead of printing; cleared after 20 seconds.
        #[arg(long)]
        copy: bool,
    },
    /// The current TOTP code and the seconds it stays valid (a reveal).
    Totp {
        #[command(flatten)]
        who: Who,
        entry: String,
        #[arg(long)]
        json: bool,
        /// Show the TOTP seed as a QR code of its otpauth URI, to enrol it
        /// in another authenticator (a logged reveal of the seed).
        #[arg(long, conflicts_with = "json")]
        qr: bool,
    },
    /// Reveal the unused backup codes (a reveal), or mark one used.
    Codes {
        #[command(flatten)]
        who: Who,
        entry: String,
        /// Mark backup code number N (as listed) used.
        #[arg(long = "use", value_name = "N")]
        use_code: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Change an entry's fields; a changed password is kept in history.
    Edit(EditArgs),
    /// Remove an entry (kept in the vault's history for the owner).
    Rm {
        entry: String,
        #[command(flatten)]
        who: Who,
    },
    /// Generate a password or a passphrase.
    Gen(GenArgs),
    /// Change your own passphrase.
    Passwd {
        #[command(flatten)]
        who: Who,
    },
    /// Use this copy of the vault although it holds less of the access log
    /// than this machine saw (a backup put back, an older synced copy):
    /// recorded in the log, and remembered from now on.
    AcceptOlder {
        #[command(flatten)]
        who: Who,
    },
    /// Merge another copy of this vault into it (a synced or conflict
    /// copy, a backup, another machine's file): entries field by field,
    /// access logs as a union, with a signed merge record.
    Merge {
        /// The other copy.
        other: PathBuf,
        /// Say what the merge would do, and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Git merge driver for vault files: merges THEIRS into OURS and writes
    /// the result to OURS. In .gitattributes: `*.baton merge=baton`; then
    /// `git config merge.baton.driver "baton merge-driver %O %A %B"`.
    #[command(name = "merge-driver")]
    MergeDriver {
        /// The common ancestor (%O); not needed: the access logs and the
        /// entries' stamps say what each side changed.
        base: PathBuf,
        /// Our side (%A): the merged vault is written here.
        ours: PathBuf,
        /// Their side (%B).
        theirs: PathBuf,
    },
    /// The access log: records, verification, checkpoints.
    Log(LogArgs),
    /// Members: add, grant, revoke, sweep expired ones, list.
    #[command(subcommand)]
    Member(MemberAction),
    /// What needs attention: weak, reused, due, expiring, outside the firm,
    /// few backup codes, not rotated in a year. Exit 1 when anything is found.
    Health {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Show or change the vault's settings (owners change them).
    Settings(SettingsArgs),
    /// Import entries from another tool's file; entries already present are
    /// not added again.
    Import {
        file: PathBuf,
        #[arg(long, value_enum)]
        from: ImportFormat,
        /// Put everything under this group (the file's groups below it).
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// For --from csv: COLUMN=FIELD (title, username, password, url,
        /// notes, group, tags, totp, identity, field:NAME, secret:NAME).
        #[arg(long, value_name = "COLUMN=FIELD")]
        map: Vec<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Write every entry, passwords included, to a plaintext file (owners;
    /// asks on a terminal; logged as a reveal of every entry).
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        who: Who,
    },
    /// Hand over a leaving member: revoke with a re-key, then the rotation
    /// checklist from the signed access log (owners only).
    Handover(HandoverArgs),
    /// A throw-away vault with sample data, opened in the terminal UI and deleted on quit.
    Demo,
    /// The terminal UI (also what `baton` alone starts on a terminal).
    Tui {
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The owner's member name.
    #[arg(long, default_value = "owner")]
    pub owner: String,
    /// The firm's e-mail domain (accounts registered elsewhere are flagged).
    #[arg(long, value_name = "DOMAIN")]
    pub firm_domain: Option<String>,
    /// Argon2id memory in MiB (default: calibrated to about 1 s).
    #[arg(long, value_name = "MIB")]
    pub kdf_memory: Option<u32>,
    /// Argon2id passes.
    #[arg(long, value_name = "N")]
    pub kdf_time: Option<u32>,
    /// Argon2id lanes.
    #[arg(long, value_name = "N")]
    pub kdf_parallelism: Option<u32>,
    /// Allow key derivation below the safe floor (tests and demos only; recorded and warned about).
    #[arg(long)]
    pub weak_kdf: bool,
}

/// Fields shared by `add` and `edit`.
#[derive(Args, Debug, Default)]
pub struct EntryFields {
    #[arg(long, value_name = "PATH")]
    pub group: Option<String>,
    #[arg(long)]
    pub username: Option<String>,
    /// A URL (repeat for several).
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// A tag (repeat for several).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The e-mail address the account is registered under.
    #[arg(long, value_name = "EMAIL")]
    pub identity: Option<String>,
    /// Generate the password.
    #[arg(long)]
    pub generate: bool,
    /// Length of the generated password.
    #[arg(long, value_name = "N", requires = "generate")]
    pub length: Option<usize>,
    /// Read the password from standard input (first line).
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// An otpauth:// URI or a base32 TOTP secret.
    #[arg(long, value_name = "URI_OR_BASE32")]
    pub totp: Option<String>,
    /// A file with one backup code per line.
    #[arg(long, value_name = "FILE")]
    pub backup_codes_file: Option<PathBuf>,
    /// Rotate the password every N days.
    #[arg(long, value_name = "N")]
    pub rotate_days: Option<u32>,
    /// When the account expires (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// A custom field NAME=VALUE (repeat for several).
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// A concealed custom field NAME=VALUE (masked; revealing it is logged).
    #[arg(long = "secret-field", value_name = "NAME=VALUE")]
    pub secret_fields: Vec<String>,
}

/// The member to unlock as, given after the command.
#[derive(Args, Debug, Default, Clone)]
pub struct Who {
    /// Unlock as this member (default: $BATON_MEMBER, else the owner created at init).
    #[arg(long, value_name = "NAME")]
    pub member: Option<String>,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    pub title: String,
    #[command(flatten)]
    pub who: Who,
    #[command(flatten)]
    pub fields: EntryFields,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    pub entry: String,
    #[command(flatten)]
    pub who: Who,
    /// A new title.
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub fields: EntryFields,
    /// Remove the TOTP secret.
    #[arg(long, conflicts_with = "totp")]
    pub clear_totp: bool,
    /// Remove a custom field by name (repeat for several).
    #[arg(long = "remove-field", value_name = "NAME")]
    pub remove_fields: Vec<String>,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Characters in a password (default 24).
    #[arg(long, value_name = "N", conflicts_with = "words")]
    pub length: Option<usize>,
    /// Generate a passphrase of N words from the EFF large list instead.
    #[arg(long, value_name = "N")]
    pub words: Option<usize>,
    /// Letters and digits only.
    #[arg(long)]
    pub no_symbols: bool,
    /// Also print the entropy in bits (to standard error).
    #[arg(long)]
    pub entropy: bool,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    #[command(subcommand)]
    pub action: Option<LogAction>,
    #[arg(long)]
    pub json: bool,
    /// Only records by this member.
    #[arg(long, value_name = "NAME")]
    pub member: Option<String>,
    /// Only records about this entry (id, id prefix or title).
    #[arg(long, value_name = "ENTRY")]
    pub entry: Option<String>,
    /// Only records since this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum MemberAction {
    /// Add a member (owners only). Their passphrase comes from
    /// BATON_NEW_PASSPHRASE or is asked twice.
    Add {
        name: String,
        #[arg(long, value_enum, default_value = "contractor")]
        role: RoleArg,
        /// Groups a contractor may read and change, comma-separated.
        #[arg(long, value_delimiter = ',', value_name = "G1,G2")]
        groups: Vec<String>,
        /// The membership ends on this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// The member must choose their own passphrase (baton passwd)
        /// before anything else.
        #[arg(long)]
        must_change: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Grant a contractor more groups (owners only).
    Grant {
        name: String,
        #[arg(long, value_delimiter = ',', value_name = "G1,G2", required = true)]
        groups: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Revoke a member (owners only): their passphrase stops opening the
    /// vault, every group they held gets a new key, old backups are deleted.
    Revoke {
        name: String,
        #[command(flatten)]
        who: Who,
    },
    /// Revoke, with a re-key, every member whose membership has expired.
    Sweep {
        #[command(flatten)]
        who: Who,
    },
    /// Every member: role, groups, expiry, last unlock, reveals.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    /// KeePass / KeePassXC database, KDBX 3.1 or 4 (passphrase from
    /// BATON_IMPORT_PASSPHRASE, or asked).
    Kdbx,
    /// KeePassXC's CSV export.
    KeepassxcCsv,
    /// Bitwarden's unencrypted JSON export.
    BitwardenJson,
    /// Baton's own JSON export (everything Baton stores).
    BatonJson,
    /// Any CSV with a header row (see --map).
    Csv,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// baton-json: everything Baton stores; imports back with --from baton-json.
    Json,
    /// group, title, username, password, url, notes, totp, tags.
    Csv,
}

#[derive(Args, Debug)]
pub struct SettingsArgs {
    /// The firm's e-mail domain: accounts registered elsewhere are flagged.
    #[arg(long, value_name = "DOMAIN", conflicts_with = "no_firm_domain")]
    pub firm_domain: Option<String>,
    /// Forget the firm's domain.
    #[arg(long)]
    pub no_firm_domain: bool,
    /// Mark a group critical: its entries are due for rotation after
    /// --rotate-days (repeat for several).
    #[arg(long = "critical-group", value_name = "GROUP")]
    pub critical_groups: Vec<String>,
    /// Unmark a critical group (repeat for several).
    #[arg(long = "not-critical", value_name = "GROUP")]
    pub not_critical: Vec<String>,
    /// The rotation period of critical groups, in days (default 90).
    #[arg(long, value_name = "N")]
    pub rotate_days: Option<u32>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub who: Who,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HandoverArgs {
    #[command(subcommand)]
    pub action: Option<HandoverAction>,
    /// The member who is leaving.
    pub name: Option<String>,
    /// Also write the handover report (Markdown, no secrets) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub who: Who,
}

#[derive(Subcommand, Debug)]
pub enum HandoverAction {
    /// What is left of each handover's checklist.
    Status {
        /// Only this member's handover.
        name: Option<String>,
        #[arg(long)]
        json: bool,
        /// Write the named handover's report (Markdown, no secrets) to FILE.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        #[command(flatten)]
        who: Who,
    },
    /// Confirm that a rotated entry's new credentials work.
    Verify {
        entry: String,
        /// The handover it belongs to, when several list the entry.
        #[arg(long = "for", value_name = "MEMBER")]
        member_for: Option<String>,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleArg {
    Owner,
    Contractor,
    Auditor,
}

#[derive(Subcommand, Debug)]
pub enum LogAction {
    /// Verify the whole log offline (no passphrase needed): exit 0, or 4
    /// with the first bad record and why.
    Verify {
        /// Also prove that the log extends this checkpoint.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print a signed checkpoint of the log's current head, to keep elsewhere.
    Checkpoint {
        #[command(flatten)]
        who: Who,
    },
}

impl Command {
    /// The member named after the command, if any.
    pub fn who(&self) -> Option<&str> {
        let w = match self {
            Command::Add(a) => &a.who,
            Command::Edit(a) => &a.who,
            Command::List { who, .. }
            | Command::Search { who, .. }
            | Command::Show { who, .. }
            | Command::Get { who, .. }
            | Command::Totp { who, .. }
            | Command::Codes { who, .. }
            | Command::Rm { who, .. }
            | Command::Passwd { who }
            | Command::AcceptOlder { who }
            | Command::Merge { who, .. }
            | Command::Tui { who }
            | Command::Member(MemberAction::Add { who, .. })
            | Command::Member(MemberAction::Grant { who, .. })
            | Command::Member(MemberAction::List { who, .. })
            | Command::Member(MemberAction::Revoke { who, .. })
            | Command::Member(MemberAction::Sweep { who })
            | Command::Health { who, .. }
            | Command::Import { who, .. }
            | Command::Export { who, .. }
            | Command::Settings(SettingsArgs { who, .. })
            | Command::Handover(HandoverArgs {
                action: None, who, ..
            })
            | Command::Handover(HandoverArgs {
                action:
                    Some(HandoverAction::Status { who, .. } | HandoverAction::Verify { who, .. }),
                ..
            }) => who,
            Command::Log(LogArgs {
                action: Some(LogAction::Checkpoint { who }),
                ..
            }) => who,
            Command::Init(_)
            | Command::Gen(_)
            | Command::Log(_)
            | Command::Demo
            | Command::MergeDriver { .. } => return None,
        };
        w.member.as_deref()
    }
}
