//! TOTP from a KeePass entry: the `otp` attribute (an `otpauth://` URI),
//! KeePassXC's legacy `TOTP Seed` + `TOTP Settings`, and KeePass 2's
//! `TimeOtp-*` family, mapped onto Baton's TOTP; the fields a usable one
//! came from are not kept as custom fields.

use keepass::db::Entry as KpEntry;

use crate::secret::Concealed;
use crate::totp::{Algorithm, Totp};
use crate::vault::Entry;

/// String fields that hold a TOTP configuration in one of the forms read
/// here; they do not also become custom fields when the TOTP is usable.
const OTP_URI: &str = "otp";
const KPXC_SEED: &str = "TOTP Seed";
const KPXC_SETTINGS: &str = "TOTP Settings";
const KP_SECRET: &str = "TimeOtp-Secret-Base32";
const KP_LENGTH: &str = "TimeOtp-Length";
const KP_PERIOD: &str = "TimeOtp-Period";
const KP_ALGORITHM: &str = "TimeOtp-Algorithm";

/// Fields that carry TOTP secrets: kept concealed when they stay custom
/// fields because Baton could not use them.
pub(super) fn used_for_totp(name: &str) -> bool {
    [OTP_URI, KPXC_SEED, KPXC_SETTINGS, KP_SECRET].contains(&name)
        || name.starts_with("TimeOtp-Secret")
}

/// The entry's TOTP, from the first of its configurations Baton can use,
/// and the names of the fields it came from (not kept as custom fields).
pub(super) fn totp(
    e: &KpEntry,
    entry: &Entry,
    where_: &str,
    warnings: &mut Vec<String>,
) -> (Option<Totp>, Vec<&'static str>) {
    let get = |name: &str| {
        e.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(Concealed::of)
    };
    let issuer = Some(entry.title.clone());
    let account = Some(entry.username.clone());
    let mut found: Option<(Totp, Vec<&'static str>)> = None;

    if let Some(uri) = get(OTP_URI) {
        match Totp::parse(uri.expose()) {
            Ok(t) => found = Some((t, vec![OTP_URI])),
            Err(err) => warnings.push(format!(
                "{where_}: its {OTP_URI:?} TOTP could not be used ({err}); kept as a concealed field"
            )),
        }
    }

    if let Some(seed) = get(KPXC_SEED) {
        let settings = get(KPXC_SETTINGS);
        let parsed = kpxc_totp(&seed, settings.as_ref(), issuer.clone(), account.clone());
        let mut names = vec![KPXC_SEED];
        if settings.is_some() {
            names.push(KPXC_SETTINGS);
        }
        match (parsed, &mut found) {
            // The same secret as the otp URI: KeePassXC's older copy.
            (Ok(t), Some((first, used))) if t.secret() == first.secret() => used.extend(names),
            (Ok(_), Some(_)) => warnings.push(format!(
                "{where_}: a second TOTP ({KPXC_SEED:?}) differs from its otp URI; kept as concealed fields"
            )),
            (Ok(t), None) => found = Some((t, names)),
            (Err(why), _) => warnings.push(format!(
                "{where_}: its {KPXC_SEED:?} TOTP could not be used ({why}); kept as concealed fields"
            )),
        }
    }

    if found.is_none()
        && let Some(secret) = get(KP_SECRET)
    {
        let num = |name: &str, default: u32| {
            get(name).map_or(Some(default), |v| v.expose().parse::<u32>().ok())
        };
        let algorithm = match get(KP_ALGORITHM) {
            None => Some(Algorithm::Sha1),
            Some(a) => match a.expose() {
                "HMAC-SHA-1" => Some(Algorithm::Sha1),
                "HMAC-SHA-256" => Some(Algorithm::Sha256),
                "HMAC-SHA-512" => Some(Algorithm::Sha512),
                _ => None,
            },
        };
        let built = match (num(KP_LENGTH, 6), num(KP_PERIOD, 30), algorithm) {
            (Some(digits), Some(period), Some(alg)) => Totp::parse(secret.expose())
                .and_then(|base| {
                    Totp::new(
                        base.secret().to_vec(),
                        alg,
                        u8::try_from(digits).unwrap_or(0),
                        period,
                        issuer,
                        account,
                    )
                })
                .map_err(|e| e.to_string()),
            _ => Err("unknown length, period or algorithm".to_owned()),
        };
        match built {
                Ok(t) => {
                    let mut names = vec![KP_SECRET];
                    for n in [KP_LENGTH, KP_PERIOD, KP_ALGORITHM] {
                        if e.fields.contains_key(n) {
                            names.push(n);
                        }
                    }
                    found = Some((t, names));
                }
                Err(why) => warnings.push(format!(
                    "{where_}: its {KP_SECRET:?} TOTP could not be used ({why}); kept as concealed fields"
                )),
            }
    }

    match found {
        Some((t, names)) => (Some(t), names),
        None => (None, Vec::new()),
    }
}

/// KeePassXC's legacy TOTP: a seed (base32, or an otpauth URI) and
/// settings "period;digits", where digits "S" means Steam codes.
fn kpxc_totp(
    seed: &Concealed,
    settings: Option<&Concealed>,
    issuer: Option<String>,
    account: Option<String>,
) -> Result<Totp, String> {
    let base = Totp::parse(seed.expose()).map_err(|e| e.to_string())?;
    if seed.expose().contains("://") {
        return Ok(base);
    }
    let (period, digits) = match settings {
        None => (30, 6),
        Some(s) => {
            let mut parts = s.expose().split(';').map(str::trim);
            let period = parts.next().and_then(|p| p.parse::<u32>().ok());
            let digits = parts.next().unwrap_or("6");
            if digits.eq_ignore_ascii_case("S") {
                return Err("Steam codes are not supported".into());
            }
            match (period, digits.parse::<u8>().ok()) {
                (Some(p), Some(d)) => (p, d),
                _ => return Err(format!("unknown {KPXC_SETTINGS:?}")),
            }
        }
    };
    Totp::new(
        base.secret().to_vec(),
        Algorithm::Sha1,
        digits,
        period,
        issuer,
        account,
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::kdbx::tests::{find, import};

    #[test]
    fn keepassxc_totp_seed_becomes_the_entry_totp_not_a_field() {
        let imp = import("NewDatabase.kdbx", "a");
        let e = &find(&imp, "Sample Entry").entry;
        let totp = e.totp.as_ref().expect("TOTP Seed + TOTP Settings 30;6");
        assert_eq!(
            totp.secret_base32().as_str(),
            "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
        );
        assert_eq!((totp.digits, totp.period), (6, 30));
        assert!(e.field("TOTP Seed").is_none());
        assert!(e.field("TOTP Settings").is_none());
        // Custom attributes differing only in case are both kept.
        let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["TestAttribute1", "testattribute1"]);
        assert_eq!(e.fields[0].value.expose(), "b");
        assert_eq!(e.fields[1].value.expose(), "a");
    }

    #[test]
    fn keepassxc_totp_settings() {
        let seed = Concealed::of("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
        let t = kpxc_totp(&seed, Some(&Concealed::of("60;8")), None, None).expect("usable");
        assert_eq!((t.period, t.digits), (60, 8));
        let steam = kpxc_totp(&seed, Some(&Concealed::of("30;S")), None, None);
        assert!(steam.is_err(), "Steam codes are not Baton's TOTP");
        assert!(kpxc_totp(&seed, Some(&Concealed::of("x")), None, None).is_err());
    }
}
