//! Search over what a member may see without a reveal: titles, group
//! paths, usernames, URLs and tags (never passwords, notes or other
//! concealed values). An [`Index`] is built once per unlock and queried per
//! keystroke; [`search_once`] serves a command that searches once.
//!
//! **What matches.** The query is split into words at whitespace, and
//! every word must match the entry somewhere:
//! - *fuzzily* in the title or the group path: its letters in order, gaps
//!   allowed ("acmpay" finds "Acme Payroll"), scored by nucleo-matcher;
//! - or *as a substring* of the username, a URL or a tag ("gmail" finds
//!   "ops@gmail.com"). Machine-made text is not matched fuzzily: a short
//!   word is found letter by letter in nearly every address ("acm" in
//!   "https://mail.example.com"), which is noise rather than a find.
//!
//! Case is ignored unless the word has an upper-case letter, and accents
//! unless it has a non-ASCII letter (nucleo's smart case and smart
//! normalization; substrings are compared case- and accent-folded). A
//! word scores the best of: twice its title score (the title is what
//! people type), its group score, and its substring score. An entry scores
//! the sum over its words; results come best first, ties in vault order.
//!
//! **Why it is fast.** Every entry's text is folded once (lower case,
//! accents removed, UTF-8 bytes). A cheap test on the folded bytes, the
//! word's bytes in order within the title, is a necessary condition for
//! nucleo's fuzzy match, so nucleo scores only titles that can match.
//! Substrings are found with `memchr::memmem` in the folded bytes. Group
//! paths, few and shared by many entries, are scored once per query.
//! Entries are scored in chunks on all cores, one matcher per chunk.

use memchr::memmem;
use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};
use rayon::prelude::*;

use crate::vault::{Entry, EntryRef, Vault};

/// Score of each character of a word found as a substring of the
/// username, a URL or a tag (nucleo gives 16 per matched character).
const SUBSTRING_PER_CHAR: u32 = 16;
/// Extra score when that substring starts a word ("mail" in "mail.acme").
const SUBSTRING_AT_WORD_START: u32 = 16;
/// Entries scored together on one thread, with one matcher.
const CHUNK: usize = 2048;

/// The searchable text of every live entry the member can read.
pub struct Index {
    items: Vec<Item>,
    groups: Vec<Utf32String>,
}

struct Item {
    entry: EntryRef,
    /// The title as nucleo reads it (ASCII kept as bytes).
    title: Utf32String,
    /// Folded title, then folded username, URLs and tags each preceded by
    /// a newline (which no query word contains).
    folded: Box<[u8]>,
    /// Length of the folded title at the start of `folded`.
    title_len: usize,
}

/// One result: the entry and its score (higher is better).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub entry: EntryRef,
    pub score: u32,
}

impl Index {
    pub fn build(vault: &Vault) -> Self {
        let entries: Vec<(EntryRef, &Entry)> = vault.entries().map(|(r, _, e)| (r, e)).collect();
        let items = entries
            .par_iter()
            .map(|&(entry, e)| {
                let mut folded = Vec::with_capacity(e.title.len() + 64);
                let title_len = fold_entry(&mut folded, e);
                Item {
                    entry,
                    title: utf32(&e.title),
                    folded: folded.into_boxed_slice(),
                    title_len,
                }
            })
            .collect();
        let groups = vault.groups().iter().map(|g| utf32(&g.name)).collect();
        Index { items, groups }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Entries matching `query`, best first; ties keep vault order. An empty
    /// query matches everything with score 0.
    pub fn query(&self, query: &str) -> Vec<Hit> {
        let Some(q) = Query::new(query, self.groups.iter().map(|g| g.slice(..))) else {
            return self
                .items
                .iter()
                .map(|i| Hit {
                    entry: i.entry,
                    score: 0,
                })
                .collect();
        };
        let keys: Vec<u64> = self
            .items
            .par_chunks(CHUNK)
            .enumerate()
            .map_init(matcher, |m, (ci, chunk)| {
                chunk
                    .iter()
                    .enumerate()
                    .filter_map(|(j, i)| {
                        let (title_folded, rest) = i.folded.split_at(i.title_len);
                        let c = Candidate {
                            title: i.title.slice(..),
                            title_folded,
                            rest,
                            group: i.entry.group,
                        };
                        q.score(&c, m).map(|score| rank_key(score, ci * CHUNK + j))
                    })
                    .collect::<Vec<_>>()
            })
            .flatten()
            .collect();
        ranked(keys, |k| self.items[k].entry)
    }
}

/// One search without an index, for a command that searches once: each
/// entry's text is folded into a reusable buffer and scored in place, on
/// all cores. Same matching and order as [`Index::query`].
pub fn search_once(vault: &Vault, query: &str) -> Vec<Hit> {
    let entries: Vec<(EntryRef, &Entry)> = vault.entries().map(|(r, _, e)| (r, e)).collect();
    let groups: Vec<Utf32String> = vault.groups().iter().map(|g| utf32(&g.name)).collect();
    let Some(q) = Query::new(query, groups.iter().map(|g| g.slice(..))) else {
        return entries
            .iter()
            .map(|&(entry, _)| Hit { entry, score: 0 })
            .collect();
    };
    let keys: Vec<u64> = entries
        .par_chunks(CHUNK)
        .enumerate()
        .map_init(
            || (matcher(), Vec::new(), Vec::new()),
            |(m, folded, chars), (ci, chunk)| {
                chunk
                    .iter()
                    .enumerate()
                    .filter_map(|(j, &(entry, e))| {
                        folded.clear();
                        let title_len = fold_entry(folded, e);
                        let (title_folded, rest) = folded.split_at(title_len);
                        let title = if e.title.is_ascii() {
                            Utf32Str::Ascii(e.title.as_bytes())
                        } else {
                            chars.clear();
                            chars.extend(e.title.chars());
                            Utf32Str::Unicode(chars)
                        };
                        let c = Candidate {
                            title,
                            title_folded,
                            rest,
                            group: entry.group,
                        };
                        q.score(&c, m).map(|score| rank_key(score, ci * CHUNK + j))
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten()
        .collect();
    ranked(keys, |k| entries[k].0)
}

/// A sort key for a hit: higher scores first, then vault order (the
/// entry's position among those searched). One `u64` sorts fast, and
/// unstably without changing the order.
fn rank_key(score: u32, position: usize) -> u64 {
    (u64::from(u32::MAX - score) << 32) | (position as u64 & 0xffff_ffff)
}

/// Sorts the keys and turns them back into hits.
fn ranked(mut keys: Vec<u64>, entry_at: impl Fn(usize) -> EntryRef + Sync) -> Vec<Hit> {
    keys.par_sort_unstable();
    keys.par_iter()
        .map(|&k| Hit {
            entry: entry_at((k & 0xffff_ffff) as usize),
            score: u32::MAX - (k >> 32) as u32,
        })
        .collect()
}

/// A matcher configured for entry search. A matcher holds scratch
/// matrices, so each thread has its own.
pub fn matcher() -> Matcher {
    Matcher::new(Config::DEFAULT)
}

/// What one entry offers a query.
struct Candidate<'a> {
    title: Utf32Str<'a>,
    title_folded: &'a [u8],
    /// Folded username, URLs and tags, each preceded by a newline.
    rest: &'a [u8],
    group: usize,
}

/// A parsed query: its words, and each word's score against each group.
struct Query {
    words: Vec<Word>,
}

struct Word {
    fuzzy: Atom,
    folded: Vec<u8>,
    finder: memmem::Finder<'static>,
    chars: u32,
    /// This word's fuzzy score against each group path, by group index.
    groups: Vec<Option<u16>>,
}

impl Query {
    /// `None` for a query with no words (which matches everything).
    fn new<'g>(query: &str, groups: impl Iterator<Item = Utf32Str<'g>> + Clone) -> Option<Self> {
        let mut matcher = matcher();
        let words: Vec<Word> = query
            .split_whitespace()
            .map(|w| {
                let fuzzy = Atom::new(
                    w,
                    CaseMatching::Smart,
                    Normalization::Smart,
                    AtomKind::Fuzzy,
                    false,
                );
                let mut folded = Vec::with_capacity(w.len());
                fold(&mut folded, w);
                let groups = groups
                    .clone()
                    .map(|g| fuzzy.score(g, &mut matcher))
                    .collect();
                Word {
                    finder: memmem::Finder::new(&folded).into_owned(),
                    fuzzy,
                    folded,
                    chars: w.chars().count() as u32,
                    groups,
                }
            })
            .collect();
        (!words.is_empty()).then_some(Query { words })
    }

    /// The entry's score, or `None` when some word matches nowhere.
    fn score(&self, c: &Candidate<'_>, m: &mut Matcher) -> Option<u32> {
        let mut total = 0u32;
        for w in &self.words {
            let title = if in_order(&w.folded, c.title_folded) {
                w.fuzzy.score(c.title, m).map(|x| 2 * u32::from(x))
            } else {
                None
            };
            let group = w.groups.get(c.group).copied().flatten().map(u32::from);
            let rest = w.finder.find(c.rest).map(|at| {
                let word_start = at == 0 || !c.rest[at - 1].is_ascii_alphanumeric();
                SUBSTRING_PER_CHAR * w.chars
                    + if word_start {
                        SUBSTRING_AT_WORD_START
                    } else {
                        0
                    }
            });
            total += [title, group, rest].into_iter().flatten().max()?;
        }
        Some(total)
    }
}

/// Whether `needle`'s bytes occur in `hay` in order. For folded text this
/// is a necessary condition for a fuzzy match: characters in order encode
/// to bytes in order.
fn in_order(needle: &[u8], hay: &[u8]) -> bool {
    let mut rest = hay;
    for &b in needle {
        match memchr::memchr(b, rest) {
            Some(i) => rest = &rest[i + 1..],
            None => return false,
        }
    }
    true
}

/// Folds an entry's searchable text into `out` (see [`Item::folded`]) and
/// returns the length of the folded title.
fn fold_entry(out: &mut Vec<u8>, e: &Entry) -> usize {
    fold(out, &e.title);
    let title_len = out.len();
    for s in std::iter::once(&e.username).chain(&e.urls).chain(&e.tags) {
        out.push(b'\n');
        fold(out, s);
    }
    title_len
}

/// Appends `s` lower-cased and without accents, as nucleo compares
/// characters when it ignores case and accents.
fn fold(out: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.extend_from_slice(s.as_bytes());
        out[start..].make_ascii_lowercase();
        return;
    }
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let f = to_lower_case(normalize(c));
        out.extend_from_slice(f.encode_utf8(&mut buf).as_bytes());
    }
}

/// nucleo's form of `s`: ASCII as bytes, anything else as one `char` per
/// code point (no grapheme segmentation, which costs more than the
/// matching itself and changes nothing for titles and paths).
fn utf32(s: &str) -> Utf32String {
    if s.is_ascii() {
        Utf32String::Ascii(s.into())
    } else {
        Utf32String::Unicode(s.chars().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kdf::KdfParams;
    use crate::secret::Passphrase;
    use crate::vault::{CreateOptions, Entry, EntryId, create};
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn sample() -> Vault {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let opts = CreateOptions {
            owner: "alice",
            firm_domain: None,
            kdf: KdfParams::TEST,
            weak_kdf: true,
            now: 0,
        };
        let mut v = create(
            opts,
            &Passphrase::from_slice(b"pw"),
            &Passphrase::from_slice(b"rc"),
            &mut rng,
        )
        .expect("create");
        for (title, user, url, group) in [
            (
                "Acme Payroll",
                "pay",
                "https://payroll.acme.test",
                "Clients/Acme",
            ),
            ("Büro – Drucker", "admin", "", "Office"),
            ("GitHub", "octo", "https://github.com", "Dev"),
            ("Bank", "boss", "https://ebanking.example", "Finance"),
            (
                "Webmail",
                "ops@gmail.com",
                "https://mail.example.com",
                "Office",
            ),
            ("Boss Portal", "it", "", "Office"),
        ] {
            let mut e = Entry::new(EntryId::random(&mut rng), title.into(), 0, 1);
            e.username = user.into();
            if !url.is_empty() {
                e.urls.push(url.into());
            }
            v.add(group, e, &mut rng).expect("add");
        }
        v
    }

    fn titles(v: &Vault, q: &str) -> Vec<String> {
        let hits = search_once(v, q);
        assert_eq!(
            hits,
            Index::build(v).query(q),
            "index and search_once differ on {q:?}"
        );
        hits.iter()
            .map(|h| v.entry(h.entry).title.clone())
            .collect()
    }

    #[test]
    fn titles_and_groups_match_fuzzily() {
        let v = sample();
        assert_eq!(titles(&v, "bnk"), ["Bank"]);
        assert_eq!(titles(&v, "acmpay"), ["Acme Payroll"]);
        assert_eq!(titles(&v, "clients"), ["Acme Payroll"], "by group path");
        assert_eq!(titles(&v, "git dev"), ["GitHub"], "each word anywhere");
        assert!(
            titles(&v, "git finance").is_empty(),
            "every word must match"
        );
        assert!(titles(&v, "zzz").is_empty());
    }

    #[test]
    fn accents_and_case_are_ignored_unless_typed() {
        let v = sample();
        assert_eq!(titles(&v, "buro"), ["Büro – Drucker"]);
        assert_eq!(
            titles(&v, "DRUCKER"),
            Vec::<String>::new(),
            "upper case is exact"
        );
        assert_eq!(titles(&v, "Drucker"), ["Büro – Drucker"]);
    }

    #[test]
    fn usernames_urls_and_tags_match_as_substrings_only() {
        let v = sample();
        assert_eq!(titles(&v, "gmail"), ["Webmail"]);
        assert_eq!(titles(&v, "ebanking"), ["Bank"]);
        // "acm" is in "mail.example.com" letter by letter; that is not a find.
        assert_eq!(titles(&v, "acm"), ["Acme Payroll"]);
    }

    #[test]
    fn a_title_match_ranks_above_a_username_match() {
        let v = sample();
        // "boss" is Bank's username and the start of another title.
        assert_eq!(titles(&v, "boss"), ["Boss Portal", "Bank"]);
    }

    #[test]
    fn an_empty_query_lists_everything_in_vault_order() {
        let v = sample();
        let all: Vec<EntryRef> = v.entries().map(|(r, _, _)| r).collect();
        for q in ["", "   "] {
            let hits: Vec<EntryRef> = search_once(&v, q).iter().map(|h| h.entry).collect();
            assert_eq!(hits, all);
        }
    }

    proptest! {
        /// The byte test that skips nucleo must never skip a title nucleo
        /// would match: otherwise the search silently misses entries.
        #[test]
        fn the_folded_byte_test_never_rejects_a_fuzzy_match(
            title in "[a-zA-Z0-9 äöüÄÖÜéèÉßçñ–.@/-]{0,24}",
            word in "[a-zA-Z0-9äöüÄÖÜéèÉßçñ.@/-]{1,5}",
        ) {
            let mut m = matcher();
            let atom = Atom::new(&word, CaseMatching::Smart, Normalization::Smart, AtomKind::Fuzzy, false);
            let hay = utf32(&title);
            if atom.score(hay.slice(..), &mut m).is_some() {
                let (mut t, mut w) = (Vec::new(), Vec::new());
                fold(&mut t, &title);
                fold(&mut w, &word);
                prop_assert!(in_order(&w, &t), "{word:?} matches {title:?} but fails the byte test");
            }
        }
    }
}
