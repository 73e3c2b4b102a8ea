//! Peer comparison sections: rankings and small multiples.

#[allow(unused_imports)]
use super::*;

/// The comparison rows for one indicator, best rank first.
pub(super) fn ranked<'a>(ctx: &'a Context, indicator: &str, by: &str, per: crate::report::spec::PerKind) -> Vec<&'a crate::compare::Row> {
    let Some(rows) = ctx.comparisons.get(&(by.to_string(), per)) else { return Vec::new() };
    let mut mine: Vec<&crate::compare::Row> = rows.iter().filter(|r| r.indicator == indicator).collect();
    mine.sort_by(|a, b| a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX)).then(a.group.cmp(&b.group)));
    mine
}

pub(super) fn ranking_table(ctx: &Context, flow: &mut Flow, rows: &[&crate::compare::Row], per: crate::report::spec::PerKind) {
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
    table(flow, &head, &body, &[false, true, true, true, true, true, true, true, false]);
    flow.paragraph(
        "Rank 1 is best (by the indicator's direction); peers with equal figures share a rank. Quartile 1 is the best quarter of peers. Priority reach: share of outcomes for people in SIMD deciles 1–2 or named priority groups. Year on year compares the last two financial years in the data.",
        8.0,
        Rgb::MUTED,
    );
    if rows.len() < MIN_PEERS_FOR_RANKS {
        flow.paragraph(
            &format!("Caution: only {} peer(s) here. With fewer than {MIN_PEERS_FOR_RANKS}, ranks and quartiles say little about who does better.", rows.len()),
            8.0,
            Rgb::WARNING,
        );
    }
    flow.y += 8.0;
}

/// Fewer peers than this and a ranking carries a caution.
const MIN_PEERS_FOR_RANKS: usize = 4;

#[allow(clippy::too_many_arguments)]
pub(super) fn small_multiples(ctx: &Context, flow: &mut Flow, charts: &mut Vec<ChartOut>, n: usize, indicator: &str, by: &str, grain: &str, span: Span) -> Result<()> {
    const PER_ROW: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 110.0;
    let span = if span == Span::ToDate { SpanKey::ToDate } else { SpanKey::Period };
    let rows = ctx.figures.rows(&Need { dims: vec![by.to_string(), grain.to_string()], span }, ctx.subject);
    let mine: Vec<&Row> = rows.iter().filter(|r| r.indicator == indicator).collect();
    let mut periods: Vec<String> = mine.iter().map(|r| r.keys[1].clone()).collect();
    periods.sort();
    periods.dedup();
    let mut peers: Vec<(String, String)> = mine.iter().map(|r| (name_of(ctx, &r.keys[0]).to_string(), r.keys[0].clone())).collect();
    peers.sort();
    peers.dedup();
    if peers.is_empty() {
        flow.paragraph("No records in this period.", BODY, Rgb::MUTED);
        return Ok(());
    }
    // One scale for all, so the panels can be compared at a glance.
    let top = mine.iter().filter_map(|r| r.value).fold(0.0, f64::max).max(1.0) * 1.12;
    let unit = ctx.library.get(indicator).map_or(String::new(), |i| i.unit.clone());
    let w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    // Short period labels in small panels: "Q2 24" rather than "2024-Q2".
    // Financial-year quarters: "Q1 24-25" rather than "2024-25 Q1".
    let short = |p: &str| match (p.split_once("-Q"), p.split_once(" Q")) {
        (Some((y, q)), _) => format!("Q{q} {}", y.get(2..).unwrap_or(y)),
        (None, Some((fy, q))) => format!("Q{q} {}", fy.get(2..).unwrap_or(fy)),
        (None, None) => p.to_string(),
    };
    let mut marks_seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for chunk in peers.chunks(PER_ROW) {
        flow.ensure(H + 18.0);
        let y = flow.y;
        for (k, (name, id)) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + GAP);
            let cell = |p: &String| mine.iter().find(|r| &r.keys[0] == id && &r.keys[1] == p);
            let data = ChartData {
                kind: ChartKind::Lines,
                categories: periods.iter().map(|p| short(p)).collect(),
                series: vec![Series { name: name.clone(), values: periods.iter().map(|p| cell(p).and_then(|r| r.value)).collect(), outline: false }],
                unit: unit.clone(),
                y_max: Some(top),
                // Withheld points are marked on the panel, not left as an unexplained gap.
                withheld: periods
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        let r = cell(p)?;
                        ctx.figures.suppress_below.filter(|_| r.withheld.is_withheld()).map(|t| (0, i, r.withheld.mark(t)))
                    })
                    .collect(),
                ..Default::default()
            };
            marks_seen.extend(data.withheld.iter().map(|w| w.2.clone()));
            let page = flow.page();
            page.push(Cmd::Text { x, y: y + 9.0, size: 8.5, bold: true, colour: Rgb::TEXT, text: fit(name, 8.5, true, w) });
            let drawn = chart::draw_vector(&data, w, H)?;
            page.extend(drawn.cmds.iter().map(|c| c.shifted(x, y + 14.0)));
            charts.push(ChartOut { slug: format!("{:02}-{}-{}", n + 1, slug(indicator), slug(id)), data, width: w, height: H });
        }
        flow.y += H + 22.0;
    }
    if !marks_seen.is_empty() {
        let marks: Vec<String> = marks_seen.into_iter().collect();
        flow.paragraph(
            &format!("Gaps are withheld figures, marked on the axis ({}) or, where a panel has no room for the mark, by an open circle.", marks.join(", ")),
            8.0,
            Rgb::MUTED,
        );
    }
    Ok(())
}
