//! A session in a project folder outside the repository, as a new user would have
//! it: `impact init`, two sources (a canonical CSV and a partner's return with its
//! own headings and column map), then validate, aggregate and a batch of reports,
//! with no `--indicators` and no file names on the command line.

use std::path::Path;

use crate::util::{csv_rows, impact_in, pdf_text, repo, value_of, write};

/// The canonical records: four jobs for ORG01 (one written by its name) and one for
/// ORG02, and ten volunteering hours (an outcome with a proxy), all in 2024-25.
const CANONICAL: &str = "\
record_id,organisation,programme,indicator,date,value,participant
C1,ORG01,EMP-FWD,jobs_created,2024-05-01,1,P1
C2,ORG01,EMP-FWD,jobs_created,2024-06-01,1,P2
C3,ORG01,EMP-FWD,jobs_created,2024-07-01,1,P3
C4,ORG02,EMP-FWD,jobs_created,2024-08-01,1,P4
C5,Clyde Reuse Hub,EMP-FWD,jobs_created,2024-08-02,1,P5
C6,ORG01,EMP-FWD,volunteer_hours,2024-08-03,10,P6
";

/// A partner's return: its own headings, day-first dates, the partner by name,
/// Yes/No for a job started.
const RETURN: &str = "\
Ref,Partner,Date of outcome,Client,Job started?
R1,Fàilte Works,03/09/2024,Q1,Yes
R2,Fàilte Works,04/10/2024,Q2,Yes
R3,Fàilte Works,05/11/2024,Q3,No
";

const RETURN_MAP: &str = r#"
[source]
date_format = "%d/%m/%Y"

[columns]
record_id = "Ref"
organisation = "Partner"
date = "Date of outcome"
participant = "Client"
value = "Job started?"

[constants]
programme = "EMP-FWD"
indicator = "jobs_created"

[values]
"Yes" = 1
"No" = 0
"#;

/// A workbook whose records are on its second sheet, in the canonical layout, one
/// job start for "Fàilte Works" (ORG02 by the project's organisations table).
fn tallies(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("Notes").unwrap().write_string(0, 0, "Tallies from the Q2 events").unwrap();
    let sheet = book.add_worksheet().set_name("Records").unwrap();
    for (c, h) in
        ["record_id", "organisation", "programme", "indicator", "date", "value", "participant"].iter().enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["T1", "Fàilte Works", "EMP-FWD", "jobs_created"].iter().enumerate() {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 9, 15).unwrap();
    sheet.write_datetime_with_format(1, 4, &day, &date).unwrap();
    sheet.write_number(1, 5, 1.0).unwrap();
    sheet.write_string(1, 6, "P9").unwrap();
    book.save(path).unwrap();
}

/// A project made by `impact init`, with three sources (a canonical CSV, a return with
/// its own map, a workbook's second sheet) and the name tables (which read names as
/// ids in all of them).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let init = impact_in(root, &["init", "p"]).ok();
    assert!(init.stdout.contains("impact report board --each organisation"), "{}", init.stdout);
    let p = root.join("p");
    for made in ["impact.toml", "maps/return.toml", "reports/board.toml", "data"] {
        assert!(p.join(made).exists(), "init made {made}");
    }
    write(&p.join("data"), "outcomes.csv", CANONICAL);
    std::fs::create_dir(p.join("returns")).expect("dir");
    write(&p.join("returns"), "partner.csv", RETURN);
    write(&p.join("maps"), "partner.toml", RETURN_MAP);
    tallies(&p.join("returns/tallies.xlsx"));
    for table in ["organisations.csv", "programmes.csv"] {
        std::fs::copy(repo().join("samples").join(table), p.join(table)).expect("copy table");
    }
    let toml = std::fs::read_to_string(p.join("impact.toml")).expect("read");
    let toml = toml
        .replace(
            "# [[source]]\n# path = \"returns/*.xlsx\"\n# map = \"maps/return.toml\"",
            "[[source]]\npath = \"returns/*.csv\"\nmap = \"maps/partner.toml\"\n\n[[source]]\npath = \"returns/tallies.xlsx\"\nsheet = \"Records\"",
        )
        .replace("# organisations = ", "organisations = ")
        .replace("# programmes = ", "programmes = ");
    assert!(toml.contains("map = \"maps/partner.toml\""), "the generated project has the commented source");
    std::fs::write(p.join("impact.toml"), toml).expect("write");
    dir
}

#[test]
fn a_session_in_a_project_folder_needs_no_file_names() {
    let dir = project();
    let p = dir.path().join("p");

    let validate = impact_in(&p, &["validate"]).ok();
    assert!(validate.stdout.contains("3 file(s), 10 record(s) read, 10 valid"), "{}", validate.stdout);

    // Jobs by organisation, names read as ids by the project's organisations table:
    // ORG01 3 + 1 ("Clyde Reuse Hub") = 4, all canonical; ORG02 1 (canonical) + 2 (the
    // return's two "Yes", its "No" counting 0; "Fàilte Works" read as ORG02) + 1 (the
    // workbook's second sheet) = 4.
    let aggregate = impact_in(&p, &["aggregate", "--by", "organisation", "--format", "csv", "--no-suppress"]).ok();
    let rows = csv_rows(&aggregate.stdout);
    assert_eq!(value_of(&rows, &["ORG01", "jobs_created"]), 4.0);
    assert_eq!(value_of(&rows, &["ORG02", "jobs_created"]), 4.0);
    assert!(!aggregate.stdout.contains("Fàilte") && !aggregate.stdout.contains("Clyde"), "names are read as ids");

    // compare and value read the same sources, and the project's programmes table
    // (investment): the same job starts, and the volunteering hours valued with
    // EMP-FWD's investment (2,400,000 in samples/programmes.csv) beside them.
    let compare =
        impact_in(&p, &["compare", "--by", "organisation", "--per", "participant", "--format", "csv", "--no-suppress"])
            .ok();
    assert_eq!(value_of(&csv_rows(&compare.stdout), &["ORG02", "jobs_created"]), 4.0);
    let value = impact_in(&p, &["value", "--format", "csv", "--no-suppress"]).ok();
    let rows = csv_rows(&value.stdout);
    let at = |name: &str| rows[0].iter().position(|h| h == name).expect("column");
    let hours = rows.iter().find(|r| r[0] == "EMP-FWD" && r[1] == "volunteer_hours").expect("EMP-FWD hours row");
    assert_eq!(hours[at("quantity")], "10.0", "{}", value.stdout);
    // 10 hours × £18.64 a volunteer hour (the proxy) = £186.40 before adjustments.
    assert_eq!(hours[at("gross_value")], "186.4", "{}", value.stdout);
    let total = rows.iter().find(|r| r[0] == "EMP-FWD" && r[1] == "total").expect("EMP-FWD total row");
    assert_eq!(total[at("investment")], "2400000.0", "{}", value.stdout);

    // From a folder below the project; the project's own spec, its out_dir and its
    // organisations table (names on the cover).
    std::fs::create_dir(p.join("notes")).expect("dir");
    let report = impact_in(&p.join("notes"), &["report", "board", "--each", "organisation", "--no-suppress"]).ok();
    assert!(report.stdout.contains("wrote 2 PDF(s)"), "{}", report.stdout);
    let text = pdf_text(&p.join("out/ORG02.pdf"));
    assert!(text.contains("Fàilte Works"), "the organisations table names the subject");
}

#[test]
fn flags_override_the_project() {
    let dir = project();
    let p = dir.path().join("p");
    // A file named on the command line is read instead of the project's sources.
    let one = impact_in(&p, &["validate", "data/outcomes.csv"]).ok();
    assert!(one.stdout.contains("1 file(s), 6 record(s) read"), "{}", one.stdout);
    // The project withholds counts under 5; --no-suppress publishes them.
    let held = impact_in(&p, &["aggregate", "--by", "organisation", "--format", "csv"]).ok();
    assert!(
        held.stdout.contains("ORG01,jobs_created,,jobs,,small"),
        "the project's threshold applies:\n{}",
        held.stdout
    );
    let shown = impact_in(&p, &["aggregate", "--by", "organisation", "--format", "csv", "--no-suppress"]).ok();
    assert!(shown.stdout.contains("ORG01,jobs_created,4.0,jobs,4"), "{}", shown.stdout);
    // --map goes with files named on the command line, not with the project's.
    let map = impact_in(&p, &["validate", "--map", "maps/partner.toml"]).expect_code(2);
    assert!(map.stderr.contains("goes with data files named on the command line"), "{}", map.stderr);
}

#[test]
fn project_file_mistakes_name_the_file_line_and_nearest_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "impact.toml", "[[source]]\npath = \"data/*.csv\"\n\n[tables]\norganisation = \"o.csv\"\n");
    let run = impact_in(dir.path(), &["validate"]).expect_code(1);
    assert!(run.stderr.contains("impact.toml: line 5"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `organisations`?"), "{}", run.stderr);

    write(dir.path(), "impact.toml", "[[source]]\npath = \"data/*.csv\"\n");
    let run = impact_in(dir.path(), &["validate"]).expect_code(1);
    assert!(run.stderr.contains("path = \"data/*.csv\" names no file"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: put the data files there"), "{}", run.stderr);

    // A sheet is for workbooks.
    std::fs::create_dir(dir.path().join("data")).expect("dir");
    write(&dir.path().join("data"), "a.csv", CANONICAL);
    write(dir.path(), "impact.toml", "[[source]]\npath = \"data/*.csv\"\nsheet = \"Records\"\n");
    let run = impact_in(dir.path(), &["validate"]).expect_code(1);
    assert!(
        run.stderr.contains("[[source]] 1: sheet = \"Records\", but data/a.csv is not a workbook"),
        "{}",
        run.stderr
    );

    // A broken project file stops the commands that read it, not the ones that owe
    // nothing to it.
    write(dir.path(), "impact.toml", "[tables\n");
    let run = impact_in(dir.path(), &["validate"]).expect_code(1);
    assert!(run.stderr.contains("impact.toml: line 1"), "{}", run.stderr);
    let completions = impact_in(dir.path(), &["completions", "bash"]).ok();
    assert!(completions.stdout.contains("_impact()"), "{}", completions.stdout);

    // init never overwrites a project.
    let again = impact_in(dir.path(), &["init"]).expect_code(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}
