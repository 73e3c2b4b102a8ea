//! The tagged PDF's logical structure (PDF/UA-1): the tree of structure elements that
//! layout's `Cmd::Open`/`Cmd::Close` describe, the marked-content ids that tie each
//! element to what is drawn for it, and the catalog entries, XMP metadata and
//! parent tree that assistive technology reads.
//!
//! The rule for what is real content: text inside an element; inside a figure,
//! everything drawn (the chart is the figure). Everything else — rules, tints, a tile's
//! background, the cover's band, running headers and footers — is an artifact.

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

use super::draw::Role;

/// A structure element: the document (no role) or one of layout's.
#[derive(Debug)]
struct Element {
    role: Option<Role>,
    parent: usize,
    kids: Vec<Kid>,
}

#[derive(Debug, Clone, Copy)]
enum Kid {
    Element(usize),
    /// Marked content on a page, by its MCID.
    Marked {
        page: usize,
        mcid: usize,
    },
}

/// The document's structure as the pages are encoded, page by page in order.
#[derive(Debug)]
pub struct Tree {
    elements: Vec<Element>,
    open: Vec<usize>,
    /// Depth of `BeginArtifact`.
    artifact: u32,
    /// Per page, the element of each MCID (the page's entry in the parent tree).
    owners: Vec<Vec<usize>>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            elements: vec![Element { role: None, parent: 0, kids: Vec::new() }],
            open: vec![0],
            artifact: 0,
            owners: Vec::new(),
        }
    }
}

/// What a drawing command is, as marked content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Artifact,
    /// Real content of an element.
    Of(usize),
}

impl Tree {
    pub fn open(&mut self, role: Role) {
        let id = self.elements.len();
        let parent = if role == Role::Note { 0 } else { self.top() };
        self.elements.push(Element { role: Some(role), parent, kids: Vec::new() });
        self.elements[parent].kids.push(Kid::Element(id));
        self.open.push(id);
    }

    pub fn close(&mut self) {
        if self.open.len() > 1 {
            self.open.pop();
        }
    }

    pub fn artifact(&mut self, begin: bool) {
        if begin {
            self.artifact += 1;
        } else {
            self.artifact = self.artifact.saturating_sub(1);
        }
    }

    fn top(&self) -> usize {
        self.open.last().copied().unwrap_or(0)
    }

    /// What a command drawn now is: `text` or a shape.
    pub fn mark_for(&self, text: bool) -> Mark {
        let top = self.top();
        if self.artifact > 0 || top == 0 {
            return Mark::Artifact;
        }
        let figure = self.open.iter().rev().find(|e| matches!(self.elements[**e].role, Some(Role::Figure { .. })));
        match figure {
            Some(f) => Mark::Of(*f),
            None if text => Mark::Of(top),
            None => Mark::Artifact,
        }
    }

    /// A new marked-content id on `page` for content of `element`.
    pub fn mark(&mut self, element: usize, page: usize) -> usize {
        if self.owners.len() <= page {
            self.owners.resize_with(page + 1, Vec::new);
        }
        let mcid = self.owners[page].len();
        self.owners[page].push(element);
        self.elements[element].kids.push(Kid::Marked { page, mcid });
        mcid
    }

    /// The structure type of `element`, for its marked content's tag.
    pub fn tag(&self, element: usize) -> &'static str {
        self.elements[element].role.as_ref().map_or("Document", Role::tag)
    }

    /// Ready `doc` for the tree: each page's `/StructParents`, the catalog's entries
    /// for a tagged PDF/UA-1 document, and object numbers kept for the structure
    /// elements, which `append_to` writes after lopdf has written the rest (a report has
    /// hundreds of them: written as text they cost a tenth of what lopdf's objects do).
    pub fn prepare(&self, doc: &mut lopdf::Document, pages: &[ObjectId], meta: &Catalog) -> Result<Reserved, String> {
        let mut next = || {
            doc.max_id += 1;
            doc.max_id
        };
        let elements: Vec<u32> = self.elements.iter().map(|_| next()).collect();
        let root = next();
        let (stream, xref) = (next(), next());
        for (i, page) in pages.iter().enumerate() {
            let dict = doc.get_dictionary_mut(*page).map_err(|e| format!("page: {e}"))?;
            dict.set("StructParents", Object::Integer(i as i64));
            dict.set("Tabs", Object::Name(b"S".to_vec()));
        }
        let mut xmp = Dictionary::new();
        xmp.set("Type", Object::Name(b"Metadata".to_vec()));
        xmp.set("Subtype", Object::Name(b"XML".to_vec()));
        let xmp = doc.add_object(Stream::new(xmp, meta.xmp().into_bytes()).with_compression(false));
        let catalog = doc.catalog_mut().map_err(|e| format!("catalog: {e}"))?;
        catalog.set("StructTreeRoot", (root, 0));
        let mut mark_info = Dictionary::new();
        mark_info.set("Marked", Object::Boolean(true));
        catalog.set("MarkInfo", Object::Dictionary(mark_info));
        catalog.set("Lang", Object::String(LANG.as_bytes().to_vec(), StringFormat::Literal));
        let mut viewer = Dictionary::new();
        viewer.set("DisplayDocTitle", Object::Boolean(true));
        catalog.set("ViewerPreferences", Object::Dictionary(viewer));
        catalog.set("Metadata", xmp);
        Ok(Reserved { elements, root, stream, xref, title: meta.title.clone() })
    }

    /// The structure elements and the tree's root as PDF objects, written into the
    /// numbers `reserved` kept, appended to the file lopdf wrote (`bytes`) with a new
    /// cross-reference table.
    pub fn append_to(&self, bytes: Vec<u8>, reserved: &Reserved, pages: &[ObjectId]) -> Result<Vec<u8>, String> {
        let page = |i: usize| pages[i].0;
        let mut objects: Vec<(u32, Vec<u8>)> = Vec::with_capacity(self.elements.len() + 1);
        for (k, element) in self.elements.iter().enumerate() {
            let mut o = Vec::with_capacity(96);
            o.extend_from_slice(b"<</S/");
            o.extend_from_slice(self.tag(k).as_bytes());
            o.extend_from_slice(b"/P ");
            reference(&mut o, if k == 0 { reserved.root } else { reserved.elements[element.parent] });
            let first_page = element.kids.iter().find_map(|kid| match kid {
                Kid::Marked { page, .. } => Some(*page),
                Kid::Element(_) => None,
            });
            if let Some(p) = first_page {
                o.extend_from_slice(b"/Pg ");
                reference(&mut o, page(p));
            }
            o.extend_from_slice(b"/K[");
            for (n, kid) in element.kids.iter().enumerate() {
                if n > 0 {
                    o.push(b' ');
                }
                match *kid {
                    Kid::Element(e) => reference(&mut o, reserved.elements[e]),
                    Kid::Marked { page: p, mcid } if Some(p) == first_page => integer(&mut o, mcid),
                    Kid::Marked { page: p, mcid } => {
                        o.extend_from_slice(b"<</Type/MCR/Pg ");
                        reference(&mut o, page(p));
                        o.extend_from_slice(b"/MCID ");
                        integer(&mut o, mcid);
                        o.extend_from_slice(b">>");
                    }
                }
            }
            o.push(b']');
            match &element.role {
                Some(Role::TableHeader { row }) => {
                    o.extend_from_slice(if *row { b"/A<</O/Table/Scope/Row>>" } else { b"/A<</O/Table/Scope/Column>>" })
                }
                Some(Role::Figure { alt }) => {
                    o.extend_from_slice(b"/Alt");
                    text_bytes(&mut o, alt);
                }
                // PDF/UA-1 (7.9): a note has an id.
                Some(Role::Note) => o.extend_from_slice(format!("/ID(note-{k})").as_bytes()),
                _ => {}
            }
            if k == 0 {
                o.extend_from_slice(b"/T");
                text_bytes(&mut o, &reserved.title);
            }
            o.extend_from_slice(b">>");
            objects.push((reserved.elements[k], o));
        }
        let mut root = Vec::with_capacity(64 + self.owners.iter().map(|o| o.len() * 8).sum::<usize>());
        root.extend_from_slice(b"<</Type/StructTreeRoot/K[");
        reference(&mut root, reserved.elements[0]);
        root.extend_from_slice(b"]/ParentTree<</Nums[");
        for i in 0..pages.len() {
            root.extend_from_slice(format!("{i} [").as_bytes());
            for (n, e) in self.owners.get(i).map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
                if n > 0 {
                    root.push(b' ');
                }
                reference(&mut root, reserved.elements[*e]);
            }
            root.extend_from_slice(b"] ");
        }
        root.extend_from_slice(format!("]>>/ParentTreeNextKey {}>>", pages.len()).as_bytes());
        objects.push((reserved.root, root));
        append_objects(bytes, &objects, reserved.stream, reserved.xref)
    }
}

/// The object numbers kept for the structure tree (see `Tree::prepare`).
pub struct Reserved {
    elements: Vec<u32>,
    root: u32,
    /// The object stream that holds them, and the cross-reference stream.
    stream: u32,
    xref: u32,
    title: String,
}

fn reference(out: &mut Vec<u8>, id: u32) {
    integer(out, id as usize);
    out.extend_from_slice(b" 0 R");
}

fn integer(out: &mut Vec<u8>, n: usize) {
    push_integer(out, n as i64);
}

/// A whole number in decimal, written without a formatter (a page has thousands).
pub(crate) fn push_integer(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut n = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A PDF text string as bytes: literal when plain ASCII, else UTF-16BE in hex.
fn text_bytes(out: &mut Vec<u8>, s: &str) {
    match text_string(s) {
        Object::String(bytes, StringFormat::Literal) => {
            out.push(b'(');
            for b in bytes {
                if matches!(b, b'(' | b')' | b'\\') {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b')');
        }
        Object::String(bytes, _) => {
            out.push(b'<');
            for b in bytes {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        _ => {}
    }
}

/// `objects` (number, body) added to a PDF that lopdf wrote with a classic
/// cross-reference table in which their numbers are free: the objects go into one
/// deflated object stream (number `stream`), and the table is replaced by a
/// cross-reference stream (number `xref`) that carries the same trailer entries.
fn append_objects(mut bytes: Vec<u8>, objects: &[(u32, Vec<u8>)], stream: u32, xref: u32) -> Result<Vec<u8>, String> {
    let bad = |what: &str| format!("the PDF's {what} could not be read");
    let tail = bytes.windows(9).rposition(|w| w == b"startxref").ok_or_else(|| bad("startxref"))?;
    let start: usize = std::str::from_utf8(&bytes[tail + 9..])
        .map_err(|_| bad("startxref"))?
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("startxref"))?;
    let table = std::str::from_utf8(&bytes[start..tail]).map_err(|_| bad("xref table"))?;
    let trailer_at = table.find("trailer").ok_or_else(|| bad("trailer"))?;
    // The trailer's entries but /Size (the stream's dictionary says its own).
    let trailer = table[trailer_at..].trim();
    let (open, close) =
        (trailer.find("<<").ok_or_else(|| bad("trailer"))?, trailer.rfind(">>").ok_or_else(|| bad("trailer"))?);
    let mut entries = trailer[open + 2..close].to_string();
    if let Some(at) = entries.find("/Size") {
        let end = entries[at + 5..].find(['/', '>']).map_or(entries.len(), |e| at + 5 + e);
        entries.replace_range(at..end, "");
    }
    // Where lopdf's objects are: sections of "first count", then "offset gen n|f".
    enum Entry {
        Free,
        At(u64),
        InStream(u32),
    }
    let mut xrefs: Vec<Entry> = Vec::new();
    let mut id = 0usize;
    for line in table[..trailer_at].lines().skip(1) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [first, _count] => id = first.parse().map_err(|_| bad("xref section"))?,
            [offset, _gen, kind] => {
                if xrefs.len() <= id {
                    xrefs.resize_with(id + 1, || Entry::Free);
                }
                xrefs[id] = match (*kind, offset.parse()) {
                    ("n", Ok(o)) => Entry::At(o),
                    _ => Entry::Free,
                };
                id += 1;
            }
            _ => {}
        }
    }
    let mut place = |n: u32, entry: Entry| {
        let n = n as usize;
        if xrefs.len() <= n {
            xrefs.resize_with(n + 1, || Entry::Free);
        }
        xrefs[n] = entry;
    };
    // The object stream: "number offset" pairs, then the objects.
    let mut head = Vec::new();
    let mut body = Vec::new();
    for (k, (number, object)) in objects.iter().enumerate() {
        integer(&mut head, *number as usize);
        head.push(b' ');
        integer(&mut head, body.len());
        head.push(b' ');
        body.extend_from_slice(object);
        body.push(b'\n');
        place(*number, Entry::InStream(k as u32));
    }
    let first = head.len();
    head.extend_from_slice(&body);
    let packed = super::deflate::deflate(&head, 1).ok_or_else(|| bad("object stream"))?;
    bytes.truncate(start);
    place(stream, Entry::At(bytes.len() as u64));
    bytes.extend_from_slice(
        format!(
            "{stream} 0 obj\n<</Type/ObjStm/N {}/First {first}/Filter/FlateDecode/Length {}>>\nstream\n",
            objects.len(),
            packed.len()
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(&packed);
    bytes.extend_from_slice(b"\nendstream\nendobj\n");
    let at = bytes.len();
    place(xref, Entry::At(at as u64));
    // Type, offset (4 bytes) or stream, generation or index (2 bytes).
    let mut rows = Vec::with_capacity(xrefs.len() * 7);
    for (n, entry) in xrefs.iter().enumerate() {
        let (kind, field, last): (u8, u32, u16) = match entry {
            Entry::Free if n == 0 => (0, 0, 65535),
            Entry::Free => (0, 0, 0),
            Entry::At(o) => (1, u32::try_from(*o).map_err(|_| bad("offsets"))?, 0),
            Entry::InStream(index) => (2, stream, *index as u16),
        };
        rows.push(kind);
        rows.extend_from_slice(&field.to_be_bytes());
        rows.extend_from_slice(&last.to_be_bytes());
    }
    let rows = super::deflate::deflate(&rows, 1).ok_or_else(|| bad("xref stream"))?;
    bytes.extend_from_slice(
        format!(
            "{xref} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Filter/FlateDecode/Length {}{}>>\nstream\n",
            xrefs.len(),
            rows.len(),
            entries.trim_end()
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(&rows);
    bytes.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF").as_bytes());
    Ok(bytes)
}

/// The language of every report.
pub const LANG: &str = "en-GB";

/// What the catalog's XMP metadata says.
pub struct Catalog {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// ISO date-time, e.g. 2025-03-31T12:00:00Z.
    pub date: String,
    pub producer: String,
}

impl Catalog {
    /// XMP with the PDF/UA identification (`pdfuaid:part` 1) and the title, written
    /// the same way for the same inputs.
    fn xmp(&self) -> String {
        let x = super::html::esc;
        format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>\n\
<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>\n\
<dc:language><rdf:Bag><rdf:li>{LANG}</rdf:li></rdf:Bag></dc:language>\n\
<pdfuaid:part>1</pdfuaid:part>\n\
<xmp:CreateDate>{date}</xmp:CreateDate>\n\
<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{date}</xmp:MetadataDate>\n\
<xmp:CreatorTool>impactkit</xmp:CreatorTool>\n\
<pdf:Producer>{producer}</pdf:Producer>\n\
</rdf:Description>\n\
</rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>",
            title = x(&self.title),
            author = x(&self.author),
            subject = x(&self.subject),
            date = x(&self.date),
            producer = x(&self.producer),
        )
    }
}

/// A PDF text string: literal when plain ASCII, else UTF-16BE with its byte-order mark.
pub fn text_string(s: &str) -> Object {
    if s.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_content_only_inside_a_figure_and_text_only_inside_an_element() {
        let mut tree = Tree::default();
        assert_eq!(tree.mark_for(true), Mark::Artifact, "nothing open: furniture");
        tree.open(Role::Table);
        tree.open(Role::Note);
        assert_eq!(tree.elements[2].parent, 0, "a page's note is the document's, not the open table's");
        tree.close();
        tree.close();
        tree.elements.truncate(1);
        tree.elements[0].kids.clear();
        tree.open(Role::P);
        assert_eq!(tree.mark_for(true), Mark::Of(1));
        assert_eq!(tree.mark_for(false), Mark::Artifact, "a rule beside a paragraph is decoration");
        tree.close();
        tree.open(Role::Figure { alt: "a chart".into() });
        assert_eq!(tree.mark_for(false), Mark::Of(2));
        tree.artifact(true);
        assert_eq!(tree.mark_for(true), Mark::Artifact);
        tree.artifact(false);
        tree.close();
        tree.close();
        assert_eq!(tree.mark_for(true), Mark::Artifact, "closing past the document keeps the document");
        assert_eq!(tree.mark(2, 3), 0);
        assert_eq!(tree.mark(1, 3), 1);
        assert_eq!(tree.owners[3], vec![2, 1]);
    }

    #[test]
    fn text_strings_are_literal_ascii_or_utf16() {
        assert_eq!(text_string("Jobs (2024)"), Object::String(b"Jobs (2024)".to_vec(), StringFormat::Literal));
        let Object::String(bytes, StringFormat::Hexadecimal) = text_string("£5") else { panic!("hex") };
        assert_eq!(bytes, vec![0xFE, 0xFF, 0x00, 0xA3, 0x00, 0x35]);
    }
}
