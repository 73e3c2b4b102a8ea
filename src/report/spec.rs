//! Report specs (`reports/*.toml`): what a report covers and its sections, in order.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

pub use crate::compare::Per;

use crate::aggregate::{Dimension, Grain, Unit, RECORD_DIMS};
use crate::error::{Error, Result};
use crate::indicator::Library;

/// A report spec: who a report is for, what period, and its sections in order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Title on the cover.
    pub title: String,
    /// Line under the title.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Who it is for ("Board of trustees"): printed on the cover.
    pub audience: String,
    /// What one report is about; `--each` renders one per subject.
    #[serde(default)]
    pub subject: SubjectKind,
    /// The period reported on.
    pub period: Period,
    /// The indicator set: the methodology appendix describes these.
    pub indicators: Vec<String>,
    /// Printed on the cover.
    #[serde(default)]
    pub author: Option<String>,
    /// Leave out a chart or table section the subject has no records for, instead of
    /// printing its title over "No records" (one spec then fits subjects that record
    /// different outcomes).
    #[serde(default)]
    pub omit_empty: bool,
    /// The year whose prices the document's values are in, when neither the command
    /// line (`--report-year`) nor the assumptions (`report_year`) say.
    #[serde(default)]
    pub report_year: Option<i32>,
    /// Sections, in order (`[[section]]` tables).
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    /// The file the spec was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

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

/// One section of a report.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Section {
    /// Headline figures as tiles.
    Kpis {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
        /// Indicators shown, in order.
        indicators: Vec<String>,
        /// Show only the listed indicators the subject has records for, in the listed
        /// order, so one spec fits subjects that record different outcomes.
        #[serde(default)]
        only_recorded: bool,
        /// At most this many tiles (with `only_recorded`: the first recorded ones).
        #[serde(default)]
        max: Option<usize>,
    },
    /// Narrative with placeholders such as `{jobs_created.total}`.
    Text {
        /// Heading (None: no heading).
        #[serde(default)]
        title: Option<String>,
        /// The text, with placeholders.
        text: String,
    },
    /// A chart of one or more indicators.
    Chart {
        /// Heading.
        title: String,
        /// The kind of chart.
        chart: ChartType,
        /// One indicator (bar, stacked_bar) …
        #[serde(default)]
        indicator: Option<String>,
        /// … or several (line, target_vs_actual).
        #[serde(default)]
        indicators: Vec<String>,
        /// Categories: a dimension such as programme, area, financial_year, quarter.
        #[serde(default)]
        by: Option<String>,
        /// stacked_bar: the dimension that splits each bar (e.g. beneficiary_group).
        #[serde(default)]
        stack: Option<String>,
        /// "period" (default) or "to_date": every record up to the period's end.
        #[serde(default)]
        span: Span,
        /// Line under the chart.
        #[serde(default)]
        caption: Option<String>,
    },
    /// A table of indicators by dimensions.
    Table {
        /// Heading.
        title: String,
        /// Row dimensions (empty: one row per indicator).
        #[serde(default)]
        by: Vec<String>,
        /// Indicators, one column each.
        indicators: Vec<String>,
    },
    /// Records, rejections and completeness of fields.
    DataQuality {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
    },
    /// How each indicator is measured and valued.
    Methodology {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
    },
    /// Present value, investment, SROI ratio, NPV and payback (needs --programmes or
    /// `[investment]` in --assumptions for the ratio).
    SocialValue {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
    },
    /// The SROI impact map: stakeholder, outcome, quantity, proxy, adjustments, value.
    ImpactMap {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
    },
    /// Sensitivity of the SROI ratio to each assumption, as a tornado chart.
    Tornado {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
    },
    /// Community Benefit Clause commitments against delivery (needs --commitments).
    Commitments {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
    },
    /// Peers ranked on an indicator per £10k invested or per participant: a ranked
    /// bar chart and a table with cost per outcome, priority reach, rank and quartile.
    Ranking {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
        /// The indicator peers are ranked on.
        indicator: String,
        /// Per £10k invested or per participant.
        #[serde(default)]
        per: Per,
        /// The peers: `organisation` or `programme`.
        #[serde(default = "programmes")]
        by: Unit,
    },
    /// Cost per outcome for each peer, as a dot plot (cheapest first).
    CostPerOutcome {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
        /// The outcome costed.
        indicator: String,
        /// The peers: `organisation` or `programme`.
        #[serde(default = "programmes")]
        by: Unit,
    },
    /// One small trend chart per peer, all on the same scale.
    SmallMultiples {
        /// Heading (None: the section's default).
        #[serde(default)]
        title: Option<String>,
        /// The indicator charted.
        indicator: String,
        /// The peers: `organisation` or `programme`.
        #[serde(default = "programme")]
        by: String,
        /// The period of each point: `month`, `quarter`, `financial_year` or `year`.
        #[serde(default = "quarter")]
        grain: String,
        /// The report's period, or everything up to its end.
        #[serde(default)]
        span: Span,
    },
    /// Start a new page.
    PageBreak,
}

fn programme() -> String {
    "programme".into()
}

fn programmes() -> Unit {
    Unit::Programme
}

fn quarter() -> String {
    "quarter".into()
}

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartType {
    /// One bar per category.
    Bar,
    /// One bar per category, split by a second dimension.
    StackedBar,
    /// Indicators over periods.
    Line,
    /// Actual against target per period.
    TargetVsActual,
}

impl ChartType {
    /// The categories of a chart whose spec names no `by` (one place, read by the
    /// figures a chart needs and by the chart itself).
    pub fn default_by(self) -> &'static str {
        match self {
            ChartType::Line => "quarter",
            ChartType::TargetVsActual => "financial_year",
            ChartType::Bar | ChartType::StackedBar => "programme",
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

/// Fields a placeholder may ask of an indicator: `{id.total}` etc.
pub const PLACEHOLDER_FIELDS: [&str; 5] = ["total", "records", "target", "pct_of_target", "vs_target"];
/// Placeholders that are not indicators.
pub const PLACEHOLDER_WORDS: [&str; 4] = ["subject", "period", "audience", "title"];

impl Spec {
    /// Reads a spec (TOML) and checks its indicators, dimensions and placeholders against the library.
    pub fn load(path: &Path, library: &Library) -> Result<Spec> {
        let text = crate::builtin::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut spec: Spec = toml::from_str(&text).map_err(|e| section_error(path, &e))?;
        spec.path = path.to_path_buf();
        spec.check(library)?;
        Ok(spec)
    }

    fn check(&self, library: &Library) -> Result<()> {
        let path = &self.path;
        let unknown = |id: &str, place: String| {
            let err = Error::config(path, format!("{place}: unknown indicator `{id}`"));
            match library.nearest(id) {
                Some(n) => err.with_hint(format!("did you mean `{n}`?")),
                None => err.with_hint("`impact indicators list` shows every id"),
            }
        };
        for id in &self.indicators {
            library.get(id).ok_or_else(|| unknown(id, "indicators".into()))?;
        }
        self.window()?;
        if self.sections.is_empty() {
            return Err(Error::config(path, "the spec has no [[section]]"));
        }
        for (n, section) in self.sections.iter().enumerate() {
            let place = format!("section {} ({})", n + 1, section.kind_name());
            for id in section.indicator_ids() {
                library.get(id).ok_or_else(|| unknown(id, place.clone()))?;
            }
            match section {
                Section::Text { text, .. } => {
                    check_placeholders(text, library).map_err(|m| Error::config(path, format!("{place}: {m}")))?
                }
                Section::Chart { chart, indicator, indicators, by, stack, .. } => {
                    let needs_one = matches!(chart, ChartType::Bar | ChartType::StackedBar);
                    if needs_one && indicator.is_none() {
                        return Err(Error::config(path, format!("{place}: this chart needs `indicator = \"…\"`")));
                    }
                    if !needs_one && indicators.is_empty() && indicator.is_none() {
                        return Err(Error::config(path, format!("{place}: this chart needs `indicators = [\"…\"]`")));
                    }
                    for d in by.iter().chain(stack) {
                        Dimension::parse_list(d).map_err(|e| Error::config(path, format!("{place}: {e}")))?;
                    }
                    // Every indicator of a chart stands on one axis: their units must
                    // agree (whole-number counts of things, people and jobs, may share it).
                    let on_axis: Vec<&crate::indicator::Indicator> =
                        indicator.iter().chain(indicators).filter_map(|id| library.get(id)).collect();
                    let counts = |i: &crate::indicator::Indicator| {
                        i.integer
                            || matches!(
                                i.aggregation,
                                crate::indicator::Aggregation::Count | crate::indicator::Aggregation::Distinct
                            )
                    };
                    if let Some(first) = on_axis.first() {
                        if let Some(other) =
                            on_axis.iter().find(|i| i.unit != first.unit && !(counts(first) && counts(i)))
                        {
                            return Err(Error::config(
                                path,
                                format!(
                                    "{place}: `{}` is in {} and `{}` in {}, which cannot share one axis",
                                    first.id, first.unit, other.id, other.unit
                                ),
                            )
                            .with_hint("give each unit its own chart section"));
                        }
                    }
                    if *chart == ChartType::StackedBar && stack.is_none() {
                        return Err(Error::config(
                            path,
                            format!("{place}: a stacked_bar needs `stack`, e.g. \"beneficiary_group\""),
                        ));
                    }
                }
                Section::Table { by, .. } => {
                    Dimension::parse_list(&by.join(",")).map_err(|e| Error::config(path, format!("{place}: {e}")))?;
                }
                Section::SmallMultiples { by, grain, .. } => {
                    for d in [by, grain] {
                        Dimension::parse_list(d).map_err(|e| Error::config(path, format!("{place}: {e}")))?;
                    }
                    if crate::aggregate::Grain::parse(grain).is_none() {
                        return Err(Error::config(
                            path,
                            format!("{place}: `grain` is year, quarter, month, financial_year or financial_quarter"),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The period as dates and a label.
    pub fn window(&self) -> Result<Window> {
        let p = &self.period;
        let bad = |m: String| Error::config(&self.path, format!("period: {m}"));
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

impl Section {
    /// The section's kind as written in a spec (`kpis`, `chart`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Section::Kpis { .. } => "kpis",
            Section::Text { .. } => "text",
            Section::Chart { .. } => "chart",
            Section::Table { .. } => "table",
            Section::DataQuality { .. } => "data_quality",
            Section::Methodology { .. } => "methodology",
            Section::SocialValue { .. } => "social_value",
            Section::ImpactMap { .. } => "impact_map",
            Section::Tornado { .. } => "tornado",
            Section::Commitments { .. } => "commitments",
            Section::Ranking { .. } => "ranking",
            Section::CostPerOutcome { .. } => "cost_per_outcome",
            Section::SmallMultiples { .. } => "small_multiples",
            Section::PageBreak => "page_break",
        }
    }

    /// The indicators the section uses.
    pub fn indicator_ids(&self) -> Vec<&str> {
        match self {
            Section::Kpis { indicators, .. } | Section::Table { indicators, .. } => {
                indicators.iter().map(String::as_str).collect()
            }
            Section::Chart { indicator, indicators, .. } => {
                indicator.iter().chain(indicators).map(String::as_str).collect()
            }
            Section::Ranking { indicator, .. }
            | Section::CostPerOutcome { indicator, .. }
            | Section::SmallMultiples { indicator, .. } => {
                vec![indicator.as_str()]
            }
            Section::Text { text, .. } => {
                placeholders(text).into_iter().filter_map(|p| p.split_once('.').map(|(id, _)| id)).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// `{a.b}` and `{word}` placeholders in a text.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push(rest[open + 1..open + close].trim());
        rest = &rest[open + close + 1..];
    }
    out
}

fn check_placeholders(text: &str, library: &Library) -> std::result::Result<(), String> {
    for p in placeholders(text) {
        match p.split_once('.') {
            None if PLACEHOLDER_WORDS.contains(&p) => {}
            None => return Err(format!("unknown placeholder `{{{p}}}`; use {{subject}}, {{period}}, {{audience}}, {{title}} or {{indicator.total}}")),
            Some((id, field)) => {
                if library.get(id).is_none() {
                    let near = library.nearest(id).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                    return Err(format!("placeholder `{{{p}}}`: unknown indicator `{id}`{near}"));
                }
                if !PLACEHOLDER_FIELDS.contains(&field) {
                    return Err(format!("placeholder `{{{p}}}`: `{field}` is not one of {}", PLACEHOLDER_FIELDS.join(", ")));
                }
            }
        }
    }
    Ok(())
}

/// TOML errors, with a hint for a misspelt section kind.
fn section_error(path: &Path, e: &toml::de::Error) -> Error {
    let err = crate::indicator::library::toml_error(path, e);
    let msg = e.message();
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some((word, expected)) = rest.split_once('`') {
            let choices: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            if let Some(n) = crate::suggest::nearest(word, choices.iter().copied()) {
                return err.with_hint(format!("did you mean `{n}`? kinds: {}", choices.join(", ")));
            }
            return err.with_hint("see \"Report specs\" in the README for what each kind does");
        }
    }
    err
}

/// Parse a dimension name used in a spec (checked at load).
pub fn dimension(name: &str) -> Dimension {
    if let Some(g) = Grain::parse(name) {
        return Dimension::Period(g);
    }
    RECORD_DIMS.iter().find(|d| **d == name).map_or(Dimension::Field("organisation"), |d| Dimension::Field(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders("In {period}, {jobs_created.total} jobs {x"), vec!["period", "jobs_created.total"]);
    }
}
