//! Calendar dates and RFC 3339 timestamps in UTC, without a time crate.
//!
//! Converts between unix seconds and proleptic Gregorian dates (Howard
//! Hinnant's `days_from_civil` / `civil_from_days`), formats timestamps and
//! parses dates typed by users or found in imports. No clock is read here.

/// Seconds in a day.
const DAY: i64 = 86_400;
/// 0000-01-01T00:00:00Z, the earliest formattable instant.
pub const MIN_UNIX: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z, the latest formattable instant.
pub const MAX_UNIX: i64 = 253_402_300_799;

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "expected a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS followed by Z or an offset like +02:00"
    )]
    Format,
    #[error("the month must be between 01 and 12")]
    Month,
    #[error("that day does not exist in that month")]
    Day,
    #[error("the time of day must be between 00:00:00 and 23:59:59")]
    Time,
    #[error("the UTC offset must be between -23:59 and +23:59")]
    Offset,
}

/// Unix seconds → `"2026-11-23T15:54:00Z"` (UTC, RFC 3339, seconds
/// precision). Instants outside years 0000..=9999 are clamped to
/// `0000-01-01T00:00:00Z` / `9999-12-31T23:59:59Z`.
pub fn format_rfc3339(unix: i64) -> String {
    let unix = unix.clamp(MIN_UNIX, MAX_UNIX);
    let (y, m, d) = civil_from_days(unix.div_euclid(DAY));
    let secs = unix.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Unix seconds → `"2026-11-23"` (UTC date), clamped like [`format_rfc3339`].
pub fn format_date(unix: i64) -> String {
    let unix = unix.clamp(MIN_UNIX, MAX_UNIX);
    let (y, m, d) = civil_from_days(unix.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `"HH:MM:SS UTC"` for unix seconds.
pub fn format_time(unix: i64) -> String {
    let unix = unix.clamp(MIN_UNIX, MAX_UNIX);
    let s = unix.rem_euclid(DAY);
    format!("{:02}:{:02}:{:02} UTC", s / 3600, s / 60 % 60, s % 60)
}

/// Parses `"YYYY-MM-DD"` (midnight UTC) or RFC 3339
/// `"YYYY-MM-DDTHH:MM:SS"` followed by `Z` or `±HH:MM`, into unix seconds.
///
/// Accepts `t`/`z` in lower case, a space instead of `T` (RFC 3339 section
/// 5.6 note), and fractional seconds (discarded). Surrounding whitespace is
/// ignored. Years are 0000..=9999; months, days (with leap years), hours,
/// minutes and seconds are checked; leap second `:60` is refused.
pub fn parse(s: &str) -> Result<i64, DateError> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, rest @ ..] = s.trim().as_bytes() else {
        return Err(DateError::Format);
    };
    let year = number(&[*y1, *y2, *y3, *y4])?;
    let month = number(&[*m1, *m2])?;
    let day = number(&[*d1, *d2])?;
    if !(1..=12).contains(&month) {
        return Err(DateError::Month);
    }
    if day < 1 || day > days_in_month(i64::from(year), month) {
        return Err(DateError::Day);
    }
    let midnight = days_from_civil(i64::from(year), month, day) * DAY;
    if rest.is_empty() {
        return Ok(midnight);
    }

    let [
        b'T' | b't' | b' ',
        h1,
        h2,
        b':',
        n1,
        n2,
        b':',
        s1,
        s2,
        zone @ ..,
    ] = rest
    else {
        return Err(DateError::Format);
    };
    let hour = number(&[*h1, *h2])?;
    let minute = number(&[*n1, *n2])?;
    let second = number(&[*s1, *s2])?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err(DateError::Time);
    }
    let zone = match zone {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            match fraction.split_at_checked(digits) {
                Some((_, zone)) if digits > 0 => zone,
                _ => return Err(DateError::Format),
            }
        }
        _ => zone,
    };
    let offset = match zone {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = number(&[*h1, *h2])?;
            let om = number(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return Err(DateError::Offset);
            }
            let offset = i64::from(oh * 3600 + om * 60);
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return Err(DateError::Format),
    };
    Ok(midnight + i64::from(hour * 3600 + minute * 60 + second) - offset)
}

/// ASCII decimal digits → number; anything else is a format error.
fn number(digits: &[u8]) -> Result<u32, DateError> {
    digits.iter().try_fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err(DateError::Format)
        }
    })
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d`
/// (Howard Hinnant's algorithm). Meant for valid dates; out-of-range
/// months or days give a proportionally shifted result and huge years
/// saturate, but nothing panics.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (m, d) = (i128::from(m), i128::from(d));
    let y = i128::from(y) - i128::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = (m + 9).rem_euclid(12); // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    let days = era * 146_097 + doe - 719_468;
    i64::try_from(days).unwrap_or(if days < 0 { i64::MIN } else { i64::MAX })
}

/// The proleptic Gregorian `(year, month, day)` of the day `z` days after
/// 1970-01-01 (Howard Hinnant's algorithm). Total over all `i64`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = i128::from(z) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = yoe + era * 400 + i128::from(m <= 2);
    // |y| < 2^56 for any i64 day count; m and d are small.
    (
        i64::try_from(y).unwrap_or(0),
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each value checked with `date -u -d @N`.
    #[test]
    fn known_instants() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        assert_eq!(format_rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_rfc3339(1_795_392_000), "2026-11-23T00:00:00Z");
        assert_eq!(format_rfc3339(1_111_111_109), "2005-03-18T01:58:29Z");
        assert_eq!(format_rfc3339(20_000_000_000), "2603-10-11T11:33:20Z");
        assert_eq!(format_rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(-62_167_219_200), "0000-01-01T00:00:00Z");
    }

    #[test]
    fn clamps_outside_0000_9999() {
        assert_eq!(format_rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(i64::MIN), "0000-01-01T00:00:00Z");
        assert_eq!(format_date(253_402_300_800), "9999-12-31");
        assert_eq!(format_date(-62_167_219_201), "0000-01-01");
    }

    #[test]
    fn parses_known_values() {
        assert_eq!(parse("1970-01-01"), Ok(0));
        assert_eq!(parse("2000-02-29"), Ok(951_782_400));
        assert_eq!(parse("2026-11-23"), Ok(1_795_392_000));
        assert_eq!(parse(" 2026-11-23\n"), Ok(1_795_392_000));
        assert_eq!(parse("2023-11-14T22:13:20Z"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14t22:13:20z"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14 22:13:20Z"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14T22:13:20.999Z"), Ok(1_700_000_000));
        assert_eq!(parse("0000-01-01T00:00:00Z"), Ok(MIN_UNIX));
        assert_eq!(parse("9999-12-31T23:59:59Z"), Ok(MAX_UNIX));
        assert_eq!(parse("1969-12-31T23:59:59Z"), Ok(-1));
    }

    #[test]
    fn offsets() {
        // Same instant as 2023-11-14T22:13:20Z.
        assert_eq!(parse("2023-11-15T00:13:20+02:00"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14T16:43:20-05:30"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14T22:13:20-00:00"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14T22:13:20+00:00"), Ok(1_700_000_000));
        assert_eq!(parse("2023-11-14T22:13:20+24:00"), Err(DateError::Offset));
        assert_eq!(parse("2023-11-14T22:13:20+05:60"), Err(DateError::Offset));
        for bad in [
            "2023-11-14T22:13:20+0200",
            "2023-11-14T22:13:20+02",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20 Z",
            "2023-11-14T22:13:20+02:00x",
            "2023-11-14T22:13:20.Z",
        ] {
            assert_eq!(parse(bad), Err(DateError::Format), "{bad}");
        }
    }

    #[test]
    fn rejects_invalid_dates() {
        assert_eq!(parse("2023-02-29"), Err(DateError::Day));
        assert_eq!(parse("1900-02-29"), Err(DateError::Day));
        assert_eq!(parse("2024-02-30"), Err(DateError::Day));
        assert_eq!(parse("2024-04-31"), Err(DateError::Day));
        assert_eq!(parse("2024-01-00"), Err(DateError::Day));
        assert_eq!(parse("2024-13-01"), Err(DateError::Month));
        assert_eq!(parse("2024-00-01"), Err(DateError::Month));
        assert_eq!(parse("2024-01-01T24:00:00Z"), Err(DateError::Time));
        assert_eq!(parse("2024-01-01T23:60:00Z"), Err(DateError::Time));
        assert_eq!(parse("2024-01-01T23:59:60Z"), Err(DateError::Time));
        assert!(parse("2024-02-29").is_ok());
        assert!(parse("2000-02-29").is_ok());
        for bad in [
            "",
            "garbage",
            "2024-1-01",
            "2024/01/01",
            "+024-01-01",
            "２０２４-01-01",
            "2024-01-01T",
            "2024-01-01X12:00:00Z",
            "20240101",
            "2024-01-01é",
            "é024-01-01",
            "-2024-01-01",
        ] {
            assert_eq!(parse(bad), Err(DateError::Format), "{bad:?}");
        }
    }

    #[test]
    fn hinnant_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(0, 1, 1), -719_528);
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-719_529), (-1, 12, 31));
        // No panics at the extremes.
        let _ = civil_from_days(i64::MIN);
        let _ = civil_from_days(i64::MAX);
        let _ = days_from_civil(i64::MAX, u32::MAX, u32::MAX);
        let _ = days_from_civil(i64::MIN, 0, 0);
    }

    /// Day-by-day walk from 1600-01-01 to 2400-12-31, checked against an
    /// independent month-length table.
    #[test]
    fn day_walk_matches_calendar() {
        let mut z = days_from_civil(1600, 1, 1);
        for y in 1600..=2400 {
            for m in 1..=12u32 {
                let len = match m {
                    2 if y % 400 == 0 || (y % 4 == 0 && y % 100 != 0) => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                for d in 1..=len {
                    assert_eq!(civil_from_days(z), (y, m, d));
                    assert_eq!(days_from_civil(y, m, d), z);
                    z += 1;
                }
            }
        }
        assert_eq!(z, days_from_civil(2401, 1, 1));
    }

    #[test]
    fn format_parse_round_trip() {
        let mut t = MIN_UNIX;
        while t <= MAX_UNIX {
            let text = format_rfc3339(t);
            assert_eq!(parse(&text), Ok(t), "{text}");
            assert_eq!(parse(&format_date(t)), Ok(t - t.rem_euclid(DAY)));
            t += 9_999_991; // ~116 days, prime so the time of day varies
        }
    }
}
