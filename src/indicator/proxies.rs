//! Financial proxies, kept apart from the indicator definitions (`proxies/*.toml`), so
//! an organisation can swap in its own licensed set (a HACT Social Value Bank or
//! National TOMs licence forbids shipping those values with a tool) without touching
//! the library.
//!
//! ```toml
//! [[proxy]]
//! indicator = "co2e_avoided"       # the indicator valued, per unit of its unit
//! value = 268.97
//! low = 134.49                     # optional credible range (sensitivity)
//! high = 403.46
//! currency = "GBP"
//! price_year = 2022
//! source = "…"                     # the publication and table
//! licence = "Open Government Licence v3.0"
//! url = "https://…"
//! retrieved = "2026-11-26"
//! deadweight = 0.1                 # and the other SROI adjustments, as in a library proxy
//! ```

use std::path::{Path, PathBuf};

use super::model::Proxy;
use crate::error::toml_error;
use crate::error::{Error, Result};

/// The folder name proxies are read from, beside the indicator folder, when
/// `--proxies` is not given.
pub const DEFAULT_DIR: &str = "proxies";

/// `proxies/` beside the indicator folder (`indicators/` → `proxies/`).
pub fn beside(indicators: &Path) -> PathBuf {
    match indicators.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.join(DEFAULT_DIR),
        None => PathBuf::from(DEFAULT_DIR),
    }
}

/// One proxy as a file gives it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The proxies file that gives it.
    pub file: PathBuf,
    /// The indicator valued.
    pub indicator: String,
    /// The proxy.
    pub proxy: Proxy,
}

/// Every `[[proxy]]` in the folder's `*.toml` files, sorted by file name; an absent
/// folder holds none.
pub fn load(dir: &Path) -> Result<Vec<Entry>> {
    if let Some(built_in) = crate::builtin::files_in(dir) {
        let mut out = Vec::new();
        for (name, _) in built_in {
            out.extend(parse_file(&dir.join(name))?);
        }
        return Ok(out);
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        out.extend(parse_file(&file)?);
    }
    Ok(out)
}

fn parse_file(path: &Path) -> Result<Vec<Entry>> {
    let text = crate::builtin::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut table: toml::Table = toml::from_str(&text).map_err(|e| toml_error(path, &e))?;
    let list = match table.remove("proxy") {
        None => Vec::new(),
        Some(toml::Value::Array(list)) => list,
        Some(_) => return Err(Error::config(path, "`proxy` must be a list of tables: write each as [[proxy]]")),
    };
    if let Some(key) = table.keys().next() {
        return Err(Error::config(path, format!("unknown key `{key}` (a proxies file holds [[proxy]] tables only)")));
    }
    let mut out = Vec::new();
    for (n, item) in list.into_iter().enumerate() {
        let at = format!("proxy {}", n + 1);
        let toml::Value::Table(mut fields) = item else {
            return Err(Error::config(path, format!("{at} is not a table: write it as [[proxy]]")));
        };
        let indicator = match fields.remove("indicator") {
            Some(toml::Value::String(id)) => id,
            _ => return Err(Error::config(path, format!("{at} needs `indicator`, the id of the indicator it values"))),
        };
        let proxy: Proxy = toml::Value::Table(fields).try_into().map_err(|e: toml::de::Error| {
            let message = e.message().to_string();
            let hint = crate::error::unknown_key_hint(&message);
            Error::Config { path: path.to_path_buf(), message: format!("{at} (`{indicator}`): {message}"), hint }
        })?;
        out.push(Entry { file: path.to_path_buf(), indicator, proxy });
    }
    Ok(out)
}
