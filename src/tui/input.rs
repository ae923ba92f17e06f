//! The terminal's key input: the bytes a terminal sends, parsed into
//! crossterm key events, held in a fixed buffer whose bytes are wiped as
//! they are consumed. Pure: the runtime reads the terminal
//! (`os::TtyInput`) into [`Input::spare`].
//!
//! Why not crossterm's own reader: it keeps what was typed for as long as
//! the process lives — the last read in a 1 KiB buffer, the last 128
//! parsed events in a ring and the last 32 in another — so a passphrase
//! typed or pasted on the unlock screen, or a password typed into a form,
//! stayed in memory after the lock (`memory::after_a_lock_a_core_image_holds_neither_the_passphrase_nor_the_revealed_password`
//! found it). Here a byte lives only until its key is parsed, and no
//! event is queued: each is parsed when asked for.
//!
//! The parse follows crossterm 0.29's for what a terminal sends without
//! keyboard enhancement, mouse reporting or bracketed paste (the TUI
//! turns none of them on): UTF-8 characters (upper case with Shift),
//! control characters as Ctrl and a letter, Enter, Tab, Backspace, Esc
//! alone, Alt as an Esc prefix, and the CSI and SS3 sequences of arrows,
//! Home, End, Insert, Delete, Page Up/Down, Back Tab and F1–F20, with
//! their modifiers. Anything else is skipped.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use zeroize::Zeroize;

/// The most bytes held at once (crossterm reads as much at a time).
pub const CAPACITY: usize = 1024;

/// The longest escape sequence waited for; a longer unfinished one is
/// dropped.
const MAX_SEQUENCE: usize = 64;

const ESC: u8 = 0x1b;

/// Bytes read from the terminal and not yet parsed. Every byte past the
/// held ones is zero. No `Debug`, no `Clone`.
pub struct Input {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            buf: [0; CAPACITY],
            len: 0,
        }
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// What the bytes at the front are.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    /// A key, made of this many bytes.
    Key(KeyEvent, usize),
    /// Something that is not a key (or not one we know): this many bytes.
    Skip(usize),
    /// The start of something longer: wait for more bytes.
    Incomplete,
}

impl Input {
    /// Where the next read goes; empty when the buffer is full (see
    /// [`Input::next`]).
    pub fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.len..]
    }

    /// Records that `n` bytes were read into [`Input::spare`].
    pub fn filled(&mut self, n: usize) {
        self.len = (self.len + n).min(CAPACITY);
    }

    /// The next key, consuming (and wiping) its bytes. `more`: more bytes
    /// may follow at once (the last read filled the buffer), so a lone
    /// Esc at the end waits to see whether a sequence follows.
    pub fn next(&mut self, more: bool) -> Option<KeyEvent> {
        while self.len > 0 {
            match parse(&self.buf[..self.len], more) {
                Parsed::Key(k, n) => {
                    self.consume(n);
                    return Some(k);
                }
                Parsed::Skip(n) => self.consume(n.max(1)),
                Parsed::Incomplete if self.len >= CAPACITY => self.consume(self.len),
                Parsed::Incomplete => return None,
            }
        }
        None
    }

    /// Drops the first `n` bytes, moving the rest to the front, and zeroes
    /// the space they leave.
    fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        self.buf.copy_within(n..self.len, 0);
        self.buf[self.len - n..self.len].zeroize();
        self.len -= n;
    }

    #[cfg(test)]
    fn held(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn plain(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// The key at the front of `b` (not empty).
fn parse(b: &[u8], more: bool) -> Parsed {
    match b[0] {
        ESC => parse_escape(b, more),
        b'\r' => Parsed::Key(plain(KeyCode::Enter), 1),
        b'\t' => Parsed::Key(plain(KeyCode::Tab), 1),
        0x7f => Parsed::Key(plain(KeyCode::Backspace), 1),
        c @ 0x01..=0x1a => Parsed::Key(
            key(
                KeyCode::Char(char::from(c - 0x01 + b'a')),
                KeyModifiers::CONTROL,
            ),
            1,
        ),
        c @ 0x1c..=0x1f => Parsed::Key(
            key(
                KeyCode::Char(char::from(c - 0x1c + b'4')),
                KeyModifiers::CONTROL,
            ),
            1,
        ),
        0 => Parsed::Key(key(KeyCode::Char(' '), KeyModifiers::CONTROL), 1),
        _ => parse_char(b),
    }
}

/// A UTF-8 character; upper case carries Shift, as crossterm reports it.
fn parse_char(b: &[u8]) -> Parsed {
    let width = match b[0] {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return Parsed::Skip(1),
    };
    if b.len() < width {
        return if b[1..].iter().all(|&x| x & 0xc0 == 0x80) {
            Parsed::Incomplete
        } else {
            Parsed::Skip(1)
        };
    }
    match std::str::from_utf8(&b[..width])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => {
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            Parsed::Key(key(KeyCode::Char(c), modifiers), width)
        }
        None => Parsed::Skip(1),
    }
}

/// `b` starts with Esc: Esc itself, Alt and a key, or a sequence.
fn parse_escape(b: &[u8], more: bool) -> Parsed {
    let Some(&second) = b.get(1) else {
        return if more {
            Parsed::Incomplete
        } else {
            Parsed::Key(plain(KeyCode::Esc), 1)
        };
    };
    match second {
        b'O' => match b.get(2) {
            None => Parsed::Incomplete,
            Some(&c) => match ss3_key(c) {
                Some(code) => Parsed::Key(plain(code), 3),
                None => Parsed::Skip(3),
            },
        },
        b'[' => parse_csi(b),
        ESC => Parsed::Key(plain(KeyCode::Esc), 2),
        _ => match parse(&b[1..], more) {
            Parsed::Key(mut k, n) => {
                k.modifiers |= KeyModifiers::ALT;
                Parsed::Key(k, n + 1)
            }
            Parsed::Skip(n) => Parsed::Skip(n + 1),
            Parsed::Incomplete => Parsed::Incomplete,
        },
    }
}

/// The key of `Esc O c`.
fn ss3_key(c: u8) -> Option<KeyCode> {
    Some(match c {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        c @ b'P'..=b'S' => KeyCode::F(1 + c - b'P'),
        _ => return None,
    })
}

/// `b` starts with `Esc [`: a control sequence, parameters then a final
/// byte (0x40–0x7e).
fn parse_csi(b: &[u8]) -> Parsed {
    // The Linux console's F1–F5: Esc [ [ A … Esc [ [ E.
    if b.get(2) == Some(&b'[') {
        return match b.get(3) {
            None => Parsed::Incomplete,
            Some(&c @ b'A'..=b'E') => Parsed::Key(plain(KeyCode::F(1 + c - b'A')), 4),
            Some(_) => Parsed::Skip(4),
        };
    }
    let Some(end) = b[2..].iter().position(|c| (0x40..=0x7e).contains(c)) else {
        return if b.len() >= MAX_SEQUENCE {
            Parsed::Skip(b.len())
        } else {
            Parsed::Incomplete
        };
    };
    let len = 2 + end + 1;
    let params = &b[2..2 + end];
    let last = b[2 + end];
    let code = match (last, params.is_empty()) {
        (b'Z', true) => {
            return Parsed::Key(
                KeyEvent::new_with_kind(KeyCode::BackTab, KeyModifiers::SHIFT, KeyEventKind::Press),
                len,
            );
        }
        (b'~', false) => match number(params.split(|&c| c == b';').next()) {
            Some(n) => match special_key(n) {
                Some(code) => code,
                None => return Parsed::Skip(len),
            },
            None => return Parsed::Skip(len),
        },
        (b'A', _) => KeyCode::Up,
        (b'B', _) => KeyCode::Down,
        (b'C', _) => KeyCode::Right,
        (b'D', _) => KeyCode::Left,
        (b'H', _) => KeyCode::Home,
        (b'F', _) => KeyCode::End,
        (b'P', _) => KeyCode::F(1),
        (b'Q', _) => KeyCode::F(2),
        (b'S', _) => KeyCode::F(4),
        // `Esc [ 1 ; m R` is Shift+F3 or a cursor position report, which
        // the TUI never asks for; mouse, focus and the rest are skipped.
        _ => return Parsed::Skip(len),
    };
    let (modifiers, kind) = modifiers_and_kind(params);
    Parsed::Key(KeyEvent::new_with_kind(code, modifiers, kind), len)
}

/// The key of `Esc [ n ~`.
fn special_key(n: u16) -> Option<KeyCode> {
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F(u8::try_from(n - 10).ok()?),
        17..=21 => KeyCode::F(u8::try_from(n - 11).ok()?),
        23..=26 => KeyCode::F(u8::try_from(n - 12).ok()?),
        28..=29 => KeyCode::F(u8::try_from(n - 15).ok()?),
        31..=34 => KeyCode::F(u8::try_from(n - 17).ok()?),
        _ => return None,
    })
}

fn number(digits: Option<&[u8]>) -> Option<u16> {
    std::str::from_utf8(digits?).ok()?.parse().ok()
}

/// The modifiers (and press, repeat or release) of `n ; m[:k]`: m − 1 is
/// a bit set of Shift, Alt, Ctrl, Super, Hyper, Meta.
fn modifiers_and_kind(params: &[u8]) -> (KeyModifiers, KeyEventKind) {
    let mut fields = params.split(|&c| c == b';').skip(1);
    let Some(field) = fields.next() else {
        return (KeyModifiers::NONE, KeyEventKind::Press);
    };
    let mut parts = field.split(|&c| c == b':');
    let mask = number(parts.next()).unwrap_or(1).saturating_sub(1);
    let kind = match number(parts.next()) {
        Some(2) => KeyEventKind::Repeat,
        Some(3) => KeyEventKind::Release,
        _ => KeyEventKind::Press,
    };
    let mut m = KeyModifiers::NONE;
    for (bit, flag) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if mask & bit != 0 {
            m |= flag;
        }
    }
    (m, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key `bytes` holds, read as one read.
    fn keys(bytes: &[u8]) -> Vec<KeyEvent> {
        let mut input = Input::default();
        input.spare()[..bytes.len()].copy_from_slice(bytes);
        input.filled(bytes.len());
        std::iter::from_fn(|| input.next(false)).collect()
    }

    fn ctrl(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn characters_and_control_keys_parse_as_crossterm_reports_them() {
        assert_eq!(
            keys("aZ é€😀".as_bytes()),
            vec![
                plain(KeyCode::Char('a')),
                key(KeyCode::Char('Z'), KeyModifiers::SHIFT),
                plain(KeyCode::Char(' ')),
                plain(KeyCode::Char('é')),
                plain(KeyCode::Char('€')),
                plain(KeyCode::Char('😀')),
            ]
        );
        assert_eq!(
            keys(b"\r\t\x7f\x0c\x07\x08\n\x00\x1c"),
            vec![
                plain(KeyCode::Enter),
                plain(KeyCode::Tab),
                plain(KeyCode::Backspace),
                ctrl('l'),
                ctrl('g'),
                ctrl('h'),
                ctrl('j'),
                ctrl(' '),
                ctrl('4'),
            ]
        );
    }

    #[test]
    fn escape_sequences_parse_as_crossterm_reports_them() {
        let cases: &[(&[u8], KeyEvent)] = &[
            (b"\x1b", plain(KeyCode::Esc)),
            (b"\x1b\x1b", plain(KeyCode::Esc)),
            (b"\x1bq", key(KeyCode::Char('q'), KeyModifiers::ALT)),
            (b"\x1b[A", plain(KeyCode::Up)),
            (b"\x1b[B", plain(KeyCode::Down)),
            (b"\x1b[C", plain(KeyCode::Right)),
            (b"\x1b[D", plain(KeyCode::Left)),
            (b"\x1bOA", plain(KeyCode::Up)),
            (b"\x1bOB", plain(KeyCode::Down)),
            (b"\x1b[H", plain(KeyCode::Home)),
            (b"\x1b[F", plain(KeyCode::End)),
            (b"\x1bOH", plain(KeyCode::Home)),
            (b"\x1b[1~", plain(KeyCode::Home)),
            (b"\x1b[4~", plain(KeyCode::End)),
            (b"\x1b[3~", plain(KeyCode::Delete)),
            (b"\x1b[5~", plain(KeyCode::PageUp)),
            (b"\x1b[6~", plain(KeyCode::PageDown)),
            (b"\x1bOP", plain(KeyCode::F(1))),
            (b"\x1b[15~", plain(KeyCode::F(5))),
            (b"\x1b[24~", plain(KeyCode::F(12))),
            (b"\x1b[[A", plain(KeyCode::F(1))),
            (
                b"\x1b[Z",
                KeyEvent::new_with_kind(KeyCode::BackTab, KeyModifiers::SHIFT, KeyEventKind::Press),
            ),
            (
                b"\x1b[1;5A",
                KeyEvent::new_with_kind(KeyCode::Up, KeyModifiers::CONTROL, KeyEventKind::Press),
            ),
            (
                b"\x1b[5;3~",
                KeyEvent::new_with_kind(KeyCode::PageUp, KeyModifiers::ALT, KeyEventKind::Press),
            ),
            (
                b"\x1b[1;2:3B",
                KeyEvent::new_with_kind(KeyCode::Down, KeyModifiers::SHIFT, KeyEventKind::Release),
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(keys(bytes), vec![*want], "{bytes:?}");
        }
    }

    #[test]
    fn unknown_sequences_are_skipped_and_what_follows_is_read() {
        assert_eq!(
            keys(b"\x1b[<0;3;4Mx\x1b[I\x1b[99~\x1bOZy\x1b[?1;2cz\xffw"),
            vec![
                plain(KeyCode::Char('x')),
                plain(KeyCode::Char('y')),
                plain(KeyCode::Char('z')),
                plain(KeyCode::Char('w')),
            ]
        );
    }

    #[test]
    fn a_sequence_split_across_reads_waits_for_its_end() {
        let mut input = Input::default();
        let feed = |input: &mut Input, bytes: &[u8]| {
            input.spare()[..bytes.len()].copy_from_slice(bytes);
            input.filled(bytes.len());
        };
        feed(&mut input, b"a\x1b[2");
        assert_eq!(input.next(false), Some(plain(KeyCode::Char('a'))));
        assert_eq!(input.next(false), None);
        feed(&mut input, b"4~\xe2\x82");
        assert_eq!(input.next(false), Some(plain(KeyCode::F(12))));
        assert_eq!(input.next(false), None);
        feed(&mut input, b"\xac");
        assert_eq!(input.next(false), Some(plain(KeyCode::Char('€'))));
        // A lone Esc at the end of a full read waits for what follows.
        feed(&mut input, b"\x1b");
        assert_eq!(input.next(true), None);
        feed(&mut input, b"[B");
        assert_eq!(input.next(false), Some(plain(KeyCode::Down)));
        assert_eq!(input.next(false), None);
    }

    #[test]
    fn consumed_bytes_are_wiped() {
        let mut input = Input::default();
        let typed = b"Tr0ub4dor&3 secret\r";
        input.spare()[..typed.len()].copy_from_slice(typed);
        input.filled(typed.len());
        assert_eq!(
            input.next(false),
            Some(key(KeyCode::Char('T'), KeyModifiers::SHIFT))
        );
        assert_eq!(input.held(), &typed[1..]);
        while input.next(false).is_some() {}
        assert!(input.held().is_empty());
        assert!(input.buf.iter().all(|&b| b == 0), "every byte is zero");
        // An unfinished sequence that can never end is dropped, wiped.
        let junk = [b'\x1b', b'[']
            .into_iter()
            .chain(std::iter::repeat_n(b'1', MAX_SEQUENCE))
            .collect::<Vec<_>>();
        input.spare()[..junk.len()].copy_from_slice(&junk);
        input.filled(junk.len());
        assert_eq!(input.next(false), None);
        assert!(input.buf.iter().all(|&b| b == 0));
    }
}
