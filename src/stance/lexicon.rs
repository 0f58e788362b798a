//! The cue lexicon: words and phrases of condemnation and endorsement, negators, and
//! reporting verbs. The lists live in plain files beside this module (`cues.tsv`,
//! `negators.txt`, `reporting_verbs.txt`), compiled into the binary.

use std::collections::HashMap;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::doc::Label;
use crate::tokens::Token;

const CUES: &str = include_str!("cues.tsv");
const NEGATORS: &str = include_str!("negators.txt");
const REPORTING: &str = include_str!("reporting_verbs.txt");

/// The grammatical role of a cue, which decides where its target is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    /// Holder is the subject, target the object ("X condemned Y").
    Verb,
    /// "criticism of Y", "support for Y".
    Noun,
    /// An evaluation of the target ("Y is dangerous", "called Y a disgrace").
    Adj,
    /// A multi-word expression; treated like a verb.
    Phrase,
}

/// Evidence classes of [`Lexicon::evidence`].
pub const EVIDENCE_NONE: i64 = 0;
pub const EVIDENCE_CONDEMN: i64 = 1;
pub const EVIDENCE_ENDORSE: i64 = 2;
pub const EVIDENCE_NEGATOR: i64 = 3;
pub const EVIDENCE_REPORTING: i64 = 4;
pub const EVIDENCE_CLASSES: i64 = 5;

/// A cue found in a token sequence: tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueMatch {
    pub start: usize,
    pub end: usize,
    pub label: Label,
    pub kind: CueKind,
}

#[derive(Debug, Clone)]
pub struct Lexicon {
    cues: HashMap<Vec<String>, (Label, CueKind)>,
    longest_cue: usize,
    negators: Vec<Vec<String>>,
    reporting: Vec<Vec<String>>,
    sha256: String,
}

impl Lexicon {
    /// The lexicon shipped with stancer.
    pub fn builtin() -> Lexicon {
        Lexicon::parse(CUES, NEGATORS, REPORTING).expect("the built-in lexicon is valid")
    }

    pub fn parse(cues: &str, negators: &str, reporting: &str) -> Result<Lexicon> {
        let mut map = HashMap::new();
        for (n, line) in cues.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [cue, polarity, kind] = fields[..] else {
                bail!("cues line {}: expected cue, polarity, kind", n + 1);
            };
            let label = Label::parse(polarity).filter(|l| *l != Label::Neutral);
            let label = label.with_context(|| format!("cues line {}: bad polarity {polarity:?}", n + 1))?;
            let kind = match kind {
                "verb" => CueKind::Verb,
                "noun" => CueKind::Noun,
                "adj" => CueKind::Adj,
                "phrase" => CueKind::Phrase,
                other => bail!("cues line {}: bad kind {other:?}", n + 1),
            };
            map.insert(words(cue), (label, kind));
        }
        let mut hash = Sha256::new();
        for part in [cues, negators, reporting] {
            hash.update(part.as_bytes());
        }
        Ok(Lexicon {
            longest_cue: map.keys().map(Vec::len).max().unwrap_or(1),
            cues: map,
            negators: list(negators),
            reporting: list(reporting),
            sha256: format!("{:x}", hash.finalize()),
        })
    }

    /// sha256 of the three lists, for the run manifest.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Cues in the tokens, longest match first, not overlapping, in text order.
    pub fn find_cues(&self, tokens: &[Token]) -> Vec<CueMatch> {
        let lower: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < lower.len() {
            let longest = (1..=self.longest_cue.min(lower.len() - i)).rev().find_map(|n| {
                let key: Vec<String> = lower[i..i + n].iter().map(|s| s.to_string()).collect();
                self.cues.get(&key).map(|&(label, kind)| CueMatch { start: i, end: i + n, label, kind })
            });
            match longest {
                Some(m) => {
                    i = m.end;
                    found.push(m);
                }
                None => i += 1,
            }
        }
        found
    }

    /// The negator ending within `window` tokens before token `at`, if any, as
    /// (first token, its words).
    pub fn negator_before(&self, tokens: &[Token], at: usize, window: usize) -> Option<&[String]> {
        let from = at.saturating_sub(window);
        self.negators.iter().filter(|neg| phrase_ends_within(tokens, neg, from, at)).max_by_key(|neg| neg.len()).map(|n| n.as_slice())
    }

    /// What the lexicon knows about each token, as a class for a model's input:
    /// [`EVIDENCE_NONE`], a condemn or endorse cue, a negator, or a reporting verb.
    /// Cues win over the others where they overlap.
    pub fn evidence(&self, tokens: &[Token]) -> Vec<i64> {
        let mut out = vec![EVIDENCE_NONE; tokens.len()];
        for at in 0..tokens.len() {
            if let Some(n) = self.reporting_at(tokens, at) {
                out[at..at + n].fill(EVIDENCE_REPORTING);
            }
            if let Some(n) = longest_at(&self.negators, tokens, at) {
                out[at..at + n].fill(EVIDENCE_NEGATOR);
            }
        }
        for cue in self.find_cues(tokens) {
            let class = if cue.label == Label::Condemn { EVIDENCE_CONDEMN } else { EVIDENCE_ENDORSE };
            out[cue.start..cue.end].fill(class);
        }
        out
    }

    /// Evidence classes for words of a sentence (words cut from its tokens, as the NER
    /// stage cuts them): each word takes the class of the token it starts in.
    pub fn word_evidence(&self, doc: &crate::doc::Document, sentence: crate::doc::Span, words: &[crate::doc::Span]) -> Vec<i64> {
        let tokens = crate::tokens::tokenize(doc, sentence);
        let classes = self.evidence(&tokens);
        words
            .iter()
            .map(|w| tokens.iter().position(|t| t.span.start <= w.start && w.start < t.span.end).map_or(EVIDENCE_NONE, |k| classes[k]))
            .collect()
    }

    /// Whether tokens starting at `at` are a reporting verb; returns its length.
    pub fn reporting_at(&self, tokens: &[Token], at: usize) -> Option<usize> {
        longest_at(&self.reporting, tokens, at)
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_lowercase).collect()
}

fn list(raw: &str) -> Vec<Vec<String>> {
    raw.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(words).collect()
}

/// Length of the longest phrase of `phrases` that starts at token `at`.
fn longest_at(phrases: &[Vec<String>], tokens: &[Token], at: usize) -> Option<usize> {
    phrases.iter().filter(|p| starts_with(tokens, at, p)).map(Vec::len).max()
}

fn starts_with(tokens: &[Token], at: usize, phrase: &[String]) -> bool {
    at + phrase.len() <= tokens.len() && phrase.iter().zip(&tokens[at..]).all(|(w, t)| *w == t.lower || (w == "n't" && t.lower.ends_with("n't")))
}

/// Whether `phrase` occurs starting somewhere in `from..at` and ends by `at`; a
/// contraction like "didn't" counts as "n't".
fn phrase_ends_within(tokens: &[Token], phrase: &[String], from: usize, at: usize) -> bool {
    (from..at).any(|s| s + phrase.len() <= at && starts_with(tokens, s, phrase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Document, Span};
    use crate::tokens::tokenize;

    fn toks(text: &str) -> Vec<Token> {
        let doc = Document::new("d", text);
        tokenize(&doc, Span::new(0, doc.char_len()))
    }

    fn tiny() -> Lexicon {
        Lexicon::parse(
            "cue\tpolarity\tkind\ncondemned\tcondemn\tverb\ncalled for\tendorse\tverb\ncalled for an end to\tcondemn\tverb\n",
            "# negators\nnot\nn't\nrefused to\n",
            "# reporting\nsaid\naccording to\n",
        )
        .unwrap()
    }

    #[test]
    fn longest_cue_wins() {
        let lex = tiny();
        let found = lex.find_cues(&toks("They called for an end to the raids."));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].end, found[0].label), (1, 6, Label::Condemn));
        assert_eq!(lex.find_cues(&toks("They called for talks."))[0].label, Label::Endorse);
    }

    #[test]
    fn evidence_marks_cues_negators_and_reporting_verbs() {
        let lex = tiny();
        let got = lex.evidence(&toks("She said they refused to condemned it, according to aides."));
        // She said they refused to condemned it , according to aides .
        assert_eq!(got, [0, 4, 0, 3, 3, 1, 0, 0, 4, 4, 0, 0]);
    }

    #[test]
    fn negators_and_contractions() {
        let lex = tiny();
        let t = toks("They didn't condemned it");
        assert!(lex.negator_before(&t, 2, 3).is_some());
        assert!(lex.negator_before(&toks("They condemned it"), 1, 3).is_none());
        let refused = toks("She refused to condemned");
        assert_eq!(lex.negator_before(&refused, 3, 3).unwrap(), ["refused", "to"]);
    }

    #[test]
    fn reporting_phrases() {
        let lex = tiny();
        assert_eq!(lex.reporting_at(&toks("according to police"), 0), Some(2));
        assert_eq!(lex.reporting_at(&toks("he said"), 1), Some(1));
    }

    #[test]
    fn builtin_lexicon_loads_and_rejects_bad_rows() {
        let lex = Lexicon::builtin();
        assert_eq!(lex.find_cues(&toks("welcomed"))[0].label, Label::Endorse);
        assert_eq!(lex.sha256().len(), 64);
        assert!(Lexicon::parse("h\nx\tmaybe\tverb\n", "", "").is_err());
    }
}
