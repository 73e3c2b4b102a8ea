//! The pages of `impact serve`: server-rendered HTML (maud, checked at compile time),
//! working without JavaScript. Each page runs a command (`super::impact`) and shows
//! what it printed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Multipart, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use super::{impact, inside, App};
use impactkit::error::Error;

/// A page and its status.
pub struct Page {
    pub status: StatusCode,
    pub body: Markup,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#222;line-height:1.45}\
header{background:#0072b2;color:#fff;padding:.6rem 1rem}header a{color:#fff;margin-right:1rem}\
main{padding:1rem;max-width:70rem}table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}\
th,td{border-bottom:1px solid #c8ccd0;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f1f3f5}.num{text-align:right}.error{color:#b01e1e}.note{color:#5f6368}\
form{margin:.5rem 0}label{margin-right:1rem}.wide{overflow-x:auto}\
.pages{display:flex;flex-wrap:wrap;gap:1rem}.pages svg{width:14rem;height:auto;border:1px solid #c8ccd0}";

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — impactkit" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header {
                    nav aria-label="Pages" {
                        a href="/" { "Project" }
                        a href="/sources" { "Sources" }
                        a href="/figures" { "Figures" }
                        a href="/reports" { "Reports" }
                        a href="/value" { "Social value" }
                        a href="/commitments" { "Commitments" }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

fn ok(title: &str, body: Markup) -> Page {
    Page { status: StatusCode::OK, body: layout(title, body) }
}

/// A refusal before any handler (wrong Host, another site).
pub fn refused(status: StatusCode, what: &str, hint: &str) -> Response {
    Page { status, body: layout("Refused", html! { p.error { (what) } p { (hint) } }) }.into_response()
}

/// The command's error as a page: what is wrong and what to do, as the terminal says.
fn failed(err: &Error) -> Page {
    let status = match err {
        Error::Usage { .. } => StatusCode::BAD_REQUEST,
        Error::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let report = if let Error::Invalid { report } = err {
        Some(problems_table(&report.diagnostics.iter().map(Problem::of).collect::<Vec<_>>()))
    } else {
        None
    };
    Page {
        status,
        body: layout(
            "Something needs fixing",
            html! {
                p.error { "error: " (err.to_string()) }
                @if let Some(hint) = err.hint() { p { "hint: " (hint) } }
                @if let Some(table) = report { (table) }
            },
        ),
    }
}

pub async fn not_found() -> Page {
    Page {
        status: StatusCode::NOT_FOUND,
        body: layout("Not found", html! { p { "There is no such page." } a href="/" { "The project" } }),
    }
}

/// Rows of the CSV a command printed (quoted fields, doubled quotes).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A command's CSV as a table (numbers to the right).
fn table(csv: &str, caption: &str) -> Markup {
    let rows = csv_rows(csv);
    let Some((head, body)) = rows.split_first().filter(|(_, body)| !body.is_empty()) else {
        return html! { p.note { (caption) ": none. Nothing in the data matches this choice." } };
    };
    let numeric = |v: &str| !v.is_empty() && v.replace([',', '.', '-'], "").chars().all(|c| c.is_ascii_digit());
    // A column of figures (decimal numbers, as the CSV writes every figure) reads as
    // the terminal's table reads: 1,247 and 18.89, "–" where there is none.
    let figures: Vec<bool> = (0..head.len())
        .map(|c| {
            let cells = || body.iter().filter_map(|r| r.get(c)).filter(|v| !v.is_empty());
            cells().any(|v| v.contains('.')) && cells().all(|v| v.parse::<f64>().is_ok())
        })
        .collect();
    let shown = |c: usize, v: &str| match (figures.get(c), v.parse::<f64>()) {
        (Some(true), Ok(x)) => impactkit::output::format_figure(x),
        (Some(true), Err(_)) => "–".to_string(),
        _ => v.to_string(),
    };
    html! {
        div.wide {
            table {
                caption { (caption) }
                thead { tr { @for h in head { th scope="col" { (h) } } } }
                tbody {
                    @for r in body {
                        tr { @for (c, v) in r.iter().enumerate() {
                            @if numeric(v) || figures.get(c) == Some(&true) { td.num { (shown(c, v)) } } @else { td { (v) } }
                        } }
                    }
                }
            }
        }
    }
}

fn stdout(outcome: &super::Outcome) -> String {
    String::from_utf8_lossy(&outcome.stdout).into_owned()
}

fn token_field(app: &App) -> Markup {
    html! { input type="hidden" name="token" value=(app.token); }
}

pub async fn home(State(app): State<Arc<App>>) -> Page {
    let status = impact(&app, vec!["validate".into()]).await;
    let project = impactkit::project::Project::load(&app.root.join(impactkit::project::FILE_NAME)).ok();
    ok(
        "Project",
        html! {
            p { "Folder: " code { (app.root.display()) } }
            @match (&project, &status) {
                (None, _) => {
                    p { "There is no project here yet (no impact.toml). Start one: an impact.toml naming a data/ folder, example tables to replace row by row, a column map and a report spec to edit." }
                    form method="post" action="/init" { (token_field(&app)) button type="submit" { "Start a project in this folder" } }
                }
                (Some(_), Ok(out)) => p { "Sources: " (stdout(out).lines().last().unwrap_or_default()) " " a href="/sources" { "see the sources" } },
                (Some(_), Err(e)) => p.error { "Sources: " (e.to_string()) " " a href="/sources" { "see the sources" } },
            }
            @if let Some(p) = &project {
                h2 { "Releases" }
                @if p.releases.is_empty() { p.note { "No [[release]] in impact.toml." } }
                ul { @for r in &p.releases { li { (r.name) ": " (r.documents.len()) " document(s) into " code { (r.out_dir.display()) } } } }
            }
        },
    )
}

pub async fn sources(State(app): State<Arc<App>>) -> Page {
    let project = match impactkit::project::Project::load(&app.root.join(impactkit::project::FILE_NAME)) {
        Ok(p) => p,
        Err(e) => return failed(&e),
    };
    let status = impact(&app, vec!["validate".into(), "--format".into(), "json".into()]).await;
    let summary = match &status {
        Ok(out) => serde_json::from_slice::<serde_json::Value>(&out.stdout).ok(),
        Err(_) => None,
    };
    ok(
        "Sources",
        html! {
            table {
                caption { "The project's sources (impact.toml)" }
                thead { tr { th scope="col" { "Path" } th scope="col" { "Column map" } th scope="col" { "" } } }
                tbody {
                    @for s in &project.sources {
                        tr {
                            td { code { (s.path) } }
                            td { (s.map.as_deref().unwrap_or("canonical layout")) }
                            td { @if !s.path.contains('*') {
                                a href={ "/file?path=" (urlencode(&s.path)) @if let Some(m) = &s.map { "&map=" (urlencode(m)) } } { "open" }
                            } }
                        }
                    }
                }
            }
            @match (&status, &summary) {
                (Err(e), _) => p.error { (e.to_string()) },
                (Ok(_), Some(v)) => p { "Validation: " (v["records_read"]) " record(s) read, " (v["records_valid"]) " valid." },
                _ => p {},
            }
            h2 { "Add a spreadsheet" }
            p.note { "CSV, Excel (.xlsx), Parquet or JSON, up to " (app.upload_limit / 1024 / 1024) " MB. It is saved in the project's uploads/ folder." }
            form method="post" action="/upload" enctype="multipart/form-data" {
                (token_field(&app))
                label { "File " input type="file" name="file" required; }
                button type="submit" { "Upload" }
            }
        },
    )
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The date forms a map made here can say (`[source] date_format`).
const DATE_FORMATS: [&str; 2] = ["", "%d/%m/%Y"];

const EXTENSIONS: [&str; 9] = ["csv", "tsv", "txt", "xlsx", "xls", "ods", "parquet", "json", "ndjson"];

/// An upload: the token first, then one file, saved under a name made here.
pub async fn upload(
    State(app): State<Arc<App>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let too_big = || {
        Page {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            body: layout("Too large", html! { p.error { "The file is larger than " (app.upload_limit / 1024 / 1024) " MB, the most this server takes (impact serve --max-upload)." } p { "Split it, or save it as Parquet, which is smaller; or run impact validate on it in a terminal." } }),
        }
        .into_response()
    };
    let bad = |what: &str| {
        Page {
            status: StatusCode::BAD_REQUEST,
            body: layout("Not uploaded", html! { p.error { (what) } a href="/sources" { "Back to the sources" } }),
        }
        .into_response()
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(_) => return bad("The form was not sent as a file upload."),
    };
    let mut token_ok = false;
    let mut saved = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_big(),
            Err(_) => return bad("The upload was cut short or malformed."),
        };
        match field.name() {
            Some("token") => token_ok = field.text().await.is_ok_and(|t| t == app.token),
            Some("file") if !token_ok => return refused_token(),
            Some("file") if saved.is_some() => return bad("One file at a time."),
            Some("file") => {
                let given = field.file_name().unwrap_or_default().to_string();
                let ext = std::path::Path::new(&given)
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !EXTENSIONS.contains(&ext.as_str()) {
                    return bad(&format!(
                        "A .{ext} file is not a spreadsheet impactkit reads: upload .csv, .xlsx, .parquet or .json."
                    ));
                }
                let bytes = match field.bytes().await {
                    Ok(b) => b,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_big(),
                    Err(_) => return bad("The upload was cut short."),
                };
                // The name is ours: letters, digits and dashes of the given stem, and a
                // hash of the content, never a path the client chose.
                let stem: String = std::path::Path::new(&given)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("upload")
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
                    .take(40)
                    .collect();
                let name = format!(
                    "uploads/{}-{:08x}.{ext}",
                    stem.trim_matches('-'),
                    xxhash_rust::xxh3::xxh3_64(&bytes) as u32
                );
                let path = app.root.join(&name);
                if let Err(e) = std::fs::create_dir_all(app.root.join("uploads"))
                    .map_err(|e| Error::internal(e.to_string()))
                    .and_then(|()| impactkit::output::write_atomic(&path, &bytes))
                {
                    return failed(&e).into_response();
                }
                saved = Some(name);
            }
            _ => {}
        }
    }
    if !token_ok {
        return refused_token();
    }
    match saved {
        Some(name) => Redirect::to(&format!("/file?path={}", urlencode(&name))).into_response(),
        None => bad("No file was chosen."),
    }
}

fn refused_token() -> Response {
    refused(
        StatusCode::FORBIDDEN,
        "The form's token is missing or out of date.",
        "Reload the page and send the form again.",
    )
}

#[derive(Deserialize)]
pub struct FileQuery {
    path: String,
    map: Option<String>,
    severity: Option<String>,
    /// The sheet and heading row to read, for the preview and the map to be saved.
    sheet: Option<String>,
    header_row: Option<u32>,
}

/// The `[source]` table of a map that reads `sheet` from `header_row`, dates as
/// `date_format` says.
fn source_table(sheet: Option<&str>, header_row: Option<u32>, date_format: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(format) = date_format.filter(|f| DATE_FORMATS.contains(f) && !f.is_empty()) {
        out.push_str(&format!("date_format = \"{format}\"\n"));
    }
    if let Some(sheet) = sheet.filter(|s| !s.is_empty()) {
        out.push_str(&format!("sheet = \"{}\"\n", sheet.replace('\\', "\\\\").replace('"', "\\\"")));
    }
    if let Some(row) = header_row.filter(|r| *r > 1) {
        out.push_str(&format!("header_row = {row}\n"));
    }
    if out.is_empty() {
        out
    } else {
        format!("[source]\n{out}")
    }
}

/// One problem as `impact validate` words it.
#[derive(Clone)]
pub struct Problem {
    error: bool,
    file: String,
    row: Option<u64>,
    column: String,
    value: String,
    message: String,
    hint: String,
}

impl Problem {
    fn of(d: &impactkit::diagnostics::Diagnostic) -> Problem {
        Problem {
            error: d.severity == impactkit::diagnostics::Severity::Error,
            file: d.file.clone(),
            row: d.row,
            column: d.column.clone().unwrap_or_default(),
            value: d.value.clone().unwrap_or_default(),
            message: d.message.clone(),
            hint: d.hint.clone().unwrap_or_default(),
        }
    }
}

/// The problems `impact validate FILE [--map MAP] --format json` finds.
async fn validate(app: &App, q: &FileQuery) -> Result<(Vec<Problem>, String), Page> {
    let bad = || Page {
        status: StatusCode::BAD_REQUEST,
        body: layout("Not in the project", html! { p.error { "Only files inside the project folder can be opened." } }),
    };
    // Paths as the project's, whole: the project's sources are not read when a file is named.
    let file = inside(app, &q.path).ok_or_else(bad)?;
    let mut args = vec!["validate".to_string(), file.display().to_string(), "--format=json".into()];
    if let Some(map) = q.map.as_deref().filter(|m| !m.is_empty()) {
        let map = inside(app, map).ok_or_else(bad)?;
        args.push(format!("--map={}", map.display()));
    }
    match impact(app, args).await {
        Ok(out) => {
            let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let diagnostics = value["diagnostics"].as_array().cloned().unwrap_or_default();
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let parsed = diagnostics.iter().map(|d| Problem {
                error: d["severity"] == "error",
                file: text(&d["file"])
                    .strip_prefix(&format!("{}/", app.root.display()))
                    .map(String::from)
                    .unwrap_or_else(|| text(&d["file"])),
                row: d["row"].as_u64(),
                column: [text(&d["column"]), text(&d["heading"])].join(" ").trim().to_string(),
                value: text(&d["value"]),
                message: text(&d["message"]),
                hint: text(&d["hint"]),
            });
            let summary = format!("{} record(s) read, {} valid", value["records_read"], value["records_valid"]);
            Ok((parsed.collect(), summary))
        }
        Err(Error::Invalid { report }) => Ok((report.diagnostics.iter().map(Problem::of).collect(), report.summary())),
        Err(e) => Ok((
            vec![Problem {
                error: true,
                file: q.path.clone(),
                row: None,
                column: String::new(),
                value: String::new(),
                message: e.to_string(),
                hint: e.hint().unwrap_or_default().to_string(),
            }],
            "the file could not be read".into(),
        )),
    }
}

fn problems_table(problems: &[Problem]) -> Markup {
    html! {
        div.wide { table {
            caption { "Problems" }
            thead { tr { th scope="col" { "" } th scope="col" { "File" } th scope="col" { "Row" } th scope="col" { "Column" } th scope="col" { "Value" } th scope="col" { "What is wrong" } th scope="col" { "What to do" } } }
            tbody { @for d in problems { tr {
                td { (if d.error { "error" } else { "warning" }) }
                td { (d.file) } td.num { (d.row.map(|r| r.to_string()).unwrap_or_default()) }
                td { (d.column) } td { (d.value) } td { (d.message) } td { (d.hint) }
            } } }
        } }
    }
}

/// A file: its first rows as read, its problems (filterable, as CSV), and a form to
/// map its headings.
pub async fn file(State(app): State<Arc<App>>, Query(q): Query<FileQuery>) -> Page {
    let Some(path) = inside(&app, &q.path) else {
        return Page {
            status: StatusCode::BAD_REQUEST,
            body: layout(
                "Not in the project",
                html! { p.error { "Only files inside the project folder can be opened." } },
            ),
        };
    };
    let (diagnostics, summary) = match validate(&app, &q).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let shown: Vec<_> = diagnostics
        .iter()
        .filter(|d| match q.severity.as_deref() {
            Some("error") => d.error,
            Some("warning") => !d.error,
            _ => true,
        })
        .cloned()
        .collect();
    // The preview reads the sheet and heading row asked for, through a map of just that.
    // A workbook's sheets, to choose from.
    let sheets = match impactkit::data::read::Format::of(&path) {
        Ok(impactkit::data::read::Format::Excel) => impactkit::data::read::sheet_names(&path).unwrap_or_default(),
        _ => Vec::new(),
    };
    // With a map, the map's sheet and heading row; else those asked for.
    let source = source_table(q.sheet.as_deref(), q.header_row, None);
    let saved_map = q.map.as_deref().and_then(|m| inside(&app, m));
    let mapped = saved_map.is_some();
    let preview = tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().ok()?;
        let map = if let Some(file) = saved_map {
            let library = crate::cli::load_library(&crate::cli::library_dir(None), None, None).ok()?;
            let mut map = impactkit::data::ColumnMap::load(&file, &library).ok()?;
            // Its headings as they stand in the file, not yet renamed.
            let text = std::fs::read_to_string(&file).ok()?;
            let source: String =
                text.split("\n[").find(|t| t.starts_with("source]")).map(|t| format!("[{t}\n")).unwrap_or_default();
            let plain = dir.path().join("source.toml");
            std::fs::write(&plain, source).ok()?;
            map = impactkit::data::ColumnMap::load(&plain, &library).unwrap_or(map);
            Some(map)
        } else if source.is_empty() {
            None
        } else {
            let file = dir.path().join("map.toml");
            std::fs::write(&file, &source).ok()?;
            let library = crate::cli::load_library(&crate::cli::library_dir(None), None, None).ok()?;
            Some(impactkit::data::ColumnMap::load(&file, &library).ok()?)
        };
        impactkit::data::read::read_table(&path, map.as_ref()).ok()
    })
    .await
    .ok()
    .flatten();
    let headings: Vec<String> = preview
        .as_ref()
        .map(|t| {
            t.df.get_column_names()
                .iter()
                .map(|n| n.to_string())
                .filter(|n| n != impactkit::data::schema::ROW)
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = preview
        .as_ref()
        .map(|t| {
            (0..t.df.height().min(5))
                .map(|i| {
                    headings
                        .iter()
                        .map(|h| {
                            t.df.column(h)
                                .ok()
                                .and_then(|c| c.get(i).ok())
                                .filter(|v| !v.is_null())
                                .map(|v| v.to_string().trim_matches('"').to_string())
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    let ids = indicator_ids(&app).await;
    let csv_link = format!(
        "/problems.csv?path={}{}",
        urlencode(&q.path),
        q.map.as_deref().map(|m| format!("&map={}", urlencode(m))).unwrap_or_default()
    );
    ok(
        &q.path,
        html! {
            p { (summary) }
            @if !mapped {
                form method="get" action="/file" {
                    input type="hidden" name="path" value=(q.path);
                    @if sheets.is_empty() {
                        label { "Sheet " input name="sheet" size="16" value=(q.sheet.clone().unwrap_or_default()); }
                    } @else {
                        label { "Sheet " select name="sheet" { @for name in &sheets { option value=(name) selected[q.sheet.as_deref() == Some(name.as_str())] { (name) } } } }
                    }
                    label { "Headings in row " input name="header_row" size="3" value=(q.header_row.unwrap_or(1)); }
                    button type="submit" { "Read it so" }
                }
            }
            @if !headings.is_empty() {
                h2 { "First rows" }
                div.wide { table { caption { @if mapped { "As read from its map's sheet and heading row" } @else { "As read, before any column map" } }
                    thead { tr { @for h in &headings { th scope="col" { (h) } } } }
                    tbody { @for r in &rows { tr { @for v in r { td { (v) } } } } }
                } }
            }
            h2 { "Problems" }
            form method="get" action="/file" {
                input type="hidden" name="path" value=(q.path);
                @if let Some(m) = &q.map { input type="hidden" name="map" value=(m); }
                label { "Show " select name="severity" {
                    option value="" { "errors and warnings" }
                    option value="error" selected[q.severity.as_deref() == Some("error")] { "errors" }
                    option value="warning" selected[q.severity.as_deref() == Some("warning")] { "warnings" }
                } }
                button type="submit" { "Filter" }
                " " a href=(csv_link) { "Download as CSV" }
            }
            @if shown.is_empty() { p { "No problems." } } @else { (problems_table(&shown)) }
            @if !headings.is_empty() {
                h2 { "Map its headings" }
                p.note { "Say what each heading holds: a column of the records, or an indicator whose values it holds (a wide sheet). Saving writes a column map into maps/ and adds the file to impact.toml's sources." }
                form method="post" action="/map" {
                    (token_field(&app))
                    input type="hidden" name="path" value=(q.path);
                    input type="hidden" name="sheet" value=(q.sheet.clone().unwrap_or_default());
                    input type="hidden" name="header_row" value=(q.header_row.unwrap_or(1));
                    table { caption { "Headings" } thead { tr { th scope="col" { "Heading" } th scope="col" { "Holds" } } } tbody {
                        @for (k, h) in headings.iter().enumerate() {
                            tr { th scope="row" { label for={ "h" (k) } { (h) } } td {
                                input type="hidden" name={ "heading" (k) } value=(h);
                                select id={ "h" (k) } name={ "holds" (k) } {
                                    option value="" { "— leave out —" }
                                    @for f in impactkit::data::schema::FIELDS { option value={ "column:" (f.name) } selected[f.name == h.as_str()] { "column " (f.name) } }
                                    @for id in &ids { option value={ "indicator:" (id) } { "indicator " (id) } }
                                }
                            } }
                        }
                    } }
                    p {
                        label { "Rows to leave out, starting with (comma-separated) " input name="skip_rows" size="20" placeholder="Total, Note"; }
                        label { "Programme of every record, where the sheet has none " input name="programme" size="10"; }
                    }
                    label { "Dates are written " select name="date_format" {
                        option value="" { "2025-03-31 (or as date cells)" }
                        option value="%d/%m/%Y" { "31/03/2025 (day first)" }
                    } }
                    button type="submit" { "Save the map and add the source" }
                }
            }
        },
    )
}

pub async fn problems_csv(State(app): State<Arc<App>>, Query(q): Query<FileQuery>) -> Response {
    let (diagnostics, _) = match validate(&app, &q).await {
        Ok(v) => v,
        Err(page) => return page.into_response(),
    };
    // Quoted, and a cell that a spreadsheet would run as a formula shown as text (as
    // every table impactkit writes does).
    let quote = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("severity,file,row,column,value,message,hint\n");
    for d in &diagnostics {
        let severity = if d.error { "error" } else { "warning" };
        out.push_str(&format!(
            "{severity},{},{},{},{},{},{}\n",
            quote(&d.file),
            d.row.map(|r| r.to_string()).unwrap_or_default(),
            quote(&d.column),
            quote(&d.value),
            quote(&d.message),
            quote(&d.hint)
        ));
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"problems.csv\""),
        ],
        out,
    )
        .into_response()
}

/// The mapping form saved: `maps/STEM.toml`, and the file added to the sources.
pub async fn save_map(State(app): State<Arc<App>>, Form(form): Form<BTreeMap<String, String>>) -> Response {
    if form.get("token") != Some(&app.token) {
        return refused_token();
    }
    let refuse = |what: String| {
        Page {
            status: StatusCode::BAD_REQUEST,
            body: layout("Not saved", html! { p.error { (what) } a href="/sources" { "Back to the sources" } }),
        }
        .into_response()
    };
    // A spreadsheet inside the project, not a folder or the project's own files.
    let Some(path) = form.get("path").cloned() else { return refuse("No file was named.".into()) };
    let spreadsheet = inside(&app, &path).is_some_and(|full| {
        full.is_file()
            && full
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    });
    if !spreadsheet {
        return refuse("Only a spreadsheet inside the project folder can be mapped.".into());
    }
    // Each heading to a column of the records or an indicator of the library: nothing
    // else reaches the map.
    let ids = indicator_ids(&app).await;
    let (mut columns, mut wide) = (toml::Table::new(), toml::Table::new());
    for k in 0.. {
        let (Some(heading), Some(holds)) = (form.get(&format!("heading{k}")), form.get(&format!("holds{k}"))) else {
            break;
        };
        if let Some(column) = holds.strip_prefix("column:") {
            if !impactkit::data::schema::FIELDS.iter().any(|f| f.name == column) {
                return refuse(format!("{column} is not a column of the records."));
            }
            if columns.insert(column.to_string(), toml::Value::String(heading.clone())).is_some() {
                return refuse(format!("Two headings hold the column {column}: choose one."));
            }
        } else if let Some(id) = holds.strip_prefix("indicator:") {
            if !ids.iter().any(|i| i == id) {
                return refuse(format!("{id} is not an indicator of the library."));
            }
            wide.insert(heading.clone(), toml::Value::String(id.to_string()));
        }
    }
    let mut source = toml::Table::new();
    if let Some(sheet) = form.get("sheet").filter(|s| !s.is_empty()) {
        source.insert("sheet".into(), toml::Value::String(sheet.clone()));
    }
    if let Some(row) = form.get("header_row").and_then(|r| r.parse::<i64>().ok()).filter(|r| *r > 1) {
        source.insert("header_row".into(), toml::Value::Integer(row));
    }
    if let Some(format) = form.get("date_format").filter(|f| !f.is_empty() && DATE_FORMATS.contains(&f.as_str())) {
        source.insert("date_format".into(), toml::Value::String(format.clone()));
    }
    // Rows that are not records (a total, a note), told by how their first cell starts.
    let skip: Vec<toml::Value> = form
        .get("skip_rows")
        .map(|v| {
            v.split(',').map(str::trim).filter(|w| !w.is_empty()).map(|w| toml::Value::String(w.to_string())).collect()
        })
        .unwrap_or_default();
    if !skip.is_empty() {
        source.insert("skip_rows_starting_with".into(), toml::Value::Array(skip));
    }
    let mut map = toml::Table::new();
    if !source.is_empty() {
        map.insert("source".into(), toml::Value::Table(source));
    }
    map.insert("columns".into(), toml::Value::Table(columns));
    if !wide.is_empty() {
        map.insert("wide".into(), toml::Value::Table(wide));
    }
    // One programme for every record, where the sheet names none.
    if let Some(programme) = form.get("programme").map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !programme.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return refuse(format!("{programme} is not a programme id."));
        }
        let mut constants = toml::Table::new();
        constants.insert("programme".into(), toml::Value::String(programme.to_string()));
        map.insert("constants".into(), toml::Value::Table(constants));
    }
    let Ok(map_text) = toml::to_string(&map) else { return refuse("The map could not be written.".into()) };
    // A map of its own for each file: the stem and a hash of the whole path.
    let stem: String = std::path::Path::new(&path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("upload")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    let map_name = format!("maps/{stem}-{:08x}.toml", xxhash_rust::xxh3::xxh3_64(path.as_bytes()) as u32);
    let project_file = app.root.join(impactkit::project::FILE_NAME);
    let saved = (|| -> Result<(), Error> {
        // The map is checked as every command will read it before anything is written.
        let check = tempfile::tempdir().map_err(|e| Error::internal(e.to_string()))?;
        std::fs::write(check.path().join("map.toml"), &map_text).map_err(|e| Error::internal(e.to_string()))?;
        let library = crate::cli::load_library(&crate::cli::library_dir(None), None, None)?;
        impactkit::data::ColumnMap::load(&check.path().join("map.toml"), &library)?;
        std::fs::create_dir_all(app.root.join("maps")).map_err(|e| Error::internal(e.to_string()))?;
        let header = "# Column map made with impact serve.\n\n";
        impactkit::output::write_atomic(&app.root.join(&map_name), format!("{header}{map_text}").as_bytes())?;
        let project = impactkit::project::Project::load(&project_file)?;
        if !project.sources.iter().any(|s| s.path == path) {
            let mut text =
                std::fs::read_to_string(&project_file).map_err(|e| Error::read(&project_file, e.to_string()))?;
            let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
            text.push_str(&format!("\n[[source]]\npath = {}\nmap = {}\n", quoted(&path), quoted(&map_name)));
            impactkit::output::write_atomic(&project_file, text.as_bytes())?;
        }
        Ok(())
    })();
    match saved {
        Ok(()) => {
            Redirect::to(&format!("/file?path={}&map={}", urlencode(&path), urlencode(&map_name))).into_response()
        }
        Err(e) => failed(&e).into_response(),
    }
}

/// The indicator ids of the project's library (as `impact indicators list` gives them),
/// for the pickers.
async fn indicator_ids(app: &App) -> Vec<String> {
    let listed = impact(app, vec!["indicators".into(), "list".into()]).await.map(|o| stdout(&o)).unwrap_or_default();
    let is_id = |w: &&str| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    listed.lines().skip(1).filter_map(|l| l.split_whitespace().next()).filter(is_id).map(String::from).collect()
}

#[derive(Deserialize)]
pub struct TokenOnly {
    token: String,
}

/// `impact init` in the served folder, from the page.
pub async fn init(State(app): State<Arc<App>>, Form(form): Form<TokenOnly>) -> Response {
    if form.token != app.token {
        return refused_token();
    }
    if app.root.join(impactkit::project::FILE_NAME).exists() {
        return Redirect::to("/").into_response();
    }
    match impact(&app, vec!["init".into(), app.root.display().to_string()]).await {
        Ok(_) => Redirect::to("/sources").into_response(),
        Err(e) => failed(&e).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct FiguresQuery {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    period: String,
    /// Only this programme.
    #[serde(default)]
    programme: String,
    /// "1": beside each period's figure, its figure to date (`--to-date`).
    #[serde(default)]
    to_date: String,
    #[serde(default)]
    format: String,
}

impl FiguresQuery {
    /// Figures to date asked for, with a period to run them over.
    fn wants_to_date(&self) -> bool {
        self.to_date == "1" && PERIODS.contains(&self.period.as_str())
    }
}

const BREAKDOWNS: [&str; 7] =
    ["organisation", "programme", "area", "beneficiary_group", "gender", "age_band", "simd_decile"];
const PERIODS: [&str; 5] = ["financial_year", "financial_quarter", "year", "quarter", "month"];

fn aggregate_args(q: &FiguresQuery) -> Vec<String> {
    let mut by: Vec<&str> = q.by.split(',').filter(|b| BREAKDOWNS.contains(b)).collect();
    if PERIODS.contains(&q.period.as_str()) {
        by.push(&q.period);
    }
    let mut args = vec!["aggregate".to_string(), "--by".into(), by.join(",")];
    if !q.indicator.is_empty() {
        // `--flag=value` in one argument: a value is never read as a flag of its own.
        args.push(format!("--indicator={}", q.indicator));
    }
    if !q.programme.is_empty() {
        args.push(format!("--programme={}", q.programme));
    }
    if q.wants_to_date() {
        args.push("--to-date".into());
    }
    args
}

/// Figures by any breakdown and period, withheld as `impact aggregate` withholds; the
/// query is in the address, so a view can be bookmarked.
pub async fn figures(State(app): State<Arc<App>>, Query(q): Query<FiguresQuery>) -> Page {
    let mut args = aggregate_args(&q);
    args.extend(["--format".into(), "csv".into()]);
    let result = impact(&app, args).await;
    let ids = indicator_ids(&app).await;
    let query = format!(
        "indicator={}&by={}&period={}&programme={}&to_date={}",
        urlencode(&q.indicator),
        urlencode(&q.by),
        urlencode(&q.period),
        urlencode(&q.programme),
        urlencode(&q.to_date)
    );
    ok(
        "Figures",
        html! {
            form method="get" action="/figures" {
                label { "Indicator " select name="indicator" { option value="" { "all" } @for id in &ids { option value=(id) selected[*id == q.indicator] { (id) } } } }
                label { "By " select name="by" { option value="" { "nothing (one total)" } @for b in BREAKDOWNS { option value=(b) selected[b == q.by] { (b) } } } }
                label { "Programme " input name="programme" size="10" value=(q.programme); }
                label { "Period " select name="period" { option value="" { "the whole span" } @for p in PERIODS { option value=(p) selected[p == q.period] { (p) } } } }
                label { input type="checkbox" name="to_date" value="1" checked[q.to_date == "1"]; " and to date (every record up to each period's end; the chart shows these)" }
                button type="submit" { "Show" }
            }
            @if q.to_date == "1" && !q.wants_to_date() { p.note { "Figures to date run over periods: choose a period." } }
            p { "Download: "
                a href={ "/figures/download?" (query) "&format=csv" } { "CSV" } " · "
                a href={ "/figures/download?" (query) "&format=xlsx" } { "Excel" } " · "
                a href={ "/figures/download?" (query) "&format=parquet" } { "Parquet" } }
            @match &result {
                Ok(out) => {
                    @if let Some(chart) = figures_chart(&app, &q, &stdout(out)) { figure { (maud::PreEscaped(chart)) } }
                    (table(&stdout(out), "Figures, as impact aggregate gives them (withheld counts marked)"))
                }
                Err(e) => p.error { (e.to_string()) },
            }
        },
    )
}

/// The figures of one indicator as the reports' chart: over the periods (a line per
/// breakdown value), or over the breakdown's values; withheld figures marked as the
/// table marks them.
fn figures_chart(app: &App, q: &FiguresQuery, csv: &str) -> Option<String> {
    // One indicator's figures, in one unit.
    if q.indicator.is_empty() || q.indicator.contains(',') {
        return None;
    }
    let rows = csv_rows(csv);
    let (head, body) = rows.split_first().filter(|(_, body)| !body.is_empty())?;
    let at = |name: &str| head.iter().position(|h| h == name);
    // Figures to date, where asked for, are the ones charted.
    let to_date = q.wants_to_date();
    let named = |period: &'static str, to_date_name: &'static str| if to_date { to_date_name } else { period };
    let (value, unit, withheld) =
        (at(named("value", "to_date"))?, at("unit")?, at(named("withheld", "to_date_withheld"))?);
    let by = (!q.by.is_empty()).then(|| at(&q.by)).flatten();
    let period = (!q.period.is_empty()).then(|| at(&q.period)).flatten();
    let (category, series_key) = match (period, by) {
        (Some(p), b) => (p, b),
        (None, Some(b)) => (b, None),
        (None, None) => return None,
    };
    if body.iter().any(|r| r.len() != head.len()) {
        return None;
    }
    let mut categories: Vec<String> = body.iter().map(|r| r[category].clone()).collect();
    categories.sort();
    categories.dedup();
    let mut names: Vec<String> =
        body.iter().map(|r| series_key.map_or_else(|| q.indicator.clone(), |k| r[k].clone())).collect();
    names.sort();
    names.dedup();
    let threshold = impactkit::project::Project::load(&app.root.join(impactkit::project::FILE_NAME))
        .ok()
        .and_then(|p| p.defaults.suppress_below)
        .unwrap_or(5);
    let mut series: Vec<(String, Vec<Option<f64>>)> =
        names.iter().map(|n| (n.clone(), vec![None; categories.len()])).collect();
    let mut marks = Vec::new();
    for r in body {
        let k = names.iter().position(|n| *n == series_key.map_or_else(|| q.indicator.clone(), |s| r[s].clone()))?;
        let i = categories.iter().position(|c| *c == r[category])?;
        series[k].1[i] = r[value].parse().ok();
        if !r[withheld].is_empty() {
            marks.push((k, i, impactkit::privacy::Withheld::from_word(&r[withheld]).mark(threshold)));
        }
    }
    // One line or set of bars: its targets beside it, where the figures have any.
    let target = match (names.len(), at(named("target", "target_to_date"))) {
        (1, Some(t)) if body.iter().any(|r| !r[t].is_empty()) => {
            let mut values = vec![None; categories.len()];
            for r in body {
                if let Some(i) = categories.iter().position(|c| *c == r[category]) {
                    values[i] = r[t].parse().ok();
                }
            }
            Some(values)
        }
        _ => None,
    };
    let unit = body.first().map(|r| r[unit].clone()).unwrap_or_default();
    let title = match series_key {
        Some(_) => format!("{} by {} and {}", q.indicator, q.by, q.period),
        None if period.is_some() => format!("{} by {}", q.indicator, q.period),
        None => format!("{} by {}", q.indicator, q.by),
    } + if to_date { ", to date" } else { "" };
    let lines = period.is_some() && target.is_none();
    impactkit::report::chart_svg(&title, categories, series, &unit, marks, lines, target).ok()
}

pub async fn figures_download(State(app): State<Arc<App>>, Query(q): Query<FiguresQuery>) -> Response {
    let ext = match q.format.as_str() {
        "xlsx" | "parquet" | "csv" => q.format.clone(),
        _ => {
            return Page {
                status: StatusCode::BAD_REQUEST,
                body: layout("No such format", html! { p.error { "Download as csv, xlsx or parquet." } }),
            }
            .into_response()
        }
    };
    let Ok(dir) = tempfile::tempdir() else { return failed(&Error::internal("no temporary folder")).into_response() };
    let out = dir.path().join(format!("figures.{ext}"));
    let mut args = aggregate_args(&q);
    args.extend(["--out".into(), out.display().to_string()]);
    match impact(&app, args).await.and_then(|_| std::fs::read(&out).map_err(|e| Error::read(&out, e.to_string()))) {
        Ok(bytes) => {
            let kind = match ext.as_str() {
                "csv" => "text/csv",
                "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                _ => "application/octet-stream",
            };
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"figures.{ext}\"")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => failed(&e).into_response(),
    }
}

pub async fn reports(State(app): State<Arc<App>>) -> Page {
    let project = impactkit::project::Project::load(&app.root.join(impactkit::project::FILE_NAME)).ok();
    ok(
        "Reports",
        html! {
            form method="post" action="/reports/make" {
                (token_field(&app))
                label { "Spec " select name="spec" {
                    @for s in impactkit::builtin::spec_names() { option value=(s) { (s) " (built in)" } }
                    @for s in project_specs(&app) { option value=(s) { (s) } }
                } }
                label { "Subject (organisation or programme id, empty for a report about everything) " input name="subject" size="12"; }
                label { "Or one for each " select name="each" {
                    option value="" { "— one report —" }
                    option value="organisation" { "organisation (a zip)" }
                    option value="programme" { "programme (a zip)" }
                } }
                label { "As " select name="format" { option value="pdf" { "PDF" } option value="html" { "HTML page" } } }
                label { input type="checkbox" name="skip_invalid" value="1"; " leave out invalid records (they are counted as rejected in the data quality section)" }
                button type="submit" { "Make the report" }
                " "
                button type="submit" name="preview" value="1" { "Preview its pages" }
            }
            @if let Some(p) = &project {
                h2 { "Releases" }
                @if p.releases.is_empty() { p.note { "No [[release]] in impact.toml." } }
                @for r in &p.releases {
                    form method="post" action="/reports/release" {
                        (token_field(&app))
                        input type="hidden" name="name" value=(r.name);
                        (r.name) ": " (r.documents.len()) " document(s), protected together and audited, into " code { (r.out_dir.display()) } " "
                        button type="submit" { "Make the release" }
                    }
                }
            }
        },
    )
}

/// The project's own report specs (`reports/*.toml`), as paths inside it.
fn project_specs(app: &App) -> Vec<String> {
    let mut specs: Vec<String> = std::fs::read_dir(app.root.join("reports"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
                .map(|n| format!("reports/{n}"))
                .collect()
        })
        .unwrap_or_default();
    specs.sort();
    specs
}

#[derive(Deserialize)]
pub struct MakeRelease {
    token: String,
    name: String,
}

/// A release of the project made (`impact release NAME`): what it wrote and its audit.
pub async fn make_release(State(app): State<Arc<App>>, Form(form): Form<MakeRelease>) -> Response {
    if form.token != app.token {
        return refused_token();
    }
    let known = impactkit::project::Project::load(&app.root.join(impactkit::project::FILE_NAME))
        .map(|p| p.releases.iter().any(|r| r.name == form.name))
        .unwrap_or(false);
    if !known {
        return Page {
            status: StatusCode::BAD_REQUEST,
            body: layout("No such release", html! { p.error { "Choose one of the project's releases." } }),
        }
        .into_response();
    }
    match impact(&app, vec!["release".into(), form.name.clone()]).await {
        Ok(out) => {
            ok("Release made", html! { pre { (stdout(&out)) } p { a href="/reports" { "Back to the reports" } } })
                .into_response()
        }
        Err(e) => failed(&e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct MakeReport {
    token: String,
    spec: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    skip_invalid: Option<String>,
    /// `organisation` or `programme`: one report each, as a zip.
    #[serde(default)]
    each: Option<String>,
    /// Show the pages as pictures instead of downloading the file.
    #[serde(default)]
    preview: Option<String>,
}

/// One report, made into a folder of its own (two at once never meet) and sent back.
pub async fn make_report(State(app): State<Arc<App>>, Form(form): Form<MakeReport>) -> Response {
    if form.token != app.token {
        return refused_token();
    }
    if !impactkit::builtin::spec_names().contains(&form.spec.as_str()) && !project_specs(&app).contains(&form.spec) {
        return Page {
            status: StatusCode::BAD_REQUEST,
            body: layout("No such spec", html! { p.error { "Choose one of the specs offered." } }),
        }
        .into_response();
    }
    let ext = if form.format == "html" { "html" } else { "pdf" };
    let Ok(dir) = tempfile::tempdir() else { return failed(&Error::internal("no temporary folder")).into_response() };
    let subject: String =
        form.subject.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    let stem = std::path::Path::new(&form.spec).file_stem().and_then(|s| s.to_str()).unwrap_or("report").to_string();
    let name = if subject.is_empty() { format!("{stem}.{ext}") } else { format!("{stem}-{subject}.{ext}") };
    let out = dir.path().join(&name);
    let spec =
        if form.spec.ends_with(".toml") { app.root.join(&form.spec).display().to_string() } else { form.spec.clone() };
    let mut args = vec!["report".to_string(), spec, "--out".into(), out.display().to_string()];
    if form.skip_invalid.is_some() {
        args.push("--skip-invalid".into());
    }
    // One per organisation or programme: the batch's folder as one zip.
    if let Some(each) = form.each.as_deref().filter(|e| matches!(*e, "organisation" | "programme")) {
        let folder = dir.path().join(&stem);
        args.truncate(2);
        args.extend([
            "--each".into(),
            each.into(),
            "--out-dir".into(),
            folder.display().to_string(),
            "--format".into(),
            ext.into(),
        ]);
        if form.skip_invalid.is_some() {
            args.push("--skip-invalid".into());
        }
        // A batch is a job: made in the background while its page counts the reports
        // written so far, then offered as one zip.
        let id = {
            let mut jobs = app.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // The finished batches beyond the latest twenty give their folders back.
            let mut finished: Vec<u64> =
                jobs.iter().filter(|(_, j)| j.done.is_some()).filter_map(|(k, _)| k.parse().ok()).collect();
            finished.sort_unstable();
            for old in finished.iter().rev().skip(20) {
                jobs.remove(&old.to_string());
            }
            let next = app.next_job.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let id = format!("{next}");
            jobs.insert(
                id.clone(),
                super::Job {
                    _dir: dir,
                    folder,
                    name: format!("{stem}-each-{each}.zip"),
                    ext: ext.to_string(),
                    done: None,
                },
            );
            id
        };
        let (job_app, job_id) = (app.clone(), id.clone());
        tokio::spawn(async move {
            let result =
                impact(&job_app, args).await.map(|_| ()).map_err(|e| (e.to_string(), e.hint().map(String::from)));
            if let Some(job) = job_app.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_mut(&job_id) {
                job.done = Some(result);
            }
        });
        return Redirect::to(&format!("/reports/job?id={id}")).into_response();
    }
    if !subject.is_empty() {
        args.push(format!("--subject={subject}"));
    }
    if form.preview.is_some() {
        let pictures = dir.path().join("pages");
        args.push(format!("--pages-dir={}", pictures.display()));
        return match impact(&app, args).await.and_then(|_| page_pictures(&pictures)) {
            Ok(pages) => ok(
                &format!("Preview: {name}"),
                html! {
                    p { (pages.len()) " page(s), as the PDF lays them out. Make the report (without preview) to download it." }
                    div.pages { @for page in &pages { (maud::PreEscaped(page)) } }
                    p { a href="/reports" { "Back to the reports" } }
                },
            )
            .into_response(),
            Err(e) => failed(&e).into_response(),
        };
    }
    match impact(&app, args).await.and_then(|_| std::fs::read(&out).map_err(|e| Error::read(&out, e.to_string()))) {
        Ok(bytes) => {
            let kind = if ext == "html" { "text/html; charset=utf-8" } else { "application/pdf" };
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => failed(&e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct JobQuery {
    id: String,
}

/// A batch's page: how many reports are written so far (the page reloads itself each
/// second, no script), then the zip to download.
pub async fn job(State(app): State<Arc<App>>, Query(q): Query<JobQuery>) -> Response {
    let jobs = app.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(job) = jobs.get(&q.id) else { return not_found_page() };
    let written = std::fs::read_dir(&job.folder)
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.path().extension().is_some_and(|x| *x == *job.ext)).count())
        .unwrap_or(0);
    match &job.done {
        None => {
            let body = html! {
                (DOCTYPE)
                html lang="en-GB" {
                    head {
                        meta charset="utf-8";
                        meta http-equiv="refresh" content="1";
                        title { "Making the reports — impactkit" }
                        link rel="stylesheet" href="/style.css";
                    }
                    body { main { h1 { "Making the reports" } p role="status" { (written) " report(s) written so far…" } } }
                }
            };
            Page { status: StatusCode::OK, body }.into_response()
        }
        Some(Ok(())) => ok(
            "The reports are made",
            html! {
                p role="status" { (written) " report(s) made." }
                p { a href={ "/reports/job/zip?id=" (q.id) } { "Download them as one zip (" (job.name) ")" } }
                p { a href="/reports" { "Back to the reports" } }
            },
        )
        .into_response(),
        Some(Err((error, hint))) => Page {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: layout(
                "The reports could not be made",
                html! { p.error { "error: " (error) } @if let Some(h) = hint { p { "hint: " (h) } } },
            ),
        }
        .into_response(),
    }
}

pub async fn job_zip(State(app): State<Arc<App>>, Query(q): Query<JobQuery>) -> Response {
    let (folder, name) = {
        let jobs = app.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match jobs.get(&q.id) {
            Some(job) if matches!(job.done, Some(Ok(()))) => (job.folder.clone(), job.name.clone()),
            _ => return not_found_page(),
        }
    };
    match zip_folder(&folder) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => failed(&e).into_response(),
    }
}

fn not_found_page() -> Response {
    Page {
        status: StatusCode::NOT_FOUND,
        body: layout("Not found", html! { p { "There is no such batch." } a href="/reports" { "The reports" } }),
    }
    .into_response()
}

/// The page pictures `--pages-dir` wrote (one subject's folder), in page order.
fn page_pictures(dir: &std::path::Path) -> Result<Vec<String>, Error> {
    let folder = std::fs::read_dir(dir)
        .map_err(|e| Error::read(dir, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| dir.to_path_buf());
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| Error::read(&folder, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).map_err(|e| Error::read(f, e.to_string()))).collect()
}

/// The files of a batch's folder (its reports, not its figures) as one zip, in name order.
fn zip_folder(folder: &std::path::Path) -> Result<Vec<u8>, Error> {
    use std::io::Write as _;
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| Error::read(folder, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Already-deflated PDFs are stored; HTML is deflated.
    for path in names {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("report").to_string();
        let method =
            if name.ends_with(".pdf") { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        let bytes = std::fs::read(&path).map_err(|e| Error::read(&path, e.to_string()))?;
        zip.start_file(name, options).map_err(|e| Error::internal(format!("zip: {e}")))?;
        zip.write_all(&bytes).map_err(|e| Error::internal(format!("zip: {e}")))?;
    }
    let cursor = zip.finish().map_err(|e| Error::internal(format!("zip: {e}")))?;
    Ok(cursor.into_inner())
}

async fn command_page(app: &App, title: &str, runs: &[(&str, Vec<&str>)]) -> Page {
    let mut parts = Vec::new();
    for (caption, args) in runs {
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.extend(["--format".into(), "csv".into()]);
        parts.push(match impact(app, args).await {
            Ok(out) => html! { h2 { (caption) } (table(&stdout(&out), caption)) },
            Err(e) => {
                html! { h2 { (caption) } p.error { (e.to_string()) } @if let Some(h) = e.hint() { p { "hint: " (h) } } }
            }
        });
    }
    ok(title, html! { @for p in &parts { (p) } })
}

pub async fn value(State(app): State<Arc<App>>) -> Page {
    command_page(
        &app,
        "Social value",
        &[
            ("SROI by programme", vec!["value"]),
            ("Sensitivity", vec!["value", "--sensitivity"]),
            ("Impact map", vec!["value", "--impact-map"]),
        ],
    )
    .await
}

pub async fn commitments(State(app): State<Arc<App>>) -> Page {
    command_page(&app, "Commitments", &[("Commitments register", vec!["commitments"])]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_read_quotes_commas_and_doubled_quotes() {
        assert_eq!(csv_rows("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n"), vec![vec!["a", "b"], vec!["x, y", "say \"hi\""]]);
        assert_eq!(urlencode("uploads/a b.csv"), "uploads/a%20b.csv");
    }
}
