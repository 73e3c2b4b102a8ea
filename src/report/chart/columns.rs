//! Vertical charts: columns (side by side or stacked) and lines over periods, with
//! targets and withheld points marked where they would stand.

use super::*;

/// Vertical charts on a continuous x axis where category i spans [i, i+1]; the
/// category names are drawn under the centres (thinned when they would collide).
pub(super) fn vertical<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &ChartData, s: f64) -> DrawResult<DB> {
    let n = data.categories.len();
    let max = max_value(data);
    // The axis title stands above the value axis, in room made for it at the top.
    if !data.axis.is_empty() {
        let style = label_font(s).pos(Pos::new(HPos::Left, VPos::Top));
        area.draw(&Text::new(data.axis.clone(), ((4.0 * s) as i32, 0), style))?;
    }
    let top = if data.axis.is_empty() { 6.0 } else { 6.0 + AXIS_TITLE_PT };
    let mut chart = ChartBuilder::on(area)
        .margin_right((10.0 * s) as i32)
        .margin_top((top * s) as i32)
        .x_label_area_size((18.0 * s) as i32)
        .y_label_area_size((38.0 * s) as i32)
        .build_cartesian_2d(0.0..n as f64, 0.0..max)?;
    let unit = data.unit.clone();
    let y_fmt = move |v: &f64| tick(*v, max, &unit);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(rgb(Rgb::TINT))
        .axis_style(rgb(Rgb::RULE))
        .label_style(label_font(s))
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let (plot_w, _) = chart.plotting_area().dim_in_pixel();
    let segment_pt = f64::from(plot_w) / s / n as f64;
    let widest = data.categories.iter().map(|c| text_width(c, 8.0, false) as f64).fold(0.0, f64::max);
    let stride = ((widest + 6.0) / segment_pt).ceil().max(1.0) as usize;
    let label_style = label_font(s).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, c) in data.categories.iter().enumerate().filter(|(i, _)| i % stride == 0) {
        chart.plotting_area().draw(
            &(EmptyElement::at((i as f64 + 0.5, 0.0))
                + Text::new(c.clone(), (0, (4.0 * s) as i32), label_style.clone())),
        )?;
    }
    // Withheld figures are marked where they would stand, never on the zero line
    // (where they would read as none): above a stacked bar as an outlined cap; a bar
    // or a stack withheld whole as a pale band the height of the axis, its mark in
    // the middle (the height of nothing in particular); a line's missing point as a
    // gap, with the mark above the axis.
    let mark_style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Center, VPos::Bottom));
    let band = |chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
                x0: f64,
                x1: f64,
                marks: &str|
     -> DrawResult<DB> {
        chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x1, max)], rgb(Rgb::TINT).filled())))?;
        let label = EmptyElement::at(((x0 + x1) / 2.0, max * 0.5))
            + Text::new(
                format!("withheld {marks}"),
                (0, 0),
                label_font(s).color(&TEXT).pos(Pos::new(HPos::Center, VPos::Center)),
            );
        chart.plotting_area().draw(&label)?;
        Ok(())
    };
    let above_axis = max * 0.12;
    match data.kind {
        ChartKind::Stacked => {
            // Each segment says its figure where it is tall enough, and a white rule
            // parts it from the next: with the legend's order (from the bottom) a
            // segment is read without telling colours apart.
            let (_, plot_h) = chart.plotting_area().dim_in_pixel();
            let pt_per_unit = f64::from(plot_h) / s / max;
            let mut base = vec![0.0; n];
            for (k, series) in data.series.iter().enumerate() {
                let fill = data.colour(k);
                for (i, v) in series.values.iter().enumerate() {
                    let Some(v) = v.filter(|v| *v > 0.0) else { continue };
                    let (y0, y1) = (base[i], base[i] + v);
                    base[i] = y1;
                    let x = i as f64;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.22, y0), (x + 0.78, y1)],
                        rgb(fill).filled(),
                    )))?;
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x + 0.22, y1), (x + 0.78, y1)],
                        ShapeStyle::from(&WHITE).stroke_width((0.8 * s) as u32),
                    )))?;
                    let label = compact(v, &data.unit);
                    let fits = f64::from(text_width(&label, 7.0, false)) + 4.0 <= segment_pt * 0.56;
                    if v * pt_per_unit >= 10.0 && fits {
                        let ink = rgb(fill.text_on());
                        let style =
                            ("sans-serif", 7.0 * s).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                        chart
                            .plotting_area()
                            .draw(&(EmptyElement::at((x + 0.5, (y0 + y1) / 2.0)) + Text::new(label, (0, 0), style)))?;
                    }
                }
            }
            for (i, top) in base.iter().enumerate() {
                let marks = data.marks_at(i);
                if marks.is_empty() {
                    continue;
                }
                if *top <= 0.0 {
                    band(&mut chart, i as f64 + 0.22, i as f64 + 0.78, &marks)?;
                    continue;
                }
                let (x, cap) = (i as f64, max * 0.05);
                let outline = ShapeStyle::from(&MUTED).stroke_width((0.8 * s) as u32);
                chart
                    .draw_series(std::iter::once(Rectangle::new([(x + 0.22, *top), (x + 0.78, top + cap)], outline)))?;
                let label = EmptyElement::at((x + 0.5, top + cap))
                    + Text::new(format!("+ withheld {marks}"), (0, -(2.0 * s) as i32), mark_style.clone());
                chart.plotting_area().draw(&label)?;
            }
        }
        ChartKind::Grouped => {
            let k_count = data.series.len().max(1) as f64;
            let (pad, gap) = (0.18, 0.04);
            let bar_w = (1.0 - 2.0 * pad - gap * (k_count - 1.0)) / k_count;
            for (k, series) in data.series.iter().enumerate() {
                let colour = rgb(if series.outline { Rgb::MUTED } else { data.colour(k) });
                for (i, v) in series.values.iter().enumerate() {
                    let x0 = i as f64 + pad + k as f64 * (bar_w + gap);
                    let Some(v) = v else {
                        if let Some(w) = data.withheld.iter().find(|w| w.0 == k && w.1 == i) {
                            band(&mut chart, x0, x0 + bar_w, &w.2)?;
                        }
                        continue;
                    };
                    let style = if series.outline {
                        ShapeStyle::from(&colour).stroke_width((1.2 * s) as u32)
                    } else {
                        colour.filled()
                    };
                    chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + bar_w, *v)], style)))?;
                }
            }
        }
        ChartKind::Lines | ChartKind::Bars | ChartKind::Dots | ChartKind::Tornado => {
            for (k, series) in data.series.iter().enumerate() {
                let colour = rgb(data.colour(k));
                // A line breaks where a figure is missing: joining across a gap would
                // draw a trend through values nobody published.
                let mut run: Vec<(f64, f64)> = Vec::new();
                for (i, v) in series.values.iter().enumerate() {
                    match v {
                        Some(v) => run.push((i as f64 + 0.5, *v)),
                        None => {
                            chart.draw_series(LineSeries::new(
                                std::mem::take(&mut run),
                                ShapeStyle::from(&colour).stroke_width((1.6 * s) as u32),
                            ))?;
                        }
                    }
                }
                chart.draw_series(LineSeries::new(run, ShapeStyle::from(&colour).stroke_width((1.6 * s) as u32)))?;
                // Each line's points in its own shape (as in the legend), not its colour alone.
                for (i, v) in series.values.iter().enumerate() {
                    if let Some(v) = v {
                        marker(chart.plotting_area(), (i as f64 + 0.5, *v), k, s, colour)?;
                    }
                }
            }
            // Each line's withheld points: its mark in its colour, one line above
            // another in the legend's order, so a mark says which line it belongs to;
            // in a narrow panel an open circle (the caller's caption says what it
            // means), never marks printed over each other.
            let step = max * 0.09;
            for (k, i, mark) in &data.withheld {
                let at = (*i as f64 + 0.5, above_axis + step * (data.series.len().saturating_sub(1 + k)) as f64);
                let colour = rgb(data.colour(*k));
                if f64::from(text_width(mark, 8.0, false)) + 2.0 <= segment_pt {
                    let ink = rgb(data.colour(*k).readable());
                    let style = label_font(s).color(&ink).pos(Pos::new(HPos::Center, VPos::Bottom));
                    chart.plotting_area().draw(&(EmptyElement::at(at) + Text::new(mark.clone(), (0, 0), style)))?;
                } else {
                    chart.draw_series(std::iter::once(Circle::new(
                        at,
                        (2.2 * s) as i32,
                        ShapeStyle::from(&colour).stroke_width((0.8 * s) as u32),
                    )))?;
                }
            }
        }
    }
    Ok(())
}
