//! Charts drawn with plotters onto a vector backend that records drawing
//! commands (so they become PDF paths, not images), or onto plotters' SVG backend
//! for `--charts-dir`. One drawing function per chart kind, generic over backend.

mod bars;
mod columns;
mod describe;
mod recorder;
mod tornado;

use bars::horizontal_bars;
use columns::vertical;
pub use describe::describe;
use recorder::Recorder;
use tornado::tornado;

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
    /// Horizontal bars: a value marked across the chart with a line and its label
    /// (100% of a commitment).
    pub reference: Option<f64>,
    /// Horizontal bars: words after each category's bar (its status), or in place of
    /// a bar that has no figure ("none recorded").
    pub words: Vec<String>,
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

/// An axis tick's label: the ticks of one axis in one format (0.0, 0.5, 1.0, 1.5 on an
/// axis up to a few; compact numbers above, see `compact`).
pub fn tick(v: f64, max: f64, unit: &str) -> String {
    if max >= 6.0 {
        return compact(v, unit);
    }
    let decimals = if max >= 0.6 { 1 } else { 2 };
    let body = format!("{v:.decimals$}");
    match unit {
        "GBP" => format!("£{body}"),
        "%" => format!("{body}%"),
        _ => body,
    }
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
    let m = per_category.fold(0.0, f64::max).max(data.reference.unwrap_or(0.0));
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

/// A line's point in the shape of its series: circle, square, triangle, diamond,
/// then round again (colour is never the only thing that tells lines apart).
fn marker<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    series: usize,
    s: f64,
    colour: RGBColor,
) -> DrawResult<DB>
where
    CT::From: Clone + 'static,
{
    let r = (2.6 * s) as i32;
    let style = colour.filled();
    let at = EmptyElement::at(at);
    match series % 4 {
        0 => area.draw(&(at + Circle::new((0, 0), r, style))),
        1 => area.draw(&(at + Rectangle::new([(-r, -r), (r, r)], style))),
        2 => area.draw(&(at + Polygon::new(vec![(0, -r - r / 3), (r + r / 6, r), (-r - r / 6, r)], style))),
        _ => area
            .draw(&(at + Polygon::new(vec![(0, -r - r / 3), (r + r / 3, 0), (0, r + r / 3), (-r - r / 3, 0)], style))),
    }
}

/// How many rows the legend needs at this width.
fn legend_rows(data: &ChartData, width_pt: f64) -> usize {
    let mut rows = 1;
    // As `draw_legend` places them: from 38 pt, after the stack's lead.
    let mut x = 38.0;
    if data.kind == ChartKind::Stacked {
        x += text_width("From the bottom:", 8.0, false) as f64 + 8.0;
    }
    for s in &data.series {
        let w = 14.0 + text_width(&s.name, 8.0, false) as f64 + 12.0;
        if x + w > width_pt && x > 38.0 {
            rows += 1;
            x = 38.0;
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
    // A stack is read from the bottom in the legend's order.
    if data.kind == ChartKind::Stacked {
        let lead = "From the bottom:";
        let style = label_font(s).color(&TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(lead.to_string(), (x as i32, (y + 4.5 * s) as i32), style))?;
        x += (text_width(lead, 8.0, false) as f64 + 8.0) * s;
    }
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
        } else if data.kind == ChartKind::Lines {
            let mid = (y + 4.5 * s) as i32;
            area.draw(&PathElement::new(
                vec![(x as i32 - (2.0 * s) as i32, mid), ((x + 11.0 * s) as i32, mid)],
                ShapeStyle::from(&colour).stroke_width((1.6 * s) as u32),
            ))?;
            marker(area, ((x + 4.5 * s) as i32, mid), k, s, colour)?;
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
