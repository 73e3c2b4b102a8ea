use crate::util::{csv_rows, impact, s, value_of, write};

/// A small dataset whose figures are worked out by hand below.
fn fixture(dir: &std::path::Path) -> std::path::PathBuf {
    write(
        dir,
        "fixture.csv",
        "record_id,organisation,programme,indicator,date,value,participant,beneficiary_group\n\
         J1,ORG_A,P1,jobs_created,2024-04-10,1,p1,care_experienced\n\
         J2,ORG_A,P1,jobs_created,2024-05-10,1,p2,\n\
         J3,ORG_B,P1,jobs_created,2025-01-10,1,p3,care_experienced\n\
         J4,ORG_B,P2,jobs_created,2025-04-02,1,p4,\n\
         S1,ORG_A,P1,jobs_sustained_26w,2024-10-09,1,p1,\n\
         E1,ORG_A,P1,employability_participants,2024-04-01,1,p1,\n\
         E2,ORG_A,P1,employability_participants,2024-06-01,1,p1,\n\
         E3,ORG_A,P1,employability_participants,2024-06-01,1,p2,\n\
         E4,ORG_B,P1,employability_participants,2024-07-01,1,p3,\n\
         W1,ORG_A,P1,people_in_work,2024-06-30,10,,\n\
         W2,ORG_A,P1,people_in_work,2024-09-30,12,,\n\
         W3,ORG_A,P1,people_in_work,2025-03-31,15,,\n\
         W4,ORG_B,P1,people_in_work,2024-09-30,7,,\n\
         W5,ORG_B,P1,people_in_work,2025-06-30,9,,\n\
         M1,ORG_A,P1,wemwbs_change,2024-05-01,4,p1,\n\
         M2,ORG_A,P1,wemwbs_change,2024-05-01,8,p2,\n\
         M3,ORG_A,P1,wemwbs_change,2024-05-01,-3,p5,\n\
         M4,ORG_B,P1,wemwbs_change,2024-05-01,6,p3,\n\
         L1,ORG_A,P1,spend_local_suppliers,2024-05-01,\"£1,200.50\",,\n\
         L2,ORG_A,P1,supplier_spend_total,2024-05-01,\"4,000\",,\n\
         L3,ORG_B,P1,supplier_spend_total,2024-05-01,1000,,\n",
    )
}

fn figures(args: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["aggregate"];
    all.extend_from_slice(args);
    // Arithmetic is checked on unsuppressed figures; suppression has its own tests.
    all.extend_from_slice(&["--format", "csv", "--today", "2026-01-01", "--no-suppress"]);
    csv_rows(&impact(&all).ok().stdout)
}

#[test]
fn totals_match_hand_calculation() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    let rows = figures(&[s(&data)]);
    // Flow: 4 job starts, whatever the organisation or year.
    assert_eq!(value_of(&rows, &["jobs_created"]), 4.0);
    // Stock: latest snapshot per organisation, then summed: ORG_A 15 (2025-03-31) + ORG_B 9 (2025-06-30) = 24,
    // not 10+12+15+7+9 = 53.
    assert_eq!(value_of(&rows, &["people_in_work"]), 24.0);
    // Distinct: p1 (three records, two organisations' worth of contact) counts once: {p1, p2, p3} = 3.
    assert_eq!(value_of(&rows, &["employability_participants"]), 3.0);
    // Cohort rates are "as at" the latest date in the data, W5's 2025-06-30.
    // Job outcome rate (people supported → a job start within 365 days): p1 first
    // supported 2024-04-01 (window closes 2025-04-01, due), job 2024-04-10: achieved;
    // p2 from 2024-06-01 (closes 2025-06-01, due), job 2024-05-10 came before the
    // support: not achieved; p3 from 2024-07-01 closes 2025-07-01, after 2025-06-30:
    // not yet due. 1 achieved ÷ 2 due × 100 = 50, never 4 jobs ÷ 3 people = 133%.
    assert_eq!(value_of(&rows, &["job_outcome_rate"]), 50.0);
    assert_eq!(value_of(&rows, &["job_outcome_rate.achieved"]), 1.0);
    assert_eq!(value_of(&rows, &["job_outcome_rate.not_achieved"]), 1.0);
    assert_eq!(value_of(&rows, &["job_outcome_rate.pending"]), 1.0);
    // 26-week sustainment (job start → sustained within 200 days): p1 started
    // 2024-04-10 (closes 2024-10-27), sustained 2024-10-09: achieved; p2 started
    // 2024-05-10 (closes 2024-11-26), none: not achieved; p3 (2025-01-10, closes
    // 2025-07-29) and p4 (2025-04-02) are not yet due. 1 ÷ 2 × 100 = 50.
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w"]), 50.0);
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w.pending"]), 2.0);
    // Mean over records: (4 + 8 − 3 + 6) / 4 = 3.75.
    assert_eq!(value_of(&rows, &["wemwbs_change"]), 3.75);
    // £ and thousands separators parsed: 1,200.50 / (4,000 + 1,000) × 100 = 24.01 %.
    assert!((value_of(&rows, &["local_spend_share"]) - 24.01).abs() < 1e-9);
}

#[test]
fn by_organisation_ratios_are_not_averaged() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    let rows = figures(&[s(&data), "--by", "organisation"]);
    assert_eq!(rows[0][..2], ["organisation".to_string(), "indicator".to_string()]);
    // Job outcome rate: ORG_A's p1 achieved, p2 not: 50 %. ORG_B's one person (p3)
    // is not yet due: no rate (not 0 %), one pending.
    assert_eq!(value_of(&rows, &["ORG_A", "job_outcome_rate"]), 50.0);
    assert!(value_of(&rows, &["ORG_B", "job_outcome_rate"]).is_nan(), "no rate: {rows:?}");
    assert_eq!(value_of(&rows, &["ORG_B", "job_outcome_rate.pending"]), 1.0);
    // Ratios come from summed parts: ORG_A spends 1,200.50 of 4,000 locally = 30.0125 %.
    assert!((value_of(&rows, &["ORG_A", "local_spend_share"]) - 30.0125).abs() < 1e-9);
    assert_eq!(value_of(&rows, &["ORG_A", "people_in_work"]), 15.0);
    assert_eq!(value_of(&rows, &["ORG_B", "people_in_work"]), 9.0);
    // Mean per organisation: ORG_A (4 + 8 − 3) / 3 = 3; ORG_B 6.
    assert_eq!(value_of(&rows, &["ORG_A", "wemwbs_change"]), 3.0);
    assert_eq!(value_of(&rows, &["ORG_B", "wemwbs_change"]), 6.0);
}

#[test]
fn financial_years_run_april_to_march() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    let rows = figures(&[s(&data), "--by", "financial_year"]);
    // Jobs on 2024-04-10, 2024-05-10, 2025-01-10 are 2024-25; 2025-04-02 is 2025-26.
    assert_eq!(value_of(&rows, &["2024-25", "jobs_created"]), 3.0);
    assert_eq!(value_of(&rows, &["2025-26", "jobs_created"]), 1.0);
    // Stock per year: 2024-25 ORG_A latest 15 + ORG_B latest 7 = 22; 2025-26 ORG_B 9.
    assert_eq!(value_of(&rows, &["2024-25", "people_in_work"]), 22.0);
    assert_eq!(value_of(&rows, &["2025-26", "people_in_work"]), 9.0);
    let rows = figures(&[s(&data), "--by", "quarter", "--indicator", "jobs_created"]);
    assert_eq!(value_of(&rows, &["2024-Q2", "jobs_created"]), 2.0);
    assert_eq!(value_of(&rows, &["2025-Q1", "jobs_created"]), 1.0);
}

#[test]
fn cohort_follow_ups_are_counted_past_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    // The period ends 2024-06-30: the cohort is the job starts in it (p1 2024-04-10, p2
    // 2024-05-10). p1's sustainment on 2024-10-09 falls after the period and still
    // counts; p2 has none. 1 ÷ 2 × 100 = 50; no one is pending (windows closed by 2025-06-30).
    let rows = figures(&[s(&data), "--to", "2024-06-30", "--indicator", "job_sustainment_rate_26w"]);
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w"]), 50.0);
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w.achieved"]), 1.0);
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w.not_achieved"]), 1.0);
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w.pending"]), 0.0);
    // The rate comes with its parts and nothing else.
    assert_eq!(rows.len(), 5, "{rows:?}");
    // A sustainment before the start does not count, and a rate never exceeds 100 %:
    // three sustainment records for one person who started once are one success.
    let many = write(
        dir.path(),
        "many.csv",
        "organisation,indicator,date,value,participant\n\
         ORG_A,jobs_sustained_26w,2024-01-01,1,p1\n\
         ORG_A,jobs_created,2024-02-01,1,p1\n\
         ORG_A,jobs_sustained_26w,2024-08-01,1,p1\n\
         ORG_A,jobs_sustained_26w,2024-08-02,1,p1\n\
         ORG_A,jobs_sustained_26w,2024-08-03,1,p1\n\
         ORG_A,jobs_created,2024-02-01,1,p2\n\
         ORG_A,jobs_sustained_26w,2023-12-01,1,p2\n\
         ORG_A,jobs_created,2025-12-01,1,p3\n",
    );
    let rows = figures(&[s(&many), "--indicator", "job_sustainment_rate_26w"]);
    // p1 achieved; p2's only sustainment predates the start: not achieved; p3 started
    // on the latest day: pending. 1 ÷ 2 × 100 = 50.
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w"]), 50.0);
    assert_eq!(value_of(&rows, &["job_sustainment_rate_26w.pending"]), 1.0);
}

#[test]
fn filters_and_blank_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    let rows = figures(&[s(&data), "--by", "beneficiary_group", "--indicator", "jobs_created"]);
    assert_eq!(value_of(&rows, &["care_experienced", "jobs_created"]), 2.0);
    assert_eq!(value_of(&rows, &["(not recorded)", "jobs_created"]), 2.0);
    let rows = figures(&[
        s(&data),
        "--organisation",
        "ORG_B",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--indicator",
        "jobs_created",
    ]);
    assert_eq!(value_of(&rows, &["jobs_created"]), 1.0);
    assert_eq!(rows.len(), 2, "header and one figure: {rows:?}");
}

#[test]
fn targets_join_with_percent_achieved() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    let targets = write(dir.path(), "targets.csv", "programme,period,indicator,target,baseline\nP1,2024-25,jobs_created,4,2\nP1,2024-25,people_in_work,\"1,000\",\n");
    let rows = figures(&[s(&data), "--by", "programme,financial_year", "--targets", s(&targets)]);
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let row =
        rows.iter().find(|r| r[0] == "P1" && r[1] == "2024-25" && r[2] == "jobs_created").expect("P1 2024-25 jobs");
    // P1 in 2024-25: 3 job starts against a target of 4 = 75 %; baseline 2 → change +1.
    assert_eq!(row[at("value")], "3.0");
    assert_eq!(row[at("target")], "4.0");
    assert_eq!(row[at("pct_achieved")], "75.0");
    assert_eq!(row[at("change_from_baseline")], "1.0");
    // No target for P2: empty cells, not zero.
    let p2 = rows.iter().find(|r| r[0] == "P2").expect("P2 row");
    assert_eq!(p2[at("target")], "");
}

#[test]
fn output_formats_and_atomic_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(dir.path());
    let json =
        impact(&["aggregate", s(&data), "--by", "organisation", "--format", "json", "--no-suppress"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(
        v.as_array().is_some_and(|a| a
            .iter()
            .any(|r| r["organisation"] == "ORG_A" && r["indicator"] == "jobs_created" && r["value"] == 2.0)),
        "{json}"
    );
    let out = dir.path().join("figures.parquet");
    let run = impact(&["aggregate", s(&data), "--by", "organisation", "--out", s(&out)]).ok();
    assert!(run.stdout.contains("wrote"), "{}", run.stdout);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let table = impact(&["aggregate", s(&data), "--by", "organisation"]).ok().stdout;
    assert!(table.lines().next().is_some_and(|h| h.starts_with("organisation  indicator")), "{table}");
}

#[test]
fn bad_dimension_gets_a_hint() {
    let run = impact(&["aggregate", "samples/outcomes.csv", "--by", "organisaton"]).expect_code(2);
    assert!(run.stderr.contains("error: cannot group by `organisaton`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `organisation`?"), "{}", run.stderr);
    let run = impact(&["aggregate", "samples/outcomes.csv", "--by", "year,quarter"]).expect_code(2);
    assert!(run.stderr.contains("at most one period grain"), "{}", run.stderr);
}

/// An independent count straight from the CSV text (no polars) agrees with `impact aggregate`.
#[test]
fn samples_cross_check_against_plain_parsing() {
    let text = std::fs::read_to_string(crate::util::repo().join("samples/outcomes.csv")).unwrap();
    let mut by_programme_fy: std::collections::BTreeMap<(String, String), f64> = Default::default();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[3] != "jobs_created" {
            continue;
        }
        let (y, m): (i32, u32) = (cells[4][..4].parse().unwrap(), cells[4][5..7].parse().unwrap());
        let start = if m < 4 { y - 1 } else { y };
        let fy = format!("{start}-{:02}", (start + 1) % 100);
        *by_programme_fy.entry((cells[2].to_string(), fy)).or_default() += cells[5].parse::<f64>().unwrap();
    }
    assert!(!by_programme_fy.is_empty());
    let rows = figures(&["samples/outcomes.csv", "--by", "programme,financial_year", "--indicator", "jobs_created"]);
    assert_eq!(rows.len() - 1, by_programme_fy.len(), "same groups");
    for ((p, fy), v) in &by_programme_fy {
        assert_eq!(value_of(&rows, &[p, fy, "jobs_created"]), *v, "{p} {fy}");
    }
}

#[test]
fn the_readme_main_command_runs_on_samples() {
    let run = impact(&[
        "aggregate",
        "samples/outcomes.csv",
        "--by",
        "programme,financial_year",
        "--targets",
        "samples/targets.csv",
    ])
    .ok();
    let first = run.stdout.lines().next().unwrap_or_default();
    for col in ["programme", "financial_year", "indicator", "value", "unit", "records", "target", "pct_achieved"] {
        assert!(first.contains(col), "{col} in {first}");
    }
    assert!(run.stdout.contains("EMP-FWD") && run.stdout.contains("2024-25"), "{}", run.stdout);
}

/// `--skip-invalid` leaves invalid records out of a streaming aggregate, a repeated
/// record id too (its second use is the invalid one, known only after every id is read).
#[test]
fn skip_invalid_leaves_out_bad_and_repeated_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "record_id,organisation,indicator,date,value\n\
         R1,ORG_A,jobs_created,2024-05-01,1\n\
         R2,ORG_A,jobs_created,2024-05-01,two\n\
         R3,ORG_A,jobs_created,2024-05-02,1\n\
         R3,ORG_B,jobs_created,2024-05-03,1\n\
         R4,ORG_B,jobs_created,2024-05-03,1\n",
    );
    let refused = impact(&["aggregate", s(&data), "--by", "organisation", "--no-suppress"]).expect_code(1);
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    let run =
        impact(&["aggregate", s(&data), "--by", "organisation", "--no-suppress", "--format", "csv", "--skip-invalid"])
            .ok();
    let rows = csv_rows(&run.stdout);
    // ORG_A: R1 + R3 = 2 (R2's "two" is left out); ORG_B: R4 = 1 (the second R3 is left out).
    assert_eq!(value_of(&rows, &["ORG_A", "jobs_created"]), 2.0);
    assert_eq!(value_of(&rows, &["ORG_B", "jobs_created"]), 1.0);
    assert!(run.stderr.contains("warning: --skip-invalid: 2 invalid record(s) left out"), "{}", run.stderr);
    assert!(run.stderr.contains("record_id \"R3\" already used"), "{}", run.stderr);
}

/// The cell of `column` in the row whose leading cells equal `key`.
#[track_caller]
fn cell<'a>(rows: &'a [Vec<String>], key: &[&str], column: &str) -> &'a str {
    let at = rows[0].iter().position(|h| h == column).unwrap_or_else(|| panic!("no {column} in {:?}", rows[0]));
    let row = rows[1..].iter().find(|r| r.iter().zip(key).all(|(a, b)| a == b)).unwrap_or_else(|| panic!("no {key:?}"));
    &row[at]
}

#[test]
fn figures_to_date_follow_each_indicators_rule() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "record_id,organisation,programme,indicator,date,value,participant\n\
         J1,A,P1,jobs_created,2024-04-10,1,p1\n\
         J2,A,P1,jobs_created,2024-08-10,1,p2\n\
         J3,A,P1,jobs_created,2024-08-11,1,p3\n\
         J4,A,P1,jobs_created,2025-01-10,1,p4\n\
         E1,A,P1,employability_participants,2024-04-01,1,p1\n\
         E2,A,P1,employability_participants,2024-07-01,1,p1\n\
         E3,A,P1,employability_participants,2024-07-02,1,p2\n\
         E4,A,P1,employability_participants,2024-10-01,1,p2\n\
         E5,A,P1,employability_participants,2024-10-02,1,p3\n\
         W1,A,P1,people_in_work,2024-06-30,10,\n\
         W2,A,P1,people_in_work,2024-09-30,12,\n\
         W3,B,P1,people_in_work,2024-05-31,7,\n",
    );
    let targets = write(
        dir.path(),
        "t.csv",
        "programme,period,indicator,target\n\
         P1,2024-25 Q1,jobs_created,2\nP1,2024-25 Q2,jobs_created,2\nP1,2024-25 Q4,jobs_created,2\n\
         P1,2024-25 Q1,employability_participants,5\n",
    );
    let rows = figures(&[s(&data), "--by", "financial_quarter", "--to-date"]);
    let to_date = |quarter: &str, id: &str| cell(&rows, &[quarter, id], "to_date").parse::<f64>().unwrap();
    // Job starts add up: Q1 1, Q2 2, (Q3 none), Q4 1 → to date 1, 1 + 2 = 3, 3 + 1 = 4.
    assert_eq!(to_date("2024-25 Q1", "jobs_created"), 1.0);
    assert_eq!(to_date("2024-25 Q2", "jobs_created"), 3.0);
    assert_eq!(to_date("2024-25 Q4", "jobs_created"), 4.0);
    // People count once: Q1 {p1}, Q2 {p1, p2}, Q3 {p2, p3}: to date 1, {p1, p2} = 2,
    // {p1, p2, p3} = 3 — not the quarters' 1 + 2 + 2 = 5.
    assert_eq!(value_of(&rows, &["2024-25 Q3", "employability_participants"]), 2.0);
    assert_eq!(to_date("2024-25 Q2", "employability_participants"), 2.0);
    assert_eq!(to_date("2024-25 Q3", "employability_participants"), 3.0);
    // A stock takes each unit's latest snapshot: Q1 A 10 + B 7 = 17; Q2 A 12 alone;
    // to date at Q2, A's 12 (30 Sep) + B's 7 (31 May) = 19 — not 17 + 12 = 29.
    assert_eq!(value_of(&rows, &["2024-25 Q1", "people_in_work"]), 17.0);
    assert_eq!(value_of(&rows, &["2024-25 Q2", "people_in_work"]), 12.0);
    assert_eq!(to_date("2024-25 Q2", "people_in_work"), 19.0);
    // Each figure to date is the figure `--to` the quarter's last day gives.
    let to_q2 = figures(&[s(&data), "--to", "2024-09-30"]);
    for id in ["jobs_created", "employability_participants", "people_in_work"] {
        assert_eq!(to_date("2024-25 Q2", id), value_of(&to_q2, &[id]), "{id}");
    }
    // Targets to date add up the quarters' targets for counts that add up: at Q2,
    // 2 + 2 = 4 (3 starts: 75 %); at Q4, Q3 has no target: none. People counted once
    // have none (a target of 5 people in Q1 and of 5 in Q2 is not one of 10 to date).
    let rows = figures(&[s(&data), "--by", "programme,financial_quarter", "--to-date", "--targets", s(&targets)]);
    assert_eq!(cell(&rows, &["P1", "2024-25 Q2", "jobs_created"], "target_to_date"), "4.0");
    assert_eq!(cell(&rows, &["P1", "2024-25 Q2", "jobs_created"], "pct_achieved_to_date"), "75.0");
    assert_eq!(cell(&rows, &["P1", "2024-25 Q4", "jobs_created"], "target_to_date"), "");
    assert_eq!(cell(&rows, &["P1", "2024-25 Q1", "employability_participants"], "target_to_date"), "");
    // A quarter with a target and no records counts: job starts only (no Q3 row),
    // targets of 2 in each quarter: to date at Q4, 2 + 2 + 2 + 2 = 8 (4 starts: 50 %).
    let every_quarter = write(
        dir.path(),
        "t4.csv",
        "programme,period,indicator,target\n\
         P1,2024-25 Q1,jobs_created,2\nP1,2024-25 Q2,jobs_created,2\nP1,2024-25 Q3,jobs_created,2\n\
         P1,2024-25 Q4,jobs_created,2\nP1,2024-25,jobs_created,99\n",
    );
    let rows = figures(&[
        s(&data),
        "--by",
        "programme,financial_quarter",
        "--to-date",
        "--indicator",
        "jobs_created",
        "--targets",
        s(&every_quarter),
    ]);
    assert_eq!(cell(&rows, &["P1", "2024-25 Q4", "jobs_created"], "target_to_date"), "8.0");
    assert_eq!(cell(&rows, &["P1", "2024-25 Q4", "jobs_created"], "pct_achieved_to_date"), "50.0");
    // Without a period there is nothing to run over.
    let refused = impact(&["aggregate", s(&data), "--to-date"]).expect_code(2);
    assert!(refused.stderr.contains("error: --to-date needs a period in --by"), "{}", refused.stderr);
    assert!(refused.stderr.contains("hint: add a period to --by"), "{}", refused.stderr);
}

#[test]
fn figures_to_date_give_back_no_withheld_period() {
    // The samples by organisation and quarter, protected: a withheld quarter of job
    // starts must not be the difference of two published figures to date (or, for an
    // organisation's first quarter, equal to a published one).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f.csv");
    crate::util::impact_in(
        std::path::Path::new("samples"),
        &[
            "aggregate",
            "--by",
            "organisation,financial_quarter",
            "--to-date",
            "--indicator",
            "jobs_created",
            "--out",
            s(&out),
        ],
    )
    .ok();
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap());
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (org, value, to_date) = (at("organisation"), at("value"), at("to_date"));
    // A withheld quarter k is given away when its figure to date is published and so
    // is the one of an earlier quarter j (or j is before the first), with every
    // quarter between them published: v(k) = td(k) − td(j) − Σ v(j+1..k−1).
    let mut withheld = 0;
    for group in rows[1..].chunk_by(|a, b| a[org] == b[org]) {
        for (k, row) in group.iter().enumerate().filter(|(_, r)| r[value].is_empty()) {
            withheld += 1;
            if row[to_date].is_empty() {
                continue;
            }
            let before = &group[..k];
            let anchor = before.iter().rposition(|r| !r[to_date].is_empty());
            let between = &before[anchor.map_or(0, |j| j + 1)..];
            assert!(between.iter().any(|r| r[value].is_empty()), "{:?} is given back by {group:?}", row);
        }
    }
    assert!(withheld > 3, "the samples withhold some quarters: {withheld}");
    // A cohort's parts follow people from their first cohort, so they add up over
    // time for no reader: from a year where a part is withheld (either column), its
    // figures to date stay withheld.
    crate::util::impact_in(
        std::path::Path::new("samples"),
        &["aggregate", "--by", "area,year", "--to-date", "--out", s(&out)],
    )
    .ok();
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap());
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (area, indicator, withheld, to_date) = (at("area"), at("indicator"), at("withheld"), at("to_date_withheld"));
    let mut cohort_rows: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[indicator].contains('.')).collect();
    cohort_rows.sort_by_key(|r| (r[area].clone(), r[indicator].clone(), r[at("year")].clone()));
    let mut held = 0;
    for group in cohort_rows.chunk_by(|a, b| a[area] == b[area] && a[indicator] == b[indicator]) {
        if let Some(from) = group.iter().position(|r| !r[withheld].is_empty() || !r[to_date].is_empty()) {
            held += 1;
            assert!(group[from..].iter().all(|r| !r[to_date].is_empty()), "{group:?}");
        }
    }
    assert!(held > 3, "the samples withhold some cohorts: {held}");
}

#[test]
fn figures_to_date_of_stocks_and_means_hold_back_a_withheld_period() {
    // A stock carries its snapshots on and a mean takes in every record so far, so
    // neither is a sum of the periods: after a withheld period, the figures to date
    // would give it back from the published periods. Two units (P1, P2) in work:
    // Q1 P1 10 + P2 20 = 30; Q2 P2 alone 3 (withheld, under 5); Q3 P1 12 alone. To
    // date at Q3: P1 12 + P2 3 = 15, and 15 − 12 = 3 is Q2's withheld count: so every
    // figure to date from Q2 on is withheld. A mean change over 6, then 2 (withheld:
    // few records), then 6 records: to date from Q2 on it is withheld too ([c]).
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("record_id,organisation,programme,indicator,date,value,participant\n");
    rows.push_str("W1,A,P1,people_in_work,2024-06-30,10,\nW2,A,P2,people_in_work,2024-06-30,20,\n");
    rows.push_str("W3,A,P2,people_in_work,2024-09-30,3,\nW4,A,P1,people_in_work,2024-12-31,12,\n");
    for (k, (date, n)) in [("2024-05-01", 6), ("2024-08-01", 2), ("2024-11-01", 6)].iter().enumerate() {
        for i in 0..*n {
            rows.push_str(&format!("M{k}{i},A,P1,wemwbs_change,{date},{},p{k}{i}\n", 2 + i));
        }
    }
    let data = write(dir.path(), "d.csv", &rows);
    let run = impact(&["aggregate", s(&data), "--by", "financial_quarter", "--to-date", "--format", "csv"]).ok();
    let rows = csv_rows(&run.stdout);
    let get = |q: &str, id: &str, column: &str| cell(&rows, &[q, id], column).to_string();
    // Q1 stands: 30 people, 30 to date; a mean of 2..7 = 4.5 over 6 records.
    assert_eq!(get("2024-25 Q1", "people_in_work", "to_date"), "30.0");
    assert_eq!(get("2024-25 Q1", "wemwbs_change", "to_date"), "4.5");
    assert_eq!(get("2024-25 Q2", "people_in_work", "withheld"), "small");
    for q in ["2024-25 Q2", "2024-25 Q3"] {
        assert_eq!(get(q, "people_in_work", "to_date"), "", "{q}: {rows:?}");
        assert_ne!(get(q, "people_in_work", "to_date_withheld"), "", "{q}");
        assert_eq!(get(q, "wemwbs_change", "to_date"), "", "{q}: {rows:?}");
        assert_eq!(get(q, "wemwbs_change", "to_date_withheld"), "secondary", "{q}");
    }
    assert_eq!(get("2024-25 Q2", "wemwbs_change", "withheld"), "few");
    assert_eq!(get("2024-25 Q3", "wemwbs_change", "value"), "4.5");
}

#[test]
fn figures_to_date_close_the_ways_a_reader_found_back() {
    let dir = tempfile::tempdir().unwrap();
    let head = "record_id,organisation,programme,indicator,date,value,participant\n";
    let run = |name: &str, body: &str, args: &[&str]| {
        let data = write(dir.path(), name, &format!("{head}{body}"));
        let mut all = vec!["aggregate", s(&data), "--to-date", "--format", "csv"];
        all.extend_from_slice(args);
        csv_rows(&impact(&all).ok().stdout)
    };
    // A stock: P1 10 + P2 4 = 14 in Q1; P1 0 in Q2 (to date 0 + 4 = 4: small); P1 10
    // in Q3, to date 14. Published, 14 − 10 would bound Q2's to date below by 4, and
    // "<5" above: so from Q2 on the figures to date are withheld.
    let stock = run(
        "stock.csv",
        "R1,A,P1,people_in_work,2024-02-01,10,\nR2,A,P2,people_in_work,2024-02-01,4,\n\
         R3,A,P1,people_in_work,2024-05-01,0,\nR4,A,P1,people_in_work,2024-08-01,10,\n",
        &["--by", "quarter", "--today", "2026-01-01"],
    );
    assert_eq!(cell(&stock, &["2024-Q2", "people_in_work"], "to_date_withheld"), "small");
    assert_eq!(cell(&stock, &["2024-Q3", "people_in_work"], "to_date"), "", "{stock:?}");
    // A ratio to date when its numerator has no records in the row's period: 2024 has
    // only denominators, so to date it is (10 + 0) ÷ (20 + 20) = 25 %, not 0 or none.
    let ratio = run(
        "ratio.csv",
        "R1,A,P1,released_people_followed_up,2023-05-01,20,\nR2,A,P1,reconvicted_within_12m,2023-05-01,10,\n\
         R3,A,P1,released_people_followed_up,2024-05-01,20,\n",
        &["--by", "year", "--no-suppress", "--today", "2026-01-01"],
    );
    assert_eq!(cell(&ratio, &["2024", "reconviction_rate"], "to_date"), "25.0");
    // A cohort of 4 people (small) in 2023 and 8 in 2024, none of them yet due in
    // 2024: the parts 0 + 0 + 8 would be 2024's withheld count of people supported,
    // and the rate's record count too; with the distinct people to date (12) they
    // would give 2023's 4. The pending part is withheld, and the rate's records with it.
    let mut cohort = String::new();
    for (k, (date, n)) in [("2023-01-15", 4), ("2024-10-15", 8)].iter().enumerate() {
        for i in 0..*n {
            cohort.push_str(&format!("R{k}{i},A,P1,employability_participants,{date},1,p{k}{i}\n"));
        }
    }
    let rows = run(
        "cohort.csv",
        &cohort,
        &["--by", "year", "--indicator", "job_outcome_rate,employability_participants", "--today", "2025-12-01"],
    );
    assert_eq!(cell(&rows, &["2024", "job_outcome_rate.pending"], "value"), "", "{rows:?}");
    assert_eq!(cell(&rows, &["2024", "job_outcome_rate"], "records"), "", "{rows:?}");
    // A sub-count is within its whole: 13 people assessed and improved in Q1, one more
    // assessed in Q2 (small). Published, improved 13 and assessed 14 to date would give
    // Q1's assessed as 13 (at least the 13 improved, at most 14 − 1) and Q2's as 1.
    let mut wellbeing = String::new();
    for i in 0..13 {
        wellbeing.push_str(&format!("A{i},A,P1,wellbeing_assessed,2024-02-01,1,p{i}\n"));
        wellbeing.push_str(&format!("I{i},A,P1,wellbeing_improved,2024-02-01,1,p{i}\n"));
    }
    wellbeing.push_str("A99,A,P1,wellbeing_assessed,2024-05-01,1,p99\n");
    let rows = run("wellbeing.csv", &wellbeing, &["--by", "quarter", "--today", "2026-01-01"]);
    let improved = cell(&rows, &["2024-Q1", "wellbeing_improved"], "value").parse::<f64>();
    let assessed = cell(&rows, &["2024-Q2", "wellbeing_assessed"], "to_date").parse::<f64>();
    assert!(
        !matches!((improved, assessed), (Ok(i), Ok(a)) if a - i <= 1.0),
        "Q2's small count is given back: {rows:?}"
    );
}
