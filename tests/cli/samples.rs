use crate::util::{impact, repo, s};

/// samples/outcomes.csv is exactly what the generator makes from the shipped
/// tables and library: it can be trusted, and regenerated.
#[test]
fn shipped_sample_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("outcomes.csv");
    impact(&["samples", "generate", "--rows", "20000", "--seed", "2024", "--out", s(&out)]).ok();
    let fresh = std::fs::read(&out).unwrap();
    let shipped = std::fs::read(repo().join("samples/outcomes.csv")).unwrap();
    assert!(
        fresh == shipped,
        "samples/outcomes.csv is stale: run `cargo run -- samples generate --rows 20000 --seed 2024 --out samples/outcomes.csv`"
    );
}

#[test]
fn generated_data_has_the_scenario_shape() {
    let text = std::fs::read_to_string(repo().join("samples/outcomes.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 20_001);
    let mut orgs = std::collections::BTreeSet::new();
    let mut programmes = std::collections::BTreeSet::new();
    for l in &lines[1..] {
        let c: Vec<&str> = l.split(',').collect();
        orgs.insert(c[1]);
        programmes.insert(c[2]);
        assert!(c[4] >= "2022-04-01" && c[4] <= "2025-03-31", "{l}");
    }
    assert_eq!(orgs.len(), 12);
    assert_eq!(programmes.len(), 4);
}

#[test]
fn parquet_and_csv_of_one_seed_give_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("g.csv");
    let pq = dir.path().join("g.parquet");
    impact(&["samples", "generate", "--rows", "3000", "--seed", "9", "--out", s(&csv)]).ok();
    impact(&["samples", "generate", "--rows", "3000", "--seed", "9", "--out", s(&pq)]).ok();
    let a = impact(&["aggregate", s(&csv), "--by", "organisation,quarter", "--format", "csv"]).ok().stdout;
    let b = impact(&["aggregate", s(&pq), "--by", "organisation,quarter", "--format", "csv"]).ok().stdout;
    assert!(a.lines().count() > 100);
    assert_eq!(a, b);
    // And the figures to date, protected with them.
    let to_date = |file: &std::path::Path| {
        impact(&["aggregate", s(file), "--by", "programme,financial_quarter", "--to-date", "--format", "csv"])
            .ok()
            .stdout
    };
    assert_eq!(to_date(&csv), to_date(&pq));
    let v = impact(&["validate", s(&pq)]).ok().stdout;
    assert!(v.contains("3000 record(s) read, 3000 valid: 0 error(s)"), "{v}");
}

#[test]
fn generate_refuses_unknown_extensions() {
    let run = impact(&["samples", "generate", "--rows", "10", "--out", "/tmp/x.xlsx"]).expect_code(2);
    assert!(run.stderr.contains(".csv or .parquet"), "{}", run.stderr);
}

/// What the generator promises, for any seed (and the shipped sample): sub-counts
/// within their totals (`validate` warns of none), every follow-up after an earlier
/// event of the same person inside the cohort's window, and every rate in 0–100%.
#[test]
fn generated_data_is_consistent_for_any_seed() {
    let dir = tempfile::tempdir().unwrap();
    let library = impactkit::indicator::Library::load(&repo().join("indicators")).expect("library");
    let mut files = vec![repo().join("samples/outcomes.csv")];
    for seed in ["1", "7"] {
        let out = dir.path().join(format!("g{seed}.csv"));
        impact(&["samples", "generate", "--rows", "6000", "--seed", seed, "--out", s(&out)]).ok();
        files.push(out);
    }
    for file in &files {
        let v = impact(&["validate", s(file)]).ok().stdout;
        assert!(v.contains("0 error(s), 0 warning(s)"), "{}: {v}", file.display());

        let text = std::fs::read_to_string(file).unwrap();
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
        // (indicator, participant) → the days of its records.
        let mut days: std::collections::HashMap<(String, String), Vec<chrono::NaiveDate>> = Default::default();
        for line in text.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            if !c[6].is_empty() {
                days.entry((c[3].to_string(), c[6].to_string())).or_default().push(day(c[4]));
            }
        }
        let mut followed = 0;
        for ind in library.iter().filter(|i| i.cohort.is_some()) {
            let (event, outcome) = (ind.cohort.clone().unwrap(), ind.outcome.clone().unwrap());
            let window = chrono::Duration::days(i64::from(ind.within_days.unwrap()));
            for ((id, person), outcome_days) in days.iter().filter(|((id, _), _)| *id == outcome) {
                let starts = days.get(&(event.clone(), person.clone())).map_or(&[][..], Vec::as_slice);
                for d in outcome_days {
                    assert!(
                        starts.iter().any(|s| s <= d && *d <= *s + window),
                        "{}: {id} of {person} on {d} follows no {event} within {window}",
                        file.display()
                    );
                    followed += 1;
                }
            }
        }
        assert!(followed > 100, "{}: only {followed} follow-ups", file.display());

        let figures = impact(&[
            "aggregate",
            s(file),
            "--by",
            "organisation,programme,financial_year",
            "--format",
            "csv",
            "--no-suppress",
        ])
        .ok()
        .stdout;
        let rows = crate::util::csv_rows(&figures);
        let (unit, value) =
            (rows[0].iter().position(|h| h == "unit").unwrap(), rows[0].iter().position(|h| h == "value").unwrap());
        let rates: Vec<f64> =
            rows[1..].iter().filter(|r| r[unit] == "%").filter_map(|r| r[value].parse().ok()).collect();
        assert!(rates.len() > 30, "{}: {} rates", file.display(), rates.len());
        assert!(rates.iter().all(|v| (0.0..=100.0).contains(v)), "{}: {rates:?}", file.display());
    }
}
