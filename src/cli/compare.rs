use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::{DataArgs, Period, PrivacyArgs, TableOut, UnitArg};
use super::Outcome;
use impactkit::aggregate::Filters;
use impactkit::aggregate::Unit;
use impactkit::compare::{self, Per};
use impactkit::error::Result;
use impactkit::indicator::Library;
use impactkit::value::{self, Assumptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PerArg {
    Investment,
    Participant,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Leave out invalid records (their problems are printed) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Compare programmes or organisations (the peers ranked against each other).
    #[arg(long, value_enum, default_value_t = UnitArg::Programme)]
    pub by: UnitArg,
    /// Rank on outcomes per £10k invested or per participant.
    #[arg(long, value_enum, default_value_t = PerArg::Investment)]
    pub per: PerArg,
    /// Programmes table (investment, start, end).
    #[arg(long, value_name = "FILE")]
    pub programmes: Option<PathBuf>,
    /// Assumptions file: [investment] by organisation.
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// Indicators to compare (default: every summed, counted or distinct-people indicator).
    #[arg(long = "indicator", value_delimiter = ',', value_name = "ID")]
    pub only_indicators: Vec<String>,
    /// Flag comparisons resting on fewer records than this.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_records: i64,
    /// Beneficiary groups counted as priority groups (SIMD deciles 1–2 always count).
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub priority_groups: Vec<String>,
    #[command(flatten)]
    pub period: Period,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    #[command(flatten)]
    pub output: TableOut,
}

pub fn run(args: CompareArgs, library: &Library) -> Result<Outcome> {
    // Checked first: a file name no format fits is refused before any data is read.
    let format = args.output.format()?;
    let (from, to) = args.period.days()?;
    args.data.refuse_out_over_inputs(
        args.output.out.as_deref(),
        &[args.programmes.as_deref(), args.assumptions.as_deref()],
    )?;
    let per = match args.per {
        PerArg::Investment => Per::Investment,
        PerArg::Participant => Per::Participant,
    };
    let by = Unit::from(args.by);
    let assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    let programmes = args.programmes.as_deref().filter(|_| args.by == UnitArg::Programme);
    let investments = value::gather_investments(programmes, &assumptions)?;
    compare::check_investments(per, &investments)?;
    let opts = compare::Options {
        by,
        per,
        indicators: args.only_indicators,
        filters: Filters { from, to, ..Filters::default() },
        min_records: args.min_records,
        priority_groups: if args.priority_groups.is_empty() {
            compare::DEFAULT_PRIORITY_GROUPS.iter().map(|s| s.to_string()).collect()
        } else {
            args.priority_groups
        },
        priority_simd: 2,
    };
    // One streaming pass for the comparison's requests and its count of people.
    let (requests, mut people) = compare::requests(library, &opts)?;
    people.participants = args.data.options()?.participants;
    let figures = args.data.pass(library, &requests, vec![&mut people], args.skip_invalid)?.figures;
    let rows = compare::from_figures(&figures, people, library, &investments, &opts)?;
    let mut frame = compare::to_frame(&rows, by.column())?;
    if let Some(t) = args.privacy.threshold() {
        withhold_small_counts(&mut frame, &rows, by.column(), library, t)?;
    }
    super::emit(&frame, format, args.output.out.as_deref(), "row(s)", "", "", "")
}

/// A peer's count of 1 to t − 1 people (or one withheld to protect it) is withheld with
/// every figure built on it; so is a group's count of participants under t, with the
/// figures per participant; "few records (3)" loses its count.
fn withhold_small_counts(
    frame: &mut polars::prelude::DataFrame,
    rows: &[compare::Row],
    by: &str,
    library: &Library,
    t: u32,
) -> Result<()> {
    use impactkit::privacy::{derived, Withheld};
    use polars::prelude::*;
    const PARTICIPANTS: &str = "participants (distinct people)";
    let mut counts: Vec<(String, String, f64)> =
        rows.iter().map(|r| (r.group.clone(), r.indicator.clone(), r.value.unwrap_or(0.0))).collect();
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        if let Some(p) = r.participants.filter(|_| seen.insert(r.group.clone())) {
            counts.push((r.group.clone(), PARTICIPANTS.to_string(), p));
        }
    }
    let mut people = impactkit::privacy::people_indicators(library);
    people.insert(PARTICIPANTS.to_string());
    let withheld = derived::withheld_counts(&counts, &people, t);
    let group_of = derived::texts(frame, by)?;
    let indicator_of = derived::texts(frame, "indicator")?;
    let count_why: Vec<Withheld> = group_of
        .iter()
        .zip(&indicator_of)
        .map(|(g, i)| withheld.get(&(g.clone(), i.clone())).copied().unwrap_or(Withheld::No))
        .collect();
    let people_why: Vec<Withheld> = group_of
        .iter()
        .map(|g| withheld.get(&(g.clone(), PARTICIPANTS.to_string())).copied().unwrap_or(Withheld::No))
        .collect();
    // Flags repeat the record count: drop it where the count is withheld.
    let flags: Vec<String> = derived::texts(frame, "flags")?
        .iter()
        .zip(&count_why)
        .map(|(f, w)| {
            if w.is_withheld() {
                f.split("; ")
                    .map(|p| if p.starts_with("few records") { "few records" } else { p })
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                f.clone()
            }
        })
        .collect();
    frame.with_column(Column::new("flags".into(), flags))?;
    derived::blank(frame, &people_why, &["participants", "per_participant"])?;
    let people_column = derived::texts(frame, "withheld")?;
    derived::blank(
        frame,
        &count_why,
        &["value", "records", "per_10k", "per_participant", "cost_per_outcome", "priority_share", "yoy_change"],
    )?;
    // One `withheld` column: the count's reason, else the participants'.
    let merged: Vec<Option<String>> = derived::texts(frame, "withheld")?
        .into_iter()
        .zip(people_column)
        .map(|(a, b)| {
            if !a.is_empty() {
                Some(a)
            } else if !b.is_empty() {
                Some(format!("participants {b}"))
            } else {
                None
            }
        })
        .collect();
    frame.with_column(Column::new("withheld".into(), merged))?;
    Ok(())
}
