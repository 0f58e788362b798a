//! Who says what: the holder from reporting structures ("X said", "'...,' X said",
//! "according to X", "X's spokesman said", passives "was criticised by X"), noun
//! phrases around a cue, and the claim (quoted or reported content) with its quote type.
//!
//! Works on the plain tokens of one sentence, without a parser: noun phrases are runs
//! of words between punctuation and clause words. Good enough to point at the right
//! words; not a grammar.

use crate::doc::{Claim, QuoteType, Span};
use crate::stance::Lexicon;
use crate::tokens::Token;

/// A token range `start..end`.
pub type Range = (usize, usize);

/// Words that end a noun phrase: clause words, conjunctions and prepositions.
const PHRASE_STOPS: &[&str] = &[
    "that", "which", "who", "whose", "whom", "and", "but", "or", "nor", "said", "says", "when", "where",
    "after", "before", "as", "while", "because", "if", "than", "to", "for", "on", "in", "at", "by",
    "with", "over", "from", "of", "into", "about", "against", "during", "since", "amid", "despite",
    "under", "saying", "calling", "is", "was", "were", "are", "be", "been", "has", "have", "had",
    "would", "will", "could", "should", "can", "may", "might", "must", "did", "does", "do", "not",
    "also", "then", "so", "yet", "however", "although", "though", "why", "how", "what",
];

/// Words between a subject and its verb that are not part of the subject.
const SUBJECT_GAP: &[&str] = &[
    "has", "have", "had", "also", "strongly", "sharply", "publicly", "swiftly", "repeatedly", "quickly",
    "firmly", "openly", "immediately", "later", "again", "already", "would", "will", "did", "does",
    "do", "is", "was", "were", "are", "not", "never", "fiercely", "roundly", "angrily", "warmly",
    "formally", "today", "yesterday", "earlier", "previously", "once", "both", "all", "too",
    "refused", "declined", "failed", "to", "cannot",
];


const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn is_stop(t: &Token) -> bool {
    !t.is_word() || PHRASE_STOPS.contains(&t.lower.as_str())
}

/// The subject ending just before token `at`, skipping auxiliaries, adverbs and "on
/// Tuesday". After a comma, the appositive between commas ("Its chair, Ms X, said").
pub fn subject_before(tokens: &[Token], at: usize) -> Option<Range> {
    let mut j = at;
    loop {
        let gap = |t: &Token| SUBJECT_GAP.contains(&t.lower.as_str()) || t.lower.ends_with("n't");
        if j > 0 && gap(&tokens[j - 1]) {
            j -= 1;
        } else if j > 1 && tokens[j - 2].lower == "on" && WEEKDAYS.contains(&tokens[j - 1].lower.as_str()) {
            j -= 2;
        } else {
            break;
        }
    }
    if j > 0 && tokens[j - 1].text == "," {
        let comma = j - 1;
        let open = tokens[..comma].iter().rposition(|t| t.text == ",")?;
        let inner = (open + 1, comma);
        let named = inner.1 > inner.0 && inner.1 - inner.0 <= 6 && tokens[inner.0].is_capitalised();
        // "Ms X, the chair, said": the subject stands before the appositive.
        return if named { Some(inner) } else { subject_before(tokens, open) };
    }
    let mut i = j;
    while i > 0 && !is_stop(&tokens[i - 1]) && j - i < 8 {
        i -= 1;
    }
    (i < j).then_some((i, j))
}

/// The noun phrase starting at token `at` (up to `max` tokens), for objects and
/// inverted subjects ("said Dr. Ferreira of ...": "Dr. Ferreira").
pub fn phrase_after(tokens: &[Token], at: usize, max: usize) -> Option<Range> {
    let mut end = at;
    while end < tokens.len() && end - at < max {
        let t = &tokens[end];
        let determiner = end == at && matches!(t.lower.as_str(), "the" | "a" | "an" | "this" | "that" | "its" | "his" | "her" | "their");
        if !determiner && is_stop(t) {
            break;
        }
        end += 1;
    }
    (end > at).then_some((at, end))
}

/// The span of tokens `range`.
pub fn span_of(tokens: &[Token], range: Range) -> Span {
    Span::new(tokens[range.0].span.start, tokens[range.1 - 1].span.end)
}

/// A reporting structure found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub holder: Option<Range>,
    /// The reporting verb's tokens.
    pub verb: Range,
    /// Whether the holder follows the verb ("said X", "according to X").
    pub inverted: bool,
}

/// The first reporting structure in the sentence whose holder can be found.
pub fn find_attribution(lexicon: &Lexicon, tokens: &[Token]) -> Option<Attribution> {
    let mut fallback = None;
    for at in 0..tokens.len() {
        let Some(len) = lexicon.reporting_at(tokens, at) else { continue };
        let verb = (at, at + len);
        let according = tokens[at].lower == "according";
        let before = if according { None } else { subject_before(tokens, at) };
        let found = match before {
            Some(h) => Attribution { holder: Some(h), verb, inverted: false },
            None => {
                let after = phrase_after(tokens, at + len, 6);
                let holder = after.filter(|r| (according || ends_clause(tokens, r.1)) && !opens_clause(tokens, *r));
                Attribution { holder, verb, inverted: true }
            }
        };
        if found.holder.is_some() {
            return Some(found);
        }
        fallback.get_or_insert(found);
    }
    fallback
}

/// Whether a phrase is a clause of its own ("said it respected the decisions"): a
/// subject pronoun with more words after it. A lone pronoun ("..., said he.") can be an
/// inverted subject.
fn opens_clause(tokens: &[Token], (start, end): Range) -> bool {
    end - start > 1 && matches!(tokens[start].lower.as_str(), "i" | "we" | "you" | "he" | "she" | "it" | "they")
}

/// Whether a phrase ending at `end` closes its clause, as an inverted subject does
/// ("..., said the minister." but not "said the talks would resume").
fn ends_clause(tokens: &[Token], end: usize) -> bool {
    tokens.get(end).map_or(true, |t| !t.is_word() || matches!(t.lower.as_str(), "of" | "on" | "in" | "at" | "from"))
}

fn is_quote_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»')
}

/// The claim of a sentence: its quoted content (direct, or mixed when the quote is a
/// fragment of reported speech), else the content of a reporting structure (indirect).
pub fn claim(text: &[char], sentence: Span, tokens: &[Token], attribution: Option<&Attribution>) -> Option<Claim> {
    let local = &text[sentence.start..sentence.end];
    let marks: Vec<usize> = local.iter().enumerate().filter(|(_, c)| is_quote_mark(**c)).map(|(i, _)| i).collect();
    let at = |i: usize| sentence.start + i;
    let (first, last) = (marks.first().copied(), marks.last().copied());
    let quoted = match (first, last) {
        (Some(f), Some(l)) if l > f => Some((at(f + 1), at(l))),
        // One mark: a quote that opens here and runs on, or one that closes here.
        (Some(f), _) if local[..f].iter().all(|c| c.is_whitespace()) => Some((at(f + 1), sentence.end)),
        (Some(f), _) => Some((sentence.start, at(f))),
        _ => None,
    };
    if let Some((s, e)) = quoted {
        let span = trim(text, s, e)?;
        let outside_words = tokens.iter().filter(|t| t.is_word() && !span.contains(&t.span)).count();
        let quote_type = if outside_words > 8 { QuoteType::Mixed } else { QuoteType::Direct };
        return Some(Claim { span, quote_type });
    }
    let a = attribution?;
    let words_after = tokens[a.verb.1..].iter().filter(|t| t.is_word()).count();
    let reported_before = a.verb.0 > 0 && (a.inverted || words_after < 3);
    let span = if reported_before {
        // "CLAIM, X said." or "CLAIM, according to X."
        let comma = tokens[..a.verb.0].iter().rposition(|t| t.text == ",")?;
        if comma == 0 {
            return None;
        }
        trim(text, sentence.start, tokens[comma].span.start)?
    } else {
        let mut from = if a.inverted { a.holder.map_or(a.verb.1, |h| h.1) } else { a.verb.1 };
        while from < tokens.len() && (tokens[from].lower == "that" || tokens[from].text == ",") {
            from += 1;
        }
        if from >= tokens.len() {
            return None;
        }
        trim(text, tokens[from].span.start, sentence.end)?
    };
    (span.len() > 3).then_some(Claim { span, quote_type: QuoteType::Indirect })
}

/// Trims whitespace and trailing commas and final punctuation from a char range.
fn trim(text: &[char], mut s: usize, mut e: usize) -> Option<Span> {
    while s < e && text[s].is_whitespace() {
        s += 1;
    }
    while e > s && (text[e - 1].is_whitespace() || matches!(text[e - 1], ',' | '.' | ';' | ':')) {
        e -= 1;
    }
    (s < e).then(|| Span::new(s, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Document;
    use crate::tokens::tokenize;

    fn setup(text: &str) -> (Document, Vec<Token>) {
        let doc = Document::new("d", text);
        let tokens = tokenize(&doc, Span::new(0, doc.char_len()));
        (doc, tokens)
    }

    fn holder_text(text: &str) -> String {
        let (doc, tokens) = setup(text);
        let a = find_attribution(&Lexicon::builtin(), &tokens).expect("an attribution");
        doc.slice(span_of(&tokens, a.holder.expect("a holder"))).to_string()
    }

    #[test]
    fn holders_of_reporting_structures() {
        assert_eq!(holder_text("The talks will resume, Mr. Smith said on Monday."), "Mr. Smith");
        assert_eq!(holder_text("\"It is a disgrace,\" said Dr. Ana Ruiz of the group."), "Dr. Ana Ruiz");
        assert_eq!(holder_text("Its chair, Ambassador Tora, said the offer was low."), "Ambassador Tora");
        assert_eq!(holder_text("Russia's foreign ministry on Tuesday said it would respond."), "Russia's foreign ministry");
        assert_eq!(holder_text("Prices rose, according to the central bank."), "the central bank");
        assert_eq!(holder_text("\"We will not sign,\" she said."), "she");
        assert_eq!(holder_text("Peter Lind, one of the four who voted against, said it."), "Peter Lind");
        assert_eq!(holder_text("\"We will not sign,\" said he."), "he");
        let (_, tokens) = setup("Belvoria did not object and said it respected the decisions of the court.");
        assert_eq!(find_attribution(&Lexicon::builtin(), &tokens).and_then(|a| a.holder), None);
    }

    #[test]
    fn claims_and_quote_types() {
        let check = |text: &str| {
            let (doc, tokens) = setup(text);
            let chars: Vec<char> = doc.text.chars().collect();
            let a = find_attribution(&Lexicon::builtin(), &tokens);
            let c = claim(&chars, Span::new(0, doc.char_len()), &tokens, a.as_ref()).unwrap();
            (doc.slice(c.span).to_string(), c.quote_type)
        };
        assert_eq!(check("\"It is wrong,\" she said."), ("It is wrong".into(), QuoteType::Direct));
        assert_eq!(check("The minister said that the plan would fail."), ("the plan would fail".into(), QuoteType::Indirect));
        assert_eq!(check("The plan will fail, the minister said."), ("The plan will fail".into(), QuoteType::Indirect));
        assert_eq!(check("\"We came here in good faith."), ("We came here in good faith".into(), QuoteType::Direct));
        let mixed = check("The chair of the coalition of small island states denounced the offer as \"an insult to them.\"");
        assert_eq!(mixed, ("an insult to them".into(), QuoteType::Mixed));
    }

    #[test]
    fn object_phrase_stops_at_prepositions() {
        let (doc, tokens) = setup("backed the package and urged talks");
        let r = phrase_after(&tokens, 1, 6).unwrap();
        assert_eq!(doc.slice(span_of(&tokens, r)), "the package");
    }
}
