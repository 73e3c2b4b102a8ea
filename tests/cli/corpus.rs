//! The bad-input corpus: files people really produce, each refused with a message that
//! names the file, row and column (or key), a non-zero exit, and no output written.
//! Messages are snapshots (tests/cli/snapshots/): a change to one shows up in review.

use std::path::Path;

use crate::util::{impact, repo};

const H: &str = "record_id,organisation,programme,indicator,date,value,participant,beneficiary_group,gender,age_band,area,simd_decile,evidence";

/// One case: files to write into a fresh folder, then `impact` arguments in which
/// `{dir}` is that folder and `{out}` an output path that must not appear.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<String>,
}

fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn rows(body: &[&str]) -> Vec<u8> {
    text(&format!("{H}\n{}\n", body.join("\n")))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures").join(name)).expect("fixture")
}

fn aggregate(file: &str) -> Vec<String> {
    vec![
        "aggregate".into(),
        format!("{{dir}}/{file}"),
        "--by".into(),
        "organisation".into(),
        "--out".into(),
        "{out}".into(),
    ]
}

fn with_map(file: &str, map: &str) -> Vec<String> {
    let mut a = aggregate(file);
    a.extend(["--map".into(), format!("{{dir}}/{map}")]);
    a
}

fn report(spec: &str) -> Vec<String> {
    ["report", &format!("{{dir}}/{spec}"), "--data", "samples/outcomes.csv", "--out", "{out-pdf}"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

const SPEC_HEAD: &str =
    "title = \"T\"\naudience = \"A\"\nperiod = { financial_year = \"2024-25\" }\nindicators = [\"jobs_created\"]\n";
const OK_ROW: &str = "R1,ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,,";

fn cases() -> Vec<Case> {
    let c = |name, files: Vec<(&'static str, Vec<u8>)>, args: Vec<String>| Case { name, files, args };
    vec![
        c("empty_file", vec![("d.csv", vec![])], aggregate("d.csv")),
        c("header_only", vec![("d.csv", text(&format!("{H}\n")))], aggregate("d.csv")),
        c("wrong_delimiter", vec![("d.csv", text(&format!("{}\n{}\n", H.replace(',', ";"), OK_ROW.replace(',', ";")))), ("m.toml", text("[source]\ndelimiter = \",\"\n"))], with_map("d.csv", "m.toml")),
        c("not_utf8", vec![("d.csv", [rows(&[OK_ROW]), b"R2,ORG1,P1,jobs_created,2024-05-01,\xa31,p2,,,,,,\n".to_vec()].concat())], aggregate("d.csv")),
        c("unbalanced_quote", vec![("d.csv", rows(&["R1,\"ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,,", OK_ROW]))], aggregate("d.csv")),
        c("ragged_row", vec![("d.csv", rows(&[OK_ROW, "R2,ORG1,P1,jobs_created,2024-05-01,1,p2,,,,,,,extra"]))], aggregate("d.csv")),
        c("text_in_number", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2024-05-01,three,p1,,,,,,"]))], aggregate("d.csv")),
        c("n_a_value", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2024-05-01,N/A,p1,,,,,,"]))], aggregate("d.csv")),
        c("negative_count", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2024-05-01,-4,p1,,,,,,"]))], aggregate("d.csv")),
        c("absurd_value", vec![("d.csv", rows(&["R1,ORG1,P1,volunteer_hours,2024-05-01,90000,p1,,,,,,"]))], aggregate("d.csv")),
        c("fractional_people", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2024-05-01,2.5,p1,,,,,,"]))], aggregate("d.csv")),
        c("uk_date_without_map", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,01/05/2024,1,p1,,,,,,"]))], aggregate("d.csv")),
        c("us_date_with_uk_map", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,05/31/2024,1,p1,,,,,,"])), ("m.toml", text("[source]\ndate_format = \"%d/%m/%Y\"\n"))], with_map("d.csv", "m.toml")),
        c("two_digit_year_four_digit_map", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,13/05/24,1,p1,,,,,,"])), ("m.toml", text("[source]\ndate_format = \"%d/%m/%Y\"\n"))], with_map("d.csv", "m.toml")),
        c("ambiguous_day_and_month", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,05/06/2024,1,p1,,,,,,"]))], aggregate("d.csv")),
        c("century_start_out_of_range", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,13/05/24,1,p1,,,,,,"])), ("m.toml", text("[source]\ndate_format = \"%d/%m/%y\"\ncentury_start = 24\n"))], with_map("d.csv", "m.toml")),
        c("written_date", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,1 May 2024,1,p1,,,,,,"]))], aggregate("d.csv")),
        c("impossible_date", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2023-02-29,1,p1,,,,,,"]))], aggregate("d.csv")),
        c("future_date", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2099-05-01,1,p1,,,,,,"]))], {
            // A fixed "today" keeps the message (which names today) stable.
            let mut a = aggregate("d.csv");
            a.extend(["--today".into(), "2026-01-01".into()]);
            a
        }),
        c("duplicate_ids", vec![("d.csv", rows(&[OK_ROW, OK_ROW]))], aggregate("d.csv")),
        c("unknown_indicator", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_creatd,2024-05-01,1,p1,,,,,,"]))], aggregate("d.csv")),
        c("missing_columns", vec![("d.csv", text("organisation,when,amount\nORG1,2024-05-01,1\n"))], aggregate("d.csv")),
        c("bad_simd", vec![("d.csv", rows(&["R1,ORG1,P1,jobs_created,2024-05-01,1,p1,,,,,11,"]))], aggregate("d.csv")),
        c("distinct_without_participant", vec![("d.csv", rows(&["R1,ORG1,P1,employability_participants,2024-05-01,1,,,,,,,"]))], aggregate("d.csv")),
        c("merged_header_cells", vec![("d.xlsx", fixture("merged_headings.xlsx")), ("m.toml", text("[columns]\norganisation = \"Partner\"\n[wide]\n\"Outcomes\" = \"jobs_created\"\n\"Training\" = \"training_places\"\n"))], with_map("d.xlsx", "m.toml")),
        c("several_sheets_wrong_name", vec![("d.xlsx", fixture("several_sheets.xlsx")), ("m.toml", text("[source]\nsheet = \"2025-26\"\n"))], with_map("d.xlsx", "m.toml")),
        c("corrupt_xlsx", vec![("d.xlsx", fixture("corrupt.xlsx"))], aggregate("d.xlsx")),
        c("xlsx_formula_without_result", vec![("d.xlsx", fixture("unsaved_formula.xlsx"))], aggregate("d.xlsx")),
        c("xlsx_error_cells", vec![("d.xlsx", fixture("error_cells.xlsx"))], aggregate("d.xlsx")),
        c("parquet_half_floats", vec![("d.parquet", fixture("parquet_types/float16_in_value.parquet"))], aggregate("d.parquet")),
        c("parquet_decimal_too_wide", vec![("d.parquet", fixture("parquet_types/decimal256_50_2_in_value.parquet"))], aggregate("d.parquet")),
        c("parquet_timestamp_as_organisation", vec![("d.parquet", fixture("parquet_types/timestamp_tz_in_organisation.parquet"))], aggregate("d.parquet")),
        c("parquet_category_list_malformed", vec![("d.parquet", fixture("parquet_types/enum_metadata_malformed_in_organisation.parquet"))], aggregate("d.parquet")),
        c("parquet_decimal_too_big", vec![("d.parquet", fixture("parquet_types/decimal_38_2_in_value.parquet"))], aggregate("d.parquet")),
        c("xlsx_huge_used_range", vec![("d.xlsx", fixture("huge_range.xlsx"))], aggregate("d.xlsx")),
        c("corrupt_parquet", vec![("d.parquet", fixture("corrupt.parquet"))], aggregate("d.parquet")),
        c("json_not_objects", vec![("d.json", text("[1, 2, 3]"))], aggregate("d.json")),
        c("json_syntax", vec![("d.json", text("[{\"organisation\": \"ORG1\",}]"))], aggregate("d.json")),
        c("ndjson_bad_line", vec![("d.ndjson", text("{\"organisation\":\"ORG1\"}\nnot json\n"))], aggregate("d.ndjson")),
        c("unknown_extension", vec![("d.docx", text("x"))], aggregate("d.docx")),
        c("missing_file", vec![], aggregate("nowhere.csv")),
        c("map_two_columns_to_one_name", vec![("d.csv", rows(&[OK_ROW])), ("m.toml", text("[columns]\norganisation = \"Partner\"\norganisation = \"Supplier\"\n"))], with_map("d.csv", "m.toml")),
        c("map_one_heading_twice", vec![("d.csv", rows(&[OK_ROW])), ("m.toml", text("[columns]\norganisation = \"Partner\"\narea = \"Partner\"\n"))], with_map("d.csv", "m.toml")),
        c("map_unknown_column", vec![("d.csv", rows(&[OK_ROW])), ("m.toml", text("[columns]\norganisaton = \"Partner\"\n"))], with_map("d.csv", "m.toml")),
        c("map_typo_key", vec![("d.csv", rows(&[OK_ROW])), ("m.toml", text("[source]\nheader_rows = 2\n"))], with_map("d.csv", "m.toml")),
        c(
            "indicator_typo_key",
            vec![("lib/a.toml", text("[[indicator]]\nid = \"jobs\"\nname = \"Jobs\"\ntheme = \"employment\"\nunit = \"jobs\"\naggregaton = \"sum\"\ndirection = \"higher\"\ndescription = \"d\"\n"))],
            vec!["--indicators".into(), "{dir}/lib".into(), "indicators".into(), "list".into()],
        ),
        c("spec_unknown_section", vec![("s.toml", text(&format!("{SPEC_HEAD}[[section]]\nkind = \"summary\"\n")))], report("s.toml")),
        c("spec_unknown_indicator", vec![("s.toml", text(&format!("{SPEC_HEAD}[[section]]\nkind = \"kpis\"\nindicators = [\"volunteers_hours\"]\n")))], report("s.toml")),
        c("spec_bad_placeholder", vec![("s.toml", text(&format!("{SPEC_HEAD}[[section]]\nkind = \"text\"\ntext = \"{{jobs_created.sum}}\"\n")))], report("s.toml")),
        c("targets_unknown_indicator", vec![("d.csv", rows(&[OK_ROW])), ("t.csv", text("programme,period,indicator,target\nP1,2024-25,job_created,10\n"))], {
            let mut a = aggregate("d.csv");
            a.extend(["--targets".into(), "{dir}/t.csv".into()]);
            a
        }),
        c("assumptions_rate_out_of_range", vec![("a.toml", text("[[override]]\nattribution = 1.2\n"))], vec!["value".into(), "samples/outcomes.csv".into(), "--assumptions".into(), "{dir}/a.toml".into(), "--out".into(), "{out}".into()]),
        c("assumptions_duration_huge", vec![("a.toml", text("[[override]]\nduration_years = 1000000000\n"))], vec!["value".into(), "samples/outcomes.csv".into(), "--assumptions".into(), "{dir}/a.toml".into(), "--out".into(), "{out}".into()]),
        c("assumptions_duration_wraps", vec![("a.toml", text("[[override]]\nduration_years = 4294967297\n"))], vec!["value".into(), "samples/outcomes.csv".into(), "--assumptions".into(), "{dir}/a.toml".into(), "--out".into(), "{out}".into()]),
        c("sensitivity_multiplier_huge", vec![("a.toml", text("[sensitivity]\nvalue = { low = 0.5, high = 1e12 }\n"))], vec!["value".into(), "samples/outcomes.csv".into(), "--assumptions".into(), "{dir}/a.toml".into(), "--sensitivity".into(), "--out".into(), "{out}".into()]),
        c("commitments_bad_date", vec![("c.csv", text("contract,supplier,indicator,committed,due,contract_value\nK1,ORG1,jobs_created,10,31st March,1000\n"))], vec!["commitments".into(), "--commitments".into(), "{dir}/c.csv".into(), "samples/outcomes.csv".into(), "--out".into(), "{out}".into()]),
        c("heading_twice_in_two_cases", vec![("d.csv", text("organisation,Organisation,indicator,date,value\nA,B,jobs_created,2024-05-01,1\n"))], vec!["validate".into(), "{dir}/d.csv".into()]),
        c("heading_twice_exactly", vec![("d.csv", text("organisation,organisation,indicator,date,value\nA,B,jobs_created,2024-05-01,1\n"))], vec!["aggregate".into(), "{dir}/d.csv".into(), "--out".into(), "{out}".into()]),
        // gender and evidence are not read by aggregate: the extra cell is still seen.
        c("row_with_an_extra_cell_past_unread_columns", vec![("d.csv", text("organisation,indicator,date,value,gender,evidence\nORG1,jobs_created,2024-05-01,1,male,x\nORG1,jobs_created,2024-05-01,1,male,x,extra\n"))], vec!["aggregate".into(), "{dir}/d.csv".into(), "--out".into(), "{out}".into()]),
        c("middle_row_cut_short", vec![("d.csv", text("organisation,indicator,date,value,evidence\nORG1,jobs_created,2024-05-01,1,x\nORG1,jobs_created,2024-05-01,12\nORG1,jobs_created,2024-05-01,1,\n"))], vec!["aggregate".into(), "{dir}/d.csv".into(), "--out".into(), "{out}".into()]),
        c("last_row_cut_short", vec![("d.csv", text("organisation,indicator,date,value\nORG1,jobs_created,2024-05-01,1250\nORG1,jobs_created,2024-05-0"))], vec!["aggregate".into(), "{dir}/d.csv".into(), "--out".into(), "{out}".into()]),
        c("json_key_twice", vec![("d.json", text("[{\"organisation\": \"ORG1\", \"indicator\": \"jobs_created\", \"date\": \"2024-05-01\", \"value\": 1, \"value\": 2}]"))], vec!["validate".into(), "{dir}/d.json".into()]),
        c("utf16_file", vec![("d.csv", [vec![0xFFu8, 0xFE], "organisation,indicator\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect::<Vec<u8>>()].concat())], vec!["validate".into(), "{dir}/d.csv".into()]),
        c("cr_only_lines", vec![("d.csv", text("organisation,indicator,date,value\rORG1,jobs_created,2024-05-01,1\r"))], vec!["validate".into(), "{dir}/d.csv".into()]),
        c("map_empty_skip_prefix", vec![("d.csv", rows(&[OK_ROW])), ("m.toml", text("[source]\nskip_rows_starting_with = [\"\"]\n"))], vec!["validate".into(), "{dir}/d.csv".into(), "--map".into(), "{dir}/m.toml".into()]),
        c("reserved_heading", vec![("d.csv", text("organisation,indicator,date,value,__row\nORG1,jobs_created,2024-05-01,1,x\n"))], vec!["validate".into(), "{dir}/d.csv".into()]),
        c("out_xls_refused", vec![("d.csv", rows(&[OK_ROW]))], vec!["aggregate".into(), "{dir}/d.csv".into(), "--out".into(), "{dir}/out/result.xls".into()]),
        c("out_extension_and_format_disagree", vec![("d.csv", rows(&[OK_ROW]))], vec!["value".into(), "{dir}/d.csv".into(), "--format".into(), "csv".into(), "--out".into(), "{dir}/out/result.parquet".into()]),
        c("unknown_dimension", vec![("d.csv", rows(&[OK_ROW]))], vec!["aggregate".into(), "{dir}/d.csv".into(), "--by".into(), "council".into(), "--out".into(), "{out}".into()]),
    ]
}

fn run_case(case: &Case, dir: &Path) -> (i32, String) {
    for (name, bytes) in &case.files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }
    let d = dir.to_str().unwrap();
    let out = format!("{d}/out/result.csv");
    let pdf = format!("{d}/out/result.pdf");
    let args: Vec<String> =
        case.args.iter().map(|a| a.replace("{dir}", d).replace("{out-pdf}", &pdf).replace("{out}", &out)).collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = impact(&refs);
    assert!(!Path::new(&out).exists() && !Path::new(&pdf).exists(), "{}: an output was written", case.name);
    assert!(
        !dir.join("out").exists() || std::fs::read_dir(dir.join("out")).unwrap().next().is_none(),
        "{}: partial output",
        case.name
    );
    let shown = format!("exit: {}\n{}{}", run.code, run.stdout, run.stderr).replace(d, "<dir>");
    (run.code, shown)
}

#[test]
fn every_bad_input_gets_a_clear_error_and_no_output() {
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(repo().join("tests/cli/snapshots"));
    settings.bind(|| {
        for case in &cases {
            let dir = tempfile::tempdir().unwrap();
            let (code, shown) = run_case(case, dir.path());
            assert_ne!(code, 0, "{}: exit 0\n{shown}", case.name);
            assert!(shown.contains("error"), "{}: no error line\n{shown}", case.name);
            insta::assert_snapshot!(case.name, shown);
        }
    });
}
