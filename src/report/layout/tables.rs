//! Tables (splitting across pages, wrapping cells), data quality and methodology.

#[allow(unused_imports)]
use super::*;

/// Header, rows and which columns are numbers.
pub(super) fn table_rows(ctx: &Context, by: &[String], ids: &[String]) -> (Vec<String>, Vec<Vec<String>>, Vec<bool>) {
    let need = Need { dims: by.to_vec(), span: SpanKey::Period };
    let rows = ctx.figures.rows(&need, ctx.subject);
    let has_targets = rows.iter().any(|r| r.target.is_some());
    let mut head: Vec<String> = by.iter().map(|d| title_case(d)).collect();
    head.extend(["Indicator".to_string(), "Value".to_string(), "Records".to_string()]);
    if has_targets {
        head.extend(["Target".to_string(), "% of target".to_string()]);
    }
    let mut numeric = vec![false; by.len() + 1];
    numeric.extend(vec![true; head.len() - by.len() - 1]);
    let mut out = Vec::new();
    let shown_keys = |r: &Row| -> Vec<String> {
        r.keys.iter().zip(by).map(|(k, d)| if crate::aggregate::Grain::parse(d).is_some() { k.clone() } else { name_of(ctx, k).to_string() }).collect()
    };
    let mut sorted: Vec<(Vec<String>, &Row)> = rows.iter().filter(|r| ids.contains(&r.indicator)).map(|r| (shown_keys(r), r)).collect();
    let order = |id: &str| ids.iter().position(|i| i == id).unwrap_or(usize::MAX);
    // Rows in the order a reader looks for them: by the names shown, then the spec's indicator order.
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(order(&a.1.indicator).cmp(&order(&b.1.indicator))));
    for (mut cells, r) in sorted {
        let Some(ind) = ctx.library.get(&r.indicator) else { continue };
        let unit = unit_word(&ind.unit);
        cells.push(if unit.is_empty() { ind.name.clone() } else { format!("{} ({unit})", ind.name) });
        cells.push(shown(ctx, r, &ind.unit));
        cells.push(if r.withheld.is_withheld() { "–".into() } else { crate::output::format_figure(r.records as f64) });
        if has_targets {
            cells.push(if r.target.is_some() { value(r.target, &ind.unit) } else { "–".into() });
            cells.push(pct_of_target(ctx, r).map_or("–".into(), |p| format!("{p:.0}%")));
        }
        out.push(cells);
    }
    (head, out, numeric)
}

pub(super) fn title_case(s: &str) -> String {
    let s = s.replace('_', " ");
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// Column widths for a table at a font size, and whether every column got at least
/// its minimum (numbers whole, no word broken).
pub(super) fn column_widths(head: &[String], rows: &[Vec<String>], numeric: &[bool], size: f32) -> (Vec<f32>, bool) {
    let cols = head.len();
    let content = |c: usize| rows.iter().map(|r| text_width(&r[c], size, false)).fold(0.0, f32::max);
    let widest_word = |c: usize| head[c].split_whitespace().map(|w| text_width(w, size, true)).fold(0.0, f32::max);
    let longest_word = |c: usize| rows.iter().flat_map(|r| r[c].split_whitespace()).map(|w| text_width(w, size, false)).fold(widest_word(c), f32::max).min(120.0) + 8.0;
    let natural: Vec<f32> = (0..cols).map(|c| content(c).max(text_width(&head[c], size, true)) + 8.0).collect();
    // Numbers keep their width (headings wrap onto two lines to let them).
    let minimum: Vec<f32> = (0..cols).map(|c| if numeric[c] { content(c).max(widest_word(c)) + 8.0 } else { longest_word(c) }).collect();
    let mut widths: Vec<f32> = (0..cols).map(|c| if numeric[c] { minimum[c] } else { natural[c] }).collect();
    let fixed: f32 = (0..cols).filter(|c| numeric[*c]).map(|c| widths[c]).sum();
    let flexible: f32 = (0..cols).filter(|c| !numeric[*c]).map(|c| widths[c]).sum();
    if fixed + flexible <= CONTENT_W {
        if let Some(last_text) = numeric.iter().rposition(|n| !n) {
            widths[last_text] += CONTENT_W - fixed - flexible;
        }
        return (widths, true);
    }
    // Text columns share what is left in proportion to their natural width, but never
    // below their longest word; any overshoot comes back from those with room to spare.
    let room = (CONTENT_W - fixed).max(0.0);
    for c in 0..cols {
        if !numeric[c] {
            widths[c] = (natural[c] / flexible.max(1.0) * room).max(minimum[c]);
        }
    }
    let excess = widths.iter().sum::<f32>() - CONTENT_W;
    let slack: f32 = (0..cols).map(|c| widths[c] - minimum[c]).sum();
    if excess > 0.0 && slack > 0.0 {
        let take = (excess / slack).min(1.0);
        for c in 0..cols {
            widths[c] -= (widths[c] - minimum[c]) * take;
        }
    }
    let total: f32 = widths.iter().sum();
    if total > CONTENT_W + 0.01 {
        widths.iter_mut().for_each(|w| *w *= CONTENT_W / total);
        return (widths, false);
    }
    (widths, true)
}

/// A table that splits across pages, repeating its heading row. Text cells wrap
/// (up to three lines); a wide table steps down a font size before anything is cut.
pub(super) fn table(flow: &mut Flow, head: &[String], rows: &[Vec<String>], numeric: &[bool]) {
    const MAX_LINES: usize = 3;
    if rows.is_empty() {
        flow.paragraph("No figures for this period.", BODY, Rgb::MUTED);
        return;
    }
    let (size, widths) = [8.5f32, 7.5, 6.5]
        .iter()
        .map(|s| (*s, column_widths(head, rows, numeric, *s)))
        .find(|(_, (_, fits))| *fits)
        .map_or_else(|| (6.5, column_widths(head, rows, numeric, 6.5).0), |(s, (w, _))| (s, w));
    let line = size * 1.24;
    let pad = size * 0.53;
    let lines_of = |cell: &str, c: usize, bold: bool| -> Vec<String> {
        let w = widths[c] - 7.0;
        if numeric[c] && !bold {
            return vec![fit(cell, size, bold, w)];
        }
        let mut lines = wrap(cell, size, bold, w);
        if lines.len() > MAX_LINES {
            lines.truncate(MAX_LINES);
            let last = format!("{}…", lines[MAX_LINES - 1]);
            lines[MAX_LINES - 1] = fit(&last, size, bold, w);
        }
        lines
    };
    let row_height = |cells: &[String], bold: bool| -> f32 {
        let n = cells.iter().enumerate().map(|(c, cell)| lines_of(cell, c, bold).len()).max().unwrap_or(1);
        n as f32 * line + pad
    };
    let draw_row = |flow: &mut Flow, cells: &[String], bold: bool, fill: Option<Rgb>| {
        let h = row_height(cells, bold);
        let y = flow.y;
        let page = flow.page();
        if let Some(f) = fill {
            page.push(Cmd::Rect { x: MARGIN, y, w: CONTENT_W, h, fill: Some(f), stroke: None });
        }
        let mut x = MARGIN;
        for (c, cell) in cells.iter().enumerate() {
            let w = widths[c];
            for (l, text) in lines_of(cell, c, bold).into_iter().enumerate() {
                let tx = if numeric[c] { x + w - 3.5 - text_width(&text, size, bold) } else { x + 3.5 };
                page.push(Cmd::Text { x: tx, y: y + size * 1.18 + l as f32 * line, size, bold, colour: Rgb::TEXT, text });
            }
            x += w;
        }
        flow.y += h;
    };
    let head_h = row_height(head, true);
    flow.ensure(head_h + row_height(&rows[0], false) * 2.0);
    draw_row(flow, head, true, Some(Rgb::RULE));
    for (i, r) in rows.iter().enumerate() {
        if flow.y + row_height(r, false) > BOTTOM {
            flow.new_page();
            draw_row(flow, head, true, Some(Rgb::RULE));
        }
        draw_row(flow, r, false, (i % 2 == 1).then_some(Rgb::TINT));
    }
    flow.y += 12.0;
}

pub(super) fn data_quality(ctx: &Context, flow: &mut Flow) {
    let q = ctx.figures.quality(ctx.subject);
    let pct = |share: f64| format!("{:.0}%", share * 100.0);
    let mut rows = vec![
        vec!["Records used".to_string(), crate::output::format_figure(q.records as f64)],
        vec!["Records rejected by validation".to_string(), crate::output::format_figure(q.rejected as f64)],
        vec!["First and last outcome dates".to_string(), format!("{} to {}", q.first.clone().unwrap_or("–".into()), q.last.clone().unwrap_or("–".into()))],
    ];
    for (field, share) in &q.completeness {
        let label = match field.as_str() {
            "evidence" => "Evidence coverage (records naming their evidence)".to_string(),
            "participant" => "Records with a participant id".to_string(),
            f => format!("Records with {}", f.replace('_', " ")),
        };
        rows.push(vec![label, pct(*share)]);
    }
    table(flow, &["Measure".to_string(), "Value".to_string()], &rows, &[false, true]);
    flow.paragraph(
        "Records are checked on the way in: a record with an unknown indicator, a value that is not a number or is out of range, an impossible or future date, or a repeated record id is rejected and not counted.",
        8.5,
        Rgb::MUTED,
    );
    // The run's rejected records, so the reports of a batch add up to what the command said.
    let total = ctx.figures.rejected_total;
    if total > 0 {
        let unattributed = ctx.figures.rejected_unattributed();
        let n = |v: u64| crate::output::format_figure(v as f64);
        let mut text = format!("In all, {} record(s) in the data were rejected: {} counted above for this report's period", n(total), n(q.rejected));
        if unattributed > 0 && ctx.spec.subject != crate::report::spec::SubjectKind::All {
            text.push_str(&format!(", {} in the period that name no {} and so belong to no report", n(unattributed), ctx.spec.subject.column().unwrap_or("subject")));
        }
        text.push_str(", and the rest belong to other reports or fall outside the period. `impact validate` lists each one.");
        flow.paragraph(&text, 8.5, Rgb::MUTED);
    }
    flow.y += 6.0;
}

pub(super) fn methodology(ctx: &Context, flow: &mut Flow) {
    flow.paragraph(
        "Each figure is computed from the outcome records by the indicator's roll-up rule below. Flows are added up; stocks take each organisation's latest figure in the period and are never added up over time; rates are recomputed from their summed parts, never averaged.",
        BODY,
        Rgb::TEXT,
    );
    flow.y += 4.0;
    flow.paragraph(
        &format!("A rate whose parts are counted separately within the period (for example jobs sustained this year over jobs started this year) can exceed 100%: such a figure is marked {OUT_OF_RANGE_MARK} and is not a share of the same people. A rate with no records of its numerator is shown as not recorded, not 0%, unless its definition says a missing record means none. Where a subject has no records for an indicator the report says so rather than printing 0."),
        BODY,
        Rgb::TEXT,
    );
    match ctx.figures.suppress_below {
        Some(t) => {
            flow.y += 4.0;
            flow.paragraph(
                &format!(
                    "To protect the people counted, a count of 1 to {} people is shown as <{t}. Where such a count could be worked out by subtracting the other figures of a table from its total, the smallest of those figures is withheld too and shown as {}: its value may be large. A rate built on a withheld count is shown as {}. Each table of this report is protected on its own, and only against the figures of this report's subject: figures of different tables (for example a year and its quarters) are not yet protected against each other.",
                    t - 1,
                    crate::privacy::SECONDARY_MARK,
                    crate::privacy::RATE_MARK
                ),
                BODY,
                Rgb::TEXT,
            );
        }
        None => {
            flow.y += 4.0;
            flow.paragraph(&format!("{INTERNAL_MARKING} Counts of people are shown however small: do not share this report outside the organisation."), BODY, Rgb::WARNING);
        }
    }
    flow.y += 8.0;
    let mut ids: Vec<&str> = ctx.spec.indicators.iter().map(String::as_str).collect();
    // Every valued outcome is described, with its proxy's source, whether or not the
    // spec lists its indicator.
    let valued = ctx.value.map(|v| v.lines.iter().map(|l| l.indicator.as_str()).collect::<Vec<_>>()).unwrap_or_default();
    for id in ctx.spec.sections.iter().flat_map(|s| s.indicator_ids()).chain(valued) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for id in ids {
        let Some(ind) = ctx.library.get(id) else { continue };
        flow.ensure(60.0);
        flow.text(MARGIN, 10.0, true, Rgb::TEXT, &fit(&format!("{} ({})", ind.name, ind.id), 10.0, true, CONTENT_W));
        flow.y += 14.0;
        flow.paragraph(&ind.description, 8.5, Rgb::TEXT);
        let mut facts = vec![format!("Unit: {}", ind.unit), format!("Roll-up: {}", ind.roll_up_text())];
        let f = &ind.frameworks;
        let codes: Vec<String> = [("National TOMs", &f.toms), ("IRIS+", &f.iris), ("SDG target", &f.sdg)]
            .iter()
            .filter_map(|(l, c)| c.as_ref().map(|c| format!("{l} {c}")))
            .collect();
        if !codes.is_empty() {
            facts.push(format!("Frameworks: {}", codes.join(", ")));
        }
        // The proxy as used (assumptions may override the library's), else the library's.
        let used = ctx.value.and_then(|v| v.lines.iter().find(|l| l.indicator == ind.id));
        match (used, &ind.proxy) {
            (Some(l), _) => facts.push(format!("Financial proxy used: {} per unit (report-year prices); source: {}", value(Some(l.params.value), ind.proxy.as_ref().map_or("GBP", |p| p.currency.as_str())), l.source)),
            (None, Some(p)) => facts.push(format!("Financial proxy: {} per unit ({} prices); source: {}", value(Some(p.value), &p.currency), p.price_year, p.source)),
            (None, None) => {}
        }
        flow.paragraph(&facts.join(" · "), 8.0, Rgb::MUTED);
        flow.y += 8.0;
    }
}
