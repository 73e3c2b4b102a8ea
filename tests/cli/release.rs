//! Documents published together protect each other. An attacker holding every table a
//! release publishes (its `published.csv`: every count of people any document prints,
//! with its indicator, fields and days) works out, by their own reading of those keys,
//! every sum that ties them (a cell less one field within that cell, periods within a
//! period), and then bounds every withheld count by integer linear programming over all
//! of them at once. Nothing may be recovered from a release; from the same documents
//! made one command at a time (each protected on its own), something is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable};
use impactkit::indicator::{Library, RollUp};
use proptest::prelude::*;

use crate::util::{csv_rows, impact, impact_in, listing, s, sample_project, write, SAMPLE_FILES};

/// A cell as the attacker reads it.
#[derive(Debug, Clone)]
struct Cell {
    indicator: String,
    fields: BTreeMap<String, String>,
    from: Option<NaiveDate>,
    to: NaiveDate,
    /// The value, when any table publishes it.
    value: Option<f64>,
    /// The mark where it is withheld everywhere ("small", "secondary").
    mark: String,
}

type KeyText = (String, Vec<(String, String)>, Option<NaiveDate>, NaiveDate);

fn key(c: &Cell) -> KeyText {
    (c.indicator.clone(), c.fields.clone().into_iter().collect(), c.from, c.to)
}

/// Every cell of every `published.csv` under `dir`, one per key: a value published in
/// any of them is known.
fn read_cells(dir: &Path) -> Vec<Cell> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "published.csv") {
                files.push(p);
            }
        }
    }
    assert!(!files.is_empty(), "no published.csv under {}", dir.display());
    let mut cells: BTreeMap<KeyText, Cell> = BTreeMap::new();
    let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
    for file in files {
        let rows = csv_rows(&std::fs::read_to_string(&file).unwrap());
        let head = &rows[0];
        let at = |name: &str| head.iter().position(|h| h == name).unwrap();
        let fixed = ["cell", "indicator", "from", "to", "value", "withheld", "documents"];
        for row in &rows[1..] {
            let fields: BTreeMap<String, String> = head
                .iter()
                .zip(row)
                .filter(|(h, v)| !fixed.contains(&h.as_str()) && !v.is_empty())
                .map(|(h, v)| (h.clone(), v.clone()))
                .collect();
            let cell = Cell {
                indicator: row[at("indicator")].clone(),
                fields,
                from: day(&row[at("from")]),
                to: day(&row[at("to")]).unwrap(),
                value: row[at("value")].parse().ok(),
                mark: row[at("withheld")].clone(),
            };
            let entry = cells.entry(key(&cell)).or_insert_with(|| cell.clone());
            if entry.value.is_none() && cell.value.is_some() {
                entry.value = cell.value;
            }
        }
    }
    cells.into_values().collect()
}

/// How the attacker reads an indicator's sums: counts of events add up; people
/// counted once (distinct participants, cohorts, stocks) do not.
fn adds_up(library: &Library, indicator: &str) -> bool {
    match library.get(indicator) {
        Some(i) => !matches!(i.roll_up(), RollUp::Distinct | RollUp::Stock { .. } | RollUp::Cohort),
        None => !(indicator.contains('.') || indicator == "participants"),
    }
}

/// A period's length class, for periods that tile a longer one.
fn class(c: &Cell) -> &'static str {
    let Some(from) = c.from else { return "to date" };
    match (c.to - from).num_days() + 1 {
        28..=31 => "month",
        89..=92 => "quarter",
        365 | 366 => "year",
        _ => "other",
    }
}

/// The attacker's sums: (total, parts, adds up).
fn sums(cells: &[Cell], library: &Library) -> Vec<(usize, Vec<usize>, bool)> {
    let mut groups: BTreeMap<(usize, String), BTreeSet<usize>> = BTreeMap::new();
    for (p, parent) in cells.iter().enumerate() {
        for (c, child) in cells.iter().enumerate() {
            if p == c || child.indicator != parent.indicator {
                continue;
            }
            let same_days = child.from == parent.from && child.to == parent.to;
            // One field more, the same days.
            if same_days && child.fields.len() == parent.fields.len() + 1 {
                if let Some(extra) = child.fields.keys().find(|f| !parent.fields.contains_key(*f)) {
                    if parent.fields.iter().all(|(f, v)| child.fields.get(f) == Some(v)) {
                        groups.entry((p, format!("field {extra}"))).or_default().insert(c);
                    }
                }
            }
            // The same fields, days inside.
            let inside = child.to <= parent.to
                && match (parent.from, child.from) {
                    (None, _) => true,
                    (Some(a), Some(b)) => a <= b,
                    (Some(_), None) => false,
                };
            if child.fields == parent.fields && inside && !same_days {
                groups.entry((p, format!("time {}", class(child)))).or_default().insert(c);
            }
        }
    }
    groups
        .into_iter()
        .filter(|(_, parts)| {
            // Parts of one sum do not overlap.
            let mut spans: Vec<(Option<NaiveDate>, NaiveDate)> =
                parts.iter().map(|c| (cells[*c].from, cells[*c].to)).collect();
            spans.sort();
            spans.windows(2).all(|w| w[0].1 < w[1].0.unwrap_or(NaiveDate::MIN) || w[0] == w[1])
        })
        .map(|((p, _), parts)| (p, parts.into_iter().collect(), adds_up(library, &cells[p].indicator)))
        .collect()
}

/// Every withheld cell the attacker pins to one value: (cell, value).
fn attack(cells: &[Cell], library: &Library, threshold: f64) -> Vec<(String, f64)> {
    let sums = sums(cells, library);
    let unknown: Vec<usize> = (0..cells.len()).filter(|i| cells[*i].value.is_none()).collect();
    let bounds = |i: usize| match cells[i].mark.as_str() {
        "small" => (1.0, threshold - 1.0),
        "secondary" => (0.0, f64::INFINITY),
        _ => (0.0, f64::INFINITY),
    };
    // A sum is taken to be whole (a total of events = its parts; people counted once
    // ≤ their parts) whenever the published figures allow it: the strongest reading an
    // attacker can make.
    let whole: Vec<bool> = sums
        .iter()
        .map(|(p, parts, adds)| {
            let range = |i: usize| cells[i].value.map_or(bounds(i), |v| (v, v));
            let (plo, phi) = range(*p);
            let (lo, hi) = parts.iter().fold((0.0, 0.0), |(a, b), c| {
                let (l, h) = range(*c);
                (a + l, b + h)
            });
            if *adds {
                lo <= phi && plo <= hi
            } else {
                plo <= hi
            }
        })
        .collect();
    let mut found = Vec::new();
    for &target in &unknown {
        let mut best = [0.0f64; 2];
        for (k, greatest) in [false, true].into_iter().enumerate() {
            let mut vars = ProblemVariables::new();
            let var_of: BTreeMap<usize, Variable> = unknown
                .iter()
                .map(|&i| {
                    let (lo, hi) = bounds(i);
                    let v = variable().integer().min(lo);
                    (i, vars.add(if hi.is_finite() { v.max(hi) } else { v }))
                })
                .collect();
            let term = |i: usize| -> Expression {
                var_of.get(&i).map_or_else(|| Expression::from(cells[i].value.unwrap_or(0.0)), |v| Expression::from(*v))
            };
            let objective = Expression::from(var_of[&target]);
            let mut model = if greatest { vars.maximise(objective) } else { vars.minimise(objective) }.using(microlp);
            for ((p, parts, adds), whole) in sums.iter().zip(&whole) {
                let total = term(*p);
                let sum: Expression = parts.iter().map(|c| term(*c)).sum();
                model = match (adds, whole) {
                    (true, true) => model.with(good_lp::constraint::eq(total, sum)),
                    (true, false) => model.with(good_lp::constraint::geq(total, sum)),
                    (false, whole) => {
                        let mut m =
                            if *whole { model.with(good_lp::constraint::leq(total.clone(), sum)) } else { model };
                        for c in parts {
                            m = m.with(good_lp::constraint::leq(term(*c), total.clone()));
                        }
                        m
                    }
                };
            }
            best[k] = match model.solve() {
                Ok(solution) => solution.value(var_of[&target]),
                Err(good_lp::ResolutionError::Unbounded) => f64::INFINITY,
                Err(e) => panic!("the attacker's reading of the sums admits no values ({e}): {:?}", cells[target]),
            };
        }
        if best[1] - best[0] < 0.5 {
            let c = &cells[target];
            found.push((format!("{} {:?} {:?}..{}", c.indicator, c.fields, c.from, c.to), best[0].round()));
        }
    }
    found
}

fn library() -> Library {
    Library::load(&crate::util::repo().join("indicators")).unwrap()
}

#[test]
fn the_sample_release_gives_nothing_back_where_documents_made_one_by_one_did() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_project(d);
    let run = impact_in(d, &["release"]).ok();
    assert!(run.stdout.contains("wrote release 2024-25"), "{}", run.stdout);
    assert!(run.stdout.contains("audit: no withheld count can be worked out"), "{}", run.stdout);
    let out = d.join("out/2024-25");
    assert_eq!(listing(&out), ["board", "cbc.pdf", "compare.pdf", "figures", "funder"]);
    assert_eq!(listing(&out.join("board")).len(), 12);
    let cells = read_cells(&out.join("figures"));
    let withheld = cells.iter().filter(|c| c.value.is_none()).count();
    assert!(withheld > 20, "{withheld} withheld");
    let found = attack(&cells, &library(), 5.0);
    assert!(found.is_empty(), "the release gives back {found:?}");
    // `impact audit` agrees, reading the same files.
    let audit = impact_in(d, &["audit"]).ok();
    assert!(audit.stdout.contains("no withheld count can be worked out"), "{}", audit.stdout);

    // The same documents made one command at a time in a folder with no project:
    // each is protected on its own, and together they give counts back.
    let elsewhere = tempfile::tempdir().unwrap();
    let apart = elsewhere.path();
    for f in SAMPLE_FILES {
        std::fs::copy(d.join(f), apart.join(f)).unwrap();
    }
    let names = ["--organisations", "organisations.csv", "--programmes", "programmes.csv", "--areas", "areas.csv"];
    for (spec, extra) in [
        ("board", vec!["--targets", "targets.csv", "--each", "organisation", "--out-dir", "board"]),
        (
            "funder",
            vec![
                "--targets",
                "targets.csv",
                "--assumptions",
                "assumptions.toml",
                "--each",
                "programme",
                "--out-dir",
                "funder",
            ],
        ),
        ("cbc", vec!["--commitments", "commitments.csv", "--out", "cbc.pdf"]),
        ("compare", vec!["--out", "compare.pdf"]),
    ] {
        let figures = format!("figures-{spec}");
        let mut args = vec!["report", spec, "--data", "outcomes.csv"];
        args.extend(names);
        args.extend(extra);
        args.extend(["--figures-dir", figures.as_str()]);
        impact_in(apart, &args).ok();
    }
    let cells = read_cells(apart);
    let found = attack(&cells, &library(), 5.0);
    assert!(!found.is_empty(), "documents protected one by one should give something back");
}

#[test]
fn every_kpi_tile_of_the_report_year_is_printed_unless_it_is_itself_small() {
    let dir = tempfile::tempdir().unwrap();
    sample_project(dir.path());
    impact_in(dir.path(), &["release"]).ok();
    let figures = dir.path().join("out/2024-25/figures");
    let mut seen = 0;
    let mut stack = vec![figures];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "01-kpis.csv") {
                let rows = csv_rows(&std::fs::read_to_string(&p).unwrap());
                let w = rows[0].iter().position(|h| h == "withheld").unwrap();
                for row in &rows[1..] {
                    seen += 1;
                    assert_ne!(row[w], "secondary", "{}: {row:?} withheld to protect another figure", p.display());
                }
            }
        }
    }
    assert!(seen > 50, "{seen} tiles");
}

#[test]
fn a_report_made_alone_in_the_project_withholds_what_its_release_withholds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_project(d);
    impact_in(d, &["release"]).ok();
    let run = impact_in(d, &["report", "funder", "--subject", "PSP-GATE", "--out", "alone.pdf"]).ok();
    assert!(run.stderr.contains("made with the documents of release 2024-25"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(d.join("alone.pdf")).unwrap(),
        std::fs::read(d.join("out/2024-25/funder/PSP-GATE.pdf")).unwrap()
    );
    // A subject the data does not have is refused with the nearest.
    let run = impact_in(d, &["report", "funder", "--subject", "PSP-GAT", "--out", "x.pdf"]).expect_code(2);
    assert!(run.stderr.contains("did you mean `PSP-GATE`?"), "{}", run.stderr);
}

#[test]
fn the_audit_names_a_withheld_count_that_what_is_published_gives_away() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 20 job starts in all, 17 of them B's: A's withheld count is 3.
    write(
        d,
        "published.csv",
        "cell,indicator,organisation,from,to,value,withheld,documents\n\
         0,jobs_created,,2024-04-01,2025-03-31,20,,all\n\
         1,jobs_created,A,2024-04-01,2025-03-31,,small,board A\n\
         2,jobs_created,B,2024-04-01,2025-03-31,17,,board B\n",
    );
    write(d, "sums.csv", "sum,total,part,relation\n0,0,1,equal\n0,0,2,equal\n");
    let run = impact(&["audit", s(d)]).expect_code(1);
    assert!(run.stdout.contains("1 of 1 withheld cells can be worked out"), "{}", run.stdout);
    assert!(run.stdout.contains("jobs_created, organisation A, 2024-04-01 to 2025-03-31 = 3"), "{}", run.stdout);
    // With B's count withheld too ([c]: any count), A's could be 1 to 4.
    write(
        d,
        "published.csv",
        "cell,indicator,organisation,from,to,value,withheld,documents\n\
         0,jobs_created,,2024-04-01,2025-03-31,20,,all\n\
         1,jobs_created,A,2024-04-01,2025-03-31,,small,board A\n\
         2,jobs_created,B,2024-04-01,2025-03-31,,secondary,board B\n",
    );
    let run = impact(&["audit", s(d), "--format", "csv"]).ok();
    assert!(
        run.stdout.contains("1,\"jobs_created, organisation A, 2024-04-01 to 2025-03-31\",1.0,4.0,false"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2,\"jobs_created, organisation B, 2024-04-01 to 2025-03-31\",16.0,19.0,false"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_release_is_made_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_project(d);
    impact_in(d, &["release"]).ok();
    let before = listing(&d.join("out/2024-25/board"));
    // A release naming a spec that does not exist fails before writing anything, and
    // the release already in place stays as it was.
    let toml =
        std::fs::read_to_string(d.join("impact.toml")).unwrap().replace("{ spec = \"cbc\" }", "{ spec = \"nosuch\" }");
    write(d, "impact.toml", &toml);
    let run = impact_in(d, &["release"]).expect_code(2);
    assert!(run.stderr.contains("no report spec nosuch"), "{}", run.stderr);
    assert_eq!(listing(&d.join("out/2024-25/board")), before);
    assert_eq!(listing(&d.join("out")), ["2024-25"], "no half-made folder is left");
    // Two releases: one must be named; a misspelt name gets the nearest.
    let toml =
        std::fs::read_to_string(d.join("impact.toml")).unwrap().replace("{ spec = \"nosuch\" }", "{ spec = \"cbc\" }");
    let second = "\n[[release]]\nname = \"2023-24\"\nout_dir = \"out/2023-24\"\ndocuments = [{ spec = \"cbc\" }]\n";
    write(d, "impact.toml", &format!("{toml}{second}"));
    let run = impact_in(d, &["release"]).expect_code(2);
    assert!(run.stderr.contains("several releases"), "{}", run.stderr);
    let run = impact_in(d, &["release", "2024-5"]).expect_code(2);
    assert!(run.stderr.contains("did you mean 2024-25?"), "{}", run.stderr);
    // Outside a project, a release is refused with what to do.
    let run = impact(&["release"]).expect_code(2);
    assert!(run.stderr.contains("works in a project"), "{}", run.stderr);
}

fn cell() -> impl Strategy<Value = (usize, usize, usize, u32)> {
    // organisation, programme, quarter (0..8 over two years), job starts (mostly small)
    (0usize..3, 0usize..2, 0usize..8, prop_oneof![3 => 1u32..5, 1 => 5u32..30])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12), ..ProptestConfig::default() })]

    /// Random small datasets, a release of board packs (one per organisation) and
    /// funder reports (one per programme): the release's audit passes and the
    /// attacker recovers nothing.
    #[test]
    fn a_release_of_two_kinds_of_document_gives_nothing_back(cells in proptest::collection::vec(cell(), 1..16)) {
        let orgs = ["A", "B", "C"];
        let progs = ["P1", "P2"];
        let dates = ["2023-05-01", "2023-08-01", "2023-11-01", "2024-02-01", "2024-05-01", "2024-08-01", "2024-11-01", "2025-02-01"];
        let mut data = String::from("organisation,programme,indicator,date,value,participant\n");
        let mut n = 0;
        for (o, p, q, count) in &cells {
            for _ in 0..*count {
                n += 1;
                data.push_str(&format!("{},{},jobs_created,{},1,p{n}\n", orgs[*o], progs[*p], dates[*q]));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "outcomes.csv", &data);
        write(d, "impact.toml", "[[source]]\npath = \"outcomes.csv\"\n\n[[release]]\nname = \"r\"\nout_dir = \"out\"\ndocuments = [{ spec = \"board\", each = \"organisation\" }, { spec = \"funder\", each = \"programme\" }]\n");
        let run = impact_in(d, &["release"]);
        prop_assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let cells = read_cells(&d.join("out/figures"));
        let found = attack(&cells, &library(), 5.0);
        prop_assert!(found.is_empty(), "recovered {:?} from {}", found, data);
    }
}
