//! Problems found in data files: each names the file, the row as a spreadsheet
//! shows it, the column as the user headed it, the value and what was expected.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record (or file) cannot be used.
    Error,
    /// Worth a look, but the data can be used.
    Warning,
}

/// The class of a problem; stable names, used in JSON output and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// A required column is missing.
    MissingColumn,
    /// Two headings name the same column (`Organisation` and `organisation`).
    AmbiguousColumn,
    /// A required value is blank.
    MissingValue,
    /// An indicator id not in the library.
    UnknownIndicator,
    /// A record of a ratio or cohort rate, which are computed from other records.
    ComputedIndicator,
    /// A value that is not a number.
    NotANumber,
    /// A value outside the indicator's range.
    OutOfRange,
    /// A fraction where the indicator counts whole things.
    NotWholeNumber,
    /// A date that cannot be read, or is out of the plausible range.
    BadDate,
    /// A date after today.
    FutureDate,
    /// A SIMD decile outside 1–10.
    BadDecile,
    /// A distinct-people indicator's record with no participant id.
    MissingParticipant,
    /// Two records share an id.
    DuplicateRecordId,
    /// A file with no records.
    EmptyFile,
    /// A workbook whose other sheets were not read.
    OtherSheets,
    /// A sub-count above its whole for one group (a library `within` rule).
    PartExceedsWhole,
    /// Category labels that differ only in case, spaces or underscores.
    NearDuplicateLabels,
    /// A value of a column with a name table that the table does not name.
    UnknownName,
    /// The same, refused (`validate --strict`).
    UnknownNameRefused,
    /// A cohort's follow-up (a job sustained) with no start (a job start) for the
    /// participant in the window before it.
    FollowUpWithoutStart,
}

impl Check {
    /// The check's stable name.
    pub fn name(self) -> &'static str {
        match self {
            Check::MissingColumn => "missing column",
            Check::AmbiguousColumn => "ambiguous column",
            Check::MissingValue => "missing value",
            Check::UnknownIndicator => "unknown indicator",
            Check::ComputedIndicator => "computed indicator recorded",
            Check::NotANumber => "not a number",
            Check::OutOfRange => "out of range",
            Check::NotWholeNumber => "not a whole number",
            Check::BadDate => "bad date",
            Check::FutureDate => "future date",
            Check::BadDecile => "bad SIMD decile",
            Check::MissingParticipant => "missing participant",
            Check::DuplicateRecordId => "duplicate record_id",
            Check::EmptyFile => "no data rows",
            Check::OtherSheets => "other sheets ignored",
            Check::PartExceedsWhole => "part exceeds its whole",
            Check::NearDuplicateLabels => "near-duplicate labels",
            Check::UnknownName => "names in no name table",
            Check::UnknownNameRefused => "names in no name table (strict)",
            Check::FollowUpWithoutStart => "follow-up without its start",
        }
    }
}

/// One problem found: where, what and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The class of problem.
    pub check: Check,
    /// The file, as given.
    pub file: String,
    /// Row as a spreadsheet shows it (the heading row is row 1 in a plain CSV);
    /// for JSON, the record number. None for file-level problems.
    pub row: Option<u64>,
    /// The column as headed in the file, with its letter where it has one ("C Date").
    pub column: Option<String>,
    /// The offending value, as read.
    pub value: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// A diagnostic as JSON shows it: the column's letter and its heading apart (`"column":
/// "C", "heading": "Date of outcome"`), for a program to read.
#[derive(Serialize)]
struct DiagnosticJson<'a> {
    severity: Severity,
    check: Check,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let (column, heading) = self.column.as_deref().map_or((None, None), split_column);
        DiagnosticJson {
            severity: self.severity,
            check: self.check,
            file: &self.file,
            row: self.row,
            column,
            heading,
            value: self.value.as_deref(),
            message: &self.message,
            hint: self.hint.as_deref(),
        }
        .serialize(serializer)
    }
}

/// A column as messages name it (`C "Date of outcome"`, `"Date"`, `beneficiary_group`)
/// as its letter, where it has one, and its heading.
fn split_column(shown: &str) -> (Option<&str>, Option<&str>) {
    match shown.split_once(' ') {
        Some((letter, rest))
            if (1..=3).contains(&letter.len())
                && letter.bytes().all(|b| b.is_ascii_uppercase())
                && rest.starts_with('"')
                && rest.ends_with('"')
                && rest.len() >= 2 =>
        {
            (Some(letter), Some(&rest[1..rest.len() - 1]))
        }
        _ => match shown.strip_prefix('"').and_then(|h| h.strip_suffix('"')) {
            Some(heading) => (None, Some(heading)),
            None => (None, Some(shown)),
        },
    }
}

/// Everything validation found, plus the totals for a summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Files read.
    pub files: usize,
    /// Records read.
    pub records_read: u64,
    /// Records that passed every check.
    pub records_valid: u64,
    /// Every problem counted, including those beyond the listing limit.
    pub counts: BTreeMap<Check, u64>,
    /// Problems listed (up to a limit per check).
    pub diagnostics: Vec<Diagnostic>,
    /// Problems counted but not listed (beyond the per-check limit).
    pub not_listed: u64,
}

impl Report {
    /// Errors counted.
    pub fn error_count(&self) -> u64 {
        self.count_where(Severity::Error)
    }

    /// Warnings counted.
    pub fn warning_count(&self) -> u64 {
        self.count_where(Severity::Warning)
    }

    fn count_where(&self, severity: Severity) -> u64 {
        self.counts.iter().filter(|(check, _)| severity_of(**check) == severity).map(|(_, n)| n).sum()
    }

    /// No errors (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.error_count() == 0
    }

    /// Record a problem that was counted (and listed, if `listed`).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        *self.counts.entry(diagnostic.check).or_default() += 1;
        self.diagnostics.push(diagnostic);
    }

    /// Count problems beyond those listed.
    pub fn count_more(&mut self, check: Check, n: u64) {
        *self.counts.entry(check).or_default() += n;
        self.not_listed += n;
    }

    /// Adds another report's files, records and problems to this one.
    pub fn merge(&mut self, other: Report) {
        self.files += other.files;
        self.records_read += other.records_read;
        self.records_valid += other.records_valid;
        for (k, v) in other.counts {
            *self.counts.entry(k).or_default() += v;
        }
        self.diagnostics.extend(other.diagnostics);
        self.not_listed += other.not_listed;
    }

    /// Add a slice's row checks to this file's report, keeping at most `max_listed`
    /// listed problems of each kind (the rest are counted, not listed).
    pub fn merge_rows(&mut self, other: Report, max_listed: usize) {
        self.records_valid += other.records_valid;
        for (k, v) in other.counts {
            *self.counts.entry(k).or_default() += v;
        }
        self.not_listed += other.not_listed;
        for d in other.diagnostics {
            let listed = self.diagnostics.iter().filter(|x| x.check == d.check && x.row.is_some()).count();
            if listed < max_listed {
                self.diagnostics.push(d);
            } else {
                self.not_listed += 1;
            }
        }
    }

    /// Order problems by file, then row, so output reads like the spreadsheet.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (&a.file, a.row.unwrap_or(0), a.severity, a.check, &a.column).cmp(&(
                &b.file,
                b.row.unwrap_or(0),
                b.severity,
                b.check,
                &b.column,
            ))
        });
    }

    /// The text report: one `error:`/`warning:` line per problem with an indented
    /// `hint:`, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut place = d.file.clone();
            if let Some(row) = d.row {
                let _ = write!(place, ", row {row}");
            }
            if let Some(col) = &d.column {
                let _ = write!(place, ", column {col}");
            }
            // Messages quote cells from the data: no control character reaches a terminal raw.
            let escape = crate::base::text::escape_controls;
            let _ = writeln!(out, "{level}: {}: {}", escape(&place), escape(&d.message));
            if let Some(hint) = &d.hint {
                let _ = writeln!(out, "  hint: {}", escape(hint));
            }
        }
        if self.not_listed > 0 {
            let _ = writeln!(out, "… and {} more problem(s) of the same kinds not listed", self.not_listed);
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// One line: files, records, valid, errors and warnings.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} file(s), {} record(s) read, {} valid: {} error(s), {} warning(s)",
            self.files,
            self.records_read,
            self.records_valid,
            self.error_count(),
            self.warning_count()
        );
        let parts: Vec<String> =
            self.counts.iter().filter(|(_, n)| **n > 0).map(|(c, n)| format!("{} {}", n, c.name())).collect();
        if !parts.is_empty() {
            let _ = write!(s, " ({})", parts.join(", "));
        }
        s
    }
}

/// The severity a check's problems have.
pub fn severity_of(check: Check) -> Severity {
    match check {
        Check::OtherSheets
        | Check::PartExceedsWhole
        | Check::NearDuplicateLabels
        | Check::UnknownName
        | Check::FollowUpWithoutStart => Severity::Warning,
        _ => Severity::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_gives_the_column_letter_and_heading_apart() {
        assert_eq!(split_column("B \"Date of outcome\""), (Some("B"), Some("Date of outcome")));
        assert_eq!(split_column("AB \"A B\""), (Some("AB"), Some("A B")));
        assert_eq!(split_column("\"Date\""), (None, Some("Date")));
        assert_eq!(split_column("beneficiary_group"), (None, Some("beneficiary_group")));
        let d = Diagnostic {
            severity: Severity::Error,
            check: Check::BadDate,
            file: "r.xlsx".into(),
            row: Some(4),
            column: Some("B \"Date of outcome\"".into()),
            value: Some("31/02/2024".into()),
            message: "no such day".into(),
            hint: None,
        };
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""column":"B","heading":"Date of outcome""#), "{json}");
    }
}
