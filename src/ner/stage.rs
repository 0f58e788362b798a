//! The NER pipeline stage: words from the rule tokenizer (possessive `'s` split off, as
//! in CoNLL), WordPiece windows for sentences longer than the model's window, one
//! prediction per word, IOB repair, and entities with code-point offsets and a score.
//!
//! With a stance branch attached (`with_stance`), the same encoder pass feeds it: the
//! hidden states at the branch's tap go on through the branch, which labels the
//! sentence and tags holder, target and cue (`stance::model`).
//!
//! Each sentence runs through the model alone, without padding, on one torch thread:
//! then a sentence's result cannot depend on its neighbours in a batch, and output is
//! byte-identical for any `--threads` and `--batch-size`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use tch::{Device, Tensor};

use crate::doc::{AnnotatedDoc, Entity, Holder, Span, Stance};
use crate::ner::encode::{length_batches, pad, Encoded, WordEncoder};
use crate::ner::model::TokenClassifier;
use crate::ner::tags;
use crate::pipeline::{ModelInfo, Stage};
use crate::stance::model::{subtoken_evidence, Prediction, StanceModel};
use crate::stance::Lexicon;
use crate::tokens::tokenize;

pub struct NerStage {
    model: TokenClassifier,
    encoder: WordEncoder,
    info: ModelInfo,
    dir: PathBuf,
    stance: Option<Branch>,
}

/// A stance branch on this stage's encoder, with the lexicon that feeds its evidence.
struct Branch {
    model: StanceModel,
    info: ModelInfo,
    lexicon: Lexicon,
}

impl NerStage {
    /// Loads a token-classification folder (config.json, vocab.txt, model.safetensors).
    pub fn load(dir: &Path, max_len: usize) -> Result<NerStage> {
        let model = TokenClassifier::load(dir, Device::Cpu)?;
        let encoder = WordEncoder::from_vocab(&dir.join("vocab.txt"), lower_case(dir), max_len)?;
        let info = model_info("ner", dir)?;
        Ok(NerStage { model, encoder, info, dir: dir.to_path_buf(), stance: None })
    }

    /// Attaches a stance branch trained on this model's lower layers.
    pub fn with_stance(mut self, dir: &Path) -> Result<NerStage> {
        let model = StanceModel::load(dir, Device::Cpu)?;
        check_trunk(&model, &self.info.sha256, dir)?;
        let info = model_info("stance", dir)?;
        self.stance = Some(Branch { model, info, lexicon: Lexicon::builtin() });
        Ok(self)
    }

    /// The encoder and branch multiply in bfloat16 from here on (`Layer::use_bf16`).
    pub fn use_bf16(mut self) -> NerStage {
        self.model.use_bf16();
        if let Some(b) = &mut self.stance {
            b.model.use_bf16();
        }
        self
    }

    pub fn encoder(&self) -> &WordEncoder {
        &self.encoder
    }

    pub fn raw_config(&self) -> &serde_json::Value {
        &self.model.raw_config
    }

    pub fn weights_path(&self) -> PathBuf {
        self.dir.join("model.safetensors")
    }

    /// The encoder's hidden states after `tap` layers for each encoded sentence,
    /// `[sub-tokens, hidden]` each, computed in batches of similar length.
    pub fn tapped_states(&self, encoded: &[Encoded], tap: usize, batch_size: usize) -> Result<Vec<Tensor>> {
        let lengths: Vec<usize> = encoded.iter().map(|e| e.ids.len()).collect();
        let mut out: Vec<Option<Tensor>> = (0..encoded.len()).map(|_| None).collect();
        for idx in length_batches(&lengths, batch_size) {
            let refs: Vec<&Encoded> = idx.iter().map(|&i| &encoded[i]).collect();
            let (_, tapped) = tch::no_grad(|| self.model.forward_tap(&pad(&refs, Device::Cpu), Some(tap), false));
            let Some(tapped) = tapped else { bail!("the NER encoder has fewer than {tap} layers") };
            for (row, &i) in idx.iter().enumerate() {
                out[i] = Some(tapped.get(row as i64).narrow(0, 0, lengths[i] as i64).copy());
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn annotate(&self, doc: &mut AnnotatedDoc) -> Result<()> {
        // Stance readings wait until every sentence has one: each reads its neighbours.
        let mut readings = Vec::with_capacity(doc.sentences.len());
        for i in 0..doc.sentences.len() {
            let words = ner_words(&doc.doc, doc.sentences[i].span);
            let texts: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
            let evidence = match &self.stance {
                Some(b) if b.model.features().evidence => {
                    let spans: Vec<Span> = words.iter().map(|(_, s)| *s).collect();
                    b.lexicon.word_evidence(&doc.doc, doc.sentences[i].span, &spans)
                }
                _ => Vec::new(),
            };
            let (predicted, stance) = self.tag_words(&texts, &evidence)?;
            let labels: Vec<String> = predicted.iter().map(|(l, _)| l.clone()).collect();
            doc.sentences[i].entities = tags::entities(&labels)
                .into_iter()
                .map(|(s, e, kind)| {
                    let score = predicted[s..e].iter().map(|(_, p)| p).sum::<f32>() / (e - s) as f32;
                    Entity { span: Span::new(words[s].1.start, words[e - 1].1.end), label: kind, score }
                })
                .collect();
            readings.push((stance, words));
        }
        if let Some(branch) = &self.stance {
            self.decide_stance(branch, doc, readings)?;
        }
        Ok(())
    }

    /// Adds each sentence's neighbours to its stance reading and sets the stances. A
    /// sentence without a reading (no words) is left to the rules.
    fn decide_stance(&self, branch: &Branch, doc: &mut AnnotatedDoc, readings: Vec<(Option<Prediction>, Vec<(String, Span)>)>) -> Result<()> {
        let read: Vec<usize> = (0..readings.len()).filter(|&i| readings[i].0.is_some()).collect();
        let adjacent = |a: usize, b: usize| doc.doc.slice(Span::new(doc.sentences[a].span.end, doc.sentences[b].span.start)).trim().is_empty();
        // Neighbours as positions in `read`: the sentence just before or after, if read and adjacent.
        let neighbours: Vec<(Option<usize>, Option<usize>)> = (0..read.len())
            .map(|k| {
                let previous = (k > 0 && read[k - 1] + 1 == read[k] && adjacent(read[k - 1], read[k])).then(|| k - 1);
                let next = (k + 1 < read.len() && read[k] + 1 == read[k + 1] && adjacent(read[k], read[k + 1])).then(|| k + 1);
                (previous, next)
            })
            .collect();
        let (mut preds, words): (Vec<Prediction>, Vec<Vec<(String, Span)>>) = readings.into_iter().filter_map(|(p, w)| Some((p?, w))).unzip();
        branch.model.add_context(&mut preds, &neighbours)?;
        for ((&i, p), w) in read.iter().zip(&preds).zip(&words) {
            doc.sentences[i].stance = Some(stance_of(p, w));
        }
        Ok(())
    }

    /// A label and its probability for each word; long sentences go through
    /// overlapping windows and each word takes the window where it is most central.
    /// With a stance branch, also its reading of the first window (`evidence`: the
    /// lexicon's class per word, empty when the branch takes none).
    fn tag_words(&self, words: &[&str], evidence: &[i64]) -> Result<(Vec<(String, f32)>, Option<Prediction>)> {
        let windows = self.windows(words);
        let mut out = vec![("O".to_string(), 1.0f32); words.len()];
        let mut best_margin = vec![-1i64; words.len()];
        let mut stance = None;
        for (start, end) in windows {
            let e = self.encoder.encode(&words[start..end]);
            let tap = self.stance.as_ref().filter(|_| start == 0).map(|b| b.model.tap);
            let batch = pad(&[&e], Device::Cpu);
            let (logits, tapped) = tch::no_grad(|| self.model.forward_tap(&batch, tap, false));
            if let (Some(branch), Some(hidden)) = (&self.stance, tapped) {
                let ev = Tensor::from_slice(&subtoken_evidence(evidence, &e)).unsqueeze(0);
                stance = branch.model.predict(&hidden, &ev, &batch.mask, &[&e.word_starts])?.pop();
            }
            let probs = logits.softmax(-1, tch::Kind::Float);
            let (p, best) = probs.get(0).max_dim(-1, false);
            let (p, best) = (Vec::<f32>::try_from(&p)?, Vec::<i64>::try_from(&best)?);
            for (k, &pos) in e.word_starts.iter().enumerate() {
                let w = start + k;
                let margin = (w - start).min(end - 1 - w) as i64;
                if margin > best_margin[w] {
                    best_margin[w] = margin;
                    out[w] = (self.model.labels[best[pos] as usize].clone(), p[pos]);
                }
            }
        }
        Ok((out, stance))
    }

    /// Word windows that fit the model, overlapping by half a window.
    fn windows(&self, words: &[&str]) -> Vec<(usize, usize)> {
        let budget = self.encoder.max_len.saturating_sub(2).max(1);
        let cost: Vec<usize> = words.iter().map(|w| self.encoder.word_ids(w).len()).collect();
        let mut windows = Vec::new();
        let mut start = 0;
        while start < words.len() {
            let mut end = start;
            let mut used = 0;
            while end < words.len() && (end == start || used + cost[end] <= budget) {
                used += cost[end];
                end += 1;
            }
            windows.push((start, end));
            if end == words.len() {
                break;
            }
            start = (start + (end - start).div_ceil(2)).max(start + 1);
        }
        windows
    }
}

/// Whether the folder's tokenizer lower-cases (`tokenizer_config.json`; uncased when absent).
pub fn lower_case(dir: &Path) -> bool {
    let config = std::fs::read_to_string(dir.join("tokenizer_config.json")).ok();
    let value: Option<serde_json::Value> = config.and_then(|c| serde_json::from_str(&c).ok());
    value.and_then(|v| v.get("do_lower_case").and_then(|b| b.as_bool())).unwrap_or(true)
}

/// A model folder for the manifest: `KIND:FOLDER-NAME` and its weights' sha256.
fn model_info(kind: &str, dir: &Path) -> Result<ModelInfo> {
    let name = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok(ModelInfo { name: format!("{kind}:{name}"), sha256: crate::pipeline::sha256_file(&dir.join("model.safetensors"))? })
}

/// Fails unless a stance branch was trained on the NER weights with this sha256.
pub fn check_trunk(stance: &StanceModel, ner_sha256: &str, dir: &Path) -> Result<()> {
    if stance.trunk_sha256 != ner_sha256 {
        bail!(
            "the stance model {} was trained on another NER model (sha256 {}), not this one ({ner_sha256}); pass the NER model it was trained with",
            dir.display(),
            stance.trunk_sha256
        );
    }
    Ok(())
}

/// A sentence's stance from the branch: label and probabilities, and for condemn or
/// endorse the holder, target and cue spans the tagger found (`Prediction::role`).
fn stance_of(p: &Prediction, words: &[(String, Span)]) -> Stance {
    let span = |kind: &str| p.role(kind, |i| words[i].0.as_str()).map(|(s, e)| Span::new(words[s].1.start, words[e - 1].1.end));
    Stance { label: p.label(), probs: p.probs, holder: span("HOLDER").map(Holder::Span), target: span("TARGET"), cue: span("CUE") }
}

impl Stage for NerStage {
    fn name(&self) -> &'static str {
        if self.stance.is_some() {
            "ner+stance"
        } else {
            "ner"
        }
    }

    fn models(&self) -> Vec<ModelInfo> {
        std::iter::once(self.info.clone()).chain(self.stance.as_ref().map(|b| b.info.clone())).collect()
    }

    fn process(&mut self, batch: &mut [AnnotatedDoc]) -> Result<()> {
        batch.iter_mut().try_for_each(|doc| self.annotate(doc))
    }
}

/// Words for the tagger with their spans: the rule tokens, with a possessive `'s`
/// split off as CoNLL does ("Russia's" gives "Russia", "'s").
pub fn ner_words(doc: &crate::doc::Document, span: Span) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for t in tokenize(doc, span) {
        let chars: Vec<char> = t.text.chars().collect();
        let n = chars.len();
        let possessive = n > 2 && matches!(chars[n - 2], '\'' | '’') && matches!(chars[n - 1], 's' | 'S');
        if possessive {
            let cut = t.span.start + n - 2;
            out.push((chars[..n - 2].iter().collect(), Span::new(t.span.start, cut)));
            out.push((chars[n - 2..].iter().collect(), Span::new(cut, t.span.end)));
        } else {
            out.push((t.text, t.span));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Document, Sentence};
    use crate::ner::model::tests::tiny_config;

    #[test]
    fn possessives_are_split_off() {
        let doc = Document::new("d", "Russia's move");
        let words: Vec<String> = ner_words(&doc, Span::new(0, 13)).into_iter().map(|(w, _)| w).collect();
        assert_eq!(words, ["Russia", "'s", "move"]);
    }

    fn tiny_stage(dir: &Path, max_len: usize) -> NerStage {
        let vocab = crate::ner::encode::tests::tiny_vocab(dir);
        tch::manual_seed(7);
        let labels = vec!["O".to_string(), "B-PER".into(), "I-PER".into()];
        let model = TokenClassifier::new(tiny_config(13), labels, true, Device::Cpu).unwrap();
        let out = dir.join("tiny-ner");
        model.save(&out, &vocab).unwrap();
        NerStage::load(&out, max_len).unwrap()
    }

    #[test]
    fn windows_overlap_and_cover_every_word() {
        let dir = tempfile::tempdir().unwrap();
        let stage = tiny_stage(dir.path(), 6);
        let words = ["the", "minister", "said", "the", "visit", "the", "minister", "said"];
        let windows = stage.windows(&words);
        assert!(windows.len() > 1);
        assert!(windows.iter().all(|(s, e)| e - s <= 4));
        assert_eq!(windows.first().unwrap().0, 0);
        assert_eq!(windows.last().unwrap().1, words.len());
        assert!(windows.windows(2).all(|w| w[1].0 < w[0].1), "windows overlap: {windows:?}");
    }

    #[test]
    fn entities_have_offsets_inside_their_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let mut stage = tiny_stage(dir.path(), 8);
        let mut docs = vec![AnnotatedDoc::new(Document::new("d", "The minister said the Parisian visit was the minister's."))];
        let span = Span::new(0, docs[0].doc.char_len());
        docs[0].sentences.push(Sentence::new(span));
        stage.process(&mut docs).unwrap();
        for e in &docs[0].sentences[0].entities {
            assert!(span.contains(&e.span) && !e.span.is_empty());
            assert!((0.0..=1.0).contains(&e.score));
            assert_eq!(e.label, "PER");
        }
        assert!(stage.models()[0].sha256.len() == 64);
    }
}
