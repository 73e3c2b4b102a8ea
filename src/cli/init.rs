//! `impact init [DIR]`: a small project folder to start from, every file commented.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Outcome;
use impactkit::error::{Error, Result};
use impactkit::project::FILE_NAME;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder (made if missing) [default: the working folder]
    #[arg(value_name = "DIR", default_value = ".", hide_default_value = true)]
    pub dir: PathBuf,
}

const PROJECT: &str = r#"# impactkit project. Every `impact` command run in this folder (or a folder below
# it) reads this file, so `impact validate`, `impact aggregate --by programme` and
# `impact report board --each organisation` need no file names. A flag on the
# command line always wins. Paths are relative to this file.

# Outcome records: one [[source]] per file or pattern (* and ? match within a name).
# Canonical files (the columns `impact template` and `impact convert` write) need
# no map.
[[source]]
path = "data/*.csv"

# A partner's return with its own headings, sheet or wide layout: give it a column
# map (maps/return.toml is an example to edit). `sheet` picks a workbook's sheet.
# [[source]]
# path = "returns/*.xlsx"
# map = "maps/return.toml"
# sheet = "Q4 return"

# Tables read beside the records. The three below are examples: replace their rows
# with yours. An organisation, programme or area a record names that its table does
# not is a warning of `impact validate` (a name typed two ways would otherwise count
# as two organisations).
[tables]
organisations = "organisations.csv"     # id, name, area, aliases: how returns write each partner
programmes = "programmes.csv"           # id, name, funder, dates, investment, themes, partners
targets = "targets.csv"                 # a target (and baseline) per indicator and period
# areas = "areas.csv"                   # code, name
# assumptions = "assumptions.toml"      # discounting, overrides, sensitivity
# commitments = "commitments.csv"       # Community Benefit Clause commitments

# The indicator library: the standard one is built in.
[library]
# add = "indicators"                    # your own definitions, added to the standard set

[defaults]
suppress_below = 5                      # withhold counts of people under 5 in what is published
out_dir = "out"                         # where `impact report` writes
"#;

const MAP: &str = r#"# Column map for a partner's return: how its sheet maps onto impactkit's columns.
# Edit the headings to match the file, then name this map in impact.toml:
#   [[source]]
#   path = "returns/*.xlsx"
#   map = "maps/return.toml"
# `impact convert returns/x.xlsx --map maps/return.toml` shows what is read.

[source]
# sheet = "Q4 return"              # default: the first sheet
# header_row = 3                   # the row holding the headings (default: 1)
date_format = "%d/%m/%Y"           # dates written as text, day first (UK)
# skip_rows_starting_with = ["Total", "Note"]

[columns]                          # impactkit column = the heading in the file
organisation = "Partner"
date = "Date of outcome"
participant = "Client ref"
indicator = "Outcome"
value = "Number"

# [constants]                      # a value for every record of the file
# programme = "EMP-FWD"

# [names]                          # names written in the file, read as their ids
# organisation = "../organisations.csv"

# [values]                         # words typed in count cells
# "Yes" = 1
# "No" = 0

# [wide]                           # one column per indicator: heading = indicator id
# "Jobs started" = "jobs_created"
"#;

/// An example organisations table: each partner's id, name, area (a council area
/// code) and other ways its returns write its name.
const ORGANISATIONS: &str = "id,name,area,aliases\n\
ORG01,Example Enterprise,S12000036,Example Enterprise Ltd\n\
ORG02,Second Partner,S12000036,\n";

/// An example programmes table: its dates and investment (for SROI), its themes (the
/// indicators a return template offers), its partners and the groups it serves.
const PROGRAMMES: &str = "id,name,funder,start,end,investment,themes,partners,groups\n\
PROG1,Example employability programme,Example Council,2024-04-01,2025-03-31,250000,employment;skills,ORG01;ORG02,long_term_unemployed;young_person\n";

/// An example targets table: a target for an indicator in a period, for a programme
/// (or an organisation; blank is every one).
const TARGETS: &str = "organisation,programme,period,indicator,target,baseline\n\
,PROG1,2024-25,jobs_created,40,\n";

pub fn run(args: InitArgs) -> Result<Outcome> {
    let dir = &args.dir;
    let project = dir.join(FILE_NAME);
    if project.exists() {
        return Err(Error::usage(format!("{} already exists", project.display()))
            .with_hint("edit it, or run `impact init` in another folder"));
    }
    let spec = impactkit::builtin::text_of(&impactkit::builtin::folder("reports").join("board.toml"))
        .ok_or_else(|| Error::internal("the built-in board spec is missing"))?;
    // impact.toml last: it is what makes a folder a project, so a run that fails
    // part-way must never leave it behind (the next `init` would refuse).
    let files: [(PathBuf, &str); 6] = [
        (dir.join("maps/return.toml"), MAP),
        (dir.join("reports/board.toml"), spec),
        (dir.join("organisations.csv"), ORGANISATIONS),
        (dir.join("programmes.csv"), PROGRAMMES),
        (dir.join("targets.csv"), TARGETS),
        (project.clone(), PROJECT),
    ];
    let data = dir.join("data");
    // All or nothing: every folder is checked before anything is made, and what this
    // run made is removed again if a later step fails.
    let folders: Vec<PathBuf> =
        files.iter().filter_map(|(p, _)| p.parent().map(Path::to_path_buf)).chain([data.clone()]).collect();
    for folder in &folders {
        if let Some(blocker) = folder.ancestors().find(|a| !a.as_os_str().is_empty() && a.exists() && !a.is_dir()) {
            return Err(Error::usage(format!("{} is a file, where init makes a folder", blocker.display()))
                .with_hint("move that file away, or run `impact init` in another folder"));
        }
    }
    let mut made = Made::default();
    let result = (|| -> Result<Vec<String>> {
        let mut written = Vec::new();
        for folder in &folders {
            made.folders(folder)?;
        }
        for (path, text) in &files {
            // An example a user already has is kept, not overwritten.
            if path.exists() && path != &project {
                continue;
            }
            impactkit::output::write_atomic(path, text.as_bytes())?;
            made.files.push(path.clone());
            written.push(path.display().to_string());
        }
        Ok(written)
    })();
    let written = match result {
        Ok(written) => written,
        Err(e) => {
            made.undo();
            return Err(e);
        }
    };
    let here = if dir == Path::new(".") { String::new() } else { format!("  cd {}\n", dir.display()) };
    Ok(Outcome::ok(format!(
        "wrote {}\nmade {}/\n\nThe tables are examples: replace their rows with yours.\n  organisations.csv  each partner's id, name, area, and the other ways returns write its name\n  programmes.csv     each programme's dates, investment, themes, partners and groups\n  targets.csv        a target per indicator and period\n\nNext: put outcome files in {}/ (or list them in {}), then:\n{here}  impact validate\n  impact aggregate --by programme\n  impact report board --each organisation\n",
        written.join(", "),
        data.display(),
        data.display(),
        project.display(),
    )))
}

/// What an `init` made, to undo if a later step fails.
#[derive(Default)]
struct Made {
    files: Vec<PathBuf>,
    /// Folders made, outermost first.
    folders: Vec<PathBuf>,
}

impl Made {
    /// Make `folder` and any missing folder above it, noting each made.
    fn folders(&mut self, folder: &Path) -> Result<()> {
        let missing: Vec<&Path> =
            folder.ancestors().filter(|a| !a.as_os_str().is_empty()).take_while(|a| !a.exists()).collect();
        for f in missing.into_iter().rev() {
            std::fs::create_dir(f).map_err(|e| Error::io(f, e))?;
            self.folders.push(f.to_path_buf());
        }
        Ok(())
    }

    fn undo(&self) {
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
        for f in self.folders.iter().rev() {
            let _ = std::fs::remove_dir(f);
        }
    }
}
