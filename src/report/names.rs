//! Subjects' file names: portable on Windows, macOS and Linux, never two alike.

use std::collections::HashMap;

/// A subject id as a file name: letters, digits, - and _ kept; anything else becomes _.
/// Letters, digits, `_` and (not first) `-` and `.` are kept; every other byte is
/// written `%XX`, so different ids always give different names (`A/B`, `A_B` and
/// `A.B` stay apart) and the id can be read back. A leading `-` is encoded too, so no
/// tool reading the folder takes the file for an option. A name longer than the file
/// system allows ends in a hash of the whole id instead (still unique).
///
/// Names Windows keeps for devices (`CON`, `nul`, `COM1`, `LPT9.txt`, …) have their
/// first letter encoded, and a last `.` is encoded (Windows drops it), so every name
/// opens on Windows, macOS and Linux alike.
pub fn file_stem(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let device = is_device_name(id);
    let mut s = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let last = i + 1 == chars.len();
        let kept = c.is_alphanumeric() || c == '_' || (i > 0 && c == '-') || (i > 0 && !last && c == '.');
        if kept && !(device && i == 0) {
            s.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                s.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if s.is_empty() {
        return "%".into();
    }
    // Room for "-NN-section-slug.ext" after the stem within a 255-byte name.
    const MAX_STEM: usize = 150;
    if s.len() > MAX_STEM {
        let mut cut = 120;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        return format!("{}~{:016x}", &s[..cut], xxhash_rust::xxh3::xxh3_64(id.as_bytes()));
    }
    s
}

/// Each subject's file name in a batch, in the subjects' order: its `file_stem`,
/// unless another subject's differs from it only in case (`acme` and `ACME` are one
/// file on Windows and macOS): then every one but the first in byte order ends in
/// `~` and a hash of its id. The renamed are listed, (subject, name), for the caller
/// to report.
pub(super) fn batch_stems(subjects: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let stems: Vec<String> = subjects.iter().map(|s| file_stem(s)).collect();
    let mut first: HashMap<String, &str> = HashMap::new();
    for (subject, stem) in subjects.iter().zip(&stems) {
        let claimant = first.entry(stem.to_lowercase()).or_insert(subject);
        if subject.as_str() < *claimant {
            *claimant = subject;
        }
    }
    let mut renamed = Vec::new();
    let stems = subjects
        .iter()
        .zip(stems)
        .map(|(subject, stem)| {
            if first.get(&stem.to_lowercase()).is_some_and(|c| *c == subject.as_str()) {
                return stem;
            }
            let unique = format!("{stem}~{:08x}", xxhash_rust::xxh3::xxh3_64(subject.as_bytes()) as u32);
            renamed.push((subject.clone(), unique.clone()));
            unique
        })
        .collect();
    (stems, renamed)
}

/// Whether a name is one Windows keeps for a device, alone or before an extension:
/// CON, PRN, AUX, NUL, COM0–9 and LPT0–9 (also with ¹ ² ³), in any case.
pub(super) fn is_device_name(id: &str) -> bool {
    let base = id.split('.').next().unwrap_or("").trim_end().to_uppercase();
    match base.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let (head, tail) = base.split_at(base.char_indices().nth(3).map_or(base.len(), |(i, _)| i));
            matches!(head, "COM" | "LPT")
                && tail.chars().count() == 1
                && tail.chars().all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
        }
    }
}

/// Names within one folder, made unique ignoring case (two small multiples of peers
/// `acme` and `ACME`, or of long ids alike in their first 40 characters, share a
/// slug): a repeat gets `~2`, `~3`, … in the order claimed.
#[derive(Default)]
pub(super) struct UniqueNames(std::collections::HashMap<String, usize>);

impl UniqueNames {
    pub(super) fn claim(&mut self, name: &str) -> String {
        let seen = self.0.entry(name.to_lowercase()).or_insert(0);
        *seen += 1;
        match *seen {
            1 => name.to_string(),
            n => format!("{name}~{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{batch_stems, file_stem};

    #[test]
    fn ids_that_differ_only_in_case_get_names_that_differ_ignoring_case() {
        let subjects: Vec<String> = ["acme", "ACME", "Other", "AcMe"].iter().map(|s| s.to_string()).collect();
        let (stems, renamed) = batch_stems(&subjects);
        assert_eq!(stems[1], "ACME", "the first in byte order keeps its name");
        assert_eq!(stems[2], "Other");
        let folded: std::collections::HashSet<String> = stems.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(folded.len(), 4, "{stems:?}");
        assert_eq!(renamed.len(), 2);
        assert!(renamed.iter().all(|(s, n)| n.starts_with(s.as_str()) && n.contains('~')));
    }

    #[test]
    fn subject_file_names_are_unique_and_safe() {
        assert_eq!(file_stem("ORG01"), "ORG01");
        assert_eq!(file_stem("EMP-FWD"), "EMP-FWD");
        let names = [file_stem("A/B"), file_stem("A_B"), file_stem("A.B"), file_stem("A B")];
        assert_eq!(names, ["A%2FB", "A_B", "A.B", "A%20B"]);
        assert_eq!(file_stem("-rf"), "%2Drf");
        assert_eq!(file_stem(".."), "%2E%2E");
        assert_eq!(file_stem("A."), "A%2E");
        assert_eq!(file_stem("a.b"), "a.b");
        for device in ["CON", "nul", "Com1", "LPT9", "aux.txt", "PRN"] {
            assert!(file_stem(device).starts_with('%'), "{device}: {}", file_stem(device));
        }
        assert_eq!(file_stem("CONTACT"), "CONTACT");
        assert_eq!(file_stem("COM10"), "COM10");
        assert_eq!(file_stem("Fàilte"), "Fàilte");
        let long_a = file_stem(&"x".repeat(300));
        let long_b = file_stem(&format!("{}y", "x".repeat(299)));
        assert!(long_a.len() <= 150 && long_a != long_b, "{long_a} {long_b}");
    }
}
