use clap::{Args, ValueEnum};

use super::args::DataArgs;
use super::Outcome;
use crate::data;
use crate::error::{Error, Result};
use crate::indicator::Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// text: one line per problem and a summary; json: the whole report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

pub fn run(args: ValidateArgs, library: &Library) -> Result<Outcome> {
    let sources = args.data.sources()?;
    let maps = args.data.maps(&sources, library)?;
    // Each file once (as the scan reads them), so a record's file number names it.
    let files = data::scan::once_each(&maps.files(&sources))?;
    // Names not in a table are listed for the first map with name tables.
    let map = files.iter().find_map(|f| f.map.filter(|m| !m.name_ids.is_empty()));
    // Only the checked columns are read, and records are not kept: any size fits.
    // Where the library has `within` rules, records are folded by organisation,
    // programme and financial year to check them.
    // Category labels are collected to list near-duplicates, and names in no table.
    let options = args.data.options()?;
    let mut columns = vec!["programme"];
    columns.extend(data::labels::CATEGORY_COLUMNS);
    // Area is read only to list names an area name table does not know.
    if files.iter().any(|f| f.map.is_some_and(|m| m.name_ids.contains_key("area"))) {
        columns.push("area");
    }
    if crate::aggregate::follow_ups::FollowUpCheck::new(library, options.participants).is_some() {
        columns.push("participant");
    }
    let check = |sink: &mut dyn data::Records| data::checked(&files, library, &options, Some(&columns), sink);
    let file_names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    let names = file_names.join(", ");
    let mut labels = data::labels::LabelCheck::with_names(map);
    // Follow-ups without their start (a job sustained with no job start) are warned of.
    let mut follow_ups = crate::aggregate::follow_ups::FollowUpCheck::new(library, options.participants);
    let mut sinks = data::scan::Both(&mut labels, &mut follow_ups);
    let mut report = match crate::aggregate::consistency::WithinCheck::new(library) {
        Some(mut within) => {
            let mut report = data::scan::sink_on_own_thread(&mut data::scan::Both(&mut within, &mut sinks), check)?;
            within.finish(&mut report, &names, options.max_listed)?;
            report
        }
        None => data::scan::sink_on_own_thread(&mut sinks, check)?,
    };
    if let Some(follow_ups) = follow_ups {
        crate::aggregate::follow_ups::warn(&follow_ups.finish(), &file_names, &mut report, options.max_listed);
    }
    labels.finish(&mut report, &names);
    let report = &report;
    let stdout = match args.format {
        ReportFormat::Text => report.to_text().into_bytes(),
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(report).map_err(|e| Error::usage(e.to_string()))?;
            s.push('\n');
            s.into_bytes()
        }
    };
    Ok(Outcome { stdout, exit_code: i32::from(!report.is_ok()) })
}
