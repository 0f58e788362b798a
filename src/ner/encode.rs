//! Words to model inputs: WordPiece ids with `[CLS]` and `[SEP]`, the shape class of each
//! sub-token, and where each word's first sub-token sits (the position whose label
//! stands for the word). Batches are padded to their longest member.

use std::path::Path;

use anyhow::{Context, Result};
use rust_tokenizers::tokenizer::{BertTokenizer, Tokenizer};
use rust_tokenizers::vocab::Vocab;
use tch::{Device, Kind, Tensor};

use crate::ner::shape::shape_of;

/// Sub-token ids of one word sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    pub ids: Vec<i64>,
    pub shapes: Vec<i64>,
    /// For each word that fit in the window, the position of its first sub-token.
    pub word_starts: Vec<usize>,
}

pub struct WordEncoder {
    tokenizer: BertTokenizer,
    cls: i64,
    sep: i64,
    unk: i64,
    /// Longest sequence, special tokens included.
    pub max_len: usize,
}

impl WordEncoder {
    pub fn from_vocab(vocab: &Path, lower_case: bool, max_len: usize) -> Result<WordEncoder> {
        let tokenizer = BertTokenizer::from_file(vocab, lower_case, lower_case)
            .with_context(|| format!("cannot read the vocabulary {}", vocab.display()))?;
        let v = tokenizer.vocab();
        let (cls, sep, unk) = (v.token_to_id("[CLS]"), v.token_to_id("[SEP]"), v.token_to_id("[UNK]"));
        Ok(WordEncoder { tokenizer, cls, sep, unk, max_len })
    }

    /// Sub-token ids of one word; a word the tokenizer drops entirely (a control
    /// character) becomes `[UNK]` so that every word keeps a position.
    pub fn word_ids(&self, word: &str) -> Vec<i64> {
        let pieces = self.tokenizer.tokenize(word);
        if pieces.is_empty() {
            return vec![self.unk];
        }
        self.tokenizer.convert_tokens_to_ids(&pieces)
    }

    /// Encodes words until the window is full; later words are left out (see
    /// `word_starts.len()`).
    pub fn encode(&self, words: &[&str]) -> Encoded {
        let mut e = Encoded { ids: vec![self.cls], shapes: vec![0], word_starts: Vec::with_capacity(words.len()) };
        for word in words {
            let ids = self.word_ids(word);
            if e.ids.len() + ids.len() + 1 > self.max_len {
                break;
            }
            e.word_starts.push(e.ids.len());
            e.shapes.extend(std::iter::repeat(shape_of(word)).take(ids.len()));
            e.ids.extend(ids);
        }
        e.ids.push(self.sep);
        e.shapes.push(0);
        e
    }
}

/// A padded batch: ids, attention mask (Int8) and shapes, each `[batch, longest]`.
pub struct Batch {
    pub ids: Tensor,
    pub mask: Tensor,
    pub shapes: Tensor,
}

pub fn pad(batch: &[&Encoded], device: Device) -> Batch {
    let longest = batch.iter().map(|e| e.ids.len()).max().unwrap_or(0);
    let padded = |f: &dyn Fn(&Encoded) -> Vec<i64>| -> Tensor {
        let flat: Vec<i64> = batch
            .iter()
            .flat_map(|e| {
                let mut v = f(e);
                v.resize(longest, 0);
                v
            })
            .collect();
        Tensor::from_slice(&flat).view([batch.len() as i64, longest as i64]).to(device)
    };
    Batch {
        ids: padded(&|e| e.ids.clone()),
        mask: padded(&|e| vec![1; e.ids.len()]).to_kind(Kind::Int8),
        shapes: padded(&|e| e.shapes.clone()),
    }
}

/// Indices of `lengths` grouped into batches of similar length (sorted, then cut),
/// so that little time goes into padding. Stable: equal lengths keep input order.
pub fn length_batches(lengths: &[usize], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    order.chunks(batch_size.max(1)).map(|c| c.to_vec()).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tiny_vocab(dir: &Path) -> std::path::PathBuf {
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "minister", "said", "paris", "##ian", "visit", ".", ","];
        let path = dir.join("vocab.txt");
        std::fs::write(&path, words.join("\n")).unwrap();
        path
    }

    #[test]
    fn first_sub_token_marks_each_word() {
        let dir = tempfile::tempdir().unwrap();
        let enc = WordEncoder::from_vocab(&tiny_vocab(dir.path()), true, 16).unwrap();
        let e = enc.encode(&["The", "Parisian", "minister", "said", "."]);
        assert_eq!(e.ids, [2, 5, 8, 9, 6, 7, 11, 3]);
        assert_eq!(e.word_starts, [1, 2, 4, 5, 6]);
        assert_eq!(e.shapes, [0, 2, 2, 2, 1, 1, 7, 0]);
    }

    #[test]
    fn long_input_is_cut_at_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let enc = WordEncoder::from_vocab(&tiny_vocab(dir.path()), true, 4).unwrap();
        let e = enc.encode(&["the", "Parisian", "visit"]);
        assert_eq!(e.word_starts.len(), 1);
        assert_eq!(e.ids.len(), 3);
    }

    #[test]
    fn batches_group_similar_lengths_and_pad() {
        assert_eq!(length_batches(&[5, 1, 3, 1], 2), [vec![1, 3], vec![2, 0]]);
        let a = Encoded { ids: vec![2, 5, 3], shapes: vec![0, 1, 0], word_starts: vec![1] };
        let b = Encoded { ids: vec![2, 3], shapes: vec![0, 0], word_starts: vec![] };
        let batch = pad(&[&a, &b], Device::Cpu);
        assert_eq!(batch.ids.size(), [2, 3]);
        assert_eq!(Vec::<i64>::try_from(batch.mask.to_kind(Kind::Int64).view([-1])).unwrap(), [1, 1, 1, 1, 1, 0]);
    }
}
