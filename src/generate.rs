//! Random password and passphrase generation, and their entropy estimates.
//!
//! The caller supplies the cryptographic RNG; this module does no IO.
//! Character sets (no look-alike characters are removed):
//!
//! - lower: `abcdefghijklmnopqrstuvwxyz` (26)
//! - upper: `ABCDEFGHIJKLMNOPQRSTUVWXYZ` (26)
//! - digits: `0123456789` (10)
//! - symbols: `!#$%&*+-./:;=?@^_~` (18; no quotes, backslash, brackets or
//!   spaces, so passwords survive shells, CSV and most web forms)
//!
//! Passphrases use the EFF large wordlist (7,776 words).

use rand::CryptoRng;
use rand::seq::IndexedRandom;
use zeroize::Zeroizing;

/// Lower-case letters.
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
/// Upper-case letters.
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Decimal digits.
pub const DIGITS: &str = "0123456789";
/// Symbols.
pub const SYMBOLS: &str = "!#$%&*+-./:;=?@^_~";

/// Shortest and longest password.
pub const PASSWORD_LENGTH: std::ops::RangeInclusive<usize> = 4..=1024;
/// Fewest and most words in a passphrase.
pub const PASSPHRASE_WORDS: std::ops::RangeInclusive<usize> = 3..=64;
/// Longest passphrase separator, in bytes.
pub const MAX_SEPARATOR_LEN: usize = 32;

/// Draws allowed before giving up on getting every class into a password.
/// For the worst legal case (4 characters, all four classes) one draw
/// succeeds with probability about 7%, so failing 10,000 times in a row
/// means the RNG is broken, not unlucky.
const MAX_ATTEMPTS: u32 = 10_000;

/// Why generation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("password length must be between 4 and 1024 characters")]
    InvalidLength,
    #[error("at least one character class must be enabled")]
    NoCharacterClasses,
    #[error("a passphrase must have between 3 and 64 words")]
    InvalidWordCount,
    #[error("the passphrase separator must be at most 32 bytes")]
    SeparatorTooLong,
    #[error(
        "the random generator did not produce a password containing every enabled character class"
    )]
    RngFailure,
}

/// Which characters a generated password may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CharsetOptions {
    pub length: usize,
    pub lower: bool,
    pub upper: bool,
    pub digits: bool,
    pub symbols: bool,
}

impl Default for CharsetOptions {
    /// 24 characters from all four classes (about 151 bits).
    fn default() -> Self {
        CharsetOptions {
            length: 24,
            lower: true,
            upper: true,
            digits: true,
            symbols: true,
        }
    }
}

impl CharsetOptions {
    fn classes(&self) -> Vec<&'static [u8]> {
        [
            (self.lower, LOWER),
            (self.upper, UPPER),
            (self.digits, DIGITS),
            (self.symbols, SYMBOLS),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, set)| set.as_bytes())
        .collect()
    }
}

/// A random password of `opts.length` characters (4..=1024), each drawn
/// uniformly from the union of the enabled classes, containing at least one
/// character of every enabled class. The guarantee is met by drawing whole
/// new passwords until one qualifies, so no position is tied to a class.
pub fn password(
    opts: &CharsetOptions,
    rng: &mut impl CryptoRng,
) -> Result<Zeroizing<String>, GenerateError> {
    if !PASSWORD_LENGTH.contains(&opts.length) {
        return Err(GenerateError::InvalidLength);
    }
    let classes = opts.classes();
    if classes.is_empty() {
        return Err(GenerateError::NoCharacterClasses);
    }
    let pool: Vec<u8> = classes.concat();
    // All characters are ASCII, so the buffer never reallocates and no
    // unzeroized copy is left behind.
    let mut out = Zeroizing::new(String::with_capacity(opts.length));
    for _ in 0..MAX_ATTEMPTS {
        out.clear();
        for _ in 0..opts.length {
            let &c = pool.choose(rng).ok_or(GenerateError::NoCharacterClasses)?;
            out.push(char::from(c));
        }
        let complete = classes
            .iter()
            .all(|class| out.bytes().any(|b| class.contains(&b)));
        if complete {
            return Ok(out);
        }
    }
    Err(GenerateError::RngFailure)
}

/// A passphrase of `words` (3..=64) words drawn uniformly and independently
/// from the EFF large wordlist, joined by `separator` (at most 32 bytes,
/// may be empty).
pub fn passphrase(
    words: usize,
    separator: &str,
    rng: &mut impl CryptoRng,
) -> Result<Zeroizing<String>, GenerateError> {
    if !PASSPHRASE_WORDS.contains(&words) {
        return Err(GenerateError::InvalidWordCount);
    }
    if separator.len() > MAX_SEPARATOR_LEN {
        return Err(GenerateError::SeparatorTooLong);
    }
    let list = eff_wordlist::large::LIST;
    // Longest EFF word is 9 letters; reserve so the buffer never reallocates.
    let capacity = words * 9 + (words - 1) * separator.len();
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    for i in 0..words {
        if i > 0 {
            out.push_str(separator);
        }
        let (_, word) = list.choose(rng).ok_or(GenerateError::InvalidWordCount)?;
        out.push_str(word);
    }
    Ok(out)
}

/// `length × log2(charset size)` bits; 0 when no class is enabled.
///
/// A slight upper bound: requiring every enabled class removes a small
/// fraction of the possible strings (for 24 characters, all classes, well
/// under 0.1 bit).
pub fn password_entropy_bits(opts: &CharsetOptions) -> f64 {
    let size: usize = opts.classes().iter().map(|c| c.len()).sum();
    if size == 0 {
        return 0.0;
    }
    opts.length as f64 * (size as f64).log2()
}

/// `words × log2(7776)` bits, about 12.9 bits per word. Exact for the words
/// themselves; assumes the separator does not make two passphrases equal.
pub fn passphrase_entropy_bits(words: usize) -> f64 {
    words as f64 * (wordlist_len() as f64).log2()
}

/// Number of words in the passphrase wordlist (7,776).
pub fn wordlist_len() -> usize {
    eff_wordlist::large::LIST.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashSet;

    fn rng(seed: u64) -> StdRng {
        StdRng::seed_from_u64(seed)
    }

    fn opts(
        length: usize,
        lower: bool,
        upper: bool,
        digits: bool,
        symbols: bool,
    ) -> CharsetOptions {
        CharsetOptions {
            length,
            lower,
            upper,
            digits,
            symbols,
        }
    }

    fn has(s: &str, set: &str) -> bool {
        s.chars().any(|c| set.contains(c))
    }

    #[test]
    fn default_options() {
        assert_eq!(CharsetOptions::default(), opts(24, true, true, true, true));
    }

    #[test]
    fn lengths() {
        let mut r = rng(1);
        for len in [4, 5, 24, 100, 1024] {
            let p = password(&opts(len, true, true, true, true), &mut r).expect("valid test input");
            assert_eq!(p.chars().count(), len);
            assert_eq!(p.len(), len);
        }
    }

    #[test]
    fn bad_options() {
        let mut r = rng(2);
        for len in [0, 3, 1025, 2000] {
            assert_eq!(
                password(&opts(len, true, true, true, true), &mut r).unwrap_err(),
                GenerateError::InvalidLength
            );
        }
        assert_eq!(
            password(&opts(24, false, false, false, false), &mut r).unwrap_err(),
            GenerateError::NoCharacterClasses
        );
        for words in [0, 2, 65] {
            assert_eq!(
                passphrase(words, "-", &mut r).unwrap_err(),
                GenerateError::InvalidWordCount
            );
        }
        assert_eq!(
            passphrase(4, &"-".repeat(33), &mut r).unwrap_err(),
            GenerateError::SeparatorTooLong
        );
        assert!(passphrase(4, &"-".repeat(32), &mut r).is_ok());
    }

    #[test]
    fn every_enabled_class_present_and_not_positional() {
        let mut r = rng(3);
        let all = opts(4, true, true, true, true);
        let mut first_chars = HashSet::new();
        for _ in 0..2000 {
            let p = password(&all, &mut r).expect("valid test input");
            assert!(has(&p, LOWER) && has(&p, UPPER) && has(&p, DIGITS) && has(&p, SYMBOLS));
            first_chars.insert(p.as_bytes()[0]);
        }
        // Position 0 is not reserved for one class.
        for set in [LOWER, UPPER, DIGITS, SYMBOLS] {
            assert!(first_chars.iter().any(|&b| set.as_bytes().contains(&b)));
        }
        let two = opts(4, false, true, true, false);
        for _ in 0..500 {
            let p = password(&two, &mut r).expect("valid test input");
            assert!(has(&p, UPPER) && has(&p, DIGITS));
            assert!(!has(&p, LOWER) && !has(&p, SYMBOLS));
        }
    }

    #[test]
    fn no_symbols_excludes_every_symbol() {
        let mut r = rng(4);
        let o = opts(64, true, true, true, false);
        for _ in 0..500 {
            let p = password(&o, &mut r).expect("valid test input");
            assert!(p.chars().all(|c| c.is_ascii_alphanumeric()));
            assert!(!has(&p, SYMBOLS));
        }
        let digits_only = opts(12, false, false, true, false);
        let p = password(&digits_only, &mut r).expect("valid test input");
        assert!(p.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn symbol_set() {
        assert_eq!(SYMBOLS.len(), 18);
        let distinct: HashSet<char> = SYMBOLS.chars().collect();
        assert_eq!(distinct.len(), 18);
        assert!(SYMBOLS.chars().all(|c| c.is_ascii_punctuation()));
    }

    #[test]
    fn wordlist() {
        assert_eq!(wordlist_len(), 7776);
        let words: HashSet<&str> = eff_wordlist::large::LIST.iter().map(|(_, w)| *w).collect();
        assert_eq!(words.len(), 7776);
        assert!(words.iter().all(|w| w.len() <= 9 && !w.is_empty()));
    }

    #[test]
    fn passphrases() {
        let mut r = rng(5);
        let words: HashSet<&str> = eff_wordlist::large::LIST.iter().map(|(_, w)| *w).collect();
        let p = passphrase(6, " | ", &mut r).expect("valid test input");
        let parts: Vec<&str> = p.split(" | ").collect();
        assert_eq!(parts.len(), 6);
        assert!(parts.iter().all(|w| words.contains(w)));
        let p = passphrase(64, "", &mut r).expect("valid test input");
        assert!(p.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        let a = passphrase(5, "-", &mut r).expect("valid test input");
        let b = passphrase(5, "-", &mut r).expect("valid test input");
        assert_ne!(a, b);
    }

    #[test]
    fn entropy() {
        let size = (LOWER.len() + UPPER.len() + DIGITS.len() + SYMBOLS.len()) as f64;
        let expected = 24.0 * size.log2();
        assert!((password_entropy_bits(&CharsetOptions::default()) - expected).abs() < 1e-9);
        assert!((expected - 24.0 * 80f64.log2()).abs() < 1e-9);
        let lower_digits = 10.0 * 36f64.log2();
        assert!(
            (password_entropy_bits(&opts(10, true, false, true, false)) - lower_digits).abs()
                < 1e-9
        );
        assert_eq!(
            password_entropy_bits(&opts(10, false, false, false, false)),
            0.0
        );
        assert!((passphrase_entropy_bits(6) - 6.0 * 7776f64.log2()).abs() < 1e-9);
        assert!((passphrase_entropy_bits(1) - 12.92481250360578).abs() < 1e-9);
    }

    /// Chi-square over the 80 characters at position 0 of 100,000 passwords.
    /// 64 characters make the class-guarantee rejection negligible (<0.02%).
    /// For 79 degrees of freedom the 0.1% critical value is about 124.8;
    /// modulo bias from a byte (256 % 80) would give thousands.
    #[test]
    fn first_character_is_uniform() {
        let mut r = rng(6);
        let pool: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat().into_bytes();
        let mut counts = [0u32; 128];
        let n = 100_000;
        let o = opts(64, true, true, true, true);
        for _ in 0..n {
            let p = password(&o, &mut r).expect("valid test input");
            counts[usize::from(p.as_bytes()[0])] += 1;
        }
        let expected = n as f64 / pool.len() as f64;
        let chi2: f64 = pool
            .iter()
            .map(|&c| {
                let d = f64::from(counts[usize::from(c)]) - expected;
                d * d / expected
            })
            .sum();
        let total: u32 = pool.iter().map(|&c| counts[usize::from(c)]).sum();
        assert_eq!(total, n);
        assert!(chi2 < 124.8, "chi-square {chi2}");
    }
}
