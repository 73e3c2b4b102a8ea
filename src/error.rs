//! The library's typed error. Every variant names the file (and where known the
//! row, column or key) so the CLI can print a message a person can act on.

use std::path::{Path, PathBuf};

use crate::diagnostics::Report;

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, by whose doing and where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that cannot be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },

    /// A TOML file (indicator library, column map) that does not parse or has a bad key.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line or key where known.
        message: String,
        /// What to do next.
        hint: Option<String>,
    },

    /// A data file that cannot be read at all (not a row-level problem).
    #[error("{}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
        /// What to do next.
        hint: Option<String>,
    },

    /// Row-level validation failed; the report holds every problem found.
    #[error("the data has {} error(s); nothing was written", report.error_count())]
    Invalid {
        /// Every problem found.
        report: Box<Report>,
    },

    /// The user asked for something that cannot be done (bad flag value, unknown dimension).
    #[error("{message}")]
    Usage {
        /// What cannot be done.
        message: String,
        /// What to do instead.
        hint: Option<String>,
    },

    /// The data engine (polars) failed on a table.
    #[error("data engine: {0}")]
    Polars(#[from] polars::prelude::PolarsError),

    /// Not the user's doing: a chart that cannot be drawn, a font that cannot be
    /// subset, a worker thread that stopped. The CLI says it is a bug, with its own
    /// exit code (3).
    #[error("internal error (this is a bug in impactkit; please report it): {message}")]
    Internal {
        /// What failed.
        message: String,
    },
}

impl Error {
    /// A file error for `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// A data file that cannot be read.
    pub fn read(path: &Path, message: impl Into<String>) -> Self {
        Error::Read { path: path.to_path_buf(), message: message.into(), hint: None }
    }

    /// A configuration file with a problem.
    pub fn config(path: &Path, message: impl Into<String>) -> Self {
        Error::Config { path: path.to_path_buf(), message: message.into(), hint: None }
    }

    /// A request that cannot be done.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage { message: message.into(), hint: None }
    }

    /// A bug, not the user's doing.
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

    /// What to do next, when there is something to say.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Config { hint, .. } | Error::Read { hint, .. } | Error::Usage { hint, .. } => hint.as_deref(),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path (relative paths are read from the folder impact runs in)")
            }
            Error::Invalid { .. } => Some(
                "correct the records listed above, or give --skip-invalid to leave them out (a report counts them as rejected)",
            ),
            _ => None,
        }
    }
}

/// Turn a TOML error into a message with line and column, plus a hint for a
/// misspelt key (serde reports "unknown field `x`, expected one of …").
pub fn toml_error(path: &std::path::Path, e: &toml::de::Error) -> Error {
    let position = e
        .span()
        .and_then(|span| {
            let text = crate::builtin::read_to_string(path).ok()?;
            let before = text.get(..span.start)?;
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Some(format!("line {line}, column {col}: "))
        })
        .unwrap_or_default();
    let message = e.message().to_string();
    let hint = unknown_key_hint(&message).or_else(|| {
        message.contains("duplicate key").then(|| {
            "a key appears twice in the same table; keep one (each heading or column is named once)".to_string()
        })
    });
    Error::Config { path: path.to_path_buf(), message: format!("{position}{message}"), hint }
}

pub(crate) fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let choices: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    crate::base::suggest::nearest(key, choices.iter().copied()).map(|near| format!("did you mean `{near}`?"))
}

#[cfg(test)]
mod tests {
    use super::unknown_key_hint;

    #[test]
    fn unknown_key_hint_suggests_the_nearest_key() {
        let msg = "unknown field `unti`, expected one of `id`, `name`, `unit`";
        assert_eq!(unknown_key_hint(msg).as_deref(), Some("did you mean `unit`?"));
        assert_eq!(unknown_key_hint("missing field `id`"), None);
    }
}
