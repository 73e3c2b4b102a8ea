//! Data is read, checked and folded in batches (`IMPACT_BATCH_ROWS`, 500,000 by
//! default). These tests cross batch edges with tiny batches and prove nothing a
//! user sees depends on where the edges fall.

use polars::prelude::*;

use crate::util::{impact, impact_env, s, write};

const HEADER: &str = "record_id,organisation,programme,indicator,date,value,participant,beneficiary_group,gender,age_band,area,simd_decile,evidence";

#[test]
fn figures_do_not_depend_on_batch_size() {
    // 20,000 sample records in batches of 997 (a prime, so edges fall everywhere),
    // grouped every way that keys records: period, text, decile, stock units.
    for by in ["organisation,financial_year", "programme,quarter", "simd_decile,area", "gender,month", ""] {
        let args = ["aggregate", "samples/outcomes.csv", "--by", by, "--format", "csv", "--no-suppress"];
        let whole = impact(&args).ok();
        let batched = impact_env(&args, &[("IMPACT_BATCH_ROWS", "997")]).ok();
        assert_eq!(whole.stdout, batched.stdout, "--by {by}");
        assert!(whole.stdout.lines().count() > 40, "{}", whole.stdout);
    }
}

#[test]
fn timing_lines_say_when_and_change_no_figure() {
    // IMPACT_TIMING prints each phase's time and when it was printed; the output
    // itself is the same as without it.
    let args = ["aggregate", "samples/outcomes.csv", "--by", "organisation", "--format", "csv", "--no-suppress"];
    let plain = impact(&args).ok();
    let timed = impact_env(&args, &[("IMPACT_TIMING", "1"), ("IMPACT_BATCH_ROWS", "997")]).ok();
    assert_eq!(plain.stdout, timed.stdout);
    assert!(!plain.stderr.contains("timing:"), "{}", plain.stderr);
    let at = |line: &str| -> f64 {
        let (_, when) = line.rsplit_once("(at ").unwrap_or_else(|| panic!("no time in {line:?}"));
        when.trim_end_matches("s)").parse().unwrap_or_else(|_| panic!("not a time in {line:?}"))
    };
    let lines: Vec<&str> = timed.stderr.lines().filter(|l| l.starts_with("timing: ")).collect();
    assert!(lines.len() >= 5, "{}", timed.stderr);
    // "done" comes last, after every thread that printed a line has been joined.
    let (last, others) = lines.split_last().expect("timing lines");
    assert!(last.starts_with("timing: done (at "), "{}", timed.stderr);
    assert!(others.iter().all(|l| at(l) <= at(last)), "{}", timed.stderr);
}

#[test]
fn parquet_figures_do_not_depend_on_row_groups_or_batches() {
    // The same records as Parquet in row groups of 3,000, each handed on in batches of
    // 997 (and read one row group ahead): the figures are the CSV's.
    let dir = tempfile::tempdir().unwrap();
    let mut records = CsvReadOptions::default()
        .try_into_reader_with_file_path(Some("samples/outcomes.csv".into()))
        .unwrap()
        .finish()
        .unwrap();
    let data = dir.path().join("outcomes.parquet");
    ParquetWriter::new(std::fs::File::create(&data).unwrap())
        .with_row_group_size(Some(3_000))
        .finish(&mut records)
        .unwrap();
    for by in ["organisation,financial_year", "simd_decile,area", ""] {
        let from_csv =
            impact(&["aggregate", "samples/outcomes.csv", "--by", by, "--format", "csv", "--no-suppress"]).ok();
        let args = ["aggregate", s(&data), "--by", by, "--format", "csv", "--no-suppress"];
        let whole = impact(&args).ok();
        let batched = impact_env(&args, &[("IMPACT_BATCH_ROWS", "997")]).ok();
        assert_eq!(from_csv.stdout, whole.stdout, "--by {by}");
        assert_eq!(whole.stdout, batched.stdout, "--by {by}");
    }
}

#[test]
fn the_report_does_not_depend_on_batch_size() {
    // 60 bad rows of three kinds, listed up to 50 per kind across batch edges.
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{HEADER}\n");
    for i in 0..60 {
        text.push_str(&format!("R{i},ORG1,P1,jobs_created,2024-05-01,-{i},p{i},,,,,,\n"));
        text.push_str(&format!("S{i},ORG1,P1,jobs_created,2024-13-01,1,q{i},,,,,,\n"));
        text.push_str(&format!("R{i},ORG2,P1,volunteer_hours,2024-05-01,2,v{i},,,,,,\n"));
    }
    let data = write(dir.path(), "d.csv", &text);
    let whole = impact(&["validate", s(&data), "--today", "2026-01-01"]).expect_code(1);
    let batched =
        impact_env(&["validate", s(&data), "--today", "2026-01-01"], &[("IMPACT_BATCH_ROWS", "7")]).expect_code(1);
    assert_eq!(whole.stdout, batched.stdout);
    // 59 negative values (R0 has 0), 60 impossible dates, 60 repeated ids.
    assert!(whole.stdout.contains("180 record(s) read, 1 valid: 179 error(s)"), "{}", whole.stdout);
    assert!(
        whole.stdout.contains("row 4, column A \"record_id\": record_id \"R0\" already used at"),
        "{}",
        whole.stdout
    );
}

#[test]
fn aggregate_refuses_repeated_ids_found_by_their_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}\nR1,ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,,\nR2,ORG1,P1,jobs_created,2024-05-01,1,p2,,,,,,\nR1,ORG1,P1,jobs_created,2024-05-02,1,p3,,,,,,\n");
    let data = write(dir.path(), "d.csv", &text);
    let out = dir.path().join("f.csv");
    let run = impact_env(&["aggregate", s(&data), "--out", s(&out)], &[("IMPACT_BATCH_ROWS", "1")]).expect_code(1);
    assert!(run.stderr.contains("row 4") && run.stderr.contains("record_id \"R1\" already used at"), "{}", run.stderr);
    assert!(!out.exists());
}

/// A Parquet file whose columns are all text, as some exporters write them.
fn text_parquet(path: &std::path::Path, rows: &[[Option<&str>; 13]]) {
    let names: Vec<&str> = HEADER.split(',').collect();
    let columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(c, name)| Column::new((*name).into(), rows.iter().map(|r| r[c]).collect::<Vec<Option<&str>>>()))
        .collect();
    let mut df = DataFrame::new(rows.len(), columns).unwrap();
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

#[test]
fn a_row_blank_in_the_checked_columns_is_still_reported() {
    // `validate` reads only the checked columns. Row 3 has nothing in them but a note
    // in `evidence`: the read starts again with every column, so the row is reported
    // (as when every column is read) rather than skipped as blank.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.parquet");
    let good = [
        Some("R1"),
        Some("ORG1"),
        Some("P1"),
        Some("jobs_created"),
        Some("2024-05-01"),
        Some("1"),
        Some("p1"),
        None,
        None,
        None,
        None,
        None,
        None,
    ];
    let mut noted = [None; 13];
    noted[12] = Some("see folder");
    text_parquet(&data, &[good, noted, [None; 13]]);
    let run = impact(&["validate", s(&data), "--today", "2026-01-01"]).expect_code(1);
    assert!(run.stdout.contains("2 record(s) read, 1 valid"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{}, row 2, column \"organisation\": no organisation given", s(&data))),
        "{}",
        run.stdout
    );
}
