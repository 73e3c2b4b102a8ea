//! What the integration tests and the web app's bench both use (benches/serve.rs
//! includes this file): the sample files, and `impact serve` started on a free port.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The sample data and tables (`samples/`).
pub const SAMPLE_FILES: [&str; 7] = [
    "outcomes.csv",
    "organisations.csv",
    "programmes.csv",
    "areas.csv",
    "targets.csv",
    "assumptions.toml",
    "commitments.csv",
];

/// `impact serve` running; stopped when dropped.
pub struct Serving {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Serving {
    /// `impact serve` over the project folder `project` on a free port (with `extra`
    /// arguments), its address read from the first line it prints.
    pub fn start(project: &Path, extra: &[&str]) -> Serving {
        let project = project.to_str().expect("a UTF-8 path");
        let mut child = Command::new(env!("CARGO_BIN_EXE_impact"))
            .args(["--project", project, "serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let line = String::from_utf8(line).unwrap();
        let port = line.split("127.0.0.1:").nth(1).and_then(|r| r.split('/').next()).and_then(|p| p.parse().ok());
        Serving { child, port: port.unwrap_or_else(|| panic!("no address in {line:?}")) }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
