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

    /// Put the tree into `doc`: the structure elements, the parent tree, each page's
    /// `/StructParents`, and the catalog's entries for a tagged PDF/UA-1 document.
    pub fn write(&self, doc: &mut lopdf::Document, pages: &[ObjectId], meta: &Catalog) -> Result<(), String> {
        let ids: Vec<ObjectId> = self.elements.iter().map(|_| doc.new_object_id()).collect();
        let root_id = doc.new_object_id();
        for (k, element) in self.elements.iter().enumerate() {
            let mut dict = Dictionary::new();
            dict.set("Type", Object::Name(b"StructElem".to_vec()));
            dict.set("S", Object::Name(self.tag(k).as_bytes().to_vec()));
            dict.set("P", if k == 0 { root_id } else { ids[element.parent] });
            let first_page = element.kids.iter().find_map(|kid| match kid {
                Kid::Marked { page, .. } => Some(*page),
                Kid::Element(_) => None,
            });
            if let Some(page) = first_page {
                dict.set("Pg", pages[page]);
            }
            let kids: Vec<Object> = element
                .kids
                .iter()
                .map(|kid| match *kid {
                    Kid::Element(e) => Object::Reference(ids[e]),
                    Kid::Marked { page, mcid } if Some(page) == first_page => Object::Integer(mcid as i64),
                    Kid::Marked { page, mcid } => {
                        let mut mcr = Dictionary::new();
                        mcr.set("Type", Object::Name(b"MCR".to_vec()));
                        mcr.set("Pg", pages[page]);
                        mcr.set("MCID", Object::Integer(mcid as i64));
                        Object::Dictionary(mcr)
                    }
                })
                .collect();
            dict.set("K", Object::Array(kids));
            match &element.role {
                Some(Role::TableHeader { row }) => {
                    let mut attributes = Dictionary::new();
                    attributes.set("O", Object::Name(b"Table".to_vec()));
                    attributes.set("Scope", Object::Name(if *row { b"Row".to_vec() } else { b"Column".to_vec() }));
                    dict.set("A", Object::Dictionary(attributes));
                }
                Some(Role::Figure { alt }) => dict.set("Alt", text_string(alt)),
                // PDF/UA-1 (7.9): a note has an id.
                Some(Role::Note) => {
                    dict.set("ID", Object::String(format!("note-{k}").into_bytes(), StringFormat::Literal))
                }
                _ => {}
            }
            if k == 0 {
                dict.set("T", text_string(&meta.title));
            }
            doc.objects.insert(ids[k], Object::Dictionary(dict));
        }
        let mut nums = Vec::new();
        for (i, page) in pages.iter().enumerate() {
            let owners = self.owners.get(i).map(Vec::as_slice).unwrap_or_default();
            nums.push(Object::Integer(i as i64));
            nums.push(Object::Array(owners.iter().map(|e| Object::Reference(ids[*e])).collect()));
            let dict = doc.get_dictionary_mut(*page).map_err(|e| format!("page: {e}"))?;
            dict.set("StructParents", Object::Integer(i as i64));
            dict.set("Tabs", Object::Name(b"S".to_vec()));
        }
        let mut parent_tree = Dictionary::new();
        parent_tree.set("Nums", Object::Array(nums));
        let mut root = Dictionary::new();
        root.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
        root.set("K", Object::Array(vec![Object::Reference(ids[0])]));
        root.set("ParentTree", Object::Dictionary(parent_tree));
        root.set("ParentTreeNextKey", Object::Integer(pages.len() as i64));
        doc.objects.insert(root_id, Object::Dictionary(root));

        let mut xmp = Dictionary::new();
        xmp.set("Type", Object::Name(b"Metadata".to_vec()));
        xmp.set("Subtype", Object::Name(b"XML".to_vec()));
        let xmp = doc.add_object(Stream::new(xmp, meta.xmp().into_bytes()).with_compression(false));

        let catalog = doc.catalog_mut().map_err(|e| format!("catalog: {e}"))?;
        catalog.set("StructTreeRoot", root_id);
        let mut mark_info = Dictionary::new();
        mark_info.set("Marked", Object::Boolean(true));
        catalog.set("MarkInfo", Object::Dictionary(mark_info));
        catalog.set("Lang", Object::String(LANG.as_bytes().to_vec(), StringFormat::Literal));
        let mut viewer = Dictionary::new();
        viewer.set("DisplayDocTitle", Object::Boolean(true));
        catalog.set("ViewerPreferences", Object::Dictionary(viewer));
        catalog.set("Metadata", xmp);
        Ok(())
    }
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
        let x = |s: &str| xml_escape(s);
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

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
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
