//! The words a spec and its sections share: the period a report covers (as written
//! and as dates), what one report is about, and the time a section spans.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};

/// What one report is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// One organisation.
    Organisation,
    /// One programme.
    Programme,
    /// Everything in the data.
    #[default]
    All,
}

impl SubjectKind {
    /// The record column that identifies a subject.
    pub fn column(self) -> Option<&'static str> {
        match self {
            SubjectKind::Organisation => Some("organisation"),
            SubjectKind::Programme => Some("programme"),
            SubjectKind::All => None,
        }
    }
}

/// The period a spec reports on: a financial year, or dates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// A UK financial year such as "2024-25" (April to March).
    #[serde(default)]
    pub financial_year: Option<String>,
    /// First day.
    #[serde(default)]
    pub from: Option<DateInput>,
    /// Last day.
    #[serde(default)]
    pub to: Option<DateInput>,
    /// How the period is written in the report (default: the financial year, or "from – to").
    #[serde(default)]
    pub label: Option<String>,
}

/// A date written as a TOML date (`2024-04-01`) or as text (`"2024-04-01"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DateInput {
    /// A TOML date.
    Toml(toml::value::Datetime),
    /// A date in text, `YYYY-MM-DD`.
    Text(String),
}

impl DateInput {
    fn date(&self) -> Option<NaiveDate> {
        let text = match self {
            DateInput::Toml(d) => d.to_string(),
            DateInput::Text(s) => s.clone(),
        };
        NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
    }
}

/// The period resolved to dates and a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// How the period is written.
    pub label: String,
    /// The financial year label, when the period is one (targets are keyed by it).
    pub financial_year: Option<String>,
}

impl Period {
    /// The period as dates and a label.
    pub fn window(&self, path: &Path) -> Result<Window> {
        let p = self;
        let bad = |m: String| Error::config(path, format!("period: {m}"));
        if let Some(fy) = &p.financial_year {
            let start: i32 = fy
                .get(..4)
                .and_then(|y| y.parse().ok())
                .filter(|y: &i32| {
                    fy.len() == 7 && fy.as_bytes()[4] == b'-' && fy[5..] == format!("{:02}", (y + 1) % 100)
                })
                .ok_or_else(|| bad(format!("`{fy}` is not a financial year such as 2024-25")))?;
            let from = NaiveDate::from_ymd_opt(start, 4, 1).ok_or_else(|| bad(fy.clone()))?;
            let to = NaiveDate::from_ymd_opt(start + 1, 3, 31).ok_or_else(|| bad(fy.clone()))?;
            return Ok(Window {
                from,
                to,
                label: p.label.clone().unwrap_or_else(|| fy.clone()),
                financial_year: Some(fy.clone()),
            });
        }
        let date = |d: &Option<DateInput>, key: &str| -> Result<Option<NaiveDate>> {
            match d {
                None => Ok(None),
                Some(d) => d.date().map(Some).ok_or_else(|| bad(format!("`{key}` is not a date such as 2024-04-01"))),
            }
        };
        match (date(&p.from, "from")?, date(&p.to, "to")?) {
            (Some(from), Some(to)) if from <= to => Ok(Window {
                from,
                to,
                label: p
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("{} – {}", from.format("%-d %B %Y"), to.format("%-d %B %Y"))),
                financial_year: None,
            }),
            (Some(_), Some(_)) => Err(bad("`from` is after `to`".into())),
            _ => Err(bad("give `financial_year = \"2024-25\"` or both `from` and `to`".into())),
        }
    }
}

/// The time a section covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// The report's period.
    #[default]
    Period,
    /// Every record up to the period's end.
    ToDate,
}

/// What a document says of itself, which its sections read: its title, audience and
/// subject kind, the indicators it describes, and how it treats sections with nothing
/// to show.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// Title on the cover.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Who it is for.
    pub audience: String,
    /// What one document is about.
    pub subject: SubjectKind,
    /// The spec's indicator set.
    pub indicators: Vec<String>,
    /// Leave out chart and table sections the subject has no records for.
    pub omit_empty: bool,
    /// Every indicator the document describes, in order: the spec's, then each
    /// section's not already named.
    pub described: Vec<String>,
}
