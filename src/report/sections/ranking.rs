//! Ranking sections: peers ranked per £10k invested or per participant, as a bar
//! chart and a table with quartiles and cautions.

use super::super::chart::{ChartKind, Series};
use super::super::spec::PerKind;
use super::*;

pub(super) fn blocks(ctx: &Context, n: usize, title: Option<&str>, indicator: &str, per: PerKind, by: &str, out: &mut Blocks) {
    let name = ctx.library.get(indicator).map_or(indicator.to_string(), |i| i.name.clone());
    let measure = if per == PerKind::Investment { "per £10k invested" } else { "per participant" };
    let title = title.map_or_else(|| format!("{name} {measure}"), str::to_string);
    let rows = ranked(ctx, indicator, by, per);
    if rows.is_empty() {
        out.heading(&title);
        out.paragraph("No peers to compare in this period.", BODY, Rgb::MUTED);
        return;
    }
    let data = ChartData {
        kind: ChartKind::Bars,
        categories: rows.iter().map(|r| name_of(ctx, &r.group).to_string()).collect(),
        series: vec![Series { name: measure.into(), values: rows.iter().map(|r| if per == PerKind::Investment { r.per_10k } else { r.per_participant }).collect(), outline: false }],
        axis: format!("{} {measure}", ctx.library.get(indicator).map_or("", |i| unit_symbol(&i.unit))),
        ..Default::default()
    };
    let height = bar_chart_height(data.categories.len());
    out.keep_together(height + 60.0);
    out.heading(&title);
    out.chart(data, height, slug(n, &title));
    out.space(8.0);
    ranking_table(ctx, out, &rows, per);
}

/// The ranking's rows as a table.
pub(super) fn table(ctx: &Context, indicator: &str, by: &str, per: PerKind) -> Result<DataFrame> {
    let rows: Vec<crate::compare::Row> = ranked(ctx, indicator, by, per).into_iter().cloned().collect();
    crate::compare::to_frame(&rows, if by == "organisation" { "organisation" } else { "programme" })
}

/// The comparison rows for one indicator, best rank first.
pub(super) fn ranked<'a>(ctx: &'a Context, indicator: &str, by: &str, per: crate::report::spec::PerKind) -> Vec<&'a crate::compare::Row> {
    let Some(rows) = ctx.comparisons.get(&(by.to_string(), per)) else { return Vec::new() };
    let mut mine: Vec<&crate::compare::Row> = rows.iter().filter(|r| r.indicator == indicator).collect();
    mine.sort_by(|a, b| a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX)).then(a.group.cmp(&b.group)));
    mine
}

fn ranking_table(ctx: &Context, out: &mut Blocks, rows: &[&crate::compare::Row], per: crate::report::spec::PerKind) {
    let per_label = if per == crate::report::spec::PerKind::Investment { "Per £10k" } else { "Per person" };
    let head: Vec<String> = ["Peer", "Outcomes", per_label, "£ per outcome", "Priority reach", "Year on year", "Rank", "Quartile", "Caution"].iter().map(|s| s.to_string()).collect();
    let num = |v: Option<f64>, d: usize| v.map_or("–".to_string(), |v| format!("{v:.d$}"));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                name_of(ctx, &r.group).to_string(),
                value(r.value, ""),
                if per == crate::report::spec::PerKind::Investment { num(r.per_10k, 2) } else { num(r.per_participant, 3) },
                r.cost_per_outcome.map_or("–".into(), |c| value(Some(c), "GBP")),
                r.priority_share.map_or("–".into(), |p| format!("{p:.0}%")),
                r.yoy_change.map_or("–".into(), |c| format!("{c:+.0}%")),
                r.rank.map_or("–".into(), |v| v.to_string()),
                r.quartile.map_or("–".into(), |q| format!("Q{q}")),
                r.flags.join("; "),
            ]
        })
        .collect();
    out.table(head, body, vec![false, true, true, true, true, true, true, true, false]);
    out.paragraph(
        "Rank 1 is best (by the indicator's direction); peers with equal figures share a rank. Quartile 1 is the best quarter of peers. Priority reach: share of outcomes for people in SIMD deciles 1–2 or named priority groups. Year on year compares the last two financial years in the data.",
        8.0,
        Rgb::MUTED,
    );
    if rows.len() < MIN_PEERS_FOR_RANKS {
        out.paragraph(
            &format!("Caution: only {} peer(s) here. With fewer than {MIN_PEERS_FOR_RANKS}, ranks and quartiles say little about who does better.", rows.len()),
            8.0,
            Rgb::WARNING,
        );
    }
    out.space(8.0);
}

/// Fewer peers than this and a ranking carries a caution.
const MIN_PEERS_FOR_RANKS: usize = 4;


