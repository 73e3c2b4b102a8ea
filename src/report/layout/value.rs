//! Social value, impact map, tornado and commitments sections.

#[allow(unused_imports)]
use super::*;

pub(super) fn money(v: f64) -> String {
    value(Some(v), "GBP")
}

pub(super) fn social_value(ctx: &Context, flow: &mut Flow) {
    let Some(g) = ctx.value.filter(|g| !g.lines.is_empty()) else {
        flow.paragraph(&format!("No outcomes with a financial proxy were recorded for {} in this period.", ctx.subject_name), BODY, Rgb::MUTED);
        return;
    };
    let pv = g.present_value();
    let tiles: Vec<(String, String, String)> = vec![
        (money(pv), "Social value (present value)".into(), String::new()),
        (g.investment.map_or("–".into(), money), "Investment in the period".into(), String::new()),
        (g.ratio().map_or("–".into(), |r| format!("£{r:.2}")), "Social value per £1 invested (SROI)".into(), String::new()),
        (g.npv().map_or("–".into(), money), "Net present value".into(), String::new()),
        (g.payback_months().map_or("–".into(), |m| format!("{m:.0}")), "Payback period".into(), "months".into()),
        (money(g.lines.iter().map(|l| l.gross()).sum()), "Gross value in the first year, before adjustments".into(), String::new()),
    ];
    tile_grid(flow, &tiles);
    let rate = g.rate * 100.0;
    let mut text = format!(
        "Values use {} outcome(s) with financial proxies, adjusted for deadweight, attribution and displacement, lasting each outcome's duration with drop-off, and discounted at {rate:.1}% a year{}.",
        g.lines.len(),
        if (g.rate - crate::value::assumptions::GREEN_BOOK_RATE).abs() < 1e-12 { " (HM Treasury Green Book)" } else { "" }
    );
    // The headline ratio never stands without the range the sensitivity tests give it.
    if let Some(ratio) = g.ratio() {
        let tests = crate::value::sensitivity::analyse(g, ctx.assumptions);
        let all = tests.iter().flat_map(|t| [t.sroi_low, t.sroi_high]).chain([ratio]);
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        if !tests.is_empty() {
            text.push_str(&format!(
                " The SROI ratio of £{ratio:.2} per £1 ranges from £{lo:.2} to £{hi:.2} when each assumption is varied on its own ({}).",
                tests.iter().map(|t| format!("{} ×{}–×{}", t.parameter.replace('_', " "), t.low, t.high)).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if g.investment.is_none() {
        text.push_str(" No investment is recorded for this subject, so there is no ratio: give a programmes table or [investment] in the assumptions file.");
    } else {
        text.push_str(" Investment is the programme's funding spread evenly over its dates, for the share falling in this period.");
    }
    flow.paragraph(&text, 8.5, Rgb::MUTED);
    for warning in double_counting(ctx, g) {
        flow.y += 4.0;
        flow.paragraph(&warning, 8.5, Rgb::WARNING);
    }
    flow.y += 6.0;
}

/// A warning for each chain of outcomes (library `chain`) with more than one valued
/// step: the steps happen to the same people, so adding their values counts twice.
fn double_counting(ctx: &Context, g: &crate::value::GroupValue) -> Vec<String> {
    let mut chains: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for line in &g.lines {
        if let Some(ind) = ctx.library.get(&line.indicator) {
            if let Some(chain) = &ind.chain {
                let steps = chains.entry(chain.as_str()).or_default();
                if !steps.contains(&ind.name.as_str()) {
                    steps.push(ind.name.as_str());
                }
            }
        }
    }
    chains
        .into_iter()
        .filter(|(_, steps)| steps.len() > 1)
        .map(|(chain, steps)| {
            format!(
                "Possible double counting: {} are steps of one chain of outcomes (\"{}\") for the same people, and the social value above adds all of them. Value the chain once (for example its last step only) before publishing this total.",
                match steps.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                    _ => steps.join(""),
                },
                chain.replace('_', " ")
            )
        })
        .collect()
}

/// Tiles: (big value, label, unit word).
pub(super) fn tile_grid(flow: &mut Flow, tiles: &[(String, String, String)]) {
    const PER_ROW: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 64.0;
    let w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    // The tiles read as one set: never split across pages.
    flow.ensure(tiles.len().div_ceil(PER_ROW) as f32 * (H + GAP));
    for chunk in tiles.chunks(PER_ROW) {
        flow.ensure(H + GAP);
        let y = flow.y;
        for (k, (big, label, unit)) in chunk.iter().enumerate() {
            let x = MARGIN + k as f32 * (w + GAP);
            let page = flow.page();
            page.push(Cmd::Rect { x, y, w, h: H, fill: Some(Rgb::TINT), stroke: None });
            page.push(Cmd::Rect { x, y, w: 3.0, h: H, fill: Some(Rgb::ACCENT), stroke: None });
            let big = fit(big, 18.0, true, w - 20.0);
            page.push(Cmd::Text { x: x + 12.0, y: y + 26.0, size: 18.0, bold: true, colour: Rgb::ACCENT, text: big.clone() });
            if !unit.is_empty() {
                page.push(Cmd::Text { x: x + 16.0 + text_width(&big, 18.0, true), y: y + 26.0, size: 8.5, bold: false, colour: Rgb::MUTED, text: unit.clone() });
            }
            for (l, line) in wrap(label, 8.5, false, w - 20.0).into_iter().take(2).enumerate() {
                page.push(Cmd::Text { x: x + 12.0, y: y + 43.0 + l as f32 * 11.0, size: 8.5, bold: false, colour: Rgb::TEXT, text: line });
            }
        }
        flow.y += H + GAP;
    }
}

pub(super) fn impact_map(ctx: &Context, flow: &mut Flow) {
    let Some(g) = ctx.value.filter(|g| !g.lines.is_empty()) else {
        flow.paragraph("No outcomes with a financial proxy in this period.", BODY, Rgb::MUTED);
        return;
    };
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let head: Vec<String> = ["Stakeholder", "Outcome", "Quantity", "Proxy", "Dead-wt", "Attrib.", "Displ.", "Drop-off", "Years", "Present value"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = g
        .lines
        .iter()
        .map(|l| {
            let p = &l.params;
            vec![
                l.stakeholder.clone(),
                l.outcome.clone(),
                value(Some(l.quantity), &l.unit),
                money(p.value),
                pct(p.deadweight),
                pct(p.attribution),
                pct(p.displacement),
                pct(p.drop_off),
                p.duration_years.to_string(),
                money(l.present_value(g.rate)),
            ]
        })
        .collect();
    let numeric = [false, false, true, true, true, true, true, true, true, true];
    table(flow, &head, &rows, &numeric);
    flow.paragraph("Dead-wt: deadweight; Attrib.: attribution; Displ.: displacement. Proxy sources are listed in the methodology appendix. Quantity × proxy = gross value; × (1 − deadweight) × (1 − attribution) × (1 − displacement) = first-year impact; later years fall by the drop-off; each year is discounted.", 8.0, Rgb::MUTED);
    flow.y += 6.0;
}

pub(super) fn tornado_data(ctx: &Context) -> Option<(ChartData, Vec<String>)> {
    let g = ctx.value.filter(|g| !g.lines.is_empty())?;
    let base = g.ratio()?;
    let rows = crate::value::sensitivity::analyse(g, ctx.assumptions);
    let label = |p: &str| match p {
        "value" => "Proxy values",
        "deadweight" => "Deadweight",
        "attribution" => "Attribution",
        "displacement" => "Displacement",
        "drop_off" => "Drop-off",
        "duration_years" => "Duration",
        "discount_rate" => "Discount rate",
        other => other,
    }
    .to_string();
    let data = ChartData {
        kind: ChartKind::Tornado,
        categories: rows.iter().map(|r| format!("{} ×{}–×{}", label(r.parameter), r.low, r.high)).collect(),
        series: vec![
            Series { name: "SROI at the low multiplier".into(), values: rows.iter().map(|r| Some(r.sroi_low)).collect(), outline: false },
            Series { name: "SROI at the high multiplier".into(), values: rows.iter().map(|r| Some(r.sroi_high)).collect(), outline: false },
        ],
        unit: String::new(),
        base: Some(base),
        ..Default::default()
    };
    let mut notes = vec![format!("The line is the SROI ratio with every assumption as stated: £{base:.2} per £1.")];
    let breaks: Vec<String> = rows
        .iter()
        .filter_map(|r| r.break_even.map(|m| format!("{} ×{m:.2}", label(r.parameter).to_lowercase())))
        .collect();
    notes.push(if breaks.is_empty() {
        "No single assumption, varied alone, brings the ratio to £1 per £1.".into()
    } else {
        format!("The ratio reaches £1 per £1 (break-even) at: {}.", breaks.join("; "))
    });
    Some((data, notes))
}

/// The commitments table; returns the chart of % delivered when there is anything to show.
pub(super) fn commitments(ctx: &Context, flow: &mut Flow) -> Option<ChartData> {
    if ctx.commitments.is_empty() {
        flow.paragraph(&format!("No community benefit commitments for {}.", ctx.subject_name), BODY, Rgb::MUTED);
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
    table(flow, &head, &rows, &[false, false, false, true, true, true, false, true]);
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
    flow.paragraph(&summary.join("; "), 8.5, Rgb::MUTED);
    flow.paragraph(
        "Status: met when delivered; missed when due and not delivered; otherwise on track when delivery is at least 90% of the commitment's pro-rata share for the time elapsed, and at risk when it is not. Social value here is delivered quantity × proxy, before SROI adjustments.",
        8.0,
        Rgb::MUTED,
    );
    flow.y += 8.0;
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
        ..Default::default()
    })
}
