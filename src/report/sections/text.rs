//! Narrative text with placeholders (`{jobs_created.total}`), which reads right for a
//! subject with or without records of each indicator it names.

use super::*;

/// Fields a placeholder may ask of an indicator: `{id.total}` etc.
pub const PLACEHOLDER_FIELDS: [&str; 5] = ["total", "records", "target", "pct_of_target", "vs_target"];
// (`vs_target` says where the figure stands: "78% of the target of 51, ✗ off track".)
/// Placeholders that are not indicators.
pub const PLACEHOLDER_WORDS: [&str; 4] = ["subject", "period", "audience", "title"];

/// Narrative with placeholders such as `{jobs_created.total}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Heading (None: no heading).
    #[serde(default)]
    pub title: Option<String>,
    /// The text, with placeholders.
    pub text: String,
}

impl SectionKind for Text {
    fn name(&self) -> &'static str {
        "text"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        placeholders(&self.text).into_iter().filter_map(|p| p.split_once('.').map(|(id, _)| id)).collect()
    }

    fn check(&mut self, at: &At) -> Result<()> {
        check_placeholders(&self.text, at.library).map_err(|m| at.error(m))
    }

    fn needs(&self, needs: &mut Needs) {
        needs.totals(self.indicator_ids().into_iter().map(str::to_string));
    }

    fn blocks(&self, ctx: &Context, _n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, self.title.as_deref(), &self.text, out);
        Ok(())
    }

    /// The figures the text quotes (those of its sentences that are kept).
    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        let mut ids: Vec<&str> = Vec::new();
        for id in self.indicator_ids() {
            if !ids.contains(&id) && recorded(total(ctx, id)) {
                ids.push(id);
            }
        }
        let rows: Vec<&Row> = ids.iter().filter_map(|id| total(ctx, id)).collect();
        if rows.is_empty() {
            return Ok(None);
        }
        super::table::frame_of_rows(ctx, &rows, &[]).map(Some)
    }
}

/// `{a.b}` and `{word}` placeholders in a text.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push(rest[open + 1..open + close].trim());
        rest = &rest[open + close + 1..];
    }
    out
}

fn check_placeholders(text: &str, library: &Library) -> std::result::Result<(), String> {
    for p in placeholders(text) {
        match p.split_once('.') {
            None if PLACEHOLDER_WORDS.contains(&p) => {}
            None => return Err(format!("unknown placeholder `{{{p}}}`; use {{subject}}, {{period}}, {{audience}}, {{title}} or {{indicator.total}}")),
            Some((id, field)) => {
                if library.get(id).is_none() {
                    let near = library.nearest(id).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                    return Err(format!("placeholder `{{{p}}}`: unknown indicator `{id}`{near}"));
                }
                if !PLACEHOLDER_FIELDS.contains(&field) {
                    return Err(format!("placeholder `{{{p}}}`: `{field}` is not one of {}", PLACEHOLDER_FIELDS.join(", ")));
                }
            }
        }
    }
    Ok(())
}

fn blocks(ctx: &Context, title: Option<&str>, text: &str, out: &mut Blocks) {
    if let Some(t) = title {
        out.heading(t);
    }
    let filled = fill_placeholders(ctx, text);
    if filled.is_empty() {
        out.paragraph(
            &format!("{} has no records in this period for the figures this text is about.", ctx.subject_name),
            BODY,
            Rgb::MUTED,
        );
    }
    for para in filled.split("\n\n").filter(|p| !p.is_empty()) {
        out.paragraph(para, BODY, Rgb::TEXT);
        out.space(6.0);
    }
}

/// A text section with its placeholders filled. A sentence about an indicator the
/// subject has no records for is left out (it would otherwise say "0 job starts"
/// about an organisation that does not record them); a paragraph left with no
/// sentence goes too.
pub fn fill_placeholders(ctx: &Context, text: &str) -> String {
    let paragraphs = text.split("\n\n").map(|para| {
        sentences(para)
            .into_iter()
            .filter(|s| {
                placeholders(s).iter().all(|p| p.split_once('.').is_none_or(|(id, _)| recorded(total(ctx, id))))
            })
            .map(|s| fill_sentence(ctx, s))
            .collect::<String>()
    });
    paragraphs.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// A paragraph's sentences, each with its closing punctuation and the space after it.
/// A full stop inside a placeholder (`{jobs_created.total}`) does not end a sentence.
fn sentences(para: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut depth) = (0, 0usize);
    let bytes = para.as_bytes();
    for (i, c) in para.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if depth == 0 => {
                let next = bytes.get(i + 1).copied();
                if next.is_none_or(|b| b.is_ascii_whitespace()) {
                    let mut end = i + 1;
                    while bytes.get(end).is_some_and(u8::is_ascii_whitespace) {
                        end += 1;
                    }
                    out.push(&para[start..end]);
                    start = end;
                }
            }
            _ => {}
        }
    }
    if start < para.len() {
        out.push(&para[start..]);
    }
    out
}

fn fill_sentence(ctx: &Context, text: &str) -> String {
    let mut out = text.to_string();
    for p in placeholders(text) {
        let replacement = match p.split_once('.') {
            None => match p {
                "subject" => ctx.subject_name.clone(),
                "period" => ctx.window.label.clone(),
                "audience" => ctx.about.audience.clone(),
                "title" => ctx.about.title.clone(),
                _ => continue,
            },
            Some((id, field)) => {
                let unit = ctx.library.get(id).map_or("", |i| i.unit.as_str());
                let row = total(ctx, id);
                match field {
                    "total" => row.map_or_else(|| NOT_RECORDED_WORDS.to_lowercase(), |r| shown(ctx, r, unit)),
                    "records" => match row {
                        Some(r) if !r.withheld.is_withheld() => crate::output::format_figure(r.records as f64),
                        Some(r) => r.withheld.mark(ctx.figures.suppress_below.unwrap_or(0)),
                        None => NOT_RECORDED_WORDS.to_lowercase(),
                    },
                    "target" => row.and_then(|r| r.target).map_or("no target".into(), |t| value(Some(t), unit)),
                    "pct_of_target" => {
                        row.and_then(|r| pct_of_target(ctx, r)).map_or("n/a".into(), |p| format!("{p:.0}%"))
                    }
                    // A phrase that reads well with or without a target, and never
                    // "n/a": a withheld figure's progress is said to be not shown.
                    "vs_target" => match row.and_then(|r| r.target.map(|t| (r, t))) {
                        Some((r, t)) if r.withheld.is_withheld() => {
                            format!("its progress against the target of {} is not shown", value(Some(t), unit))
                        }
                        // A share of a target that is a share reads badly: "24% against a
                        // target of 55%".
                        Some((r, t)) if unit == "%" => match track(ctx, r) {
                            Some(on) => format!("against a target of {}, {on}", value(Some(t), unit)),
                            None => format!("against a target of {}", value(Some(t), unit)),
                        },
                        Some((r, t)) => match (pct_of_target(ctx, r), track(ctx, r)) {
                            (Some(p), Some(on)) => format!("{p:.0}% of the target of {}, {on}", value(Some(t), unit)),
                            (Some(p), None) => format!("{p:.0}% of the target of {}", value(Some(t), unit)),
                            _ => format!("against a target of {}", value(Some(t), unit)),
                        },
                        None => "no target was set".into(),
                    },
                    _ => continue,
                }
            }
        };
        out = out.replace(&format!("{{{p}}}"), &replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{placeholders, sentences};

    #[test]
    fn sentences_end_at_stops_outside_placeholders() {
        let s = sentences("In {period}, {a.total} jobs (50%). Volunteers gave {b.total} hours! Done? tail");
        assert_eq!(s, ["In {period}, {a.total} jobs (50%). ", "Volunteers gave {b.total} hours! ", "Done? ", "tail"]);
        // A stop not followed by a space (3.5, e.g.) does not end a sentence.
        assert_eq!(sentences("Rate 3.5 stays. Next."), ["Rate 3.5 stays. ", "Next."]);
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders("In {period}, {jobs_created.total} jobs {x"), vec!["period", "jobs_created.total"]);
    }
}
