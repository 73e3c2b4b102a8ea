//! A project's `impact.toml` applied to the parsed command line: what a flag does not
//! say, the project does (flags always win).

use std::path::PathBuf;

use super::{Cli, Command};
use impactkit::error::Result;
use impactkit::project::Project;

/// The project a command runs in: the one `--project` names (a file or its folder),
/// else the nearest `impact.toml` in the working folder or above; None without one.
pub fn find(given: Option<&std::path::Path>) -> Result<Option<Project>> {
    match given {
        Some(path) if path.is_dir() => Project::load(&path.join(impactkit::project::FILE_NAME)).map(Some),
        Some(file) => Project::load(file).map(Some),
        None => Project::find(std::path::Path::new(".")),
    }
}

/// Fill what the command line leaves unsaid from the project.
pub fn apply(project: &Project, cli: &mut Cli) -> Result<()> {
    let fill = |flag: &mut Option<PathBuf>, from: &Option<PathBuf>| {
        if flag.is_none() {
            flag.clone_from(from);
        }
    };
    let library = &project.library;
    fill(&mut cli.indicators, &library.indicators);
    fill(&mut cli.add_indicators, &library.add);
    fill(&mut cli.proxies, &library.proxies);
    let tables = &project.tables;
    // Sources are expanded only for a command that reads data and names no files:
    // a source that names no file is an error then, and only then.
    let sources = |named: &[PathBuf]| -> Result<Vec<impactkit::data::SourcePath>> {
        if named.is_empty() && !project.sources.is_empty() {
            let found = project.source_files()?;
            for link in &found.skipped {
                eprintln!("warning: skipped {}", impactkit::output::escape_controls(link));
            }
            Ok(found.files)
        } else {
            Ok(Vec::new())
        }
    };
    // The project's name tables read names as ids in every file it reads.
    let names: Vec<(String, PathBuf)> =
        [("organisation", &tables.organisations), ("programme", &tables.programmes), ("area", &tables.areas)]
            .into_iter()
            .filter_map(|(column, table)| table.clone().map(|t| (column.to_string(), t)))
            .collect();
    let scope = project.defaults.participant_ids.map(super::args::ParticipantIds::from);
    let data = |args: &mut super::args::DataArgs| -> Result<()> {
        args.project = sources(&args.data)?;
        args.names.clone_from(&names);
        args.participant_ids = args.participant_ids.or(scope);
        Ok(())
    };
    let valued = |programmes: &mut Option<PathBuf>,
                  assumptions: &mut Option<PathBuf>,
                  privacy: &mut super::args::PrivacyArgs| {
        fill(programmes, &tables.programmes);
        fill(assumptions, &tables.assumptions);
        privacy.default_to(&project.defaults, &project.file);
    };
    match &mut cli.command {
        Command::Validate(a) => data(&mut a.data)?,
        Command::Convert(a) => data(&mut a.data)?,
        Command::Aggregate(a) => {
            data(&mut a.data)?;
            fill(&mut a.targets, &tables.targets);
            a.privacy.default_to(&project.defaults, &project.file);
        }
        // Social value and comparisons: the data, investment (programmes) and assumptions.
        Command::Value(a) => {
            data(&mut a.data)?;
            valued(&mut a.programmes, &mut a.assumptions, &mut a.privacy);
        }
        Command::Compare(a) => {
            data(&mut a.data)?;
            valued(&mut a.programmes, &mut a.assumptions, &mut a.privacy);
        }
        Command::Commitments(a) => {
            data(&mut a.data)?;
            fill(&mut a.commitments, &tables.commitments);
            fill(&mut a.assumptions, &tables.assumptions);
            a.privacy.default_to(&project.defaults, &project.file);
        }
        Command::Template(a) => {
            fill(&mut a.programmes, &tables.programmes);
            fill(&mut a.organisations, &tables.organisations);
            fill(&mut a.areas, &tables.areas);
            if let Some(gender) = &project.lists.gender {
                a.lists.gender.clone_from(gender);
            }
            if let Some(age_band) = &project.lists.age_band {
                a.lists.age_band.clone_from(age_band);
            }
        }
        Command::Report(a) => {
            // A spec after --data's files is taken from them later: those are named files.
            a.project = sources(&a.data)?;
            a.read_names.clone_from(&names);
            a.participant_ids = a.participant_ids.or(scope);
            a.project_specs = Some(project.root.join("reports"));
            for (flag, table) in [
                (&mut a.targets, &tables.targets),
                (&mut a.organisations, &tables.organisations),
                (&mut a.programmes, &tables.programmes),
                (&mut a.areas, &tables.areas),
                (&mut a.assumptions, &tables.assumptions),
                (&mut a.commitments, &tables.commitments),
            ] {
                fill(flag, table);
            }
            if a.out.is_none() {
                fill(&mut a.out_dir, &project.defaults.out_dir);
            }
            a.privacy.default_to(&project.defaults, &project.file);
            a.in_project = Some(project.clone());
        }
        Command::Release(a) => a.project = Some(project.clone()),
        Command::Audit(a) => a.project = Some(project.clone()),
        Command::Indicators(_)
        | Command::Samples(_)
        | Command::Completions { .. }
        | Command::Init(_)
        | Command::Serve(_) => {}
    }
    Ok(())
}
