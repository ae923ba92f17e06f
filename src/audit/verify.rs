//! Verifying a whole log: every record decodes, links to parents stored
//! before it, sits at the right height, is signed by the member it names
//! (whose key the signed manifest lists) and was not written by a member
//! whose revocation it follows; the log has one root and one head; and
//! every `merge` record binds each subject that the two branches it joins
//! changed differently. docs/FORMAT.md §16 and docs/ACCESS_LOG.md.

use std::collections::HashMap;

use super::{Action, Encoding, Record, Subject, decode_record, signed_message};
use crate::crypto::keys;
use crate::format::{Manifest, MemberId, Role, VaultId};

/// A record whose signature and place in the log were checked.
#[derive(Clone, Debug)]
pub struct Verified {
    pub record: Record,
    pub hash: [u8; 32],
}

/// The first problem found in a log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("access log record {index}: {reason}")]
pub struct LogError {
    pub index: u64,
    pub reason: String,
}

fn fail(index: usize, reason: impl Into<String>) -> LogError {
    LogError {
        index: index as u64,
        reason: reason.into(),
    }
}

/// A record decoded on some core, waiting for its place in the walk.
struct Decoded {
    record: Record,
    hash: [u8; 32],
    /// The author's index in the manifest's member list.
    member: usize,
    body: Vec<u8>,
    encoding: Encoding,
    sig: [u8; 64],
}

/// Verifies the records, stored in an order where every parent comes
/// before its children. The first `legacy` are version-1 records, which
/// must form a chain. Signatures are checked, and so are the bindings of
/// `merge` records, except for `trusted` and the records it follows: this
/// machine verified those before, and the hashes that link them prove
/// they are unchanged.
pub fn verify(
    vault_id: &VaultId,
    manifest: &Manifest,
    records: &[Vec<u8>],
    legacy: usize,
    trusted: Option<&[u8; 32]>,
) -> Result<Vec<Verified>, LogError> {
    verify_trusting(vault_id, manifest, records, legacy, Trust::Head(trusted))
}

/// Which records a verification may take as verified already: their
/// signatures, and the bindings of the `merge` records among them, are
/// not checked again. Everything else — the structure, the order, the
/// heights, who was revoked where — is checked for every record.
#[derive(Clone, Copy)]
pub enum Trust<'a> {
    /// A head this machine verified, and the records it follows.
    Head(Option<&'a [u8; 32]>),
    /// Records verified in another log (another copy of the vault, being
    /// merged with this one). A record's hash covers its parents' hashes,
    /// so one held there comes with its whole ancestry.
    Held(&'a std::collections::HashSet<[u8; 32]>),
}

/// [`verify`], trusting what `trust` names.
pub fn verify_trusting(
    vault_id: &VaultId,
    manifest: &Manifest,
    records: &[Vec<u8>],
    legacy: usize,
    trust: Trust<'_>,
) -> Result<Vec<Verified>, LogError> {
    use rayon::prelude::*;
    let member_index: HashMap<MemberId, usize> = manifest
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    // Decoding, hashing and framing the signed message are independent per
    // record: done on all cores. The walk below only compares.
    let decoded: Vec<Result<Decoded, LogError>> = records
        .par_iter()
        .enumerate()
        .map(|(i, bytes)| {
            let encoding = if i < legacy {
                Encoding::V1
            } else {
                Encoding::V2
            };
            let (record, signed, hash) = decode_record(bytes, encoding).map_err(|e| fail(i, e))?;
            let member = member_index.get(&record.member).copied().ok_or_else(|| {
                fail(
                    i,
                    format!(
                        "signed by member #{} whom the manifest does not list",
                        record.member
                    ),
                )
            })?;
            Ok(Decoded {
                record,
                hash,
                member,
                body: signed.body,
                encoding,
                sig: signed.sig.0,
            })
        })
        .collect();
    let mut out: Vec<Verified> = Vec::with_capacity(records.len());
    let mut walk = Walk::default();
    let mut signed: Vec<(usize, Vec<u8>, Encoding, [u8; 64])> = Vec::new();
    let mut structural: Option<LogError> = None;
    for (i, item) in decoded.into_iter().enumerate() {
        match item.and_then(|d| walk.step(manifest, d, i, legacy, &out)) {
            Ok(d) => {
                signed.push((d.member, d.body, d.encoding, d.sig));
                out.push(Verified {
                    record: d.record,
                    hash: d.hash,
                });
            }
            Err(e) => {
                structural = Some(e);
                break;
            }
        }
    }
    if structural.is_none() {
        structural = walk.one_head(out.len()).err();
    }
    let known = match trust {
        Trust::Head(trusted) => trusted
            .and_then(|h| walk.index.get(h))
            .filter(|at| **at < walk.parents.len())
            .map_or_else(Vec::new, |at| walk.ancestry(*at)),
        Trust::Held(held) => out.iter().map(|v| held.contains(&v.hash)).collect(),
    };
    let is_known = |i: usize| known.get(i) == Some(&true);
    if structural.is_none() {
        for &m in walk.merges.iter().filter(|m| !is_known(**m)) {
            if let Err(e) = check_merge(&out, &walk, m) {
                structural = Some(e);
                break;
            }
        }
    }
    let to_check: Vec<(usize, usize, Vec<u8>, [u8; 64])> = {
        use rayon::prelude::*;
        signed
            .into_par_iter()
            .enumerate()
            .filter(|(i, _)| !is_known(*i))
            .map(|(i, (member, body, encoding, sig))| {
                (i, member, signed_message(vault_id, &body, encoding), sig)
            })
            .collect()
    };
    let keys: Vec<[u8; 32]> = manifest.members.iter().map(|m| m.public.ed25519).collect();
    let items: Vec<keys::SignedItem<'_>> = to_check
        .iter()
        .map(|(_, k, msg, sig)| keys::SignedItem {
            key: *k,
            message: msg,
            sig,
        })
        .collect();
    if let Err(bad) = keys::verify_many(&keys, &items) {
        let (i, k, _, _) = &to_check[bad];
        return Err(fail(
            *i,
            format!("the signature is not {}'s", manifest.members[*k].name),
        ));
    }
    match structural {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// What the walk remembers of the records before the current one.
#[derive(Default)]
struct Walk {
    index: HashMap<[u8; 32], usize>,
    /// Each record's parents, as indexes.
    parents: Vec<Vec<usize>>,
    has_child: Vec<bool>,
    /// For each record, which set of revoked members its ancestry holds
    /// (an index into `revoked_sets`).
    revoked_of: Vec<usize>,
    revoked_sets: Vec<Vec<MemberId>>,
    merges: Vec<usize>,
}

impl Walk {
    fn step(
        &mut self,
        manifest: &Manifest,
        d: Decoded,
        i: usize,
        legacy: usize,
        before: &[Verified],
    ) -> Result<Decoded, LogError> {
        if self.index.contains_key(&d.hash) {
            return Err(fail(i, "the same record appears twice"));
        }
        if self.revoked_sets.is_empty() {
            self.revoked_sets.push(Vec::new());
        }
        let r = &d.record;
        let mut parents = Vec::with_capacity(r.parents.len());
        for p in &r.parents {
            let at = self.index.get(p).copied().filter(|at| *at < i).ok_or_else(|| {
                fail(
                    i,
                    "names a record before it that the log does not hold there (the chain is broken: a record was changed, removed or moved)",
                )
            })?;
            parents.push(at);
        }
        if i < legacy && (i > 0 && parents != [i - 1]) {
            return Err(fail(
                i,
                "does not follow the record before it (the chain is broken: a record was changed, removed or moved)",
            ));
        }
        match (i, parents.len(), r.action) {
            (0, 0, _) => {}
            (0, _, _) => return Err(fail(i, "the first record names a record before it")),
            (_, 0, _) => {
                return Err(fail(
                    i,
                    "a second first record: the log has two roots (records from another vault were mixed in)",
                ));
            }
            (_, 1, a) if a != Action::Merge => {}
            (_, 2, Action::Merge) if parents[0] != parents[1] => {}
            _ => {
                return Err(fail(
                    i,
                    "a merge record must name two records, and any other record one",
                ));
            }
        }
        let height = parents
            .iter()
            .map(|p| before[*p].record.height + 1)
            .max()
            .unwrap_or(0);
        if r.height != height {
            return Err(fail(
                i,
                format!(
                    "height {} where {height} was expected (a record was removed, added or moved)",
                    r.height
                ),
            ));
        }
        for p in &parents {
            self.has_child[*p] = true;
        }
        // Revocation is judged by ancestry, never by the time a record
        // claims: a record that follows a revocation of its author is
        // refused; one written on a copy that had not seen it stands.
        let set = match parents.as_slice() {
            [] => 0,
            [p] => self.revoked_of[*p],
            [a, b, ..] => self.union(self.revoked_of[*a], self.revoked_of[*b]),
        };
        let member = &manifest.members[d.member];
        if self.revoked_sets[set].contains(&member.id) {
            return Err(fail(
                i,
                format!(
                    "written by {} after their membership was revoked",
                    member.name
                ),
            ));
        }
        let mut set = set;
        if r.action == Action::MemberRevoke {
            if member.role != Role::Owner {
                return Err(fail(
                    i,
                    format!(
                        "a revocation written by {}, who is not an owner",
                        member.name
                    ),
                ));
            }
            if let Some(t) = r.target
                && !self.revoked_sets[set].contains(&t)
            {
                let mut next = self.revoked_sets[set].clone();
                next.push(t);
                self.revoked_sets.push(next);
                set = self.revoked_sets.len() - 1;
            }
        }
        if r.action == Action::Merge {
            self.merges.push(i);
        }
        // Only a record that passed every check is named by its hash.
        self.index.insert(d.hash, i);
        self.revoked_of.push(set);
        self.parents.push(parents);
        self.has_child.push(false);
        Ok(d)
    }

    fn union(&mut self, a: usize, b: usize) -> usize {
        if a == b {
            return a;
        }
        let mut u = self.revoked_sets[a].clone();
        for m in &self.revoked_sets[b] {
            if !u.contains(m) {
                u.push(*m);
            }
        }
        if u.len() == self.revoked_sets[a].len() {
            return a;
        }
        if u.len() == self.revoked_sets[b].len() {
            return b;
        }
        self.revoked_sets.push(u);
        self.revoked_sets.len() - 1
    }

    /// Every record but the last has a child: the log has one head.
    fn one_head(&self, len: usize) -> Result<(), LogError> {
        match self
            .has_child
            .iter()
            .take(len.saturating_sub(1))
            .position(|c| !c)
        {
            None => Ok(()),
            Some(i) => Err(fail(
                i,
                "no later record follows it: the log forks without a merge record joining the branches",
            )),
        }
    }

    /// The records `at` follows, itself included.
    fn ancestry(&self, at: usize) -> Vec<bool> {
        let mut seen = vec![false; at + 1];
        let mut stack = vec![at];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.parents[i].iter().copied().filter(|p| !seen[*p]));
        }
        seen
    }
}

/// A merge record must bind every subject that the branches it joins
/// left with different values, where neither value is one the other
/// branch had already replaced: the last binding of a subject on each
/// branch is that branch's value; when one of them is an ancestor of the
/// other branch, the other branch's value is the newer one.
fn check_merge(out: &[Verified], walk: &Walk, m: usize) -> Result<(), LogError> {
    let [a, b] = walk.parents[m][..] else {
        return Ok(());
    };
    let (in_a, in_b) = (walk.ancestry(a), walk.ancestry(b));
    type Last = HashMap<Subject, (usize, [u8; 32])>;
    let (mut last_a, mut last_b): (Last, Last) = (HashMap::new(), HashMap::new());
    for j in (0..m).rev() {
        // Within one record the last binding of a subject counts, as in
        // `check_bindings`: walk its bindings backwards too.
        for binding in out[j].record.bindings.iter().rev() {
            if in_a.get(j) == Some(&true) {
                last_a.entry(binding.subject).or_insert((j, binding.hash));
            }
            if in_b.get(j) == Some(&true) {
                last_b.entry(binding.subject).or_insert((j, binding.hash));
            }
        }
    }
    let bound = &out[m].record.bindings;
    for (subject, (ja, ha)) in &last_a {
        let Some((jb, hb)) = last_b.get(subject) else {
            continue;
        };
        let superseded =
            ja == jb || ha == hb || in_b.get(*ja) == Some(&true) || in_a.get(*jb) == Some(&true);
        if !superseded && !bound.iter().any(|x| x.subject == *subject) {
            return Err(fail(
                m,
                format!("the merge leaves {subject:?} unresolved, which both branches changed"),
            ));
        }
    }
    Ok(())
}
