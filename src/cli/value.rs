use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::validate::{parse_day, DataArgs};
use super::Outcome;
use crate::aggregate::Filters;
use crate::data;
use crate::error::{Error, Result};
use crate::indicator::Library;
use crate::output::TableFormat;
use crate::value::{self, Assumptions, GroupBy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValueBy {
    Programme,
    Organisation,
}

#[derive(Debug, Args)]
pub struct ValueArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Programmes table: its `investment` column is each programme's investment, spread
    /// evenly over its `start`–`end` dates when --from/--to take part of it.
    #[arg(long, value_name = "FILE")]
    pub programmes: Option<PathBuf>,
    /// Assumptions (TOML): discount rate, price index, overrides, investment, sensitivity ranges.
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ValueBy::Programme)]
    pub by: ValueBy,
    /// First day of outcomes to value (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of outcomes to value.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Print the sensitivity table (SROI with each assumption varied, and break-even) instead.
    #[arg(long, conflicts_with = "impact_map")]
    pub sensitivity: bool,
    /// Print the impact map (stakeholder, outcome, quantity, proxy, adjustments, value) instead.
    #[arg(long)]
    pub impact_map: bool,
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: ValueArgs, library: &Library) -> Result<Outcome> {
    let assumptions = match &args.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    // Programmes' investment applies when grouping by programme; organisations' comes from the assumptions.
    let programmes = args.programmes.as_deref().filter(|_| args.by == ValueBy::Programme);
    let investments = value::gather_investments(programmes, &assumptions)?;
    let by = match args.by {
        ValueBy::Programme => GroupBy::Programme,
        ValueBy::Organisation => GroupBy::Organisation,
    };
    let filters = Filters {
        from: args.from.as_deref().map(|d| parse_day(d, "--from")).transpose()?,
        to: args.to.as_deref().map(|d| parse_day(d, "--to")).transpose()?,
        ..Filters::default()
    };
    let map = args.data.map(library)?;
    let dataset = data::load_valid(&args.data.data, library, map.as_ref(), &args.data.options()?)?;
    let groups = value::value(&dataset.records, library, &assumptions, by, filters, &investments)?;
    if groups.is_empty() {
        return Err(Error::usage("no outcomes with a financial proxy in the data"));
    }
    let frame = if args.sensitivity {
        value::sensitivity_frame(&groups, &assumptions, by)?
    } else if args.impact_map {
        value::impact_map_frame(&groups, by)?
    } else {
        value::to_frame(&groups, by)?
    };
    let format = super::table_format(args.format, args.out.as_deref());
    let mut note = String::new();
    if format == TableFormat::Table && !args.sensitivity && !args.impact_map {
        let missing: Vec<&str> = groups.iter().filter(|g| g.investment.is_none()).map(|g| g.group.as_str()).collect();
        if !missing.is_empty() {
            note = format!("note: no investment for {}: no SROI ratio (give --programmes, or [investment] in --assumptions)\n", missing.join(", "));
        }
    }
    super::emit(&frame, format, args.out.as_deref(), "row(s)", "", "", &note)
}
