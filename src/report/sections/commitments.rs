//! The community benefit commitments section: each commitment against delivery,
//! social value as a share of contract value, and a chart of % delivered.

use super::super::chart::{ChartKind, Series};
use super::super::format::unit_word;
use super::*;

/// The commitments table, what each contract delivered, and a chart of % delivered.
pub(super) fn blocks(ctx: &Context, n: usize, title: Option<&str>, out: &mut Blocks) {
    let title = title.unwrap_or("Community benefit commitments");
    out.heading(title);
    let Some(data) = delivered_chart(ctx, out) else { return };
    let height = bar_chart_height(data.categories.len());
    out.keep_together(height + 30.0);
    out.line("Share of each commitment delivered", 10.0, true, 16.0);
    out.chart(data, height, slug(n, title));
    out.space(10.0);
}

/// The table and summaries; returns the chart of % delivered when there is anything to show.
fn delivered_chart(ctx: &Context, out: &mut Blocks) -> Option<ChartData> {
    if ctx.commitments.is_empty() {
        out.paragraph(&format!("No community benefit commitments for {}.", ctx.subject_name), BODY, Rgb::MUTED);
        return None;
    }
    let head: Vec<String> = ["Contract", "Supplier", "Commitment", "Committed", "Delivered", "%", "Status", "Due"].iter().map(|s| s.to_string()).collect();
    let unit_of = |id: &str| ctx.library.get(id).map_or(String::new(), |i| i.unit.clone());
    let rows: Vec<Vec<String>> = ctx
        .commitments
        .iter()
        .map(|p| {
            let c = &p.commitment;
            let unit = unit_of(&c.indicator);
            vec![
                c.contract.clone(),
                name_of(ctx, &c.supplier).to_string(),
                // The unit in words beside the name, as in other tables ("£" and "%" carry their own).
                ctx.library.get(&c.indicator).map_or(c.indicator.clone(), |i| match unit_word(&i.unit) {
                    "" => i.name.clone(),
                    u => format!("{} ({u})", i.name),
                }),
                value(Some(c.committed), &unit),
                if p.records == 0 { "none recorded".to_string() } else { value(Some(p.delivered), &unit) },
                p.pct_delivered().filter(|_| p.records > 0).map_or("–".into(), |v| format!("{v:.0}%")),
                p.status.label().to_string(),
                c.due.format("%-d %b %Y").to_string(),
            ]
        })
        .collect();
    out.table(head, rows, vec![false, false, false, true, true, true, false, true]);
    let mut contracts: Vec<&str> = ctx.commitments.iter().map(|p| p.commitment.contract.as_str()).collect();
    contracts.dedup();
    let summary: Vec<String> = contracts
        .iter()
        .map(|c| {
            let mine: Vec<&crate::commitments::Progress> = ctx.commitments.iter().filter(|p| p.commitment.contract == *c).collect();
            let cv = mine.first().map_or(0.0, |p| p.commitment.contract_value);
            // Only outcomes with a financial proxy have a social value: with none, say so
            // rather than print £0.00 as if the delivery were worth nothing.
            let valued: Vec<f64> = mine.iter().filter_map(|p| p.social_value).collect();
            if valued.is_empty() {
                return format!("{c}: no committed outcome has a financial proxy, so no social value is given");
            }
            let sv: f64 = valued.iter().sum::<f64>() + 0.0;
            let share = if cv > 0.0 { format!("{:.1}% of the contract's {}", sv / cv * 100.0, money(cv)) } else { "no contract value given".to_string() };
            format!("{c}: social value delivered {} ({share})", money(sv))
        })
        .collect();
    out.paragraph(&summary.join("; "), 8.5, Rgb::MUTED);
    out.paragraph(
        "Status: met when delivered; missed when due and not delivered; otherwise on track when delivery is at least 90% of the commitment's pro-rata share for the time elapsed, and at risk when it is not. Social value here is delivered quantity × proxy, before SROI adjustments.",
        8.0,
        Rgb::MUTED,
    );
    out.space(8.0);
    // Bar labels stay short enough to read whole: the contract is named only when the
    // chart has more than one (the table above has every full label).
    let one_contract = contracts.len() == 1;
    Some(ChartData {
        kind: ChartKind::Bars,
        categories: ctx
            .commitments
            .iter()
            .map(|p| {
                let name = ctx.library.get(&p.commitment.indicator).map_or(p.commitment.indicator.as_str(), |i| i.name.as_str());
                if one_contract { name.to_string() } else { format!("{name} ({})", p.commitment.contract) }
            })
            .collect(),
        series: vec![Series { name: "% delivered".into(), values: ctx.commitments.iter().map(|p| p.pct_delivered().filter(|_| p.records > 0)).collect(), outline: false }],
        unit: "%".into(),
        axis: "% of the commitment delivered".into(),
        ..Default::default()
    })
}
