//! What an indicator is: its unit, how it rolls up, its range and its proxy.

use serde::{Deserialize, Serialize};

/// How values combine across organisations (and, for flows, across everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Add the values.
    Sum,
    /// Count the records (the value is ignored).
    Count,
    /// Count distinct participant ids: a person helped twice counts once.
    Distinct,
    /// Mean of the values.
    Mean,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// numerator ÷ denominator × scale, recomputed from the summed parts.
    Ratio,
    /// A follow-up rate: of the participants with a `cohort` event in the period, the
    /// share with an `outcome` event within `within_days` of it (× scale).
    Cohort,
}

/// How values combine across periods. `sum` is a flow (jobs created); the others
/// treat the value as a stock snapshot (people currently in work), taken per
/// reporting unit (organisation × programme) and then combined across units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeAggregation {
    /// A flow: periods add up.
    Sum,
    /// A stock: the latest snapshot.
    Last,
    /// A stock: the mean of the snapshots.
    Mean,
    /// A stock: the lowest snapshot.
    Min,
    /// A stock: the highest snapshot.
    Max,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better.
    Higher,
    /// Less is better.
    Lower,
}

/// Codes in public frameworks. Only codes that exist in the framework are filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frameworks {
    /// National TOMs (Social Value Portal) measure, e.g. "NT1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toms: Option<String>,
    /// IRIS+ metric id, e.g. "PI3687".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iris: Option<String>,
    /// UN SDG target, e.g. "8.5".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdg: Option<String>,
}

/// A financial proxy: the value of one unit of the outcome, with the SROI
/// adjustments that apply by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    /// Value per unit of outcome.
    pub value: f64,
    /// Currency of the value ("GBP").
    pub currency: String,
    /// The year whose prices the value is in.
    pub price_year: i32,
    /// Where the value comes from.
    pub source: String,
    /// The terms the value may be used and shared under (e.g. "Open Government
    /// Licence v3.0"); printed beside the source in reports' methodology appendix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// Where the value is published (a web address or a document reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When the value was taken from the source (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<String>,
    /// Share that would have happened anyway (0–1).
    #[serde(default)]
    pub deadweight: f64,
    /// Share due to others (0–1).
    #[serde(default)]
    pub attribution: f64,
    /// Share that displaced outcomes elsewhere (0–1).
    #[serde(default)]
    pub displacement: f64,
    /// Share of the outcome lost each year after the first (0–1).
    #[serde(default)]
    pub drop_off: f64,
    /// Years the outcome lasts.
    #[serde(default = "one")]
    pub duration_years: u32,
    /// The year the value starts (the SROI impact map's "period outcomes start"):
    /// 1, the default, is the first year after the activity, discounted once; 0 is
    /// the year of the activity itself, not discounted (Green Book Table 2's year 0);
    /// 2 or later for an outcome that takes time to show.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub start_year: u32,
    /// A rate of this outcome's own, in place of the assumptions' (the Green Book's
    /// 1.5% for health and wellbeing values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_rate: Option<f64>,
    /// The lowest and highest credible values, in the same currency and price year:
    /// the sensitivity range of `value` uses them in place of the multipliers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// Highest credible value per unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// A negative outcome (a dis-benefit): its value is taken off the total.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disbenefit: bool,
    /// Where the default deadweight, attribution, displacement and drop-off come
    /// from, or that they are a starting assumption to set from evidence (printed
    /// with the proxy; required where deadweight and attribution are both 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustments: Option<String>,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// A standard indicator: what is measured, in what unit, how it adds up and what it is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable id used in records.
    pub id: String,
    /// Name in reports.
    pub name: String,
    /// Theme it belongs to (employment, environment, …).
    pub theme: String,
    /// Unit of the value ("people", "GBP", "tonnes").
    pub unit: String,
    /// How values combine across records and units.
    pub aggregation: Aggregation,
    /// How values combine across periods (None: like `aggregation`, a flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub across_time: Option<TimeAggregation>,
    /// Which way is better.
    pub direction: Direction,
    /// What it measures, for the methodology appendix.
    pub description: String,
    /// Lowest allowed value of one record (e.g. 0 for counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest allowed value of one record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Values must be whole numbers (people, jobs, places).
    #[serde(default)]
    pub integer: bool,
    /// The value counts people: published outputs suppress small numbers of it.
    #[serde(default)]
    pub counts_people: bool,
    /// Typical value of one record, [low, high]: used by the synthetic data generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical: Option<[f64; 2]>,
    /// A ratio's numerator indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    /// A ratio's denominator indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// Multiplier for ratios (100 for a percentage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Ratios: a group with a denominator but no numerator records reads 0 (e.g. no
    /// reconviction recorded means none happened). Otherwise it is "not recorded":
    /// missing records are not zero.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing_numerator_is_zero: bool,
    /// Cohort indicators: the event that puts a participant in the cohort (a job start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// Cohort indicators: the follow-up event that counts as achieved (still in work
    /// at 26 weeks), for the same participant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Cohort indicators: days after the cohort event within which the outcome counts.
    /// A member whose window has not closed by the data's latest date is "not yet due".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    /// A sub-count of another indicator (jobs for long-term unemployed people are some
    /// of the jobs created): its figure can not exceed that one's for the same group,
    /// and `validate` warns where it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Codes in outcome frameworks (National Performance Framework, TOMs, …).
    #[serde(default)]
    pub frameworks: Frameworks,
    /// Financial proxy, for social value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
    /// The causal chain this outcome is a step of, for the same people (job start →
    /// job sustained → benefit claim ended are steps of "into_work"): a social value
    /// that adds more than one step of a chain warns of double counting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// In a folder added to the standard library (`--add-indicators`): this definition
    /// takes the place of the standard one with the same id, on purpose. Without it, a
    /// repeated id is an error naming both files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaces: bool,
    /// Who experiences the outcome (for the SROI impact map), e.g. "participants".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stakeholder: Option<String>,
    /// For a quantity that is not itself a count of people (WELLBYs, hours): the
    /// indicator counting the people it rests on. A valuation prints that count
    /// beside the value, so £1.7m of wellbeing is read beside the 25 people behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<String>,
}

/// What became of a cohort's members. Each part is published as a count of people
/// under the cohort indicator's id with the part's suffix (`jobs_sustained_26w_rate.pending`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CohortPart {
    /// The window has closed, and the outcome came within it.
    Achieved,
    /// The window has closed without the outcome.
    NotAchieved,
    /// The window had not closed by the data's latest date: not yet due (whether or
    /// not the outcome has come yet, so that the rate is not lifted by early successes).
    Pending,
}

/// The parts in the order they are published, with their id suffixes.
pub const COHORT_PARTS: [(CohortPart, &str); 3] = [
    (CohortPart::Achieved, ".achieved"),
    (CohortPart::NotAchieved, ".not_achieved"),
    (CohortPart::Pending, ".pending"),
];

/// The roll-up rule of an indicator, resolved from `aggregation` + `across_time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollUp {
    /// One pass over records: sum, count, mean, min or max of the values.
    Flow(Aggregation),
    /// Snapshot per unit per date; `time` across dates, then `units` across units.
    Stock {
        /// How snapshots combine across dates.
        time: TimeAggregation,
        /// How the results combine across units.
        units: Aggregation,
    },
    /// Distinct participants.
    Distinct,
    /// Numerator ÷ denominator, recomputed from summed parts.
    Ratio,
    /// Follow-up rate of a cohort, from participants linked across records.
    Cohort,
}

impl Indicator {
    /// An outcome counted or summed (not a ratio or a stock) that has no financial
    /// proxy: reports and `value` say it was recorded but not valued.
    pub fn is_unvalued_outcome(&self) -> bool {
        self.proxy.is_none() && matches!(self.roll_up(), RollUp::Flow(_) | RollUp::Distinct)
    }

    /// The indicator's roll-up rule.
    pub fn roll_up(&self) -> RollUp {
        match (self.aggregation, self.across_time) {
            (Aggregation::Distinct, _) => RollUp::Distinct,
            (Aggregation::Ratio, _) => RollUp::Ratio,
            (Aggregation::Cohort, _) => RollUp::Cohort,
            (agg, None | Some(TimeAggregation::Sum)) => RollUp::Flow(agg),
            (agg, Some(time)) => RollUp::Stock { time, units: agg },
        }
    }

    /// Plain-English statement of the roll-up, for `indicators show` and the methodology appendix.
    pub fn roll_up_text(&self) -> String {
        match self.roll_up() {
            RollUp::Flow(Aggregation::Count) => "number of records, added up across organisations and periods".into(),
            RollUp::Flow(Aggregation::Sum) => "added up across organisations and periods".into(),
            RollUp::Flow(agg) => format!("{} of all records", agg_word(agg)),
            RollUp::Stock { time, units } => format!(
                "a stock: per organisation and programme the {} snapshot across periods, then {} across organisations",
                time_word(time),
                agg_word(units)
            ),
            RollUp::Distinct => "distinct participants (a person counted once however many records)".into(),
            RollUp::Ratio => format!(
                "{} ÷ {}{}, recomputed from the summed parts (never averaged)",
                self.numerator.as_deref().unwrap_or("?"),
                self.denominator.as_deref().unwrap_or("?"),
                match self.scale {
                    Some(s) if s != 1.0 => format!(" × {s}"),
                    _ => String::new(),
                }
            ),
            RollUp::Cohort => format!(
                "a cohort rate: of the participants with {} in the period, the share with {} within {} days \
                 of it (followed by participant id, past the period's end; people whose {} days have not \
                 passed by the latest date in the data are not yet due and are left out of the rate)",
                self.cohort.as_deref().unwrap_or("?"),
                self.outcome.as_deref().unwrap_or("?"),
                self.within_days.unwrap_or(0),
                self.within_days.unwrap_or(0),
            ),
        }
    }

    /// A cohort indicator's published parts: (figure id, part).
    pub fn cohort_parts(&self) -> Vec<(String, CohortPart)> {
        if self.roll_up() != RollUp::Cohort {
            return Vec::new();
        }
        COHORT_PARTS.iter().map(|(part, suffix)| (format!("{}{suffix}", self.id), *part)).collect()
    }

    /// The counts a computed rate is built from, in the same group: a ratio's numerator
    /// and denominator, a cohort's achieved and not-achieved people. A rate is withheld
    /// with any of them.
    pub fn rate_parts(&self) -> Vec<String> {
        match self.roll_up() {
            RollUp::Ratio => self.numerator.iter().chain(&self.denominator).cloned().collect(),
            RollUp::Cohort => self
                .cohort_parts()
                .into_iter()
                .filter(|(_, part)| *part != CohortPart::Pending)
                .map(|(id, _)| id)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether this indicator is computed from others (a ratio or a cohort rate)
    /// rather than recorded.
    pub fn is_computed(&self) -> bool {
        matches!(self.roll_up(), RollUp::Ratio | RollUp::Cohort)
    }
}

fn agg_word(a: Aggregation) -> &'static str {
    match a {
        Aggregation::Sum => "summed",
        Aggregation::Count => "counted",
        Aggregation::Distinct => "distinct",
        Aggregation::Mean => "mean",
        Aggregation::Min => "minimum",
        Aggregation::Max => "maximum",
        Aggregation::Ratio => "ratio",
        Aggregation::Cohort => "cohort rate",
    }
}

fn time_word(t: TimeAggregation) -> &'static str {
    match t {
        TimeAggregation::Sum => "summed",
        TimeAggregation::Last => "latest",
        TimeAggregation::Mean => "mean",
        TimeAggregation::Min => "lowest",
        TimeAggregation::Max => "highest",
    }
}
