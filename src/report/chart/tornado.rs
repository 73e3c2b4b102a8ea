//! Tornado charts: each assumption's low and high case as bars either side of the
//! ratio as stated.

use super::*;

/// Sensitivity bars: each row spans from the base to the low and the high result.
pub(super) fn tornado<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &ChartData, s: f64) -> DrawResult<DB> {
    let n = data.categories.len();
    let base = data.base.unwrap_or(0.0);
    let all = data.series.iter().flat_map(|se| se.values.iter().flatten().copied()).chain([base]);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((hi - lo) * 0.08).max(0.05);
    let (lo, hi) = ((lo - pad).max(0.0), hi + pad);
    let width_pt = area.dim_in_pixel().0 as f64 / s;
    let longest = data.categories.iter().map(|c| text_width(c, 8.0, false) as f64).fold(0.0, f64::max);
    let label_w = (longest + 10.0).min(width_pt / 3.0);
    let title_h = if data.axis.is_empty() { 0.0 } else { AXIS_TITLE_PT };
    horizontal_axis_title(area, data, label_w, 16.0, s)?;
    let mut chart = ChartBuilder::on(area)
        .margin_right((16.0 * s) as i32)
        .margin_top((4.0 * s) as i32)
        .margin_bottom((title_h * s) as i32)
        .x_label_area_size((16.0 * s) as i32)
        .y_label_area_size((label_w * s) as i32)
        .build_cartesian_2d(lo..hi, 0.0..n as f64)?;
    let unit = data.unit.clone();
    let x_fmt = move |v: &f64| compact(*v, &unit);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(rgb(Rgb::TINT))
        .axis_style(rgb(Rgb::RULE))
        .label_style(label_font(s))
        .x_labels(6)
        .y_labels(0)
        .x_label_formatter(&x_fmt)
        .draw()?;
    let name_style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, name) in data.categories.iter().enumerate() {
        let row = (n - 1 - i) as f64;
        for (name, dy) in category_lines(name, label_w - 10.0) {
            chart.plotting_area().draw(
                &(EmptyElement::at((lo, row + 0.5))
                    + Text::new(name, (-(5.0 * s) as i32, (dy * s) as i32), name_style.clone())),
            )?;
        }
        for (k, series) in data.series.iter().enumerate() {
            let Some(v) = series.values.get(i).copied().flatten() else { continue };
            let (a, b) = if v < base { (v, base) } else { (base, v) };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, row + 0.2), (b, row + 0.8)],
                rgb(data.colour(k)).filled(),
            )))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(base, 0.0), (base, n as f64)],
        ShapeStyle::from(&TEXT).stroke_width((1.0 * s) as u32),
    )))?;
    Ok(())
}
