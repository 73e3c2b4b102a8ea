//! `impact serve` driven by a real browser: headless Chromium through Debian's
//! chromedriver, spoken to in WebDriver's own JSON over HTTP (no client crate needed).
//! A user's path: upload the messy sample workbook, read it from its third row, map its
//! headings, see the problems table, make a board pack leaving out the invalid records,
//! and download it. A screenshot of each page is kept in the test's folder (and copied
//! to `IMPACT_SCREENSHOTS` when set).
//!
//! It needs /usr/bin/chromium and /usr/bin/chromedriver (`.ci/run` installs both and
//! sets `IMPACT_BROWSER_TESTS=1`, which makes their absence a failure); elsewhere,
//! without them, it says so and passes over.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 exchange with a JSON body (WebDriver's).
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    // chromedriver keeps the connection open: read the head, then Content-Length bytes.
    let mut raw = Vec::new();
    let mut chunk = [0u8; 65536];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "chromedriver closed the connection");
        raw.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while raw.len() < split + 4 + length {
        let n = stream.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    let payload = raw[split + 4..].to_vec();
    serde_json::from_slice(&payload).unwrap_or(Value::Null)
}

struct Browser {
    port: u16,
    session: String,
    shots: PathBuf,
    taken: usize,
}

impl Browser {
    fn go(&self, url: &str) {
        call(self.port, "POST", &format!("/session/{}/url", self.session), Some(&json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let found = call(
            self.port,
            "POST",
            &format!("/session/{}/element", self.session),
            Some(&json!({"using": "css selector", "value": css})),
        );
        found["value"][ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {found}")).to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        call(self.port, "POST", &format!("/session/{}/element/{id}/click", self.session), Some(&json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        call(self.port, "POST", &format!("/session/{}/element/{id}/clear", self.session), Some(&json!({})));
        call(
            self.port,
            "POST",
            &format!("/session/{}/element/{id}/value", self.session),
            Some(&json!({ "text": text })),
        );
    }

    fn source(&self) -> String {
        call(self.port, "GET", &format!("/session/{}/source", self.session), None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn url(&self) -> String {
        call(self.port, "GET", &format!("/session/{}/url", self.session), None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A screenshot of the page, kept as NN-name.png.
    fn shot(&mut self, name: &str) {
        let png = call(self.port, "GET", &format!("/session/{}/screenshot", self.session), None);
        let bytes = base64(png["value"].as_str().unwrap_or_default());
        assert!(bytes.starts_with(b"\x89PNG"), "a screenshot of {name}");
        self.taken += 1;
        let file = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(&file, &bytes).unwrap();
        if let Ok(dir) = std::env::var("IMPACT_SCREENSHOTS") {
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::copy(&file, Path::new(&dir).join(file.file_name().unwrap()));
        }
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    digits
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().enumerate().fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(c.len().saturating_sub(1))
        })
        .collect()
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < Duration::from_secs(60), "waited a minute for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_user_uploads_maps_checks_and_downloads_a_board_pack_in_a_browser() {
    let (chromium, driver) = (Path::new("/usr/bin/chromium"), Path::new("/usr/bin/chromedriver"));
    if !chromium.exists() || !driver.exists() {
        assert!(std::env::var_os("IMPACT_BROWSER_TESTS").is_none(), "the browser test needs chromium and chromedriver");
        eprintln!("note: no /usr/bin/chromium and chromedriver here: the browser test is passed over");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    crate::util::sample_project(folder.path());
    let server = crate::serve::serve_in(folder, &[]);
    let project = server.dir.path().to_path_buf();
    let base = format!("http://127.0.0.1:{}", server.port);
    let workbook = crate::util::repo().join("samples/messy/partner_return.xlsx");
    let downloads = dir.path().join("downloads");
    let shots = dir.path().join("screenshots");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::create_dir_all(&shots).unwrap();

    let port = free_port();
    let _driver = Killed(
        Command::new(driver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap(),
    );
    wait_for("chromedriver", || TcpStream::connect(("127.0.0.1", port)).is_ok());
    let profile = dir.path().join("profile");
    let session = call(
        port,
        "POST",
        "/session",
        Some(&json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1200,1500", format!("--user-data-dir={}", profile.display())],
            "prefs": {"download.default_directory": downloads, "download.prompt_for_download": false}
        }}}})),
    );
    let id = session["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {session}")).to_string();
    let mut browser = Browser { port, session: id, shots, taken: 0 };

    // Sources: upload the workbook.
    browser.go(&format!("{base}/sources"));
    assert!(browser.source().contains("outcomes.csv"));
    browser.shot("sources");
    browser.type_into("input[type=file]", crate::util::s(&workbook));
    browser.click("form[action='/upload'] button");
    wait_for("the uploaded file's page", || browser.url().contains("/file?path=uploads"));
    browser.shot("uploaded");
    // Its headings are in row 3 of the sheet "Q4 return".
    browser.click("select[name=sheet] option[value='Q4 return']");
    browser.type_into("input[name=header_row]", "3");
    browser.click("form[action='/file'] button");
    wait_for("the sheet read from row 3", || browser.source().contains(">Date of outcome<"));
    browser.shot("read-from-row-3");
    let page = browser.source();
    let mapping = [
        ("Partner", "column:organisation"),
        ("Date of outcome", "column:date"),
        ("Client ref", "column:participant"),
        ("Client group", "column:beneficiary_group"),
        ("Council area", "column:area"),
        ("SIMD", "column:simd_decile"),
        ("Evidence", "column:evidence"),
        ("People met at gate", "indicator:met_at_the_gate"),
        ("Housing on release", "indicator:housing_secured_on_release"),
        ("Jobs started", "indicator:jobs_created"),
        ("Training hrs", "indicator:training_hours"),
        ("Local spend (£)", "indicator:spend_local_suppliers"),
    ];
    for (heading, holds) in mapping {
        let at = page
            .find(&format!("value=\"{}\"", heading.replace('&', "&amp;")))
            .unwrap_or_else(|| panic!("no heading {heading}"));
        let name = page[..at].rsplit("name=\"heading").next().unwrap().split('"').next().unwrap().to_string();
        browser.click(&format!("select[name=holds{name}] option[value='{holds}']"));
    }
    browser.click("select[name=date_format] option[value='%d/%m/%Y']");
    browser.type_into("input[name=skip_rows]", "Total, Note");
    browser.type_into("input[name=programme]", "PSP-GATE");
    browser.shot("mapped");
    browser.click("form[action='/map'] button");
    wait_for("the problems with its map", || browser.url().contains("map=maps"));
    let problems = browser.source();
    browser.shot("problems");
    assert!(
        problems.contains("is not a real date") && problems.contains("is not a number"),
        "the problems table: {problems}"
    );
    // Mapped as the sample's own map maps it, it reads as `impact validate` reads it then.
    assert!(problems.contains("31 record(s) read, 24 valid"), "{problems}");
    let toml = std::fs::read_to_string(project.join("impact.toml")).unwrap();
    assert!(toml.contains("uploads/partner-return-"), "the workbook is a source now");

    // Its pages previewed, then the board pack, leaving out the return's invalid
    // records, downloaded.
    browser.go(&format!("{base}/reports"));
    browser.click("select[name=spec] option[value=board]");
    browser.type_into("input[name=subject]", "ORG02");
    browser.click("input[name=skip_invalid]");
    browser.click("button[name=preview]");
    wait_for("the pages' preview", || browser.source().contains("Preview: board-ORG02.pdf"));
    assert!(browser.source().contains("aria-label=\"Page 1 of"), "pictures of the pages");
    browser.shot("preview");
    browser.go(&format!("{base}/reports"));
    browser.click("select[name=spec] option[value=board]");
    browser.type_into("input[name=subject]", "ORG02");
    browser.click("input[name=skip_invalid]");
    browser.shot("reports");
    browser.click("form[action='/reports/make'] button");
    let pdf = downloads.join("board-ORG02.pdf");
    wait_for("the downloaded board pack", || {
        pdf.exists() && std::fs::metadata(&pdf).map(|m| m.len() > 0).unwrap_or(false)
    });
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    assert!(doc.get_pages().len() >= 4, "a whole board pack");
    call(port, "DELETE", &format!("/session/{}", browser.session), None);
}
