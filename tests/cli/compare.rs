//! `impact compare` on data whose normalised figures are worked out by hand.

use crate::util::{csv_rows, impact, s, write};

fn cell(rows: &[Vec<String>], first: &[&str], column: &str) -> String {
    let at = rows[0].iter().position(|h| h == column).unwrap_or_else(|| panic!("{column} in {:?}", rows[0]));
    rows.iter().find(|r| r.iter().zip(first).all(|(a, b)| a == b)).unwrap_or_else(|| panic!("{first:?} in {rows:?}"))
        [at]
        .clone()
}

/// P1: 10 job starts by 10 people, £10,000 invested; 4 in 2023-24 and 6 in 2024-25.
/// P2: 20 job starts by 10 people (two each), £20,000; 10 and 10.
/// P3: 3 job starts by 3 people, £5,000; all in 2024-25.
/// Per £10k: P1 10, P2 10, P3 6 → ranks 1, 1 (tie), 3; quartiles ⌊4(r−1)/3⌋+1 = 1, 1, 3.
/// Cost per job: £1,000, £1,000, £1,666.67. Per participant: 1, 2, 1.
/// Priority reach: P1's first 5 starts are in SIMD decile 1 → 50%; P3's one care-experienced start → 33.33%.
/// Year on year: P1 4 → 6 = +50%; P2 10 → 10 = 0%.
fn fixture(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut d = String::from("organisation,programme,indicator,date,value,participant,beneficiary_group,simd_decile\n");
    for i in 0..10 {
        let date = if i < 4 { "2023-06-01" } else { "2024-06-01" };
        let simd = if i < 5 { "1" } else { "7" };
        d.push_str(&format!("O1,P1,jobs_created,{date},1,a{i},,{simd}\n"));
    }
    for i in 0..20 {
        let date = if i < 10 { "2023-07-01" } else { "2024-07-01" };
        d.push_str(&format!("O2,P2,jobs_created,{date},1,b{},,8\n", i % 10));
    }
    for i in 0..3 {
        let group = if i == 0 { "care_experienced" } else { "" };
        d.push_str(&format!("O3,P3,jobs_created,2024-08-01,1,c{i},{group},9\n"));
    }
    let data = write(dir, "d.csv", &d);
    let programmes = write(dir, "p.csv", "id,investment\nP1,10000\nP2,20000\nP3,5000\n");
    (data, programmes)
}

#[test]
fn normalised_figures_ranks_and_ties_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let (data, programmes) = fixture(dir.path());
    let out = impact(&[
        "compare",
        s(&data),
        "--programmes",
        s(&programmes),
        "--indicator",
        "jobs_created",
        "--min-records",
        "5",
        "--format",
        "csv",
        "--no-suppress",
    ])
    .ok()
    .stdout;
    let r = csv_rows(&out);
    let get = |p: &str, c: &str| cell(&r, &[p, "jobs_created"], c);
    assert_eq!(
        (get("P1", "per_10k"), get("P2", "per_10k"), get("P3", "per_10k")),
        ("10.0".into(), "10.0".into(), "6.0".into())
    );
    assert_eq!((get("P1", "rank"), get("P2", "rank"), get("P3", "rank")), ("1".into(), "1".into(), "3".into()));
    assert_eq!(
        (get("P1", "quartile"), get("P2", "quartile"), get("P3", "quartile")),
        ("1".into(), "1".into(), "3".into())
    );
    assert_eq!((get("P1", "cost_per_outcome"), get("P3", "cost_per_outcome")), ("1000.0".into(), "1666.67".into()));
    assert_eq!((get("P1", "per_participant"), get("P2", "per_participant")), ("1.0".into(), "2.0".into()));
    assert_eq!((get("P1", "priority_share"), get("P3", "priority_share")), ("50.0".into(), "33.33".into()));
    assert_eq!((get("P1", "yoy_change"), get("P2", "yoy_change")), ("50.0".into(), "0.0".into()));
    // P3 rests on 3 records, under --min-records 5: flagged.
    assert_eq!(get("P3", "flags"), "few records (3)");
    assert_eq!(get("P1", "flags"), "");
}

#[test]
fn per_participant_ranking_and_weak_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = fixture(dir.path());
    let out = impact(&[
        "compare",
        s(&data),
        "--per",
        "participant",
        "--indicator",
        "jobs_created",
        "--format",
        "csv",
        "--no-suppress",
    ])
    .ok()
    .stdout;
    let r = csv_rows(&out);
    // 1, 2, 1 jobs per person: P2 first, P1 and P3 tie second; default --min-records 30 flags all.
    assert_eq!(cell(&r, &["P2", "jobs_created"], "rank"), "1");
    assert_eq!(cell(&r, &["P1", "jobs_created"], "rank"), "2");
    assert_eq!(cell(&r, &["P3", "jobs_created"], "rank"), "2");
    assert!(cell(&r, &["P1", "jobs_created"], "flags").contains("few records (10)"));
    // Without investments, --per investment cannot rank.
    let run = impact(&["compare", s(&data), "--indicator", "jobs_created"]).expect_code(2);
    assert!(run.stderr.contains("--per investment needs investments"), "{}", run.stderr);
}

#[test]
fn comparison_report_and_figures_export() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare.pdf");
    let figures = dir.path().join("figures");
    impact(&[
        "report",
        "reports/compare.toml",
        "--data",
        "samples/outcomes.csv",
        "--programmes",
        "samples/programmes.csv",
        "--organisations",
        "samples/organisations.csv",
        "--out",
        s(&out),
        "--figures-dir",
        s(&figures),
        "--figures-format",
        "json",
    ])
    .ok();
    let doc = lopdf::Document::load(&out).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let t = doc.extract_text(&pages).unwrap();
    for expected in [
        "Participants starting paid work per £10k invested",
        "Cost per outcome",
        "trend for each organisation",
        "Quartile",
        "Aberdeen Second Chance",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in\n{t}");
    }
    // The ranking table behind the PDF is exported, and agrees with `impact compare`.
    let files = crate::util::listing(&figures);
    let name = files.iter().find(|f| *f == "02-ranking.json").unwrap_or_else(|| panic!("{files:?}"));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(figures.join(name)).unwrap()).unwrap();
    let emp = json.as_array().unwrap().iter().find(|r| r["programme"] == "EMP-FWD").expect("EMP-FWD");
    let cli = impact(&[
        "compare",
        "samples/outcomes.csv",
        "--programmes",
        "samples/programmes.csv",
        "--indicator",
        "jobs_created",
        "--from",
        "2024-04-01",
        "--to",
        "2025-03-31",
        "--format",
        "json",
    ])
    .ok()
    .stdout;
    let cli: serde_json::Value = serde_json::from_str(&cli).unwrap();
    let cli_emp = cli.as_array().unwrap().iter().find(|r| r["programme"] == "EMP-FWD").unwrap();
    assert_eq!(emp["per_10k"], cli_emp["per_10k"]);
    assert_eq!(emp["rank"], cli_emp["rank"]);
    assert!(files.iter().any(|f| f.ends_with("-chart.json")), "{files:?}");
}
