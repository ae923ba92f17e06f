//! Re-saves the KeePassXC test databases (tests/fixtures/keepassxc) as
//! KDBX 4 files with a tiny key derivation and passphrase "a", across the
//! outer ciphers, compressions, inner stream ciphers and KDFs the
//! `keepass` crate reads, and writes a KeePass 1 header with a few AES
//! rounds. The fixtures themselves ask for key derivations too slow to
//! fuzz past, so without these seeds the fuzzer would never reach the
//! decrypted XML.
//!
//! For `import_kdbx_xml`, whose inputs are the decrypted XML itself: each
//! fixture's XML as the crate writes it with the plain inner stream (the
//! one `kdbx4_around` declares, so protected values read back as they
//! were), and a few shapes at and past the import's nesting limits.

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
    write_xml_seeds(&FIXTURES);
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

/// Seeds of `import_kdbx_xml`: decrypted KeePass XML.
fn write_xml_seeds(fixtures: &[(&str, &str)]) {
    let out = std::path::Path::new("seeds/import_kdbx_xml");
    std::fs::create_dir_all(out).expect("create the seed directory");
    let mut all: Vec<(&str, &str)> = fixtures.to_vec();
    all.push(("Argon2id.kdbx", "a"));
    for (name, pass) in all {
        let path = format!("../tests/fixtures/keepassxc/{name}");
        let bytes = std::fs::read(&path).expect("read a fixture");
        let mut db = Database::parse(&bytes, DatabaseKey::new().with_password(pass))
            .expect("open a fixture");
        db.config.version = DatabaseVersion::KDB4(0);
        db.config.compression_config = CompressionConfig::None;
        db.config.inner_cipher_config = InnerCipherConfig::Plain;
        db.config.kdf_config = KdfConfig::Aes { rounds: 1 };
        let mut buf = Vec::new();
        db.save(&mut buf, DatabaseKey::new().with_password("a"))
            .expect("save");
        let xml = Database::get_xml(&mut &buf[..], DatabaseKey::new().with_password("a"))
            .expect("read the XML back");
        let stem = name.trim_end_matches(".kdbx");
        std::fs::write(out.join(format!("{stem}.xml")), xml).expect("write");
    }
    // Groups nested to the import's limit (64 below the root), and one
    // more; an entry with a history inside its history's entry; groups
    // made by internal entities, which the XML reader expands.
    let nested = |levels: usize| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeePassFile><Root><Group><Name>Root</Name>\
             {}<Entry><String><Key>Title</Key><Value>deep</Value></String></Entry>{}\
             </Group></Root></KeePassFile>",
            "<Group><Name>g</Name>".repeat(levels),
            "</Group>".repeat(levels)
        )
    };
    std::fs::write(out.join("nested-64.xml"), nested(64)).expect("write");
    std::fs::write(out.join("nested-65.xml"), nested(65)).expect("write");
    let history = "<KeePassFile><Root><Group><Name>Root</Name><Entry>\
        <String><Key>Title</Key><Value>now</Value></String><History><Entry>\
        <String><Key>Password</Key><Value>old</Value></String><History><Entry>\
        <String><Key>Password</Key><Value>older</Value></String></Entry></History>\
        </Entry></History></Entry></Group></Root></KeePassFile>";
    std::fs::write(out.join("history-in-history.xml"), history).expect("write");
    let entities = "<!DOCTYPE KeePassFile [<!ENTITY g \"<Group><Name>e</Name></Group>\">\
        <!ENTITY h \"<Group><Name>h</Name>&g;&g;</Group>\">]>\
        <KeePassFile><Root><Group><Name>Root</Name>&h;&h;</Group></Root></KeePassFile>";
    std::fs::write(out.join("entity-groups.xml"), entities).expect("write");
    // KDBX 3.1's attachment pool in Meta, referred to by an entry: the
    // import's attachment scan runs only when the file has attachments.
    let attachments = "<KeePassFile><Meta><Binaries><Binary ID=\"0\" Compressed=\"False\">\
        aGVsbG8=</Binary></Binaries></Meta><Root><Group><Name>Root</Name><Entry>\
        <UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><String><Key>Title</Key><Value>with a file</Value>\
        </String><Binary><Key>note &amp; key.txt</Key><Value Ref=\"0\"/></Binary></Entry>\
        </Group></Root></KeePassFile>";
    std::fs::write(out.join("attachments.xml"), attachments).expect("write");
}
