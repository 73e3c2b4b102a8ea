//! An attacker with one published report tries to recover withheld counts by adding
//! and subtracting its figures: a year and its financial quarters, a year's total and
//! its programmes, a figure printed in two tables. None may be recovered.

use std::collections::BTreeMap;
use std::path::Path;

use impactkit::data::{self, CheckOptions};
use impactkit::indicator::Library;
use impactkit::report::figures::Figures;
use impactkit::report::need::{Need, SpanKey};
use impactkit::report::Spec;
use proptest::prelude::*;

use crate::util::{impact, pdf_text, s, write};

/// KPI totals for the year, a chart by financial quarter and one by financial year
/// (both every record to date), and tables by programme, beneficiary group and area:
/// six linked tables.
const SPEC: &str = r#"
title = "T"
audience = "A"
subject = "organisation"
period = { financial_year = "2024-25" }
indicators = ["jobs_created"]

[[section]]
kind = "kpis"
indicators = ["jobs_created"]

[[section]]
kind = "chart"
title = "By quarter"
chart = "line"
indicators = ["jobs_created"]
by = "financial_quarter"
span = "to_date"

[[section]]
kind = "chart"
title = "By year"
chart = "bar"
indicator = "jobs_created"
by = "financial_year"
span = "to_date"

[[section]]
kind = "table"
title = "By programme"
by = ["programme"]
indicators = ["jobs_created"]

[[section]]
kind = "table"
title = "By group"
by = ["beneficiary_group"]
indicators = ["jobs_created"]

[[section]]
kind = "table"
title = "By area"
by = ["area"]
indicators = ["jobs_created"]
"#;

fn library() -> Library {
    Library::load(&crate::util::repo().join("indicators")).expect("library")
}

/// (organisation, programme, date, count of job starts) → records, one per job start.
fn csv(cells: &[(&str, &str, &str, u32)]) -> String {
    csv_in_places(&cells.iter().map(|(o, p, d, n)| (*o, *p, *d, *n, "g1", "S1")).collect::<Vec<_>>())
}

/// The same with each cell's beneficiary group and area.
fn csv_in_places(cells: &[(&str, &str, &str, u32, &str, &str)]) -> String {
    let mut d = String::from("organisation,programme,indicator,date,value,beneficiary_group,area\n");
    for (org, prog, date, n, group, area) in cells {
        for _ in 0..*n {
            d.push_str(&format!("{org},{prog},jobs_created,{date},1,{group},{area}\n"));
        }
    }
    d
}

fn figures_of(dir: &Path, data: &str) -> (Figures, Vec<String>) {
    let lib = library();
    let spec_path = write(dir, "s.toml", SPEC);
    let spec = Spec::load(&spec_path, &lib).expect("spec");
    let window = spec.window().unwrap();
    let path = write(dir, "d.csv", data);
    let opts = CheckOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), ..CheckOptions::default() };
    let (valid, _) = data::split_valid(data::load(&[path], &lib, None, &opts).expect("load")).expect("valid");
    let f = impactkit::report::figures_from_records(&spec, &window, &valid.records, None, &lib, None, Some(5))
        .expect("figures");
    let subjects = f.subjects.clone();
    (f, subjects)
}

/// A published figure: Some(value), or None where the report prints a mark.
type Published = Option<f64>;

/// Everything the report publishes about job starts for one subject, by the
/// attacker's own reading: the year total, each year, each quarter, each programme.
struct Release {
    total: Published,
    years: BTreeMap<String, Published>,
    quarters: BTreeMap<String, Published>,
    programmes: BTreeMap<String, Published>,
    groups: BTreeMap<String, Published>,
    areas: BTreeMap<String, Published>,
}

fn release(f: &Figures, subject: &str) -> Release {
    let read = |dims: &[&str], span: SpanKey| -> BTreeMap<String, Published> {
        let need = Need { dims: dims.iter().map(|d| d.to_string()).collect(), span };
        f.rows(&need, subject)
            .iter()
            .filter(|r| r.indicator == "jobs_created")
            .map(|r| (r.keys.last().cloned().unwrap_or_default(), r.value))
            .collect()
    };
    Release {
        total: read(&["financial_year"], SpanKey::Period).into_values().next().flatten(),
        years: read(&["financial_year"], SpanKey::ToDate),
        quarters: read(&["financial_quarter"], SpanKey::ToDate),
        programmes: read(&["programme"], SpanKey::Period),
        groups: read(&["beneficiary_group"], SpanKey::Period),
        areas: read(&["area"], SpanKey::Period),
    }
}

/// The attack: in every published sum (a total and its parts) with exactly one
/// figure withheld, that figure is the total minus (or the sum of) the rest.
/// Returns every (what, value) it recovers.
fn attack(r: &Release) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    let mut solve = |what: &str, total: Published, parts: Vec<(String, Published)>| {
        let unknown: Vec<&(String, Published)> = parts.iter().filter(|p| p.1.is_none()).collect();
        let known: f64 = parts.iter().filter_map(|p| p.1).sum();
        match (total, unknown.as_slice()) {
            (Some(t), [one]) => found.push((format!("{what}: {}", one.0), t - known)),
            (None, []) if !parts.is_empty() => found.push((format!("{what}: total"), known)),
            _ => {}
        }
    };
    // The year's total: its programmes, groups, areas, and its quarters.
    solve("programmes of the year", r.total, r.programmes.iter().map(|(k, v)| (k.clone(), *v)).collect());
    solve("groups of the year", r.total, r.groups.iter().map(|(k, v)| (k.clone(), *v)).collect());
    solve("areas of the year", r.total, r.areas.iter().map(|(k, v)| (k.clone(), *v)).collect());
    let this_year: Vec<(String, Published)> =
        r.quarters.iter().filter(|(k, _)| k.starts_with("2024-25")).map(|(k, v)| (k.clone(), *v)).collect();
    solve("quarters of the year", r.total, this_year);
    // Each year of the yearly chart: its quarters; the period's year is the KPI total.
    for (year, value) in &r.years {
        let quarters: Vec<(String, Published)> =
            r.quarters.iter().filter(|(k, _)| k.starts_with(year.as_str())).map(|(k, v)| (k.clone(), *v)).collect();
        solve(&format!("quarters of {year}"), *value, quarters);
        if year == "2024-25" {
            solve("the year in two tables", *value, vec![("KPI".into(), r.total)]);
            solve("the year in two tables", r.total, vec![("chart".into(), *value)]);
        }
    }
    found
}

#[test]
fn a_year_minus_its_visible_quarters_does_not_give_a_withheld_quarter() {
    // The case from the issue: 25 job starts in 2024-25, quarters 10, 3, 12 and none;
    // the year total, the yearly chart and the quarterly chart are in one report.
    let dir = tempfile::tempdir().unwrap();
    let data = csv(&[
        ("A", "P1", "2024-05-01", 10),
        ("A", "P1", "2024-08-01", 3),
        ("A", "P2", "2024-11-01", 12),
        ("A", "P1", "2023-06-01", 30),
        ("A", "P2", "2023-09-01", 40),
    ]);
    let (f, _) = figures_of(dir.path(), &data);
    let r = release(&f, "A");
    assert_eq!(r.quarters.get("2024-25 Q2"), Some(&None), "the 3 is withheld");
    let found = attack(&r);
    assert!(found.is_empty(), "recovered: {found:?}");
    // And through what the command publishes: the batch's --figures-dir files, read
    // back as an attacker would, give nothing either, and the PDF marks the 3.
    let spec = write(dir.path(), "s.toml", SPEC);
    let d = write(dir.path(), "d.csv", &data);
    let out = dir.path().join("packs");
    let figures = dir.path().join("figures");
    impact(&[
        "report",
        s(&spec),
        "--data",
        s(&d),
        "--each",
        "organisation",
        "--out-dir",
        s(&out),
        "--figures-dir",
        s(&figures),
    ])
    .ok();
    let published = release_from_files(&figures, "A");
    assert_eq!(published.quarters.get("2024-25 Q2"), Some(&None), "the file leaves the 3 empty");
    assert_eq!(published.total, r.total, "the files hold the figures the report computed");
    let found = attack(&published);
    assert!(found.is_empty(), "recovered from the published files: {found:?}");
    let text = pdf_text(&out.join("A.pdf"));
    assert!(text.contains("<5"), "{text}");
}

/// The same release read back from the `--figures-dir` files a batch publishes: the
/// KPI table, the two charts' tables and the programme table.
fn release_from_files(dir: &Path, subject: &str) -> Release {
    let file = |suffix: &str| -> Vec<Vec<String>> {
        // A subject's files are in a folder of its own.
        let path = std::fs::read_dir(dir.join(subject))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix} file for {subject} in {}", dir.display()));
        crate::util::csv_rows(&std::fs::read_to_string(path).unwrap())
    };
    let number = |cell: &str| -> Published { cell.parse().ok() };
    let column = |rows: &[Vec<String>], name: &str| {
        rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {:?}", rows[0]))
    };
    // A chart's table: category, then one column per series (here the one indicator).
    let chart = |suffix: &str| -> BTreeMap<String, Published> {
        let rows = file(suffix);
        rows[1..].iter().map(|r| (r[0].clone(), number(&r[1]))).collect()
    };
    // A table section's file: its dimension's value → the figure.
    let table = |suffix: &str, dim: &str| -> BTreeMap<String, Published> {
        let rows = file(suffix);
        let (d, v) = (column(&rows, dim), column(&rows, "value"));
        rows[1..].iter().map(|r| (r[d].clone(), number(&r[v]))).collect()
    };
    let kpis = file("kpis.csv");
    let kv = column(&kpis, "value");
    Release {
        total: kpis[1..].iter().find(|r| r.contains(&"jobs_created".to_string())).and_then(|r| number(&r[kv])),
        years: chart("by-year-chart.csv"),
        quarters: chart("by-quarter-chart.csv"),
        programmes: table("04-table.csv", "programme"),
        groups: table("05-table.csv", "beneficiary_group"),
        areas: table("06-table.csv", "area"),
    }
}

fn cell() -> impl Strategy<Value = (usize, usize, usize, u32, usize, usize)> {
    // organisation, programme, quarter (0..8 over two years), job starts (mostly
    // small), beneficiary group, area
    (0usize..2, 0usize..3, 0usize..8, prop_oneof![3 => 1u32..5, 1 => 5u32..30], 0usize..3, 0usize..2)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24), ..ProptestConfig::default() })]

    /// Random small datasets: no sum the report publishes has exactly one withheld figure.
    #[test]
    fn no_withheld_count_is_recovered_from_one_report(cells in proptest::collection::vec(cell(), 1..14)) {
        let orgs = ["A", "B"];
        let progs = ["P1", "P2", "P3"];
        let dates = ["2023-05-01", "2023-08-01", "2023-11-01", "2024-02-01", "2024-05-01", "2024-08-01", "2024-11-01", "2025-02-01"];
        let (groups, areas) = (["long_term_unemployed", "disabled", "young_person"], ["S1", "S2"]);
        let rows: Vec<(&str, &str, &str, u32, &str, &str)> =
            cells.iter().map(|(o, p, q, n, g, a)| (orgs[*o], progs[*p], dates[*q], *n, groups[*g], areas[*a])).collect();
        let dir = tempfile::tempdir().unwrap();
        let (f, subjects) = figures_of(dir.path(), &csv_in_places(&rows));
        for subject in subjects {
            let r = release(&f, &subject);
            let found = attack(&r);
            prop_assert!(found.is_empty(), "{subject}: recovered {found:?} from {rows:?}");
        }
    }
}

#[test]
fn rankings_and_commitments_withhold_small_counts_and_what_gives_them_back() {
    // Programme P1 has 3 job starts, P2 40 and P3 25; each had £10,000. The ranking
    // must not print 3, nor 3 per £10k, nor £3,333 per outcome; P3's 25 goes too, or
    // the three peers' total would give the 3 back. A contract delivered 2 local jobs.
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        &csv(&[
            ("A", "P1", "2024-05-01", 3),
            ("B", "P2", "2024-06-01", 40),
            ("C", "P3", "2024-07-01", 25),
            ("A", "P1", "2024-05-02", 0),
        ]),
    );
    let progs = write(
        dir.path(),
        "p.csv",
        "id,name,start,end,investment\nP1,One,2024-04-01,2025-03-31,10000\nP2,Two,2024-04-01,2025-03-31,10000\nP3,Three,2024-04-01,2025-03-31,10000\n",
    );
    let out = dir.path().join("c.pdf");
    let figures = dir.path().join("fig");
    impact(&[
        "report",
        "reports/compare.toml",
        "--data",
        s(&data),
        "--programmes",
        s(&progs),
        "--out",
        s(&out),
        "--figures-dir",
        s(&figures),
    ])
    .ok();
    let text = pdf_text(&out);
    let words: Vec<&str> = text.split_whitespace().collect();
    assert!(words.contains(&"<5") && words.contains(&"[c]") && words.contains(&"[r]"), "{text}");
    assert!(!text.contains("£3,333") && !text.contains("3.00"), "a figure derived from the 3 is printed: {text}");
    let joined = words.join(" ");
    assert!(!joined.contains("Three 25"), "P3's 25 would give the 3 back from the peers' total: {joined}");
    let mut rankings = 0;
    for entry in std::fs::read_dir(&figures).unwrap() {
        let path = entry.unwrap().path();
        let body = std::fs::read_to_string(&path).unwrap();
        assert!(!body.contains("3333"), "{body}");
        if path.to_string_lossy().contains("ranking") && body.contains("jobs_created") {
            let rows = crate::util::csv_rows(&body);
            let value = rows[0].iter().position(|h| h == "value").expect("value column");
            let groups = if rows[0][0] == "programme" { ["P1", "P3"] } else { ["A", "C"] };
            for group in groups {
                let row = rows.iter().find(|r| r[0] == group).unwrap_or_else(|| panic!("{group} in {body}"));
                assert!(row[value].is_empty(), "{group}'s count is published in {}: {body}", path.display());
            }
            rankings += 1;
        }
    }
    assert!(rankings > 0, "a ranking table was checked");

    let commitments = write(
        dir.path(),
        "cbc.csv",
        "contract,supplier,programme,indicator,committed,start,due,contract_value\nK1,A,P1,jobs_created,12,2024-04-01,2025-03-31,100000\n",
    );
    let out = dir.path().join("k.pdf");
    let figures = dir.path().join("kfig");
    impact(&[
        "report",
        "reports/cbc.toml",
        "--data",
        s(&data),
        "--commitments",
        s(&commitments),
        "--out",
        s(&out),
        "--figures-dir",
        s(&figures),
        "--proxies",
        "tests/fixtures/proxies",
    ])
    .ok();
    let text = pdf_text(&out);
    // 3 of 12 delivered: neither the 3 nor 25% is printed; the contract's social value
    // (3 × the proxy) is not shown.
    assert!(text.contains("<5") && !text.contains("25%"), "{text}");
    assert!(text.contains("social value not shown"), "{text}");
    for entry in std::fs::read_dir(&figures).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("commitments") && !path.to_string_lossy().ends_with("-chart.csv") {
            let rows = crate::util::csv_rows(&std::fs::read_to_string(&path).unwrap());
            let delivered = rows[0].iter().position(|h| h == "delivered").unwrap();
            assert!(rows[1..].iter().all(|r| r[delivered].is_empty()), "{rows:?}");
        }
    }
}

#[test]
fn record_counts_and_shares_of_a_few_records_are_withheld() {
    // Organisation A has 3 records in the period: "Based on 3 outcome records", and
    // completeness shares of 3 records (33%, 67%), would tell how many people there are.
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,programme,indicator,date,value,area\nA,P1,volunteer_hours,2024-05-01,7,S1\nA,P1,volunteer_hours,2024-06-01,8,\nA,P1,volunteer_hours,2024-07-01,9,\n",
    );
    let spec = write(
        dir.path(),
        "s.toml",
        "title = \"T\"\naudience = \"A\"\nsubject = \"organisation\"\nperiod = { financial_year = \"2024-25\" }\nindicators = [\"volunteer_hours\"]\n\
         [[section]]\nkind = \"table\"\ntitle = \"By programme\"\nby = [\"programme\"]\nindicators = [\"volunteer_hours\"]\n[[section]]\nkind = \"data_quality\"\n",
    );
    let out = dir.path().join("a.pdf");
    let figures = dir.path().join("fig");
    impact(&["report", s(&spec), "--data", s(&data), "--subject", "A", "--out", s(&out), "--figures-dir", s(&figures)])
        .ok();
    let text = pdf_text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Based on <5 outcome records"), "{text}");
    assert!(text.contains("Records used <5"), "{text}");
    assert!(!text.contains("33%") && !text.contains("67%"), "{text}");
    // The hours themselves (24) are not a count of people and stand.
    assert!(text.contains("24"), "{text}");
    for entry in std::fs::read_dir(figures.join("A")).unwrap() {
        let body = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!body.contains(",3,") && !body.contains("0.33"), "{body}");
    }
}

/// The cells a CSV table withholds: (its key column's value, indicator) → the
/// `withheld` reason, for the rows that give one, with the figure columns empty.
fn withheld_cells(text: &str, key: &str) -> std::collections::BTreeMap<(String, String), String> {
    let rows = crate::util::csv_rows(text);
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {:?}", rows[0]));
    let (k, i, w) = (at(key), at("indicator"), at("withheld"));
    rows[1..].iter().filter(|r| !r[w].is_empty()).map(|r| ((r[k].clone(), r[i].clone()), r[w].clone())).collect()
}

/// Each privacy rule for a derived figure has one home, used by the command's table
/// and by the report's: `impact compare`, `impact value` and `impact commitments`
/// withhold the same cells as a report's ranking, social value and commitments
/// tables, for the same inputs.
#[test]
fn commands_and_reports_withhold_the_same_derived_cells() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // P1 has 3 job starts (a count of people under 5), P2 and P3 more; supplier A
    // delivered 3 of 10 jobs committed.
    let mut rows = String::from("organisation,programme,indicator,date,value,participant\n");
    for (programme, org, n) in [("P1", "A", 3), ("P2", "B", 12), ("P3", "C", 30)] {
        for k in 0..n {
            rows.push_str(&format!("{org},{programme},jobs_created,2024-06-{:02},1,{programme}-{k}\n", k % 28 + 1));
        }
    }
    let data = write(d, "d.csv", &rows);
    let programmes = write(
        d,
        "p.csv",
        "id,name,start,end,investment\nP1,One,2024-04-01,2025-03-31,10000\nP2,Two,2024-04-01,2025-03-31,20000\nP3,Three,2024-04-01,2025-03-31,30000\n",
    );
    let commitments =
        write(d, "c.csv", "contract,supplier,indicator,committed,start,due,contract_value\nK1,A,jobs_created,10,2024-04-01,2025-03-31,5000\n");
    // A proxy for job starts, so that they are valued.
    std::fs::create_dir(d.join("proxies")).unwrap();
    write(
        &d.join("proxies"),
        "p.toml",
        "[[proxy]]\nindicator = \"jobs_created\"\nvalue = 1000\ncurrency = \"GBP\"\nprice_year = 2024\nsource = \"test\"\ndeadweight = 0.1\nattribution = 0.1\nadjustments = \"test\"\n",
    );
    let proxies = d.join("proxies");
    let period = ["--from", "2024-04-01", "--to", "2025-03-31"];
    let run = |args: &[&str]| impact(args).ok().stdout;
    // Peers ranked per £10k.
    let mut compare =
        vec!["compare", s(&data), "--programmes", s(&programmes), "--indicator", "jobs_created", "--format", "csv"];
    compare.extend(period);
    let cli = withheld_cells(&run(&compare), "programme");
    assert!(!cli.is_empty(), "P1's 3 is withheld");
    let spec = write(
        d,
        "rank.toml",
        "title = \"R\"\naudience = \"A\"\nsubject = \"all\"\nperiod = { financial_year = \"2024-25\" }\nindicators = []\n\
         [[section]]\nkind = \"ranking\"\nindicator = \"jobs_created\"\n\
         [[section]]\nkind = \"commitments\"\n",
    );
    let figures = d.join("rank-figures");
    run(&[
        "report",
        s(&spec),
        "--data",
        s(&data),
        "--programmes",
        s(&programmes),
        "--commitments",
        s(&commitments),
        "--out",
        s(&d.join("r.pdf")),
        "--figures-dir",
        s(&figures),
    ]);
    let report = withheld_cells(&std::fs::read_to_string(figures.join("01-ranking.csv")).unwrap(), "programme");
    assert_eq!(cli, report, "compare and the ranking");
    // Commitments.
    let cli = withheld_cells(
        &run(&["commitments", "--commitments", s(&commitments), s(&data), "--format", "csv"]),
        "contract",
    );
    assert!(!cli.is_empty(), "A's 3 delivered is withheld");
    let report = withheld_cells(&std::fs::read_to_string(figures.join("02-commitments.csv")).unwrap(), "contract");
    assert_eq!(cli, report, "commitments and the register");
    // Social value: P1's 3 jobs valued, in a programme report and in `impact value`.
    let mut value =
        vec!["--proxies", s(&proxies), "value", s(&data), "--programmes", s(&programmes), "--format", "csv"];
    value.extend(period);
    let cli = withheld_cells(&run(&value), "programme");
    assert!(cli.contains_key(&("P1".to_string(), "jobs_created".to_string())), "{cli:?}");
    let spec = write(
        d,
        "value.toml",
        "title = \"V\"\naudience = \"A\"\nsubject = \"programme\"\nperiod = { financial_year = \"2024-25\" }\nindicators = []\n\
         [[section]]\nkind = \"social_value\"\n",
    );
    let figures = d.join("value-figures");
    run(&[
        "--proxies",
        s(&proxies),
        "report",
        s(&spec),
        "--data",
        s(&data),
        "--programmes",
        s(&programmes),
        "--each",
        "programme",
        "--out-dir",
        s(&d.join("v")),
        "--figures-dir",
        s(&figures),
    ]);
    let mut report = std::collections::BTreeMap::new();
    for p in ["P1", "P2", "P3"] {
        report.extend(withheld_cells(
            &std::fs::read_to_string(figures.join(p).join("01-social-value.csv")).unwrap(),
            "programme",
        ));
    }
    // Each report is about one programme, where the command's table holds all three:
    // what the command withholds only to protect another programme's count (P2's
    // secondary count and the totals built on it) is the one-programme report's to
    // publish. P1's own cells, withheld for its own small count, are the same.
    let cli_small: std::collections::BTreeMap<_, _> = cli.into_iter().filter(|((p, _), _)| p == "P1").collect();
    let report_small: std::collections::BTreeMap<_, _> = report.into_iter().filter(|((p, _), _)| p == "P1").collect();
    assert_eq!(cli_small.len(), 2, "P1's quantity and its total: {cli_small:?}");
    assert_eq!(cli_small, report_small, "value and the social value section");
}
