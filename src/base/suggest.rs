//! "Did you mean …?" suggestions for unknown ids, headings and keys.

/// Levenshtein edit distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A text as names are matched: lower case, accents set aside ("Fàilte" as
/// "failte"), runs of spaces as one.
pub fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let plain: String =
        text.nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).flat_map(char::to_lowercase).collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The candidate that `word` names with accents, case and spacing set aside, else the
/// closest plausible typo of it (see `nearest`), compared folded.
pub fn nearest_name<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let w = folded(word);
    if let Some(same) = candidates.iter().find(|c| folded(c) == w) {
        return Some(same);
    }
    let folds: Vec<String> = candidates.iter().map(|c| folded(c)).collect();
    let near = nearest(&w, folds.iter().map(String::as_str))?;
    folds.iter().position(|f| f == near).map(|i| candidates[i])
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo
/// (or the word is a prefix/substring of it, as in `jobs` → `jobs_created`).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.trim().to_lowercase();
    if w.is_empty() {
        return None;
    }
    let limit = (w.chars().count() / 3).max(2);
    let w_len = w.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let lc = c.to_lowercase();
        let d = if lc.contains(&w) || w.contains(&lc) {
            // Containment is a strong signal, but still prefer the closest such candidate.
            lc.len().abs_diff(w.len()).min(2)
        } else if lc.chars().count().abs_diff(w_len) > limit {
            // The distance is at least the difference in length: too far, and a long
            // word (a 20 KB cell) need not be compared letter by letter.
            continue;
        } else {
            edit_distance(&w, &lc)
        };
        if best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn nearest_finds_typos_and_refuses_strangers() {
        let ids = ["jobs_created", "training_places", "volunteer_hours"];
        assert_eq!(nearest("jobs_creatd", ids), Some("jobs_created"));
        assert_eq!(nearest("Training_Places", ids), Some("training_places"));
        assert_eq!(nearest("volunteer", ids), Some("volunteer_hours"));
        assert_eq!(nearest("carbon", ids), None);
    }
}
