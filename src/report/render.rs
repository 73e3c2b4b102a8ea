//! One subject's report, made in memory from what a batch prepared.

use super::*;

/// Everything a batch of reports computed once, that each subject's report reads.
pub struct Inputs<'a> {
    /// The report spec.
    pub spec: &'a Spec,
    /// The period, resolved.
    pub window: &'a spec::Window,
    /// The indicator library.
    pub library: &'a Library,
    /// Every subject's figures.
    pub figures: &'a figures::Figures,
    /// Id → display name (organisations, programmes, areas).
    pub names: &'a HashMap<String, String>,
    /// Each subject's social value (`figures::ALL` for a report about everything).
    pub values: &'a HashMap<String, GroupValue>,
    /// Valuation assumptions, for the methodology appendix.
    pub assumptions: &'a Assumptions,
    /// Every commitment's progress; each report takes its subject's.
    pub commitments: &'a [commitments::Progress],
    /// Peer comparisons for ranking sections, by indicator and per.
    pub comparisons: &'a HashMap<(Unit, spec::Per), Vec<crate::compare::Row>>,
    /// The date printed (None: the subject's latest record in the period).
    pub date: Option<chrono::NaiveDate>,
    /// A fingerprint of the inputs, printed in the footer and kept in the PDF's id.
    pub fingerprint: &'a str,
    /// One report about everything (a spec whose subject is `all`, no `--subject`).
    pub everything: bool,
}

/// One subject's report, made but not written.
pub struct Rendered {
    /// The PDF's bytes.
    pub pdf: Vec<u8>,
    /// Its page count.
    pub pages: usize,
    /// The table behind each section (for `--figures-dir`).
    pub tables: Vec<(String, polars::prelude::DataFrame)>,
    /// The charts drawn (for `--charts-dir` and their tables).
    pub charts: Vec<layout::ChartOut>,
    /// What a reader of the PDF would miss: text the typeface cannot draw.
    pub warnings: Vec<String>,
    /// Each page's drawing (for `--pages-dir`).
    pub(crate) drawn: Vec<Vec<draw::Cmd>>,
}

/// One subject's report as PDF bytes, from the batch's inputs.
pub fn render(inputs: &Inputs, subject: &str) -> Result<Rendered> {
    let (document, tables, meta) = compose(inputs, subject)?;
    let built = layout::build(&document)?;
    let warnings = undrawable_texts(&built.pages);
    let pdf = pdf::write_pdf(&built.pages, &meta)?;
    Ok(Rendered { pdf, pages: built.pages.len(), tables, charts: built.charts, warnings, drawn: built.pages })
}

/// One subject's report as an HTML page (see `html`), made from the same blocks.
pub struct RenderedHtml {
    /// The page.
    pub html: String,
    /// The table behind each section (for `--figures-dir`).
    pub tables: Vec<(String, polars::prelude::DataFrame)>,
    /// The charts drawn (for `--charts-dir` and their tables).
    pub charts: Vec<layout::ChartOut>,
}

/// One subject's report as a self-contained HTML page, from the batch's inputs.
pub fn render_html(inputs: &Inputs, subject: &str) -> Result<RenderedHtml> {
    let (document, tables, meta) = compose(inputs, subject)?;
    let generator = format!("impactkit {}", env!("CARGO_PKG_VERSION"));
    let page = html::page(&document, &meta.title, &generator)?;
    Ok(RenderedHtml { html: page.html, tables, charts: page.charts })
}

/// A subject's document as blocks, the tables behind its sections, and its metadata.
#[allow(clippy::type_complexity)]
fn compose(
    inputs: &Inputs,
    subject: &str,
) -> Result<(blocks::Document, Vec<(String, polars::prelude::DataFrame)>, pdf::DocMeta)> {
    let kind = inputs.spec.subject;
    let key = if inputs.everything { figures::ALL } else { subject };
    let subject_name = if inputs.everything {
        "All organisations".to_string()
    } else {
        inputs.names.get(subject).cloned().unwrap_or_else(|| subject.to_string())
    };
    let mine: Vec<commitments::Progress> = inputs
        .commitments
        .iter()
        .filter(|p| match kind {
            SubjectKind::All => true,
            SubjectKind::Organisation => p.commitment.supplier == subject,
            SubjectKind::Programme => p.commitment.programme.as_deref() == Some(subject),
        })
        .cloned()
        .collect();
    // The date a report states is when its data end: the subject's latest record in
    // the period, not the period's last day (data to June say so in a March report).
    let last = inputs.figures.quality(key).last.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let fingerprint = inputs.fingerprint;
    let (date, footer) = match (inputs.date, last) {
        (Some(d), _) => (d, format!("Produced {}", d.format("%-d %B %Y"))),
        (None, Some(l)) => (l, format!("Latest record {}", l.format("%-d %B %Y"))),
        (None, None) => (inputs.window.to, "No records in the period".to_string()),
    };
    let about = inputs.spec.about();
    let ctx = sections::Context {
        about: &about,
        window: inputs.window,
        library: inputs.library,
        figures: inputs.figures,
        subject: key,
        subject_name: subject_name.clone(),
        names: inputs.names,
        footer,
        fingerprint,
        value: inputs.values.get(key),
        assumptions: inputs.assumptions,
        commitments: &mine,
        comparisons: inputs.comparisons,
    };
    let (document, tables) = sections::document(&ctx, &inputs.spec.sections)?;
    let meta = pdf::DocMeta {
        title: format!("{} — {}", inputs.spec.title, subject_name),
        subject: format!("{} · {}", inputs.spec.audience, inputs.window.label),
        author: inputs.spec.author.clone().unwrap_or_else(|| "impactkit".into()),
        keywords: inputs.spec.indicators.clone(),
        date,
        id: format!("{fingerprint}/{subject}"),
    };
    Ok((document, tables, meta))
}

/// A warning when text on the pages has characters the report's typeface cannot
/// draw (they print as empty boxes): the characters, in the order met, and the first
/// text that has them.
pub(super) fn undrawable_texts(pages: &[Vec<draw::Cmd>]) -> Vec<String> {
    let mut missing: Vec<char> = Vec::new();
    let (mut first, mut texts) = (None, 0);
    for cmd in pages.iter().flatten() {
        let draw::Cmd::Text { text, .. } = cmd else { continue };
        let mut any = false;
        for c in fonts::undrawable(text) {
            any = true;
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
        if any {
            texts += 1;
            first.get_or_insert(text.as_str());
        }
    }
    let Some(first) = first else { return Vec::new() };
    let missing: String = missing.into_iter().collect();
    let shown: String = first.chars().take(60).collect();
    vec![format!(
        "the report's typeface cannot draw {} (in \"{}\"{}): {} as empty boxes",
        crate::output::escape_controls(&missing),
        crate::output::escape_controls(&shown),
        match texts {
            1 => String::new(),
            n => format!(" and {} other text{}", n - 1, if n == 2 { "" } else { "s" }),
        },
        if missing.chars().count() == 1 { "it prints" } else { "they print" }
    )]
}
