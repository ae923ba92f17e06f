//! Baton's integration tests: one binary, one module per area. They drive
//! the real `baton` binary in temporary directories, and the library where
//! a test needs to reach inside the file.

// Tests and benchmarks set up real files, processes and clocks.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

mod architecture;
mod bad_input;
mod cli;
mod clipboard;
mod common;
mod git;
mod handover;
mod hardening;
mod health;
mod log;
mod memory;
mod migrate;
mod outputs;
mod props;
mod sharing;
mod store;
mod tui;
mod vectors;
