//! The TUI's screens and the views that open over the main screen, one
//! module each, holding that screen's state, its update, its view and its
//! keys (see [`super::keys`]). [`super::update`], [`super::view`] and
//! [`super::keymap`] only dispatch to the screen on show.

pub mod codes;
pub mod detail;
pub mod form;
pub mod generator;
pub mod handover;
pub mod health;
pub mod help;
pub mod log;
pub mod main;
pub mod members;
pub mod onboard;
pub mod unlock;
