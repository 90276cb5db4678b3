//! Scalar values of a report: counts, fee amounts, dates, editions.
//!
//! Each type deserializes from TOML, JSON and YAML with a plain-words error for
//! every way a value can be wrong (a string where a number belongs, a negative
//! or fractional count, a count above 10^9, …).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::load::{MARK_BAD_NUMBER, MARK_BLANK};

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

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;

        impl<'de> Visitor<'de> for CountVisitor {
            type Value = Count;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a whole number from 0 to {MAX_COUNT}")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                if v > MAX_COUNT {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}the count {v} is larger than the largest allowed count, {MAX_COUNT}"
                    )));
                }
                Ok(Count(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                if v < 0 {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}a count cannot be negative, found {v}; write 0 where there is nothing"
                    )));
                }
                self.visit_u64(v as u64)
            }

            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Count, E> {
                self.visit_u64(u64::try_from(v).unwrap_or(u64::MAX))
            }

            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Count, E> {
                if v < 0 {
                    return self.visit_i64(-1);
                }
                self.visit_u128(v as u128)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Count, E> {
                if !v.is_finite() {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}a count must be a whole number, found {v}"
                    )));
                }
                if v.fract() != 0.0 {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}a count must be a whole number, found the fraction {v}"
                    )));
                }
                if v < 0.0 {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}a count cannot be negative, found {v}; write 0 where there is nothing"
                    )));
                }
                if v > MAX_COUNT as f64 {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}the count {v} is larger than the largest allowed count, {MAX_COUNT}"
                    )));
                }
                Ok(Count(v as u64))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Count, E> {
                Err(E::custom(format_args!(
                    "{MARK_BAD_NUMBER}a count must be written as a number, not as the text \"{v}\""
                )))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Count, E> {
                Err(E::custom(format_args!(
                    "a count must be a number, found the boolean {v}"
                )))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Count, E> {
                Err(E::custom(format_args!("{MARK_BLANK}a count must be a number, found an empty value (blank is not zero: write 0)")))
            }
        }

        deserializer.deserialize_any(CountVisitor)
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

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;

        impl<'de> Visitor<'de> for AmountVisitor {
            type Value = Amount;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount in 万元 such as 0, 12 or 7730.28")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Amount::parse(&v.to_string())
                    .ok_or_else(|| E::custom(format_args!("the amount {v} is too large")))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                if v < 0 {
                    return Err(E::custom(format_args!(
                        "{MARK_BAD_NUMBER}an amount cannot be negative, found {v}"
                    )));
                }
                self.visit_u64(v as u64)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                if !v.is_finite() || v < 0.0 {
                    return Err(E::custom(format_args!(
                        "an amount must be a number of 万元 ≥ 0, found {v}"
                    )));
                }
                // Rust prints the shortest text that reads back as the same
                // number, which is what the author wrote (less trailing zeros).
                Amount::parse(&format!("{v}"))
                    .ok_or_else(|| E::custom(format_args!("the amount {v} is too large")))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse(v).ok_or_else(|| {
                    E::custom(format_args!(
                        "\"{v}\" is not an amount: write digits with an optional decimal point, such as 7730.28"
                    ))
                })
            }

            fn visit_unit<E: de::Error>(self) -> Result<Amount, E> {
                Err(E::custom(format_args!("{MARK_BLANK}an amount must be a number, found an empty value (blank is not zero: write 0)")))
            }
        }

        deserializer.deserialize_any(AmountVisitor)
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

impl<'de> Deserialize<'de> for ReportDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;

        impl<'de> Visitor<'de> for DateVisitor {
            type Value = ReportDate;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date written as YYYY-MM-DD, such as \"2024-01-20\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<ReportDate, E> {
                ReportDate::parse(v).ok_or_else(|| {
                    E::custom(format_args!(
                        "\"{v}\" is not a date: write it as YYYY-MM-DD, such as \"2024-01-20\""
                    ))
                })
            }

            // TOML's native dates (`date = 2024-01-20`) arrive as a one-entry map.
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<ReportDate, A::Error> {
                let mut text: Option<String> = None;
                while let Some((_, v)) = map.next_entry::<String, toml::value::Datetime>()? {
                    text = Some(v.to_string());
                }
                let text = text.ok_or_else(|| de::Error::custom("expected a date"))?;
                self.visit_str(&text)
            }
        }

        deserializer.deserialize_any(DateVisitor)
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

impl<'de> Deserialize<'de> for Edition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EditionVisitor;

        impl<'de> Visitor<'de> for EditionVisitor {
            type Value = Edition;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"2021\" or \"2019\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Edition, E> {
                match v.trim() {
                    "2021" => Ok(Edition::E2021),
                    "2019" => Ok(Edition::E2019),
                    _ => Err(E::custom(format_args!(
                        "unknown edition \"{v}\": the national format has the editions \"2021\" and \"2019\""
                    ))),
                }
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Edition, E> {
                self.visit_str(&v.to_string())
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Edition, E> {
                self.visit_str(&v.to_string())
            }
        }

        deserializer.deserialize_any(EditionVisitor)
    }
}

/// A report year (the statistics period).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Year(pub u16);

impl<'de> Deserialize<'de> for Year {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct YearVisitor;

        impl<'de> Visitor<'de> for YearVisitor {
            type Value = Year;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a report year such as 2023")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Year, E> {
                if (2008..=2200).contains(&v) {
                    Ok(Year(v as u16))
                } else {
                    Err(E::custom(format_args!(
                        "{v} is not a plausible report year (disclosure reports began in 2008)"
                    )))
                }
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Year, E> {
                self.visit_u64(v.max(0) as u64)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Year, E> {
                if v.fract() == 0.0 && v >= 0.0 {
                    self.visit_u64(v as u64)
                } else {
                    Err(E::custom(format_args!(
                        "a year must be a whole number, found {v}"
                    )))
                }
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Year, E> {
                Err(E::custom(format_args!(
                    "a year must be written as a number, not as the text \"{v}\""
                )))
            }
        }

        deserializer.deserialize_any(YearVisitor)
    }
}

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

    #[test]
    fn counts_reject_bad_numbers() {
        let c: Result<Count, _> = serde_json::from_str("-1");
        assert!(c.unwrap_err().to_string().contains("negative"));
        let c: Result<Count, _> = serde_json::from_str("1.5");
        assert!(c.unwrap_err().to_string().contains("fraction"));
        let c: Result<Count, _> = serde_json::from_str("1000000001");
        assert!(c.unwrap_err().to_string().contains("larger"));
        let c: Result<Count, _> = serde_json::from_str("\"3\"");
        assert!(c.unwrap_err().to_string().contains("text"));
        let c: Count = serde_json::from_str("3.0").unwrap();
        assert_eq!(c, Count(3));
    }
}
