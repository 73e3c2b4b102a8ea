//! The drawing backend plotters draws into: it records drawing commands (`Cmd`) for
//! the PDF writer, in points.

use super::*;

/// A plotters backend that records vector drawing commands, in tenths of a point.
pub struct Recorder {
    pub(super) size: (u32, u32),
    pub(super) cmds: Vec<Cmd>,
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
pub(super) fn solid(c: BackendColor) -> Rgb {
    let a = c.alpha.clamp(0.0, 1.0);
    let mix = |v: u8| (f64::from(v) * a + 255.0 * (1.0 - a)).round() as u8;
    Rgb(mix(c.rgb.0), mix(c.rgb.1), mix(c.rgb.2))
}

pub(super) fn pt(c: BackendCoord) -> (f32, f32) {
    ((f64::from(c.0) / UNITS) as f32, (f64::from(c.1) / UNITS) as f32)
}

pub(super) fn stroke_pt<S: BackendStyle>(style: &S) -> f32 {
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
