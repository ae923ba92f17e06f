//! Property tests: a vault with any byte changed, or cut short, is refused
//! with an error — never accepted, never a panic.

use std::sync::OnceLock;

use baton::format::read;
use baton::secret::Passphrase;
use baton::vault::{self, Credential, Entry, EntryId};
use proptest::prelude::*;
use rand::SeedableRng;

use crate::common::weak_options;

const RAM: u64 = 8 << 30;

fn sample_vault() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut v = vault::create(
            weak_options(1_700_000_000),
            &Passphrase::from_slice(b"pw"),
            &Passphrase::from_slice(b"RC"),
            &mut rng,
        )
        .unwrap();
        for i in 0..3 {
            let e = Entry::new(
                EntryId::random(&mut rng),
                format!("entry {i}"),
                1_700_000_000,
                1,
            );
            v.add(if i == 0 { "A" } else { "B" }, e, &mut rng).unwrap();
        }
        v.seal(1_700_000_001, &mut rng).unwrap()
    })
}

fn opens(bytes: &[u8]) -> bool {
    let Ok(file) = read::parse(bytes) else {
        return false;
    };
    let pw = Passphrase::from_slice(b"pw");
    vault::unlock(
        file,
        Credential::Passphrase {
            member: None,
            passphrase: &pw,
        },
        1_700_000_100,
        RAM,
        &baton::format::LogHead::EMPTY,
    )
    .is_ok()
}

#[test]
fn the_sample_opens_untouched() {
    assert!(opens(sample_vault()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_changed_byte_is_refused(pos in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut b = sample_vault().clone();
        let i = pos.index(b.len());
        b[i] ^= xor;
        prop_assert!(!opens(&b), "a change at byte {} was accepted", i);
    }

    #[test]
    fn any_truncation_is_refused(pos in any::<prop::sample::Index>()) {
        let b = sample_vault();
        let cut = pos.index(b.len());
        prop_assert!(!opens(&b[..cut]));
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read::parse(&data);
        let mut with_header = b"BATONVLT\x01\x00".to_vec();
        with_header.extend_from_slice(&data);
        prop_assert!(!opens(&with_header));
    }
}
