//! The data model, in one place: a [`Document`] owns its text, and every annotation is a
//! [`Span`] of Unicode code-point offsets into that text (what Python's `text[a:b]` uses).
//!
//! This module holds plain data and offset arithmetic only. It knows nothing about how
//! documents are read, how sentences are found or how stance is decided.

/// A half-open range `[start, end)` of code points into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Number of code points both spans cover.
    pub fn overlap(&self, other: &Span) -> usize {
        self.end.min(other.end).saturating_sub(self.start.max(other.start))
    }

    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// One input document: its id, its original text (never normalised) and the metadata
/// fields that came with it, in input order.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub text: String,
    pub meta: Vec<(String, String)>,
    /// Byte offset of every code point, plus the text length at the end, so that
    /// code-point spans can be sliced in constant time.
    byte_at: Vec<usize>,
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        let text = text.into();
        let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_at.push(text.len());
        Document { id: id.into(), text, meta: Vec::new(), byte_at }
    }

    pub fn with_meta(mut self, meta: Vec<(String, String)>) -> Document {
        self.meta = meta;
        self
    }

    /// Length of the text in code points.
    pub fn char_len(&self) -> usize {
        self.byte_at.len() - 1
    }

    /// The text of a code-point span.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[self.byte_at[span.start]..self.byte_at[span.end]]
    }

    /// The code-point offset of a byte offset that lies on a character boundary.
    pub fn char_offset(&self, byte: usize) -> usize {
        self.byte_at.partition_point(|&b| b < byte)
    }
}

/// The three stance labels of the guidelines, in the order of the probability columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    Condemn,
    Endorse,
    Neutral,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Condemn, Label::Endorse, Label::Neutral];

    pub fn as_str(&self) -> &'static str {
        match self {
            Label::Condemn => "condemn",
            Label::Endorse => "endorse",
            Label::Neutral => "neutral",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        match s.trim().to_ascii_lowercase().as_str() {
            "condemn" => Some(Label::Condemn),
            "endorse" => Some(Label::Endorse),
            "neutral" => Some(Label::Neutral),
            _ => None,
        }
    }

    pub fn index(&self) -> usize {
        *self as usize
    }
}

/// Who holds a stance: a span of the sentence, or the article's own voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Span(Span),
    Author,
}

/// A named entity found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub span: Span,
    pub label: String,
    pub score: f32,
}

/// How a claim is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteType {
    /// Inside quotation marks.
    Direct,
    /// Reported speech.
    Indirect,
    /// Partly quoted, partly reported.
    Mixed,
}

impl QuoteType {
    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteType::Direct => "direct",
            QuoteType::Indirect => "indirect",
            QuoteType::Mixed => "mixed",
        }
    }
}

/// What a holder says: the quoted or reported content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub span: Span,
    pub quote_type: QuoteType,
}

/// A sentence's stance with its evidence. `probs` follows [`Label::ALL`].
#[derive(Debug, Clone, PartialEq)]
pub struct Stance {
    pub label: Label,
    pub probs: [f32; 3],
    pub holder: Option<Holder>,
    pub target: Option<Span>,
    pub cue: Option<Span>,
}

impl Stance {
    pub fn neutral(p_neutral: f32) -> Stance {
        let rest = (1.0 - p_neutral) / 2.0;
        Stance { label: Label::Neutral, probs: [rest, rest, p_neutral], holder: None, target: None, cue: None }
    }

    pub fn score(&self) -> f32 {
        self.probs[self.label.index()]
    }
}

/// One sentence and the annotations the pipeline stages attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub span: Span,
    pub entities: Vec<Entity>,
    pub stance: Option<Stance>,
    pub claim: Option<Claim>,
}

impl Sentence {
    pub fn new(span: Span) -> Sentence {
        Sentence { span, entities: Vec::new(), stance: None, claim: None }
    }
}

/// A document with its annotations: what flows through the pipeline.
#[derive(Debug, Clone)]
pub struct AnnotatedDoc {
    pub doc: Document,
    pub sentences: Vec<Sentence>,
}

impl AnnotatedDoc {
    pub fn new(doc: Document) -> AnnotatedDoc {
        AnnotatedDoc { doc, sentences: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_by_code_points_not_bytes() {
        let doc = Document::new("d", "Ça coûte 5 €. Oui.");
        assert_eq!(doc.char_len(), 18);
        assert_eq!(doc.slice(Span::new(0, 13)), "Ça coûte 5 €.");
        assert_eq!(doc.slice(Span::new(14, 18)), "Oui.");
        let byte = doc.text.find("Oui").unwrap();
        assert_eq!(doc.char_offset(byte), 14);
    }

    #[test]
    fn overlap_counts_shared_code_points() {
        assert_eq!(Span::new(0, 10).overlap(&Span::new(5, 20)), 5);
        assert_eq!(Span::new(0, 5).overlap(&Span::new(5, 20)), 0);
        assert!(Span::new(0, 10).contains(&Span::new(2, 10)));
    }

    #[test]
    fn labels_round_trip() {
        for label in Label::ALL {
            assert_eq!(Label::parse(label.as_str()), Some(label));
        }
        assert_eq!(Label::parse("Endorse "), Some(Label::Endorse));
        assert_eq!(Label::parse("maybe"), None);
    }
}
