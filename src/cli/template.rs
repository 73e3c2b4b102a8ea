//! `impact template`: the Excel return a funder sends to its delivery partners.

use std::path::PathBuf;

use clap::Args;

use super::Outcome;
use impactkit::data::tables::Tables;
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::template::{self, Ask};

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The programme the return is for (its themes give the indicators).
    #[arg(long, value_name = "ID")]
    pub programme: String,
    /// One delivery partner's return (default: any of the programme's partners).
    #[arg(long, value_name = "ID")]
    pub organisation: Option<String>,
    /// Programmes table (id, name, start, end, themes, partners, groups) [default: the
    /// project's [tables] programmes]
    #[arg(long, value_name = "FILE")]
    pub programmes: Option<PathBuf>,
    /// Organisations table (id, name, area) [default: the project's [tables] organisations]
    #[arg(long, value_name = "FILE")]
    pub organisations: Option<PathBuf>,
    /// Areas table (code, name) for the area drop-down [default: the project's [tables]
    /// areas; with none, the area is typed]
    #[arg(long, value_name = "FILE")]
    pub areas: Option<PathBuf>,
    /// The workbook to write (.xlsx; written whole or not at all).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The gender and age band choices (a project's [lists], else the standard sets).
    #[arg(skip)]
    pub lists: template::Lists,
}

pub fn run(args: TemplateArgs, library: &Library) -> Result<Outcome> {
    if impactkit::output::TableFormat::from_extension(&args.out) != Some(impactkit::output::TableFormat::Xlsx) {
        return Err(Error::usage(format!("{}: a template is an Excel workbook; name it .xlsx", args.out.display())));
    }
    let needed = |file: &Option<PathBuf>, flag: &str| {
        file.clone().ok_or_else(|| {
            Error::usage(format!("give --{flag} FILE"))
                .with_hint(format!("or name it in a project's impact.toml: [tables] {flag} = \"{flag}.csv\""))
        })
    };
    let (programmes, organisations) =
        (needed(&args.programmes, "programmes")?, needed(&args.organisations, "organisations")?);
    let inputs = [Some(programmes.as_path()), Some(organisations.as_path()), args.areas.as_deref()];
    impactkit::output::refuse_overwriting_inputs(&args.out, inputs.into_iter().flatten())?;
    let tables = Tables::load(&organisations, &programmes)?;
    let areas = match &args.areas {
        Some(path) => {
            impactkit::data::names::read_names(path)?.into_iter().map(|r| (r.id, r.name.unwrap_or_default())).collect()
        }
        None => Vec::new(),
    };
    let ask = Ask { programme: &args.programme, organisation: args.organisation.as_deref(), areas, lists: args.lists };
    let bytes = template::workbook(&tables, library, &ask)?;
    impactkit::output::write_atomic(&args.out, &bytes)?;
    let shown = |t: &str| impactkit::output::escape_controls(t).into_owned();
    Ok(Outcome::ok(format!(
        "wrote a return template for {} to {}\n",
        shown(&args.programme),
        shown(&args.out.display().to_string())
    )))
}
