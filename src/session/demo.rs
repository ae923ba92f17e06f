//! The demo: a throw-away vault for a small dental practice (the owner
//! and an IT contractor who holds three of its groups), in a new
//! private temporary directory, for a front end to open (`baton demo`
//! opens it in the TUI) and [`Demo::remove`] to delete afterwards. Its passphrase is shown on the unlock screen; its key
//! derivation is below the floor (a `--weak-kdf` vault), which the TUI
//! warns about, so it is fit for a look around and nothing else.

use std::path::{Path, PathBuf};

use super::{Context, Error, Result};
use crate::audit::{Action, Draft};
use crate::crypto::kdf::KdfParams;
use crate::generate::{self, CharsetOptions};
use crate::secret::{Concealed, Passphrase};
use crate::totp::{Algorithm, Totp};
use crate::vault::entry::{BackupCode, CustomField};
use crate::vault::{self, CreateOptions, Entry, EntryId, Vault};
use crate::{os, store};
use rand::Rng;

/// Entries the contractor copied on an earlier shift, so that a handover
/// from the members screen (`M`, then `h`) has a checklist to show.
const SHIFT_COPIES: [&str; 2] = ["Microsoft 365 admin", "Office router"];

/// The demo vault's passphrase, shown on its unlock screen.
pub const PASSPHRASE: &str = "demo";
const OWNER: &str = "dr.smith";
/// The contractor, who unlocks with the same demo passphrase.
const CONTRACTOR: &str = "jordan.it";
const CONTRACTOR_GROUPS: [&str; 3] = ["Office/E-mail", "IT/Network", "IT/Backup"];
const DOMAIN: &str = "smith-dental.example";
/// Cheap on purpose: a throw-away vault.
const KDF: KdfParams = KdfParams {
    memory_kib: 16 * 1024,
    time: 1,
    parallelism: 2,
};

/// A demo vault written to a private temporary directory.
pub struct Demo {
    dir: PathBuf,
    /// Where the demo vault is, with a state directory of its own: the
    /// demo leaves nothing behind.
    pub ctx: Context,
}

impl Demo {
    /// Writes the demo vault into a new private temporary directory.
    pub fn create(ctx: &Context) -> Result<Demo> {
        let dir = private_temp_dir()?;
        let path = dir.join("demo.baton");
        let written = build(os::now(), &mut os::rng()).and_then(|bytes| {
            let lock = store::lock(&path, "baton demo", ctx.lock_wait)?;
            store::create_new(&path, &bytes, &lock)?;
            Ok(())
        });
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        let state = dir.join("state");
        Ok(Demo {
            ctx: ctx.isolated(path, state),
            dir,
        })
    }

    /// A line for the unlock screen: what this is and its passphrase.
    pub fn hint(&self) -> String {
        format!("Demo, deleted on quit: passphrase \"{PASSPHRASE}\" (both members)")
    }

    /// Deletes the demo's directory, vault, backups and state.
    pub fn remove(self) -> std::io::Result<PathBuf> {
        std::fs::remove_dir_all(&self.dir).map(|()| self.dir.clone())
    }

    /// Where the demo's files are.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Three days ago, the contractor unlocked, copied two passwords and
/// locked: real records signed with the contractor's own key.
fn contractor_shift(bytes: &[u8], now: i64, rng: &mut impl rand::CryptoRng) -> Result<Vec<u8>> {
    let file = crate::format::read::parse(bytes)?;
    let passphrase = Passphrase::from_slice(PASSPHRASE.as_bytes());
    let mut j = vault::unlock(
        file,
        vault::Credential::Passphrase {
            member: Some(CONTRACTOR),
            passphrase: &passphrase,
        },
        now,
        os::ram_bytes(),
        &crate::format::LogHead::EMPTY,
    )?;
    let start = now - 3 * 86_400;
    j.note(Draft::new(start, Action::Unlock));
    for (i, title) in (1..).zip(SHIFT_COPIES) {
        let r = j.find(title)?;
        j.note(Draft {
            entry: Some(j.entry(r).id.0),
            group: Some(j.group_id(r)),
            field: Some(crate::audit::Field::Password),
            details: Some(j.details_for(r)),
            ..Draft::new(start + 120 * i, Action::Copy)
        });
    }
    j.note(Draft::new(start + 900, Action::SessionEnd));
    Ok(j.seal(now, rng)?)
}

/// The demo vault's bytes: the practice's entries, its contractor, and
/// one past shift of theirs.
fn build(now: i64, rng: &mut impl rand::CryptoRng) -> Result<Vec<u8>> {
    let mut recovery = zeroize::Zeroizing::new([0u8; 20]);
    rng.fill_bytes(&mut recovery[..]);
    let mut v = vault::create(
        CreateOptions {
            owner: OWNER,
            firm_domain: Some(DOMAIN.into()),
            kdf: KDF,
            weak_kdf: true,
            now,
        },
        &Passphrase::from_slice(PASSPHRASE.as_bytes()),
        &Passphrase::from_slice(&recovery[..]),
        rng,
    )?;
    fill(&mut v, now, rng)?;
    // The practice's IT contractor: e-mail, network and backups only.
    let groups: Vec<String> = CONTRACTOR_GROUPS.iter().map(|g| (*g).to_owned()).collect();
    let id = v.add_member(
        CONTRACTOR,
        crate::format::Role::Contractor,
        &groups,
        Some(now + 180 * 86_400),
        &Passphrase::from_slice(PASSPHRASE.as_bytes()),
        now,
        rng,
    )?;
    v.note(Draft {
        target: Some(id),
        ..Draft::new(now, Action::MemberAdd)
    });
    let bytes = v.seal(now, rng)?;
    drop(v);
    contractor_shift(&bytes, now, rng)
}

/// A directory only this user can enter, under the system temp dir.
fn private_temp_dir() -> Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let mut rng = os::rng();
    for _ in 0..8 {
        let mut tag = [0u8; 8];
        rng.fill_bytes(&mut tag);
        let dir = std::env::temp_dir().join(format!(
            "baton-demo-{}",
            data_encoding::HEXLOWER.encode(&tag)
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::failed(format!(
                    "cannot create a temporary directory: {e}"
                )));
            }
        }
    }
    Err(Error::failed("cannot create a temporary directory"))
}

struct Account {
    group: &'static str,
    title: &'static str,
    username: &'static str,
    url: &'static str,
    identity: Option<&'static str>,
    tags: &'static [&'static str],
    notes: &'static str,
    rotate_days: Option<u32>,
    totp: bool,
    backup_codes: usize,
    fields: &'static [(&'static str, bool)],
}

const ACCOUNTS: &[Account] = &[
    Account {
        group: "Office/E-mail",
        title: "Microsoft 365 admin",
        username: "it@smith-dental.example",
        url: "https://admin.microsoft.com",
        identity: Some("it@smith-dental.example"),
        tags: &["admin", "mfa"],
        notes: "Global admin. Break-glass account: use only if the contractor's admin role fails.",
        rotate_days: Some(90),
        totp: true,
        backup_codes: 8,
        fields: &[],
    },
    Account {
        group: "Office/E-mail",
        title: "Reception mailbox",
        username: "reception@smith-dental.example",
        url: "https://outlook.office.com",
        identity: Some("reception@smith-dental.example"),
        tags: &["shared"],
        notes: "",
        rotate_days: Some(180),
        totp: false,
        backup_codes: 0,
        fields: &[],
    },
    Account {
        group: "Finance/Payroll",
        title: "Payroll – Gusto",
        username: "payroll@smith-dental.example",
        url: "https://app.gusto.com",
        // Registered by a former contractor under a personal address.
        identity: Some("mike.fixit@gmail.com"),
        tags: &["payroll", "mfa"],
        notes: "Runs on the 15th and the last day of the month.",
        rotate_days: Some(90),
        totp: true,
        backup_codes: 0,
        fields: &[],
    },
    Account {
        group: "Finance/Tax",
        title: "Tax software – Drake",
        username: "smithdental",
        url: "https://www.drakesoftware.com/login",
        identity: Some("office@smith-dental.example"),
        tags: &["tax"],
        notes: "",
        rotate_days: Some(365),
        totp: false,
        backup_codes: 0,
        fields: &[("EFIN", false), ("PIN", true)],
    },
    Account {
        group: "Finance/Bank",
        title: "First Harbor Bank",
        username: "smithdental-ops",
        url: "https://online.firstharbor.example",
        identity: Some("office@smith-dental.example"),
        tags: &["bank", "mfa"],
        notes: "Wire transfers need the second signer (Dr. Smith) to approve in the app.",
        rotate_days: Some(90),
        totp: true,
        backup_codes: 10,
        fields: &[("Customer ID", false)],
    },
    Account {
        group: "IT/Network",
        title: "Office router",
        username: "admin",
        url: "https://192.168.1.1",
        identity: None,
        tags: &["network"],
        notes: "Firmware updated by the contractor; config backup in IT/Backup.",
        rotate_days: Some(180),
        totp: false,
        backup_codes: 0,
        fields: &[("Wi-Fi passphrase", true)],
    },
    Account {
        group: "IT/Network",
        title: "Guest Wi-Fi",
        username: "",
        url: "",
        identity: None,
        tags: &["network", "shared"],
        notes: "",
        rotate_days: Some(30),
        totp: false,
        backup_codes: 0,
        fields: &[],
    },
    Account {
        group: "IT/Backup",
        title: "Backblaze B2",
        username: "it@smith-dental.example",
        url: "https://secure.backblaze.com",
        identity: Some("it@smith-dental.example"),
        tags: &["backup", "mfa"],
        notes: "",
        rotate_days: Some(180),
        totp: true,
        backup_codes: 6,
        fields: &[("Application key ID", false), ("Application key", true)],
    },
    Account {
        group: "Clinical",
        title: "Dentrix practice management",
        username: "frontdesk",
        url: "https://dentrix.smith-dental.example",
        identity: Some("office@smith-dental.example"),
        tags: &["clinical"],
        notes: "",
        rotate_days: Some(90),
        totp: false,
        backup_codes: 0,
        fields: &[],
    },
    Account {
        group: "Clinical",
        title: "Lab portal – Glidewell",
        username: "smithdental",
        url: "https://glidewelldental.com",
        identity: Some("office@smith-dental.example"),
        tags: &["clinical"],
        notes: "",
        rotate_days: None,
        totp: false,
        backup_codes: 0,
        fields: &[],
    },
];

fn fill(v: &mut Vault, now: i64, rng: &mut impl rand::CryptoRng) -> Result<()> {
    let me = v.me().id;
    let gen_err = |e: generate::GenerateError| Error::failed(e.to_string());
    for (i, a) in ACCOUNTS.iter().enumerate() {
        // Spread the accounts' ages over the last year.
        let age = i64::try_from(i).unwrap_or(0) * 37 * 86_400;
        let mut e = Entry::new(EntryId::random(rng), a.title.into(), now - age, me);
        e.username = a.username.into();
        let pw = generate::password(&CharsetOptions::default(), rng).map_err(gen_err)?;
        e.password = Concealed::of(&pw);
        e.password_changed_at = now - age;
        e.rescore();
        if !a.url.is_empty() {
            e.urls.push(a.url.into());
        }
        e.identity = a.identity.map(str::to_owned);
        e.tags = a.tags.iter().map(|t| (*t).to_owned()).collect();
        e.notes = Concealed::of(a.notes);
        e.rotate_days = a.rotate_days;
        if a.totp {
            let mut seed = vec![0u8; 20];
            rng.fill_bytes(&mut seed);
            let t = Totp::new(
                seed,
                Algorithm::Sha1,
                6,
                30,
                Some(a.title.into()),
                Some(a.username.into()),
            )
            .map_err(|e| Error::failed(e.to_string()))?;
            e.totp = Some(t);
        }
        for k in 0..a.backup_codes {
            let mut raw = [0u8; 5];
            rng.fill_bytes(&mut raw);
            let code = data_encoding::BASE32_NOPAD.encode(&raw).to_lowercase();
            let used = k < 2;
            e.backup_codes.push(BackupCode {
                code: Concealed::of(&code),
                used_at: used.then_some(now - 20 * 86_400),
                used_by: used.then_some(me),
            });
        }
        for (name, concealed) in a.fields {
            let value = if *concealed {
                generate::passphrase(4, "-", rng).map_err(gen_err)?
            } else {
                zeroize::Zeroizing::new(format!("{:06}", rng.next_u32() % 1_000_000))
            };
            e.fields.push(CustomField {
                stamp: None,
                name: (*name).into(),
                value: Concealed::of(&value),
                concealed: *concealed,
            });
        }
        let r = v.add(a.group, e, rng)?;
        v.note(Draft {
            entry: Some(v.entry(r).id.0),
            group: Some(v.group_id(r)),
            details: Some(v.details_for(r)),
            ..Draft::new(now, Action::Add)
        });
    }
    Ok(())
}

#[cfg(test)]
mod demo_tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_demo_contractors_past_shift_makes_a_handover_checklist() {
        let now = 1_790_000_000;
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let bytes = build(now, &mut rng).expect("build");
        let owner = vault::unlock(
            crate::format::read::parse(&bytes).expect("parses"),
            vault::Credential::Passphrase {
                member: None,
                passphrase: &Passphrase::from_slice(PASSPHRASE.as_bytes()),
            },
            now,
            8 << 30,
            &crate::format::LogHead::EMPTY,
        )
        .expect("the owner unlocks");
        let jordan = owner
            .manifest()
            .members
            .iter()
            .find(|m| m.name == CONTRACTOR)
            .expect("the contractor")
            .id;
        let copied: Vec<String> = owner
            .log()
            .iter()
            .filter(|r| r.record.member == jordan && r.record.action == Action::Copy)
            .filter_map(|r| owner.record_details(&r.record).and_then(|d| d.title))
            .collect();
        assert_eq!(copied, SHIFT_COPIES);
        let mut items: Vec<String> = crate::handover::exposure_set(
            owner.log(),
            jordan,
            &crate::handover::Facts {
                is_owner: &|m| m == crate::format::FOUNDING_OWNER,
                password_changed: &|_, _| None,
                entries_of: &|_| Vec::new(),
                passwords: &Vec::new,
            },
        )
        .iter()
        .filter_map(|i| owner.any_entry(i.entry).map(|(e, _)| e.title.clone()))
        .collect();
        items.sort();
        assert_eq!(items, ["Microsoft 365 admin", "Office router"]);
    }
}
