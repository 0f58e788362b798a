//! Sentence boundary evaluation: exact-span precision, recall and F1, and the number of
//! cases split exactly right. Gold comes as JSON Lines (`text`, `sentences`) or as
//! CoNLL-U (`# text` lines; a document is rebuilt from its sentences).

use std::collections::BTreeSet;

use anyhow::{bail, Context, Result};

use crate::doc::Span;
use crate::eval::Prf;
use crate::segment::SentenceSplitter;

/// One gold case: a text and its sentences as code-point spans.
#[derive(Debug, Clone)]
pub struct GoldCase {
    pub id: String,
    pub text: String,
    pub sentences: Vec<Span>,
}

/// How CoNLL-U sentences are joined back into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Join {
    /// Sentences of a paragraph joined by a space, paragraphs by a line break.
    Paragraphs,
    /// Every sentence of a document joined by a space: no line breaks to help.
    Spaces,
}

/// The result of splitting every gold case.
#[derive(Debug, Clone, Default)]
pub struct SbdScore {
    pub spans: Prf,
    pub cases: usize,
    pub cases_exact: usize,
    /// Ids of the cases not split exactly right.
    pub failed: Vec<String>,
}

pub fn evaluate(splitter: &dyn SentenceSplitter, cases: &[GoldCase]) -> SbdScore {
    let mut score = SbdScore::default();
    for case in cases {
        let predicted: BTreeSet<Span> = splitter.split(&case.text).into_iter().collect();
        let gold: BTreeSet<Span> = case.sentences.iter().copied().collect();
        let tp = predicted.intersection(&gold).count();
        score.spans.add(Prf { tp, predicted: predicted.len(), gold: gold.len() });
        score.cases += 1;
        if predicted == gold {
            score.cases_exact += 1;
        } else {
            score.failed.push(case.id.clone());
        }
    }
    score
}

/// Reads gold cases from a `.conllu` file or from JSON Lines.
pub fn read_gold(path: &std::path::Path, join: Join) -> Result<Vec<GoldCase>> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "conllu") {
        Ok(parse_conllu(&raw, join))
    } else {
        parse_jsonl(&raw).with_context(|| format!("in {}", path.display()))
    }
}

pub fn parse_jsonl(raw: &str) -> Result<Vec<GoldCase>> {
    let mut cases = Vec::new();
    for (n, line) in raw.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("line {}: not JSON", n + 1))?;
        let text = value["text"].as_str().with_context(|| format!("line {}: no \"text\"", n + 1))?;
        let Some(sentences) = value["sentences"].as_array() else {
            bail!("line {}: no \"sentences\" array", n + 1);
        };
        let sentences: Vec<&str> = sentences.iter().filter_map(|s| s.as_str()).collect();
        let id = value.get("id").map_or_else(|| (n + 1).to_string(), |v| v.to_string());
        let spans = locate(text, &sentences).with_context(|| format!("line {}", n + 1))?;
        cases.push(GoldCase { id, text: text.to_string(), sentences: spans });
    }
    Ok(cases)
}

/// Finds each sentence in the text, in order, as a code-point span.
fn locate(text: &str, sentences: &[&str]) -> Result<Vec<Span>> {
    let mut spans = Vec::new();
    let mut from = 0;
    for sentence in sentences {
        let sentence = sentence.trim();
        let Some(at) = text[from..].find(sentence) else {
            bail!("gold sentence {sentence:?} is not in the text");
        };
        let start_byte = from + at;
        let start = text[..start_byte].chars().count();
        spans.push(Span::new(start, start + sentence.chars().count()));
        from = start_byte + sentence.len();
    }
    Ok(spans)
}

pub fn parse_conllu(raw: &str, join: Join) -> Vec<GoldCase> {
    let mut cases: Vec<GoldCase> = Vec::new();
    let mut new_par = false;
    for line in raw.lines() {
        if let Some(id) = line.strip_prefix("# newdoc id = ").or(line.strip_prefix("# newdoc")) {
            cases.push(GoldCase { id: id.trim().to_string(), text: String::new(), sentences: Vec::new() });
            new_par = false;
        } else if line.starts_with("# newpar") {
            new_par = true;
        } else if let Some(sentence) = line.strip_prefix("# text = ") {
            if cases.is_empty() {
                cases.push(GoldCase { id: "1".into(), text: String::new(), sentences: Vec::new() });
            }
            let case = cases.last_mut().expect("a case was pushed above");
            if !case.text.is_empty() {
                case.text.push(if new_par && join == Join::Paragraphs { '\n' } else { ' ' });
            }
            new_par = false;
            let start = case.text.chars().count();
            let sentence = sentence.trim();
            case.text.push_str(sentence);
            case.sentences.push(Span::new(start, start + sentence.chars().count()));
        }
    }
    cases.retain(|c| !c.sentences.is_empty());
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::RuleSplitter;

    #[test]
    fn jsonl_gold_spans_are_found_in_order() {
        let cases = parse_jsonl(r#"{"id": 7, "text": "Go. Go.", "sentences": ["Go.", "Go."]}"#).unwrap();
        assert_eq!(cases[0].sentences, [Span::new(0, 3), Span::new(4, 7)]);
        assert_eq!(cases[0].id, "7");
    }

    #[test]
    fn missing_gold_sentence_is_an_error() {
        let err = parse_jsonl(r#"{"text": "Go.", "sentences": ["Stop."]}"#).unwrap_err();
        assert!(format!("{err:#}").contains("Stop."));
    }

    #[test]
    fn conllu_documents_and_paragraphs() {
        let raw = "# newdoc id = d1\n# newpar\n# text = A b.\n1\tA\n\n# text = C d.\n\n# newpar\n# text = E.\n\n# newdoc id = d2\n# text = F.\n";
        let cases = parse_conllu(raw, Join::Paragraphs);
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].text, "A b. C d.\nE.");
        assert_eq!(cases[0].sentences[2], Span::new(10, 12));
        assert_eq!(parse_conllu(raw, Join::Spaces)[0].text, "A b. C d. E.");
    }

    #[test]
    fn scores_exact_spans() {
        let cases = parse_jsonl(
            "{\"text\": \"One. Two.\", \"sentences\": [\"One.\", \"Two.\"]}\n{\"text\": \"Mr. X.\", \"sentences\": [\"Mr.\", \"X.\"]}",
        )
        .unwrap();
        let score = evaluate(&RuleSplitter, &cases);
        assert_eq!(score.cases_exact, 1);
        assert_eq!(score.spans, Prf { tp: 2, predicted: 3, gold: 4 });
        assert_eq!(score.failed, ["2"]);
    }
}
