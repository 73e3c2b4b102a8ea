//! Privacy, determinism and safe outputs.

use crate::util::{csv_rows, impact, impact_env, listing, s, write};

fn small_counts(dir: &std::path::Path) -> std::path::PathBuf {
    let mut d = String::from("organisation,programme,indicator,date,value,participant\n");
    for (org, n) in [("A", 3), ("B", 10), ("C", 20)] {
        for i in 0..n {
            d.push_str(&format!("{org},P1,jobs_created,2024-05-01,1,{org}{i}\n"));
            d.push_str(&format!("{org},P1,employability_participants,2024-05-01,1,{org}{i}\n"));
        }
    }
    write(dir, "d.csv", &d)
}

/// A has 3 job starts (under 5): withheld. Alone it could be recovered from the total
/// (33 − 10 − 20), so the next smallest, B's 10, is withheld too. C's 20 stands. The
/// rate built on A's withheld counts is withheld; the records count goes with the value.
/// (As at 2025-06-01 every job outcome window, 365 days from 2024-05-01, has closed:
/// each person supported started work the same day, so A's cohort is 3 achieved.)
#[test]
fn small_counts_are_withheld_with_secondary_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_counts(dir.path());
    let out = impact(&["aggregate", s(&data), "--by", "organisation", "--format", "csv", "--as-at", "2025-06-01"])
        .ok()
        .stdout;
    let rows = csv_rows(&out);
    let get = |org: &str, ind: &str| {
        rows.iter().find(|r| r[0] == org && r[1] == ind).cloned().unwrap_or_else(|| panic!("{org} {ind}: {rows:?}"))
    };
    assert_eq!(rows[0], ["organisation", "indicator", "value", "unit", "records", "withheld"]);
    // Each withheld figure says why: A's 3 is small; B's 10 is not, it protects A's.
    assert_eq!(get("A", "jobs_created")[2..], ["", "jobs", "", "small"]);
    assert_eq!(get("B", "jobs_created")[2..], ["", "jobs", "", "secondary"]);
    assert_eq!(get("C", "jobs_created")[2..], ["20.0", "jobs", "20", ""]);
    assert_eq!(get("A", "job_outcome_rate")[2..], ["", "%", "", "rate"], "rate on withheld counts");
    assert_eq!(get("A", "job_outcome_rate.achieved")[2..], ["", "people", "", "small"]);
    assert_eq!(get("C", "job_outcome_rate")[2], "100.0");
    assert_eq!(get("C", "job_outcome_rate.achieved")[2..], ["20.0", "people", "20", ""]);
    // The threshold is configurable, and internal runs can see everything.
    let out = impact(&["aggregate", s(&data), "--by", "organisation", "--format", "csv", "--suppress-below", "25"])
        .ok()
        .stdout;
    assert!(csv_rows(&out).iter().filter(|r| r[1] == "jobs_created").all(|r| r[2].is_empty()), "{out}");
    let out = impact(&["aggregate", s(&data), "--by", "organisation", "--format", "csv", "--no-suppress"]).ok().stdout;
    assert!(out.contains("A,jobs_created,3.0,jobs,3"), "{out}");
}

#[test]
fn reports_show_withheld_counts_as_under_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_counts(dir.path());
    let spec = write(
        dir.path(),
        "s.toml",
        "title = \"T\"\naudience = \"A\"\nsubject = \"organisation\"\nperiod = { financial_year = \"2024-25\" }\nindicators = [\"jobs_created\"]\n\
         [[section]]\nkind = \"kpis\"\nindicators = [\"jobs_created\"]\n[[section]]\nkind = \"methodology\"\n",
    );
    let out = dir.path().join("a.pdf");
    impact(&["report", s(&spec), "--data", s(&data), "--subject", "A", "--out", s(&out)]).ok();
    let doc = lopdf::Document::load(&out).unwrap();
    let t = doc.extract_text(&doc.get_pages().keys().copied().collect::<Vec<_>>()).unwrap();
    assert!(t.contains("<5"), "{t}");
    assert!(t.contains("is shown as <5"), "{t}");
    assert!(
        t.contains("a count of 1 to 4 people (or of records about them), withheld"),
        "the mark is explained on its page: {t}"
    );
    assert!(!t.contains("\n3\n") && !t.contains("3 jobs"), "the withheld 3 must not appear: {t}");
}

/// Participant ids (e.g. ORG01-00324) never reach an output.
#[test]
fn participant_ids_never_appear_in_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = std::fs::read_to_string(crate::util::repo().join("samples/outcomes.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .take(200)
        .filter_map(|l| l.split(',').nth(6).filter(|p| !p.is_empty()).map(str::to_string))
        .collect();
    let mut outputs = vec![
        impact(&[
            "aggregate",
            "samples/outcomes.csv",
            "--by",
            "organisation,programme,area,beneficiary_group,quarter",
            "--format",
            "json",
        ])
        .ok()
        .stdout,
        impact(&["compare", "samples/outcomes.csv", "--by", "organisation", "--per", "participant", "--format", "csv"])
            .ok()
            .stdout,
        impact(&["value", "samples/outcomes.csv", "--by", "organisation", "--report-year", "2024", "--format", "csv"])
            .ok()
            .stdout,
    ];
    let pdf = dir.path().join("b.pdf");
    impact(&[
        "report",
        "reports/board.toml",
        "--data",
        "samples/outcomes.csv",
        "--subject",
        "ORG01",
        "--out",
        s(&pdf),
        "--figures-dir",
        s(&dir.path().join("f")),
    ])
    .ok();
    let doc = lopdf::Document::load(&pdf).unwrap();
    outputs.push(doc.extract_text(&doc.get_pages().keys().copied().collect::<Vec<_>>()).unwrap());
    for f in listing(&dir.path().join("f/ORG01")) {
        outputs.push(std::fs::read_to_string(dir.path().join("f/ORG01").join(f)).unwrap());
    }
    for out in &outputs {
        for id in &ids {
            assert!(!out.contains(id.as_str()), "participant id {id} in an output");
        }
    }
}

#[test]
fn outputs_are_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["aggregate", "samples/outcomes.csv", "--by", "organisation,quarter", "--format", "csv"];
    let one = impact_env(&args, &[("POLARS_MAX_THREADS", "1"), ("RAYON_NUM_THREADS", "1")]).ok().stdout;
    let many = impact_env(&args, &[("POLARS_MAX_THREADS", "4"), ("RAYON_NUM_THREADS", "4")]).ok().stdout;
    assert_eq!(one, many);
    // Figures to date, protected with the periods' (which cells go must not depend on
    // the order the roll-ups come in).
    let to_date = ["aggregate", "samples/outcomes.csv", "--by", "area,quarter", "--to-date", "--format", "csv"];
    let one = impact_env(&to_date, &[("POLARS_MAX_THREADS", "1"), ("RAYON_NUM_THREADS", "1")]).ok().stdout;
    for threads in ["2", "4"] {
        let many = impact_env(&to_date, &[("POLARS_MAX_THREADS", threads), ("RAYON_NUM_THREADS", threads)]).ok().stdout;
        assert_eq!(one, many, "{threads} threads");
    }
    let json = ["aggregate", "samples/outcomes.csv", "--by", "programme,financial_year", "--format", "json"];
    assert_eq!(
        impact_env(&json, &[("POLARS_MAX_THREADS", "1")]).ok().stdout,
        impact_env(&json, &[("POLARS_MAX_THREADS", "3")]).ok().stdout
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (out, threads) in [(&a, "1"), (&b, "4")] {
        impact_env(
            &[
                "report",
                "reports/board.toml",
                "--data",
                "samples/outcomes.csv",
                "--targets",
                "samples/targets.csv",
                "--each",
                "organisation",
                "--out-dir",
                s(out),
            ],
            &[("POLARS_MAX_THREADS", threads), ("RAYON_NUM_THREADS", threads)],
        )
        .ok();
    }
    for f in listing(&a) {
        assert!(
            std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(),
            "{f} differs by thread count"
        );
    }
}

/// In a batch, one subject that cannot be written is reported; the others are written
/// and the exit code says something failed. No temporary files are left behind.
#[test]
fn one_failing_subject_does_not_stop_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("board");
    std::fs::create_dir_all(out.join("ORG03.pdf")).unwrap(); // a folder where a PDF should go
    let run = impact(&[
        "report",
        "reports/board.toml",
        "--data",
        "samples/outcomes.csv",
        "--each",
        "organisation",
        "--out-dir",
        s(&out),
    ])
    .expect_code(1);
    assert!(run.stdout.contains("failed: ORG03"), "{}", run.stdout);
    assert!(run.stdout.contains("wrote 11 PDF(s)") && run.stdout.contains("1 failed"), "{}", run.stdout);
    let files = listing(&out);
    assert_eq!(files.len(), 12, "11 PDFs and the blocking folder: {files:?}");
    assert!(files.iter().all(|f| !f.contains(".tmp")), "{files:?}");
}

/// value, compare and commitments protect counts of people like aggregate does: A's
/// 3 job starts (and B's 10, which would give it back from the total) are withheld
/// with every figure built on them.
#[test]
fn value_compare_and_commitments_withhold_small_counts_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_counts(dir.path());
    let get = |out: &str, group: &str, indicator: &str, column: &str| -> String {
        let rows = csv_rows(out);
        let at = rows[0].iter().position(|h| h == column).unwrap_or_else(|| panic!("{column} in {out}"));
        rows.iter()
            .find(|r| r[0] == group && r[1] == indicator)
            .unwrap_or_else(|| panic!("{group} {indicator} in {out}"))[at]
            .clone()
    };
    let out = impact(&[
        "compare",
        s(&data),
        "--by",
        "organisation",
        "--per",
        "participant",
        "--indicator",
        "jobs_created",
        "--format",
        "csv",
    ])
    .ok()
    .stdout;
    assert_eq!(get(&out, "A", "jobs_created", "value"), "");
    assert_eq!(get(&out, "A", "jobs_created", "per_participant"), "");
    assert_eq!(get(&out, "A", "jobs_created", "withheld"), "small");
    assert_eq!(get(&out, "B", "jobs_created", "withheld"), "secondary");
    assert_eq!(get(&out, "C", "jobs_created", "value"), "20.0");
    assert!(!out.contains("few records (3)"), "{out}");

    let out =
        impact(&["value", s(&data), "--by", "organisation", "--format", "csv", "--proxies", "tests/fixtures/proxies"])
            .ok()
            .stdout;
    assert_eq!(get(&out, "A", "jobs_created", "quantity"), "");
    assert_eq!(get(&out, "A", "jobs_created", "present_value"), "");
    assert_eq!(get(&out, "A", "total", "present_value"), "", "A's total adds the withheld line");
    assert_eq!(get(&out, "C", "jobs_created", "quantity"), "20.0");

    let c = write(dir.path(), "c.csv", "contract,supplier,indicator,committed,start,due,contract_value\nK1,A,jobs_created,10,2024-04-01,2025-03-31,1000\nK2,C,jobs_created,10,2024-04-01,2025-03-31,1000\n");
    let out = impact(&[
        "commitments",
        "--commitments",
        s(&c),
        s(&data),
        "--as-of",
        "2024-07-01",
        "--format",
        "csv",
        "--proxies",
        "tests/fixtures/proxies",
    ])
    .ok()
    .stdout;
    assert_eq!(get(&out, "K1", "A", "delivered"), "");
    assert_eq!(get(&out, "K1", "A", "pct_delivered"), "");
    assert_eq!(get(&out, "K2", "C", "delivered"), "20.0");
    // Internal runs see everything.
    let out = impact(&[
        "commitments",
        "--commitments",
        s(&c),
        s(&data),
        "--as-of",
        "2024-07-01",
        "--format",
        "csv",
        "--no-suppress",
        "--proxies",
        "tests/fixtures/proxies",
    ])
    .ok()
    .stdout;
    assert_eq!(get(&out, "K1", "A", "delivered"), "3.0");
}

/// A mean over 3 people's records describes those 3: withheld, with its own mark.
#[test]
fn a_mean_over_a_few_records_is_withheld() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,indicator,date,value,participant\n");
    for (org, n) in [("A", 3), ("B", 8)] {
        for i in 0..n {
            d.push_str(&format!("{org},wemwbs_change,2024-05-01,{},{org}{i}\n", i + 1));
        }
    }
    let data = write(dir.path(), "d.csv", &d);
    let out = impact(&["aggregate", s(&data), "--by", "organisation", "--format", "csv"]).ok().stdout;
    let rows = csv_rows(&out);
    let a = rows.iter().find(|r| r[0] == "A").unwrap();
    let b = rows.iter().find(|r| r[0] == "B").unwrap();
    assert_eq!(a[2..], ["", "points", "", "few"], "{out}");
    // B's mean of 1..8 = 4.5 stands: 8 records are enough.
    assert_eq!(b[2], "4.5", "{out}");
    // Hours are not people, so 2 records' 15 hours stand; the count of records (often
    // one per person) does not.
    let data = write(
        dir.path(),
        "h.csv",
        "organisation,indicator,date,value\nA,volunteer_hours,2024-05-01,7\nA,volunteer_hours,2024-05-02,8\n",
    );
    let out = impact(&["aggregate", s(&data), "--by", "organisation", "--format", "csv"]).ok().stdout;
    assert!(out.lines().any(|l| l == "A,volunteer_hours,15.0,hours,,"), "{out}");
}

/// `--out` naming an input would replace the data with its own figures: refused,
/// and the input is untouched.
#[test]
fn an_output_over_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_counts(dir.path());
    let before = std::fs::read(&data).unwrap();
    for args in [
        vec!["aggregate", s(&data), "--out", s(&data)],
        vec!["compare", s(&data), "--by", "organisation", "--per", "participant", "--out", s(&data)],
        vec!["report", "reports/board.toml", "--data", s(&data), "--subject", "A", "--out", s(&data)],
    ] {
        let run = impact(&args).expect_code(2);
        // A report is a PDF (or HTML), so a report's --out over a data file is refused for its name first.
        let said = if args[0] == "report" { "the report is written as a PDF" } else { "is one of the inputs" };
        assert!(run.stderr.contains(said), "{args:?}: {}", run.stderr);
        assert_eq!(std::fs::read(&data).unwrap(), before, "{args:?} changed the data");
    }
    // The same file by another name (a link) is the same file.
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    impact(&["aggregate", s(&data), "--out", s(&link)]).expect_code(2);
    assert_eq!(std::fs::read(&data).unwrap(), before);
}

/// Subjects whose ids differ only in punctuation get a PDF each, and a subject that
/// fails leaves none of its files behind.
#[test]
fn each_subject_gets_its_own_files_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,indicator,date,value\n");
    for org in ["A/B", "A_B", "A.B", "-x"] {
        d.push_str(&format!("{org},volunteer_hours,2024-05-01,10\n"));
    }
    let data = write(dir.path(), "d.csv", &d);
    let out = dir.path().join("packs");
    impact(&["report", "reports/board.toml", "--data", s(&data), "--each", "organisation", "--out-dir", s(&out)]).ok();
    assert_eq!(listing(&out), ["%2Dx.pdf", "A%2FB.pdf", "A.B.pdf", "A_B.pdf"]);
    // The figures folder cannot be made (a file stands in its place): every subject
    // fails, and no PDF is left without its figures.
    let blocked = write(dir.path(), "blocked", "a file, not a folder");
    let out = dir.path().join("packs2");
    let run = impact(&[
        "report",
        "reports/board.toml",
        "--data",
        s(&data),
        "--each",
        "organisation",
        "--out-dir",
        s(&out),
        "--figures-dir",
        s(&blocked),
    ])
    .expect_code(1);
    assert!(run.stderr.contains("A_B") || run.stdout.contains("A_B"), "{}{}", run.stdout, run.stderr);
    assert!(!out.exists() || listing(&out).is_empty(), "{:?}", listing(&out));
}

/// A cohort rate near 100% of a few people gives the few away: 20 of 22 people
/// sustained leaves 2 who did not, a count under 5, so that part is withheld and the
/// rate with it (as a rate on a withheld count). The cohort's other part with people
/// goes too: 22 job starts are published, so 22 − 20 sustained − 0 pending would give
/// the 2 back. The 0 pending stays: a "[c]" is never a 0, and with two parts withheld
/// a published 0 gives neither away.
#[test]
fn a_cohort_rate_is_withheld_with_a_small_part() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = String::from("organisation,indicator,date,value,participant\n");
    for i in 0..22 {
        d.push_str(&format!("A,jobs_created,2024-01-10,1,p{i}\n"));
        if i < 20 {
            d.push_str(&format!("A,jobs_sustained_26w,2024-07-15,1,p{i}\n"));
        }
    }
    let data = write(dir.path(), "d.csv", &d);
    let rate = |extra: &[&str]| {
        let mut args = vec!["aggregate", s(&data), "--indicator", "job_sustainment_rate_26w", "--as-at", "2025-01-01"];
        args.extend_from_slice(&["--format", "csv"]);
        args.extend_from_slice(extra);
        impact(&args).ok().stdout
    };
    let rows = csv_rows(&rate(&[]));
    let get = |ind: &str| rows.iter().find(|r| r[0] == ind).cloned().unwrap_or_else(|| panic!("{ind}: {rows:?}"));
    assert_eq!(get("job_sustainment_rate_26w.not_achieved")[1..], ["", "people", "", "small"]);
    assert_eq!(get("job_sustainment_rate_26w")[1..], ["", "%", "", "rate"]);
    assert_eq!(get("job_sustainment_rate_26w.achieved")[1..], ["", "people", "", "secondary"]);
    assert_eq!(get("job_sustainment_rate_26w.pending")[1..], ["0.0", "people", "0", ""]);
    // Unprotected, the arithmetic: 20 ÷ (20 + 2) × 100 = 90.909091 (six decimals).
    let out = rate(&["--no-suppress"]);
    assert!(out.contains("job_sustainment_rate_26w,90.909091,%,22"), "{out}");
}

/// Tables as Excel workbooks (#15): read back with calamine, numbers are numbers,
/// dates are dates, the heading row is first, a withheld figure is an empty cell (never
/// a 0) with its reason beside it, and the same table gives the same bytes.
#[test]
fn tables_as_excel_workbooks() {
    use calamine::{Data, DataType, Reader};
    let dir = tempfile::tempdir().unwrap();
    let data = small_counts(dir.path());
    let book = dir.path().join("f.xlsx");
    impact(&["aggregate", s(&data), "--by", "organisation", "--indicator", "jobs_created", "--out", s(&book)]).ok();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheet = wb.worksheet_range("figures").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let head: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(head, ["organisation", "indicator", "value", "unit", "records", "withheld"]);
    // A: 3 job starts, withheld (small); C: 20, published as a number.
    let row = |org: &str| rows.iter().find(|r| r[0] == Data::String(org.into())).unwrap().clone();
    assert_eq!(row("A")[2], Data::Empty);
    assert_eq!(row("A")[5], Data::String("small".into()));
    assert_eq!(row("C")[2], Data::Float(20.0));
    assert_eq!(row("C")[4], Data::Float(20.0));
    let again = dir.path().join("g.xlsx");
    impact(&["aggregate", s(&data), "--by", "organisation", "--indicator", "jobs_created", "--out", s(&again)]).ok();
    assert_eq!(std::fs::read(&book).unwrap(), std::fs::read(&again).unwrap(), "same table, same bytes");
    // Dates are date cells.
    let records = dir.path().join("r.xlsx");
    impact(&["convert", s(&data), "--out", s(&records)]).ok();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&records).unwrap();
    let sheet = wb.worksheet_range("figures").unwrap();
    let date = sheet.get((1, 4)).unwrap();
    assert!(matches!(date, Data::DateTime(_)), "{date:?}");
    assert_eq!(date.as_date(), chrono::NaiveDate::from_ymd_opt(2024, 5, 1));
    // A workbook is binary: not to the terminal.
    let run = impact(&["aggregate", s(&data), "--format", "xlsx"]).expect_code(2);
    assert!(run.stderr.contains("give --out FILE.xlsx"), "{}", run.stderr);
}
