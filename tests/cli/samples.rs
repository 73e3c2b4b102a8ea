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
    let v = impact(&["validate", s(&pq)]).ok().stdout;
    assert!(v.contains("3000 record(s) read, 3000 valid: 0 error(s)"), "{v}");
}

#[test]
fn generate_refuses_unknown_extensions() {
    let run = impact(&["samples", "generate", "--rows", "10", "--out", "/tmp/x.xlsx"]).expect_code(2);
    assert!(run.stderr.contains(".csv or .parquet"), "{}", run.stderr);
}
