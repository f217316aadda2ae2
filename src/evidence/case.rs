//! Case details a seller adds to an evidence bundle: who claims the photo, when the copies
//! were found, and where (per suspect, `EvidenceOptions::listing_urls`).

use serde::Serialize;

use super::EvidenceOptions;

/// Who claims the photo and when the copies were found (`--claimant`, `--found-on`): shown in
/// the report and, being in `report.json` and the report id, covered by `SHA256SUMS`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CaseDetails {
    pub claimant: Option<String>,
    /// `YYYY-MM-DD`.
    pub found_on: Option<String>,
}

/// Why case details cannot be used (a usage error: nothing is built).
pub fn check_case(opts: &EvidenceOptions) -> Result<(), String> {
    if let Some(d) = &opts.case.found_on {
        if !is_date(d) {
            return Err(format!("--found-on {d}: expected a date as YYYY-MM-DD"));
        }
    }
    if opts.listing_urls.len() > opts.suspects.len() {
        return Err(format!(
            "{} --listing-url for {} suspect(s): give at most one per suspect, in the same order",
            opts.listing_urls.len(),
            opts.suspects.len()
        ));
    }
    for u in &opts.listing_urls {
        let lower = u.to_ascii_lowercase();
        let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
            && !u.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(format!(
                "--listing-url {u}: expected an http:// or https:// address"
            ));
        }
    }
    Ok(())
}

/// A calendar date `YYYY-MM-DD` (Gregorian, years 1900–2999).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2999).contains(&y)
        && (1..=days).contains(&d)
        && s.bytes().all(|c| c.is_ascii_digit() || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Lang;

    #[test]
    fn dates_and_urls() {
        for d in ["2026-11-29", "2024-02-29", "2000-02-29"] {
            assert!(is_date(d), "{d}");
        }
        for d in [
            "2026-2-9",
            "2023-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-11-31",
            "29.11.2026",
            "+026-11-29",
        ] {
            assert!(!is_date(d), "{d}");
        }
        let o = |urls: &[&str], n: usize| EvidenceOptions {
            original: "o.jpg".into(),
            suspects: vec!["s.jpg".into(); n],
            authorisation: vec![],
            lang: Lang::En,
            show_gps: false,
            command_line: String::new(),
            created_utc: None,
            limits: Default::default(),
            case: CaseDetails::default(),
            listing_urls: urls.iter().map(|u| u.to_string()).collect(),
        };
        assert!(check_case(&o(&["https://a.example/item/1"], 1)).is_ok());
        assert!(check_case(&o(&["https://a", "https://b"], 1)).is_err());
        assert!(check_case(&o(&["ftp://a"], 1)).is_err());
        assert!(check_case(&o(&["https://a b"], 1)).is_err());
    }
}
