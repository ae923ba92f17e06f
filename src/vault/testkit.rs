//! Test support, compiled into tests and debug builds only, never into a
//! release binary: lets a test give a vault a second member without the
//! full membership flow.

use super::unlock::make_slot;
use super::{Vault, VaultError, validate_member_name};
use crate::crypto::keys::MemberSecrets;
use crate::format::{Member, Role, SlotKind};

/// Adds `name` as `role` with a passphrase slot; the owner's next save
/// signs and binds it. Returns the new member's secrets.
pub fn add_member(
    v: &mut Vault,
    name: &str,
    role: Role,
    passphrase: &[u8],
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<MemberSecrets, VaultError> {
    validate_member_name(name)?;
    let secrets = MemberSecrets::generate(rng);
    let id = super::fresh_id(rng, |x| {
        x == crate::format::FOUNDING_OWNER || v.manifest.members.iter().any(|m| m.id == x)
    });
    let kdf_params = v.me().kdf;
    v.manifest.members.push(Member {
        id,
        name: name.to_owned(),
        role,
        public: secrets.public(),
        kdf: kdf_params,
        added_at: now,
        added_by: v.me,
        expires_at: None,
        revoked_at: None,
        must_change_passphrase: false,
        endorsement: None,
    });
    let slot = make_slot(
        &v.vault_id,
        id,
        SlotKind::Passphrase,
        kdf_params,
        passphrase,
        &secrets,
        rng,
    )?;
    v.slots.push(slot);
    v.dirty_slots.push((id, SlotKind::Passphrase));
    v.manifest_dirty = true;
    Ok(secrets)
}
