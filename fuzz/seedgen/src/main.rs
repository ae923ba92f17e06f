//! Re-saves the KeePassXC test databases (tests/fixtures/keepassxc) as
//! KDBX 4 files with a tiny key derivation and passphrase "a", across the
//! outer ciphers, compressions, inner stream ciphers and KDFs the
//! `keepass` crate reads, and writes a KeePass 1 header with a few AES
//! rounds. The fixtures themselves ask for key derivations too slow to
//! fuzz past, so without these seeds the fuzzer would never reach the
//! decrypted XML.

use keepass::config::{
    CompressionConfig, DatabaseVersion, InnerCipherConfig, KdfConfig, OuterCipherConfig,
};
use keepass::{Database, DatabaseKey};

const FIXTURES: [(&str, &str); 4] = [
    ("NewDatabase.kdbx", "a"),
    ("Format400.kdbx", "t"),
    ("ProtectedStrings.kdbx", "masterpw"),
    ("NonAscii.kdbx", "\u{394}\u{f6}\u{636}"),
];

fn main() {
    let out = std::path::Path::new("seeds/import_kdbx");
    std::fs::create_dir_all(out).expect("create the seed directory");
    let variants = [
        (
            OuterCipherConfig::AES256,
            CompressionConfig::GZip,
            InnerCipherConfig::ChaCha20,
            KdfConfig::Argon2id {
                iterations: 1,
                memory: 8 * 1024,
                parallelism: 1,
                version: argon2::Version::Version13,
            },
        ),
        (
            OuterCipherConfig::ChaCha20,
            CompressionConfig::None,
            InnerCipherConfig::Salsa20,
            KdfConfig::Argon2 {
                iterations: 1,
                memory: 8 * 1024,
                parallelism: 1,
                version: argon2::Version::Version13,
            },
        ),
        (
            OuterCipherConfig::Twofish,
            CompressionConfig::GZip,
            InnerCipherConfig::Plain,
            KdfConfig::Aes { rounds: 10 },
        ),
    ];
    for (name, pass) in FIXTURES {
        let path = format!("../tests/fixtures/keepassxc/{name}");
        let bytes = std::fs::read(&path).expect("read a fixture");
        let db = Database::parse(&bytes, DatabaseKey::new().with_password(pass))
            .expect("open a fixture");
        for (i, (outer, compression, inner, kdf)) in variants.iter().enumerate() {
            let mut db = db.clone();
            db.config.version = DatabaseVersion::KDB4(0);
            db.config.outer_cipher_config = outer.clone();
            db.config.compression_config = compression.clone();
            db.config.inner_cipher_config = inner.clone();
            db.config.kdf_config = kdf.clone();
            let mut buf = Vec::new();
            db.save(&mut buf, DatabaseKey::new().with_password("a"))
                .expect("save");
            let stem = name.trim_end_matches(".kdbx");
            std::fs::write(out.join(format!("{stem}-cheap{i}.kdbx")), buf).expect("write");
        }
    }
    // KeePass 1: signature, flags (AES), version, seeds, counts, hash,
    // transform seed, 5 rounds, then a body of one AES block.
    let mut kdb = Vec::new();
    kdb.extend_from_slice(&[0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5]);
    kdb.extend_from_slice(&2u32.to_le_bytes());
    kdb.extend_from_slice(&0x0003_0004u32.to_le_bytes());
    kdb.extend_from_slice(&[1; 32]);
    kdb.extend_from_slice(&1u32.to_le_bytes());
    kdb.extend_from_slice(&1u32.to_le_bytes());
    kdb.extend_from_slice(&[2; 64]);
    kdb.extend_from_slice(&5u32.to_le_bytes());
    kdb.extend_from_slice(&[3; 16]);
    std::fs::write(out.join("keepass1-5-rounds.kdb"), kdb).expect("write");
}
