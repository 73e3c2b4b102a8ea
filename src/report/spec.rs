//! Report specs (`reports/*.toml`): what a report covers and its sections, in order.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use super::need::dimension;
pub use super::sections::{ChartType, Section};
pub use super::terms::{Period, Span, SubjectKind, Window};
pub use crate::compare::Per;

use super::need::Needs;
use super::sections::At;
use super::terms::About;
use crate::error::{Error, Result};
use crate::indicator::Library;

/// A report spec: who a report is for, what period, and its sections in order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Title on the cover.
    pub title: String,
    /// Line under the title.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Who it is for ("Board of trustees"): printed on the cover.
    pub audience: String,
    /// What one report is about; `--each` renders one per subject.
    #[serde(default)]
    pub subject: SubjectKind,
    /// The period reported on.
    pub period: Period,
    /// The indicator set: the methodology appendix describes these.
    pub indicators: Vec<String>,
    /// Printed on the cover.
    #[serde(default)]
    pub author: Option<String>,
    /// Leave out a chart or table section the subject has no records for, instead of
    /// printing its title over "No records" (one spec then fits subjects that record
    /// different outcomes).
    #[serde(default)]
    pub omit_empty: bool,
    /// The year whose prices the document's values are in, when neither the command
    /// line (`--report-year`) nor the assumptions (`report_year`) say.
    #[serde(default)]
    pub report_year: Option<i32>,
    /// Sections, in order (`[[section]]` tables).
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    /// The file the spec was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

impl Spec {
    /// Reads a spec (TOML) and checks its indicators, dimensions and placeholders against the library.
    pub fn load(path: &Path, library: &Library) -> Result<Spec> {
        let text = crate::builtin::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut spec: Spec = toml::from_str(&text).map_err(|e| section_error(path, &e))?;
        spec.path = path.to_path_buf();
        spec.check(library)?;
        Ok(spec)
    }

    /// Checks the spec against the library: its indicators, its period, and each
    /// section (its indicators, then its own checks, which store what they parse).
    fn check(&mut self, library: &Library) -> Result<()> {
        let path = self.path.clone();
        let unknown = |id: &str, place: String| {
            let err = Error::config(&path, format!("{place}: unknown indicator `{id}`"));
            match library.nearest(id) {
                Some(n) => err.with_hint(format!("did you mean `{n}`?")),
                None => err.with_hint("`impact indicators list` shows every id"),
            }
        };
        for id in &self.indicators {
            library.get(id).ok_or_else(|| unknown(id, "indicators".into()))?;
        }
        self.window()?;
        if self.sections.is_empty() {
            return Err(Error::config(&path, "the spec has no [[section]]"));
        }
        for (n, section) in self.sections.iter_mut().enumerate() {
            let place = format!("section {} ({})", n + 1, section.kind().name());
            for id in section.kind().indicator_ids() {
                library.get(id).ok_or_else(|| unknown(id, place.clone()))?;
            }
            section.kind_mut().check(&At { path: &path, place, library })?;
        }
        Ok(())
    }

    /// What the document says of itself, for its sections.
    pub fn about(&self) -> About {
        // The spec's indicators, then each section's not already named.
        let mut described = self.indicators.clone();
        for id in self.sections.iter().flat_map(|s| s.kind().indicator_ids()) {
            if !described.iter().any(|d| d == id) {
                described.push(id.to_string());
            }
        }
        About {
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            audience: self.audience.clone(),
            subject: self.subject,
            indicators: self.indicators.clone(),
            omit_empty: self.omit_empty,
            described,
        }
    }

    /// Every figure the sections read. `valued`: the indicators a social value section
    /// may value (with the people they rest on), whose totals the report needs so it
    /// can tell whether a value would give a withheld count away.
    pub fn needs(&self, valued: &[String]) -> Needs {
        let mut needs = Needs::default();
        for s in &self.sections {
            s.kind().needs(&mut needs);
        }
        // Totals for the indicator set: one KPI grouping.
        needs.totals(self.indicators.iter().cloned());
        if needs.value {
            needs.totals(valued.iter().cloned());
        }
        needs
    }

    /// The period as dates and a label.
    pub fn window(&self) -> Result<Window> {
        self.period.window(&self.path)
    }
}

/// TOML errors, with a hint for a misspelt section kind.
fn section_error(path: &Path, e: &toml::de::Error) -> Error {
    let err = crate::error::toml_error(path, e);
    let msg = e.message();
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some((word, expected)) = rest.split_once('`') {
            let choices: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            if let Some(n) = crate::base::suggest::nearest(word, choices.iter().copied()) {
                return err.with_hint(format!("did you mean `{n}`? kinds: {}", choices.join(", ")));
            }
            return err.with_hint("see \"Report specs\" in the README for what each kind does");
        }
    }
    err
}
