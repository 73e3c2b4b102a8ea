//! `impact serve`, spoken to over HTTP as a browser would: every page, and every way a
//! request is refused (another Host, another site, no form token, an upload too large
//! or of the wrong kind, a path outside the project), two reports made at once, and the
//! pages showing what the command line shows.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

/// A server on a free port over a folder (a copy of the sample project); stopped when
/// dropped (before its folder goes).
pub(crate) struct Server {
    _serving: crate::shared::Serving,
    pub(crate) port: u16,
    pub(crate) dir: tempfile::TempDir,
}

fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    crate::util::sample_project(dir.path());
    serve_in(dir, extra)
}

/// `impact serve` over the folder `dir` on a free port.
pub(crate) fn serve_in(dir: tempfile::TempDir, extra: &[&str]) -> Server {
    let serving = crate::shared::Serving::start(dir.path(), extra);
    Server { port: serving.port, _serving: serving, dir }
}

/// An answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn send(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
        let headers = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        let status = headers.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
        let mut body = raw[split + 4..].to_vec();
        if headers.contains("transfer-encoding: chunked") {
            body = unchunk(&body);
        }
        Answer { status, headers, body }
    }

    fn get(&self, path: &str) -> Answer {
        self.send("GET", path, &[], b"")
    }

    /// The form token a page carries.
    fn token(&self) -> String {
        let page = self.get("/sources").text();
        page.split("name=\"token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    }

    fn post_form(&self, path: &str, fields: &[(&str, &str)], extra: &[(&str, String)]) -> Answer {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded".to_string())];
        headers.extend(extra.iter().cloned());
        self.send("POST", path, &headers, body.join("&").as_bytes())
    }

    fn upload(&self, token: &str, name: &str, content: &[u8]) -> Answer {
        let boundary = "XyZboundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{token}\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let headers = [
            ("Content-Type", format!("multipart/form-data; boundary={boundary}")),
            ("Sec-Fetch-Site", "same-origin".to_string()),
        ];
        self.send("POST", "/upload", &headers, &body)
    }
}

fn unchunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(end) = body[at..].windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&body[at..at + end]).unwrap().trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = at + end + 2;
        out.extend_from_slice(&body[start..start + size]);
        at = start + size + 2;
    }
    out
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn every_page_shows_what_the_command_line_shows() {
    let server = start(&[]);
    for (path, expect) in [
        ("/", "2024-25"),
        ("/sources", "outcomes.csv"),
        ("/reports", "board"),
        ("/value", "SROI by programme"),
        ("/commitments", "CBC-CIVIC-01"),
        ("/file?path=outcomes.csv", "No problems."),
    ] {
        let answer = server.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        assert!(answer.text().contains(expect), "{path} lacks {expect}");
        assert!(answer.text().starts_with("<!DOCTYPE html>"), "{path}");
        assert!(answer.headers.contains("x-content-type-options: nosniff"), "{path}");
        assert!(answer.headers.contains("content-security-policy: default-src 'none'"), "{path}");
        assert!(!answer.headers.contains("access-control-allow-origin"), "no CORS");
    }
    assert_eq!(server.get("/no-such-page").status, 404);
    // The figures page is `impact aggregate`'s table: each row of the command's CSV is
    // a row of the page.
    let page = server.get("/figures?indicator=jobs_created&by=programme&period=financial_year").text();
    let cli = crate::util::impact_in(
        server.dir.path(),
        &["aggregate", "--by", "programme,financial_year", "--indicator", "jobs_created", "--format", "csv"],
    )
    .ok()
    .stdout;
    for row in cli.lines().skip(1) {
        // Figures as the terminal's table shows them (34.0 as 34, 18.888889 as 18.89).
        let shown = |c: &str| match c.parse::<f64>() {
            Ok(x) if c.contains('.') => impactkit::output::format_figure(x),
            _ => c.to_string(),
        };
        let cells: Vec<String> =
            row.split(',').filter(|c| !c.is_empty()).map(|c| format!(">{}</td>", shown(c))).collect();
        assert!(cells.iter().all(|c| page.contains(c.as_str())), "{row} is not on the page");
    }
    // One programme's job starts by year against its targets: columns beside outlines.
    let targets =
        server.get("/figures?indicator=jobs_created&by=programme&period=financial_year&programme=EMP-FWD").text();
    assert!(
        targets.contains("Values in jobs. 2022-23: 34, target 180; 2023-24: 112, target 200; 2024-25: 98, target 220."),
        "{targets}"
    );
    assert!(!targets.contains("<option value=\"72\">"), "only indicator ids are offered");
    // With a period, the reports' chart of them, named and described in words.
    let charted = server.get("/figures?indicator=jobs_created&by=programme&period=financial_year").text();
    assert!(
        charted.contains("role=\"img\"")
            && charted
                .contains("<desc id=\"figures-chart-desc\">Line chart: jobs_created by programme and financial_year."),
        "a chart"
    );
    let download = server.get("/figures/download?indicator=jobs_created&by=programme&period=financial_year&format=csv");
    assert_eq!(download.text(), cli, "the CSV download is the command's CSV");
    let xlsx = server.get("/figures/download?indicator=jobs_created&by=programme&period=financial_year&format=xlsx");
    assert!(xlsx.body.starts_with(b"PK") && xlsx.headers.contains("attachment"), "a workbook");
    // To date: the command's `--to-date` table, and the chart of the figures to date
    // against the targets to date (34; 34 + 112 = 146; 146 + 98 = 244 against 180;
    // 180 + 200 = 380; 380 + 220 = 600).
    let query = "indicator=jobs_created&by=programme&period=financial_year&programme=EMP-FWD&to_date=1";
    let page = server.get(&format!("/figures?{query}")).text();
    assert!(
        page.contains("Values in jobs. 2022-23: 34, target 180; 2023-24: 146, target 380; 2024-25: 244, target 600."),
        "{page}"
    );
    let cli = crate::util::impact_in(
        server.dir.path(),
        &[
            "aggregate",
            "--by",
            "programme,financial_year",
            "--indicator",
            "jobs_created",
            "--programme",
            "EMP-FWD",
            "--to-date",
            "--format",
            "csv",
        ],
    )
    .ok()
    .stdout;
    assert_eq!(server.get(&format!("/figures/download?{query}&format=csv")).text(), cli);
    assert!(cli.lines().next().is_some_and(|h| h.contains(",to_date,")), "{cli}");
    // A choice with no figures says so, with no empty chart.
    let none = server.get("/figures?indicator=employability_participants&by=programme&programme=HB-WELL").text();
    assert!(none.contains("none. Nothing in the data matches this choice."), "{none}");
    assert!(!none.contains("<svg"), "no chart of nothing");
    // Asked for without a period, the page says what it needs.
    let no_period = server.get("/figures?indicator=jobs_created&to_date=1").text();
    assert!(no_period.contains("Figures to date run over periods: choose a period."), "{no_period}");
}

#[test]
fn requests_from_elsewhere_are_refused() {
    let server = start(&[]);
    // DNS rebinding: another name for this address.
    let rebound = server.send("GET", "/", &[("Host", "attacker.example:80".to_string())], b"");
    assert_eq!(rebound.status, 421, "{}", rebound.text());
    assert!(rebound.text().contains("answers only at its own address"));
    assert_eq!(server.send("GET", "/", &[("Host", format!("localhost:{}", server.port))], b"").status, 200);
    let token = server.token();
    let form = [("token", token.as_str()), ("spec", "cbc"), ("subject", ""), ("format", "pdf")];
    // Another site, told by the browser or by its Origin.
    let cross = server.post_form("/reports/make", &form, &[("Sec-Fetch-Site", "cross-site".to_string())]);
    assert_eq!(cross.status, 403);
    let origin = server.post_form("/reports/make", &form, &[("Origin", "http://attacker.example".to_string())]);
    assert_eq!(origin.status, 403);
    // No token, or another process's.
    let no_token = server.post_form("/reports/make", &[("token", "0123"), ("spec", "cbc")], &[]);
    assert_eq!(no_token.status, 403);
    assert!(no_token.text().contains("token"));
    // Our own page's form.
    let made = server.post_form("/reports/make", &form, &[("Origin", format!("http://{}", server.host()))]);
    assert_eq!(made.status, 200, "{}", made.text());
    assert!(made.body.starts_with(b"%PDF-1.7") && made.headers.contains("application/pdf"));
}

#[test]
fn no_path_leaves_the_project() {
    let server = start(&[]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.csv"), "record_id\n1\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.csv"), server.dir.path().join("link.csv")).unwrap();
    for path in ["../etc/passwd", "/etc/passwd", "link.csv", "a/../../x.csv", "", "%2e%2e/x"] {
        let answer = server.get(&format!("/file?path={path}"));
        assert_eq!(answer.status, 400, "{path}: {}", answer.text());
        assert!(answer.text().contains("inside the project folder"), "{path}");
        assert_eq!(server.get(&format!("/problems.csv?path={path}")).status, 400, "{path}");
    }
    // An upload's name is the server's: the client's path goes nowhere.
    let token = server.token();
    let answer = server.upload(&token, "../../../evil.csv", b"record_id,organisation\n");
    assert_eq!(answer.status, 303, "{}", answer.text());
    let uploads: Vec<String> = std::fs::read_dir(server.dir.path().join("uploads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(uploads.len(), 1);
    assert!(uploads[0].starts_with("evil-") && uploads[0].ends_with(".csv"), "{uploads:?}");
    assert!(!server.dir.path().parent().unwrap().join("evil.csv").exists());
}

#[test]
fn uploads_are_checked_as_validate_checks_them_and_mapped() {
    let server = start(&["--max-upload", "1"]);
    let token = server.token();
    // Too large, of the wrong kind, without a token: clear pages, nothing saved.
    let big = vec![b'x'; 1024 * 1024 + 10];
    let answer = server.upload(&token, "big.csv", &big);
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert!(answer.text().contains("larger than 1 MB"));
    let answer = server.upload(&token, "notes.docx", b"hello");
    assert_eq!(answer.status, 400);
    assert!(answer.text().contains("not a spreadsheet"));
    assert_eq!(server.upload("wrong", "a.csv", b"x").status, 403);
    assert!(
        !server.dir.path().join("uploads").exists()
            || std::fs::read_dir(server.dir.path().join("uploads")).unwrap().count() == 0
    );
    // A return in its own headings with a bad date: the same messages as validate.
    let csv = "Ref,Partner,Scheme,Measure,When,Amount\nR1,ORG01,EMP-FWD,jobs_created,31/02/2025,1\nR2,ORG01,EMP-FWD,jobs_created,2025-01-05,1\n";
    let answer = server.upload(&token, "return.csv", csv.as_bytes());
    assert_eq!(answer.status, 303);
    let to = answer.headers.split("location: ").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    let page = server.get(&to);
    assert_eq!(page.status, 200, "never a 500 page: {}", page.text());
    assert!(page.text().contains("missing columns"), "{}", page.text());
    // Map it: each heading to what it holds.
    let path = to.split("path=").nth(1).unwrap().replace("%2F", "/");
    let mut fields = vec![("token", token.clone()), ("path", path.clone()), ("date_format", "%d/%m/%Y".to_string())];
    for (k, (h, holds)) in [
        ("Ref", "column:record_id"),
        ("Partner", "column:organisation"),
        ("Scheme", "column:programme"),
        ("Measure", "column:indicator"),
        ("When", "column:date"),
        ("Amount", "column:value"),
    ]
    .iter()
    .enumerate()
    {
        fields.push((Box::leak(format!("heading{k}").into_boxed_str()), h.to_string()));
        fields.push((Box::leak(format!("holds{k}").into_boxed_str()), holds.to_string()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = server.post_form("/map", &fields, &[("Sec-Fetch-Site", "same-origin".to_string())]);
    assert_eq!(saved.status, 303, "{}", saved.text());
    let toml = std::fs::read_to_string(server.dir.path().join("impact.toml")).unwrap();
    assert!(toml.contains(&format!("path = \"{path}\"")), "{toml}");
    // The map is the file's own: its stem and a hash of its path.
    let stem = Path::new(&path).file_stem().unwrap().to_str().unwrap();
    let map_file = format!("maps/{stem}-{:08x}.toml", xxhash_rust::xxh3::xxh3_64(path.as_bytes()) as u32);
    let map = std::fs::read_to_string(server.dir.path().join(&map_file)).unwrap();
    assert!(map.contains("date = \"When\""), "{map}");
    // With its map, the file's one problem is the impossible date, worded as the terminal words it.
    let mapped = server.get(saved.headers.split("location: ").nth(1).unwrap().lines().next().unwrap().trim()).text();
    let cli = crate::util::impact_in(server.dir.path(), &["validate", &path, "--map", &map_file]).expect_code(1);
    assert!(
        cli.stderr.contains("\"31/02/2025\" is not a real date")
            || cli.stdout.contains("\"31/02/2025\" is not a real date")
    );
    assert!(mapped.contains("is not a real date"), "{mapped}");
    let problems = server.get(&format!("/problems.csv?path={path}&map={map_file}")).text();
    assert!(
        problems.starts_with("severity,file,row,column,value,message,hint\nerror,") && problems.contains("31/02/2025"),
        "{problems}"
    );
    // Nothing but a column of the records or an indicator reaches a map; the project's
    // own files are not spreadsheets to map; one column is held by one heading.
    let same_origin = [("Sec-Fetch-Site", "same-origin".to_string())];
    let injected = "column:organisation = \"x\"\n[names]\norganisation = \"/etc/passwd\"\n[constants]\nprogramme";
    let cases: [(Vec<(&str, &str)>, &str); 4] = [
        (vec![("path", path.as_str()), ("heading0", "Ref"), ("holds0", injected)], "is not a column"),
        (
            vec![("path", path.as_str()), ("heading0", "Ref"), ("holds0", "indicator:no_such_thing")],
            "is not an indicator",
        ),
        (vec![("path", "impact.toml"), ("heading0", "Ref"), ("holds0", "column:record_id")], "Only a spreadsheet"),
        (
            vec![
                ("path", path.as_str()),
                ("heading0", "Ref"),
                ("holds0", "column:date"),
                ("heading1", "When"),
                ("holds1", "column:date"),
            ],
            "Two headings hold",
        ),
    ];
    for (mut fields, why) in cases {
        fields.push(("token", token.as_str()));
        let answer = server.post_form("/map", &fields, &same_origin);
        assert_eq!(answer.status, 400, "{why}: {}", answer.text());
        assert!(answer.text().contains(why), "{why}: {}", answer.text());
    }
    let project = std::fs::read_to_string(server.dir.path().join("impact.toml")).unwrap();
    assert!(!project.contains("/etc/passwd") && !project.contains("path = \"impact.toml\""));
    // A value a spreadsheet would run as a formula is text in the problems' CSV.
    let formula = "record_id,organisation,programme,indicator,date,value\nR1,ORG01,EMP-FWD,jobs_created,2025-01-05,=HYPERLINK(\"x\")\n";
    let answer = server.upload(&token, "formula.csv", formula.as_bytes());
    let location = answer.headers.split("location: ").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    let uploaded = location.split("path=").nth(1).unwrap().replace("%2F", "/");
    let csv = server.get(&format!("/problems.csv?path={uploaded}")).text();
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
}

/// Two reports at once: each its own file, each what the command line makes.
#[test]
fn reports_made_at_once_do_not_meet() {
    let server = start(&[]);
    let token = server.token();
    let made: Vec<Answer> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["ORG01", "ORG02"]
            .iter()
            .map(|subject| {
                let (server, token) = (&server, &token);
                scope.spawn(move || {
                    server.post_form(
                        "/reports/make",
                        &[("token", token.as_str()), ("spec", "board"), ("subject", subject), ("format", "pdf")],
                        &[("Sec-Fetch-Site", "same-origin".to_string())],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (answer, subject) in made.iter().zip(["ORG01", "ORG02"]) {
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert!(answer.headers.contains(&format!("filename=\"board-{}.pdf\"", subject.to_lowercase())));
        crate::util::impact_in(
            server.dir.path(),
            &["report", "board", "--subject", subject, "--out", &format!("{subject}.pdf")],
        )
        .ok();
        let cli = std::fs::read(server.dir.path().join(format!("{subject}.pdf"))).unwrap();
        assert_eq!(answer.body, cli, "{subject}: the page's PDF is the command's, byte for byte");
    }
    let html = server.post_form(
        "/reports/make",
        &[("token", token.as_str()), ("spec", "board"), ("subject", "ORG03"), ("format", "html")],
        &[("Sec-Fetch-Site", "same-origin".to_string())],
    );
    assert!(html.text().starts_with("<!DOCTYPE html>"), "the HTML report");
    // A preview: the pages as pictures, as the PDF lays them out.
    let preview = server.post_form(
        "/reports/make",
        &[("token", token.as_str()), ("spec", "board"), ("subject", "ORG01"), ("format", "pdf"), ("preview", "1")],
        &[("Sec-Fetch-Site", "same-origin".to_string())],
    );
    let text = preview.text();
    assert_eq!(preview.status, 200, "{text}");
    let pages = lopdf::Document::load_mem(&made[0].body).unwrap().get_pages().len();
    assert_eq!(text.matches("<svg ").count(), pages, "a picture of each page");
    assert!(text.contains(&format!("aria-label=\"Page 1 of {pages}\"")) && text.contains(">At a glance</text>"));
    // A batch: one board pack per organisation, as one zip of the command's files.
    let batch = server.post_form(
        "/reports/make",
        &[("token", token.as_str()), ("spec", "board"), ("each", "organisation"), ("format", "pdf")],
        &[("Sec-Fetch-Site", "same-origin".to_string())],
    );
    assert_eq!(batch.status, 303, "{}", batch.text());
    let job = batch.headers.split("location: ").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    // Its page counts the reports so far and reloads itself, then offers the zip.
    let started = std::time::Instant::now();
    let page = loop {
        let page = server.get(&job).text();
        if page.contains("Download them as one zip") {
            break page;
        }
        assert!(page.contains("report(s) written so far") && page.contains("http-equiv=\"refresh\""), "{page}");
        assert!(started.elapsed().as_secs() < 120, "the batch ends");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(page.contains("12 report(s) made."), "{page}");
    let zip_link =
        page.split("href=\"/reports/job/zip").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let batch = server.get(&format!("/reports/job/zip{zip_link}"));
    assert!(batch.headers.contains("application/zip") && batch.body.starts_with(b"PK"));
    assert_eq!(server.get("/reports/job?id=999").status, 404);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(batch.body.clone())).unwrap();
    assert_eq!(archive.len(), 12, "twelve organisations");
    let mut first = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("ORG01.pdf").unwrap(), &mut first).unwrap();
    let alone = std::fs::read(server.dir.path().join("ORG01.pdf")).unwrap();
    assert_eq!(first, alone, "a batch's pack is the pack made alone");
    let unknown = server.post_form("/reports/make", &[("token", token.as_str()), ("spec", "../x")], &[]);
    assert_eq!(unknown.status, 400);
    let outside =
        server.post_form("/reports/make", &[("token", token.as_str()), ("spec", "../reports/board.toml")], &[]);
    assert_eq!(outside.status, 400, "a spec is a built-in one or the project's own");
    // The project's release, made from the page: what `impact release` says.
    let release = server.post_form(
        "/reports/release",
        &[("token", token.as_str()), ("name", "2024-25")],
        &[("Sec-Fetch-Site", "same-origin".to_string())],
    );
    assert_eq!(release.status, 200, "{}", release.text());
    assert!(release.text().contains("audit: no withheld count can be worked out"), "{}", release.text());
    assert!(server.dir.path().join("out/2024-25/board/ORG01.pdf").exists());
}

/// An empty folder: the page offers `impact init`, and makes the project.
#[test]
fn a_folder_without_a_project_is_started_from_the_page() {
    let server = serve_in(tempfile::tempdir().unwrap(), &[]);
    let home = server.get("/").text();
    assert!(home.contains("Start a project in this folder"), "{home}");
    let token = home.split("name=\"token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let made = server.post_form("/init", &[("token", &token)], &[("Sec-Fetch-Site", "same-origin".to_string())]);
    assert_eq!(made.status, 303, "{}", made.text());
    assert!(server.dir.path().join("impact.toml").exists() && server.dir.path().join("data").is_dir());
    assert_eq!(server.get("/sources").status, 200);
}
