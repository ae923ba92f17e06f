//! Baton: a local, encrypted password vault for small firms and the IT
//! contractors they depend on.
//!
//! # Module map
//!
//! Pure (no files, terminal, environment, clock or OS randomness: these
//! arrive as arguments):
//! - [`secret`]: secret newtypes, zeroized on drop, never printable.
//! - [`crypto`]: Argon2id with bounds, XChaCha20-Poly1305, HPKE-sealed group
//!   keys, Ed25519 signatures, SHA-256.
//! - [`format`]: the file's bytes — types, strict reader, writer, codec.
//! - [`vault`]: unlock bytes into a [`vault::Vault`], edit, seal back to bytes.
//! - [`audit`]: the signed, hash-chained access log and its verification.
//! - [`totp`], [`generate`], [`dates`], [`search`]: small pure helpers.
//!
//! - [`text`]: vault text made safe for a terminal.
//!
//! IO (only these touch the outside world):
//! - [`store`]: paths, permissions, the lock file, atomic saves, backups.
//! - [`os`]: passphrase prompt, process hardening, clipboard, randomness.
//!
//! The application layer, on the two above:
//! - [`session`]: the environment read once, open/unlock/save, the one
//!   fail-closed reveal path, entry edits, members, handover, import and
//!   export, the demo.
//!
//! Front ends, on the application layer (neither imports the other):
//! - [`cli`]: argument parsing (pure) and command execution (IO).
//! - [`tui`]: the terminal UI; its state, keymap, update and view are pure,
//!   its runtime and terminal modules do the IO.
//!
//! docs/ARCHITECTURE.md draws the layers and which module may use which.

#![forbid(unsafe_code)]

pub mod audit;
pub mod cli;
pub mod copies;
pub mod crypto;
pub mod dates;
pub mod export;
pub mod format;
pub mod generate;
pub mod handover;
pub mod health;
pub mod import;
pub mod os;
pub mod search;
pub mod secret;
pub mod session;
pub mod store;
pub mod text;
pub mod totp;
pub mod tui;
pub mod vault;
