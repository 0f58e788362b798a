//! Fine-tuning the token classifier on CoNLL column files: seeded, batches of similar
//! length in a shuffled order, AdamW with linear warm-up and decay, development F1
//! after every epoch, and the best epoch kept on disk.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tch::{Device, Kind, Tensor};

use crate::eval::ner::{self as conll, NerReport};
use crate::ner::encode::{length_batches, pad, Encoded, WordEncoder};
use crate::ner::model::{read_config, TokenClassifier};
use crate::ner::tags::to_iob2;
use crate::optim::{Optimisation, SplitMix, Stepper};

#[derive(Debug, Clone, Serialize)]
pub struct TrainOptions {
    /// Epochs, batches, rates (the head and shape features are the new layers), seed.
    #[serde(flatten)]
    pub optim: Optimisation,
    pub max_len: usize,
    pub shape_features: bool,
    /// Stop after this many training sentences (for quick checks); 0 means all.
    pub limit: usize,
}

/// A tagged corpus: words and their gold tags, sentence by sentence.
pub struct Corpus {
    pub words: Vec<Vec<String>>,
    pub tags: Vec<Vec<String>>,
}

pub fn read_corpus(path: &Path) -> Result<Corpus> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let sentences = conll::read_columns(&raw, 1).with_context(|| format!("in {}", path.display()))?;
    Ok(Corpus {
        words: sentences.iter().map(|s| s.tokens.clone()).collect(),
        tags: sentences.into_iter().map(|s| s.columns.into_iter().next().unwrap_or_default()).collect(),
    })
}

/// The IOB2 label set of a corpus: `O`, then `B-X`, `I-X` for each type, sorted.
pub fn label_set(corpus: &Corpus) -> Vec<String> {
    let mut kinds: Vec<String> = corpus.tags.iter().flatten().filter_map(|t| t.get(2..).map(String::from)).collect();
    kinds.sort();
    kinds.dedup();
    std::iter::once("O".to_string()).chain(kinds.iter().flat_map(|k| [format!("B-{k}"), format!("I-{k}")])).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_seconds: f64,
    pub train_sentences_per_second: f64,
    pub dev: NerReport,
}

/// Trains from `base` (a BERT folder: config.json, vocab.txt, model.safetensors) and
/// writes the best epoch to `out`. Returns the per-epoch reports.
pub fn train(train_path: &Path, dev_path: &Path, base: &Path, out: &Path, opts: &TrainOptions) -> Result<Vec<EpochReport>> {
    let optim = &opts.optim;
    tch::manual_seed(optim.seed);
    let mut train_set = read_corpus(train_path)?;
    if opts.limit > 0 {
        train_set.words.truncate(opts.limit);
        train_set.tags.truncate(opts.limit);
    }
    let dev_set = read_corpus(dev_path)?;
    let labels = label_set(&train_set);
    let vocab = base.join("vocab.txt");
    let encoder = WordEncoder::from_vocab(&vocab, true, opts.max_len)?;
    let mut model = TokenClassifier::new(read_config(base)?, labels.clone(), opts.shape_features, Device::Cpu)?;
    model.load_weights(&base.join("model.safetensors"), false)?;

    let examples = encode_corpus(&encoder, &train_set, &labels)?;
    let lengths: Vec<usize> = examples.iter().map(|(e, _)| e.ids.len()).collect();
    let batches = length_batches(&lengths, optim.batch_size);
    let mut stepper = Stepper::new(&model.vs, optim, batches.len())?;
    let mut rng = SplitMix(optim.seed as u64);
    let mut reports: Vec<EpochReport> = Vec::new();
    let mut best_f1 = f64::NEG_INFINITY;
    for epoch in 1..=optim.epochs {
        let started = Instant::now();
        let mut order: Vec<usize> = (0..batches.len()).collect();
        rng.shuffle(&mut order);
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for (k, &b) in order.iter().enumerate() {
            let loss = batch_loss(&model, &examples, &batches[b], labels.len())?;
            stepper.step(&loss);
            loss_sum += f64::try_from(&loss)? * batches[b].len() as f64;
            seen += batches[b].len();
            if (k + 1) % 50 == 0 || k + 1 == order.len() {
                let rate = seen as f64 / started.elapsed().as_secs_f64();
                eprintln!("epoch {epoch} step {}/{} loss {:.4} ({rate:.1} sentences/s)", k + 1, order.len(), loss_sum / seen as f64);
            }
        }
        let train_seconds = started.elapsed().as_secs_f64();
        let dev = evaluate(&model, &encoder, &dev_set, optim.batch_size)?;
        print_dev(epoch, &dev);
        if dev.f1 > best_f1 {
            best_f1 = dev.f1;
            model.save(out, &vocab)?;
            eprintln!("epoch {epoch}: best so far, saved to {}", out.display());
        }
        reports.push(EpochReport { epoch, train_loss: loss_sum / seen.max(1) as f64, train_seconds, train_sentences_per_second: seen as f64 / train_seconds, dev });
        let log = serde_json::json!({ "options": opts, "labels": labels, "epochs": reports });
        crate::write::write_json(&out.join("training.json"), &log)?;
    }
    Ok(reports)
}

/// Mean cross-entropy of one batch, over the words' first sub-tokens.
fn batch_loss(model: &TokenClassifier, examples: &[(Encoded, Vec<(usize, i64)>)], batch_idx: &[usize], n_labels: usize) -> Result<Tensor> {
    let encoded: Vec<&Encoded> = batch_idx.iter().map(|&i| &examples[i].0).collect();
    let batch = pad(&encoded, Device::Cpu);
    let targets = label_tensor(batch_idx.iter().map(|&i| &examples[i].1), batch.ids.size()[1] as usize);
    let logits = model.forward_t(&batch, true)?;
    Ok(logits.view([-1, n_labels as i64]).cross_entropy_loss::<Tensor>(&targets.view([-1]), None, tch::Reduction::Mean, -100, 0.0))
}

fn print_dev(epoch: usize, dev: &NerReport) {
    eprintln!("epoch {epoch}: dev F1 {:.2} (P {:.2} R {:.2})", 100.0 * dev.f1, 100.0 * dev.precision, 100.0 * dev.recall);
    for t in &dev.per_type {
        eprintln!("  {:<5} F1 {:.2}", t.kind, 100.0 * t.f1);
    }
}

/// Encodes sentences with label ids on each word's first sub-token.
fn encode_corpus(encoder: &WordEncoder, corpus: &Corpus, labels: &[String]) -> Result<Vec<(Encoded, Vec<(usize, i64)>)>> {
    let mut out = Vec::with_capacity(corpus.words.len());
    for (words, tags) in corpus.words.iter().zip(&corpus.tags) {
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let e = encoder.encode(&refs);
        let mut targets = Vec::with_capacity(e.word_starts.len());
        for (pos, tag) in e.word_starts.iter().zip(to_iob2(tags)) {
            let Some(id) = labels.iter().position(|l| *l == tag) else { bail!("tag {tag:?} is not in the label set {labels:?}") };
            targets.push((*pos, id as i64));
        }
        out.push((e, targets));
    }
    Ok(out)
}

/// `[batch, length]` of label ids, -100 where no label applies.
fn label_tensor<'a>(rows: impl Iterator<Item = &'a Vec<(usize, i64)>>, length: usize) -> Tensor {
    let mut flat = Vec::new();
    let mut n = 0;
    for row in rows {
        let mut line = vec![-100i64; length];
        for &(pos, id) in row {
            line[pos] = id;
        }
        flat.extend(line);
        n += 1;
    }
    Tensor::from_slice(&flat).view([n, length as i64])
}

/// Predicted IOB2 tags for each sentence (words beyond the window get `O`).
pub fn predict_tags(model: &TokenClassifier, encoder: &WordEncoder, words: &[Vec<String>], batch_size: usize) -> Result<Vec<Vec<(String, f32)>>> {
    let encoded: Vec<Encoded> = words.iter().map(|w| encoder.encode(&w.iter().map(String::as_str).collect::<Vec<_>>())).collect();
    let lengths: Vec<usize> = encoded.iter().map(|e| e.ids.len()).collect();
    let mut out: Vec<Vec<(String, f32)>> = words.iter().map(|w| vec![("O".to_string(), 1.0); w.len()]).collect();
    tch::no_grad(|| -> Result<()> {
        for batch_idx in length_batches(&lengths, batch_size) {
            let refs: Vec<&Encoded> = batch_idx.iter().map(|&i| &encoded[i]).collect();
            let probs = model.forward_t(&pad(&refs, Device::Cpu), false)?.softmax(-1, Kind::Float);
            let (best_p, best) = probs.max_dim(-1, false);
            let best: Vec<Vec<i64>> = Vec::<Vec<i64>>::try_from(&best)?;
            let best_p: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&best_p)?;
            for (row, &i) in batch_idx.iter().enumerate() {
                for (w, &pos) in encoded[i].word_starts.iter().enumerate() {
                    out[i][w] = (model.labels[best[row][pos] as usize].clone(), best_p[row][pos]);
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Development scores of the model on a gold corpus, conlleval-style.
pub fn evaluate(model: &TokenClassifier, encoder: &WordEncoder, corpus: &Corpus, batch_size: usize) -> Result<NerReport> {
    let predicted = predict_tags(model, encoder, &corpus.words, batch_size)?;
    let tags: Vec<Vec<String>> = predicted.into_iter().map(|s| crate::ner::tags::repair(&s.into_iter().map(|(t, _)| t).collect::<Vec<_>>())).collect();
    conll::score(&corpus.tags, &tags)
}
