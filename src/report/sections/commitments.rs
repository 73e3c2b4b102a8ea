//! The community benefit commitments section: each commitment against delivery,
//! social value as a share of contract value, and a chart of % delivered.

use super::super::chart::{ChartKind, Series};
use super::super::format::unit_word;
use super::*;

/// Community Benefit Clause commitments against delivery (needs --commitments).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitments {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
}

impl SectionKind for Commitments {
    fn name(&self) -> &'static str {
        "commitments"
    }

    fn needs(&self, needs: &mut Needs) {
        needs.commitments = true;
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, n, self.title.as_deref(), out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        if ctx.commitments.is_empty() {
            return Ok(None);
        }
        table(ctx).map(Some)
    }
}

/// The commitments table, what each contract delivered, and a chart of % delivered.
fn blocks(ctx: &Context, n: usize, title: Option<&str>, out: &mut Blocks) {
    let title = title.unwrap_or("Community benefit commitments");
    out.heading(title);
    let Some(data) = delivered_chart(ctx, out) else { return };
    let height = bar_chart_height(data.categories.len());
    out.keep_chart(height);
    out.line("Share of each commitment delivered", 10.0, true, 16.0);
    out.chart(data, height, slug(n, title));
    out.space(10.0);
}

/// A delivered count of 1 to threshold − 1 people is withheld: its own figure, its
/// share of the commitment (committed × share gives it back), its bar, and the
/// contract's social value when the count is valued (the total less the rest).
pub(super) fn withheld_delivery(ctx: &Context, p: &crate::commitments::Progress) -> Option<String> {
    let t = ctx.figures.suppress_below?;
    let key = (p.commitment.contract.clone(), p.commitment.indicator.clone());
    ctx.figures.commitments_withheld.get(&key).filter(|w| w.is_withheld()).map(|w| w.mark(t))
}

/// The table and summaries; returns the chart of % delivered when there is anything to show.
fn delivered_chart(ctx: &Context, out: &mut Blocks) -> Option<ChartData> {
    if ctx.commitments.is_empty() {
        out.paragraph(&format!("No community benefit commitments for {}.", ctx.subject_name), BODY, Rgb::MUTED);
        return None;
    }
    let head: Vec<String> = ["Contract", "Supplier", "Commitment", "Committed", "Delivered", "%", "Status", "Counted"]
        .iter()
        .map(|s| s.to_string())
        .collect();
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
                match (p.records, withheld_delivery(ctx, p)) {
                    (0, _) => "none recorded".to_string(),
                    (_, Some(mark)) => mark,
                    _ => value(Some(p.delivered), &unit),
                },
                match withheld_delivery(ctx, p) {
                    Some(_) => crate::privacy::RATE_MARK.to_string(),
                    None => p.pct_delivered().filter(|_| p.records > 0).map_or("–".into(), |v| format!("{v:.0}%")),
                },
                p.status.label().to_string(),
                format!("{} to {}", c.start.format("%-d %B %Y"), c.due.min(ctx.window.to).format("%-d %B %Y")),
            ]
        })
        .collect();
    out.table(head, rows, vec![false, false, false, true, true, true, false, true]);
    let mut contracts: Vec<&str> = ctx.commitments.iter().map(|p| p.commitment.contract.as_str()).collect();
    contracts.dedup();
    let summary: Vec<String> = contracts
        .iter()
        .map(|c| {
            let mine: Vec<&crate::commitments::Progress> =
                ctx.commitments.iter().filter(|p| p.commitment.contract == *c).collect();
            let cv = mine.first().map_or(0.0, |p| p.commitment.contract_value);
            // Only outcomes with a financial proxy have a social value: with none, say so
            // rather than print £0.00 as if the delivery were worth nothing.
            let valued: Vec<f64> = mine.iter().filter_map(|p| p.social_value).collect();
            if valued.is_empty() {
                return format!("{c}: no committed outcome has a financial proxy, so no social value is given");
            }
            if mine.iter().any(|p| p.social_value.is_some() && withheld_delivery(ctx, p).is_some()) {
                return format!("{c}: social value not shown, as it would give away a withheld count of people");
            }
            let sv: f64 = valued.iter().sum::<f64>() + 0.0;
            let share = if cv > 0.0 {
                format!("{:.1}% of the contract's {}", sv / cv * 100.0, money(cv))
            } else {
                "no contract value given".to_string()
            };
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
                let name = ctx
                    .library
                    .get(&p.commitment.indicator)
                    .map_or(p.commitment.indicator.as_str(), |i| i.name.as_str());
                if one_contract {
                    name.to_string()
                } else {
                    format!("{name} ({})", p.commitment.contract)
                }
            })
            .collect(),
        series: vec![Series {
            name: "% delivered".into(),
            values: ctx
                .commitments
                .iter()
                // Whole percentages, as the table prints them.
                .map(|p| {
                    p.pct_delivered().filter(|_| p.records > 0 && withheld_delivery(ctx, p).is_none()).map(f64::round)
                })
                .collect(),
            outline: false,
        }],
        withheld: ctx
            .commitments
            .iter()
            .enumerate()
            .filter_map(|(i, p)| withheld_delivery(ctx, p).map(|_| (0, i, crate::privacy::RATE_MARK.to_string())))
            .collect(),
        unit: "%".into(),
        axis: "% of the commitment delivered".into(),
        // The line every commitment aims at, and each row's status in words.
        reference: Some(100.0),
        words: ctx.commitments.iter().map(|p| p.status.label().to_string()).collect(),
        ..Default::default()
    })
}

/// The commitments as a table, withheld as the report's protection says
/// (`commitments::blank_withheld`, as `impact commitments` blanks its own).
fn table(ctx: &Context) -> Result<DataFrame> {
    let mut frame = crate::commitments::to_frame(ctx.commitments)?;
    if ctx.figures.suppress_below.is_some() {
        crate::commitments::blank_withheld(&mut frame, &ctx.figures.commitments_withheld)?;
    }
    Ok(frame)
}
