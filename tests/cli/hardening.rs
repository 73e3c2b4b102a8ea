//! Careless and hostile inputs aimed at projects, maps, batches and writers: each
//! test is one class of them, and what a careful user needs instead.

use std::path::Path;
use std::time::Instant;

use crate::util::{csv_rows, impact, impact_in, listing, s, value_of, write};

/// A small report spec: a KPI tile and a table, for batches of many subjects.
const TINY_SPEC: &str = r#"
title = "Tiny"
audience = "Test"
subject = "organisation"
period = { financial_year = "2024-25" }
indicators = ["jobs_created"]

[[section]]
kind = "kpis"
title = "At a glance"
indicators = ["jobs_created"]

[[section]]
kind = "table"
title = "Job starts"
by = []
indicators = ["jobs_created"]
"#;

/// A project folder: `impact.toml` with `toml`, and `data/a.csv` holding `rows`.
fn project(toml: &str, rows: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    write(dir.path(), "impact.toml", toml);
    write(&dir.path().join("data"), "a.csv", rows);
    dir
}

const RECORDS: &str =
    "organisation,indicator,date,value\nORG1,volunteer_hours,2024-05-01,7\nORG1,volunteer_hours,2024-06-01,8\n";

/// The total of volunteer hours `aggregate` prints for ORG1.
fn hours(run: &crate::util::Run) -> f64 {
    value_of(&csv_rows(&run.stdout), &["ORG1", "volunteer_hours"])
}

/// A batch of 5,000 subjects with --figures-dir overflowed a worker thread's stack
/// (each wait for polars' pool took another subject's work onto the same stack).
#[test]
fn a_batch_of_thousands_of_subjects_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("organisation,indicator,date,value\n");
    for i in 0..5000 {
        rows.push_str(&format!("O{i:05},jobs_created,2024-06-01,{}\n", i % 9 + 1));
    }
    let data = write(dir.path(), "many.csv", &rows);
    let spec = write(dir.path(), "tiny.toml", TINY_SPEC);
    let (out, figures) = (dir.path().join("out"), dir.path().join("figures"));
    let run = impact(&[
        "report",
        s(&spec),
        "--data",
        s(&data),
        "--each",
        "organisation",
        "--out-dir",
        s(&out),
        "--figures-dir",
        s(&figures),
    ])
    .ok();
    assert!(run.stdout.contains("wrote 5000 PDF(s)"), "{}", run.stdout);
    assert_eq!(listing(&out).len(), 5000);
    assert_eq!(listing(&figures).len(), 5002, "a folder of tables per subject, and published.csv and sums.csv");
    assert!(figures.join("O04999").join("01-kpis.csv").is_file());
}

/// One file reached by two names, or by two patterns of a project, is read once:
/// read twice, every total would double.
#[test]
fn a_file_named_twice_is_read_once() {
    let dir = project(
        "[[source]]\npath = \"data/*.csv\"\n[[source]]\npath = \"data/a.csv\"\n[defaults]\nout_dir = \"out\"\n",
        RECORDS,
    );
    let run = impact_in(dir.path(), &["aggregate", "--by", "organisation", "--format", "csv"]).ok();
    assert_eq!(hours(&run), 15.0, "7 + 8, not doubled");
    // Named twice on the command line, once through `./`.
    let run = impact_in(
        dir.path(),
        &["aggregate", "data/a.csv", "./data/a.csv", "data/../data/a.csv", "--by", "organisation", "--format", "csv"],
    )
    .ok();
    assert_eq!(hours(&run), 15.0);
    let validated = impact_in(dir.path(), &["validate", "data/a.csv", "./data/a.csv"]).ok();
    assert!(validated.stdout.contains("1 file(s), 2 record(s)"), "{}", validated.stdout);
    // The same file with two different maps cannot be read both ways.
    write(dir.path(), "m.toml", "[columns]\norganisation = \"organisation\"\n");
    write(
        dir.path(),
        "impact.toml",
        "[[source]]\npath = \"data/*.csv\"\n[[source]]\npath = \"data/a.csv\"\nmap = \"m.toml\"\n",
    );
    let refused = impact_in(dir.path(), &["aggregate"]).expect_code(2);
    assert!(refused.stderr.contains("are the same file, named with two different column maps"), "{}", refused.stderr);
}

/// A command never writes into its own sources, nor over any file the project reads.
#[test]
fn no_command_writes_over_what_the_project_reads() {
    let dir = project(
        "[[source]]\npath = \"data/*.csv\"\n[[source]]\npath = \"returns/r.csv\"\nmap = \"maps/r.toml\"\n\
         [tables]\norganisations = \"organisations.csv\"\n",
        RECORDS,
    );
    let d = dir.path();
    write(d, "organisations.csv", "id,name\nORG1,Fàilte Works\n");
    std::fs::create_dir_all(d.join("maps")).unwrap();
    std::fs::create_dir_all(d.join("returns")).unwrap();
    std::fs::create_dir_all(d.join("reports")).unwrap();
    write(d, "maps/r.toml", "[names]\norganisation = \"../names.csv\"\n");
    write(d, "names.csv", "id,name\nORG1,Failte\n");
    // The return's own records (the same records in two sources would be refused).
    write(d, "returns/r.csv", &RECORDS.replace("2024-0", "2023-0"));
    write(d, "reports/board.toml", TINY_SPEC);
    let before: Vec<Vec<u8>> = ["impact.toml", "organisations.csv", "maps/r.toml", "names.csv", "reports/board.toml"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    for (args, what) in [
        (vec!["aggregate", "--out", "organisations.csv"], "the project's organisations table"),
        (vec!["convert", "--out", "data/all.csv"], "[[source]] 1"),
        (vec!["convert", "--out", "returns/r.csv"], "[[source]] 2"),
        (vec!["aggregate", "--out", "names.csv"], "a name table of the column map"),
        (vec!["convert", "--out", "reports/board.toml.csv"], ""),
        (vec!["aggregate", "--format", "json", "--out", "impact.toml.json"], ""),
        (vec!["value", "--out", "./data/../organisations.csv"], "organisations table"),
    ] {
        let run = impact_in(d, &args);
        if what.is_empty() {
            // Not a file the project reads: written.
            run.ok();
            continue;
        }
        let run = run.expect_code(2);
        assert!(run.stderr.contains(what), "{args:?}: {}", run.stderr);
    }
    let after: Vec<Vec<u8>> = ["impact.toml", "organisations.csv", "maps/r.toml", "names.csv", "reports/board.toml"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    assert!(!d.join("data/all.csv").exists());
    // A report about everything writes its tables straight into --figures-dir: not
    // into a folder a source reads.
    let spec = write(d, "all.toml", &TINY_SPEC.replace("subject = \"organisation\"", "subject = \"all\""));
    let run = impact_in(d, &["report", s(&spec), "--out", "x.pdf", "--figures-dir", "data"]).expect_code(1);
    assert!(run.stdout.contains("[[source]] 1"), "{}", run.stdout);
    assert_eq!(listing(&d.join("data")), ["a.csv"]);
}

/// A link inside a source's pattern is followed when it leads to a file inside the
/// project, and named when it is skipped.
#[test]
fn links_in_a_pattern_are_followed_inside_the_project_or_named() {
    let dir = project("[[source]]\npath = \"data/*.csv\"\n", RECORDS);
    let d = dir.path();
    std::fs::create_dir(d.join("archive")).unwrap();
    write(&d.join("archive"), "b.csv", "organisation,indicator,date,value\nORG1,volunteer_hours,2024-07-01,5\n");
    std::os::unix::fs::symlink("../archive/b.csv", d.join("data/b.csv")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let far =
        write(outside.path(), "c.csv", "organisation,indicator,date,value\nORG1,volunteer_hours,2024-07-01,100\n");
    std::os::unix::fs::symlink(&far, d.join("data/c.csv")).unwrap();
    std::os::unix::fs::symlink("gone.csv", d.join("data/d.csv")).unwrap();
    let run = impact_in(d, &["aggregate", "--by", "organisation", "--format", "csv"]).ok();
    assert_eq!(hours(&run), 20.0, "7 + 8 + 5 through the link inside; not the 100 outside");
    assert!(run.stderr.contains("warning: skipped data/c.csv is a link to"), "{}", run.stderr);
    assert!(run.stderr.contains("outside the project folder"), "{}", run.stderr);
    assert!(run.stderr.contains("data/d.csv is a link to nothing"), "{}", run.stderr);
}

/// A project file that changes what is withheld says so; contradictory settings are refused.
#[test]
fn a_project_that_changes_suppression_is_named_and_contradictions_refused() {
    let rows = "organisation,indicator,date,value,participant\nA,jobs_created,2024-05-01,1,p1\nA,jobs_created,2024-05-02,1,p2\nA,jobs_created,2024-05-03,1,p3\n";
    let dir = project("[[source]]\npath = \"data/*.csv\"\n[defaults]\nno_suppress = true\n", rows);
    let sub = dir.path().join("data");
    let run = impact_in(&sub, &["aggregate", "--by", "organisation", "--format", "csv"]).ok();
    assert!(run.stdout.contains("A,jobs_created,3.0"), "published under no_suppress: {}", run.stdout);
    assert!(run.stderr.contains("impact.toml says no_suppress = true"), "{}", run.stderr);
    // A flag wins, and then nothing is said.
    let run = impact_in(&sub, &["aggregate", "--by", "organisation", "--suppress-below", "5"]).ok();
    assert!(!run.stderr.contains("impact.toml"), "{}", run.stderr);
    write(dir.path(), "impact.toml", "[[source]]\npath = \"data/*.csv\"\n[defaults]\nsuppress_below = 8\n");
    let run = impact_in(&sub, &["aggregate"]).ok();
    assert!(run.stderr.contains("says suppress_below = 8"), "{}", run.stderr);
    write(
        dir.path(),
        "impact.toml",
        "[[source]]\npath = \"data/*.csv\"\n[defaults]\nsuppress_below = 10\nno_suppress = true\n",
    );
    let run = impact_in(&sub, &["aggregate"]).expect_code(1);
    assert!(run.stderr.contains("both suppress_below = 10 and no_suppress = true"), "{}", run.stderr);
    let run = impact(&["aggregate", "samples/outcomes.csv", "--suppress-below", "10", "--no-suppress"]).expect_code(2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
}

/// `init` writes everything or nothing.
#[test]
fn init_writes_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports", "not a folder");
    let run = impact_in(dir.path(), &["init", "."]).expect_code(2);
    assert!(run.stderr.contains("reports is a file"), "{}", run.stderr);
    assert_eq!(listing(dir.path()), ["reports"], "nothing left behind");
    std::fs::remove_file(dir.path().join("reports")).unwrap();
    impact_in(dir.path(), &["init", "."]).ok();
    assert!(dir.path().join("impact.toml").is_file() && dir.path().join("reports/board.toml").is_file());
}

/// A map that gives one heading two meanings, or one indicator two headings, and a
/// name table with an id twice, are refused naming both.
#[test]
fn maps_and_tables_that_say_two_things_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = write(d, "w.csv", "Partner,Date,Jobs,Jobs 2\nORG1,2024-05-01,1,2\n");
    let map = write(
        d,
        "m.toml",
        "[columns]\norganisation = \"Partner\"\ndate = \"Date\"\n[wide]\n\"Jobs\" = \"jobs_created\"\n\"Jobs 2\" = \"jobs_created\"\n",
    );
    let run = impact(&["validate", s(&data), "--map", s(&map)]).expect_code(1);
    assert!(
        run.stderr.contains("headings \"Jobs\" and \"Jobs 2\" are both mapped to `jobs_created`"),
        "{}",
        run.stderr
    );
    let map = write(
        d,
        "m2.toml",
        "[columns]\norganisation = \"Partner\"\ndate = \"Date\"\nparticipant = \"Jobs\"\n[wide]\n\"Jobs\" = \"jobs_created\"\n",
    );
    let run = impact(&["validate", s(&data), "--map", s(&map)]).expect_code(1);
    assert!(run.stderr.contains("heading \"Jobs\" is also mapped to `participant`"), "{}", run.stderr);
    // An organisation id given twice: which name would the reports print?
    let orgs = write(d, "orgs.csv", "id,name\nORG1,Fàilte Works\nORG2,Other\nORG1,Old name\n");
    let run = impact(&[
        "report",
        "board",
        "--data",
        "samples/outcomes.csv",
        "--organisations",
        s(&orgs),
        "--subject",
        "ORG01",
        "--out",
        s(&d.join("x.pdf")),
    ])
    .expect_code(1);
    assert!(run.stderr.contains("row 4, column A \"id\": id \"ORG1\" is already given in row 2"), "{}", run.stderr);
}

/// Batch file names open on every system: ids alike but for case, device names,
/// and a subject's tables kept apart from another's.
#[test]
fn batch_file_names_are_portable_and_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows = String::from("organisation,indicator,date,value\n");
    for id in ["acme", "ACME", "CON", "nul", "COM1", "A", "A-01"] {
        rows.push_str(&format!("{id},volunteer_hours,2024-06-01,10\n"));
    }
    let data = write(d, "d.csv", &rows);
    // Section 1 of A is titled "02 Hours", section 2 "Hours": A + "01-02-hours" once
    // met A-01 + "02-hours".
    let spec = write(
        d,
        "s.toml",
        "title = \"T\"\naudience = \"A\"\nsubject = \"organisation\"\nperiod = { financial_year = \"2024-25\" }\nindicators = []\n\
         [[section]]\nkind = \"table\"\ntitle = \"02 Hours\"\nby = []\nindicators = [\"volunteer_hours\"]\n\
         [[section]]\nkind = \"table\"\ntitle = \"Hours\"\nby = []\nindicators = [\"volunteer_hours\"]\n",
    );
    let (out, figures) = (d.join("out"), d.join("figures"));
    let run = impact(&[
        "report",
        s(&spec),
        "--data",
        s(&data),
        "--each",
        "organisation",
        "--out-dir",
        s(&out),
        "--figures-dir",
        s(&figures),
    ])
    .ok();
    let pdfs = listing(&out);
    assert_eq!(pdfs.len(), 7, "{pdfs:?}");
    let folded: std::collections::BTreeSet<String> = pdfs.iter().map(|p| p.to_lowercase()).collect();
    assert_eq!(folded.len(), 7, "two names differ only in case: {pdfs:?}");
    for reserved in ["con", "nul", "com1"] {
        assert!(pdfs.iter().all(|p| p.to_lowercase().split('.').next() != Some(reserved)), "{pdfs:?}");
    }
    assert!(run.stderr.contains("note: subject acme differs from another only in case"), "{}", run.stderr);
    // Each subject's tables in its folder; beside them, the batch's table of every
    // published cell and of the sums that tie them.
    let tables: usize =
        listing(&figures).iter().filter(|f| figures.join(f).is_dir()).map(|f| listing(&figures.join(f)).len()).sum();
    assert!(figures.join("published.csv").is_file() && figures.join("sums.csv").is_file());
    assert_eq!(tables, 14, "two tables for each of seven subjects");
    // A subject that fails is named with its control characters escaped.
    let dir2 = tempfile::tempdir().unwrap();
    let data =
        write(dir2.path(), "e.csv", "organisation,indicator,date,value\n\u{1b}[31mX,volunteer_hours,2024-06-01,10\n");
    let out = dir2.path().join("out");
    // A folder where the PDF should go makes that subject fail.
    std::fs::create_dir_all(out.join("%1B%5B31mX.pdf")).unwrap();
    let run = impact(&["report", s(&spec), "--data", s(&data), "--each", "organisation", "--out-dir", s(&out)])
        .expect_code(1);
    assert!(run.stdout.contains("failed: \\u{1b}[31mX:"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "a raw escape reached the terminal");
}

/// The text positions (points from the foot of the page) of a page's content.
fn text_heights(pdf: &Path, page: u32) -> Vec<f32> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let id = doc.get_pages()[&page];
    let content = lopdf::content::Content::decode(&doc.get_page_content(id)).unwrap();
    content.operations.iter().filter(|op| op.operator == "Td").map(|op| op.operands[1].as_float().unwrap()).collect()
}

/// A very long name is wrapped and shortened on the cover (it never runs over the
/// footer), kept whole in the PDF's metadata, and costs time linear in its length.
#[test]
fn long_names_stay_on_the_page_and_cost_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long_name: String = (0..300).map(|i| format!("Word{i} ")).collect::<String>().trim_end().to_string();
    let names = write(d, "names.csv", &format!("id,name\nORG1,{long_name}\n"));
    let data = write(d, "d.csv", "organisation,indicator,date,value\nORG1,volunteer_hours,2024-06-01,10\n");
    let pdf = d.join("r.pdf");
    impact(&[
        "report",
        "board",
        "--data",
        s(&data),
        "--organisations",
        s(&names),
        "--subject",
        "ORG1",
        "--out",
        s(&pdf),
    ])
    .ok();
    let footer = 36.0;
    // Above the footer's rule (48 pt): the page's notes on marks stand from 98 pt down.
    let cover: Vec<f32> = text_heights(&pdf, 1).into_iter().filter(|y| (*y - footer).abs() > 1.0).collect();
    assert!(cover.iter().all(|y| *y > 60.0), "cover text over the foot of the page: {cover:?}");
    let doc = lopdf::Document::load(&pdf).unwrap();
    let info = doc.trailer.get(b"Info").and_then(|i| doc.get_dictionary(i.as_reference().unwrap())).unwrap();
    let title = lopdf::decode_text_string(info.get(b"Title").unwrap()).unwrap();
    assert!(title.ends_with(&long_name), "the full name in the metadata");
    // An id of 25,000 and of 100,000 characters: the second must not take 16 times
    // as long (wrapping and shortening measured the text again per character).
    let time_for = |len: usize| {
        let id = "X".repeat(len);
        let data = write(
            d,
            &format!("long{len}.csv"),
            &format!("organisation,indicator,date,value\n{id},volunteer_hours,2024-06-01,10\n"),
        );
        let started = Instant::now();
        impact(&[
            "report",
            "board",
            "--data",
            s(&data),
            "--each",
            "organisation",
            "--out-dir",
            s(&d.join(format!("o{len}"))),
        ])
        .ok();
        started.elapsed().as_secs_f64()
    };
    let (short, long) = (time_for(25_000), time_for(100_000));
    assert!(long < 2.0 + short * 8.0, "25,000 characters: {short:.2} s; 100,000: {long:.2} s");
}

/// A heading row and one very long line: read in time linear in the line.
#[test]
fn a_long_line_is_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // The best of two runs, to keep the machine's noise out of the ratio.
    let time_for = |mb: usize| {
        let text = format!("organisation,indicator,date,value\n{}\n", " ".repeat(mb << 20));
        let data = write(dir.path(), &format!("s{mb}.csv"), &text);
        let mut best = f64::MAX;
        for _ in 0..2 {
            let started = Instant::now();
            let run = impact(&["validate", s(&data)]).expect_code(1);
            assert!(run.stderr.contains("has 1 cell(s) but the heading row has 4"), "{}", run.stderr);
            best = best.min(started.elapsed().as_secs_f64());
        }
        std::fs::remove_file(&data).unwrap();
        best
    };
    // Eight times the line: linear reading takes about eight times as long; polars'
    // schema pass over the whole file took about thirteen times here (and 85 s for 256 MB).
    let (small, large) = (time_for(8), time_for(64));
    assert!(large < 0.5 + small * 10.0, "8 MB: {small:.2} s; 64 MB: {large:.2} s");
}

/// Excel's limits are checked with a clear message: a cell holds 32,767 characters;
/// a template's lists come from a sheet, so commas and long ids are safe in them.
#[test]
fn excel_limits_are_said_not_hit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = "Y".repeat(40_000);
    let data = write(d, "d.csv", &format!("organisation,indicator,date,value\n{id},volunteer_hours,2024-06-01,10\n"));
    let run = impact(&["aggregate", s(&data), "--by", "organisation", "--out", s(&d.join("x.xlsx"))]).expect_code(2);
    assert!(run.stderr.contains("of 40000 characters is longer than an Excel cell holds (32767)"), "{}", run.stderr);
    assert!(!d.join("x.xlsx").exists());
    // A programme id of 300 characters with a comma in it, and one that ends before it starts.
    let long = format!("PROG,{}", "Z".repeat(300));
    let programmes = write(
        d,
        "p.csv",
        &format!("id,name,start,end,investment,themes,partners,groups\n\"{long}\",Long,2024-04-01,2025-03-31,1000,employment,ORG1,young_people\nBACK,Back,2025-04-01,2024-03-31,1000,employment,ORG1,young_people\n"),
    );
    let orgs = write(d, "o.csv", "id,name,area\nORG1,One,S12000049\n");
    let out = d.join("t.xlsx");
    impact(&[
        "template",
        "--programme",
        &long,
        "--programmes",
        s(&programmes),
        "--organisations",
        s(&orgs),
        "--out",
        s(&out),
    ])
    .ok();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let lists = calamine::Reader::worksheet_range(&mut book, "Lists").unwrap();
    let programme_column = (0..lists.width()).find(|c| lists.get((0, *c)).is_some_and(|h| *h == "programme")).unwrap();
    assert_eq!(lists.get((1, programme_column)).unwrap().to_string(), format!("Long ({long})"), "one item, whole");
    let run = impact(&[
        "template",
        "--programme",
        "BACK",
        "--programmes",
        s(&programmes),
        "--organisations",
        s(&orgs),
        "--out",
        s(&out),
    ])
    .expect_code(2);
    assert!(run.stderr.contains("ends (2024-03-31) before it starts (2025-04-01)"), "{}", run.stderr);
}

/// A CSV written by impactkit reads back as written: the guard against spreadsheet
/// formulas (a leading `'`) is taken off again.
#[test]
fn a_converted_csv_reads_back_with_the_same_ids() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = write(
        d,
        "d.csv",
        "organisation,indicator,date,value\n=Eq,volunteer_hours,2024-06-01,1\n+Plus,volunteer_hours,2024-06-01,2\n-Minus,volunteer_hours,2024-06-01,3\n@At,volunteer_hours,2024-06-01,4\nO'Neil,volunteer_hours,2024-06-01,5\n",
    );
    let out = d.join("c.csv");
    impact(&["convert", s(&data), "--out", s(&out)]).ok();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("'=Eq") && written.contains("'+Plus"), "guarded: {written}");
    let by_org = |file: &Path| impact(&["aggregate", s(file), "--by", "organisation", "--format", "json"]).ok().stdout;
    assert_eq!(by_org(&data), by_org(&out));
}

/// A report is a PDF or an HTML page: `--out pack.docx` is refused before any data is
/// read.
#[test]
fn a_report_out_of_another_kind_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["pack.docx", "pack", "pack.csv"] {
        let out = dir.path().join(name);
        let run =
            impact(&["report", "board", "--data", "missing.csv", "--subject", "X", "--out", s(&out)]).expect_code(2);
        assert!(run.stderr.contains("the report is written as a PDF"), "{name}: {}", run.stderr);
        assert!(!out.exists());
    }
}

/// Figures that cannot be true are refused at load: a ratio whose part is replaced by
/// one in another unit, a chart of two units on one axis; text the typeface cannot
/// draw is a warning naming it.
#[test]
fn figures_that_cannot_be_true_are_refused_and_boxes_are_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("mine")).unwrap();
    write(
        &d.join("mine"),
        "x.toml",
        "[[indicator]]\nid = \"supplier_spend_total\"\nreplaces = true\nname = \"Spend\"\ntheme = \"local_economy\"\nunit = \"people\"\naggregation = \"sum\"\ndirection = \"higher\"\ndescription = \"d\"\n",
    );
    let run = impact(&["--add-indicators", s(&d.join("mine")), "aggregate", "samples/outcomes.csv"]).expect_code(1);
    assert!(
        run.stderr.contains("replaces a definition in GBP with one in people, but `spend_local_suppliers`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`local_spend_share` are built on it"), "{}", run.stderr);
    write(
        &d.join("mine"),
        "x.toml",
        "[[indicator]]\nid = \"supplier_spend_total\"\nreplaces = true\nname = \"Spend\"\ntheme = \"local_economy\"\nunit = \"GBP\"\naggregation = \"mean\"\ndirection = \"higher\"\ndescription = \"d\"\n",
    );
    let run = impact(&["--add-indicators", s(&d.join("mine")), "aggregate", "samples/outcomes.csv"]).expect_code(1);
    assert!(run.stderr.contains("is a mean of its records, which does not add up"), "{}", run.stderr);
    let spec = write(
        d,
        "s.toml",
        "title = \"T\"\naudience = \"A\"\nsubject = \"organisation\"\nperiod = { financial_year = \"2024-25\" }\nindicators = []\n\
         [[section]]\nkind = \"chart\"\ntitle = \"Hours and pounds\"\nchart = \"line\"\nindicators = [\"volunteer_hours\", \"spend_smes\"]\n",
    );
    let run = impact(&[
        "report",
        s(&spec),
        "--data",
        "samples/outcomes.csv",
        "--subject",
        "ORG01",
        "--out",
        s(&d.join("x.pdf")),
    ])
    .expect_code(1);
    assert!(
        run.stderr.contains("`volunteer_hours` is in hours and `spend_smes` in GBP, which cannot share one axis"),
        "{}",
        run.stderr
    );
    let names = write(d, "n.csv", "id,name\nORG1,Café 北京 市\n");
    let data = write(d, "d.csv", "organisation,indicator,date,value\nORG1,volunteer_hours,2024-06-01,10\n");
    let run = impact(&[
        "report",
        "board",
        "--data",
        s(&data),
        "--organisations",
        s(&names),
        "--subject",
        "ORG1",
        "--out",
        s(&d.join("y.pdf")),
    ])
    .ok();
    assert!(
        run.stderr.contains("warning: the report's typeface cannot draw 北京市 (in \"Café 北京 市\" and "),
        "{}",
        run.stderr
    );
}
