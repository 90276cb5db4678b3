//! Scalar values of a report: counts, fee amounts, dates, editions.
//!
//! Each type deserializes from TOML, JSON and YAML with a plain-words error for
//! every way a value can be wrong (a string where a number belongs, a negative
//! or fractional count, a count above 10^9, …).

use std::fmt;

use serde::Serialize;

/// The largest count a report may state (10^9).
pub const MAX_COUNT: u64 = 1_000_000_000;

/// A non-negative whole number of items (applications, decisions, documents).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Count(pub u64);

impl Count {
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An amount of money in 万元, kept exactly as written (no float rounding).
///
/// 行政事业性收费 · 本年收费金额（单位：万元）.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Amount(String);

impl Amount {
    /// Parses a decimal written as text: digits, optionally a point and more digits.
    pub fn parse(text: &str) -> Option<Amount> {
        let t = text.trim();
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (t, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return None;
        }
        if int.len() > 12 {
            return None;
        }
        Some(Amount(t.to_string()))
    }

    pub fn zero() -> Amount {
        Amount("0".into())
    }

    /// The amount as printed in the table.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many digits follow the decimal point.
    pub fn decimals(&self) -> usize {
        self.0.split_once('.').map_or(0, |(_, f)| f.len())
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar date (成文日期), written "2024-01-20".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl ReportDate {
    pub fn new(year: u16, month: u8, day: u8) -> Option<ReportDate> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days && (1000..=9999).contains(&year)).then_some(ReportDate {
            year,
            month,
            day,
        })
    }

    pub fn parse(text: &str) -> Option<ReportDate> {
        let mut parts = text.trim().splitn(3, '-');
        let y = parts.next()?;
        let m = parts.next()?;
        let d = parts.next()?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return None;
        }
        ReportDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The date as printed under the signature: "2024年1月20日" (Arabic numerals, no padding).
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl fmt::Display for ReportDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for ReportDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The edition of the national format (国办公开办函〔2019〕60号 or 〔2021〕30号).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Edition {
    /// 2019 (试行), for report years 2019 and 2020.
    #[serde(rename = "2019")]
    E2019,
    /// 2021, for report years 2021 and later.
    #[serde(rename = "2021")]
    E2021,
}

impl Edition {
    /// The edition a report year uses when the data does not say.
    pub fn for_year(year: u16) -> Edition {
        if year >= 2021 {
            Edition::E2021
        } else {
            Edition::E2019
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Edition::E2019 => "2019",
            Edition::E2021 => "2021",
        }
    }

    /// Reads "2021" or "2019".
    pub fn parse(text: &str) -> Option<Edition> {
        match text.trim() {
            "2021" => Some(Edition::E2021),
            "2019" => Some(Edition::E2019),
            _ => None,
        }
    }

    /// The other edition.
    pub fn other(self) -> Edition {
        match self {
            Edition::E2019 => Edition::E2021,
            Edition::E2021 => Edition::E2019,
        }
    }

    /// The notice that defines the edition.
    pub fn notice(self) -> &'static str {
        match self {
            Edition::E2019 => "国办公开办函〔2019〕60号",
            Edition::E2021 => "国办公开办函〔2021〕30号",
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The report years nianbao accepts (disclosure reports began in 2008).
pub const YEARS: std::ops::RangeInclusive<u16> = 2008..=2200;

/// A report year (the statistics period).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Year(pub u16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_and_printed_in_chinese() {
        assert_eq!(
            ReportDate::parse("2024-01-20").unwrap().chinese(),
            "2024年1月20日"
        );
        assert!(ReportDate::parse("2024-02-30").is_none());
        assert!(ReportDate::parse("2023-02-29").is_none());
        assert!(ReportDate::parse("2024-02-29").is_some());
        assert!(ReportDate::parse("20240120").is_none());
    }

    #[test]
    fn amounts_keep_their_digits() {
        assert_eq!(Amount::parse("7730.28").unwrap().as_str(), "7730.28");
        assert_eq!(Amount::parse("7730.28").unwrap().decimals(), 2);
        assert!(Amount::parse("-1").is_none());
        assert!(Amount::parse("1e5").is_none());
        assert!(Amount::parse("1.").is_none());
    }
}
