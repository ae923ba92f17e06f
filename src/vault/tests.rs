//! Unit tests of the vault's trust rules: each crafts a file that a
//! careless reader would accept, signed and sealed with real keys, and
//! checks that it is refused.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::seal::{open_group, sign_manifest};
use super::unlock::{grant_info, make_slot};
use super::*;
use crate::audit;
use crate::format::{
    Endorsement, LogHead, Manifest, Role, Sig, SlotKind, Snapshot, labels, read, write,
};

const NOW: i64 = 1_790_000_000;
const RAM: u64 = 8 << 30;
const WEAK: KdfParams = KdfParams::TEST;

fn pass(s: &str) -> Passphrase {
    Passphrase::from_slice(s.as_bytes())
}

fn new_vault(rng: &mut StdRng) -> Vault {
    let opts = CreateOptions {
        owner: "alice",
        firm_domain: None,
        kdf: WEAK,
        weak_kdf: true,
        now: NOW,
    };
    let mut v = create(opts, &pass("pw"), &pass("RC"), rng).expect("create");
    let e = Entry::new(EntryId::random(rng), "Bank".into(), NOW, FOUNDING_OWNER);
    v.add("Finance", e, rng).expect("add");
    v
}

fn open(bytes: &[u8], who: Option<&str>, pw: &str) -> Result<Vault, VaultError> {
    let file = read::parse(bytes).map_err(|e| VaultError::Damaged(e.to_string()))?;
    unlock(
        file,
        Credential::Passphrase {
            member: who,
            passphrase: &pass(pw),
        },
        NOW,
        RAM,
        &LogHead::EMPTY,
    )
}

/// Re-signs the manifest (with `signer`'s key, as member `signer_id`) and
/// re-seals the snapshot after `edit` changed them.
fn forge(
    bytes: &[u8],
    signer: &MemberSecrets,
    signer_id: MemberId,
    edit: impl FnOnce(&mut Manifest, &mut Snapshot),
) -> Vec<u8> {
    let file = read::parse(bytes).expect("the original parses");
    let mut manifest = file.manifest;
    let mut snapshot = file.snapshot;
    edit(&mut manifest, &mut snapshot);
    snapshot.manifest = sign_manifest(&manifest, signer_id, signer);
    snapshot.saver = signer_id;
    write::file_bytes(&snapshot, |d| signer.sign(labels::SEAL, d))
}

/// Like [`forge`], and also appends a record signed by `signer` that binds
/// the changed blobs and slots, as a member with write access could.
fn forge_bound(
    bytes: &[u8],
    signer: &MemberSecrets,
    signer_id: MemberId,
    edit: impl FnOnce(&mut Snapshot),
) -> Vec<u8> {
    let file = read::parse(bytes).expect("the original parses");
    let mut snapshot = file.snapshot;
    edit(&mut snapshot);
    let subjects: Vec<audit::Subject> = snapshot
        .groups
        .iter()
        .map(|b| audit::Subject::Group { group: b.group })
        .chain(snapshot.slots.iter().map(|sl| audit::Subject::Slot {
            member: sl.member,
            kind: sl.kind,
        }))
        .collect();
    bind(&mut snapshot, &file.manifest, signer_id, signer, &subjects);
    snapshot.saver = signer_id;
    write::file_bytes(&snapshot, |d| signer.sign(labels::SEAL, d))
}

fn damaged(bytes: &[u8], who: Option<&str>, pw: &str, why: &str) {
    match open(bytes, who, pw) {
        Err(VaultError::Damaged(msg)) => {
            assert!(msg.contains(why), "expected {why:?}, got {msg:?}")
        }
        Err(e) => panic!("expected damage ({why}), got {e}"),
        Ok(_) => panic!("a forged vault was accepted ({why})"),
    }
}

#[test]
fn a_vault_round_trips() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let w = open(&bytes, None, "pw").expect("opens");
    assert_eq!(w.entry_count(), 1);
    assert_eq!(w.groups()[0].name, "Finance");
    assert!(
        w.log_secret().is_some(),
        "the founding owner holds the log key"
    );
    assert!(matches!(
        open(&bytes, None, "PW"),
        Err(VaultError::WrongPassphrase)
    ));
    let rec = read::parse(&bytes).expect("parse");
    let r = unlock(
        rec,
        Credential::Recovery { code: &pass("RC") },
        NOW,
        RAM,
        &LogHead::EMPTY,
    )
    .expect("recovery opens");
    assert_eq!(r.me().id, FOUNDING_OWNER);
}

#[test]
fn a_sealed_group_is_the_plain_encoding_of_its_payload() {
    // Sealing encodes a group's entries on all cores and opening decodes
    // them into a list sized once: both must be postcard's encoding of
    // `GroupPayload`, byte for byte (FORMAT.md).
    let mut rng = StdRng::seed_from_u64(3);
    let mut v = new_vault(&mut rng);
    for i in 0..700 {
        let mut e = Entry::new(
            EntryId([i as u8, (i >> 8) as u8, 9, 9, 9, 9, 9, 9]),
            format!("entry {i}"),
            NOW,
            FOUNDING_OWNER,
        );
        e.username = format!("user{i}");
        e.password = crate::secret::Concealed::new(format!("pw-{i}"));
        v.add("Finance", e, &mut rng).expect("adds");
    }
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let w = open(&bytes, None, "pw").expect("opens");
    let g = &w.groups[0];
    let parallel = crate::format::codec::encode_secret_with_seq(&g.name, &g.entries, 0);
    let (name, entries): (String, Vec<Entry>) =
        crate::format::codec::decode(&parallel).expect("plain decoding reads it");
    assert_eq!(name, g.name);
    assert_eq!(entries.len(), 701);
    let plain = crate::format::codec::encode(&GroupPayload { name, entries });
    assert_eq!(*parallel, plain);
}

#[test]
fn composed_and_decomposed_passphrases_are_one() {
    let mut rng = StdRng::seed_from_u64(2);
    let opts = CreateOptions {
        owner: "alice",
        firm_domain: None,
        kdf: WEAK,
        weak_kdf: true,
        now: NOW,
    };
    // "é" precomposed (U+00E9) at creation, decomposed (e + U+0301) at unlock.
    let mut v = create(opts, &pass("caf\u{e9} au lait"), &pass("RC"), &mut rng).expect("create");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    assert!(open(&bytes, None, "cafe\u{301} au lait").is_ok());
}

#[test]
fn an_owner_without_an_endorsement_cannot_sign_the_manifest() {
    // The attacker has write access and a key pair of their own; they list
    // themselves as an owner and sign a new manifest.
    let mut rng = StdRng::seed_from_u64(3);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let mallory = MemberSecrets::generate(&mut rng);
    let forged = forge(&bytes, &mallory, 2, |m, _| {
        let mut mal = m.members[0].clone();
        mal.id = 2;
        mal.name = "mallory".into();
        mal.public = mallory.public();
        m.members.push(mal);
    });
    damaged(&forged, None, "pw", "has no endorsement");
}

#[test]
fn a_forged_endorsement_is_refused() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let mallory = MemberSecrets::generate(&mut rng);
    let forged = forge(&bytes, &mallory, 2, |m, _| {
        let mut mal = m.members[0].clone();
        mal.id = 2;
        mal.name = "mallory".into();
        mal.public = mallory.public();
        let msg = crate::format::endorsement_message(&m.vault_id, &mal);
        // Signed by mallory, claiming to be by the founder.
        mal.endorsement = Some(Endorsement {
            by: FOUNDING_OWNER,
            sig: Sig(mallory.sign(labels::ENDORSEMENT, &msg)),
        });
        m.members.push(mal);
    });
    damaged(&forged, None, "pw", "endorsement does not verify");
}

#[test]
fn a_slot_copied_into_a_vault_founded_by_someone_else_does_not_open() {
    // The victim's slot and keys pasted into a vault the attacker founded:
    // the vault id no longer matches the founder's key, or the slot's AAD.
    let mut rng = StdRng::seed_from_u64(5);
    let mut victim = new_vault(&mut rng);
    let victim_bytes = victim.seal(NOW, &mut rng).expect("seal");
    let victim_file = read::parse(&victim_bytes).expect("parse");
    let mut attacker = new_vault(&mut rng);
    let attacker_bytes = attacker.seal(NOW, &mut rng).expect("seal");
    let forged = forge(
        &attacker_bytes,
        &attacker.secrets,
        FOUNDING_OWNER,
        |m, s| {
            m.members[0].public = victim_file.manifest.members[0].public;
            s.slots = victim_file.snapshot.slots.clone();
        },
    );
    // The founder's key in the manifest is now the victim's, but the
    // signature is the attacker's.
    assert!(open(&forged, None, "pw").is_err());
    // Keeping the victim's vault id as well:
    let forged = forge(
        &attacker_bytes,
        &attacker.secrets,
        FOUNDING_OWNER,
        |m, s| {
            m.vault_id = victim_file.manifest.vault_id;
            m.vault_nonce = victim_file.manifest.vault_nonce;
            m.members[0].public = victim_file.manifest.members[0].public;
            s.vault_id = victim_file.manifest.vault_id;
            s.slots = victim_file.snapshot.slots.clone();
        },
    );
    damaged(&forged, None, "pw", "manifest signature does not match");
}

#[test]
fn the_vault_id_must_belong_to_the_founder() {
    let mut rng = StdRng::seed_from_u64(6);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let forged = forge(&bytes, &v.secrets, FOUNDING_OWNER, |m, _| {
        m.vault_nonce[0] ^= 1
    });
    damaged(&forged, None, "pw", "vault id does not belong");
}

#[test]
fn inconsistent_manifests_are_refused() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let k = &v.secrets;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "appears twice",
            forge(&bytes, k, 1, |_, s| s.groups.push(s.groups[0].clone())),
        ),
        (
            "two slots of one kind",
            forge(&bytes, k, 1, |_, s| s.slots.push(s.slots[0].clone())),
        ),
        (
            "grant appears twice",
            forge(&bytes, k, 1, |m, _| m.grants.push(m.grants[0].clone())),
        ),
        (
            "reserved member or group id",
            forge(&bytes, k, 1, |m, _| {
                m.groups[0].id = crate::format::LOG_GROUP
            }),
        ),
        (
            "reserved member or group id",
            forge(&bytes, k, 1, |m, _| {
                let mut zero = m.members[0].clone();
                zero.id = 0;
                zero.name = "zero".into();
                zero.role = Role::Contractor;
                m.members.push(zero);
            }),
        ),
        (
            "no passphrase slot",
            forge(&bytes, k, 1, |_, s| {
                s.slots.retain(|x| x.kind != SlotKind::Passphrase)
            }),
        ),
        ("has no data", forge(&bytes, k, 1, |_, s| s.groups.clear())),
        (
            "KDF parameters differ",
            forge(&bytes, k, 1, |_, s| s.slots[0].kdf.time = 2),
        ),
        (
            "unknown member or group",
            forge(&bytes, k, 1, |m, _| m.grants[0].member = 9),
        ),
    ];
    for (why, forged) in cases {
        damaged(&forged, None, "pw", why);
    }
}

/// Appends a record by `by` (signed with `key`) binding `subjects` as the
/// snapshot now holds them.
fn bind(
    s: &mut Snapshot,
    manifest: &Manifest,
    by: MemberId,
    key: &MemberSecrets,
    subjects: &[audit::Subject],
) {
    let bindings = subjects
        .iter()
        .map(|subject| {
            let hash = match subject {
                audit::Subject::Manifest => audit::manifest_hash(&s.manifest),
                audit::Subject::Group { group } => {
                    audit::blob_hash(s.groups.iter().find(|b| b.group == *group).expect("blob"))
                }
                audit::Subject::Slot { member, kind } => audit::slot_hash(
                    s.slots
                        .iter()
                        .find(|x| x.member == *member && x.kind == *kind)
                        .expect("slot"),
                ),
            };
            audit::Binding {
                subject: *subject,
                hash,
            }
        })
        .collect();
    let legacy = usize::try_from(s.legacy).expect("a count");
    let place = audit::Place::after(
        &audit::verify(&s.vault_id, manifest, &s.log, legacy, None).expect("log verifies"),
    );
    let draft = audit::Draft {
        bindings,
        ..audit::Draft::new(NOW, audit::Action::Edit)
    };
    let rec = audit::make(
        &s.vault_id,
        place,
        by,
        draft,
        key,
        &manifest.log_public,
        &mut StdRng::seed_from_u64(98),
    );
    s.log.push(rec);
    s.log_head = audit::head_of(
        &audit::verify(&s.vault_id, manifest, &s.log, legacy, None).expect("log verifies"),
    );
}

#[test]
fn a_revoked_member_cannot_seal_and_an_auditor_cannot_write_groups() {
    let mut rng = StdRng::seed_from_u64(8);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let audrey = MemberSecrets::generate(&mut rng);
    let owner = &v.secrets;
    // The owner adds audrey as an auditor, with a slot, and binds both.
    let with_audrey = |revoked: bool| {
        let file = read::parse(&bytes).expect("parse");
        let mut manifest = file.manifest;
        let mut snapshot = file.snapshot;
        let mut m = manifest.members[0].clone();
        m.id = 2;
        m.name = "audrey".into();
        m.role = Role::Auditor;
        m.public = audrey.public();
        m.revoked_at = revoked.then_some(NOW);
        manifest.members.push(m);
        let mut subjects = vec![audit::Subject::Manifest];
        if !revoked {
            let slot = make_slot(
                &manifest.vault_id,
                2,
                SlotKind::Passphrase,
                WEAK,
                b"apw",
                &audrey,
                &mut StdRng::seed_from_u64(1),
            )
            .expect("slot");
            snapshot.slots.push(slot);
            subjects.push(audit::Subject::Slot {
                member: 2,
                kind: SlotKind::Passphrase,
            });
        }
        snapshot.manifest = sign_manifest(&manifest, FOUNDING_OWNER, owner);
        bind(&mut snapshot, &manifest, FOUNDING_OWNER, owner, &subjects);
        (manifest, snapshot)
    };
    let seal_as = |s: &Snapshot, id: MemberId, key: &MemberSecrets| {
        let mut s = s.clone();
        s.saver = id;
        write::file_bytes(&s, |d| key.sign(labels::SEAL, d))
    };
    // An auditor may seal (to change their own passphrase)...
    let (manifest, snapshot) = with_audrey(false);
    assert!(open(&seal_as(&snapshot, 2, &audrey), None, "pw").is_ok());
    assert!(open(&seal_as(&snapshot, 2, &audrey), Some("audrey"), "apw").is_ok());
    // ...but not bind group data.
    let mut rebound = snapshot.clone();
    let group = rebound.groups[0].group;
    bind(
        &mut rebound,
        &manifest,
        2,
        &audrey,
        &[audit::Subject::Group { group }],
    );
    damaged(
        &seal_as(&rebound, 2, &audrey),
        None,
        "pw",
        "without its key",
    );
    // A revoked member may not seal at all.
    let (_, snapshot) = with_audrey(true);
    damaged(
        &seal_as(&snapshot, 2, &audrey),
        None,
        "pw",
        "may not save this vault",
    );
}

#[test]
fn an_older_manifest_put_back_is_refused() {
    // An owner's earlier manifest (say, from before a revocation) re-sealed
    // into the current file by a member with write access.
    let mut rng = StdRng::seed_from_u64(17);
    let mut v = new_vault(&mut rng);
    let first = v.seal(NOW, &mut rng).expect("seal");
    let first = read::parse(&first).expect("parse").snapshot;
    let (old_manifest, finance) = (first.manifest, first.groups[0].group);
    v.ensure_group("Second", &mut rng).expect("group");
    let second = v.seal(NOW, &mut rng).expect("seal");
    let forged = {
        let file = read::parse(&second).expect("parse");
        let mut s = file.snapshot;
        s.manifest = old_manifest;
        s.groups.retain(|b| b.group == finance);
        write::file_bytes(&s, |d| v.secrets.sign(labels::SEAL, d))
    };
    damaged(
        &forged,
        None,
        "pw",
        "manifest is not what the access log last recorded",
    );
}

#[test]
fn counters_at_their_limit_give_an_error_not_a_panic() {
    let mut rng = StdRng::seed_from_u64(9);
    let mut v = new_vault(&mut rng);
    v.generation = u64::MAX;
    assert!(matches!(v.seal(NOW, &mut rng), Err(VaultError::Limit(_))));
}

#[test]
fn member_and_group_ids_are_random_and_never_reserved() {
    // Two copies adding a member or a group each must not give two of
    // them one id: ids are drawn at random, never 0 (the log key's
    // pseudo-group) nor the founding owner's.
    let mut rng = StdRng::seed_from_u64(9);
    let mut v = new_vault(&mut rng);
    let mut w = new_vault(&mut StdRng::seed_from_u64(9));
    for i in 0..8 {
        v.ensure_group(&format!("G{i}"), &mut rng).expect("group");
    }
    let groups: Vec<GroupId> = v.manifest.groups.iter().map(|g| g.id).collect();
    assert_eq!(groups.len(), 9);
    assert!(groups.iter().all(|g| *g > FOUNDING_OWNER), "{groups:?}");
    let mut distinct = groups.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), groups.len(), "{groups:?}");
    assert_ne!(
        groups[1..3],
        [2, 3],
        "group ids are not a counter: {groups:?}"
    );
    let bob = v
        .add_member(
            "bob",
            Role::Contractor,
            &[],
            None,
            &pass("b"),
            NOW,
            &mut rng,
        )
        .expect("bob");
    let carol = w
        .add_member(
            "carol",
            Role::Contractor,
            &[],
            None,
            &pass("c"),
            NOW,
            &mut rng,
        )
        .expect("carol");
    assert!(bob > FOUNDING_OWNER && carol > FOUNDING_OWNER);
    assert_ne!(bob, carol, "two copies adding a member each");
    assert_eq!(w.me().id, FOUNDING_OWNER);
}

#[test]
fn a_wrong_passphrase_and_a_tampered_slot_are_one_error() {
    let mut rng = StdRng::seed_from_u64(10);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    // A slot changed, bound in the log and re-sealed by a member key.
    let forged = forge_bound(&bytes, &v.secrets, 1, |s| {
        let slot = s
            .slots
            .iter_mut()
            .find(|x| x.kind == SlotKind::Passphrase)
            .expect("slot");
        slot.wrapped[0] ^= 1;
    });
    assert!(matches!(
        open(&forged, None, "pw"),
        Err(VaultError::WrongPassphrase)
    ));
}

#[test]
fn a_changed_group_ciphertext_is_damage_even_when_resealed() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let forged = forge(&bytes, &v.secrets, 1, |_, s| s.groups[0].ciphertext[0] ^= 1);
    damaged(&forged, None, "pw", "not what the access log last recorded");
    // Even bound in the log by a member key, the AEAD tag refuses it.
    let forged = forge_bound(&bytes, &v.secrets, 1, |s| s.groups[0].ciphertext[0] ^= 1);
    damaged(&forged, None, "pw", "fails authentication");
}

#[test]
fn a_record_signed_with_another_members_key_is_refused() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let file = read::parse(&bytes).expect("parse");
    let mut manifest = file.manifest.clone();
    let bob = MemberSecrets::generate(&mut rng);
    let mut m = manifest.members[0].clone();
    m.id = 2;
    m.name = "bob".into();
    m.role = Role::Contractor;
    m.public = bob.public();
    manifest.members.push(m);
    let log = file.snapshot.log.clone();
    let place = audit::Place::after(
        &audit::verify(&v.vault_id, &manifest, &log, 0, None).expect("verifies"),
    );
    let draft = || audit::Draft::new(NOW, audit::Action::Reveal);
    // Bob writes a record in alice's name.
    let forged = audit::make(
        &v.vault_id,
        place.clone(),
        FOUNDING_OWNER,
        draft(),
        &bob,
        &manifest.log_public,
        &mut rng,
    );
    let mut with_forged = log.clone();
    with_forged.push(forged);
    let err = audit::verify(&v.vault_id, &manifest, &with_forged, 0, None).expect_err("refused");
    assert!(err.reason.contains("not alice's"), "{err}");
    assert_eq!(err.index as usize, log.len());
    // In his own name it verifies...
    let own = audit::make(
        &v.vault_id,
        place.clone(),
        2,
        draft(),
        &bob,
        &manifest.log_public,
        &mut rng,
    );
    let mut with_own = log.clone();
    with_own.push(own);
    assert!(audit::verify(&v.vault_id, &manifest, &with_own, 0, None).is_ok());
    // ...until an owner's record revoked him: his records after it are
    // refused, whatever time they claim.
    let revoke = audit::Draft {
        target: Some(2),
        ..audit::Draft::new(NOW + 100, audit::Action::MemberRevoke)
    };
    let rev = audit::make(
        &v.vault_id,
        place.clone(),
        FOUNDING_OWNER,
        revoke,
        &v.secrets,
        &manifest.log_public,
        &mut rng,
    );
    let mut after = log.clone();
    after.push(rev);
    let place2 = audit::Place::after(
        &audit::verify(&v.vault_id, &manifest, &after, 0, None).expect("verifies"),
    );
    let backdated = audit::Draft::new(NOW - 1000, audit::Action::Reveal);
    after.push(audit::make(
        &v.vault_id,
        place2,
        2,
        backdated,
        &bob,
        &manifest.log_public,
        &mut rng,
    ));
    let err = audit::verify(&v.vault_id, &manifest, &after, 0, None).expect_err("refused");
    assert!(
        err.reason.contains("after their membership was revoked"),
        "{err}"
    );
    // A revocation written by a contractor counts for nothing.
    let fake = audit::Draft {
        target: Some(FOUNDING_OWNER),
        ..audit::Draft::new(NOW, audit::Action::MemberRevoke)
    };
    let mut with_fake = log.clone();
    with_fake.push(audit::make(
        &v.vault_id,
        place.clone(),
        2,
        fake,
        &bob,
        &manifest.log_public,
        &mut rng,
    ));
    let err = audit::verify(&v.vault_id, &manifest, &with_fake, 0, None).expect_err("refused");
    assert!(err.reason.contains("not an owner"), "{err}");
    // Skipping signature checks (records this machine verified before)
    // still checks the chain.
    let last = audit::record_hash(with_forged.last().expect("a record"));
    assert!(audit::verify(&v.vault_id, &manifest, &with_forged, 0, Some(&last)).is_ok());
}

#[test]
fn a_changed_folded_record_is_refused_even_when_resealed() {
    let mut rng = StdRng::seed_from_u64(13);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let forged = forge(&bytes, &v.secrets, 1, |_, s| {
        let rec = s.log.last_mut().expect("a record");
        let mid = rec.len() / 2;
        rec[mid] ^= 1;
    });
    assert!(matches!(
        open(&forged, None, "pw"),
        Err(VaultError::Damaged(_))
    ));
    // Dropping a record from the middle breaks the chain.
    let forged = forge(&bytes, &v.secrets, 1, |_, s| {
        s.log.remove(0);
    });
    assert!(matches!(
        open(&forged, None, "pw"),
        Err(VaultError::Damaged(_))
    ));
}

#[test]
fn a_log_cut_back_is_a_rollback_for_a_machine_that_saw_more() {
    let mut rng = StdRng::seed_from_u64(14);
    let mut v = new_vault(&mut rng);
    let older = v.seal(NOW, &mut rng).expect("seal");
    let e = Entry::new(
        EntryId::random(&mut rng),
        "Later".into(),
        NOW,
        FOUNDING_OWNER,
    );
    v.add("Finance", e, &mut rng).expect("add");
    let newer = v.seal(NOW, &mut rng).expect("seal");
    let seen = audit::head_of(v.log());
    let file = read::parse(&older).expect("parse");
    let res = unlock(
        file,
        Credential::Passphrase {
            member: None,
            passphrase: &pass("pw"),
        },
        NOW,
        RAM,
        &seen,
    );
    assert!(matches!(res, Err(VaultError::RolledBack(_))));
    let file = read::parse(&newer).expect("parse");
    assert!(
        unlock(
            file,
            Credential::Passphrase {
                member: None,
                passphrase: &pass("pw")
            },
            NOW,
            RAM,
            &seen
        )
        .is_ok()
    );
}

#[test]
fn a_deleted_recovery_slot_is_damage() {
    let mut rng = StdRng::seed_from_u64(15);
    let mut v = new_vault(&mut rng);
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let forged = forge(&bytes, &v.secrets, 1, |_, s| {
        s.slots.retain(|x| x.kind != SlotKind::Recovery)
    });
    damaged(&forged, None, "pw", "Recovery key slot is missing");
}

#[test]
fn an_older_blob_put_back_is_refused() {
    // A member re-seals the file with the group data of an earlier save.
    let mut rng = StdRng::seed_from_u64(16);
    let mut v = new_vault(&mut rng);
    let first = v.seal(NOW, &mut rng).expect("seal");
    let old_blob = read::parse(&first).expect("parse").snapshot.groups[0].clone();
    let e = Entry::new(
        EntryId::random(&mut rng),
        "Later".into(),
        NOW,
        FOUNDING_OWNER,
    );
    v.add("Finance", e, &mut rng).expect("add");
    let second = v.seal(NOW, &mut rng).expect("seal");
    let forged = forge(&second, &v.secrets, 1, |_, s| {
        s.groups[0] = old_blob.clone()
    });
    damaged(&forged, None, "pw", "not what the access log last recorded");
}

#[test]
fn an_added_contractor_holds_only_the_granted_groups_keys() {
    let mut rng = StdRng::seed_from_u64(41);
    let mut v = new_vault(&mut rng);
    let mail = Entry::new(
        EntryId::random(&mut rng),
        "Webmail".into(),
        NOW,
        FOUNDING_OWNER,
    );
    v.add("Email", mail, &mut rng).expect("add");
    let id = v
        .add_member(
            "bob",
            Role::Contractor,
            &["Email".to_owned()],
            None,
            &pass("bob pw"),
            NOW,
            &mut rng,
        )
        .expect("add bob");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let bob = open(&bytes, Some("bob"), "bob pw").expect("bob unlocks");
    assert_eq!(bob.me().id, id);
    let titles: Vec<&str> = bob.entries().map(|(_, _, e)| e.title.as_str()).collect();
    assert_eq!(titles, ["Webmail"], "Finance stays closed to bob");
    assert!(bob.groups().iter().all(|g| g.name == "Email"));
    assert!(matches!(bob.find("Bank"), Err(VaultError::NotFound(_))));
    assert!(
        bob.log_secret().is_none(),
        "a contractor reads no log details"
    );
    // The file holds no grant of Finance to bob at all: not a UI check.
    let file = read::parse(&bytes).expect("parses");
    let finance = v.groups()[v.group_index("Finance").expect("Finance")].id;
    assert!(
        !file
            .manifest
            .grants
            .iter()
            .any(|g| g.member == id && g.group == finance)
    );
}

#[test]
fn an_added_owner_is_endorsed_and_an_auditor_gets_only_the_log_key() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut v = new_vault(&mut rng);
    v.add_member(
        "carol",
        Role::Owner,
        &[],
        None,
        &pass("carol pw"),
        NOW,
        &mut rng,
    )
    .expect("add carol");
    v.add_member(
        "dan",
        Role::Auditor,
        &[],
        None,
        &pass("dan pw"),
        NOW,
        &mut rng,
    )
    .expect("add dan");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let mut carol = open(&bytes, Some("carol"), "carol pw").expect("carol unlocks");
    assert_eq!(carol.entry_count(), 1, "an owner holds every group");
    assert!(carol.log_secret().is_some());
    // Carol's endorsement lets her sign the manifest: her own change saves
    // and opens again.
    carol
        .add_member(
            "erin",
            Role::Contractor,
            &[],
            None,
            &pass("erin pw"),
            NOW,
            &mut rng,
        )
        .expect("carol adds erin");
    let bytes = carol.seal(NOW + 1, &mut rng).expect("carol seals");
    open(&bytes, Some("erin"), "erin pw").expect("erin unlocks");
    let dan = open(&bytes, Some("dan"), "dan pw").expect("dan unlocks");
    assert_eq!(dan.entry_count(), 0, "an auditor holds no group key");
    assert!(dan.log_secret().is_some(), "an auditor reads the log");
}

#[test]
fn adding_members_is_for_owners_and_names_are_unique() {
    let mut rng = StdRng::seed_from_u64(43);
    let mut v = new_vault(&mut rng);
    let err = v
        .add_member(
            "alice",
            Role::Contractor,
            &[],
            None,
            &pass("x"),
            NOW,
            &mut rng,
        )
        .expect_err("a second alice");
    assert!(matches!(err, VaultError::Invalid(_)), "{err}");
    let err = v
        .add_member(
            "bob",
            Role::Contractor,
            &["Nope".into()],
            None,
            &pass("x"),
            NOW,
            &mut rng,
        )
        .expect_err("no such group");
    assert!(matches!(err, VaultError::NotFound(_)), "{err}");
    v.add_member(
        "bob",
        Role::Contractor,
        &[],
        None,
        &pass("bob pw"),
        NOW,
        &mut rng,
    )
    .expect("add bob");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let mut bob = open(&bytes, Some("bob"), "bob pw").expect("bob unlocks");
    let err = bob
        .add_member("eve", Role::Owner, &[], None, &pass("x"), NOW, &mut rng)
        .expect_err("a contractor adds no one");
    assert!(matches!(err, VaultError::AccessDenied(_)), "{err}");
}

#[test]
fn a_membership_past_its_expiry_is_refused_at_unlock() {
    let mut rng = StdRng::seed_from_u64(44);
    let mut v = new_vault(&mut rng);
    v.add_member(
        "bob",
        Role::Contractor,
        &["Finance".to_owned()],
        Some(NOW + 3600),
        &pass("bob pw"),
        NOW,
        &mut rng,
    )
    .expect("add bob");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let at = |now: i64| {
        unlock(
            read::parse(&bytes).expect("parses"),
            Credential::Passphrase {
                member: Some("bob"),
                passphrase: &pass("bob pw"),
            },
            now,
            RAM,
            &LogHead::EMPTY,
        )
    };
    assert!(at(NOW + 3599).is_ok(), "still a member before the date");
    let Err(err) = at(NOW + 3600) else {
        panic!("an expired membership unlocked");
    };
    assert!(matches!(err, VaultError::AccessDenied(_)), "{err}");
    assert!(err.to_string().contains("expired"), "{err}");
}

/// Adds `name` as a contractor of `groups` and saves.
fn with_contractor(v: &mut Vault, name: &str, groups: &[&str], rng: &mut StdRng) -> Vec<u8> {
    let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    v.add_member(
        name,
        Role::Contractor,
        &groups,
        None,
        &pass(&format!("{name} pw")),
        NOW,
        rng,
    )
    .expect("add contractor");
    v.seal(NOW, rng).expect("seal")
}

#[test]
fn a_revoked_contractors_old_keys_open_nothing_saved_after_the_revocation() {
    let mut rng = StdRng::seed_from_u64(51);
    let mut v = new_vault(&mut rng);
    let mail = Entry::new(EntryId::random(&mut rng), "Webmail".into(), NOW, 1);
    v.add("Email", mail, &mut rng).expect("add");
    let bytes = with_contractor(&mut v, "bob", &["Email"], &mut rng);

    // Bob keeps everything his unlock gave him: his member keys and the
    // Email group key.
    let bob = open(&bytes, Some("bob"), "bob pw").expect("bob unlocks");
    let bob_secrets = MemberSecrets::from_bytes(&bob.secrets.to_bytes()[..]).expect("copy");
    let (email, old_epoch, old_key) = {
        let g = &bob.groups[0];
        (g.id, g.key.epoch, Key32::from_bytes(*g.key.key.expose()))
    };
    drop(bob);

    let mut v = open(&bytes, None, "pw").expect("owner unlocks");
    let r = v.revoke("bob", NOW + 10, &mut rng).expect("revoke");
    assert_eq!(r.rekeyed, [(email, old_epoch + 1)]);
    assert!(!r.log_rotated, "a contractor never held the log key");
    v.note(audit::Draft {
        target: Some(r.member),
        ..audit::Draft::new(NOW + 10, audit::Action::MemberRevoke)
    });
    let after = v.seal(NOW + 10, &mut rng).expect("seal");

    let file = read::parse(&after).expect("parses");
    // The Email blob is at the new epoch, and bob's old key fails on it.
    let blob = file
        .snapshot
        .groups
        .iter()
        .find(|b| b.group == email)
        .expect("Email blob");
    assert_eq!(blob.epoch, old_epoch + 1);
    assert!(
        open_group(
            &file.snapshot.vault_id,
            blob,
            &old_key,
            crate::format::FORMAT_VERSION
        )
        .is_err(),
        "the old Email key decrypts the re-keyed data"
    );
    // Bob's member keys open no grant in the new manifest, and bob has
    // no slot and no grant left.
    for g in &file.manifest.grants {
        let info = grant_info(&file.snapshot.vault_id, g.group, g.epoch, g.member);
        assert!(
            bob_secrets
                .open_group_key(&info, &g.enc, &g.sealed_key)
                .is_err()
        );
    }
    let bob_id = r.member;
    assert!(!file.manifest.grants.iter().any(|g| g.member == bob_id));
    assert!(!file.snapshot.slots.iter().any(|s| s.member == bob_id));
    // His passphrase no longer opens the vault; the owner still reads Email.
    assert!(matches!(
        open(&after, Some("bob"), "bob pw"),
        Err(VaultError::AccessDenied(_))
    ));
    let owner = open(&after, None, "pw").expect("the owner unlocks");
    assert!(owner.find("Webmail").is_ok());
}

#[test]
fn revoking_an_auditor_rotates_the_log_key_and_owners_still_read_old_details() {
    let mut rng = StdRng::seed_from_u64(52);
    let mut v = new_vault(&mut rng);
    v.add_member(
        "dan",
        Role::Auditor,
        &[],
        None,
        &pass("dan pw"),
        NOW,
        &mut rng,
    )
    .expect("add dan");
    let r = v.find("Bank").expect("Bank");
    let d = v.details_for(r);
    v.note(audit::Draft {
        details: Some(d),
        ..audit::Draft::new(NOW, audit::Action::Edit)
    });
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let dan = open(&bytes, Some("dan"), "dan pw").expect("dan unlocks");
    let dan_log = Key32::from_bytes(*dan.log_secret().expect("dan reads the log").expose());
    drop(dan);

    let mut v = open(&bytes, None, "pw").expect("owner");
    let rv = v.revoke("dan", NOW + 5, &mut rng).expect("revoke dan");
    assert!(rv.log_rotated);
    assert!(rv.rekeyed.is_empty(), "an auditor holds no group");
    let r = v.find("Bank").expect("Bank");
    let d = v.details_for(r);
    v.note(audit::Draft {
        target: Some(rv.member),
        details: Some(d),
        ..audit::Draft::new(NOW + 5, audit::Action::MemberRevoke)
    });
    let after = v.seal(NOW + 5, &mut rng).expect("seal");

    let owner = open(&after, None, "pw").expect("owner unlocks");
    let log = owner.log().to_vec();
    let last = &log[log.len() - 1].record;
    assert_eq!(last.action, audit::Action::MemberRevoke);
    assert!(
        audit::open_details(owner.vault_id(), last, &dan_log).is_err(),
        "the revoked auditor's log key opens a record written after the revocation"
    );
    assert_eq!(
        owner.record_details(last).and_then(|d| d.title).as_deref(),
        Some("Bank")
    );
    let earlier = log
        .iter()
        .rev()
        .find(|x| x.record.action == audit::Action::Edit && x.record.details.is_some())
        .expect("the earlier edit");
    assert_eq!(
        owner
            .record_details(&earlier.record)
            .and_then(|d| d.title)
            .as_deref(),
        Some("Bank"),
        "owners keep reading details sealed to the old log key"
    );

    // An auditor added afterwards reads old and new details.
    let mut v = owner;
    v.add_member(
        "erin",
        Role::Auditor,
        &[],
        None,
        &pass("erin pw"),
        NOW,
        &mut rng,
    )
    .expect("add erin");
    let later = v.seal(NOW + 6, &mut rng).expect("seal");
    let erin = open(&later, Some("erin"), "erin pw").expect("erin unlocks");
    assert!(erin.record_details(&earlier.record).is_some());
    assert!(erin.record_details(last).is_some());
}

#[test]
fn revocation_is_for_owners_and_spares_the_founder_and_oneself() {
    let mut rng = StdRng::seed_from_u64(53);
    let mut v = new_vault(&mut rng);
    v.add_member(
        "carol",
        Role::Owner,
        &[],
        None,
        &pass("carol pw"),
        NOW,
        &mut rng,
    )
    .expect("add carol");
    let bytes = with_contractor(&mut v, "bob", &["Finance"], &mut rng);
    assert!(matches!(
        v.revoke("alice", NOW, &mut rng),
        Err(VaultError::Invalid(_))
    ));
    assert!(matches!(
        v.revoke("nobody", NOW, &mut rng),
        Err(VaultError::UnknownMember(_))
    ));
    let mut bob = open(&bytes, Some("bob"), "bob pw").expect("bob");
    assert!(matches!(
        bob.revoke("carol", NOW, &mut rng),
        Err(VaultError::AccessDenied(_))
    ));
    let mut carol = open(&bytes, Some("carol"), "carol pw").expect("carol");
    assert!(matches!(
        carol.revoke("carol", NOW, &mut rng),
        Err(VaultError::Invalid(_))
    ));
    assert!(matches!(
        carol.revoke("alice", NOW, &mut rng),
        Err(VaultError::Invalid(_))
    ));
    // Another owner may revoke the contractor; the founder still reads all.
    carol
        .revoke("bob", NOW, &mut rng)
        .expect("carol revokes bob");
    assert!(matches!(
        carol.revoke("bob", NOW, &mut rng),
        Err(VaultError::Invalid(_))
    ));
    let after = carol.seal(NOW, &mut rng).expect("seal");
    let alice = open(&after, None, "pw").expect("alice");
    assert!(alice.find("Bank").is_ok());
}

#[test]
fn expired_members_are_listed_until_revoked() {
    let mut rng = StdRng::seed_from_u64(54);
    let mut v = new_vault(&mut rng);
    v.add_member(
        "bob",
        Role::Contractor,
        &["Finance".to_owned()],
        Some(NOW + 100),
        &pass("bob pw"),
        NOW,
        &mut rng,
    )
    .expect("add");
    assert!(v.expired_members(NOW).is_empty());
    let names: Vec<&str> = v
        .expired_members(NOW + 100)
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["bob"]);
    v.revoke("bob", NOW + 200, &mut rng).expect("revoke");
    assert!(v.expired_members(NOW + 200).is_empty());
}

#[test]
fn a_passphrase_change_is_due_until_the_member_records_one() {
    let mut rng = StdRng::seed_from_u64(55);
    let mut v = new_vault(&mut rng);
    v.add_member_with(
        "bob",
        Role::Contractor,
        &["Finance".to_owned()],
        None,
        &pass("temporary"),
        true,
        NOW,
        &mut rng,
    )
    .expect("add");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    assert!(
        !open(&bytes, None, "pw")
            .expect("owner")
            .passphrase_change_due()
    );
    let mut bob = open(&bytes, Some("bob"), "temporary").expect("bob");
    assert!(bob.passphrase_change_due());
    bob.change_passphrase(&pass("bob's own"), &mut rng)
        .expect("change");
    bob.note(audit::Draft::new(NOW, audit::Action::PassphraseChange));
    let after = bob.seal(NOW, &mut rng).expect("seal");
    let bob = open(&after, Some("bob"), "bob's own").expect("bob, new passphrase");
    assert!(!bob.passphrase_change_due());
    assert!(matches!(
        open(&after, Some("bob"), "temporary"),
        Err(VaultError::WrongPassphrase)
    ));
}

#[test]
fn an_expired_member_gets_no_new_key_when_a_group_is_rekeyed() {
    let mut rng = StdRng::seed_from_u64(56);
    let mut v = new_vault(&mut rng);
    for (name, expires) in [("bob", None), ("carol", Some(NOW + 10))] {
        v.add_member(
            name,
            Role::Contractor,
            &["Finance".to_owned()],
            expires,
            &pass("pw2"),
            NOW,
            &mut rng,
        )
        .expect("add");
    }
    let carol = v
        .manifest
        .members
        .iter()
        .find(|m| m.name == "carol")
        .map(|m| m.id);
    let r = v.revoke("bob", NOW + 20, &mut rng).expect("revoke bob");
    let (finance, epoch) = r.rekeyed[0];
    assert!(
        !v.manifest
            .grants
            .iter()
            .any(|g| Some(g.member) == carol && g.group == finance && g.epoch == epoch),
        "carol's membership had expired: the new Finance key is not hers"
    );
    assert!(
        v.manifest
            .grants
            .iter()
            .any(|g| g.member == FOUNDING_OWNER && g.group == finance && g.epoch == epoch)
    );
}

#[test]
fn a_bare_passphrase_change_record_does_not_satisfy_must_change() {
    let mut rng = StdRng::seed_from_u64(57);
    let mut v = new_vault(&mut rng);
    v.add_member_with(
        "bob",
        Role::Contractor,
        &["Finance".to_owned()],
        None,
        &pass("temporary"),
        true,
        NOW,
        &mut rng,
    )
    .expect("add");
    let bytes = v.seal(NOW, &mut rng).expect("seal");
    let mut bob = open(&bytes, Some("bob"), "temporary").expect("bob");
    // A record claiming the change, without a new slot.
    bob.note(audit::Draft::new(NOW, audit::Action::PassphraseChange));
    let r = bob.find("Bank").expect("Bank");
    bob.edit(r, NOW, |_| ()).expect("edit");
    let after = bob.seal(NOW, &mut rng).expect("seal");
    let bob = open(&after, Some("bob"), "temporary").expect("the old passphrase still opens");
    assert!(bob.passphrase_change_due());
}

#[test]
fn a_save_by_a_member_who_reads_one_group_keeps_the_others_and_their_order() {
    let mut rng = StdRng::seed_from_u64(58);
    let mut v = new_vault(&mut rng);
    for group in ["Email", "Servers"] {
        let e = Entry::new(EntryId::random(&mut rng), group.into(), NOW, 1);
        v.add(group, e, &mut rng).expect("add");
    }
    let bytes = with_contractor(&mut v, "bob", &["Email"], &mut rng);
    let before = read::parse(&bytes).expect("parses").snapshot.groups;

    // Bob reads only Email, the middle one of the file's three groups.
    let mut bob = open(&bytes, Some("bob"), "bob pw").expect("bob unlocks");
    let r = bob.find("Email").expect("Email");
    bob.edit(r, NOW + 1, |e| e.username = "bob".into())
        .expect("edit");
    let after = bob.seal(NOW + 1, &mut rng).expect("seal");
    let after = read::parse(&after).expect("parses").snapshot.groups;

    let ids = |blobs: &[GroupBlob]| blobs.iter().map(|b| b.group).collect::<Vec<_>>();
    assert_eq!(ids(&after), ids(&before), "the file's group order");
    assert_eq!(after[0], before[0], "Finance carried byte for byte");
    assert_ne!(after[1], before[1], "Email re-encrypted");
    assert_eq!(after[2], before[2], "Servers carried byte for byte");
    let w = open(
        &bob.seal(NOW + 2, &mut rng).expect("seal again"),
        None,
        "pw",
    )
    .expect("owner unlocks");
    assert_eq!(w.entry_count(), 3);
}
