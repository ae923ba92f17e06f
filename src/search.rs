//! Fuzzy search over what a member may see without a reveal: titles,
//! usernames, URLs, tags and group names (never passwords, notes or other
//! concealed values). Built once per unlock, queried per keystroke.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use crate::vault::{EntryRef, Vault};

/// Precomputed haystacks for every live entry the member can read.
pub struct Index {
    items: Vec<Item>,
}

struct Item {
    entry: EntryRef,
    title: Utf32String,
    all: Utf32String,
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
                let mut rest = String::with_capacity(64);
                rest.push_str(&e.title);
                rest.push(' ');
                rest.push_str(&e.username);
                for u in &e.urls {
                    rest.push(' ');
                    rest.push_str(u);
                }
                for t in &e.tags {
                    rest.push(' ');
                    rest.push_str(t);
                }
                rest.push(' ');
                rest.push_str(&g.name);
                Item {
                    entry: r,
                    title: Utf32String::from(e.title.as_str()),
                    all: Utf32String::from(rest.as_str()),
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
    /// query matches everything with score 0.
    pub fn query(&self, query: &str, matcher: &mut Matcher) -> Vec<Hit> {
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
        let mut hits: Vec<Hit> = self
            .items
            .iter()
            .filter_map(|i| {
                // Every word must match somewhere; a title match adds to the
                // score, since the title is what people type.
                let all = pattern.score(i.all.slice(..), matcher)?;
                let title = pattern.score(i.title.slice(..), matcher).unwrap_or(0);
                Some(Hit {
                    entry: i.entry,
                    score: all + title,
                })
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.score));
        hits
    }
}

/// A matcher configured for entry search.
pub fn matcher() -> Matcher {
    Matcher::new(Config::DEFAULT)
}
