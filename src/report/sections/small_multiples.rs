//! Small-multiples sections: one small trend chart per peer, on one scale.

use super::super::chart::{ChartKind, Series};
use super::super::need::{Need, SpanKey};
use super::super::terms::Span;
use super::*;
use crate::aggregate::Dimension;

/// One small trend chart per peer, all on the same scale.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmallMultiples {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
    /// The indicator charted.
    pub indicator: String,
    /// The peers: `organisation` or `programme`.
    #[serde(default = "programme")]
    pub by: String,
    /// The period of each point: `month`, `quarter`, `financial_year` or `year`.
    #[serde(default = "quarter")]
    pub grain: String,
    /// The report's period, or everything up to its end.
    #[serde(default)]
    pub span: Span,
}

fn programme() -> String {
    "programme".into()
}

fn quarter() -> String {
    "quarter".into()
}

impl SectionKind for SmallMultiples {
    fn name(&self) -> &'static str {
        "small_multiples"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        vec![self.indicator.as_str()]
    }

    fn check(&mut self, at: &At) -> Result<()> {
        for d in [&self.by, &self.grain] {
            Dimension::parse_list(d).map_err(|e| at.error(e))?;
        }
        if crate::aggregate::Grain::parse(&self.grain).is_none() {
            return Err(at.error("`grain` is year, quarter, month, financial_year or financial_quarter"));
        }
        Ok(())
    }

    fn needs(&self, needs: &mut Needs) {
        let span = if self.span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
        needs.grouping(Need { dims: vec![self.by.clone(), self.grain.clone()], span }, [self.indicator.clone()]);
        needs.compares_peers = true;
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, n, self.title.as_deref(), &self.indicator, &self.by, &self.grain, self.span, out);
        Ok(())
    }
}

/// One small trend chart per peer, on one scale.
#[allow(clippy::too_many_arguments)]
fn blocks(
    ctx: &Context,
    n: usize,
    title: Option<&str>,
    indicator: &str,
    by: &str,
    grain: &str,
    span: Span,
    out: &mut Blocks,
) {
    let name = ctx.library.get(indicator).map_or(indicator.to_string(), |i| i.name.clone());
    let title = title.map_or_else(|| format!("{name}: trend for each {}", by.replace('_', " ")), str::to_string);
    out.heading(&title);
    let span = if span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
    let rows = ctx.figures.rows(&Need { dims: vec![by.to_string(), grain.to_string()], span }, ctx.subject);
    let mine: Vec<&Row> = rows.iter().filter(|r| r.indicator == indicator).collect();
    let mut periods: Vec<String> = mine.iter().map(|r| r.keys[1].clone()).collect();
    periods.sort();
    periods.dedup();
    let mut peers: Vec<(String, String)> =
        mine.iter().map(|r| (name_of(ctx, &r.keys[0]).to_string(), r.keys[0].clone())).collect();
    peers.sort();
    peers.dedup();
    if peers.is_empty() {
        out.paragraph("No records in this period.", BODY, Rgb::MUTED);
        return;
    }
    // One scale for all, so the panels can be compared at a glance.
    let top = mine.iter().filter_map(|r| r.value).fold(0.0, f64::max).max(1.0) * 1.12;
    let unit = ctx.library.get(indicator).map_or(String::new(), |i| i.unit.clone());
    // Periods as everywhere else in the report ("2024-25 Q1"); a narrow panel shows
    // every other label rather than a second format.
    let short = |p: &str| p.to_string();
    let mut marks_seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let panels: Vec<Panel> = peers
        .iter()
        .map(|(name, id)| {
            let cell = |p: &String| mine.iter().find(|r| &r.keys[0] == id && &r.keys[1] == p);
            let data = ChartData {
                kind: ChartKind::Lines,
                categories: periods.iter().map(|p| short(p)).collect(),
                series: vec![Series {
                    name: name.clone(),
                    values: periods.iter().map(|p| cell(p).and_then(|r| r.value)).collect(),
                    outline: false,
                }],
                unit: unit.clone(),
                y_max: Some(top),
                // Withheld points are marked on the panel, not left as an unexplained gap.
                withheld: periods
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| cell(p).and_then(|r| mark(ctx, r)).map(|m| (0, i, m)))
                    .collect(),
                ..Default::default()
            };
            marks_seen.extend(data.withheld.iter().map(|w| w.2.clone()));
            Panel { title: name.clone(), data, slug: format!("{}-{}", slug(n, indicator), slug_text(id)) }
        })
        .collect();
    out.panels(panels);
    if !marks_seen.is_empty() {
        let marks: Vec<String> = marks_seen.into_iter().collect();
        out.paragraph(
            &format!("Gaps are withheld figures, marked on the axis ({}) or, where a panel has no room for the mark, by an open circle.", marks.join(", ")),
            8.0,
            Rgb::MUTED,
        );
    }
}
