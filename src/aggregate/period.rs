//! Period grains and their labels: 2024, 2024-Q2, 2024-05, the UK financial year
//! (April–March) shown as 2024-25, and its quarters (April–June is 2024-25 Q1).

use polars::prelude::*;

/// The length of the periods a date is grouped into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// Calendar year, "2024".
    Year,
    /// Calendar quarter, "2024-Q2".
    Quarter,
    /// Month, "2024-05".
    Month,
    /// UK financial year, April to March, "2024-25".
    FinancialYear,
    /// Quarters of the financial year: Q1 is April–June.
    FinancialQuarter,
}

impl Grain {
    /// Every grain, as offered on the command line.
    pub const ALL: [Grain; 5] =
        [Grain::Year, Grain::Quarter, Grain::Month, Grain::FinancialYear, Grain::FinancialQuarter];

    /// The grain's name, which is also its column in figure tables.
    pub fn name(self) -> &'static str {
        match self {
            Grain::Year => "year",
            Grain::Quarter => "quarter",
            Grain::Month => "month",
            Grain::FinancialYear => "financial_year",
            Grain::FinancialQuarter => "financial_quarter",
        }
    }

    /// The grain with this name, if any.
    pub fn parse(s: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.name() == s)
    }

    /// A whole-number key for the period containing `date`: cheap to group by on
    /// millions of rows; `label_of_key` turns the few keys left into labels.
    pub fn key(self, date: Expr) -> Expr {
        let year = date.clone().dt().year().cast(DataType::Int32);
        match self {
            Grain::Year => year,
            Grain::Quarter => year * lit(10) + date.dt().quarter().cast(DataType::Int32),
            Grain::Month => year * lit(100) + date.dt().month().cast(DataType::Int32),
            Grain::FinancialYear => year - when(date.dt().month().lt(lit(4))).then(lit(1)).otherwise(lit(0)),
            Grain::FinancialQuarter => {
                let month = date.dt().month().cast(DataType::Int32);
                let start = year - when(month.clone().lt(lit(4))).then(lit(1)).otherwise(lit(0));
                // April–June 1, …, January–March 4.
                start * lit(10) + ((month + lit(8)) % lit(12)) / lit(3) + lit(1)
            }
        }
    }

    /// The label for a key made by `key`.
    pub fn label_of_key(self, key: Expr) -> Expr {
        let text = |e: Expr| e.cast(DataType::String);
        match self {
            Grain::Year => text(key),
            Grain::Quarter => concat_str([text(key.clone() / lit(10)), lit("-Q"), text(key % lit(10))], "", true),
            Grain::Month => {
                concat_str([text(key.clone() / lit(100)), lit("-"), text(key % lit(100)).str().zfill(lit(2))], "", true)
            }
            Grain::FinancialYear => {
                let end = ((key.clone() + lit(1)) % lit(100)).cast(DataType::String).str().zfill(lit(2));
                concat_str([text(key), lit("-"), end], "", true)
            }
            Grain::FinancialQuarter => {
                let start = key.clone() / lit(10);
                let end = ((start.clone() + lit(1)) % lit(100)).cast(DataType::String).str().zfill(lit(2));
                concat_str([text(start), lit("-"), end, lit(" Q"), text(key % lit(10))], "", true)
            }
        }
    }

    /// The label of the period containing `date` (a Date expression), as text.
    pub fn label(self, date: Expr) -> Expr {
        let year = date.clone().dt().year();
        match self {
            Grain::Year => year.cast(DataType::String),
            Grain::Month => date.dt().to_string("%Y-%m"),
            Grain::Quarter => concat_str(
                [year.cast(DataType::String), lit("-Q"), date.dt().quarter().cast(DataType::String)],
                "",
                true,
            ),
            Grain::FinancialYear => {
                // April starts the year: Jan–Mar belong to the year that began the April before.
                let start = year.clone() - when(date.dt().month().lt(lit(4))).then(lit(1)).otherwise(lit(0));
                let end = ((start.clone() + lit(1)) % lit(100)).cast(DataType::String).str().zfill(lit(2));
                concat_str([start.cast(DataType::String), lit("-"), end], "", true)
            }
            Grain::FinancialQuarter => Grain::FinancialQuarter.label_of_key(Grain::FinancialQuarter.key(date)),
        }
    }
}

impl Grain {
    /// The first and last day of the period a label names ("2024-25 Q1": 1 April to
    /// 30 June 2024), when it is one of this grain's labels.
    pub fn days(self, label: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        use chrono::{Months, NaiveDate};
        let (start_year, start_month, months) = match self {
            Grain::Year => (label.parse::<i32>().ok()?, 1, 12),
            Grain::Quarter => {
                let (y, q) = label.split_once("-Q")?;
                let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
                (y.parse().ok()?, 3 * q - 2, 3)
            }
            Grain::Month => {
                let (y, m) = label.split_once('-')?;
                (y.parse().ok()?, m.parse().ok().filter(|m| (1..=12).contains(m))?, 1)
            }
            Grain::FinancialYear => (label.split_once('-')?.0.parse().ok()?, 4, 12),
            Grain::FinancialQuarter => {
                let (fy, q) = label.split_once(" Q")?;
                let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
                let y: i32 = fy.split_once('-')?.0.parse().ok()?;
                // Q1 is April–June; Q4 is January–March of the next calendar year.
                if q == 4 {
                    (y + 1, 1, 3)
                } else {
                    (y, 3 * q + 1, 3)
                }
            }
        };
        let from = NaiveDate::from_ymd_opt(start_year, start_month, 1)?;
        let to = from.checked_add_months(Months::new(months))?.pred_opt()?;
        Some((from, to))
    }
}

impl Grain {
    /// Whether `label` is one of this grain's labels, as `label_of_key` writes them
    /// ("2024-25" is a financial year, not a month; "2024-05" a month, not a year).
    pub fn is_label(self, label: &str) -> bool {
        let financial_year = |fy: &str| {
            fy.split_once('-').is_some_and(|(start, end)| {
                start.len() == 4
                    && end.len() == 2
                    && start.parse::<i32>().is_ok_and(|y| end.parse::<i32>().is_ok_and(|e| e == (y + 1) % 100))
            })
        };
        let well_formed = match self {
            Grain::Year => label.len() == 4,
            Grain::Quarter => label.len() == 7,
            Grain::Month => label.len() == 7 && !label.contains('Q'),
            Grain::FinancialYear => financial_year(label),
            Grain::FinancialQuarter => label.split_once(" Q").is_some_and(|(fy, _)| financial_year(fy)),
        };
        well_formed && self.days(label).is_some()
    }
}

/// The label of the financial year containing a date, for Rust-side use.
pub fn financial_year_of(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let start = if date.month() < 4 { date.year() - 1 } else { date.year() };
    format!("{start}-{:02}", (start + 1) % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn labels(grain: Grain, dates: &[(i32, u32, u32)]) -> Vec<String> {
        let days: Vec<i32> = dates
            .iter()
            .map(|&(y, m, d)| crate::data::parse::epoch_days(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
            .collect();
        let df = df!("d" => days).unwrap();
        let out = df.lazy().select([grain.label(col("d").cast(DataType::Date)).alias("p")]).collect().unwrap();
        out.column("p").unwrap().str().unwrap().iter().map(|s| s.unwrap().to_string()).collect()
    }

    #[test]
    fn financial_year_turns_in_april() {
        let got = labels(Grain::FinancialYear, &[(2024, 3, 31), (2024, 4, 1), (2025, 1, 15), (1999, 6, 1)]);
        assert_eq!(got, ["2023-24", "2024-25", "2024-25", "1999-00"]);
        assert_eq!(financial_year_of(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()), "2024-25");
    }

    #[test]
    fn keys_give_the_same_labels() {
        let dates = [(2024, 3, 31), (2024, 4, 1), (2025, 1, 15), (1999, 6, 1), (2024, 12, 31)];
        for g in Grain::ALL {
            let days: Vec<i32> = dates
                .iter()
                .map(|&(y, m, d)| crate::data::parse::epoch_days(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
                .collect();
            let df = df!("d" => days).unwrap();
            let out =
                df.lazy().select([g.label_of_key(g.key(col("d").cast(DataType::Date))).alias("p")]).collect().unwrap();
            let via_key: Vec<String> =
                out.column("p").unwrap().str().unwrap().iter().map(|s| s.unwrap().to_string()).collect();
            assert_eq!(via_key, labels(g, &dates), "{g:?}");
        }
    }

    #[test]
    fn labels_name_their_days() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(Grain::FinancialYear.days("2024-25"), Some((d(2024, 4, 1), d(2025, 3, 31))));
        assert_eq!(Grain::FinancialQuarter.days("2024-25 Q4"), Some((d(2025, 1, 1), d(2025, 3, 31))));
        assert_eq!(Grain::FinancialQuarter.days("2024-25 Q1"), Grain::Quarter.days("2024-Q2"));
        assert_eq!(Grain::Month.days("2024-02"), Some((d(2024, 2, 1), d(2024, 2, 29))));
        assert_eq!(Grain::Year.days("2024"), Some((d(2024, 1, 1), d(2024, 12, 31))));
        assert_eq!(Grain::Quarter.days("2024-Q5"), None);
    }

    #[test]
    fn each_grain_knows_its_own_labels() {
        let all = ["2024", "2024-Q2", "2024-05", "2024-25", "2024-25 Q1"];
        for (grain, own) in [
            (Grain::Year, "2024"),
            (Grain::Quarter, "2024-Q2"),
            (Grain::Month, "2024-05"),
            (Grain::FinancialYear, "2024-25"),
            (Grain::FinancialQuarter, "2024-25 Q1"),
        ] {
            for label in all {
                assert_eq!(grain.is_label(label), label == own, "{grain:?} {label}");
            }
        }
        assert!(!Grain::FinancialYear.is_label("2024-26"));
        assert!(Grain::FinancialYear.is_label("1999-00"));
    }

    #[test]
    fn quarter_month_year_labels() {
        assert_eq!(
            labels(Grain::Quarter, &[(2024, 1, 1), (2024, 6, 30), (2024, 12, 31)]),
            ["2024-Q1", "2024-Q2", "2024-Q4"]
        );
        assert_eq!(labels(Grain::Month, &[(2024, 2, 29)]), ["2024-02"]);
        assert_eq!(labels(Grain::Year, &[(2024, 2, 29)]), ["2024"]);
    }

    #[test]
    fn financial_quarters_start_in_april() {
        let got = labels(
            Grain::FinancialQuarter,
            &[(2024, 4, 1), (2024, 6, 30), (2024, 7, 1), (2024, 12, 31), (2025, 1, 1), (2025, 3, 31), (2009, 10, 5)],
        );
        assert_eq!(
            got,
            ["2024-25 Q1", "2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4", "2024-25 Q4", "2009-10 Q3"]
        );
    }
}
