//! Where vaults live and how their bytes reach the disk: path resolution,
//! permissions (file 0600, new directories 0700), the lock file held across
//! every read-modify-write, atomic and durable saves, encrypted backup
//! generations, and the files a command writes where the user names
//! ([`create_output`]: an export, a report).
//!
//! Save protocol: under the lock, check the file still holds what we loaded
//! (no lost update), keep the current file as backup 1 (a hard link, so the
//! vault itself is never absent), write a temporary file in the same
//! directory, fsync it, rename it over the vault, fsync the directory.
//!
//! Debug builds stop dead at named points of these protocols when
//! `BATON_CRASH_AT` names one (see [`CRASH_POINTS`]), so that tests can
//! show a kill at each step leaves a whole vault; release builds contain
//! neither the points nor the variable.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::crypto::hash;
use crate::format::LogHead;

/// How many previous generations are kept beside the vault.
pub const BACKUP_GENERATIONS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no vault at {0}; create one with `baton init` (or point --vault / BATON_VAULT at an existing one)"
    )]
    NotFound(PathBuf),
    #[error("a vault already exists at {0}; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    #[error("the vault is locked by another process ({holder}); try again when it finishes")]
    Locked { holder: String },
    #[error(
        "the vault at {0} was changed by another process since it was opened; nothing was saved — open it again and redo the change"
    )]
    Conflict(PathBuf),
    #[error(
        "the vault at {0} changed since it was opened (another process or a sync tool wrote it); nothing was written to it — run the command again"
    )]
    MovedOn(PathBuf),
    /// An output file (`--out`, `--report`) that Baton will not write;
    /// nothing was written.
    #[error("refusing to write {path}: {why}")]
    OutputRefused { path: PathBuf, why: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

/// The steps of the store's protocols at which a debug build kills itself
/// with SIGKILL when `BATON_CRASH_AT` names them (docs/FORMAT.md §10).
/// Points ending in `-partial` first write half of the bytes of that
/// step, as a crash in the middle of a `write` would. Release builds have
/// no crash points: this list, the variable and every check are compiled
/// out.
#[cfg(debug_assertions)]
pub const CRASH_POINTS: &[&str] = &[
    // store::create_new (`baton init`)
    "create.temp-partial",
    "create.temp-written",
    "create.temp-synced",
    "create.linked",
    "create.temp-removed",
    // store::save_with
    "save.checked",
    "save.backups-shifted",
    "save.backups-rotated",
    "save.backups-dropped",
    "save.temp-partial",
    "save.temp-written",
    "save.temp-synced",
    "save.renamed",
    "save.dir-synced",
    // store::append_frame
    "append.opened",
    "append.torn-dropped",
    "append.partial",
    "append.written",
    "append.synced",
    // store::write_high_water
    "high-water.checked",
    "high-water.temp-partial",
    "high-water.temp-written",
    "high-water.temp-synced",
    "high-water.renamed",
];

/// Test-only crash points; see [`CRASH_POINTS`].
#[cfg(debug_assertions)]
mod crash {
    /// The variable that names the point at which to die.
    const VAR: &str = "BATON_CRASH_AT";

    /// Whether the process is to die at `point`.
    pub fn armed(point: &'static str) -> bool {
        debug_assert!(
            super::CRASH_POINTS.contains(&point),
            "crash point {point} is not listed in CRASH_POINTS"
        );
        std::env::var_os(VAR).is_some_and(|v| v == point)
    }

    /// Dies at `point` if it is armed.
    pub fn at(point: &'static str) {
        if armed(point) {
            kill();
        }
    }

    /// SIGKILL to this process: no destructor, buffer flush, unlock or
    /// exit handler runs, as when the machine's owner or the OOM killer
    /// ends it.
    pub fn kill() -> ! {
        use rustix::process::{Signal, getpid, kill_process};
        let _ = kill_process(getpid(), Signal::KILL);
        loop {
            std::thread::park();
        }
    }
}

#[cfg(not(debug_assertions))]
mod crash {
    #[inline(always)]
    pub fn armed(_point: &'static str) -> bool {
        false
    }

    #[inline(always)]
    pub fn at(_point: &'static str) {}

    pub fn kill() -> ! {
        unreachable!("release builds have no crash points")
    }
}

/// Writes `bytes` to `f`; when `partial` is an armed crash point, writes
/// only the first half and dies there.
fn write_or_tear(f: &mut File, bytes: &[u8], partial: &'static str) -> std::io::Result<()> {
    if crash::armed(partial) {
        f.write_all(&bytes[..bytes.len() / 2])?;
        crash::kill();
    }
    f.write_all(bytes)
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Io { context, source }
}

/// `$XDG_DATA_HOME/baton/vault.baton`, else `~/.local/share/baton/vault.baton`.
pub fn default_vault_path(
    xdg_data_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    let base = xdg_data_home
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".local").join("share")))?;
    Some(base.join("baton").join("vault.baton"))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

pub fn lock_path(path: &Path) -> PathBuf {
    sibling(path, ".lock")
}

pub fn backup_path(path: &Path, generation: u32) -> PathBuf {
    sibling(path, &format!(".bak{generation}"))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates the vault's directory (0700) when it does not exist yet.
pub fn ensure_dir(path: &Path) -> Result<(), StoreError> {
    let dir = parent_dir(path);
    if dir.exists() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(io(format!("cannot create {}", dir.display())))
}

/// The exclusive lock on a vault, released on drop.
pub struct VaultLock {
    file: File,
}

impl Drop for VaultLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Takes the vault's lock, waiting up to `wait`. `holder` describes this
/// process for whoever waits next ("pid 42, alice: baton add").
pub fn lock(path: &Path, holder: &str, wait: Duration) -> Result<VaultLock, StoreError> {
    let lp = lock_path(path);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lp)
        .map_err(io(format!("cannot open the lock file {}", lp.display())))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    let mut who = String::new();
                    let _ = File::open(&lp).and_then(|mut f| f.read_to_string(&mut who));
                    let who = who.trim();
                    let holder = if who.is_empty() {
                        "holder unknown".to_owned()
                    } else {
                        who.to_owned()
                    };
                    return Err(StoreError::Locked { holder });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(io(format!("cannot lock {}", lp.display()))(e));
            }
        }
    }
    file.set_len(0).map_err(io("cannot write the lock file"))?;
    file.write_all(holder.as_bytes())
        .map_err(io("cannot write the lock file"))?;
    Ok(VaultLock { file })
}

/// Reads the whole vault file.
pub fn read(path: &Path) -> Result<Vec<u8>, StoreError> {
    match fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(StoreError::NotFound(path.to_path_buf())),
        Err(e) => Err(io(format!("cannot read {}", path.display()))(e)),
    }
}

/// Which file a path named when it was read: its device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

/// Reads the vault through one open file, and says which file that was.
pub fn read_with_id(path: &Path) -> Result<(Vec<u8>, FileId), StoreError> {
    use std::os::unix::fs::MetadataExt;
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        Err(e) => return Err(io(format!("cannot read {}", path.display()))(e)),
    };
    let meta = f
        .metadata()
        .map_err(io(format!("cannot read {}", path.display())))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    f.read_to_end(&mut bytes)
        .map_err(io(format!("cannot read {}", path.display())))?;
    Ok((
        bytes,
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        },
    ))
}

/// How many bytes of log frames before the end an append checks again:
/// every frame after the seal, up to this much (far more than one frame,
/// at most 64 KiB; frames pile up only between two saves).
const TAIL_CHECK: u64 = 4 << 20;

/// What a reader saw of the vault file, to recognise it before writing:
/// which file it was, how long, and the bytes that pin the rest — the
/// header, the seal, which signs the whole snapshot, and the log frames
/// after it (the last 4 MiB of them at most), whose last record names the
/// hash of every record before it (FORMAT §8), with any torn final frame. An append checks all of it and
/// writes only onto the very file that was read; the only bytes it may
/// cut are a torn final frame that was read too (FORMAT §10).
#[derive(Clone, Debug)]
pub struct Seen {
    id: FileId,
    /// The file's length as read, then as this process appended to it.
    len: u64,
    /// The header, and where the seal is and its bytes.
    header: Vec<u8>,
    seal_at: u64,
    seal: Vec<u8>,
    /// Where the checked end of the file starts, and its bytes (to `len`).
    tail_at: u64,
    tail: Vec<u8>,
}

impl Seen {
    /// The file `id` as read: `bytes`, whose seal ends at `sealed_len`
    /// and whose complete frames end at `valid_len` (a torn frame after).
    pub fn new(id: FileId, bytes: &[u8], sealed_len: usize, valid_len: usize) -> Self {
        let seal_at = sealed_len.saturating_sub(crate::format::SEAL_LEN);
        let tail_at = (bytes.len() as u64)
            .saturating_sub(TAIL_CHECK)
            .max(sealed_len as u64)
            .min(valid_len as u64);
        let tail_from = usize::try_from(tail_at)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        Seen {
            id,
            len: bytes.len() as u64,
            header: bytes[..crate::format::HEADER_LEN.min(bytes.len())].to_vec(),
            seal_at: seal_at as u64,
            seal: bytes[seal_at.min(bytes.len())..sealed_len.min(bytes.len())].to_vec(),
            tail_at,
            tail: bytes[tail_from..].to_vec(),
        }
    }

    /// The file's length as this process last saw or made it.
    pub fn file_len(&self) -> u64 {
        self.len
    }

    /// Whether `f` (opened by the vault's path) is still the file seen:
    /// the same file, the same length, the same seal and end.
    fn check(&self, f: &File) -> std::io::Result<bool> {
        use std::os::unix::fs::{FileExt, MetadataExt};
        let meta = f.metadata()?;
        if (meta.dev(), meta.ino()) != (self.id.dev, self.id.ino) || meta.len() != self.len {
            return Ok(false);
        }
        for (at, want) in [
            (0, &self.header),
            (self.seal_at, &self.seal),
            (self.tail_at, &self.tail),
        ] {
            let mut got = vec![0u8; want.len()];
            f.read_exact_at(&mut got, at)?;
            if &got != want {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether the vault's path still names the file seen, unchanged.
    pub fn still_at(&self, path: &Path) -> bool {
        File::open(path)
            .and_then(|f| self.check(&f))
            .unwrap_or(false)
    }

    /// After `frame` was appended at `at` (any torn bytes after `at` cut).
    fn appended(&mut self, at: u64, frame: &[u8]) {
        let keep = usize::try_from(at.saturating_sub(self.tail_at)).unwrap_or(0);
        self.tail.truncate(keep.min(self.tail.len()));
        self.tail.extend_from_slice(frame);
        self.len = at + frame.len() as u64;
        let excess = (self.tail.len() as u64).saturating_sub(TAIL_CHECK);
        if excess > 0 {
            self.tail.drain(..usize::try_from(excess).unwrap_or(0));
            self.tail_at += excess;
        }
    }
}

const FINGERPRINT_LABEL: &str = "baton file fingerprint";

/// A digest of file bytes, remembered at load to detect a concurrent change.
pub fn fingerprint(bytes: &[u8]) -> [u8; 32] {
    hash::digest(FINGERPRINT_LABEL, &[bytes])
}

/// The fingerprint of a file this process is writing to: started from the
/// bytes it loaded and extended with each frame it appends, so that it
/// never has to read the file back.
#[derive(Clone)]
pub struct Fingerprint(sha2::Sha256);

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(FINGERPRINT_LABEL.as_bytes());
        h.update([0u8]);
        h.update(bytes);
        Fingerprint(h)
    }

    pub fn extend(&mut self, appended: &[u8]) {
        sha2::Digest::update(&mut self.0, appended);
    }

    /// Equals [`fingerprint`] of the whole file as it now is.
    pub fn value(&self) -> [u8; 32] {
        sha2::Digest::finalize(self.0.clone()).into()
    }
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("cannot sync the directory {}", dir.display())))
}

/// Which protocol writes a temporary file, naming its crash points.
#[derive(Clone, Copy)]
enum TempOf {
    Create,
    Save,
    HighWater,
}

impl TempOf {
    /// Half written, written, synced.
    fn points(self) -> [&'static str; 3] {
        match self {
            TempOf::Create => [
                "create.temp-partial",
                "create.temp-written",
                "create.temp-synced",
            ],
            TempOf::Save => ["save.temp-partial", "save.temp-written", "save.temp-synced"],
            TempOf::HighWater => [
                "high-water.temp-partial",
                "high-water.temp-written",
                "high-water.temp-synced",
            ],
        }
    }
}

/// Writes `bytes` to a fresh temporary file (0600) beside `path` and syncs it.
fn write_temp(path: &Path, bytes: &[u8], of: TempOf) -> Result<PathBuf, StoreError> {
    let [partial, written, synced] = of.points();
    let tmp = sibling(path, &format!(".tmp.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io(format!("cannot create {}", tmp.display())))?;
    let res = write_or_tear(&mut f, bytes, partial).and_then(|()| {
        crash::at(written);
        f.sync_all()
    });
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(io(format!("cannot write {}", tmp.display()))(e));
    }
    crash::at(synced);
    Ok(tmp)
}

/// Replaces the file at `path` with `bytes` atomically and durably (a
/// synced temporary file renamed over it), without the vault's lock or
/// backups: for a file another program owns, such as the side of a merge
/// that git hands its merge driver.
pub fn write_over(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = write_temp(path, bytes, TempOf::Save)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io(format!("cannot replace {}", path.display()))(e));
    }
    sync_dir(&parent_dir(path))
}

/// Writes a new vault; fails if one exists (the final step is a hard link,
/// which never replaces a file). The caller holds the lock.
pub fn create_new(path: &Path, bytes: &[u8], _lock: &VaultLock) -> Result<(), StoreError> {
    if path.exists() {
        return Err(StoreError::AlreadyExists(path.to_path_buf()));
    }
    let tmp = write_temp(path, bytes, TempOf::Create)?;
    let linked = fs::hard_link(&tmp, path);
    if linked.is_ok() {
        crash::at("create.linked");
    }
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            crash::at("create.temp-removed");
            sync_dir(&parent_dir(path))
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            Err(StoreError::AlreadyExists(path.to_path_buf()))
        }
        Err(e) => Err(io(format!("cannot create {}", path.display()))(e)),
    }
}

/// Replaces the vault atomically and durably. `loaded` is the fingerprint
/// of the bytes this process opened; if the file changed since, nothing is
/// written. The caller holds the lock.
pub fn save(
    path: &Path,
    bytes: &[u8],
    loaded: &[u8; 32],
    lock: &VaultLock,
) -> Result<(), StoreError> {
    save_with(path, bytes, loaded, lock, Backups::Rotate).map(|_| ())
}

/// What a save does with the backup generations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backups {
    /// Keep the current vault as generation 1 and shift the others.
    Rotate,
    /// Delete them all, and keep no copy of the current vault: the save
    /// of a revocation, since the revoked member's keys open every older
    /// generation. They are gone before the new file replaces the old
    /// one, so a crash leaves either the old vault (the revocation never
    /// happened) or the new one without backups.
    Drop,
}

/// [`save`], choosing what happens to the backups.
pub fn save_with(
    path: &Path,
    bytes: &[u8],
    loaded: &[u8; 32],
    _lock: &VaultLock,
    backups: Backups,
) -> Result<FileId, StoreError> {
    let current = read(path)?;
    if &fingerprint(&current) != loaded {
        return Err(StoreError::Conflict(path.to_path_buf()));
    }
    drop(current);
    crash::at("save.checked");
    remove_stale_temps(path);
    match backups {
        Backups::Rotate => {
            rotate_backups(path)?;
            crash::at("save.backups-rotated");
        }
        Backups::Drop => {
            purge_backups(path)?;
            crash::at("save.backups-dropped");
        }
    }
    let tmp = write_temp(path, bytes, TempOf::Save)?;
    let id = {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(&tmp).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io("cannot read the new vault file")(e)
        })?;
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    };
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io(format!("cannot replace {}", path.display()))(e));
    }
    crash::at("save.renamed");
    sync_dir(&parent_dir(path))?;
    crash::at("save.dir-synced");
    Ok(id)
}

/// Deletes the temporary files (`<vault>.tmp.<pid>`) of saves that were
/// killed before their rename. Only the lock holder writes one, and the
/// caller holds the lock, so every such file left beside the vault is
/// stale. They hold sealed bytes only; this keeps them from piling up. A
/// file that cannot be removed is left for the next save.
fn remove_stale_temps(path: &Path) {
    let Some(name) = path.file_name() else {
        return;
    };
    let mut prefix = name.to_os_string();
    prefix.push(".tmp.");
    let prefix = prefix.as_encoded_bytes();
    let Ok(dir) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in dir.flatten() {
        let file = entry.file_name();
        let file = file.as_encoded_bytes();
        let stale = file
            .strip_prefix(prefix)
            .is_some_and(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit));
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Shifts backups one generation older and keeps the current vault as
/// generation 1 (a hard link to the same encrypted bytes).
fn rotate_backups(path: &Path) -> Result<(), StoreError> {
    // A save cut off after keeping its backup and before replacing the
    // vault leaves backup 1 as a second name of the vault itself: it is
    // generation 1 already, and shifting again would push an older
    // generation out for another copy of this one.
    if same_file(path, &backup_path(path, 1)) {
        return Ok(());
    }
    let _ = fs::remove_file(backup_path(path, BACKUP_GENERATIONS));
    for g in (1..BACKUP_GENERATIONS).rev() {
        let from = backup_path(path, g);
        if from.exists() {
            fs::rename(&from, backup_path(path, g + 1)).map_err(io("cannot rotate backups"))?;
        }
    }
    crash::at("save.backups-shifted");
    fs::hard_link(path, backup_path(path, 1)).map_err(io("cannot keep a backup of the vault"))
}

/// Whether two paths name the same file (device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The existing backup files, newest first.
pub fn backups(path: &Path) -> Vec<PathBuf> {
    (1..=BACKUP_GENERATIONS)
        .map(|g| backup_path(path, g))
        .filter(|p| p.exists())
        .collect()
}

/// Deletes every backup generation (after a revocation, whose old
/// generations are encrypted under keys the revoked member held) and
/// syncs the directory. Returns how many were deleted.
pub fn purge_backups(path: &Path) -> Result<usize, StoreError> {
    let mut n = 0;
    for b in backups(path) {
        fs::remove_file(&b).map_err(io(format!("cannot delete {}", b.display())))?;
        n += 1;
    }
    sync_dir(&parent_dir(path))?;
    Ok(n)
}

/// Warns about a vault file or directory readable by others.
pub fn permission_warnings(path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(m) = fs::metadata(path)
        && m.permissions().mode() & 0o077 != 0
    {
        out.push(format!(
            "warning: {} is accessible to other users (mode {:o}); run: chmod 600 {}",
            path.display(),
            m.permissions().mode() & 0o777,
            path.display()
        ));
    }
    out
}

/// `$XDG_STATE_HOME/baton`, else `~/.local/state/baton`: where this machine
/// remembers the access-log positions it has seen.
pub fn default_state_dir(
    xdg_state_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    let base = xdg_state_home
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".local").join("state")))?;
    Some(base.join("baton"))
}

fn high_water_path(state_dir: &Path, vault_id: &[u8; 16]) -> PathBuf {
    state_dir
        .join("seen")
        .join(data_encoding::HEXLOWER.encode(vault_id))
}

/// What this machine last saw of a vault's log: nothing, the first time.
pub fn read_high_water(state_dir: &Path, vault_id: &[u8; 16]) -> Result<LogHead, StoreError> {
    let p = high_water_path(state_dir, vault_id);
    let text = match fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(LogHead::EMPTY),
        Err(e) => return Err(io(format!("cannot read {}", p.display()))(e)),
    };
    parse_high_water(&text).ok_or_else(|| StoreError::Io {
        context: format!("{} is not a Baton high-water mark", p.display()),
        source: std::io::Error::from(ErrorKind::InvalidData),
    })
}

fn parse_high_water(text: &str) -> Option<LogHead> {
    let mut parts = text.split_whitespace();
    if parts.next()? != "v1" {
        return None;
    }
    let count: u64 = parts.next()?.parse().ok()?;
    let hash: [u8; 32] = data_encoding::HEXLOWER
        .decode(parts.next()?.as_bytes())
        .ok()?
        .try_into()
        .ok()?;
    Some(LogHead { count, hash })
}

/// Remembers `head` for this vault, unless this machine already saw a
/// longer log (the caller has checked that `head` extends it).
pub fn write_high_water(
    state_dir: &Path,
    vault_id: &[u8; 16],
    head: &LogHead,
) -> Result<(), StoreError> {
    set_high_water(state_dir, vault_id, head, false)
}

/// Replaces what this machine remembers of a vault's log with `head`,
/// even when that is less than it saw: a member accepted an older copy
/// (`baton accept-older`), in a recorded decision.
pub fn replace_high_water(
    state_dir: &Path,
    vault_id: &[u8; 16],
    head: &LogHead,
) -> Result<(), StoreError> {
    set_high_water(state_dir, vault_id, head, true)
}

fn set_high_water(
    state_dir: &Path,
    vault_id: &[u8; 16],
    head: &LogHead,
    backwards: bool,
) -> Result<(), StoreError> {
    let p = high_water_path(state_dir, vault_id);
    let dir = p.parent().expect("the high-water path has a parent");
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(format!("cannot create {}", dir.display())))?;
    // Read, compare and write under a lock, so that two processes cannot
    // move the mark backwards between them.
    let guard = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(dir.join(".lock"))
        .map_err(io(format!("cannot open the lock in {}", dir.display())))?;
    guard
        .lock()
        .map_err(io("cannot lock the high-water marks"))?;
    let seen = read_high_water(state_dir, vault_id)?;
    if (!backwards && seen.count >= head.count) || seen == *head {
        return Ok(());
    }
    crash::at("high-water.checked");
    let text = format!(
        "v1 {} {}\n",
        head.count,
        data_encoding::HEXLOWER.encode(&head.hash)
    );
    let tmp = write_temp(&p, text.as_bytes(), TempOf::HighWater)?;
    fs::rename(&tmp, &p).map_err(io(format!("cannot write {}", p.display())))?;
    crash::at("high-water.renamed");
    sync_dir(dir)
}

/// Appends one log frame durably onto the file `seen` describes: only if
/// the vault's path still names that very file, as long as it was, with
/// the same seal and end (else [`StoreError::MovedOn`], and nothing is
/// written or cut). A torn final frame that was read is cut first (the
/// bytes past `valid_len`); then the frame is written and synced. Only
/// when this returns Ok may the action it records happen.
pub fn append_frame(
    path: &Path,
    frame: &[u8],
    valid_len: u64,
    seen: &mut Seen,
    _lock: &VaultLock,
) -> Result<(), StoreError> {
    use std::io::{Seek, SeekFrom};
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io(format!(
            "cannot open {} to record the access",
            path.display()
        )))?;
    let same = seen
        .check(&f)
        .map_err(io("cannot check the vault before recording the access"))?;
    if !same || valid_len > seen.len {
        return Err(StoreError::MovedOn(path.to_path_buf()));
    }
    if seen.len > valid_len {
        f.set_len(valid_len)
            .map_err(io("cannot drop a torn access-log record"))?;
        crash::at("append.torn-dropped");
    }
    f.seek(SeekFrom::Start(valid_len))
        .map_err(io("cannot seek in the vault"))?;
    crash::at("append.opened");
    let res = write_or_tear(&mut f, frame, "append.partial").and_then(|()| {
        crash::at("append.written");
        f.sync_data()
    });
    if let Err(e) = res {
        // Leave no partial frame behind if the write itself failed.
        let _ = f.set_len(valid_len);
        let _ = f.sync_data();
        seen.appended(valid_len, &[]);
        return Err(io(format!(
            "cannot write the access-log record to {}",
            path.display()
        ))(e));
    }
    crash::at("append.synced");
    seen.appended(valid_len, frame);
    Ok(())
}

/// What a file written where the user names (an export, a report) must
/// never land on: the vault and its companion files beside it — its
/// backups, lock and temporary files, and any other name that begins
/// with the vault's file name — and the directories of this machine's
/// high-water marks (`state_dir` and its `seen/`).
#[derive(Clone, Copy, Debug)]
pub struct Protected<'a> {
    pub vault: &'a Path,
    pub state_dir: Option<&'a Path>,
}

/// Refuses an output path before anything else happens, for the same
/// reasons [`create_output`] will, so that a command that first changes
/// the vault (a handover revokes, an export records) stops while nothing
/// has changed. [`create_output`] decides again when it creates the file.
pub fn check_output(path: &Path, protected: Protected<'_>) -> Result<(), StoreError> {
    let (dir, name) = output_dir(path, protected)?;
    match rustix::fs::statat(&dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Err(exists(path, st.st_mode)),
        Err(rustix::io::Errno::NOENT) => Ok(()),
        Err(e) => Err(io(format!("cannot look at {}", path.display()))(e.into())),
    }
}

/// Creates the output file at `path`, mode 0600, for writing: always a
/// new file (`O_CREAT | O_EXCL`), never through a symbolic link
/// (`O_NOFOLLOW`; `O_EXCL` already refuses a link at `path`, dangling or
/// not), never one of `protected`'s files. An existing file is refused,
/// never replaced: the user removes it or names another.
///
/// The directory is opened once and both the check and the creation are
/// made in it (`openat`), so the directory checked is the directory
/// written to, whatever its path's links.
pub fn create_output(path: &Path, protected: Protected<'_>) -> Result<File, StoreError> {
    use rustix::fs::{Mode, OFlags};
    let (dir, name) = output_dir(path, protected)?;
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = match rustix::fs::openat(&dir, name, flags, Mode::RUSR | Mode::WUSR) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::EXIST | rustix::io::Errno::LOOP) => {
            let mode = rustix::fs::statat(&dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                .map_or(0, |st| st.st_mode);
            return Err(exists(path, mode));
        }
        Err(e) => return Err(io(format!("cannot create {}", path.display()))(e.into())),
    };
    // Exactly 0600, whatever the umask.
    rustix::fs::fchmod(&fd, Mode::RUSR | Mode::WUSR)
        .map_err(|e| io(format!("cannot set the mode of {}", path.display()))(e.into()))?;
    Ok(File::from(fd))
}

/// Opens the directory `path` names a file in, and refuses the name when
/// it is one of `protected`'s files there.
fn output_dir<'p>(
    path: &'p Path,
    protected: Protected<'_>,
) -> Result<(std::os::fd::OwnedFd, &'p std::ffi::OsStr), StoreError> {
    use rustix::fs::{Mode, OFlags};
    let refuse = |why: &str| StoreError::OutputRefused {
        path: path.to_path_buf(),
        why: why.to_owned(),
    };
    let name = path
        .file_name()
        .ok_or_else(|| refuse("that names no file; give a file name"))?;
    let dir_path = parent_dir(path);
    let dir = rustix::fs::open(
        &dir_path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| io(format!("cannot open the directory {}", dir_path.display()))(e.into()))?;
    let st = rustix::fs::fstat(&dir).map_err(|e| io("cannot look at the directory")(e.into()))?;
    let is_dir = |p: &Path| {
        rustix::fs::stat(p).is_ok_and(|d| d.st_dev == st.st_dev && d.st_ino == st.st_ino)
    };
    let vault_name = protected.vault.file_name().map(|n| n.as_encoded_bytes());
    if let Some(v) = vault_name
        && name.as_encoded_bytes().starts_with(v)
        && is_dir(&parent_dir(protected.vault))
    {
        return Err(refuse(
            "that is the vault or one of its companion files (backups, lock, temporary \
             files); choose another name",
        ));
    }
    if let Some(state) = protected.state_dir
        && (is_dir(state) || is_dir(&state.join("seen")))
    {
        return Err(refuse(
            "that is where Baton keeps what this machine has seen of each vault's access \
             log; choose another place",
        ));
    }
    Ok((dir, name))
}

/// The refusal of an output path that exists, by what is there.
fn exists(path: &Path, mode: u32) -> StoreError {
    use rustix::fs::FileType;
    let why = match FileType::from_raw_mode(mode) {
        FileType::Symlink => {
            "it is a symbolic link, and Baton never writes through one; remove it or choose \
             another name"
        }
        FileType::Directory => "it is a directory; name a new file",
        _ => "it already exists, and Baton never replaces a file; remove it or choose another name",
    };
    StoreError::OutputRefused {
        path: path.to_path_buf(),
        why: why.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extended_fingerprint_equals_that_of_the_whole_file() {
        let mut f = Fingerprint::of(b"sealed part");
        f.extend(b"LR frame one");
        f.extend(b"LR frame two");
        assert_eq!(
            f.value(),
            fingerprint(b"sealed partLR frame oneLR frame two")
        );
        assert_ne!(f.value(), fingerprint(b"sealed part"));
    }

    /// A file laid out as Baton writes one: a header, a snapshot and a
    /// seal (`sealed` bytes), then `frames`.
    fn vault_file(dir: &Path, sealed: usize, frames: &[u8]) -> (PathBuf, Vec<u8>) {
        let mut bytes: Vec<u8> = (0..sealed).map(|i| (i % 251) as u8).collect();
        bytes.extend_from_slice(frames);
        let path = dir.join("vault.baton");
        fs::write(&path, &bytes).expect("write the file");
        (path, bytes)
    }

    fn seen_of(path: &Path, sealed: usize, valid: usize) -> Seen {
        let (bytes, id) = read_with_id(path).expect("read it back");
        Seen::new(id, &bytes, sealed, valid)
    }

    fn locked(path: &Path) -> VaultLock {
        lock(path, "test", Duration::from_millis(100)).expect("the lock")
    }

    #[test]
    fn appends_follow_each_other_onto_the_file_that_was_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, mut bytes) = vault_file(dir.path(), 300, b"LR\x01\0\0\0a");
        let mut seen = seen_of(&path, 300, bytes.len());
        let l = locked(&path);
        for frame in [&b"LR\x02\0\0\0bc"[..], b"LR\x01\0\0\0d"] {
            let at = bytes.len() as u64;
            append_frame(&path, frame, at, &mut seen, &l).expect("append");
            bytes.extend_from_slice(frame);
        }
        assert_eq!(fs::read(&path).expect("read"), bytes);
        assert_eq!(seen.file_len(), bytes.len() as u64);
    }

    #[test]
    fn a_torn_frame_that_was_read_is_cut_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, bytes) = vault_file(dir.path(), 300, b"LR\x09\0\0\0torn");
        let mut seen = seen_of(&path, 300, 300);
        let l = locked(&path);
        append_frame(&path, b"LR\x01\0\0\0x", 300, &mut seen, &l).expect("append");
        let mut want = bytes[..300].to_vec();
        want.extend_from_slice(b"LR\x01\0\0\0x");
        assert_eq!(fs::read(&path).expect("read"), want);
    }

    /// The review's cases: the file replaced under a waiting command (a
    /// sync tool), records appended by another process that took a
    /// deleted lock file's place, a new snapshot saved meanwhile, a torn
    /// frame completed meanwhile, and a same-length rewrite. Each is
    /// refused, and the file is left exactly as the other writer left it.
    #[test]
    fn an_append_onto_a_file_that_moved_on_is_refused_and_cuts_nothing() {
        /// Changes the file as another writer would; returns its bytes now.
        type Change = fn(&Path, &[u8]) -> Vec<u8>;
        let cases: [(&str, Change); 5] = [
            ("replaced by another file", |path, bytes| {
                let mut other = bytes.to_vec();
                other.extend_from_slice(b"LR\x01\0\0\0z");
                let tmp = path.with_extension("sync");
                fs::write(&tmp, &other).expect("write");
                fs::rename(&tmp, path).expect("rename");
                other
            }),
            ("grown by another writer's frame", |path, bytes| {
                let mut f = OpenOptions::new().append(true).open(path).expect("open");
                f.write_all(b"LR\x01\0\0\0y").expect("append");
                let mut other = bytes.to_vec();
                other.extend_from_slice(b"LR\x01\0\0\0y");
                other
            }),
            ("a new snapshot saved over it", |path, bytes| {
                let mut other = bytes[..200].to_vec();
                other.extend(std::iter::repeat_n(7u8, 150));
                let tmp = path.with_extension("save");
                fs::write(&tmp, &other).expect("write");
                fs::rename(&tmp, path).expect("rename");
                other
            }),
            ("its torn frame completed", |path, bytes| {
                let mut f = OpenOptions::new().append(true).open(path).expect("open");
                f.write_all(b"more").expect("append");
                let mut other = bytes.to_vec();
                other.extend_from_slice(b"more");
                other
            }),
            ("rewritten in place, same length", |path, bytes| {
                let mut other = bytes.to_vec();
                let seal = 300 - crate::format::SEAL_LEN;
                other[seal] ^= 1;
                let mut f = OpenOptions::new().write(true).open(path).expect("open");
                f.write_all(&other).expect("write");
                other
            }),
        ];
        for (what, change) in cases {
            let dir = tempfile::tempdir().expect("temp dir");
            let (path, bytes) = vault_file(dir.path(), 300, b"LR\x01\0\0\0aLR\x09\0\0\0to");
            let valid = 307;
            let mut seen = seen_of(&path, 300, valid);
            let l = locked(&path);
            let now = change(&path, &bytes);
            let refused = append_frame(&path, b"LR\x01\0\0\0x", valid as u64, &mut seen, &l);
            assert!(
                matches!(refused, Err(StoreError::MovedOn(_))),
                "{what}: {refused:?}"
            );
            assert_eq!(
                fs::read(&path).expect("read"),
                now,
                "{what}: the file changed"
            );
        }
    }

    /// Each listed crash point is placed once in the code below the list
    /// (a point reached but not listed fails its `debug_assert`); the
    /// integration tests kill Baton at every listed one.
    #[cfg(debug_assertions)]
    #[test]
    fn every_listed_crash_point_is_placed_once() {
        let src = include_str!("store.rs");
        let list_end = src.find("mod crash {").expect("the crash module");
        let tests = src.find("#[cfg(test)]").expect("the test module");
        let code = &src[list_end..tests];
        for p in CRASH_POINTS {
            assert_eq!(code.matches(&format!("\"{p}\"")).count(), 1, "{p}");
        }
    }
}
