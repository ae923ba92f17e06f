//! Unit tests of the access log with real member keys: a chain of records
//! verifies; an edited, reordered, deleted or forged record is each caught
//! with its own error; the log's head, the high-water mark and auditors'
//! checkpoints; bindings; and truncated or malformed bytes refused
//! without a panic.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::crypto::kdf::KdfParams;
use crate::format::{DEFAULT_CRITICAL_ROTATE_DAYS, FOUNDING_OWNER, Grant, GroupInfo, Member};

const VAULT: VaultId = [7; 16];
const OTHER_VAULT: VaultId = [8; 16];
const NOW: i64 = 1_790_000_000;
const ALICE: MemberId = FOUNDING_OWNER;
const BOB: MemberId = 2;
/// A member id the manifest does not list, with a key of its own.
const MALLORY: MemberId = 9;
const GROUP: GroupId = 1;

/// Alice (owner) and Bob (contractor) with their keys in a manifest,
/// Mallory's key outside it, and the log key details are sealed to.
struct Fixture {
    alice: MemberSecrets,
    bob: MemberSecrets,
    mallory: MemberSecrets,
    log_key: MemberSecrets,
    manifest: Manifest,
    rng: StdRng,
}

fn member(id: MemberId, name: &str, role: Role, keys: &MemberSecrets) -> Member {
    Member {
        id,
        name: name.into(),
        role,
        public: keys.public(),
        kdf: KdfParams::TEST,
        added_at: NOW,
        added_by: ALICE,
        expires_at: None,
        revoked_at: None,
        must_change_passphrase: false,
        endorsement: None,
    }
}

/// The place of a record appended after the chain `log`, computed from
/// the bytes alone (not by [`Place::after`] or [`head_of`], which the
/// tests check against it).
fn place_after(log: &[Vec<u8>]) -> Place {
    Place {
        parents: log
            .last()
            .map(|last| record_hash(last))
            .into_iter()
            .collect(),
        height: log.len() as u64,
    }
}

fn err(index: u64, reason: &str) -> LogError {
    LogError {
        index,
        reason: reason.into(),
    }
}

fn reveal(entry: u8) -> Draft {
    Draft {
        entry: Some([entry; 8]),
        group: Some(GROUP),
        field: Some(Field::Password),
        details: Some(Details {
            title: Some("Bank".into()),
            group: Some("Finance".into()),
            note: None,
        }),
        ..Draft::new(NOW + 10, Action::Reveal)
    }
}

/// A record's body decoded, changed by `change`, and put back with its
/// original signature.
fn edited(bytes: &[u8], change: impl FnOnce(&mut Record)) -> Vec<u8> {
    let signed: SignedRecord = codec::decode(bytes).expect("a record");
    let mut record: Record = codec::decode(&signed.body).expect("a body");
    change(&mut record);
    codec::encode(&SignedRecord {
        body: codec::encode(&record),
        sig: signed.sig,
    })
}

impl Fixture {
    fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let alice = MemberSecrets::generate(&mut rng);
        let bob = MemberSecrets::generate(&mut rng);
        let mallory = MemberSecrets::generate(&mut rng);
        let log_key = MemberSecrets::generate(&mut rng);
        let manifest = Manifest {
            vault_id: VAULT,
            vault_nonce: [0; 16],
            format_version: crate::format::FORMAT_VERSION,
            version: 1,
            created_at: NOW,
            weak_kdf: true,
            firm_domain: None,
            members: vec![
                member(ALICE, "alice", Role::Owner, &alice),
                member(BOB, "bob", Role::Contractor, &bob),
            ],
            groups: vec![GroupInfo {
                id: GROUP,
                epoch: 0,
            }],
            grants: Vec::new(),
            log_public: log_key.public().x25519,
            critical_groups: Vec::new(),
            critical_rotate_days: DEFAULT_CRITICAL_ROTATE_DAYS,
        };
        Fixture {
            alice,
            bob,
            mallory,
            log_key,
            manifest,
            rng,
        }
    }

    /// The record `draft` for `vault`, naming `member` as its author and
    /// signed with `signer`'s key, at `place`.
    fn record(
        &mut self,
        vault: &VaultId,
        place: Place,
        member: MemberId,
        signer: MemberId,
        draft: Draft,
    ) -> Vec<u8> {
        let keys = match signer {
            ALICE => &self.alice,
            BOB => &self.bob,
            _ => &self.mallory,
        };
        make(
            vault,
            place,
            member,
            draft,
            keys,
            &self.manifest.log_public,
            &mut self.rng,
        )
    }

    /// Appends to `log` the record `draft` by `member`, signed with
    /// `signer`'s key.
    fn push_as(
        &mut self,
        log: &mut Vec<Vec<u8>>,
        member: MemberId,
        signer: MemberId,
        draft: Draft,
    ) {
        let place = place_after(log);
        let r = self.record(&VAULT, place, member, signer, draft);
        log.push(r);
    }

    /// Appends to `log` the record `draft`, signed by its author.
    fn push(&mut self, log: &mut Vec<Vec<u8>>, member: MemberId, draft: Draft) {
        self.push_as(log, member, member, draft);
    }

    /// Alice creates the vault, Bob reveals a password, Alice edits an
    /// entry, Bob copies a password.
    fn sample(&mut self) -> Vec<Vec<u8>> {
        let mut log = Vec::new();
        self.push(&mut log, ALICE, Draft::new(NOW, Action::Init));
        self.push(&mut log, BOB, reveal(1));
        self.push(
            &mut log,
            ALICE,
            Draft {
                entry: Some([2; 8]),
                ..Draft::new(NOW + 20, Action::Edit)
            },
        );
        self.push(
            &mut log,
            BOB,
            Draft {
                action: Action::Copy,
                ..reveal(1)
            },
        );
        log
    }

    fn verify(&self, log: &[Vec<u8>]) -> Result<Vec<Verified>, LogError> {
        verify(&VAULT, &self.manifest, log, 0, None)
    }

    /// Why `log` does not verify.
    fn refused(&self, log: &[Vec<u8>]) -> LogError {
        match self.verify(log) {
            Ok(v) => panic!("a log of {} records verified", v.len()),
            Err(e) => e,
        }
    }
}

/// What a record that names a parent the log does not hold before it
/// (changed, removed or moved) is refused with.
const BROKEN: &str = "names a record before it that the log does not hold there (the chain is \
                      broken: a record was changed, removed or moved)";

#[test]
fn a_chain_of_records_verifies() {
    let mut f = Fixture::new(1);
    assert!(f.verify(&[]).expect("an empty log verifies").is_empty());
    let log = f.sample();
    let verified = f.verify(&log).expect("the log verifies");
    assert_eq!(verified.len(), log.len());
    let mut parents: Vec<[u8; 32]> = Vec::new();
    for (i, (v, bytes)) in verified.iter().zip(&log).enumerate() {
        assert_eq!(v.record.height, i as u64);
        assert_eq!(
            v.record.parents, parents,
            "record {i} names the one before it (the first none)"
        );
        assert_eq!(v.hash, record_hash(bytes));
        parents = vec![v.hash];
    }
    let who: Vec<(MemberId, Action)> = verified
        .iter()
        .map(|v| (v.record.member, v.record.action))
        .collect();
    assert_eq!(
        who,
        [
            (ALICE, Action::Init),
            (BOB, Action::Reveal),
            (ALICE, Action::Edit),
            (BOB, Action::Copy),
        ]
    );
    assert_eq!(verified[1].record.entry, Some([1; 8]));
    assert_eq!(verified[1].record.field, Some(Field::Password));
}

#[test]
fn an_edited_record_is_caught_by_its_authors_signature() {
    let mut f = Fixture::new(2);
    let mut log = f.sample();
    log[1] = edited(&log[1], |r| r.field = Some(Field::Username));
    assert_eq!(f.refused(&log), err(1, "the signature is not bob's"));

    let mut log = f.sample();
    log[3] = edited(&log[3], |r| r.time -= 3600);
    assert_eq!(
        f.refused(&log),
        err(3, "the signature is not bob's"),
        "the last record, which no later record names"
    );

    let mut log = f.sample();
    let mut signed: SignedRecord = codec::decode(&log[2]).expect("a record");
    signed.sig.0[5] ^= 1;
    log[2] = codec::encode(&signed);
    assert_eq!(f.refused(&log), err(2, "the signature is not alice's"));
}

#[test]
fn every_changed_byte_of_a_record_is_caught_at_that_record() {
    let mut f = Fixture::new(3);
    let log = f.sample();
    for at in 0..log[1].len() {
        for bit in [0x01, 0x80] {
            let mut changed = log.clone();
            changed[1][at] ^= bit;
            let e = f.verify(&changed).expect_err("a changed byte is refused");
            assert_eq!(e.index, 1, "byte {at}, bit {bit:#x}: {e}");
        }
    }
}

#[test]
fn a_record_rewritten_and_re_signed_by_its_author_breaks_the_chain() {
    let mut f = Fixture::new(4);
    let mut log = f.sample();
    // Bob rewrites his own reveal as a reveal of another entry: his
    // signature holds, the record after it no longer follows it.
    let place = place_after(&log[..1]);
    log[1] = f.record(&VAULT, place, BOB, BOB, reveal(9));
    assert_eq!(f.refused(&log), err(2, BROKEN));
}

#[test]
fn reordered_records_are_caught() {
    let mut f = Fixture::new(5);
    let mut log = f.sample();
    log.swap(1, 2);
    assert_eq!(f.refused(&log), err(1, BROKEN));
}

#[test]
fn deleted_records_are_caught() {
    let mut f = Fixture::new(6);
    let log = f.sample();

    let mut cut = log.clone();
    cut.remove(1);
    assert_eq!(f.refused(&cut), err(1, BROKEN));

    let mut cut = log.clone();
    cut.remove(0);
    assert_eq!(f.refused(&cut), err(0, BROKEN));

    // The last record dropped leaves a valid chain: what this machine saw
    // before (the high-water mark) catches it.
    let seen = head_of(&f.verify(&log).expect("verifies"));
    let shorter = f
        .verify(&log[..3])
        .expect("a shorter chain is still a chain");
    assert_eq!(
        check_high_water(&seen, &shorter),
        Err(
            "the vault was rolled back: this machine has seen 4 access-log records, and this copy \
             (with 3) lacks the last of them"
                .into()
        )
    );
}

#[test]
fn a_record_signed_with_another_members_key_is_caught() {
    let mut f = Fixture::new(7);
    let mut log = f.sample();
    // Bob writes a record in the owner's name.
    f.push_as(
        &mut log,
        ALICE,
        BOB,
        Draft::new(NOW + 30, Action::MemberGrant),
    );
    assert_eq!(f.refused(&log), err(4, "the signature is not alice's"));

    // Someone outside the vault, under an id of their own.
    let mut log = f.sample();
    f.push(&mut log, MALLORY, reveal(1));
    assert_eq!(
        f.refused(&log),
        err(4, "signed by member #9 whom the manifest does not list")
    );

    // Bob's own record, but made for another vault.
    let mut log = f.sample();
    let place = place_after(&log);
    let r = f.record(&OTHER_VAULT, place, BOB, BOB, reveal(1));
    log.push(r);
    assert_eq!(f.refused(&log), err(4, "the signature is not bob's"));
}

#[test]
fn a_trusted_record_and_its_ancestors_are_trusted_by_their_links_only() {
    let mut f = Fixture::new(8);
    let mut log = Vec::new();
    f.push_as(&mut log, ALICE, BOB, Draft::new(NOW, Action::Init));
    f.push(&mut log, BOB, reveal(1));
    assert_eq!(
        verify(&VAULT, &f.manifest, &log, 0, None).map(|v| v.len()),
        Err(err(0, "the signature is not alice's"))
    );
    let first = record_hash(&log[0]);
    assert_eq!(
        verify(&VAULT, &f.manifest, &log, 0, Some(&first)).map(|v| v.len()),
        Ok(2),
        "record 0 was checked on an earlier run"
    );
    // Records after the trusted one are still checked.
    f.push_as(&mut log, ALICE, BOB, Draft::new(NOW + 5, Action::Unlock));
    assert_eq!(
        verify(&VAULT, &f.manifest, &log, 0, Some(&first)).map(|v| v.len()),
        Err(err(2, "the signature is not alice's"))
    );
}

#[test]
fn a_trusted_record_does_not_excuse_a_broken_chain() {
    // The record this machine remembers (its high-water mark) is in the
    // file, but the record before it was removed: refused, not a panic.
    let mut f = Fixture::new(23);
    let log = f.sample();
    let remembered = record_hash(&log[2]);
    assert_eq!(
        verify(&VAULT, &f.manifest, &log, 0, Some(&remembered)).map(|v| v.len()),
        Ok(4)
    );
    let mut cut = log.clone();
    cut.remove(1);
    assert_eq!(
        verify(&VAULT, &f.manifest, &cut, 0, Some(&remembered)).map(|v| v.len()),
        Err(err(1, BROKEN))
    );
}

#[test]
fn a_trusted_record_that_appears_twice_is_refused() {
    let mut f = Fixture::new(24);
    let log = f.sample();
    let remembered = record_hash(&log[2]);
    let mut twice = log.clone();
    twice.insert(3, log[2].clone());
    assert_eq!(
        verify(&VAULT, &f.manifest, &twice, 0, Some(&remembered)).map(|v| v.len()),
        Err(err(3, "the same record appears twice"))
    );
}

#[test]
fn a_revoked_member_writes_nothing_and_only_owners_revoke() {
    let mut f = Fixture::new(9);
    let mut log = f.sample();
    f.push(
        &mut log,
        ALICE,
        Draft {
            target: Some(BOB),
            ..Draft::new(NOW + 40, Action::MemberRevoke)
        },
    );
    assert_eq!(f.verify(&log).map(|v| v.len()), Ok(5));
    f.push(&mut log, BOB, reveal(1));
    assert_eq!(
        f.refused(&log),
        err(5, "written by bob after their membership was revoked")
    );

    let mut log = f.sample();
    f.push(
        &mut log,
        BOB,
        Draft {
            target: Some(ALICE),
            ..Draft::new(NOW + 40, Action::MemberRevoke)
        },
    );
    assert_eq!(
        f.refused(&log),
        err(4, "a revocation written by bob, who is not an owner")
    );
}

#[test]
fn head_of_names_the_last_record_and_the_next_one_follows_it() {
    let mut f = Fixture::new(10);
    assert_eq!(head_of(&[]), LogHead::EMPTY);
    let mut log = f.sample();
    let verified = f.verify(&log).expect("verifies");
    let head = head_of(&verified);
    assert_eq!(
        head,
        LogHead {
            count: 4,
            hash: record_hash(&log[3]),
        }
    );
    assert_eq!(
        Place::after(&verified),
        Place {
            parents: vec![head.hash],
            height: head.count,
        }
    );
    let next = f.record(
        &VAULT,
        Place::after(&verified),
        ALICE,
        ALICE,
        Draft::new(NOW + 50, Action::Unlock),
    );
    log.push(next);
    let longer = f
        .verify(&log)
        .expect("a record made after the head follows it");
    assert_eq!(longer[4].record.parents, vec![head.hash]);
    assert_eq!(head_of(&longer).count, 5);
}

#[test]
fn the_high_water_mark_refuses_a_replaced_history_and_accepts_a_longer_one() {
    let mut f = Fixture::new(11);
    let log = f.sample();
    let verified = f.verify(&log).expect("verifies");
    let seen = head_of(&verified[..3]);
    assert_eq!(check_high_water(&HighWater::EMPTY, &verified), Ok(()));
    assert_eq!(check_high_water(&seen, &verified[..3]), Ok(()));
    assert_eq!(check_high_water(&seen, &verified), Ok(()), "the log grew");

    // Another copy of the vault: the same first records, then its own.
    let mut other = log[..2].to_vec();
    f.push(&mut other, ALICE, Draft::new(NOW + 60, Action::Unlock));
    f.push(&mut other, ALICE, Draft::new(NOW + 61, Action::SessionEnd));
    let other = f.verify(&other).expect("the other copy's log verifies");
    assert_eq!(
        check_high_water(&seen, &other),
        Err(
            "the vault was rolled back: this machine has seen 3 access-log records, and this \
             copy (with 4) lacks the last of them"
                .into()
        )
    );
}

#[test]
fn a_checkpoint_holds_while_the_log_extends_it() {
    let mut f = Fixture::new(12);
    let log = f.sample();
    let verified = f.verify(&log).expect("verifies");
    let cp = Checkpoint::sign(VAULT, head_of(&verified[..3]), NOW + 100, ALICE, &f.alice);
    assert_eq!(cp.check(&VAULT, &f.manifest, &verified[..3]), Ok(()));
    assert_eq!(cp.check(&VAULT, &f.manifest, &verified), Ok(()));

    let text = cp.to_text();
    assert!(text.starts_with("baton-checkpoint-v1 ") && text.ends_with('\n'));
    assert_eq!(Checkpoint::from_text(&text), Some(cp.clone()));

    let empty = Checkpoint::sign(VAULT, LogHead::EMPTY, NOW, BOB, &f.bob);
    assert_eq!(empty.check(&VAULT, &f.manifest, &[]), Ok(()));
}

#[test]
fn a_checkpoint_catches_a_cut_or_rewritten_log() {
    let mut f = Fixture::new(13);
    let log = f.sample();
    let verified = f.verify(&log).expect("verifies");
    let cp = Checkpoint::sign(VAULT, head_of(&verified[..3]), NOW + 100, ALICE, &f.alice);
    assert_eq!(
        cp.check(&VAULT, &f.manifest, &verified[..2]),
        Err("the log has 2 records but the checkpoint saw 3: records were removed".into())
    );

    let mut rewritten = log[..2].to_vec();
    f.push(&mut rewritten, ALICE, Draft::new(NOW + 70, Action::Unlock));
    let rewritten = f.verify(&rewritten).expect("verifies");
    assert_eq!(
        cp.check(&VAULT, &f.manifest, &rewritten),
        Err("the log lacks record 2 that the checkpoint saw last: the log was rewritten".into())
    );
}

#[test]
fn a_changed_forged_or_foreign_checkpoint_is_refused() {
    let mut f = Fixture::new(14);
    let log = f.sample();
    let verified = f.verify(&log).expect("verifies");
    let head = head_of(&verified);
    let cp = Checkpoint::sign(VAULT, head, NOW + 100, ALICE, &f.alice);
    let invalid = Err("the checkpoint's signature is not valid".to_owned());

    // Each signed field changed alone.
    let fewer = Checkpoint {
        count: 3,
        ..cp.clone()
    };
    assert_eq!(fewer.check(&VAULT, &f.manifest, &verified), invalid);
    let earlier_head = Checkpoint {
        head: verified[2].hash,
        ..cp.clone()
    };
    assert_eq!(earlier_head.check(&VAULT, &f.manifest, &verified), invalid);
    let later = Checkpoint {
        time: cp.time + 1,
        ..cp.clone()
    };
    assert_eq!(later.check(&VAULT, &f.manifest, &verified), invalid);

    let in_alices_name = Checkpoint::sign(VAULT, head, NOW + 100, ALICE, &f.bob);
    assert_eq!(
        in_alices_name.check(&VAULT, &f.manifest, &verified),
        invalid
    );

    let outsider = Checkpoint::sign(VAULT, head, NOW + 100, MALLORY, &f.mallory);
    assert_eq!(
        outsider.check(&VAULT, &f.manifest, &verified),
        Err("the checkpoint is signed by a member this vault does not list".into())
    );

    let foreign = Checkpoint::sign(OTHER_VAULT, head, NOW + 100, ALICE, &f.alice);
    assert_eq!(
        foreign.check(&VAULT, &f.manifest, &verified),
        Err("the checkpoint belongs to another vault".into())
    );
}

#[test]
fn malformed_checkpoint_text_is_refused() {
    let f = Fixture::new(15);
    let cp = Checkpoint::sign(VAULT, LogHead::EMPTY, NOW, ALICE, &f.alice);
    let text = cp.to_text();
    let b64 = text
        .trim()
        .strip_prefix("baton-checkpoint-v1 ")
        .expect("prefix");
    assert_eq!(Checkpoint::from_text(&text), Some(cp.clone()));
    for bad in [
        String::new(),
        "baton-checkpoint-v1".into(),
        "baton-checkpoint-v1 ".into(),
        format!("baton-checkpoint-v2 {b64}"),
        format!("baton-checkpoint-v1 {b64}!"),
        format!("baton-checkpoint-v1 {}", &b64[..b64.len() - 4]),
        // One byte more after the checkpoint: 0x00, base64url.
        format!(
            "baton-checkpoint-v1 {}",
            data_encoding::BASE64URL_NOPAD.encode(&[codec::encode(&cp), vec![0]].concat())
        ),
    ] {
        assert_eq!(Checkpoint::from_text(&bad), None, "{bad:?}");
    }
}

#[test]
fn truncated_and_malformed_records_are_refused_without_a_panic() {
    let mut f = Fixture::new(16);
    let log = f.sample();
    for len in 0..log[3].len() {
        let mut cut = log.clone();
        cut[3].truncate(len);
        let e = f.verify(&cut).expect_err("a truncated record is refused");
        assert_eq!(e.index, 3, "cut to {len} bytes: {e}");
        assert!(e.reason.starts_with("malformed"), "cut to {len} bytes: {e}");
    }

    let mut longer = log.clone();
    longer[2].push(0);
    assert_eq!(
        f.refused(&longer),
        err(
            2,
            "malformed (unexpected bytes after the end of a structure)"
        )
    );

    let mut bad_body = log.clone();
    bad_body[1] = codec::encode(&SignedRecord {
        body: vec![0xff; 40],
        sig: Sig([0; 64]),
    });
    assert_eq!(
        f.refused(&bad_body),
        err(1, "malformed body (malformed data)")
    );

    let mut rng = StdRng::seed_from_u64(17);
    for n in 0..500 {
        let mut junk = vec![0u8; n % 200];
        rng.fill_bytes(&mut junk);
        let mut bad = log[..2].to_vec();
        bad.push(junk);
        let e = f.verify(&bad).expect_err("random bytes are refused");
        assert_eq!(e.index, 2, "{e}");
    }
}

#[test]
fn details_open_only_with_the_log_key_and_only_for_their_record() {
    let mut f = Fixture::new(18);
    let log = f.sample();
    let verified = f.verify(&log).expect("verifies");
    let revealed = &verified[1].record;
    let details = open_details(&VAULT, revealed, f.log_key.x25519()).expect("opens");
    assert_eq!(details.title.as_deref(), Some("Bank"));
    assert_eq!(details.group.as_deref(), Some("Finance"));
    assert!(
        !contains(&log[1], b"Bank") && !contains(&log[1], b"Finance"),
        "the details are not in the record's bytes in the clear"
    );

    assert!(open_details(&VAULT, revealed, f.alice.x25519()).is_err());
    assert!(open_details(&OTHER_VAULT, revealed, f.log_key.x25519()).is_err());
    assert!(
        open_details(&VAULT, &verified[0].record, f.log_key.x25519()).is_err(),
        "a record without details"
    );
    let moved = Record {
        height: 3,
        ..revealed.clone()
    };
    assert!(
        open_details(&VAULT, &moved, f.log_key.x25519()).is_err(),
        "details copied onto another record"
    );
}

#[test]
fn long_details_are_cut_to_keep_records_small() {
    let mut f = Fixture::new(19);
    let mut log = Vec::new();
    let draft = Draft {
        details: Some(Details {
            title: Some("é".repeat(900)),
            group: Some("g".repeat(900)),
            note: Some("n".repeat(900)),
        }),
        ..reveal(1)
    };
    f.push(&mut log, ALICE, draft);
    let verified = f.verify(&log).expect("verifies");
    let details = open_details(&VAULT, &verified[0].record, f.log_key.x25519()).expect("opens");
    assert_eq!(details.title, Some("é".repeat(500)));
    assert_eq!(details.group, Some("g".repeat(200)));
    assert_eq!(details.note, Some("n".repeat(200)));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A signed manifest for `manifest`; [`check_bindings`] hashes it and
/// leaves its signature to the manifest's own check.
fn signed(manifest: &Manifest) -> crate::format::SignedManifest {
    crate::format::SignedManifest {
        body: codec::encode(manifest),
        signer: ALICE,
        signature: Sig([0; 64]),
    }
}

fn blob(epoch: u32, byte: u8) -> GroupBlob {
    GroupBlob {
        group: GROUP,
        epoch,
        nonce: [byte; 24],
        ciphertext: vec![byte; 48],
    }
}

/// One record by `member` binding `bindings`, verified.
fn bound(f: &mut Fixture, member: MemberId, bindings: Vec<Binding>) -> Vec<Verified> {
    let mut log = Vec::new();
    f.push(
        &mut log,
        member,
        Draft {
            bindings,
            ..Draft::new(NOW, Action::Edit)
        },
    );
    f.verify(&log).expect("verifies")
}

#[test]
fn bindings_accept_what_the_log_last_recorded_and_nothing_else() {
    let mut f = Fixture::new(20);
    let sm = signed(&f.manifest);
    let data = [blob(0, 1)];
    let binds = |sm: &crate::format::SignedManifest, b: &GroupBlob| {
        vec![
            Binding {
                subject: Subject::Manifest,
                hash: manifest_hash(sm),
            },
            Binding {
                subject: Subject::Group { group: GROUP },
                hash: blob_hash(b),
            },
        ]
    };
    let v = bound(&mut f, ALICE, binds(&sm, &data[0]));
    let m = &f.manifest;
    assert_eq!(check_bindings(m, &sm, &data, &[], &v), Ok(()));

    assert_eq!(
        check_bindings(m, &sm, &[blob(0, 2)], &[], &v),
        Err(
            "group #1's data is not what the access log last recorded (it was replaced or \
             rolled back)"
                .into()
        )
    );
    let older = signed(&Manifest {
        version: 0,
        ..f.manifest.clone()
    });
    assert_eq!(
        check_bindings(m, &older, &data, &[], &v),
        Err(
            "the manifest is not what the access log last recorded (it was replaced or rolled \
             back)"
                .into()
        )
    );
    assert_eq!(
        check_bindings(m, &sm, &data, &[], &[]),
        Err("no access-log record accounts for the manifest".into())
    );
}

#[test]
fn bindings_by_a_member_without_the_right_are_refused() {
    let mut f = Fixture::new(21);
    let sm = signed(&f.manifest);
    let by_bob = bound(
        &mut f,
        BOB,
        vec![Binding {
            subject: Subject::Manifest,
            hash: manifest_hash(&sm),
        }],
    );
    assert_eq!(
        check_bindings(&f.manifest, &sm, &[], &[], &by_bob),
        Err("the manifest was last bound by a member who is not an owner".into())
    );

    // Bob writes group 1's data after the owner bound the manifest:
    // refused until he holds the group's key at that epoch.
    let data = [blob(0, 1)];
    let mut log = Vec::new();
    f.push(
        &mut log,
        ALICE,
        Draft {
            bindings: vec![Binding {
                subject: Subject::Manifest,
                hash: manifest_hash(&sm),
            }],
            ..Draft::new(NOW, Action::Init)
        },
    );
    f.push(
        &mut log,
        BOB,
        Draft {
            bindings: vec![Binding {
                subject: Subject::Group { group: GROUP },
                hash: blob_hash(&data[0]),
            }],
            ..Draft::new(NOW, Action::Edit)
        },
    );
    let v = f.verify(&log).expect("verifies");
    let grant = |member, group, epoch| Grant {
        member,
        group,
        epoch,
        enc: [0; ENC_LEN],
        sealed_key: vec![0; 48],
    };
    let mut manifest = f.manifest.clone();
    // Keys Bob holds that are not this one: another group's, and this
    // group's at a later epoch.
    manifest.grants = vec![grant(BOB, GROUP + 1, 0), grant(BOB, GROUP, 1)];
    assert_eq!(
        check_bindings(&manifest, &sm, &data, &[], &v),
        Err("group #1's data was last written by a member without its key".into())
    );
    manifest.grants.push(grant(BOB, GROUP, 0));
    assert_eq!(check_bindings(&manifest, &sm, &data, &[], &v), Ok(()));
}

#[test]
fn a_bound_key_slot_that_is_gone_is_refused() {
    let mut f = Fixture::new(22);
    let sm = signed(&f.manifest);
    let slot = Slot {
        member: BOB,
        kind: SlotKind::Passphrase,
        kdf: KdfParams::TEST,
        salt: [3; 16],
        nonce: [4; 24],
        wrapped: vec![5; 80],
    };
    let v = bound(
        &mut f,
        ALICE,
        vec![
            Binding {
                subject: Subject::Manifest,
                hash: manifest_hash(&sm),
            },
            Binding {
                subject: Subject::Slot {
                    member: BOB,
                    kind: SlotKind::Passphrase,
                },
                hash: slot_hash(&slot),
            },
        ],
    );
    assert_eq!(
        check_bindings(&f.manifest, &sm, &[], std::slice::from_ref(&slot), &v),
        Ok(())
    );
    assert_eq!(
        check_bindings(&f.manifest, &sm, &[], &[], &v),
        Err("member #2's Passphrase key slot is missing".into())
    );
    let other = Slot {
        wrapped: vec![6; 80],
        ..slot
    };
    assert_eq!(
        check_bindings(&f.manifest, &sm, &[], &[other], &v),
        Err(
            "member #2's key slot is not what the access log last recorded (it was replaced \
             or rolled back)"
                .into()
        )
    );
}

// ---------------------------------------------------------------------------
// The log as a DAG (format version 2): branches, merges, roots.

/// What a log with a record no later record follows is refused with.
const FORK: &str =
    "no later record follows it: the log forks without a merge record joining the branches";
const ONE_OR_TWO: &str = "a merge record must name two records, and any other record one";

/// A binding of the manifest to `byte` repeated (a stand-in hash).
fn manifest_binding(byte: u8) -> Vec<Binding> {
    vec![Binding {
        subject: Subject::Manifest,
        hash: [byte; 32],
    }]
}

impl Fixture {
    /// The sample log, then two records that both follow its last (two
    /// copies of the vault, each changed on its own): alice's `a` and
    /// bob's `b`, stored in that order. Returns the log and the two
    /// records' hashes.
    fn forked(&mut self, a: Draft, b: Draft) -> (Vec<Vec<u8>>, [u8; 32], [u8; 32]) {
        let mut log = self.sample();
        let base = place_after(&log);
        let ra = self.record(&VAULT, base.clone(), ALICE, ALICE, a);
        let rb = self.record(&VAULT, base, BOB, BOB, b);
        let (ha, hb) = (record_hash(&ra), record_hash(&rb));
        log.push(ra);
        log.push(rb);
        (log, ha, hb)
    }

    /// The merge record by alice that joins `parents` at `height`.
    fn merge(&mut self, parents: Vec<[u8; 32]>, height: u64, bindings: Vec<Binding>) -> Vec<u8> {
        let draft = Draft {
            bindings,
            ..Draft::new(NOW + 70, Action::Merge)
        };
        self.record(&VAULT, Place { parents, height }, ALICE, ALICE, draft)
    }
}

#[test]
fn two_branches_verify_only_once_a_merge_record_joins_them() {
    let mut f = Fixture::new(30);
    let (mut log, ha, hb) = f.forked(Draft::new(NOW + 60, Action::Unlock), reveal(3));
    assert_eq!(f.refused(&log), err(4, FORK), "two heads");

    let merge = f.merge(vec![ha, hb], 5, Vec::new());
    log.push(merge.clone());
    let v = f.verify(&log).expect("a merged log verifies");
    assert_eq!(v.len(), 7);
    assert_eq!(v[6].record.parents, vec![ha, hb]);
    assert_eq!(v[6].record.height, 5);
    assert_eq!(
        Place::after(&v),
        Place {
            parents: vec![record_hash(&merge)],
            height: 6,
        }
    );
    // A record after the merge follows it alone.
    let after = f.record(&VAULT, Place::after(&v), BOB, BOB, reveal(4));
    log.push(after);
    assert_eq!(f.verify(&log).map(|v| v.len()), Ok(8));
}

#[test]
fn a_merge_must_name_two_distinct_records_at_the_right_height() {
    let mut f = Fixture::new(31);
    let (log, ha, hb) = f.forked(Draft::new(NOW + 60, Action::Unlock), reveal(3));
    let refused_with = |f: &mut Fixture, last: Vec<u8>| {
        let mut l = log.clone();
        l.push(last);
        f.refused(&l)
    };

    let too_high = f.merge(vec![ha, hb], 6, Vec::new());
    assert_eq!(
        refused_with(&mut f, too_high),
        err(
            6,
            "height 6 where 5 was expected (a record was removed, added or moved)"
        )
    );
    let one_parent = f.merge(vec![ha], 5, Vec::new());
    assert_eq!(refused_with(&mut f, one_parent), err(6, ONE_OR_TWO));
    let same_twice = f.merge(vec![ha, ha], 5, Vec::new());
    assert_eq!(refused_with(&mut f, same_twice), err(6, ONE_OR_TWO));
    // An ordinary record may not join branches.
    let not_a_merge = f.record(
        &VAULT,
        Place {
            parents: vec![ha, hb],
            height: 5,
        },
        ALICE,
        ALICE,
        Draft::new(NOW + 70, Action::Unlock),
    );
    assert_eq!(refused_with(&mut f, not_a_merge), err(6, ONE_OR_TWO));
    // A merge that names a record the log does not hold.
    let unknown = f.merge(vec![ha, [9; 32]], 5, Vec::new());
    assert_eq!(refused_with(&mut f, unknown), err(6, BROKEN));
}

#[test]
fn a_second_first_record_is_refused() {
    let mut f = Fixture::new(32);
    let mut log = f.sample();
    let root = f.record(
        &VAULT,
        Place {
            parents: Vec::new(),
            height: 0,
        },
        ALICE,
        ALICE,
        Draft::new(NOW + 1, Action::Init),
    );
    log.push(root);
    assert_eq!(
        f.refused(&log),
        err(
            4,
            "a second first record: the log has two roots (records from another vault were \
             mixed in)"
        )
    );
    // The first record may not name a parent.
    let mut log = f.sample();
    let stray = f.record(
        &VAULT,
        Place {
            parents: vec![[5; 32]],
            height: 1,
        },
        ALICE,
        ALICE,
        Draft::new(NOW, Action::Init),
    );
    log[0] = stray;
    assert_eq!(f.refused(&log[..1]), err(0, BROKEN));
}

#[test]
fn a_merge_binds_what_both_branches_changed() {
    let mut f = Fixture::new(33);
    let changed = |byte| Draft {
        bindings: manifest_binding(byte),
        ..Draft::new(NOW + 60, Action::SettingsChange)
    };
    // Both copies changed the manifest: the merge must say which stands.
    let (log, ha, hb) = f.forked(changed(1), changed(2));
    // (Bob's binding of the manifest: only the merge's own check matters
    // here, not who may bind what.)
    let mut unresolved = log.clone();
    unresolved.push(f.merge(vec![ha, hb], 5, Vec::new()));
    assert_eq!(
        f.refused(&unresolved),
        err(
            6,
            "the merge leaves Manifest unresolved, which both branches changed"
        )
    );
    let mut resolved = log.clone();
    resolved.push(f.merge(vec![ha, hb], 5, manifest_binding(2)));
    assert_eq!(f.verify(&resolved).map(|v| v.len()), Ok(7));

    // Only one copy changed it: nothing to resolve.
    let (mut log, ha, hb) = f.forked(changed(1), reveal(3));
    log.push(f.merge(vec![ha, hb], 5, Vec::new()));
    assert_eq!(f.verify(&log).map(|v| v.len()), Ok(7));

    // Both bound the same bytes: no conflict either.
    let (mut log, ha, hb) = f.forked(changed(1), changed(1));
    log.push(f.merge(vec![ha, hb], 5, Vec::new()));
    assert_eq!(f.verify(&log).map(|v| v.len()), Ok(7));
}

#[test]
fn a_revocation_counts_on_its_branch_and_after_the_merge() {
    let mut f = Fixture::new(34);
    let revoke = Draft {
        target: Some(BOB),
        ..Draft::new(NOW + 60, Action::MemberRevoke)
    };
    // Bob's reveal on a copy that had not seen his revocation stands.
    let (mut log, ha, hb) = f.forked(revoke, reveal(3));
    log.push(f.merge(vec![ha, hb], 5, Vec::new()));
    let v = f.verify(&log).expect("verifies");
    assert_eq!(v.len(), 7);
    // After the merge, his records follow the revocation.
    let after = f.record(&VAULT, Place::after(&v), BOB, BOB, reveal(4));
    log.push(after);
    assert_eq!(
        f.refused(&log),
        err(7, "written by bob after their membership was revoked")
    );
}

#[test]
fn records_beside_the_trusted_one_are_still_signature_checked() {
    // This machine saw alice's branch; bob's branch, which it never saw,
    // holds a record in alice's name signed with bob's key.
    let mut f = Fixture::new(35);
    let mut log = f.sample();
    let base = place_after(&log);
    let ra = f.record(
        &VAULT,
        base.clone(),
        ALICE,
        ALICE,
        Draft::new(NOW + 60, Action::Unlock),
    );
    let forged = f.record(&VAULT, base, ALICE, BOB, reveal(3));
    let (ha, hb) = (record_hash(&ra), record_hash(&forged));
    log.push(ra);
    log.push(forged);
    log.push(f.merge(vec![ha, hb], 5, Vec::new()));
    assert_eq!(
        verify(&VAULT, &f.manifest, &log, 0, Some(&ha)).map(|v| v.len()),
        Err(err(5, "the signature is not alice's"))
    );
    // Trusting the merge itself trusts both branches.
    let merged = record_hash(&log[6]);
    assert_eq!(
        verify(&VAULT, &f.manifest, &log, 0, Some(&merged)).map(|v| v.len()),
        Ok(7)
    );
}

#[test]
fn the_high_water_mark_accepts_a_log_that_holds_the_seen_record() {
    let mut f = Fixture::new(36);
    let (mut log, ha, hb) = f.forked(Draft::new(NOW + 60, Action::Unlock), reveal(3));
    log.push(f.merge(vec![ha, hb], 5, Vec::new()));
    let v = f.verify(&log).expect("verifies");
    // This machine last saw bob's branch record, stored at index 5 (one
    // past alice's): the merged log holds it, though not as its head.
    let seen = LogHead { count: 5, hash: hb };
    assert_eq!(check_high_water(&seen, &v), Ok(()));
    // A copy of alice's branch alone lacks it.
    let alice_only = f.verify(&log[..5]).expect("alice's branch verifies");
    assert_eq!(
        check_high_water(&seen, &alice_only),
        Err(
            "the vault was rolled back: this machine has seen 5 access-log records, and this \
             copy (with 5) lacks the last of them"
                .into()
        )
    );
    // A checkpoint on bob's branch holds in the merged log.
    let cp = Checkpoint::sign(VAULT, seen, NOW + 100, ALICE, &f.alice);
    assert_eq!(cp.check(&VAULT, &f.manifest, &v), Ok(()));
    assert_eq!(
        cp.check(&VAULT, &f.manifest, &alice_only),
        Err("the log lacks record 4 that the checkpoint saw last: the log was rewritten".into())
    );
}
