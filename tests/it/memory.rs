//! Memory hygiene of the running terminal UI: what a core image of the
//! process holds after a lock.
