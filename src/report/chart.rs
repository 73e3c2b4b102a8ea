//! Charts drawn with plotters onto a vector backend that records drawing
//! commands (so they become PDF paths, not images), or onto plotters' SVG backend
//! for `--charts-dir`. One drawing function per chart kind, generic over backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontStyle,
};

use super::draw::{series_colour, Cmd, Rgb};
use super::fonts::text_width;
use crate::error::{Error, Result};

/// Backend units per point: plotters works in whole pixels, so the recording
/// backend uses tenths of a point for smooth vector output.
const UNITS: f64 = 10.0;

/// One series of values over the chart's categories (None: no figure).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// Drawn as an outline (e.g. targets) rather than a filled bar.
    pub outline: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum ChartKind {
    /// Horizontal bars, one per category (long names fit on the left).
    #[default]
    Bars,
    /// A dot per category on a horizontal scale (Cleveland dot plot).
    Dots,
    /// Vertical bars stacked by series.
    Stacked,
    /// Vertical bars side by side per category (actual vs target).
    Grouped,
    /// Lines over ordered categories (periods).
    Lines,
    /// Sensitivity: per category, a bar from the base value to each series' value.
    Tornado,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartData {
    pub kind: ChartKind,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Formats axis and value labels, e.g. "£12k", "45%".
    pub unit: String,
    /// Tornado: the central value the bars grow from.
    pub base: Option<f64>,
    /// A fixed top of the value axis (small multiples share one scale).
    pub y_max: Option<f64>,
    /// Figures withheld for privacy: (series, category, mark). They are not drawn;
    /// the chart marks where they are, so a bar or line never silently loses them.
    pub withheld: Vec<(usize, usize, String)>,
    /// What the value axis measures, with its unit ("people", "£ per outcome"): printed
    /// at the axis so the chart reads alone. Empty: no axis title.
    pub axis: String,
    /// Palette place of each series, when a series' colour must not depend on which
    /// other series a chart has (a category keeps its colour across a batch);
    /// empty: series take the palette in order.
    pub colours: Vec<usize>,
}

impl ChartData {
    /// The colour of series `k`.
    pub fn colour(&self, k: usize) -> Rgb {
        series_colour(self.colours.get(k).copied().unwrap_or(k))
    }

    /// The marks of the figures withheld in category `i`, e.g. "<5 [c]" (empty if none).
    pub fn marks_at(&self, i: usize) -> String {
        let mut marks: Vec<&str> = self.withheld.iter().filter(|w| w.1 == i).map(|w| w.2.as_str()).collect();
        marks.sort_unstable();
        marks.dedup();
        marks.join(" ")
    }
}

/// A chart drawn as commands in points, relative to its top-left corner.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub cmds: Vec<Cmd>,
}

pub fn draw_vector(data: &ChartData, width: f32, height: f32) -> Result<Drawn> {
    let mut backend =
        Recorder { size: ((width as f64 * UNITS) as u32, (height as f64 * UNITS) as u32), cmds: Vec::new() };
    {
        let root = (&mut backend).into_drawing_area();
        draw(&root, data, UNITS).map_err(|e| Error::internal(format!("chart: {e}")))?;
    }
    Ok(Drawn { cmds: backend.cmds })
}

pub fn draw_svg(data: &ChartData, width: f32, height: f32) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| Error::internal(format!("chart: {e}")))?;
        draw(&root, data, 1.0).map_err(|e| Error::internal(format!("chart: {e}")))?;
        root.present().map_err(|e| Error::internal(format!("chart: {e}")))?;
    }
    Ok(out)
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Compact axis numbers: 1,200 → 1.2k; with the unit's symbol.
pub fn compact(v: f64, unit: &str) -> String {
    let a = v.abs();
    let body = if a >= 1e6 {
        format!("{:.1}m", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a.fract() == 0.0 || a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let body = body.replace(".0k", "k").replace(".0m", "m");
    match unit {
        "GBP" => format!("£{body}"),
        "%" => format!("{body}%"),
        _ => body,
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData, s: f64) -> DrawResult<DB> {
    let legend_rows = legend_rows(data, root.dim_in_pixel().0 as f64 / s);
    let legend_h = if data.series.len() > 1 { (legend_rows as f64 * 14.0 + 6.0) * s } else { 0.0 };
    let (h_total, w_total) = (root.dim_in_pixel().1 as f64, root.dim_in_pixel().0 as f64);
    let (plot, legend) = root.split_vertically((h_total - legend_h) as i32);
    if data.categories.is_empty() || data.series.is_empty() {
        let style = label_font(s).pos(Pos::new(HPos::Center, VPos::Center));
        plot.draw(&Text::new(
            "No figures to chart".to_string(),
            ((w_total / 2.0) as i32, ((h_total - legend_h) / 2.0) as i32),
            style,
        ))?;
        return Ok(());
    }
    match data.kind {
        ChartKind::Bars | ChartKind::Dots => horizontal_bars(&plot, data, s)?,
        ChartKind::Tornado => tornado(&plot, data, s)?,
        ChartKind::Stacked | ChartKind::Grouped | ChartKind::Lines => vertical(&plot, data, s)?,
    }
    if data.series.len() > 1 {
        draw_legend(&legend, data, s, w_total)?;
    }
    Ok(())
}

const MUTED: RGBColor = RGBColor(Rgb::MUTED.0, Rgb::MUTED.1, Rgb::MUTED.2);
const TEXT: RGBColor = RGBColor(Rgb::TEXT.0, Rgb::TEXT.1, Rgb::TEXT.2);

fn label_font<'a>(s: f64) -> TextStyle<'a> {
    ("sans-serif", 8.0 * s).into_font().color(&MUTED)
}

fn max_value(data: &ChartData) -> f64 {
    let per_category = (0..data.categories.len()).map(|i| {
        let vals = data.series.iter().filter_map(|s| s.values.get(i).copied().flatten());
        if data.kind == ChartKind::Stacked {
            vals.sum::<f64>()
        } else {
            vals.fold(0.0, f64::max)
        }
    });
    let m = per_category.fold(0.0, f64::max);
    if let Some(fixed) = data.y_max {
        return fixed.max(m);
    }
    if m <= 0.0 {
        1.0
    } else {
        m * 1.12
    }
}

/// A category name beside a horizontal bar: on one line when it fits, else on two
/// (only a name longer than two lines is shortened), with each line's offset in points.
fn category_lines(name: &str, width: f64) -> Vec<(String, f64)> {
    let lines = super::fonts::wrap(name, 8.0, false, width as f32);
    match lines.as_slice() {
        [] => Vec::new(),
        [one] => vec![(super::fonts::fit(one, 8.0, false, width as f32), 0.0)],
        [first, rest @ ..] => {
            let second = super::fonts::fit(&rest.join(" "), 8.0, false, width as f32);
            vec![(super::fonts::fit(first, 8.0, false, width as f32), -4.5), (second, 4.5)]
        }
    }
}

/// Room for the axis title under a horizontal chart's scale, in points.
const AXIS_TITLE_PT: f64 = 12.0;

/// The axis title of a horizontal chart, centred under its scale.
fn horizontal_axis_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    label_w: f64,
    right: f64,
    s: f64,
) -> DrawResult<DB> {
    if data.axis.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let x = (label_w * s + (f64::from(w) - label_w * s - right * s) / 2.0) as i32;
    let style = label_font(s).pos(Pos::new(HPos::Center, VPos::Bottom));
    area.draw(&Text::new(data.axis.clone(), (x, h as i32 - (1.0 * s) as i32), style))
}

fn horizontal_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &ChartData, s: f64) -> DrawResult<DB> {
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
    let x_fmt = move |v: &f64| compact(*v, &unit);
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
        let Some(v) = data.series[0].values.get(i).copied().flatten() else {
            let marks = data.marks_at(i);
            if !marks.is_empty() {
                let at = EmptyElement::at((0.0, row + 0.5))
                    + Text::new(format!("{marks} withheld"), ((3.0 * s) as i32, 0), value_style.clone());
                chart.plotting_area().draw(&at)?;
            }
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
        let at = EmptyElement::at((v, row + 0.5))
            + Text::new(compact(v, &data.unit), ((gap * s) as i32, 0), value_style.clone());
        chart.plotting_area().draw(&at)?;
    }
    Ok(())
}

/// Vertical charts on a continuous x axis where category i spans [i, i+1]; the
/// category names are drawn under the centres (thinned when they would collide).
fn vertical<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &ChartData, s: f64) -> DrawResult<DB> {
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
    let y_fmt = move |v: &f64| compact(*v, &unit);
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
    // Withheld figures are marked where they would stand: above a stacked bar (as
    // an outlined cap), at the foot of a line's point or a grouped bar.
    let mark_style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Center, VPos::Bottom));
    match data.kind {
        ChartKind::Stacked => {
            let mut base = vec![0.0; n];
            for (k, series) in data.series.iter().enumerate() {
                let colour = rgb(data.colour(k));
                for (i, v) in series.values.iter().enumerate() {
                    let Some(v) = v.filter(|v| *v > 0.0) else { continue };
                    let (y0, y1) = (base[i], base[i] + v);
                    base[i] = y1;
                    let x = i as f64;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.22, y0), (x + 0.78, y1)],
                        colour.filled(),
                    )))?;
                }
            }
            for (i, top) in base.iter().enumerate() {
                let marks = data.marks_at(i);
                if marks.is_empty() {
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
                            let label = EmptyElement::at((x0 + bar_w / 2.0, 0.0))
                                + Text::new(w.2.clone(), (0, -(2.0 * s) as i32), mark_style.clone());
                            chart.plotting_area().draw(&label)?;
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
                let points = series.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64 + 0.5, v)));
                chart.draw_series(points.map(|p| Circle::new(p, (2.2 * s) as i32, colour.filled())))?;
            }
            for i in 0..n {
                let marks = data.marks_at(i);
                if marks.is_empty() {
                    continue;
                }
                // The mark where there is room for it; in a narrow panel an open circle
                // on the axis (the caller's caption says what it means), never marks
                // printed over each other.
                if f64::from(text_width(&marks, 8.0, false)) + 2.0 <= segment_pt {
                    let label = EmptyElement::at((i as f64 + 0.5, 0.0))
                        + Text::new(marks, (0, -(2.0 * s) as i32), mark_style.clone());
                    chart.plotting_area().draw(&label)?;
                } else {
                    chart.draw_series(std::iter::once(Circle::new(
                        (i as f64 + 0.5, 0.0),
                        (2.2 * s) as i32,
                        ShapeStyle::from(&MUTED).stroke_width((0.8 * s) as u32),
                    )))?;
                }
            }
        }
    }
    Ok(())
}

/// Sensitivity bars: each row spans from the base to the low and the high result.
fn tornado<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &ChartData, s: f64) -> DrawResult<DB> {
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

/// How many rows the legend needs at this width.
fn legend_rows(data: &ChartData, width_pt: f64) -> usize {
    let mut rows = 1;
    let mut x = 0.0;
    for s in &data.series {
        let w = 14.0 + text_width(&s.name, 8.0, false) as f64 + 12.0;
        if x + w > width_pt && x > 0.0 {
            rows += 1;
            x = 0.0;
        }
        x += w;
    }
    rows
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    s: f64,
    width: f64,
) -> DrawResult<DB> {
    let (mut x, mut y) = (38.0 * s, 4.0 * s);
    for (k, series) in data.series.iter().enumerate() {
        let w = (14.0 + text_width(&series.name, 8.0, false) as f64 + 12.0) * s;
        if x + w > width && x > 38.0 * s {
            x = 38.0 * s;
            y += 14.0 * s;
        }
        let colour = rgb(if series.outline { Rgb::MUTED } else { data.colour(k) });
        let swatch = [(x as i32, y as i32), ((x + 9.0 * s) as i32, (y + 9.0 * s) as i32)];
        if series.outline {
            area.draw(&Rectangle::new(swatch, ShapeStyle::from(&colour).stroke_width((1.2 * s) as u32)))?;
        } else {
            area.draw(&Rectangle::new(swatch, colour.filled()))?;
        }
        let style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(series.name.clone(), ((x + 13.0 * s) as i32, (y + 4.5 * s) as i32), style))?;
        x += w;
    }
    Ok(())
}

// ---------------------------------------------------------------- the recording backend

/// A plotters backend that records vector drawing commands, in tenths of a point.
pub struct Recorder {
    size: (u32, u32),
    cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub struct NoError;

impl std::fmt::Display for NoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("recording cannot fail")
    }
}

impl std::error::Error for NoError {}

/// Blend a translucent colour onto white (reports are printed on white paper).
fn solid(c: BackendColor) -> Rgb {
    let a = c.alpha.clamp(0.0, 1.0);
    let mix = |v: u8| (f64::from(v) * a + 255.0 * (1.0 - a)).round() as u8;
    Rgb(mix(c.rgb.0), mix(c.rgb.1), mix(c.rgb.2))
}

fn pt(c: BackendCoord) -> (f32, f32) {
    ((f64::from(c.0) / UNITS) as f32, (f64::from(c.1) / UNITS) as f32)
}

fn stroke_pt<S: BackendStyle>(style: &S) -> f32 {
    (f64::from(style.stroke_width().max(1)) / UNITS) as f32
}

impl DrawingBackend for &mut Recorder {
    type ErrorType = NoError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        Ok(())
    }

    fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if color.alpha > 0.0 {
            let (x, y) = pt(point);
            self.cmds.push(Cmd::Rect { x, y, w: 0.1, h: 0.1, fill: Some(solid(color)), stroke: None });
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if style.color().alpha > 0.0 {
            self.cmds.push(Cmd::Path {
                points: vec![pt(from), pt(to)],
                colour: solid(style.color()),
                width: stroke_pt(style),
            });
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let ((x0, y0), (x1, y1)) = (pt(ul), pt(br));
        let colour = solid(style.color());
        let (fill, stroke) = if fill { (Some(colour), None) } else { (None, Some((colour, stroke_pt(style)))) };
        self.cmds.push(Cmd::Rect {
            x: x0.min(x1),
            y: y0.min(y1),
            w: (x1 - x0).abs(),
            h: (y1 - y0).abs(),
            fill,
            stroke,
        });
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if style.color().alpha > 0.0 {
            let points: Vec<(f32, f32)> = path.into_iter().map(pt).collect();
            self.cmds.push(Cmd::Path { points, colour: solid(style.color()), width: stroke_pt(style) });
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (cx, cy) = pt(center);
        let r = (f64::from(radius) / UNITS) as f32;
        let points: Vec<(f32, f32)> = (0..=24)
            .map(|k| {
                let a = k as f32 / 24.0 * std::f32::consts::TAU;
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect();
        let colour = solid(style.color());
        self.cmds.push(if fill {
            Cmd::Polygon { points, fill: colour }
        } else {
            Cmd::Path { points, colour, width: stroke_pt(style) }
        });
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if style.color().alpha > 0.0 {
            self.cmds.push(Cmd::Polygon { points: vert.into_iter().map(pt).collect(), fill: solid(style.color()) });
        }
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        if text.is_empty() || style.color().alpha == 0.0 {
            return Ok(());
        }
        let size = (style.size() / UNITS) as f32;
        let bold = matches!(style.style(), FontStyle::Bold);
        let width = text_width(text, size, bold);
        let (x, y) = pt(pos);
        let anchor = style.anchor();
        let x = match anchor.h_pos {
            HPos::Left => x,
            HPos::Center => x - width / 2.0,
            HPos::Right => x - width,
        };
        // Baseline from the anchor: DejaVu's cap height is about 0.73 em.
        let y = match anchor.v_pos {
            VPos::Top => y + 0.76 * size,
            VPos::Center => y + 0.36 * size,
            VPos::Bottom => y - 0.2 * size,
        };
        self.cmds.push(Cmd::Text { x, y, size, bold, colour: solid(style.color()), text: text.to_string() });
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<NoError>> {
        let size = (style.size() / UNITS) as f32;
        let w = text_width(text, size, matches!(style.style(), FontStyle::Bold));
        Ok(((f64::from(w) * UNITS) as u32, style.size() as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(kind: ChartKind) -> ChartData {
        ChartData {
            kind,
            categories: vec!["2022-23".into(), "2023-24".into(), "2024-25".into()],
            series: vec![
                Series { name: "Actual".into(), values: vec![Some(10.0), Some(20.0), None], outline: false },
                Series { name: "Target".into(), values: vec![Some(12.0), Some(18.0), Some(25.0)], outline: true },
            ],
            unit: "jobs".into(),
            base: Some(15.0),
            ..Default::default()
        }
    }

    #[test]
    fn charts_are_vector_commands_with_labels() {
        for kind in [
            ChartKind::Bars,
            ChartKind::Dots,
            ChartKind::Stacked,
            ChartKind::Grouped,
            ChartKind::Lines,
            ChartKind::Tornado,
        ] {
            let drawn = draw_vector(&data(kind.clone()), 480.0, 220.0).unwrap();
            let texts: Vec<&str> = drawn
                .cmds
                .iter()
                .filter_map(|c| if let Cmd::Text { text, .. } = c { Some(text.as_str()) } else { None })
                .collect();
            assert!(texts.contains(&"2022-23"), "{kind:?}: {texts:?}");
            assert!(drawn.cmds.iter().any(|c| matches!(c, Cmd::Rect { .. } | Cmd::Path { .. })));
            // Everything stays inside the chart's box.
            for c in &drawn.cmds {
                if let Cmd::Text { x, y, .. } = c {
                    assert!(*x >= -0.5 && *x <= 480.5 && *y >= 0.0 && *y <= 220.5, "{kind:?} text outside: {c:?}");
                }
            }
        }
    }

    #[test]
    fn svg_output_is_svg() {
        let svg = draw_svg(&data(ChartKind::Grouped), 480.0, 220.0).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("2023-24"), "{}", &svg[..200.min(svg.len())]);
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(1200.0, "GBP"), "£1.2k");
        assert_eq!(compact(45000.0, "jobs"), "45k");
        assert_eq!(compact(2_500_000.0, "GBP"), "£2.5m");
        assert_eq!(compact(12.5, "%"), "12.5%");
        assert_eq!(compact(40.0, ""), "40");
        assert_eq!(compact(0.081, ""), "0.081");
        assert_eq!(compact(0.25, ""), "0.25");
    }

    #[test]
    fn the_value_axis_says_what_it_measures() {
        for kind in [ChartKind::Bars, ChartKind::Stacked, ChartKind::Lines, ChartKind::Tornado] {
            let mut d = data(kind.clone());
            d.axis = "people supported".into();
            let drawn = draw_vector(&d, 400.0, 200.0).unwrap();
            let texts: Vec<&str> = drawn
                .cmds
                .iter()
                .filter_map(|c| if let Cmd::Text { text, .. } = c { Some(text.as_str()) } else { None })
                .collect();
            assert!(texts.contains(&"people supported"), "{kind:?}: {texts:?}");
        }
    }
}
