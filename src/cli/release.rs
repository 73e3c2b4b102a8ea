//! `impact release`: every document of a project's `[[release]]`, protected together,
//! audited and written into its folder; `impact audit`: the audit of what a release
//! wrote.

use std::path::{Path, PathBuf};

use clap::Args;

use super::args::parse_day;
use super::Outcome;
use impactkit::data::CheckOptions;
use impactkit::error::{Error, Result};
use impactkit::indicator::Library;
use impactkit::project::Project;
use impactkit::report::{self, release, SubjectKind};

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The release to make, by name [default: the project's only release]
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Date printed on every document (default: each period's last day).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Treat dates after this day as in the future (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Leave out invalid records (reported, and counted as rejected) instead of refusing the data.
    #[arg(long)]
    pub skip_invalid: bool,
    /// The project the release is in.
    #[arg(skip)]
    pub project: Option<Project>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// A release of the project, by name, or a folder holding published.csv and sums.csv
    /// [default: the project's only release]
    #[arg(value_name = "RELEASE")]
    pub release: Option<String>,
    /// Also list every withheld cell with the interval a reader can work out for it, in
    /// this format.
    #[arg(long, value_enum)]
    pub format: Option<super::args::Format>,
    /// The project the release is in.
    #[arg(skip)]
    pub project: Option<Project>,
}

/// A release's documents, their specs found as `impact report` finds them.
pub fn documents(project: &Project, release: &impactkit::project::Release) -> Result<Vec<release::Document>> {
    let specs = project.root.join("reports");
    release
        .documents
        .iter()
        .map(|d| {
            let named = PathBuf::from(&d.spec);
            let spec = super::report::resolve_spec(&named, Some(&specs))
                .or_else(|_| super::report::resolve_spec(&project.root.join(&named), None))?;
            let each = d.each.as_deref().map(|e| match e {
                "programme" => SubjectKind::Programme,
                _ => SubjectKind::Organisation,
            });
            Ok(release::Document { spec, each, subject: d.subject.clone() })
        })
        .collect()
}

/// The options every document of a release is made with: the project's sources,
/// tables and threshold.
fn base_options(project: &Project, check: CheckOptions) -> Result<report::Options> {
    let found = project.source_files()?;
    for link in &found.skipped {
        eprintln!("warning: skipped {}", impactkit::output::escape_controls(link));
    }
    let t = &project.tables;
    let read_names: Vec<(String, PathBuf)> =
        [("organisation", &t.organisations), ("programme", &t.programmes), ("area", &t.areas)]
            .into_iter()
            .filter_map(|(c, table)| table.clone().map(|p| (c.to_string(), p)))
            .collect();
    let mut privacy = super::args::PrivacyArgs { suppress_below: None, no_suppress: false };
    privacy.default_to(&project.defaults, &project.file);
    Ok(report::Options {
        data: found.files,
        read_names,
        targets: t.targets.clone(),
        names: [&t.organisations, &t.programmes, &t.areas].into_iter().flatten().cloned().collect(),
        programmes: t.programmes.clone(),
        assumptions: t.assumptions.clone(),
        commitments: t.commitments.clone(),
        suppress_below: privacy.threshold(),
        check,
        read_set: project.read_set(),
        ..report::Options::default()
    })
}

fn need_project(project: Option<Project>, command: &str) -> Result<Project> {
    project.ok_or_else(|| {
        Error::usage(format!("impact {command} works in a project: no impact.toml here or above"))
            .with_hint("run it in the project's folder, or give --project DIR (e.g. cd samples && impact release)")
    })
}

pub fn run(args: ReleaseArgs, library: &Library) -> Result<Outcome> {
    let project = need_project(args.project, "release")?;
    let release = project.release(args.name.as_deref())?;
    let mut check =
        CheckOptions { participants: project.defaults.participant_ids.unwrap_or_default(), ..CheckOptions::default() };
    if let Some(t) = &args.today {
        check.today = parse_day(t, "--today")?;
    }
    let mut base = base_options(&project, check)?;
    base.date = args.date.as_deref().map(|d| parse_day(d, "--date")).transpose()?;
    base.skip_invalid = args.skip_invalid;
    base.read_set.check(&release.out_dir)?;
    let docs = documents(&project, release)?;
    let prepared = release::prepare(&release.name, &base, &docs, library)?;
    let written = prepared.write(&base, &release.out_dir)?;
    for w in written.warnings.iter().take(10) {
        eprintln!("warning: {w}");
    }
    let shown = impactkit::output::escape_controls(&release.out_dir.display().to_string()).into_owned();
    let mut out = format!(
        "wrote release {} to {shown}: {} document(s), {} pages, in {:.1}s\n",
        release.name, written.documents, written.pages, written.seconds
    );
    match base.suppress_below {
        Some(t) => out.push_str(&format!(
            "protected together: {} counts of people published, {} withheld (under {t}, or to protect one), tied by {} sums; audit: no withheld count can be worked out\n",
            written.cells, written.withheld, written.sums
        )),
        None => out.push_str("not protected: the project says no_suppress = true (internal use only)\n"),
    }
    Ok(Outcome::ok(out))
}

pub fn audit(args: AuditArgs, _library: &Library) -> Result<Outcome> {
    let given = args.release.as_deref().map(Path::new).filter(|p| p.is_dir());
    let (dir, threshold) = match given {
        Some(dir) => {
            let threshold = args
                .project
                .as_ref()
                .and_then(|p| p.defaults.suppress_below)
                .unwrap_or(impactkit::privacy::DEFAULT_THRESHOLD);
            (if dir.join("published.csv").is_file() { dir.to_path_buf() } else { dir.join("figures") }, threshold)
        }
        None => {
            let project = need_project(args.project, "audit")?;
            let release = project.release(args.release.as_deref())?;
            let threshold = project.defaults.suppress_below.unwrap_or(impactkit::privacy::DEFAULT_THRESHOLD);
            (release.out_dir.join("figures"), threshold)
        }
    };
    let audited = release::audit_folder(&dir, threshold)?;
    let pinned = audited.pinned();
    let shown = impactkit::output::escape_controls(&dir.display().to_string()).into_owned();
    let mut out = String::new();
    if let Some(format) = args.format {
        out.push_str(&String::from_utf8_lossy(&impactkit::output::render(&intervals(&audited)?, format.into())?));
    }
    if pinned.is_empty() {
        out.push_str(&format!(
            "audit of {shown}: {} cells, {} withheld, {} sums: no withheld count can be worked out (threshold {threshold})\n",
            audited.cells.height(),
            audited.findings.len(),
            audited.sums
        ));
        return Ok(Outcome::ok(out));
    }
    out.push_str(&format!(
        "audit of {shown}: {} of {} withheld cells can be worked out from what is published:\n",
        pinned.len(),
        audited.findings.len()
    ));
    for f in pinned {
        out.push_str(&format!("  cell {}: {} = {}\n", f.cell, audited.describe(f.cell), f.low));
    }
    Ok(Outcome { stdout: out.into_bytes(), exit_code: 1 })
}

/// Every withheld cell with its interval.
fn intervals(audited: &release::Audited) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let f = &audited.findings;
    let finite = |v: f64| v.is_finite().then_some(v);
    Ok(df!(
        "cell" => f.iter().map(|f| f.cell as u32).collect::<Vec<_>>(),
        "what" => f.iter().map(|f| audited.describe(f.cell)).collect::<Vec<_>>(),
        "low" => f.iter().map(|f| finite(f.low)).collect::<Vec<_>>(),
        "high" => f.iter().map(|f| finite(f.high)).collect::<Vec<_>>(),
        "worked_out" => f.iter().map(|f| f.pinned()).collect::<Vec<_>>()
    )?)
}
