//! KeePassXC CSV export.
