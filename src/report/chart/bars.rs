//! Horizontal bars: one bar per category, the value written at its end (or the
//! withheld mark where the bar would be), categories wrapped beside the axis.

use super::*;

pub(super) fn horizontal_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    s: f64,
) -> DrawResult<DB> {
    let n = data.categories.len();
    let width_pt = area.dim_in_pixel().0 as f64 / s;
    // Names on the left: as wide as the longest, but at most a third of the chart.
    let longest = data.categories.iter().map(|c| text_width(c, 8.0, false) as f64).fold(0.0, f64::max);
    let label_w = (longest + 10.0).min(width_pt / 3.0);
    let max = max_value(data);
    let title_h = if data.axis.is_empty() { 0.0 } else { AXIS_TITLE_PT };
    horizontal_axis_title(area, data, label_w, 44.0, s)?;
    let mut chart = ChartBuilder::on(area)
        .margin_right((44.0 * s) as i32)
        .margin_top((4.0 * s) as i32)
        .margin_bottom((title_h * s) as i32)
        .x_label_area_size((16.0 * s) as i32)
        .y_label_area_size((label_w * s) as i32)
        .build_cartesian_2d(0.0..max, 0.0..n as f64)?;
    let unit = data.unit.clone();
    let x_fmt = move |v: &f64| tick(*v, max, &unit);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(rgb(Rgb::TINT))
        .axis_style(rgb(Rgb::RULE))
        .label_style(label_font(s))
        .x_labels(5)
        .y_labels(0)
        .x_label_formatter(&x_fmt)
        .draw()?;
    let colour = rgb(series_colour(0));
    let name_style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Right, VPos::Center));
    let value_style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, name) in data.categories.iter().enumerate() {
        // The first category at the top.
        let row = (n - 1 - i) as f64;
        for (name, dy) in category_lines(name, label_w - 10.0) {
            chart.plotting_area().draw(
                &(EmptyElement::at((0.0, row + 0.5))
                    + Text::new(name, (-(5.0 * s) as i32, (dy * s) as i32), name_style.clone())),
            )?;
        }
        let words = data.words.get(i).filter(|w| !w.is_empty());
        let Some(v) = data.series[0].values.get(i).copied().flatten() else {
            let marks = data.marks_at(i);
            let said = match (marks.is_empty(), words) {
                (false, Some(w)) => format!("{marks} withheld · {w}"),
                (false, None) => format!("{marks} withheld"),
                (true, Some(w)) => w.clone(),
                (true, None) => continue,
            };
            let at = EmptyElement::at((0.0, row + 0.5)) + Text::new(said, ((3.0 * s) as i32, 0), value_style.clone());
            chart.plotting_area().draw(&at)?;
            continue;
        };
        if data.kind == ChartKind::Dots {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, row + 0.5), (v, row + 0.5)],
                ShapeStyle::from(&rgb(Rgb::RULE)).stroke_width((0.8 * s) as u32),
            )))?;
            chart.draw_series(std::iter::once(Circle::new((v, row + 0.5), (3.2 * s) as i32, colour.filled())))?;
        } else {
            chart.draw_series(std::iter::once(Rectangle::new([(0.0, row + 0.2), (v, row + 0.8)], colour.filled())))?;
        }
        // Clear of the dot's radius (3.2 pt) on a dot plot, just past the bar's end otherwise.
        let gap = if data.kind == ChartKind::Dots { 6.0 } else { 3.0 };
        let label = match words {
            Some(w) => format!("{} · {w}", compact(v, &data.unit)),
            None => compact(v, &data.unit),
        };
        let at = EmptyElement::at((v, row + 0.5)) + Text::new(label, ((gap * s) as i32, 0), value_style.clone());
        chart.plotting_area().draw(&at)?;
    }
    if let Some(r) = data.reference {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(r, 0.0), (r, n as f64)],
            ShapeStyle::from(&rgb(Rgb::TEXT)).stroke_width((0.8 * s) as u32),
        )))?;
        let style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .plotting_area()
            .draw(&(EmptyElement::at((r, n as f64)) + Text::new(compact(r, &data.unit), (0, 0), style)))?;
    }
    Ok(())
}
