//! Cost-per-outcome sections: a dot plot of investment per outcome, cheapest first.

use super::super::chart::{ChartKind, Series};
use super::ranking::ranked;
use super::*;
use crate::aggregate::Unit;
use crate::compare::Per;

/// Cost per outcome for each peer, as a dot plot (cheapest first).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostPerOutcome {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
    /// The outcome costed.
    pub indicator: String,
    /// The peers: `organisation` or `programme`.
    #[serde(default = "super::ranking::programmes")]
    pub by: Unit,
}

impl SectionKind for CostPerOutcome {
    fn name(&self) -> &'static str {
        "cost_per_outcome"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        vec![self.indicator.as_str()]
    }

    fn needs(&self, needs: &mut Needs) {
        needs.peers(self.by, Per::Investment, self.indicator.clone());
        needs.compares_peers = true;
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, n, self.title.as_deref(), &self.indicator, self.by, out);
        Ok(())
    }
}

fn blocks(ctx: &Context, n: usize, title: Option<&str>, indicator: &str, by: Unit, out: &mut Blocks) {
    let name = ctx.library.get(indicator).map_or(indicator.to_string(), |i| i.name.to_lowercase());
    let title = title.map_or_else(|| format!("Cost per outcome: {name}"), str::to_string);
    // Peers with a cost (or one withheld, marked), cheapest first, withheld last.
    let mut rows: Vec<(crate::compare::Row, Withheld)> = ranked(ctx, indicator, by, Per::Investment)
        .into_iter()
        .filter(|(r, w)| r.cost_per_outcome.is_some() || (w.is_withheld() && r.investment.is_some()))
        .collect();
    rows.sort_by(|(a, _), (b, _)| {
        a.cost_per_outcome
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.cost_per_outcome.unwrap_or(f64::INFINITY))
            .then(a.group.cmp(&b.group))
    });
    if rows.is_empty() {
        out.heading(&title);
        out.paragraph("No peer has both outcomes and an investment in this period.", BODY, Rgb::MUTED);
        return;
    }
    let data = ChartData {
        kind: ChartKind::Dots,
        categories: rows.iter().map(|(r, _)| name_of(ctx, &r.group).to_string()).collect(),
        series: vec![Series {
            name: "£ per outcome".into(),
            values: rows.iter().map(|(r, _)| r.cost_per_outcome).collect(),
            outline: false,
        }],
        unit: "GBP".into(),
        axis: "£ invested per outcome".into(),
        withheld: super::ranking::withheld_marks(&rows),
        ..Default::default()
    };
    let height = bar_chart_height(data.categories.len());
    out.keep_chart(height);
    out.heading(&title);
    out.chart(data, height, slug(n, &title));
    out.space(4.0);
    out.paragraph("Investment in the period divided by the outcomes it bought. Cheapest first; a low cost is only good if the outcomes are comparable.", 8.0, Rgb::MUTED);
    out.space(10.0);
}
