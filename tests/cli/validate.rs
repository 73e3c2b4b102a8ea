use crate::util::{impact, listing, s, write};

const HEADER: &str = "record_id,organisation,programme,indicator,date,value,participant,beneficiary_group,gender,age_band,area,simd_decile,evidence";

fn csv(rows: &[&str]) -> String {
    let mut t = String::from(HEADER);
    for r in rows {
        t.push('\n');
        t.push_str(r);
    }
    t.push('\n');
    t
}

#[test]
fn the_shipped_samples_are_valid() {
    let run = impact(&["validate", "samples/outcomes.csv"]).ok();
    assert!(
        run.stdout.contains("1 file(s), 20000 record(s) read, 20000 valid: 0 error(s), 0 warning(s)"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_messy_workbook_gets_precise_problems() {
    let run =
        impact(&["validate", "samples/messy/partner_return.xlsx", "--map", "samples/messy/map.toml"]).expect_code(1);
    let out = &run.stdout;
    let file = "samples/messy/partner_return.xlsx";
    for expected in [
        format!("error: {file}, row 9, column B \"Date of outcome\": \"31/02/2025\" is not a real date"),
        format!("error: {file}, row 10, column I \"Jobs started\": \"two\" is not a number"),
        format!("error: {file}, row 11, column H \"Housing on release\": -1 is below the minimum 0 for `housing_secured_on_release` (people)"),
        format!("error: {file}, row 12, column J \"Training hrs\": \"N/A\" is not a number"),
        format!("error: {file}, row 13, column F \"SIMD\": \"11\" is not a SIMD decile"),
        format!("error: {file}, row 15, column I \"Jobs started\": 1.5 is not a whole number of jobs"),
        format!("error: {file}, row 16, column B \"Date of outcome\": \"14/03/2031\" is in the future (today is "),
    ] {
        assert!(out.contains(&expected), "missing\n  {expected}\nin\n{out}");
    }
    // The notes row, the total row and the blank row are not data; the good rows are.
    assert!(!out.contains("row 17,") && !out.contains("row 20,") && !out.contains("row 21,"), "{out}");
    assert!(out.contains("7 error(s)"), "{out}");
    assert!(out.contains("hint: "), "{out}");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        &csv(&[
            "R1,ORG1,P1,jobs_creatd,2024-05-01,1,p1,,,,,,",
            "R2,ORG1,P1,jobs_created,2024-05-01,lots,p1,,,,,,",
            "R3,ORG1,P1,jobs_created,2024-05-01,-2,p1,,,,,,",
            "R4,ORG1,P1,jobs_created,2024-02-30,1,p1,,,,,,",
            "R5,ORG1,P1,jobs_created,2099-01-01,1,p1,,,,,,",
            "R6,ORG1,P1,jobs_created,01/05/2024,1,p1,,,,,,",
            "R7,ORG1,P1,employability_participants,2024-05-01,1,,,,,,,",
            "R8,ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,0,",
            "R1,ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,,",
            "R10,,P1,jobs_created,2024-05-01,,p1,,,,,,",
        ]),
    );
    let run = impact(&["validate", s(&data)]).expect_code(1);
    let out = run.stdout;
    let f = s(&data);
    for expected in [
        format!("{f}, row 2, column D \"indicator\": unknown indicator `jobs_creatd`"),
        "hint: did you mean `jobs_created`?".to_string(),
        format!("{f}, row 3, column F \"value\": \"lots\" is not a number"),
        format!("{f}, row 4, column F \"value\": -2 is below the minimum 0 for `jobs_created` (jobs)"),
        format!("{f}, row 5, column E \"date\": \"2024-02-30\" is not a real date"),
        format!("{f}, row 6, column E \"date\": \"2099-01-01\" is in the future"),
        format!("{f}, row 7, column E \"date\": \"01/05/2024\" could be 1 May 2024 or 5 January 2024"),
        "date_format = \"%d/%m/%Y\"".to_string(),
        format!("{f}, row 8, column G \"participant\": `employability_participants` counts distinct people"),
        format!("{f}, row 9, column L \"simd_decile\": \"0\" is not a SIMD decile"),
        format!("{f}, row 10, column A \"record_id\": record_id \"R1\" already used at {f}, row 2"),
        format!("{f}, row 11, column B \"organisation\": no organisation given"),
        format!("{f}, row 11, column F \"value\": no value given"),
    ] {
        assert!(out.contains(&expected), "missing\n  {expected}\nin\n{out}");
    }
    assert!(out.contains("10 record(s) read, 0 valid: 11 error(s)"), "{out}");
}

#[test]
fn a_missing_required_column_lists_the_columns_found() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "organisation,indicator,when,value\nORG1,jobs_created,2024-05-01,1\n");
    let run = impact(&["validate", s(&data)]).expect_code(1);
    assert!(
        run.stdout.contains("missing column `date`; the columns found are: organisation, indicator, when, value"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("hint: "), "{}", run.stdout);
}

#[test]
fn duplicate_ids_are_found_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", &csv(&["X1,ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,,"]));
    let b = write(dir.path(), "b.csv", &csv(&["X1,ORG2,P1,jobs_created,2024-05-02,1,p2,,,,,,"]));
    let run = impact(&["validate", s(&a), s(&b)]).expect_code(1);
    assert!(
        run.stdout.contains(&format!(
            "{}, row 2, column A \"record_id\": record_id \"X1\" already used at {}, row 2",
            s(&b),
            s(&a)
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn semicolons_bom_and_crlf_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}\r\nR1;ORG1;P1;jobs_created;2024-05-01;1;p1;;;;;3;\r\nR2;ORG1;P1;spend_local_suppliers;2024-05-01;\"£1,200.50\";;;;;;;\r\n", HEADER.replace(',', ";"));
    let data = write(dir.path(), "d.csv", &text);
    let run = impact(&["validate", s(&data)]).ok();
    assert!(run.stdout.contains("2 record(s) read, 2 valid: 0 error(s)"), "{}", run.stdout);
    let run =
        impact(&["aggregate", s(&data), "--format", "csv", "--indicator", "spend_local_suppliers", "--no-suppress"])
            .ok();
    assert!(run.stdout.contains("spend_local_suppliers,1200.5,GBP,1"), "{}", run.stdout);
}

#[test]
fn json_array_and_ndjson_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let arr = write(
        dir.path(),
        "a.json",
        r#"[{"organisation":"ORG1","indicator":"jobs_created","date":"2024-05-01","value":1},
            {"organisation":"ORG1","indicator":"jobs_created","date":"2024-06-01","value":"x"}]"#,
    );
    let run = impact(&["validate", s(&arr)]).expect_code(1);
    assert!(
        run.stdout.contains(&format!("{}, row 2, column \"value\": \"x\" is not a number", s(&arr))),
        "{}",
        run.stdout
    );
    let nd = write(dir.path(), "b.ndjson", "{\"organisation\":\"ORG1\",\"indicator\":\"jobs_created\",\"date\":\"2024-05-01\",\"value\":2}\n\n{\"organisation\":\"ORG2\",\"indicator\":\"jobs_created\",\"date\":\"2024-05-01\",\"value\":3}\n");
    let run = impact(&["aggregate", s(&nd), "--format", "csv", "--no-suppress"]).ok();
    assert!(run.stdout.contains("jobs_created,5.0,jobs,2"), "{}", run.stdout);
}

#[test]
fn json_report_counts_every_class() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        &csv(&["R1,ORG1,P1,nope,2024-05-01,1,p1,,,,,,", "R2,ORG1,P1,jobs_created,2024-05-01,x,p1,,,,,,"]),
    );
    let run = impact(&["validate", s(&data), "--format", "json"]).expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    assert_eq!(v["counts"]["unknown_indicator"], 1);
    assert_eq!(v["counts"]["not_a_number"], 1);
    assert_eq!(v["diagnostics"][0]["row"], 2);
    assert_eq!(v["diagnostics"][0]["value"], "nope");
}

#[test]
fn aggregate_refuses_invalid_data_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", &csv(&["R1,ORG1,P1,jobs_created,2024-05-01,two,p1,,,,,,"]));
    let out = dir.path().join("figures.csv");
    let run = impact(&["aggregate", s(&data), "--by", "organisation", "--out", s(&out)]).expect_code(1);
    assert!(run.stderr.contains("\"two\" is not a number"), "{}", run.stderr);
    assert!(run.stderr.contains("error: the data has 1 error(s); nothing was written"), "{}", run.stderr);
    assert_eq!(listing(dir.path()), vec!["d.csv".to_string()]);
}

#[test]
fn many_problems_are_counted_beyond_the_listing_limit() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..30).map(|i| format!("R{i},ORG1,P1,jobs_created,2024-05-01,bad,p1,,,,,,")).collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let data = write(dir.path(), "d.csv", &csv(&refs));
    let run = impact(&["validate", s(&data), "--max-problems", "5"]).expect_code(1);
    assert_eq!(run.stdout.matches("is not a number").count(), 5, "{}", run.stdout);
    assert!(run.stdout.contains("… and 25 more problem(s)"), "{}", run.stdout);
    assert!(run.stdout.contains("30 error(s)"), "{}", run.stdout);
}

#[test]
fn an_empty_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "");
    let run = impact(&["validate", s(&data)]).expect_code(1);
    assert!(run.stderr.contains("the file is empty"), "{}", run.stderr);
}

#[test]
fn a_wide_csv_with_a_map_aggregates_to_long_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "wide.csv",
        "Monthly return,,,\n\
         Partner;Month end;Jobs;Spend (£)\n\
         ORG1;30/04/2024;2;\"£1,200\"\n\
         ORG1;31/05/2024;;\"£300.50\"\n\
         ;;;\n\
         ORG2;31/05/2024;1;\n\
         Total;;3;\"£1,500.50\"\n",
    );
    let map = write(
        dir.path(),
        "map.toml",
        "[source]\nheader_row = 2\ndelimiter = \";\"\ndate_format = \"%d/%m/%Y\"\nskip_rows_starting_with = [\"total\"]\n\
         [columns]\norganisation = \"Partner\"\ndate = \"Month end\"\n\
         [constants]\nprogramme = \"P1\"\n\
         [wide]\n\"Jobs\" = \"jobs_created\"\n\"Spend (£)\" = \"spend_local_suppliers\"\n",
    );
    let run = impact(&["validate", s(&data), "--map", s(&map)]).ok();
    // Four filled cells (2 jobs cells, 2 spend cells); the blank, blank-row and total cells are not records.
    assert!(run.stdout.contains("4 record(s) read, 4 valid: 0 error(s)"), "{}", run.stdout);
    let out =
        impact(&["aggregate", s(&data), "--map", s(&map), "--by", "programme", "--format", "csv", "--no-suppress"])
            .ok()
            .stdout;
    assert!(out.contains("P1,jobs_created,3.0,jobs,2"), "{out}");
    // £1,200 + £300.50 = £1,500.50
    assert!(out.contains("P1,spend_local_suppliers,1500.5,GBP,2"), "{out}");
}

#[test]
fn a_map_with_mistakes_is_refused_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "a,b\n1,2\n");
    let map = write(dir.path(), "m.toml", "[columns]\norganisaton = \"a\"\n");
    let run = impact(&["validate", s(&data), "--map", s(&map)]).expect_code(1);
    assert!(run.stderr.contains("key `organisaton`: is not a canonical column"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `organisation`?"), "{}", run.stderr);
    let map = write(dir.path(), "m2.toml", "[columns]\norganisation = \"a\"\narea = \"A\"\n");
    let run = impact(&["validate", s(&data), "--map", s(&map)]).expect_code(1);
    assert!(
        run.stderr.contains("key `columns.organisation`: heading \"a\" is already mapped to `area`"),
        "{}",
        run.stderr
    );
    let map = write(dir.path(), "m3.toml", "[wide]\n\"a\" = \"jobs_creatd\"\n");
    let run = impact(&["validate", s(&data), "--map", s(&map)]).expect_code(1);
    assert!(run.stderr.contains("did you mean `jobs_created`?"), "{}", run.stderr);
}

#[test]
fn a_workbook_with_several_sheets_says_which_it_read() {
    let dir = tempfile::tempdir().unwrap();
    // The messy workbook's first sheet has its headings on row 3: without a map, the
    // heading row is row 1 (a title), so required columns are missing — and the other
    // sheet is named in a warning.
    let book = crate::util::repo().join("samples/messy/partner_return.xlsx");
    let copy = dir.path().join("book.xlsx");
    std::fs::copy(&book, &copy).unwrap();
    let run = impact(&["validate", s(&copy)]).expect_code(1);
    assert!(
        run.stdout.contains("warning: ")
            && run.stdout.contains("the workbook has 2 sheets; reading the first, \"Q4 return\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"Guidance\""), "{}", run.stdout);
    assert!(run.stdout.contains("missing columns `organisation`, `indicator`, `date`, `value`"), "{}", run.stdout);
    assert!(run.stdout.contains("row 1 looks like a title"), "{}", run.stdout);
}

/// Large files are checked in parallel slices; the report is the same as one thread's.
#[test]
fn parallel_checking_reports_like_serial() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    impact(&["samples", "generate", "--rows", "300000", "--seed", "3", "--out", s(&path)]).ok();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Spoil the value of 30 rows near the start and 30 near the end (the last slice).
    let n = lines.len();
    for i in (2..32).chain(n - 30..n) {
        let mut cells: Vec<String> = lines[i].split(',').map(str::to_string).collect();
        cells[5] = "x".into();
        lines[i] = cells.join(",");
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let args = ["validate", s(&path), "--max-problems", "40"];
    let many = crate::util::impact_env(&args, &[("RAYON_NUM_THREADS", "2")]).expect_code(1);
    let one = crate::util::impact_env(&args, &[("RAYON_NUM_THREADS", "1")]).expect_code(1);
    assert_eq!(many.stdout, one.stdout);
    assert_eq!(many.stdout.matches("is not a number").count(), 40);
    assert!(many.stdout.contains("… and 20 more problem(s)"), "{}", many.stdout);
    assert!(many.stdout.contains("300000 record(s) read, 299940 valid: 60 error(s)"), "{}", many.stdout);
    assert!(many.stdout.contains(", row 3, column F \"value\""), "first spoiled line is row 3");
}

/// A careless or hostile file: 200 different unknown indicator ids of 20 KB each.
/// The report comes back quickly, and quotes each id cut short.
#[test]
fn long_unknown_ids_are_reported_quickly_and_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,indicator,date,value\n");
    for i in 0..200 {
        d.push_str(&format!("ORG1,{}{i},2024-05-01,1\n", "x".repeat(20_000)));
    }
    let data = write(dir.path(), "d.csv", &d);
    let started = std::time::Instant::now();
    let run = impact(&["validate", s(&data)]).expect_code(1);
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.len() < 100_000, "{} bytes of report", all.len());
    assert!(
        all.contains("(20001 characters)") || all.contains("(20002 characters)") || all.contains("(20003 characters)"),
        "{}",
        &all[..all.len().min(2000)]
    );
}

/// An id carrying terminal escape codes and a right-to-left override is shown
/// escaped, in the report and in a table, never sent to the terminal raw.
#[test]
fn control_characters_from_the_data_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,indicator,date,value\nORG\u{1b}]0;pwned\u{7},jobs_creatd\u{202e},2024-05-01,1\n",
    );
    let run = impact(&["validate", s(&data)]).expect_code(1);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(!all.contains('\u{1b}') && !all.contains('\u{202e}') && !all.contains('\u{7}'), "{all:?}");
    assert!(all.contains("\\u{202e}"), "{all}");
    let data =
        write(dir.path(), "e.csv", "organisation,indicator,date,value\nORG\u{1b}[31m,jobs_created,2024-05-01,1\n");
    let run = impact(&["aggregate", s(&data), "--by", "organisation", "--no-suppress", "--format", "table"]).ok();
    assert!(!run.stdout.contains('\u{1b}') && run.stdout.contains("ORG\\u{1b}[31m"), "{:?}", run.stdout);
}

/// Typed files get the checks text gets: NaN, infinity, absurd sizes and true/false
/// are not numbers; a number is not a date.
#[test]
fn typed_parquet_columns_are_checked_like_text() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let write_parquet = |name: &str, mut df: DataFrame| {
        let path = dir.path().join(name);
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        path
    };
    let values = write_parquet(
        "v.parquet",
        df!(
            "organisation" => ["ORG1"; 4],
            "indicator" => ["volunteer_hours"; 4],
            "date" => ["2024-05-01"; 4],
            "value" => [1.0, f64::NAN, f64::INFINITY, 1e308]
        )
        .unwrap(),
    );
    let run = impact(&["validate", s(&values)]).expect_code(1);
    // Parquet rows are counted from 1: the NaN is row 2.
    assert!(run.stdout.contains("row 2, column \"value\": \"NaN\""), "{}", run.stdout);
    assert!(run.stdout.contains("row 3, column \"value\": \"inf\""), "{}", run.stdout);
    assert!(run.stdout.contains("row 4, column \"value\": \"1e308\""), "{}", run.stdout);
    assert!(run.stdout.contains("3 error(s)"), "{}", run.stdout);

    let flags = write_parquet(
        "b.parquet",
        df!("organisation" => ["ORG1"], "indicator" => ["jobs_created"], "date" => ["2024-05-01"], "value" => [true])
            .unwrap(),
    );
    let run = impact(&["validate", s(&flags)]).expect_code(1);
    assert!(run.stdout.contains("\"true\" is not a number"), "{}", run.stdout);

    let days = write_parquet(
        "d.parquet",
        df!("organisation" => ["ORG1"], "indicator" => ["jobs_created"], "date" => [19844i32], "value" => [1.0])
            .unwrap(),
    );
    let run = impact(&["validate", s(&days)]).expect_code(1);
    assert!(run.stdout.contains("\"19844\" is not a date"), "{}", run.stdout);
}

/// A Parquet column of lists (or structs) is named as such, not read as text such as
/// `["ORG1"]` passing for an organisation, and not left to the engine's error.
#[test]
fn nested_columns_are_named() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.parquet");
    let orgs = Series::new("organisation".into(), [Series::new("".into(), ["ORG1"]), Series::new("".into(), ["ORG2"])]);
    let mut df = DataFrame::new(
        2,
        vec![
            orgs.into_column(),
            Column::new("indicator".into(), ["jobs_created", "jobs_created"]),
            Column::new("date".into(), ["2024-05-01", "2024-05-01"]),
            Column::new("value".into(), [1.0, 1.0]),
        ],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
    let run = impact(&["validate", s(&path)]).expect_code(1);
    assert!(run.stderr.contains("holds list") && run.stderr.contains("organisation"), "{}", run.stderr);
    assert!(!run.stderr.contains("data engine"), "{}", run.stderr);
}

/// A notes or total row that the column map drops may be short, in the middle or at
/// the end; without the map, the same rows are short rows and refused.
#[test]
fn rows_dropped_as_notes_may_be_short() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,programme,indicator,date,value\nORG1,P1,jobs_created,2024-05-01,1\nTotal,1\nORG1,P1,jobs_created,2024-05-02,1\nNote: provisional figures\n",
    );
    let map = write(dir.path(), "m.toml", "[source]\nskip_rows_starting_with = [\"Total\", \"Note\"]\n");
    let run = impact(&["validate", s(&data), "--map", s(&map)]).ok();
    assert!(run.stdout.contains("2 record(s) read, 2 valid"), "{}", run.stdout);
    let run = impact(&["validate", s(&data)]).expect_code(1);
    assert!(run.stderr.contains("looks cut short"), "{}", run.stderr);
}

/// `--skip-invalid` on value, compare and commitments: the invalid record is listed
/// and left out, the valid ones are used; without it, nothing is written.
#[test]
fn skip_invalid_leaves_out_bad_records_in_every_command_that_loads_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "record_id,organisation,programme,indicator,date,value\nR1,ORG1,P1,jobs_created,2024-05-01,6\nR2,ORG1,P1,jobs_created,2024-05-0X,4\n",
    );
    let c = write(dir.path(), "c.csv", "contract,supplier,programme,indicator,committed,start,due,contract_value\nK,ORG1,P1,jobs_created,10,2024-04-01,2025-03-31,1000\n");
    // Each command's line for the valid record alone (6 job starts, not 6 + 4).
    let runs: [(Vec<&str>, &str); 3] = [
        (
            vec!["value", s(&data), "--proxies", "tests/fixtures/proxies", "--format", "csv", "--no-suppress"],
            "P1,jobs_created,6.0,",
        ),
        (
            vec!["compare", s(&data), "--per", "participant", "--format", "csv", "--no-suppress"],
            "P1,jobs_created,6.0,1,",
        ),
        (
            vec![
                "commitments",
                "--commitments",
                s(&c),
                s(&data),
                "--as-of",
                "2024-07-01",
                "--format",
                "csv",
                "--no-suppress",
            ],
            "K,ORG1,jobs_created,10.0,6.0,60.0,",
        ),
    ];
    for (args, line) in runs {
        impact(&args).expect_code(1);
        let mut skipping = args.clone();
        skipping.push("--skip-invalid");
        let run = impact(&skipping).ok();
        assert!(
            run.stderr.contains("not a real date") && run.stderr.contains("1 invalid record(s) left out"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stdout.contains(line), "{args:?}: {}", run.stdout);
    }
}

/// A sub-count (`within` in the library) above its whole for one organisation,
/// programme and financial year is a warning naming the group and both figures.
#[test]
fn parts_above_their_whole_are_warned_of_by_group() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        &[
            "organisation,programme,indicator,date,value,participant",
            // ORG_A P1 2024-25: 1 job start, 2 of them for long-term unemployed people.
            "ORG_A,P1,jobs_created,2024-05-01,1,a1",
            "ORG_A,P1,jobs_long_term_unemployed,2024-05-01,1,a1",
            "ORG_A,P1,jobs_long_term_unemployed,2024-06-01,1,a2",
            // ORG_A P1 2025-26: 1 of 1, fine; ORG_B: a part with no whole at all (incomplete,
            // not inconsistent: no warning).
            "ORG_A,P1,jobs_created,2025-05-01,1,a3",
            "ORG_A,P1,jobs_long_term_unemployed,2025-05-01,1,a3",
            "ORG_B,P1,wellbeing_improved,2024-05-01,1,b1\n",
        ]
        .join("\n"),
    );
    let run = impact(&["validate", s(&data), "--today", "2026-01-01"]).ok();
    let out = &run.stdout;
    assert!(
        out.contains("organisation ORG_A, programme P1, 2024-25: jobs_long_term_unemployed (2) is more than jobs_created (1), which it is part of"),
        "{out}"
    );
    assert!(!out.contains("ORG_B") && !out.contains("2025-26"), "{out}");
    assert!(out.contains("0 error(s), 1 warning(s) (1 part exceeds its whole)"), "{out}");
}

/// A rate is computed from its parts: a record of one (a return with "job outcome
/// rate 45%") is refused, not silently left out of the figures.
#[test]
fn records_of_computed_rates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,indicator,date,value,participant\nORG_A,job_outcome_rate,2024-05-01,45,\nORG_A,local_spend_share,2024-05-01,30,\n",
    );
    let run = impact(&["validate", s(&data)]).expect_code(1);
    assert!(
        run.stdout.contains("row 2, column B \"indicator\": `job_outcome_rate` is computed from `employability_participants` and `jobs_created`, not recorded"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`local_spend_share` is computed from `spend_local_suppliers` and `supplier_spend_total`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 computed indicator recorded"), "{}", run.stdout);
}

/// Two-digit years are read by the pivot the map states (1950–2049 by default): with
/// `%y`, 13/05/24 is 13 May 2024 (financial year 2024-25), and 31/03/50 is 1950, which
/// is refused as before 1990; `century_start = 2000` makes it 2050, in the future.
#[test]
fn two_digit_years_are_read_by_the_map_s_century() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "organisation,indicator,date,value\nORG1,jobs_created,13/05/24,1\n");
    let map = write(dir.path(), "m.toml", "[source]\ndate_format = \"%d/%m/%y\"\n");
    let out = impact(&[
        "aggregate",
        s(&data),
        "--map",
        s(&map),
        "--by",
        "financial_year",
        "--format",
        "csv",
        "--no-suppress",
    ])
    .ok()
    .stdout;
    assert!(out.contains("2024-25,jobs_created,1.0,jobs,1"), "{out}");
    let old = write(dir.path(), "o.csv", "organisation,indicator,date,value\nORG1,jobs_created,31/03/50,1\n");
    let run = impact(&["validate", s(&old), "--map", s(&map)]).expect_code(1);
    assert!(run.stdout.contains("\"31/03/50\" is before 1990"), "{}", run.stdout);
    let later = write(dir.path(), "l.toml", "[source]\ndate_format = \"%d/%m/%y\"\ncentury_start = 2000\n");
    let run = impact(&["validate", s(&old), "--map", s(&later), "--today", "2026-01-01"]).expect_code(1);
    assert!(run.stdout.contains("\"31/03/50\" is in the future"), "{}", run.stdout);
}

/// `convert` writes what impactkit read from a mapped source as canonical records:
/// read back with no map (CSV or Parquet), they give the same figures as the source
/// read through its map.
#[test]
fn convert_writes_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let (book, map) = ("samples/messy/partner_return.xlsx", "samples/messy/map.toml");
    let csv = dir.path().join("canonical.csv");
    let pq = dir.path().join("canonical.parquet");
    let run = impact(&["convert", book, "--map", map, "--skip-invalid", "--out", s(&csv)]).ok();
    assert!(run.stdout.contains("wrote 24 record(s)"), "{}", run.stdout);
    assert!(run.stderr.contains("7 invalid record(s) left out"), "{}", run.stderr);
    impact(&["convert", book, "--map", map, "--skip-invalid", "--out", s(&pq)]).ok();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("record_id,organisation,programme,indicator,date,value,participant"), "{text}");
    let figures = |args: &[&str]| {
        let mut all = vec!["aggregate"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--by", "organisation,financial_quarter", "--format", "csv", "--no-suppress"]);
        impact(&all).ok().stdout
    };
    let through_map = figures(&[book, "--map", map, "--skip-invalid"]);
    assert_eq!(figures(&[s(&csv)]), through_map);
    assert_eq!(figures(&[s(&pq)]), through_map);
    // Invalid data is refused, and nothing is written.
    let refused = dir.path().join("refused.csv");
    impact(&["convert", book, "--map", map, "--out", s(&refused)]).expect_code(1);
    assert!(!refused.exists());
}

/// Words people type in a return ("Yes", "no", "✓") count as the map's `[values]`
/// say, for indicators that count whole things; without a map the hint says how, and
/// a word in a money column is refused with the reason.
#[test]
fn yes_and_no_count_as_the_map_says() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "Partner,Date,Housing on release,Job started\nORG1,2024-05-01,Yes,no\nORG1,2024-05-02,✓,YES\nORG1,2024-05-03,No,\n",
    );
    let map = write(
        dir.path(),
        "m.toml",
        "[columns]\norganisation = \"Partner\"\ndate = \"Date\"\n[wide]\n\"Housing on release\" = \"housing_secured_on_release\"\n\"Job started\" = \"jobs_created\"\n[values]\n\"Yes\" = 1\n\"No\" = 0\n\"✓\" = 1\n",
    );
    let out = impact(&["aggregate", s(&data), "--map", s(&map), "--format", "csv", "--no-suppress"]).ok().stdout;
    // Housing: Yes + ✓ + No = 1 + 1 + 0 = 2 over 3 records; jobs: no + YES = 0 + 1 = 1
    // over 2 records (the blank cell is no record).
    assert!(out.contains("housing_secured_on_release,2.0,people,3"), "{out}");
    assert!(out.contains("jobs_created,1.0,jobs,2"), "{out}");
    // Without the map's [values], the word is refused with the way to say what it counts.
    let bare = write(
        dir.path(),
        "b.toml",
        &std::fs::read_to_string(&map).unwrap().replace("[values]\n\"Yes\" = 1\n\"No\" = 0\n\"✓\" = 1\n", ""),
    );
    let run = impact(&["validate", s(&data), "--map", s(&bare)]).expect_code(1);
    assert!(run.stdout.contains("\"Yes\" is not a number"), "{}", run.stdout);
    assert!(run.stdout.contains("[values] \"Yes\" = 1, \"No\" = 0"), "{}", run.stdout);
    // A word on an amount is not a count.
    let money = write(dir.path(), "money.csv", "Partner,Date,Spend\nORG1,2024-05-01,Yes\n");
    let money_map = write(
        dir.path(),
        "mm.toml",
        "[columns]\norganisation = \"Partner\"\ndate = \"Date\"\n[wide]\n\"Spend\" = \"spend_local_suppliers\"\n[values]\n\"Yes\" = 1\n",
    );
    let run = impact(&["validate", s(&money), "--map", s(&money_map)]).expect_code(1);
    assert!(run.stdout.contains("`spend_local_suppliers` is in GBP, so give its amount as a number"), "{}", run.stdout);
}

/// A map's name tables read names and aliases as ids: the partner return names its
/// partners ("Fàilte Works"), which become ORG02 and so on, as organisations.csv says;
/// an alias is matched ignoring case, and a name two ids claim is refused.
#[test]
fn names_in_a_return_are_read_as_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = impact(&[
        "convert",
        "samples/messy/partner_return.xlsx",
        "--map",
        "samples/messy/map.toml",
        "--skip-invalid",
        "--format",
        "csv",
    ])
    .ok()
    .stdout;
    let orgs: std::collections::BTreeSet<&str> = out.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert_eq!(orgs, ["ORG02", "ORG03", "ORG08", "ORG09"].into_iter().collect(), "{out}");
    write(dir.path(), "orgs.csv", "id,name,aliases\nA1,Alpha Trust,Alpha; The Alpha\nB2,Beta Works,\n");
    let data = write(
        dir.path(),
        "d.csv",
        "Partner,indicator,date,value\nthe alpha,jobs_created,2024-05-01,1\nBeta Works,jobs_created,2024-05-01,1\nA1,jobs_created,2024-05-01,1\nGamma,jobs_created,2024-05-01,1\n",
    );
    let map =
        write(dir.path(), "m.toml", "[columns]\norganisation = \"Partner\"\n[names]\norganisation = \"orgs.csv\"\n");
    let out =
        impact(&["aggregate", s(&data), "--map", s(&map), "--by", "organisation", "--format", "csv", "--no-suppress"])
            .ok()
            .stdout;
    // "the alpha" (an alias) and A1 are A1: 2; Beta Works is B2; Gamma, in no table, stays as written.
    assert!(out.contains("A1,jobs_created,2.0"), "{out}");
    assert!(out.contains("B2,jobs_created,1.0"), "{out}");
    assert!(out.contains("Gamma,jobs_created,1.0"), "{out}");
    // validate says so, rather than let Gamma be an organisation of its own in silence.
    let run = impact(&["validate", s(&data), "--map", s(&map), "--today", "2026-01-01"]).ok();
    assert!(
        run.stdout
            .contains("\"Gamma\" (1 record) in no organisation name table: each is read as an organisation of its own"),
        "{}",
        run.stdout
    );
    write(dir.path(), "orgs.csv", "id,name\nA1,Alpha Trust\nB2,alpha trust\n");
    let run = impact(&["aggregate", s(&data), "--map", s(&map)]).expect_code(1);
    assert!(run.stderr.contains("orgs.csv: row 3: \"alpha trust\" names both `A1` and `B2`"), "{}", run.stderr);
}

/// A partner return template (#15): its first sheet has the records' columns with
/// drop-down lists and checks; filled in (here by a program) it validates with no map.
#[test]
fn a_filled_template_validates_with_no_map() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("return.xlsx");
    let tables = [
        "--programmes",
        "samples/programmes.csv",
        "--organisations",
        "samples/organisations.csv",
        "--areas",
        "samples/areas.csv",
    ];
    let mut args = vec!["template", "--programme", "EMP-FWD", "--organisation", "ORG02", "--out", s(&template)];
    args.extend_from_slice(&tables);
    impact(&args).ok();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&template).unwrap();
    assert_eq!(wb.sheet_names(), ["Return", "How to fill in", "Lists"]);
    let heads: Vec<String> =
        wb.worksheet_range("Return").unwrap().rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(heads[..6], ["record_id", "organisation", "programme", "indicator", "date", "value"]);
    let lists = wb.worksheet_range("Lists").unwrap();
    let listed = |col: usize| -> Vec<String> {
        lists.rows().skip(1).filter_map(|r| r.get(col).filter(|c| **c != Data::Empty).map(|c| c.to_string())).collect()
    };
    // Drop-downs show names with their ids.
    assert!(listed(0).contains(&"Participants starting paid work (jobs_created)".to_string()), "{:?}", listed(0));
    assert!(!listed(0).iter().any(|l| l.ends_with("(job_outcome_rate)")), "a rate is computed, never recorded");
    assert_eq!(listed(1), ["Fàilte Works (ORG02)"]);
    assert_eq!(listed(5), ["female", "male", "non_binary", "not_stated"]);
    // The checks are in the sheet: organisation, programme, indicator, date, value
    // (against its own indicator), beneficiary group, area, gender, age band and SIMD
    // decile.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&template).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml).unwrap();
    assert_eq!(xml.matches("<dataValidation ").count(), 10, "{xml}");
    assert!(xml.contains("VLOOKUP"), "the value is checked against its indicator's least value: {xml}");
    // Filled in as the drop-downs fill it ("Fàilte Works (ORG02)"), the three sheets
    // kept: a row per outcome, dates as date cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Return").unwrap();
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let rows = [("jobs_created", 1.0, "long_term_unemployed"), ("employability_participants", 1.0, "disabled")];
    for (r, (indicator, value, group)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 1, "Fàilte Works (ORG02)").unwrap();
        sheet.write_string(r, 2, "Fair Start Forward employability programme (EMP-FWD)").unwrap();
        let label = listed(0).into_iter().find(|l| l.ends_with(&format!("({indicator})"))).unwrap();
        sheet.write_string(r, 3, &label).unwrap();
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 6, 3).unwrap();
        sheet.write_datetime_with_format(r, 4, &day, &date).unwrap();
        sheet.write_number(r, 5, *value).unwrap();
        sheet.write_string(r, 6, format!("P{r}")).unwrap();
        sheet.write_string(r, 7, *group).unwrap();
        sheet.write_string(r, 8, "female").unwrap();
        sheet.write_string(r, 9, "25-34").unwrap();
        sheet.write_string(r, 10, "Glasgow City (S12000049)").unwrap();
        sheet.write_number(r, 11, 2.0).unwrap();
    }
    book.add_worksheet().set_name("How to fill in").unwrap();
    book.add_worksheet().set_name("Lists").unwrap();
    let filled = dir.path().join("filled.xlsx");
    book.save(&filled).unwrap();
    let run = impact(&["validate", s(&filled), "--today", "2026-01-01"]).ok();
    assert!(run.stdout.contains("2 record(s) read, 2 valid: 0 error(s), 0 warning(s)"), "{}", run.stdout);
    // Read back as ids.
    let run = impact(&["convert", s(&filled), "--today", "2026-01-01"]).ok();
    assert!(run.stdout.contains(",ORG02,EMP-FWD,jobs_created,2024-06-03,"), "{}", run.stdout);
    assert!(run.stdout.contains(",S12000049,"), "{}", run.stdout);
    // A programme not in the table is refused with the nearest.
    let mut args = vec!["template", "--programme", "EMP-FWX", "--out", s(&template)];
    args.extend_from_slice(&tables);
    let run = impact(&args).expect_code(2);
    assert!(run.stderr.contains("did you mean `EMP-FWD`?"), "{}", run.stderr);
}

/// Category labels typed two ways are two groups: `validate` lists them, and a map's
/// `[labels]` reads one as the other, so they count as one.
#[test]
fn near_duplicate_labels_are_listed_and_can_be_merged() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "organisation,indicator,date,value,beneficiary_group\n\
         ORG1,jobs_created,2024-05-01,1,long_term_unemployed\n\
         ORG1,jobs_created,2024-05-02,1,long term unemployed\n\
         ORG1,jobs_created,2024-05-03,1,Long-Term Unemployed\n\
         ORG1,jobs_created,2024-05-04,1,disabled\n",
    );
    let run = impact(&["validate", s(&data), "--today", "2026-01-01"]).ok();
    assert!(
        run.stdout.contains("beneficiary_group: \"Long-Term Unemployed\" and \"long term unemployed\" and \"long_term_unemployed\" differ only in case, spaces or underscores, and are counted as 3 groups"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 error(s), 1 warning(s) (1 near-duplicate labels)"), "{}", run.stdout);
    let map = write(
        dir.path(),
        "m.toml",
        "[labels]\n\"long term unemployed\" = \"long_term_unemployed\"\n\"Long-Term Unemployed\" = \"long_term_unemployed\"\n",
    );
    let out = impact(&[
        "aggregate",
        s(&data),
        "--map",
        s(&map),
        "--by",
        "beneficiary_group",
        "--format",
        "csv",
        "--no-suppress",
    ])
    .ok()
    .stdout;
    assert!(out.contains("long_term_unemployed,jobs_created,3.0"), "{out}");
    let run = impact(&["validate", s(&data), "--map", s(&map), "--today", "2026-01-01"]).ok();
    assert!(run.stdout.contains("0 error(s), 0 warning(s)"), "{}", run.stdout);
}
