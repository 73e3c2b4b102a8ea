//! Data files as options name them, each with the path of its own column map (from
//! flags, or a project's `[[source]]` tables), and the maps loaded once each.

use std::path::{Path, PathBuf};

use super::{ColumnMap, DataFile};
use crate::error::Result;
use crate::indicator::Library;

/// A data file and the path of the column map that fits it (None: the canonical layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePath {
    /// The data file.
    pub path: PathBuf,
    /// Its column map.
    pub map: Option<PathBuf>,
}

impl SourcePath {
    /// Every one of `paths`, with the same map.
    pub fn all(paths: &[PathBuf], map: Option<&Path>) -> Vec<SourcePath> {
        paths.iter().map(|p| SourcePath { path: p.clone(), map: map.map(Path::to_path_buf) }).collect()
    }
}

/// The column maps of a set of sources, each read once however many files share it.
pub struct Maps {
    loaded: Vec<(PathBuf, ColumnMap)>,
}

impl Maps {
    /// Reads every map the sources name (checked against the library).
    pub fn load(sources: &[SourcePath], library: &Library) -> Result<Maps> {
        let mut loaded: Vec<(PathBuf, ColumnMap)> = Vec::new();
        for path in sources.iter().filter_map(|s| s.map.as_ref()) {
            if !loaded.iter().any(|(p, _)| p == path) {
                loaded.push((path.clone(), ColumnMap::load(path, library)?));
            }
        }
        Ok(Maps { loaded })
    }

    /// The sources as files to read, each with its loaded map.
    pub fn files<'a>(&'a self, sources: &'a [SourcePath]) -> Vec<DataFile<'a>> {
        sources
            .iter()
            .map(|s| DataFile {
                path: &s.path,
                map: s.map.as_ref().and_then(|m| self.loaded.iter().find(|(p, _)| p == m).map(|(_, map)| map)),
            })
            .collect()
    }
}
