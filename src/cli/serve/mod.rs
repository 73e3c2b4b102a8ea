//! `impact serve`: a local web app over the same commands, for the people who make
//! the reports and work in a browser, not a terminal.
//!
//! Every page runs the command a terminal user would run (`impact aggregate …`,
//! `impact report …`) through the same code (`cli::run`) and shows its output: no
//! figure is computed here. Nothing leaves the machine.
//!
//! Security, for a server that only its own user should reach: it listens on the
//! loopback address unless `--listen` says otherwise; it answers only requests whose
//! Host is that address (a web page elsewhere cannot rebind a name to it); a request
//! that changes anything must come from its own pages (`Sec-Fetch-Site`, else
//! `Origin`) and carry the form token made when it started; uploads have the library's
//! limits and are saved under names the server makes, in the project's `uploads/`;
//! a file named in a request must lie inside the project folder, links resolved;
//! every answer says `nosniff` and a strict Content-Security-Policy (no script at all).

mod pages;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use clap::Args;
use impactkit::error::{Error, Result};

use super::Outcome;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8470)]
    pub port: u16,
    /// Listen on this address instead of the loopback one (others on the network can
    /// then reach the project: a warning says so).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::IpAddr>,
    /// The largest upload, in MB.
    #[arg(long, value_name = "MB", default_value_t = UPLOAD_LIMIT_MB, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_upload: u64,
}

/// The largest upload by default: a workbook at the library's limit (20 million cells)
/// is far beyond any return; 512 MB keeps a CSV of several million rows.
pub const UPLOAD_LIMIT_MB: u64 = 512;

/// What every request can see.
pub struct App {
    /// The project folder, canonical.
    pub root: PathBuf,
    /// The form token of this process.
    pub token: String,
    /// Host headers accepted (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`).
    pub hosts: Vec<String>,
    /// The largest upload, in bytes.
    pub upload_limit: usize,
    /// Batches of reports being made or made, by id.
    pub jobs: std::sync::Mutex<std::collections::HashMap<String, Job>>,
    /// The last batch's id.
    pub next_job: std::sync::atomic::AtomicU64,
    /// Listening on every address (`--listen 0.0.0.0` or `::`): any Host on our port.
    pub any_host: bool,
}

/// A batch of reports made in the background (`--each`), kept until the server stops.
pub struct Job {
    /// Its temporary folder, held so that it is removed with the job.
    pub _dir: tempfile::TempDir,
    /// Where its reports are written.
    pub folder: PathBuf,
    /// The zip's file name.
    pub name: String,
    /// The reports' extension (pdf or html), to count them.
    pub ext: String,
    /// None while it runs; then what the command said.
    pub done: Option<std::result::Result<(), (String, Option<String>)>>,
}

pub fn run(args: ServeArgs, project: Option<&Path>) -> Result<Outcome> {
    let root = match project {
        Some(p) if p.is_file() => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    let root = root.canonicalize().map_err(|e| Error::usage(format!("the project folder {}: {e}", root.display())))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .map_err(|e| Error::internal(format!("starting the server: {e}")))?;
    runtime.block_on(serve(args, root))
}

async fn serve(args: ServeArgs, root: PathBuf) -> Result<Outcome> {
    let address = args.listen.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    if !address.is_loopback() {
        eprintln!(
            "warning: listening on {address}: anyone who can reach this machine on the network can read and change the project"
        );
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(address, args.port)).await.map_err(|e| {
        Error::usage(format!("cannot listen on {address}:{}: {e}", args.port))
            .with_hint("choose another --port, or 0 for any free port")
    })?;
    let port = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?.port();
    let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
    if args.listen.is_some() {
        hosts.push(SocketAddr::new(address, port).to_string());
    }
    let upload_limit = usize::try_from(args.max_upload * 1024 * 1024).unwrap_or(usize::MAX);
    let any_host = address.is_unspecified();
    let app = Arc::new(App {
        root,
        token: token(),
        hosts,
        upload_limit,
        jobs: Default::default(),
        next_job: Default::default(),
        any_host,
    });
    // The address to open: the one listened on, or this machine's for every address.
    let url = match args.listen {
        Some(a) if !a.is_unspecified() => format!("http://{}/", SocketAddr::new(a, port)),
        _ => format!("http://127.0.0.1:{port}/"),
    };
    // The address first, alone on its line and flushed, for whoever started us.
    println!("impact serve: {url} (project {})", app.root.display());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    // The loopback address of the other family too, on the same port, where there is one.
    let v6 = if args.listen.is_none() {
        tokio::net::TcpListener::bind(SocketAddr::new(std::net::Ipv6Addr::LOCALHOST.into(), port)).await.ok()
    } else {
        None
    };
    let router = router(app);
    if let Some(v6) = v6 {
        let second = router.clone();
        tokio::spawn(async move { axum::serve(v6, second).await });
    }
    axum::serve(listener, router).await.map_err(|e| Error::internal(format!("serving: {e}")))?;
    Ok(Outcome { stdout: Vec::new(), exit_code: 0 })
}

/// The form token: unguessable to another page, made once per process.
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for k in 0..4u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(k);
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/style.css", get(pages::style))
        .route("/init", post(pages::init))
        .route("/sources", get(pages::sources))
        .route("/upload", post(pages::upload))
        .route("/file", get(pages::file))
        .route("/problems.csv", get(pages::problems_csv))
        .route("/map", post(pages::save_map))
        .route("/figures", get(pages::figures))
        .route("/figures/download", get(pages::figures_download))
        .route("/reports", get(pages::reports))
        .route("/reports/make", post(pages::make_report))
        .route("/reports/release", post(pages::make_release))
        .route("/reports/job", get(pages::job))
        .route("/reports/job/zip", get(pages::job_zip))
        .route("/value", get(pages::value))
        .route("/commitments", get(pages::commitments))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(app.upload_limit))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Host and cross-site checks before any handler; security headers on every answer.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    // Opened to the network on every address, the machine's names are not known: any
    // Host naming our port (the warning at start said what that means).
    let port_of = |h: &str| h.rsplit(':').next().map(String::from);
    let known = app.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
        || (app.any_host && port_of(host).is_some() && port_of(host) == port_of(&app.hosts[0]));
    let mut response = if !known {
        pages::refused(
            StatusCode::MISDIRECTED_REQUEST,
            "This server answers only at its own address.",
            &format!("Open http://{}/ instead.", app.hosts[0]),
        )
    } else if changes_state(request.method()) && cross_site(&request, &app) {
        pages::refused(
            StatusCode::FORBIDDEN,
            "A request from another site was refused.",
            "Use the forms on this server's own pages.",
        )
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state-changing request from another site: a browser's `Sec-Fetch-Site` says so;
/// without it, an `Origin` other than ours does.
fn cross_site(request: &Request, app: &App) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => !app.hosts.iter().any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}"))),
        None => false,
    }
}

/// Runs `impact --project ROOT ARGS…` as the command line would, on a blocking thread.
pub async fn impact(app: &App, args: Vec<String>) -> Result<Outcome> {
    let root = app.root.clone();
    tokio::task::spawn_blocking(move || {
        let mut argv = vec!["impact".to_string(), "--project".to_string(), root.display().to_string()];
        argv.extend(args);
        let cli = <super::Cli as clap::Parser>::try_parse_from(argv).map_err(|e| {
            Error::usage(e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_string())
        })?;
        super::run(cli)
    })
    .await
    .map_err(|e| Error::internal(format!("a request's work stopped: {e}")))?
}

/// `relative` inside the project folder (no `..`, not absolute, links resolved), or None.
pub fn inside(app: &App, relative: &str) -> Option<PathBuf> {
    let path = Path::new(relative);
    if relative.is_empty()
        || path.is_absolute()
        || path.components().any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let full = app.root.join(path).canonicalize().ok()?;
    full.starts_with(&app.root).then_some(full)
}

impl IntoResponse for pages::Page {
    fn into_response(self) -> Response {
        (self.status, self.body).into_response()
    }
}
