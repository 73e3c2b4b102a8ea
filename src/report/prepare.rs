//! Preparing a batch of reports: the spec settled against the options, and every
//! figure its documents need read from the data in one pass, with the tables beside it.

use super::*;

/// The spec, with `each` applied, and its period, for `prepare` (which names no
/// output): refused when the subject choice does not fit the spec.
pub(super) fn load_spec(opts: &Options, library: &Library) -> Result<(Spec, spec::Window)> {
    let mut spec = Spec::load(&opts.spec, library)?;
    check_subject_choice(&spec, opts)?;
    if let Some(kind) = opts.each {
        if kind == SubjectKind::All {
            return Err(Error::usage("each takes organisation or programme"));
        }
        spec.subject = kind;
    }
    let window = spec.window()?;
    Ok((spec, window))
}

/// The spec, with `--each` applied, and its period: refused when the options do not
/// fit it (one report or many, where to write them).
pub(super) fn settle_spec(opts: &Options, library: &Library) -> Result<(Spec, spec::Window)> {
    if let Some(out) = &opts.out {
        refuse_other_than(out, opts.format)?;
    }
    let mut spec = Spec::load(&opts.spec, library)?;
    check_subject_choice(&spec, opts)?;
    if let Some(out) = &opts.out {
        crate::output::refuse_overwriting_inputs(out, opts.input_files().map(PathBuf::as_path))?;
    }
    if let Some(kind) = opts.each {
        if kind == SubjectKind::All {
            return Err(Error::usage("--each takes organisation or programme"));
        }
        spec.subject = kind;
    }
    let kind = spec.subject;
    let window = spec.window()?;
    match (&opts.out, &opts.out_dir, opts.each) {
        (_, None, Some(_)) => return Err(Error::usage("--each writes one PDF per subject: give --out-dir DIR")),
        (None, _, None) => return Err(Error::usage("give --out report.pdf")),
        _ => {}
    }
    if opts.each.is_none() && opts.subject.is_none() && kind != SubjectKind::All {
        let what = kind.column().unwrap_or("subject");
        return Err(Error::usage(format!("{} is a report about one {what}", opts.spec.display())).with_hint(format!(
            "give --subject ID for one report, or --each {what} --out-dir DIR for one per {what}"
        )));
    }

    Ok((spec, window))
}

/// What a batch computes once from its inputs, for every report.
pub(super) struct Computed {
    pub(super) figures: figures::Figures,
    pub(super) names: HashMap<String, String>,
    pub(super) values: HashMap<String, GroupValue>,
    pub(super) assumptions: Assumptions,
    pub(super) commitments: Vec<commitments::Progress>,
    pub(super) comparisons: HashMap<(Unit, spec::Per), Vec<crate::compare::Row>>,
    pub(super) fingerprint: String,
    /// With `skip_invalid`, the problems of the records left out.
    pub(super) skipped: Option<crate::diagnostics::Report>,
}

/// Every subject's figures from records in memory (the valid ones, and optionally the
/// rejected ones for the data-quality counts): what a report run gets from its pass.
pub fn figures_from_records(
    spec: &Spec,
    window: &spec::Window,
    records: &polars::prelude::DataFrame,
    rejected: Option<&polars::prelude::DataFrame>,
    library: &Library,
    targets: Option<&Targets>,
    suppress_below: Option<u32>,
) -> Result<figures::Figures> {
    use crate::data::Records;
    let mut requests = Vec::new();
    let plan = figures::Plan::new(&spec_needs(spec, library), spec.subject, window, None, false, &mut requests);
    let mut quality = figures::QualitySink::new(spec.subject.column(), None, window);
    if let Some(rejected) = rejected {
        quality.batch(rejected.clone())?;
    }
    let out = crate::pipeline::from_records_with(records, library, &requests, vec![&mut quality])?;
    let mut figures = plan.assemble(&out.figures, quality, spec.subject, library, targets, suppress_below)?;
    if let Some(t) = suppress_below {
        let none = HashMap::new();
        let document = protect::Document {
            name: spec.title.clone(),
            subject: spec.subject,
            window,
            figures: &mut figures,
            comparisons: &none,
            commitments: &[],
        };
        protect::protect(&mut [document], library, t, true)?;
    }
    Ok(figures)
}

/// A spec's name in the release's public tables: its file's stem.
pub(super) fn spec_name(path_or_title: &str) -> String {
    Path::new(path_or_title).file_stem().map_or_else(|| path_or_title.to_string(), |s| s.to_string_lossy().to_string())
}

/// What a spec's sections read, with the library's valued indicators (and the people
/// their quantities rest on: printed beside a value, so protected with the rest).
pub(super) fn spec_needs(spec: &Spec, library: &Library) -> need::Needs {
    let valued: Vec<String> = library
        .iter()
        .filter(|i| i.proxy.is_some())
        .flat_map(|i| std::iter::once(i.id.clone()).chain(i.people.clone()))
        .collect();
    spec.needs(&valued)
}

/// Reads the data in one streaming pass and the tables beside it, and computes every
/// subject's figures, social values, peer comparisons and commitments.
pub(super) fn compute(opts: &Options, spec: &Spec, window: &spec::Window, library: &Library) -> Result<Computed> {
    let kind = spec.subject;
    let needs = spec_needs(spec, library);
    let maps = data::Maps::load_with_names(&opts.data, &opts.read_names, library)?;
    // One report about one subject needs no other subject's records, unless a section
    // compares it with its peers: every figure of a report is grouped by its subject
    // (and protected per subject), so the subject's records alone give the same PDF,
    // without aggregating everyone (0.9 s of 1.1 s for one pack from 1,000).
    let only_subject = match (&opts.subject, opts.each, kind.column()) {
        (Some(subject), None, Some(column)) if !needs.compares_peers => Some((column, subject.as_str())),
        _ => None,
    };
    let commitment_list = if needs.commitments {
        let path = opts.commitments.as_deref().ok_or_else(|| {
            Error::usage(format!("{} has a commitments section", opts.spec.display()))
                .with_hint("give --commitments FILE (e.g. samples/commitments.csv)")
        })?;
        Some(commitments::load(path, library)?)
    } else {
        None
    };

    // Everything the report reads from the data, in one streaming pass of the
    // pipeline: the sections' figures, the social value's quantities, the peer
    // comparisons, the commitments' deliveries and the data-quality counts.
    let timer = crate::timing::start();
    let mut requests = Vec::new();
    let figure_plan = figures::Plan::new(&needs, kind, window, only_subject, only_subject.is_some(), &mut requests);
    let value_by = match spec.subject {
        SubjectKind::Organisation => Unit::Organisation,
        SubjectKind::Programme | SubjectKind::All => Unit::Programme,
    };
    let period = Filters { from: Some(window.from), to: Some(window.to), ..Filters::default() };
    let value_at = (needs.value && library.iter().any(|i| i.proxy.is_some())).then_some(requests.len());
    if value_at.is_some() {
        requests.push(value::request(library, value_by, figures::subject_filter(period.clone(), only_subject))?);
    }
    let peer_options = peer_options(&needs, window);
    let mut peer_people = Vec::new();
    let peers_at = requests.len();
    for (_, options) in &peer_options {
        let (asked, mut people) = crate::compare::requests(library, options)?;
        people.participants = opts.check.participants;
        requests.extend(asked);
        peer_people.push(people);
    }
    let commitments_at = requests.len();
    if let Some(list) = &commitment_list {
        requests.extend(commitments::requests(list, Some(window.to)));
    }
    // Follow-ups without their start are counted where a data-quality section says so.
    let follow_ups = spec
        .sections
        .iter()
        .any(|s| matches!(s, spec::Section::DataQuality { .. }))
        .then(|| crate::aggregate::follow_ups::FollowUpCheck::new(library, opts.check.participants))
        .flatten();
    let mut quality =
        figures::QualitySink::new(kind.column(), only_subject.map(|(_, s)| s), window).with_follow_ups(follow_ups);
    let mut sinks: Vec<&mut (dyn data::Records + Send)> = vec![&mut quality];
    sinks.extend(peer_people.iter_mut().map(|p| p as &mut (dyn data::Records + Send)));
    let input = crate::pipeline::Input {
        sources: maps.files(&opts.data),
        options: opts.check.clone(),
        skip_invalid: opts.skip_invalid,
        extra_columns: &figures::QUALITY_FIELDS,
    };
    let out = crate::pipeline::run_with(&input, library, &requests, sinks)?;
    // With --skip-invalid the problems go back to the caller to print (the library
    // does not print).
    let skipped = (!out.report.is_ok()).then(|| out.report.clone());
    crate::timing::lap(&timer, "read, check and fold");
    let targets = opts.targets.as_deref().map(|p| Targets::load(p, library)).transpose()?;
    let names = load_names(&opts.names)?;
    let mut assumptions = match &opts.assumptions {
        Some(p) => Assumptions::load(p, library)?,
        None => Assumptions::default(),
    };
    assumptions.report_year = opts.report_year.or(assumptions.report_year).or(spec.report_year);
    // `--subject` must name someone in the data, checked on every valid record.
    if let (Some(subject), None, Some(column)) = (&opts.subject, opts.each, kind.column()) {
        refuse_unknown_subject(&quality, column, subject)?;
    }
    let investments = value::gather_investments(opts.programmes.as_deref(), &assumptions)?;
    let values = match value_at {
        Some(at) => {
            let window_dates = (Some(window.from), Some(window.to));
            let groups =
                value::from_figures(&out.figures[at], library, &assumptions, value_by, window_dates, &investments)?;
            social_values(spec, groups, &assumptions)
        }
        None => HashMap::new(),
    };
    let mut comparisons = HashMap::new();
    for (k, ((key, options), people)) in peer_options.into_iter().zip(peer_people).enumerate() {
        let figures = &out.figures[peers_at + 3 * k..peers_at + 3 * k + 3];
        comparisons.insert(key, crate::compare::from_figures(figures, people, library, &investments, &options)?);
    }
    let progress = match &commitment_list {
        Some(list) => {
            commitments::from_figures(list, &out.figures[commitments_at..], library, &assumptions, window.to)?
        }
        None => Vec::new(),
    };
    let input_hash = hash_inputs(opts, library_files(library)?)?;
    crate::timing::lap(&timer, "social values, peers and commitments");
    // Every subject's figures (or the one's) from the pass.
    let mut figures = figure_plan.assemble(
        &out.figures[..figure_plan.requests()],
        quality,
        kind,
        library,
        targets.as_ref(),
        opts.suppress_below,
    )?;
    figures.participants = opts.check.participants;
    crate::timing::lap(&timer, "figures");
    Ok(Computed {
        figures,
        names,
        values,
        assumptions,
        commitments: progress,
        comparisons,
        fingerprint: input_hash,
        skipped,
    })
}

/// A report is a PDF or an HTML page: an `--out` named for another kind of file
/// (`pack.docx`, or `pack.pdf` with `--format html`) is refused before any work, so a
/// file is never other than its name says.
pub(super) fn refuse_other_than(out: &Path, format: Format) -> Result<()> {
    let ext = out.extension().and_then(|e| e.to_str());
    if ext.is_some()
        && Format::of(out) == format
        && (format == Format::Html || ext.is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
    {
        return Ok(());
    }
    let kind = match format {
        Format::Pdf => "a PDF",
        Format::Html => "an HTML page",
    };
    Err(Error::usage(format!(
        "cannot write {}: the report is written as {kind}",
        crate::output::escape_controls(&out.display().to_string())
    ))
    .with_hint(match (ext, format) {
        (Some(_), _) => format!("name the file .{} (or choose --format)", format.ext()),
        (None, _) => format!("name the file .{} (e.g. --out board.{})", format.ext(), format.ext()),
    }))
}

/// `--subject` naming no one in the data: an error with the nearest id.
pub(super) fn refuse_unknown_subject(quality: &figures::QualitySink, column: &str, subject: &str) -> Result<()> {
    if quality.knows(subject) {
        return Ok(());
    }
    let err = Error::usage(format!("no records for {column} `{subject}`"));
    Err(match crate::base::suggest::nearest(subject, quality.subjects().filter(|id| !id.is_empty())) {
        Some(n) => err.with_hint(format!("did you mean `{n}`?")),
        None => err,
    })
}

/// Refuse a subject choice the spec cannot honour, rather than print a report whose
/// cover names one subject over a body about another (or about everyone).
pub(super) fn check_subject_choice(spec: &Spec, opts: &Options) -> Result<()> {
    let name = opts.spec.display();
    if spec.needs(&[]).compares_peers && (opts.each.is_some() || opts.subject.is_some()) {
        return Err(Error::usage(format!(
            "{name} compares organisations or programmes with each other: it is one report about all of them"
        ))
        .with_hint("leave out --each and --subject, and give --out FILE"));
    }
    if spec.subject == SubjectKind::All && opts.each.is_none() && opts.subject.is_some() {
        return Err(Error::usage(format!(
            "{name} is one report about everything (subject = \"all\"): --subject has nothing to choose"
        ))
        .with_hint(
            "leave out --subject, or use --each organisation (or programme) --out-dir DIR for one report per subject",
        ));
    }
    Ok(())
}

/// id → name from tables with an `id` (or `code`) column and a `name` column.
pub(super) fn load_names(paths: &[PathBuf]) -> Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    for path in paths {
        for r in data::names::read_names(path)? {
            if let Some(name) = r.name {
                names.insert(r.id, name);
            }
        }
    }
    Ok(names)
}

pub(super) fn library_files(library: &Library) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = library
        .ids()
        .flat_map(|id| [library.source_of(id), library.proxy_source_of(id)])
        .flatten()
        .map(Path::to_path_buf)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Fingerprint of every input file (spec, data, map, targets, names, library).
pub(super) fn hash_inputs(opts: &Options, library: Vec<PathBuf>) -> Result<String> {
    let mut h = hash::InputHash::default();
    let files = opts.input_files().chain(&library);
    for f in files {
        h.add_file(f).map_err(|e| Error::io(f, e))?;
    }
    // The sheet a workbook is read from is an input too.
    for sheet in opts.data.iter().filter_map(|s| s.sheet.as_ref()) {
        h.add_bytes(sheet.as_bytes());
    }
    Ok(h.short())
}

/// The social value of each subject (or of everything together, all programmes'
/// outcomes against all their investment).
pub(super) fn social_values(
    spec: &Spec,
    groups: Vec<GroupValue>,
    assumptions: &Assumptions,
) -> HashMap<String, GroupValue> {
    if spec.subject != SubjectKind::All {
        return groups.into_iter().map(|g| (g.group.clone(), g)).collect();
    }
    let investment = groups.iter().map(|g| g.investment).try_fold(0.0, |acc, i| i.map(|i| acc + i));
    let merged = GroupValue {
        group: figures::ALL.to_string(),
        lines: groups.iter().flat_map(|g| g.lines.clone()).collect(),
        investment: investment.filter(|_| !groups.is_empty()),
        rate: assumptions.discount_rate,
        past_years: assumptions.appraisal.past_years(),
    };
    HashMap::from([(figures::ALL.to_string(), merged)])
}

/// The peer comparisons ranking and cost-per-outcome sections read, one per (by, per).
pub(super) fn peer_options(
    needs: &need::Needs,
    window: &spec::Window,
) -> Vec<((Unit, spec::Per), crate::compare::Options)> {
    needs
        .peer_comparisons()
        .into_iter()
        .map(|((by, per), ids)| {
            let options = crate::compare::Options {
                by,
                per,
                indicators: ids,
                filters: Filters { from: Some(window.from), to: Some(window.to), ..Filters::default() },
                min_records: 30,
                priority_groups: crate::compare::DEFAULT_PRIORITY_GROUPS.iter().map(|s| s.to_string()).collect(),
                priority_simd: 2,
            };
            ((by, per), options)
        })
        .collect()
}
