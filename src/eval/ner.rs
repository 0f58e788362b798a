//! Entity-level NER scores exactly as the CoNLL shared task's `conlleval` computes them:
//! chunks are read from IOB1 or IOB2 tags (`B-`, `I-`, `O`, and `E-`/`S-` too) with
//! conlleval's start and end rules, a blank line ends any chunk, and an entity counts as
//! correct only when type, first token and last token all match.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::eval::Prf;

/// One sentence of a column file: tokens and their tag columns (gold, then any others).
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedSentence {
    pub tokens: Vec<String>,
    /// `tags[k][i]`: column k (counted from the end: 0 is the last column) of token i.
    pub columns: Vec<Vec<String>>,
}

/// Reads a CoNLL column file: token first, tags in the last `n_tags` columns, blank lines
/// between sentences, `-DOCSTART-` lines skipped.
pub fn read_columns(raw: &str, n_tags: usize) -> Result<Vec<TaggedSentence>> {
    let mut sentences = Vec::new();
    let mut current = TaggedSentence { tokens: Vec::new(), columns: vec![Vec::new(); n_tags] };
    for (n, line) in raw.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() || fields[0] == "-DOCSTART-" {
            if !current.tokens.is_empty() {
                sentences.push(std::mem::replace(&mut current, TaggedSentence { tokens: Vec::new(), columns: vec![Vec::new(); n_tags] }));
            }
            continue;
        }
        if fields.len() < n_tags + 1 {
            bail!("line {}: expected a token and {n_tags} tag column(s), found {} field(s)", n + 1, fields.len());
        }
        current.tokens.push(fields[0].to_string());
        for k in 0..n_tags {
            current.columns[k].push(fields[fields.len() - n_tags + k].to_string());
        }
    }
    if !current.tokens.is_empty() {
        sentences.push(current);
    }
    Ok(sentences)
}

/// An entity: tokens `start..end` of a sentence, and its type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub kind: String,
}

/// Splits a tag into its prefix and type: "B-PER" gives ("B", "PER"), "O" gives ("O", "").
fn split_tag(tag: &str) -> (&str, &str) {
    match tag.split_once('-') {
        Some((prefix, kind)) => (prefix, kind),
        None => (tag, ""),
    }
}

/// conlleval's rule for a chunk ending between the previous tag and this one (with the
/// usual extension for single-token `S-` chunks).
fn ends(prev: (&str, &str), cur: (&str, &str)) -> bool {
    let (p, pt) = prev;
    let (t, tt) = cur;
    matches!((p, t), ("B", "B") | ("B", "S") | ("B", "O") | ("I", "B") | ("I", "S") | ("I", "O") | ("E", _) | ("S", _))
        || (p != "O" && p != "." && pt != tt)
}

/// conlleval's rule for a chunk starting at this tag.
fn starts(prev: (&str, &str), cur: (&str, &str)) -> bool {
    let (p, pt) = prev;
    let (t, tt) = cur;
    matches!((p, t), ("B" | "I" | "O" | "E" | "S", "B") | ("O" | "E" | "S", "I") | ("O" | "E" | "S", "E") | (_, "S"))
        || (t != "O" && t != "." && pt != tt)
}

/// The chunks of one tag sequence.
pub fn chunks(tags: &[String]) -> Vec<Chunk> {
    let mut found = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let mut prev = ("O", "");
    for (i, tag) in tags.iter().enumerate() {
        let cur = split_tag(tag);
        if open.is_some() && ends(prev, cur) {
            let (start, kind) = open.take().expect("checked above");
            found.push(Chunk { start, end: i, kind });
        }
        if starts(prev, cur) {
            open = Some((i, cur.1.to_string()));
        }
        prev = cur;
    }
    if let Some((start, kind)) = open {
        found.push(Chunk { start, end: tags.len(), kind });
    }
    found
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypeScore {
    pub kind: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NerReport {
    pub tokens: usize,
    pub token_accuracy: f64,
    pub gold_entities: usize,
    pub predicted_entities: usize,
    pub correct_entities: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub per_type: Vec<TypeScore>,
}

/// Scores predicted tag sequences against gold ones, sentence by sentence.
pub fn score(gold: &[Vec<String>], predicted: &[Vec<String>]) -> Result<NerReport> {
    if gold.len() != predicted.len() {
        bail!("{} gold sentences but {} predicted", gold.len(), predicted.len());
    }
    let mut by_type: BTreeMap<String, Prf> = BTreeMap::new();
    let (mut tokens, mut same) = (0, 0);
    for (n, (g, p)) in gold.iter().zip(predicted).enumerate() {
        if g.len() != p.len() {
            bail!("sentence {}: {} gold tags but {} predicted", n + 1, g.len(), p.len());
        }
        tokens += g.len();
        same += g.iter().zip(p).filter(|(a, b)| a == b).count();
        let (gc, pc) = (chunks(g), chunks(p));
        for c in &gc {
            by_type.entry(c.kind.clone()).or_default().gold += 1;
        }
        for c in &pc {
            let entry = by_type.entry(c.kind.clone()).or_default();
            entry.predicted += 1;
            if gc.contains(c) {
                entry.tp += 1;
            }
        }
    }
    let mut total = Prf::default();
    by_type.values().for_each(|m| total.add(*m));
    let per_type = by_type
        .into_iter()
        .map(|(kind, m)| TypeScore { kind, precision: m.precision(), recall: m.recall(), f1: m.f1(), gold: m.gold, predicted: m.predicted })
        .collect();
    Ok(NerReport {
        tokens,
        token_accuracy: if tokens == 0 { 0.0 } else { same as f64 / tokens as f64 },
        gold_entities: total.gold,
        predicted_entities: total.predicted,
        correct_entities: total.tp,
        precision: total.precision(),
        recall: total.recall(),
        f1: total.f1(),
        per_type,
    })
}

/// Scores a `token ... gold predicted` file, as conlleval does.
pub fn score_file(path: &std::path::Path) -> Result<NerReport> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let sentences = read_columns(&raw, 2).with_context(|| format!("in {}", path.display()))?;
    let gold: Vec<Vec<String>> = sentences.iter().map(|s| s.columns[0].clone()).collect();
    let predicted: Vec<Vec<String>> = sentences.iter().map(|s| s.columns[1].clone()).collect();
    score(&gold, &predicted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn iob1_and_iob2_give_the_same_chunks() {
        let iob1 = chunks(&tags("I-PER I-PER O I-LOC B-LOC I-ORG"));
        let iob2 = chunks(&tags("B-PER I-PER O B-LOC B-LOC B-ORG"));
        assert_eq!(iob1, iob2);
        let kinds: Vec<_> = iob1.iter().map(|c| (c.start, c.end, c.kind.as_str())).collect();
        assert_eq!(kinds, [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 6, "ORG")]);
    }

    #[test]
    fn a_stray_inside_tag_starts_a_chunk_like_conlleval() {
        let c = chunks(&tags("O I-MISC I-MISC B-PER I-LOC"));
        let kinds: Vec<_> = c.iter().map(|c| (c.start, c.end, c.kind.as_str())).collect();
        assert_eq!(kinds, [(1, 3, "MISC"), (3, 4, "PER"), (4, 5, "LOC")]);
    }

    /// Scored by hand: gold has PER(0-2), LOC(3), ORG(5-7); the prediction finds PER(0-2)
    /// right, LOC at 3 as ORG (wrong type), and ORG(5-6) one token short.
    #[test]
    fn hand_scored_fixture() {
        let raw = "-DOCSTART- O O\n\nAnna B-PER B-PER\nLee I-PER I-PER\nvisits O O\nOslo B-LOC B-ORG\n. O O\n\nNew B-ORG B-ORG\nYork I-ORG I-ORG\nTimes I-ORG O\n";
        let sentences = read_columns(raw, 2).unwrap();
        assert_eq!(sentences.len(), 2);
        let gold: Vec<_> = sentences.iter().map(|s| s.columns[0].clone()).collect();
        let pred: Vec<_> = sentences.iter().map(|s| s.columns[1].clone()).collect();
        let r = score(&gold, &pred).unwrap();
        assert_eq!((r.gold_entities, r.predicted_entities, r.correct_entities), (3, 3, 1));
        assert!((r.f1 - 1.0 / 3.0).abs() < 1e-12);
        assert!((r.token_accuracy - 6.0 / 8.0).abs() < 1e-12);
        let org = r.per_type.iter().find(|t| t.kind == "ORG").unwrap();
        assert_eq!((org.gold, org.predicted), (1, 2));
        assert_eq!(org.precision, 0.0);
    }

    #[test]
    fn mismatched_lengths_are_errors() {
        assert!(score(&[tags("O O")], &[tags("O")]).is_err());
        assert!(read_columns("token\n", 2).is_err());
    }
}
