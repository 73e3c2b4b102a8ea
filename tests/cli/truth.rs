//! Reports that tell the truth: every shipped spec rendered for every sample subject
//! (both `--each` kinds), and each claim checked by parsing the PDFs and comparing
//! them with what `impact aggregate` and `impact value` compute from the same data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::{csv_rows, impact, s, write};

const NAMES: [&str; 6] = [
    "--organisations",
    "samples/organisations.csv",
    "--programmes",
    "samples/programmes.csv",
    "--areas",
    "samples/areas.csv",
];

/// Every shipped spec with the inputs its sections need.
fn specs() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(crate::util::repo().join("reports")).expect("reports/") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        let extra: Vec<&'static str> = match name.as_str() {
            "board.toml" => vec!["--targets", "samples/targets.csv"],
            "funder.toml" => vec!["--targets", "samples/targets.csv", "--assumptions", "samples/assumptions.toml"],
            "cbc.toml" => vec!["--commitments", "samples/commitments.csv"],
            "compare.toml" => vec![],
            other => panic!("reports/{other} is not covered by this test: add it"),
        };
        out.push((Box::leak(format!("reports/{name}").into_boxed_str()) as &'static str, extra));
    }
    out.sort();
    out
}

/// Text of a PDF with every run of white space as one space (wrapped lines rejoined).
fn pdf_text(path: &Path) -> String {
    crate::util::pdf_text(path).split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Rendered {
    /// subject id (file stem) → PDF text
    texts: BTreeMap<String, String>,
    /// the `--figures-dir` folder
    figures: std::path::PathBuf,
}

/// Render `spec` once per subject of `each` (or once, for an "all" spec), or None
/// when the pairing is refused with a clear message.
fn render(dir: &Path, spec: &str, extra: &[&str], each: Option<&str>) -> Option<Rendered> {
    let tag = format!("{}-{}", spec.replace(['/', '.'], "_"), each.unwrap_or("all"));
    let out = dir.join(&tag);
    let figures = dir.join(format!("{tag}-figures"));
    let mut args = vec!["report", spec, "--data", "samples/outcomes.csv", "--figures-dir", s(&figures)];
    args.extend_from_slice(&NAMES);
    args.extend_from_slice(extra);
    let single = out.join("all.pdf");
    match each {
        Some(kind) => args.extend(["--each", kind, "--out-dir", s(&out)]),
        None => args.extend(["--out", s(&single)]),
    }
    let run = impact(&args);
    if run.code != 0 {
        // A pairing that cannot work is refused in words, never an engine error.
        assert_eq!(run.code, 2, "{spec} --each {each:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: ") && !run.stderr.contains("data engine"),
            "{spec} --each {each:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("hint:"), "{}", run.stderr);
        return None;
    }
    let mut texts = BTreeMap::new();
    for entry in std::fs::read_dir(&out).expect("out dir") {
        let path = entry.expect("entry").path();
        let stem = path.file_stem().expect("stem").to_string_lossy().into_owned();
        texts.insert(stem, pdf_text(&path));
    }
    assert!(!texts.is_empty(), "{spec} --each {each:?} wrote no PDF");
    Some(Rendered { texts, figures })
}

/// Figures for the 2024-25 financial year, as `impact aggregate` computes them:
/// (subject, indicator) → value, for every subject with records.
fn period_figures(by: &str) -> BTreeMap<(String, String), f64> {
    let run = impact(&[
        "aggregate",
        "samples/outcomes.csv",
        "--by",
        by,
        "--from",
        "2024-04-01",
        "--to",
        "2025-03-31",
        "--format",
        "csv",
        "--no-suppress",
    ])
    .ok();
    let rows = csv_rows(&run.stdout);
    let value_at = rows[0].iter().position(|h| h == "value").expect("value column");
    rows[1..].iter().filter_map(|r| r[value_at].parse().ok().map(|v| ((r[0].clone(), r[1].clone()), v))).collect()
}

/// Indicators whose unit is a percentage (shares), from the library.
fn share_indicators() -> BTreeSet<String> {
    let library = impactkit::indicator::Library::load(&crate::util::repo().join("indicators")).expect("library");
    library.iter().filter(|i| i.unit == "%").map(|i| i.id.clone()).collect()
}

/// A share as the report prints it: one decimal, dropped when whole.
fn as_printed(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}%")
    } else {
        format!("{r:.1}%")
    }
}

/// Literal text that follows `{id.total}` in the spec's text sections, up to the next
/// placeholder or sentence end: printed only when the sentence is.
fn sentence_fragments(spec: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(crate::util::repo().join(spec)).expect("spec");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(".total}") {
        let open = rest[..start].rfind('{').expect("placeholder");
        let id = rest[open + 1..start].to_string();
        let after = &rest[start + ".total}".len()..];
        let end = after.find(['{', '.', '\n']).unwrap_or(after.len());
        let fragment = after[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        if fragment.len() >= 8 {
            out.push((id, fragment));
        }
        rest = after;
    }
    out
}

#[test]
fn every_spec_reads_true_for_every_subject() {
    let dir = tempfile::tempdir().unwrap();
    let shares = share_indicators();
    let by_kind: BTreeMap<&str, BTreeMap<(String, String), f64>> =
        [("organisation", period_figures("organisation")), ("programme", period_figures("programme"))]
            .into_iter()
            .collect();
    // The samples are consistent (sub-counts within their totals, follow-ups after
    // their events, cohort rates): every share on them lies in 0–100%.
    for (kind, figures) in &by_kind {
        for ((subject, id), v) in figures.iter().filter(|((_, id), _)| shares.contains(id)) {
            assert!((0.0..=100.0).contains(v), "{kind} {subject}: {id} = {v}%");
        }
    }
    let mut flagged = 0;
    let mut rendered = 0;
    let mut refused = 0;
    for (spec, extra) in specs() {
        for each in [None, Some("organisation"), Some("programme")] {
            let Some(r) = render(dir.path(), spec, &extra, each) else {
                refused += 1;
                continue;
            };
            for (subject, text) in &r.texts {
                rendered += 1;
                let what = format!("{spec} {each:?} {subject}");
                // Marks are explained on the page where they stand.
                for (mark, explanation) in [
                    ("<5", "a count of 1 to 4 people"),
                    ("[c]", "it may be any count, large or small"),
                    ("[r]", "a rate withheld because a count"),
                    ("[p]", "a mean, minimum or maximum over fewer than"),
                    ("%*", "Outside 0–100%"),
                ] {
                    // Explained at the page's foot, or in the sentence that says what it is.
                    if text.contains(mark) {
                        let said = text.contains(explanation) || text.contains(&format!("shown as {mark}"));
                        assert!(said, "{what}: `{mark}` without its explanation");
                    }
                }
                let Some(kind) = each else { continue };
                let figures = &by_kind[kind];
                // A share above 100% is never printed as a plain share.
                for id in &shares {
                    let Some(v) = figures.get(&(subject.clone(), id.clone())).filter(|v| **v > 100.0) else { continue };
                    let printed = as_printed(*v);
                    for (at, _) in text.match_indices(&printed) {
                        let next = text[at + printed.len()..].chars().next();
                        assert_eq!(next, Some('*'), "{what}: {id} = {printed} printed as a plain share");
                        flagged += 1;
                    }
                }
                // No sentence about an indicator the subject has no records for.
                for (id, fragment) in sentence_fragments(spec) {
                    if !figures.contains_key(&(subject.clone(), id.clone())) {
                        assert!(!text.contains(&fragment), "{what}: says `{fragment}` but has no {id} records");
                        assert!(!text.contains(&format!(" 0{fragment}")), "{what}: 0 printed for {id}");
                    }
                }
                // Every chart with a withheld figure carries its mark.
                let folder = std::fs::read_dir(r.figures.join(subject))
                    .unwrap_or_else(|e| panic!("{what}: no figures folder for {subject}: {e}"));
                for entry in folder {
                    let path = entry.expect("entry").path();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    if !name.ends_with("-chart.csv") {
                        continue;
                    }
                    let rows = csv_rows(&std::fs::read_to_string(&path).unwrap());
                    let Some(col) = rows[0].iter().position(|h| h == "withheld") else { continue };
                    for mark in rows[1..].iter().map(|r| &r[col]).filter(|m| !m.is_empty()) {
                        for m in mark.split(' ') {
                            assert!(
                                text.contains(m),
                                "{what}: chart {name} withholds `{m}` but the PDF does not show it"
                            );
                        }
                    }
                }
            }
        }
    }
    eprintln!("rendered {rendered} reports, {flagged} shares above 100% flagged, {refused} pairings refused");
    assert!(rendered > 30, "only {rendered} reports rendered");
    assert_eq!(flagged, 0, "the samples have no share above 100%");
    assert!(refused < 6, "{refused} pairings refused");
}

#[test]
fn every_valued_outcome_has_its_proxy_source_in_the_appendix() {
    let dir = tempfile::tempdir().unwrap();
    let r = render(
        dir.path(),
        "reports/funder.toml",
        // The test proxies value six outcomes, three of one chain (the shipped open set
        // values only two, neither in a chain).
        &[
            "--targets",
            "samples/targets.csv",
            "--assumptions",
            "samples/assumptions.toml",
            "--proxies",
            "tests/fixtures/proxies",
        ],
        Some("programme"),
    )
    .expect("funder by programme renders");
    let run = impact(&[
        "value",
        "samples/outcomes.csv",
        "--by",
        "programme",
        "--from",
        "2024-04-01",
        "--to",
        "2025-03-31",
        "--assumptions",
        "samples/assumptions.toml",
        "--impact-map",
        "--format",
        "csv",
        "--no-suppress",
        "--proxies",
        "tests/fixtures/proxies",
    ])
    .ok();
    // Sources contain commas: read the CSV properly.
    let mut reader = run.stdout.lines();
    let head: Vec<&str> = reader.next().expect("header").split(',').collect();
    let group_at = head.iter().position(|h| *h == "programme").expect("programme column");
    let source_at = head.iter().position(|h| *h == "proxy_source").expect("proxy_source column");
    assert_eq!(source_at, head.len() - 1, "proxy_source is the last column, so it can be split off");
    let mut checked = 0;
    for line in reader {
        let cells: Vec<&str> = line.splitn(head.len(), ',').collect();
        let (group, source) = (cells[group_at], cells[source_at].trim_matches('"'));
        let Some(text) = r.texts.get(group) else { continue };
        let source: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&source), "{group}: proxy source `{source}` missing from the appendix");
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} valued outcomes checked");
    // EMP-FWD values job starts, jobs sustained and benefit claims ended: three steps
    // of the library's "into_work" chain for the same people, so the report warns.
    let emp = &r.texts["EMP-FWD"];
    let warning = &emp[emp.find("Possible double counting:").expect("a double-counting warning")..];
    let warning = &warning[..warning.find("for the same people").expect("says why")];
    for step in ["Participants starting paid work", "Jobs sustained 26 weeks", "Out-of-work benefit claims ended"] {
        assert!(warning.contains(step), "{step} not named in: {warning}");
    }
    assert!(emp.contains("Gross value in the first year"), "gross value says it is one year's");
    assert!(emp.contains("ranges from £"), "the SROI ratio carries its sensitivity range");
    // Each valued outcome's proxy says its price year and its licence (or that none is stated).
    assert!(emp.matches("Financial proxy used:").count() >= 6, "{emp}");
    assert!(
        emp.matches("licence:").count() >= emp.matches("Financial proxy used:").count(),
        "a proxy without its licence: {emp}"
    );
    assert!(emp.contains("prices; source:") || emp.contains("prices); source:"), "{emp}");
}

#[test]
fn rejected_records_are_accounted_for_in_every_pack() {
    // Three invalid records: one of ORG02's in the period, one naming no organisation,
    // one of ORG02's before the period.
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(crate::util::repo().join("samples/outcomes.csv")).unwrap();
    text.push_str("X1,ORG02,EMP-FWD,jobs_created,2024-06-01,lots,,,,,,,\n");
    text.push_str("X2,,EMP-FWD,jobs_created,2024-07-01,2,,,,,,,\n");
    text.push_str("X3,ORG02,EMP-FWD,jobs_created,2022-07-01,many,,,,,,,\n");
    let data = write(dir.path(), "bad.csv", &text);
    let out = dir.path().join("packs");
    let run = impact(&[
        "report",
        "reports/board.toml",
        "--data",
        s(&data),
        "--each",
        "organisation",
        "--out-dir",
        s(&out),
        "--skip-invalid",
    ])
    .ok();
    assert!(run.stderr.contains("3 invalid record(s) left out"), "{}", run.stderr);
    for (stem, rejected_here) in [("ORG02", "1"), ("ORG04", "0")] {
        let t = pdf_text(&out.join(format!("{stem}.pdf")));
        let after = &t[t.find("Records rejected by validation").expect("data quality")
            + "Records rejected by validation".len()..];
        assert_eq!(after.split_whitespace().next(), Some(rejected_here), "{stem}: {after}");
        assert!(t.contains("In all, 3 records in the data were rejected"), "{stem}: {t}");
        assert!(t.contains("1 in the period that name no organisation and so belong to no report"), "{stem}: {t}");
    }
}

#[test]
fn withheld_figures_are_marked_not_dropped() {
    // ORG02's chart of people by beneficiary group: whatever is withheld is marked on
    // the chart, and a figure withheld only to protect another never prints "<5".
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("org02.pdf");
    let figures = dir.path().join("figures");
    let mut args = vec![
        "report",
        "reports/board.toml",
        "--data",
        "samples/outcomes.csv",
        "--subject",
        "ORG02",
        "--out",
        s(&out),
        "--figures-dir",
        s(&figures),
    ];
    args.extend_from_slice(&NAMES);
    impact(&args).ok();
    let text = pdf_text(&out);
    // Each figure the aggregate withholds as secondary must not be printed as "<5":
    // its table file says why each figure is withheld.
    let mut secondary = 0;
    for entry in std::fs::read_dir(figures.join("ORG02")).unwrap() {
        let path = entry.unwrap().path();
        let rows = csv_rows(&std::fs::read_to_string(&path).unwrap_or_default());
        let (Some(w), Some(v)) =
            (rows[0].iter().position(|h| h == "withheld"), rows[0].iter().position(|h| h == "value"))
        else {
            continue;
        };
        if rows[0].iter().any(|h| h == "category") {
            continue;
        }
        for r in &rows[1..] {
            if !r[w].is_empty() {
                assert!(r[v].is_empty(), "{}: a withheld figure's value is published: {r:?}", path.display());
                let records = rows[0].iter().position(|h| h == "records").unwrap();
                assert!(
                    r[records].is_empty(),
                    "{}: a withheld figure's record count is published: {r:?}",
                    path.display()
                );
            }
            secondary += usize::from(r[w] == "secondary");
        }
    }
    if secondary > 0 {
        assert!(text.contains("[c]"), "secondary figures are marked [c]");
    }
    // The internal marking only appears when small numbers are not withheld.
    assert!(!text.contains("Internal: small numbers not withheld"));
    let internal = dir.path().join("internal.pdf");
    let mut args = vec![
        "report",
        "reports/board.toml",
        "--data",
        "samples/outcomes.csv",
        "--subject",
        "ORG02",
        "--out",
        s(&internal),
        "--no-suppress",
    ];
    args.extend_from_slice(&NAMES);
    impact(&args).ok();
    let doc = lopdf::Document::load(&internal).unwrap();
    for (n, _) in doc.get_pages() {
        let page = doc.extract_text(&[n]).unwrap();
        assert!(page.contains("Internal: small numbers not withheld"), "page {n} lacks the marking");
    }
}

#[test]
fn a_threshold_under_two_is_refused_with_the_way_to_publish_everything() {
    let run = impact(&["aggregate", "samples/outcomes.csv", "--suppress-below", "1"]).expect_code(2);
    assert!(run.stderr.contains("--suppress-below"), "{}", run.stderr);
    assert!(run.stderr.contains("2.."), "{}", run.stderr);
}

#[test]
fn groups_spelt_two_ways_are_not_two_identical_legend_entries() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,programme,indicator,date,value,participant,beneficiary_group\n");
    for (i, group) in
        ["long_term_unemployed", "long term unemployed", "young_person"].iter().cycle().take(60).enumerate()
    {
        d.push_str(&format!("A,P1,employability_participants,2024-05-01,1,p{i},{group}\n"));
    }
    let data = write(dir.path(), "d.csv", &d);
    let spec = write(
        dir.path(),
        "s.toml",
        "title = \"T\"\naudience = \"A\"\nsubject = \"organisation\"\nperiod = { financial_year = \"2024-25\" }\nindicators = [\"employability_participants\"]\n\
         [[section]]\nkind = \"chart\"\ntitle = \"By group\"\nchart = \"stacked_bar\"\nindicator = \"employability_participants\"\nby = \"financial_year\"\nstack = \"beneficiary_group\"\n",
    );
    let out = dir.path().join("a.pdf");
    impact(&["report", s(&spec), "--data", s(&data), "--subject", "A", "--out", s(&out)]).ok();
    let text = pdf_text(&out);
    assert!(text.contains("\"long_term_unemployed\"") && text.contains("\"long term unemployed\""), "{text}");
    assert!(text.contains("young person"), "an unambiguous group keeps its readable name: {text}");
    assert!(text.contains("differ only in spacing or underscores"), "{text}");
}

/// Data whose part exceeds its whole (6 people improved of 5 assessed) give a rate of
/// 6 ÷ 5 × 100 = 120%: the report flags it, never shows it as a plain share, and says
/// why at the foot of the page; `validate` warns of the group.
#[test]
fn a_share_above_100_is_flagged_where_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,programme,indicator,date,value,participant\n");
    for i in 0..6 {
        d.push_str(&format!("A,P1,wellbeing_improved,2024-05-01,1,p{i}\n"));
    }
    for i in 0..5 {
        d.push_str(&format!("A,P1,wellbeing_assessed,2024-05-01,1,p{i}\n"));
    }
    let t = kpi_text(dir.path(), &d, "wellbeing_improvement_rate", &[]);
    let data = dir.path().join("d.csv");
    assert!(t.contains("120%*"), "{t}");
    assert!(!t.contains("120% "), "{t}");
    assert!(t.contains("Outside 0–100%"), "{t}");
    let v = impact(&["validate", s(&data)]).ok().stdout;
    assert!(v.contains("wellbeing_improved (6) is more than wellbeing_assessed (5)"), "{v}");
}

/// A cohort rate whose people are all inside their follow-up window has no rate yet:
/// its tile says "Not yet due" (not "Not recorded", not 0%) and how many people wait;
/// with some people due, the rate is of them and the tile still counts the rest.
#[test]
fn a_cohort_rate_not_yet_due_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,indicator,date,value,participant\n");
    for i in 0..6 {
        d.push_str(&format!("A,jobs_created,2025-01-10,1,p{i}\n"));
    }
    let t = kpi_text(dir.path(), &d, "job_sustainment_rate_26w", &[]);
    // Six job starts on 2025-01-10, the latest date in the data: every 200-day window is open.
    assert!(t.contains("Not yet due"), "{t}");
    assert!(t.contains("6 people not yet due"), "{t}");
    assert!(!t.contains("Not recorded") && !t.contains("0%"), "{t}");
    // Five more who started in April 2024 (windows closed by 2025-01-10), three of them
    // sustained: 3 ÷ 5 × 100 = 60%, with the six still not yet due.
    for i in 0..5 {
        d.push_str(&format!("A,jobs_created,2024-04-02,1,q{i}\n"));
        if i < 3 {
            d.push_str(&format!("A,jobs_sustained_26w,2024-10-01,1,q{i}\n"));
        }
    }
    let t = kpi_text(dir.path(), &d, "job_sustainment_rate_26w", &["--no-suppress"]);
    assert!(t.contains("60%"), "{t}");
    assert!(t.contains("6 people not yet due"), "{t}");
}

/// One KPI tile of `indicator` for organisation A of `data` (2024-25), as the PDF's text.
fn kpi_text(dir: &Path, data: &str, indicator: &str, extra: &[&str]) -> String {
    let data = write(dir, "d.csv", data);
    let spec = write(
        dir,
        "s.toml",
        &format!(
            "title = \"T\"\naudience = \"A\"\nsubject = \"organisation\"\nperiod = {{ financial_year = \"2024-25\" }}\n\
             indicators = [\"{indicator}\"]\n[[section]]\nkind = \"kpis\"\nindicators = [\"{indicator}\"]\n"
        ),
    );
    let out = dir.join("a.pdf");
    let mut args = vec!["report", s(&spec), "--data", s(&data), "--subject", "A", "--out", s(&out)];
    args.extend_from_slice(extra);
    impact(&args).ok();
    pdf_text(&out)
}
