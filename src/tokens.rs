//! A plain word tokenizer with code-point spans, for the rule-based stages. Words are
//! runs of letters and digits, with inner `.`, `'`, `’` and `-` ("U.S.", "didn't",
//! "Russia's", "long-term"); every other non-space character is a token of its own.
//! A title or initial keeps its period ("Mr.", "M.") so names stay in one piece.
//!
//! Not a model tokenizer: the transformer stages use their own WordPiece vocabulary.

use crate::doc::{Document, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub span: Span,
    pub text: String,
    pub lower: String,
}

impl Token {
    pub fn is_word(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_alphanumeric)
    }

    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

const TITLES: &[&str] = &["mr", "mrs", "ms", "dr", "prof", "st", "gen", "sen", "rep", "gov", "jr", "sr", "lt", "col", "capt", "rev"];

fn inner_joiner(c: char) -> bool {
    matches!(c, '.' | '\'' | '’' | '-' | '&')
}

/// Tokens of `doc` inside `within`, with spans into the document.
pub fn tokenize(doc: &Document, within: Span) -> Vec<Token> {
    let chars: Vec<char> = doc.slice(within).chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if chars[i].is_alphanumeric() {
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || (inner_joiner(chars[i]) && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric())))
            {
                i += 1;
            }
            if chars.get(i) == Some(&'.') && keeps_period(&chars[start..i]) {
                i += 1;
            }
            // A plural possessive keeps its apostrophe ("Riders' groups").
            let plural = chars[i - 1] == 's' && matches!(chars.get(i), Some('\'' | '’'));
            if plural && chars.get(i + 1).map_or(true, |c| c.is_whitespace()) {
                i += 1;
            }
        } else {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        let span = Span::new(within.start + start, within.start + i);
        tokens.push(Token { lower: text.to_lowercase(), text, span });
    }
    tokens
}

/// Initials, titles and dotted abbreviations keep their final period.
fn keeps_period(word: &[char]) -> bool {
    let w: String = word.iter().collect::<String>().to_lowercase();
    (word.len() == 1 && word[0].is_uppercase()) || w.contains('.') || TITLES.contains(&w.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        let doc = Document::new("d", text);
        tokenize(&doc, Span::new(0, doc.char_len())).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_names_and_punctuation() {
        assert_eq!(
            texts("Mr. John F. Smith didn't back Russia's plan, the U.S. said. Riders' groups 'agreed'"),
            ["Mr.", "John", "F.", "Smith", "didn't", "back", "Russia's", "plan", ",", "the", "U.S.", "said", ".", "Riders'", "groups", "'", "agreed", "'"]
        );
    }

    #[test]
    fn spans_are_document_code_points() {
        let doc = Document::new("d", "Ünal: «non»");
        let tokens = tokenize(&doc, Span::new(0, doc.char_len()));
        assert_eq!(tokens[0].span, Span::new(0, 4));
        assert_eq!(tokens[3].text, "non");
        assert_eq!(tokens[3].span, Span::new(7, 10));
    }
}
