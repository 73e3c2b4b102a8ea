//! Fuzzing the parsers that take user files: CSV ingest with column maps, and report
//! specs. Inputs are random mixes of the awkward things real files contain; the
//! property is that every input gives a result or a typed error, never a panic.
//! `FUZZ_CASES` sets the length of the run (default 64, the short run CI keeps).

use std::path::Path;

use impactkit::aggregate::Request;
use impactkit::data::{self, CheckOptions, ColumnMap};
use impactkit::indicator::Library;
use impactkit::report::Spec;
use impactkit::value::Assumptions;
use proptest::prelude::*;

fn library() -> Library {
    Library::load(&crate::util::repo().join("indicators")).expect("library")
}

const HEADINGS: &[&str] = &[
    "record_id",
    "organisation",
    "programme",
    "indicator",
    "date",
    "value",
    "participant",
    "simd_decile",
    "evidence",
    "Partner",
    "Date of outcome",
    "Jobs",
    "",
    " value ",
    "ORGANISATION",
    "x\"y",
    "£",
    "é",
];

const CELLS: &[&str] = &[
    "",
    " ",
    "ORG1",
    "jobs_created",
    "employability_participants",
    "people_in_work",
    "job_outcome_rate",
    "2024-05-01",
    "31/02/2024",
    "2024-13-01",
    "01/05/2024",
    "2099-01-01",
    "0001-01-01",
    "1",
    "-1",
    "2.5",
    "£1,200",
    "1,2,3",
    "N/A",
    "NaN",
    "inf",
    "1e308",
    "-0",
    "99999999999999999999",
    "\"",
    "\"\"",
    "a\"b",
    "multi\nline",
    "tab\there",
    "semi;colon",
    "comma,inside",
    "ünïcödé",
    "🙂",
    "\u{feff}",
    "0",
    "11",
];

fn csv_text() -> impl Strategy<Value = Vec<u8>> {
    let heading = proptest::sample::select(HEADINGS.to_vec());
    let cell = proptest::sample::select(CELLS.to_vec());
    let sep = proptest::sample::select(vec![",", ";", "\t", "|"]);
    let eol = proptest::sample::select(vec!["\n", "\r\n"]);
    (
        proptest::collection::vec(heading, 0..8),
        proptest::collection::vec(proptest::collection::vec((cell, any::<bool>()), 0..9), 0..12),
        sep,
        eol,
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(head, rows, sep, eol, bom, noise)| {
            let mut out = String::new();
            if bom {
                out.push('\u{feff}');
            }
            out.push_str(&head.join(sep));
            for r in rows {
                out.push_str(eol);
                let cells: Vec<String> = r
                    .into_iter()
                    .map(|(c, quote)| if quote { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.to_string() })
                    .collect();
                out.push_str(&cells.join(sep));
            }
            let mut bytes = out.into_bytes();
            bytes.extend(noise); // sometimes not UTF-8 at the end
            bytes
        })
}

const MAP_LINES: &[&str] = &[
    "[source]",
    "header_row = 1",
    "header_row = 2",
    "header_row = 0",
    "header_row = 99",
    "delimiter = \";\"",
    "delimiter = \"x\"",
    "date_format = \"%d/%m/%Y\"",
    "date_format = \"%Y\"",
    "skip_rows_starting_with = [\"Total\"]",
    "sheet = \"S\"",
    "[columns]",
    "organisation = \"Partner\"",
    "date = \"Date of outcome\"",
    "value = \"Jobs\"",
    "organisaton = \"x\"",
    "area = \"Partner\"",
    "[constants]",
    "programme = \"P1\"",
    "indicator = \"jobs_created\"",
    "[wide]",
    "\"Jobs\" = \"jobs_created\"",
    "\"Jobs\" = \"nope\"",
    "x = ",
    "[[wide]]",
    "= 1",
    "\"",
];

const SPEC_LINES: &[&str] = &[
    "title = \"T\"",
    "audience = \"A\"",
    "subject = \"organisation\"",
    "subject = \"all\"",
    "subject = \"nobody\"",
    "period = { financial_year = \"2024-25\" }",
    "period = { financial_year = \"2024\" }",
    "period = { from = 2024-04-01, to = 2024-01-01 }",
    "period = { from = \"2024-04-01\", to = \"2025-03-31\" }",
    "indicators = [\"jobs_created\"]",
    "indicators = [\"x\"]",
    "indicators = []",
    "[[section]]",
    "kind = \"kpis\"",
    "kind = \"text\"",
    "kind = \"chart\"",
    "kind = \"table\"",
    "kind = \"ranking\"",
    "kind = \"small_multiples\"",
    "kind = \"nonsense\"",
    "text = \"{period} {jobs_created.total} {x.y} {\"",
    "chart = \"bar\"",
    "chart = \"pie\"",
    "indicator = \"jobs_created\"",
    "by = \"programme\"",
    "by = \"quarter\"",
    "by = [\"programme\"]",
    "stack = \"beneficiary_group\"",
    "grain = \"week\"",
    "per = \"participant\"",
    "title = 3",
    "[section]",
    "=",
    "\"",
];

const ASSUMPTION_LINES: &[&str] = &[
    "discount_rate = 0.035",
    "discount_rate = -1",
    "discount_rate = nan",
    "report_year = 2024",
    "report_year = 99999999999",
    "[index]",
    "2023 = 97.0",
    "2024 = 0",
    "x = 1",
    "[[override]]",
    "indicator = \"jobs_created\"",
    "indicator = \"nope\"",
    "duration_years = 1000000000",
    "duration_years = 4294967297",
    "duration_years = -2",
    "duration_years = 3",
    "deadweight = 0.2",
    "deadweight = inf",
    "value = 1e308",
    "value = -5",
    "programme = \"P1\"",
    "[sensitivity]",
    "value = { low = 0.5, high = 1e12 }",
    "deadweight = { low = 2, high = 1 }",
    "drop_off = { low = 0.5, high = 1.5 }",
    "[investment]",
    "P1 = 1000",
    "P2 = nan",
    "price_year = 2023",
    "price_year = 1066",
    "start_year = 0",
    "start_year = 1000",
    "discount_rate = 0.015",
    "low = 1",
    "high = 2",
    "appraisal = \"evaluative\"",
    "appraisal = \"x\"",
];

const INDICATOR_LINES: &[&str] = &[
    "[[indicator]]",
    "id = \"a\"",
    "id = \"b\"",
    "name = \"A\"",
    "theme = \"t\"",
    "unit = \"people\"",
    "unit = \"%\"",
    "aggregation = \"sum\"",
    "aggregation = \"ratio\"",
    "aggregation = \"distinct\"",
    "aggregation = \"mean\"",
    "direction = \"higher\"",
    "description = \"d\"",
    "min = nan",
    "max = -inf",
    "min = 5",
    "max = 1",
    "numerator = \"b\"",
    "denominator = \"a\"",
    "numerator = \"a\"",
    "scale = 100",
    "chain = \"c\"",
    "missing_numerator_is_zero = true",
    "counts_people = true",
    "[indicator.proxy]",
    "value = 10",
    "currency = \"GBP\"",
    "price_year = 2024",
    "source = \"s\"",
    "duration_years = 1000000000",
    "licence = \"OGL\"",
    "deadweight = 2",
    "start_year = 0",
    "start_year = 4294967296",
    "discount_rate = 0.015",
    "discount_rate = 2",
    "low = 5",
    "high = 20",
    "low = nan",
    "disbenefit = true",
];

const PROXY_LINES: &[&str] = &[
    "[[proxy]]",
    "indicator = \"co2e_avoided\"",
    "indicator = \"a\"",
    "indicator = \"nope\"",
    "indicator = 3",
    "value = 1",
    "value = -1",
    "value = nan",
    "low = 5",
    "high = 0.5",
    "currency = \"GBP\"",
    "price_year = 2022",
    "source = \"s\"",
    "licence = \"OGL\"",
    "url = \"x\"",
    "retrieved = \"2026-01-01\"",
    "start_year = 0",
    "discount_rate = 2",
    "disbenefit = true",
    "[proxy]",
    "proxy = 1",
    "valu = 1",
    "=",
    "\"",
];

fn toml_text(lines: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(lines.to_vec()), 0..16).prop_map(|l| l.join("\n") + "\n")
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Any CSV, with or without any map: a dataset with a report, or an error. No panic.
    #[test]
    fn csv_and_column_map_ingest_never_panic(csv in csv_text(), map in proptest::option::of(toml_text(MAP_LINES))) {
        let lib = library();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        std::fs::write(&data, &csv).unwrap();
        let map = match map {
            Some(text) => {
                let p = dir.path().join("m.toml");
                std::fs::write(&p, text).unwrap();
                ColumnMap::load(&p, &lib).ok()
            }
            None => None,
        };
        let opts = CheckOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), ..CheckOptions::default() };
        if let Ok(ds) = data::load(std::slice::from_ref(&data), &lib, map.as_ref(), &opts) {
            // Whatever was read, the counts agree with the listing.
            prop_assert!(ds.report.records_valid <= ds.report.records_read);
            if ds.report.is_ok() {
                let req = impactkit::aggregate::Request::default();
                let (valid, _) = data::split_valid(ds).unwrap();
                prop_assert!(impactkit::aggregate::aggregate(&valid.records, &lib, &req).is_ok());
            }
        }
    }

    /// Any spec text: a checked spec or an error. No panic.
    #[test]
    fn spec_parsing_never_panics(text in toml_text(SPEC_LINES)) {
        let lib = library();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(&p, text).unwrap();
        if let Ok(spec) = Spec::load(Path::new(&p), &lib) {
            prop_assert!(spec.window().is_ok());
        }
    }
}

/// A column for a fuzzed Parquet file: each canonical column takes one of the types a
/// Parquet file (or a JSON one read into polars) can hold, with awkward values.
fn typed_column(name: &'static str, kind: u8, n: usize, seed: u64) -> polars::prelude::Column {
    use polars::prelude::*;
    let pick =
        |i: usize| (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64 * 1442695040888963407) >> 33) as usize;
    let texts = ["ORG1", "jobs_created", "2024-05-01", "1", "", "NaN", "x", "volunteer_hours", "{\"a\":1}"];
    let floats = [1.0, f64::NAN, f64::INFINITY, -1.0, 0.5, 1e308, 19844.0, -0.0];
    let finite = [1.0, 12.5, -3.25, 0.0, 1e14, 999_999_999_999_999.99];
    match kind % 7 {
        0 => Column::new(name.into(), (0..n).map(|i| Some(texts[pick(i) % texts.len()])).collect::<Vec<_>>()),
        1 => Column::new(name.into(), (0..n).map(|i| Some(floats[pick(i) % floats.len()])).collect::<Vec<_>>()),
        2 => Column::new(name.into(), (0..n).map(|i| Some((pick(i) % 30_000) as i64 - 10)).collect::<Vec<_>>()),
        3 => Column::new(name.into(), (0..n).map(|i| Some(pick(i) % 2 == 0)).collect::<Vec<_>>()),
        4 => Column::new(
            name.into(),
            (0..n).map(|i| (pick(i) % 3 != 0).then_some((pick(i) % 20_000) as i32)).collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)
        .expect("date column"),
        // decimal(38,2), as SQL and Spark exports write money and counts
        5 => Column::new(
            name.into(),
            (0..n).map(|i| (pick(i) % 4 != 0).then_some(finite[pick(i) % finite.len()])).collect::<Vec<_>>(),
        )
        .cast(&DataType::Decimal(38, 2))
        .expect("decimal column"),
        _ => Series::new(
            name.into(),
            (0..n).map(|i| Series::new("".into(), [texts[pick(i) % texts.len()]])).collect::<Vec<_>>(),
        )
        .into_column(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Parquet files whose columns have any type (text, floats with NaN and infinity,
    /// integers, booleans, dates, decimals, lists): a result or a typed error, never a panic.
    #[test]
    fn typed_parquet_never_panics(kinds in proptest::collection::vec(any::<u8>(), 4), rows in 0usize..12, seed in any::<u64>()) {
        use polars::prelude::*;
        let lib = library();
        let dir = tempfile::tempdir().unwrap();
        let names = ["organisation", "indicator", "date", "value"];
        let columns: Vec<Column> = names.iter().zip(&kinds).enumerate().map(|(k, (n, kind))| typed_column(n, *kind, rows, seed ^ k as u64)).collect();
        let mut df = DataFrame::new(rows, columns).unwrap();
        let path = dir.path().join("t.parquet");
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        let opts = CheckOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), ..CheckOptions::default() };
        if let Ok(ds) = data::load(std::slice::from_ref(&path), &lib, None, &opts) {
            prop_assert!(ds.report.records_valid <= ds.report.records_read);
            if ds.report.is_ok() {
                let (valid, _) = data::split_valid(ds).unwrap();
                let req = impactkit::aggregate::Request::default();
                prop_assert!(impactkit::aggregate::aggregate(&valid.records, &lib, &req).is_ok());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Any assumptions file: checked assumptions or an error, never a panic or an
    /// allocation sized by a typo; the values run through the SROI arithmetic.
    #[test]
    fn assumptions_never_panic(text in toml_text(ASSUMPTION_LINES)) {
        let lib = library();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, text).unwrap();
        if Assumptions::load(&p, &lib).is_ok() {
            let run = crate::util::impact(&["value", "samples/outcomes.csv", "--assumptions", p.to_str().unwrap(), "--sensitivity", "--format", "csv"]);
            prop_assert!(run.code == 0 || run.code == 1 || run.code == 2, "{}", run.stderr);
        }
    }

    /// Any indicator file, with any proxies file beside it: a library with its problems
    /// listed, or an error; never a panic.
    #[test]
    fn indicator_files_never_panic(text in toml_text(INDICATOR_LINES), proxies in toml_text(PROXY_LINES)) {
        let dir = tempfile::tempdir().unwrap();
        let (lib, prox) = (dir.path().join("lib"), dir.path().join("proxies"));
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::create_dir_all(&prox).unwrap();
        std::fs::write(lib.join("x.toml"), text).unwrap();
        std::fs::write(prox.join("p.toml"), proxies).unwrap();
        let _ = Library::load_unchecked(&lib);
        let _ = Library::load(&lib);
        let _ = Library::load_unchecked_with_proxies(&crate::util::repo().join("indicators"), &prox);
    }
}

/// One cell of a fuzzed worksheet, as the XML of a workbook can hold it.
#[derive(Debug, Clone)]
enum XCell {
    Empty,
    /// A number cell with this raw `<v>` text (it may not be a number at all).
    Number(&'static str),
    /// An index into the shared strings (out of range too).
    Shared(usize),
    Inline(&'static str),
    Bool(&'static str),
    /// An error cell: `#NAME?`, `#DIV/0!`, …
    Error(&'static str),
    /// A formula saved without its value.
    FormulaNoValue,
    /// A formula with a text result.
    FormulaText(&'static str),
    /// A number styled as a date (a date serial to Excel).
    DateStyled(&'static str),
    /// An ISO 8601 date cell (`t="d"`).
    IsoDate(&'static str),
}

const XLSX_VALUES: &[&str] = &[
    "1",
    "-1",
    "0",
    "2.5",
    "1e308",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "abc",
    "",
    "45413",
    "2958466",
    "-0.5",
    "1E+15",
    "4294967297",
];
const XLSX_TEXTS: &[&str] =
    &["ORG1", "jobs_created", "volunteer_hours", "2024-05-01", "1", "", " ", "#NAME?", "<&>", "é🙂"];
const XLSX_ERRORS: &[&str] =
    &["#NAME?", "#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NUM!", "#NULL!", "#GETTING_DATA", "nonsense"];
const XLSX_DATES: &[&str] = &["2024-05-01", "2024-05-01T10:00:00", "2024-13-45", "x", "", "9999-12-31T23:59:59"];
const XLSX_SHARED: &[&str] = &["organisation", "indicator", "date", "value", "ORG1", "jobs_created", "2024-05-01"];

fn xcell() -> impl Strategy<Value = XCell> {
    let v = proptest::sample::select(XLSX_VALUES.to_vec());
    let t = proptest::sample::select(XLSX_TEXTS.to_vec());
    prop_oneof![
        Just(XCell::Empty),
        v.clone().prop_map(XCell::Number),
        (0usize..10).prop_map(XCell::Shared),
        t.clone().prop_map(XCell::Inline),
        proptest::sample::select(vec!["0", "1", "2", "true", ""]).prop_map(XCell::Bool),
        proptest::sample::select(XLSX_ERRORS.to_vec()).prop_map(XCell::Error),
        Just(XCell::FormulaNoValue),
        t.prop_map(XCell::FormulaText),
        v.prop_map(XCell::DateStyled),
        proptest::sample::select(XLSX_DATES.to_vec()).prop_map(XCell::IsoDate),
    ]
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A workbook of one sheet, written part by part (as Excel lays it out, with shared
/// strings and a date style), so a cell can hold what Excel's own writer never would.
fn xlsx_bytes(rows: &[Vec<XCell>], headings: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    let letter = |c: usize| ((b'A' + c as u8) as char).to_string();
    sheet.push_str(r#"<row r="1">"#);
    for (c, h) in headings.iter().enumerate() {
        sheet.push_str(&format!(r#"<c r="{}1" t="inlineStr"><is><t>{}</t></is></c>"#, letter(c), xml_escape(h)));
    }
    sheet.push_str("</row>");
    for (r, row) in rows.iter().enumerate() {
        let n = r + 2;
        sheet.push_str(&format!(r#"<row r="{n}">"#));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{n}", letter(c));
            let xml = match cell {
                XCell::Empty => continue,
                XCell::Number(v) => format!(r#"<c r="{at}"><v>{}</v></c>"#, xml_escape(v)),
                XCell::Shared(i) => format!(r#"<c r="{at}" t="s"><v>{i}</v></c>"#),
                XCell::Inline(t) => format!(r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#, xml_escape(t)),
                XCell::Bool(v) => format!(r#"<c r="{at}" t="b"><v>{v}</v></c>"#),
                XCell::Error(e) => format!(r#"<c r="{at}" t="e"><v>{}</v></c>"#, xml_escape(e)),
                XCell::FormulaNoValue => format!(r#"<c r="{at}"><f>SUM(A1:A2)</f></c>"#),
                XCell::FormulaText(t) => format!(r#"<c r="{at}" t="str"><f>"x"</f><v>{}</v></c>"#, xml_escape(t)),
                XCell::DateStyled(v) => format!(r#"<c r="{at}" s="1"><v>{}</v></c>"#, xml_escape(v)),
                XCell::IsoDate(d) => format!(r#"<c r="{at}" t="d"><v>{}</v></c>"#, xml_escape(d)),
            };
            sheet.push_str(&xml);
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let shared: String = XLSX_SHARED.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.to_string()),
        ("xl/sharedStrings.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{shared}</sst>"#, XLSX_SHARED.len())),
        // Style 1 is Excel's built-in short date (number format 14).
        ("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(name, options).expect("zip part");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Workbooks whose cells hold anything a workbook can (numbers too big or not
    /// numbers at all, error cells, formulas with no saved value, date-styled serials
    /// out of range, ISO date cells, shared strings out of range): a result or a
    /// typed error, never a panic.
    #[test]
    fn excel_cells_never_panic(rows in proptest::collection::vec(proptest::collection::vec(xcell(), 0..6), 0..8), headings in proptest::sample::subsequence(vec!["organisation", "indicator", "date", "value", "participant", "simd_decile"], 0..6)) {
        let lib = library();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.xlsx");
        std::fs::write(&path, xlsx_bytes(&rows, &headings)).unwrap();
        let opts = CheckOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), ..CheckOptions::default() };
        if let Ok(ds) = data::load(std::slice::from_ref(&path), &lib, None, &opts) {
            prop_assert!(ds.report.records_valid <= ds.report.records_read);
            if ds.report.is_ok() {
                let (valid, _) = data::split_valid(ds).unwrap();
                prop_assert!(impactkit::aggregate::aggregate(&valid.records, &lib, &Request::default()).is_ok());
            }
        }
    }
}

/// Every Arrow type an export may write (decimals of each width, dictionaries, large
/// texts, structs, maps, binaries, times, timestamps with zones, durations, unsigned
/// and small integers, half floats, nulls), in the value, date and organisation
/// columns in turn: the binary gives a result or a usage error, never a panic or an
/// abort. The files are made by `tests/fixtures/make_parquet_types.py`.
#[test]
fn every_arrow_type_gives_a_result_or_an_error() {
    let folder = crate::util::repo().join("tests/fixtures/parquet_types");
    let mut files: Vec<_> = std::fs::read_dir(&folder).expect("fixtures").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 60, "{} fixtures", files.len());
    for file in files {
        let run = crate::util::impact(&["aggregate", file.to_str().unwrap(), "--format", "csv"]);
        assert!(matches!(run.code, 0..=2), "{}: exit {}\n{}", file.display(), run.code, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}: {}", file.display(), run.stderr);
        if run.code != 0 {
            assert!(
                run.stderr.contains(file.file_name().unwrap().to_str().unwrap()),
                "{}: the message names the file: {}",
                file.display(),
                run.stderr
            );
        }
    }
}
