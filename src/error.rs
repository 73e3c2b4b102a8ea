//! The library's typed error. Every variant names the file (and where known the
//! row, column or key) so the CLI can print a message a person can act on.

use std::path::{Path, PathBuf};

use crate::diagnostics::Report;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    /// A TOML file (indicator library, column map) that does not parse or has a bad key.
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String, hint: Option<String> },

    /// A data file that cannot be read at all (not a row-level problem).
    #[error("{}: {message}", path.display())]
    Read { path: PathBuf, message: String, hint: Option<String> },

    /// Row-level validation failed; the report holds every problem found.
    #[error("the data has {} error(s); nothing was written", report.error_count())]
    Invalid { report: Box<Report> },

    /// The user asked for something that cannot be done (bad flag value, unknown dimension).
    #[error("{message}")]
    Usage { message: String, hint: Option<String> },

    #[error("data engine: {0}")]
    Polars(#[from] polars::prelude::PolarsError),

    /// Not the user's doing: a chart that cannot be drawn, a font that cannot be
    /// subset, a worker thread that stopped. The CLI says it is a bug, with its own
    /// exit code (3).
    #[error("internal error (this is a bug in impactkit; please report it): {message}")]
    Internal { message: String },
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }

    pub fn read(path: &Path, message: impl Into<String>) -> Self {
        Error::Read { path: path.to_path_buf(), message: message.into(), hint: None }
    }

    pub fn config(path: &Path, message: impl Into<String>) -> Self {
        Error::Config { path: path.to_path_buf(), message: message.into(), hint: None }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage { message: message.into(), hint: None }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal { message: message.into() }
    }

    /// Attach a "what to do next" line, printed by the CLI as `hint:`.
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        let text = Some(text.into());
        match &mut self {
            Error::Config { hint, .. } | Error::Read { hint, .. } | Error::Usage { hint, .. } => *hint = text,
            _ => {}
        }
        self
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Config { hint, .. } | Error::Read { hint, .. } | Error::Usage { hint, .. } => hint.as_deref(),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path (relative paths are read from the folder impact runs in)")
            }
            Error::Invalid { .. } => Some("run `impact validate` on the same files to see every problem"),
            _ => None,
        }
    }
}
