//! Fuzzy search over what a member may see without a reveal: titles,
//! usernames, URLs, tags and group names (never passwords, notes or other
//! concealed values). Built once per unlock, queried per keystroke.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use crate::vault::{Entry, EntryRef, Vault};

/// The searchable text of every live entry the member can read.
pub struct Index {
    items: Vec<Item>,
}

struct Item {
    entry: EntryRef,
    /// Title, username, URLs, tags and group, separated by spaces, decoded
    /// once for the matcher (ASCII text is kept as bytes).
    all: Utf32String,
    /// Length in characters of the title at the start of `all`.
    title_chars: usize,
}

/// One result: the entry and its score (higher is better).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub entry: EntryRef,
    pub score: u32,
}

impl Index {
    pub fn build(vault: &Vault) -> Self {
        let items = vault
            .entries()
            .map(|(r, g, e)| {
                let mut all = String::new();
                searchable_text(&mut all, e, &g.name);
                let title_chars = e.title.chars().count();
                Item {
                    entry: r,
                    all: haystack(&all),
                    title_chars,
                }
            })
            .collect();
        Index { items }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Entries matching `query`, best first; ties keep vault order. An empty
    /// query matches everything with score 0. Every word of the query must
    /// match somewhere; a match in the title adds to the score, since the
    /// title is what people type.
    pub fn query(&self, query: &str) -> Vec<Hit> {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        if pattern.atoms.is_empty() {
            return self
                .items
                .iter()
                .map(|i| Hit {
                    entry: i.entry,
                    score: 0,
                })
                .collect();
        }
        use rayon::prelude::*;
        // Scored on all cores, each with its own matcher (a matcher holds
        // scratch space and is not shared).
        let mut hits: Vec<Hit> = self
            .items
            .par_iter()
            .map_init(self::matcher, |m, i| {
                score(&pattern, i.all.slice(..), i.all.slice(..i.title_chars), m).map(|score| Hit {
                    entry: i.entry,
                    score,
                })
            })
            .flatten()
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.score));
        hits
    }
}

/// One search without an index, for a command that searches once: each
/// entry's text is put together in a reusable buffer and scored in place,
/// on all cores. Same matching and order as [`Index::query`].
pub fn search_once(vault: &Vault, query: &str) -> Vec<Hit> {
    use rayon::prelude::*;
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let entries: Vec<_> = vault.entries().collect();
    if pattern.atoms.is_empty() {
        return entries
            .iter()
            .map(|(r, _, _)| Hit {
                entry: *r,
                score: 0,
            })
            .collect();
    }
    let mut hits: Vec<Hit> = entries
        .par_iter()
        .map_init(
            || (matcher(), String::new(), Vec::new()),
            |(m, text, chars), (r, g, e)| {
                searchable_text(text, e, &g.name);
                let title_len = e.title.len();
                let (all, title) = if text.is_ascii() {
                    let b = text.as_bytes();
                    (Utf32Str::Ascii(b), Utf32Str::Ascii(&b[..title_len]))
                } else {
                    chars.clear();
                    chars.extend(text.chars());
                    let n = text[..title_len].chars().count();
                    (Utf32Str::Unicode(chars), Utf32Str::Unicode(&chars[..n]))
                };
                score(&pattern, all, title, m).map(|score| Hit { entry: *r, score })
            },
        )
        .flatten()
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    hits
}

/// Puts an entry's searchable text in `out`: title (first, so it is a
/// prefix), username, URLs, tags and group, separated by spaces.
fn searchable_text(out: &mut String, e: &Entry, group: &str) {
    out.clear();
    out.push_str(&e.title);
    out.push(' ');
    out.push_str(&e.username);
    for s in e
        .urls
        .iter()
        .chain(&e.tags)
        .map(String::as_str)
        .chain([group])
    {
        out.push(' ');
        out.push_str(s);
    }
}

/// Every word of the query must match somewhere in `all`; a match in the
/// title adds to the score, since the title is what people type.
fn score(
    pattern: &Pattern,
    all: Utf32Str<'_>,
    title: Utf32Str<'_>,
    m: &mut Matcher,
) -> Option<u32> {
    let all = pattern.score(all, m)?;
    Some(all + pattern.score(title, m).unwrap_or(0))
}

/// The matcher's form of `s`: ASCII as bytes, anything else as one
/// `char` per code point (no grapheme segmentation, which costs more than
/// the matching itself and changes nothing for titles and addresses).
fn haystack(s: &str) -> Utf32String {
    if s.is_ascii() {
        Utf32String::Ascii(s.into())
    } else {
        Utf32String::Unicode(s.chars().collect())
    }
}

/// A matcher configured for entry search.
pub fn matcher() -> Matcher {
    Matcher::new(Config::DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kdf::KdfParams;
    use crate::secret::Passphrase;
    use crate::vault::{CreateOptions, Entry, EntryId, create};
    use rand::SeedableRng;

    fn sample() -> Vault {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let opts = CreateOptions {
            owner: "alice",
            firm_domain: None,
            kdf: KdfParams {
                memory_kib: 8,
                time: 1,
                parallelism: 1,
            },
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
        for (title, user, group) in [
            ("Acme Payroll", "pay", "Clients/Acme"),
            ("Büro – Drucker", "admin", "Office"),
            ("GitHub", "octo", "Dev"),
            ("Bank", "boss", "Finance"),
        ] {
            let mut e = Entry::new(EntryId::random(&mut rng), title.into(), 0, 1);
            e.username = user.into();
            v.add(group, e, &mut rng).expect("add");
        }
        v
    }

    #[test]
    fn search_once_agrees_with_the_index() {
        let v = sample();
        let index = Index::build(&v);
        for q in [
            "", "acmpay", "bnk", "drucker", "büro", "off", "zzz", "git dev",
        ] {
            assert_eq!(search_once(&v, q), index.query(q), "query {q:?}");
        }
        let titles = |q: &str| -> Vec<String> {
            search_once(&v, q)
                .iter()
                .map(|h| v.entry(h.entry).title.clone())
                .collect()
        };
        assert_eq!(titles("bnk"), ["Bank"]);
        assert_eq!(titles("drucker"), ["Büro – Drucker"]);
        assert!(titles("zzz").is_empty());
    }
}
