//! Training the stance branch on gold sentences (`formats.md`) and their documents.
//!
//! The trunk (the NER model's lower layers) is frozen: its hidden states at the tap are
//! computed once per sentence, and only the branch and its heads learn. The sentence
//! head learns from every sentence; the role tagger only from condemn and endorse
//! sentences, the only ones whose holder, target and cue the gold names. After the best
//! epoch (development macro-F1) is kept, a temperature is fitted on the development
//! sentences so that the probabilities are calibrated. (Fitting on the same sentences
//! that chose the epoch flatters the calibration figures slightly; with a few thousand
//! labels there is no third split to spare.)
//!
//! Without a development set, a share of the documents (chosen by a hash of the
//! document id, so the split is the same on every run) is held out.
//!
//! `train_averaged` trains several runs that differ only in their seed and keeps the
//! mean of their weights, the same size and speed as one run, but only if it scores at
//! least as well as every run on the development sentences: a mean can also be worse
//! than each of its runs.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tch::{Device, Kind, Tensor};

use crate::doc::{Document, Label, Span};
use crate::eval::calibration;
use crate::eval::stance::{self as scoring, Labelled, Pair, StanceReport};
use crate::ner::stage::{ner_words, NerStage};
use crate::optim::{Optimisation, SplitMix, Stepper};
use crate::pipeline::Stage;
use crate::stance::model::{role_begin, subtoken_evidence, Features, Prediction, StanceModel, ROLE_LABELS};
use crate::stance::Lexicon;

#[derive(Debug, Clone, Serialize)]
pub struct TrainOptions {
    /// Epochs, batches, rates (the heads and evidence embeddings are the new layers), seed.
    #[serde(flatten)]
    pub optim: Optimisation,
    /// Trunk layers below the branch (ignored with `--from`, which has its own).
    pub tap: usize,
    /// Layers in a new branch (`None`: all above the tap).
    pub depth: Option<usize>,
    /// Weight of the role-tagging loss beside the sentence loss.
    pub role_weight: f64,
    /// Class weights are (largest class / class)^balance: 0 none, 1 fully balanced.
    pub class_balance: f64,
    /// Share of documents held out when no development set is given.
    pub dev_share: f64,
    /// Inputs of a new branch: lexicon evidence, neighbouring sentences (ignored with
    /// `--from`, which keeps the model's own).
    pub features: Features,
    /// Weights whose upper layers start a new branch (default: the trunk's own).
    pub branch_init: Option<std::path::PathBuf>,
}

/// One gold sentence ready for the branch: the trunk's hidden states at the tap and
/// the targets.
pub struct Example {
    pub gold: Labelled,
    /// Code-point ranges of the words, relative to the sentence start.
    pub words: Vec<(usize, usize)>,
    pub hidden: Tensor,
    pub word_starts: Vec<usize>,
    /// Lexicon evidence class per sub-token (zeros for a branch without evidence).
    pub evidence: Vec<i64>,
    pub label: i64,
    /// Role tag id per word that fit the window; -100 where there is nothing to learn.
    pub roles: Vec<i64>,
    /// The examples of the sentences just before and after this one in its document,
    /// when they are adjacent (only white space between).
    pub previous: Option<usize>,
    pub next: Option<usize>,
}

/// Builds examples: finds each gold sentence in its document, splits it into the NER
/// stage's words, tags the gold holder, target and cue strings, and runs the trunk.
pub fn examples(trunk: &NerStage, tap: usize, lexicon: &Lexicon, docs: &HashMap<String, Document>, gold: &[Labelled]) -> Result<Vec<Example>> {
    scoring::check_gold_documents(gold, |id| docs.get(id).map(Document::char_len))?;
    let mut out = Vec::with_capacity(gold.len());
    let mut encoded = Vec::with_capacity(gold.len());
    for g in gold {
        let doc = &docs[&g.doc_id];
        if g.span.is_empty() {
            bail!("document {:?}: gold sentence {}..{} is empty", g.doc_id, g.span.start, g.span.end);
        }
        let words = ner_words(doc, g.span);
        let texts: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        let e = trunk.encoder().encode(&texts);
        let spans: Vec<Span> = words.iter().map(|(_, s)| *s).collect();
        let roles = if g.label == Label::Neutral { vec![-100; e.word_starts.len()] } else { role_tags(doc, g, &spans[..e.word_starts.len()]) };
        let mut gold = g.clone();
        gold.text = doc.slice(g.span).to_string();
        let relative = spans.iter().map(|s| (s.start - g.span.start, s.end - g.span.start)).collect();
        let evidence = subtoken_evidence(&lexicon.word_evidence(doc, g.span, &spans), &e);
        out.push((gold, relative, e.word_starts.clone(), evidence, g.label.index() as i64, roles));
        encoded.push(e);
    }
    let hidden = trunk.tapped_states(&encoded, tap, 32)?;
    let mut examples: Vec<Example> = out
        .into_iter()
        .zip(hidden)
        .map(|((gold, words, word_starts, evidence, label, roles), hidden)| Example { gold, words, hidden, word_starts, evidence, label, roles, previous: None, next: None })
        .collect();
    link_neighbours(&mut examples, docs);
    Ok(examples)
}

/// Links each example to the adjacent gold sentences of its document.
fn link_neighbours(examples: &mut [Example], docs: &HashMap<String, Document>) {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.sort_by(|&a, &b| (&examples[a].gold.doc_id, examples[a].gold.span.start).cmp(&(&examples[b].gold.doc_id, examples[b].gold.span.start)));
    for pair in order.windows(2) {
        let (a, b) = (&examples[pair[0]].gold, &examples[pair[1]].gold);
        let between = Span::new(a.span.end, b.span.start.max(a.span.end));
        let adjacent = a.doc_id == b.doc_id && a.span.end <= b.span.start && docs[&a.doc_id].slice(between).trim().is_empty();
        if adjacent {
            examples[pair[0]].next = Some(pair[1]);
            examples[pair[1]].previous = Some(pair[0]);
        }
    }
}

/// Each example's neighbours, for `StanceModel::add_context`.
fn neighbours(examples: &[Example]) -> Vec<(Option<usize>, Option<usize>)> {
    examples.iter().map(|e| (e.previous, e.next)).collect()
}

/// Gold roles (holder, target, cue) of condemn/endorse sentences that do not occur
/// verbatim in their sentence, so that the tagger cannot learn them, as messages naming
/// the document and sentence. Rows whose document is missing are reported elsewhere.
pub fn unplaced_roles(docs: &HashMap<String, Document>, gold: &[Labelled]) -> Vec<String> {
    let mut out = Vec::new();
    for g in gold.iter().filter(|g| g.label != Label::Neutral) {
        let Some(doc) = docs.get(&g.doc_id).filter(|d| g.span.end <= d.char_len()) else { continue };
        let sentence = doc.slice(g.span);
        for (name, role) in [("holder", &g.holder), ("target", &g.target), ("cue", &g.cue)] {
            if names_words(role) && !sentence.contains(role.as_str()) {
                out.push(format!("document {:?}, sentence {}..{}: {name} {role:?} is not in the sentence", g.doc_id, g.span.start, g.span.end));
            }
        }
    }
    out
}

/// IOB2 role ids per word from the gold's verbatim holder, target and cue strings
/// (their first occurrence in the sentence). Cue is tagged last, so it wins where
/// spans overlap.
fn role_tags(doc: &Document, g: &Labelled, words: &[Span]) -> Vec<i64> {
    let mut tags = vec![0i64; words.len()];
    let sentence = doc.slice(g.span);
    for (role, kind) in [(&g.target, "TARGET"), (&g.holder, "HOLDER"), (&g.cue, "CUE")] {
        let begin = role_begin(kind) as i64;
        if !names_words(role) {
            continue;
        }
        let Some(byte) = find_words(sentence, role) else { continue };
        let start = g.span.start + sentence[..byte].chars().count();
        let span = Span::new(start, start + role.chars().count());
        let mut first = true;
        for (k, w) in words.iter().enumerate() {
            if w.overlap(&span) > 0 {
                tags[k] = if first { begin } else { begin + 1 };
                first = false;
            }
        }
    }
    tags
}

/// Byte offset of `role` in `sentence`: its first occurrence as whole words, else its
/// first occurrence at all. A pronoun holder "he" must tag "he", not the "he" in "The".
fn find_words(sentence: &str, role: &str) -> Option<usize> {
    let whole = |&(at, _): &(usize, &str)| {
        let before = sentence[..at].chars().next_back();
        let after = sentence[at + role.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    };
    sentence.match_indices(role).find(whole).or_else(|| sentence.match_indices(role).next()).map(|(at, _)| at)
}

/// Whether a gold role string names words of its sentence (not empty, not `AUTHOR`).
fn names_words(role: &str) -> bool {
    !role.is_empty() && !role.eq_ignore_ascii_case("AUTHOR")
}

/// Gold rows split into (train, dev) by document: a document is held out when a hash
/// of its id falls in the first `share` of the range.
pub fn split_by_document(gold: Vec<Labelled>, share: f64) -> (Vec<Labelled>, Vec<Labelled>) {
    let held_out = |id: &str| {
        // FNV-1a: stable across runs and platforms, unlike std's hasher.
        let h = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
        (h % 10_000) as f64 / 10_000.0 < share
    };
    gold.into_iter().partition(|g| !held_out(&g.doc_id))
}

#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    /// 0 is the `--from` model as it came, scored before any training.
    pub epoch: usize,
    /// None for epoch 0.
    pub train_loss: Option<f64>,
    pub train_seconds: f64,
    pub dev_macro_f1: f64,
    pub dev_accuracy: f64,
    pub dev_holder_overlap: f64,
}

/// What training wrote: per-epoch reports, and the kept model's development scores
/// before and after calibration.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub train_sentences: usize,
    pub dev_sentences: usize,
    pub epochs: Vec<EpochReport>,
    pub best_epoch: usize,
    pub temperature: f64,
    pub dev_ece_before: f64,
    pub dev_ece_after: f64,
    pub dev: StanceReport,
    /// With `train_averaged`: each run's own report (the runs' folders are gone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<TrainReport>,
    /// With `train_averaged`: the seed of the run kept instead of the mean, when one
    /// scored better on the development sentences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_run: Option<i64>,
}

/// Trains a branch on `train` (starting from `from`, a model already checked against
/// the trunk with `check_trunk`, or from the trunk's own upper layers), keeps the best
/// epoch on `dev`, calibrates it and writes it to `out`.
pub fn train(trunk: &NerStage, from: Option<StanceModel>, train: &[Example], dev: &[Example], out: &Path, opts: &TrainOptions) -> Result<TrainReport> {
    if train.is_empty() || dev.is_empty() {
        bail!("training needs sentences to learn from and held-out sentences to choose the epoch ({} and {})", train.len(), dev.len());
    }
    let optim = &opts.optim;
    tch::manual_seed(optim.seed);
    let adapting = from.is_some();
    let model = start_model(trunk, from, opts)?;
    let weights = class_weights(train, opts.class_balance);
    let lengths: Vec<usize> = train.iter().map(|e| e.word_starts.len()).collect();
    let batches = crate::ner::encode::length_batches(&lengths, optim.batch_size);
    let mut stepper = Stepper::new(&model.vs, optim, batches.len())?;
    let mut order: Vec<usize> = (0..batches.len()).collect();
    let mut rng = SplitMix(optim.seed as u64);
    let (mut reports, mut best) = (Vec::new(), (f64::NEG_INFINITY, 0usize));
    // A model being adapted competes as epoch 0: a few labels, or a learning rate too
    // high for them, can make every epoch worse than where it started.
    if adapting {
        let report = scoring::report(&pairs(dev, &predict(&model, dev, 32)?));
        eprintln!("start: dev macro-F1 {:.3}, holder overlap {:.3}", report.macro_f1, report.holder.overlap);
        best = (selection_score(&report), 0);
        model.save(out)?;
        reports.push(EpochReport { epoch: 0, train_loss: None, train_seconds: 0.0, dev_macro_f1: report.macro_f1, dev_accuracy: report.accuracy, dev_holder_overlap: report.holder.overlap });
    }
    for epoch in 1..=optim.epochs {
        let started = Instant::now();
        rng.shuffle(&mut order);
        // Neighbours' pooled states as of the start of the epoch: context without
        // back-propagating through a second and third sentence.
        let pooled = pooled_table(&model, train)?;
        let mut loss_sum = 0.0;
        for &b in &order {
            let loss = batch_loss(&model, train, &batches[b], &weights, opts.role_weight, pooled.as_ref());
            stepper.step(&loss);
            loss_sum += f64::try_from(&loss)? * batches[b].len() as f64;
        }
        let report = scoring::report(&pairs(dev, &predict(&model, dev, 32)?));
        let train_loss = loss_sum / train.len() as f64;
        eprintln!("epoch {epoch}: loss {train_loss:.4}, dev macro-F1 {:.3}, holder overlap {:.3}", report.macro_f1, report.holder.overlap);
        let score = selection_score(&report);
        if score > best.0 {
            best = (score, epoch);
            model.save(out)?;
        }
        reports.push(EpochReport {
            epoch,
            train_loss: Some(train_loss),
            train_seconds: started.elapsed().as_secs_f64(),
            dev_macro_f1: report.macro_f1,
            dev_accuracy: report.accuracy,
            dev_holder_overlap: report.holder.overlap,
        });
    }
    calibrate(out, train.len(), dev, reports, best.1)
}

/// Macro-F1 decides which epoch is kept; on a tie, the better holder match.
fn selection_score(report: &StanceReport) -> f64 {
    report.macro_f1 + 1e-3 * report.holder.overlap
}

/// Loads the best epoch back, fits its temperature on `dev`, saves it, and reports.
fn calibrate(out: &Path, train_sentences: usize, dev: &[Example], epochs: Vec<EpochReport>, best_epoch: usize) -> Result<TrainReport> {
    let mut model = StanceModel::load(out, Device::Cpu)?;
    let mut predictions = predict(&model, dev, 32)?;
    let gold: Vec<usize> = dev.iter().map(|e| e.label as usize).collect();
    let logits: Vec<[f32; 3]> = predictions.iter().map(|p| p.logits).collect();
    let before: Vec<[f32; 3]> = logits.iter().map(|l| calibration::softmax(l, 1.0)).collect();
    model.temperature = calibration::fit_temperature(&logits, &gold);
    model.save(out)?;
    // The temperature changes the probabilities (and so nothing else: the label is
    // their argmax either way); logits and roles stand.
    for p in &mut predictions {
        p.probs = calibration::softmax(&p.logits, model.temperature);
    }
    let dev_report = scoring::report(&pairs(dev, &predictions));
    Ok(TrainReport {
        train_sentences,
        dev_sentences: dev.len(),
        epochs,
        best_epoch,
        temperature: model.temperature,
        dev_ece_before: calibration::ece(&before, &gold, 15),
        dev_ece_after: dev_report.ece.unwrap_or_default(),
        dev: dev_report,
        members: Vec::new(),
        kept_run: None,
    })
}

/// Trains `runs` models as `train` does, with seeds `seed`, `seed + 1`, ..., each in a
/// folder inside `out` that is removed afterwards; writes the mean of their weights
/// (`StanceModel::average`) to `out`, with its temperature fitted on `dev`. One run is
/// `train` itself. `from` is a model folder already checked against the trunk.
pub fn train_averaged(trunk: &NerStage, from: Option<&Path>, train_set: &[Example], dev: &[Example], out: &Path, opts: &TrainOptions, runs: usize) -> Result<TrainReport> {
    let start = || from.map(|dir| StanceModel::load(dir, Device::Cpu)).transpose();
    if runs <= 1 {
        return train(trunk, start()?, train_set, dev, out, opts);
    }
    let (mut members, mut models) = (Vec::new(), Vec::new());
    for k in 0..runs {
        let mut run = opts.clone();
        run.optim.seed += k as i64;
        let dir = out.join(format!("run-seed-{}", run.optim.seed));
        eprintln!("run {} of {runs}, seed {}", k + 1, run.optim.seed);
        members.push(train(trunk, start()?, train_set, dev, &dir, &run)?);
        models.push(StanceModel::load(&dir, Device::Cpu)?);
        std::fs::remove_dir_all(&dir)?;
    }
    StanceModel::average(&models)?.save(out)?;
    let mut report = calibrate(out, train_set.len(), dev, Vec::new(), 0)?;
    // The mean competes with its runs on `dev`, as epochs do: runs that end far apart
    // in weight space (a high learning rate, few labels) can average into a worse model.
    let score = |r: &TrainReport| selection_score(&r.dev);
    let best = (0..runs).max_by(|&i, &j| score(&members[i]).total_cmp(&score(&members[j]))).expect("runs > 1");
    if score(&members[best]) > score(&report) {
        models[best].save(out)?;
        report = TrainReport { kept_run: Some(opts.optim.seed + best as i64), ..members[best].clone() };
    }
    report.members = members;
    Ok(report)
}

fn start_model(trunk: &NerStage, from: Option<StanceModel>, opts: &TrainOptions) -> Result<StanceModel> {
    let sha = trunk.models()[0].sha256.clone();
    match from {
        Some(model) => Ok(model),
        None => {
            let mut model = StanceModel::new(trunk.raw_config().clone(), opts.tap, opts.depth, sha, opts.features, Device::Cpu)?;
            let init = opts.branch_init.as_ref().map_or_else(|| trunk.weights_path(), |dir| dir.join("model.safetensors"));
            model.init_from_trunk(&init)?;
            Ok(model)
        }
    }
}

/// Per-label loss weights: (largest class count / class count)^balance.
fn class_weights(train: &[Example], balance: f64) -> Tensor {
    let mut counts = [0f64; 3];
    for e in train {
        counts[e.label as usize] += 1.0;
    }
    let largest = counts.iter().cloned().fold(1.0, f64::max);
    let w: Vec<f32> = counts.iter().map(|&c| (largest / c.max(1.0)).powf(balance) as f32).collect();
    Tensor::from_slice(&w)
}

/// Padded trunk states, evidence and mask for some examples.
fn padded(examples: &[Example], idx: &[usize]) -> (Tensor, Tensor, Tensor) {
    let hidden: Vec<&Tensor> = idx.iter().map(|&i| &examples[i].hidden).collect();
    let longest = hidden.iter().map(|h| h.size()[0]).max().unwrap_or(0) as usize;
    let (mut mask, mut evidence) = (Vec::new(), Vec::new());
    for &i in idx {
        let ev = &examples[i].evidence;
        mask.extend((0..longest).map(|k| i64::from(k < ev.len())));
        evidence.extend((0..longest).map(|k| ev.get(k).copied().unwrap_or(0)));
    }
    let shape = [idx.len() as i64, longest as i64];
    let mask = Tensor::from_slice(&mask).view(shape).to_kind(Kind::Int8);
    (Tensor::pad_sequence(&hidden, true, 0.0), Tensor::from_slice(&evidence).view(shape), mask)
}

/// `[examples + 1, 2 * hidden]`: each example's pooled state, and a last row of zeros
/// for "no neighbour"; `None` for a branch without context.
fn pooled_table(model: &StanceModel, examples: &[Example]) -> Result<Option<Tensor>> {
    if !model.features().context {
        return Ok(None);
    }
    let preds = predict_alone(model, examples, 32)?;
    let width = preds.first().map_or(0, |p| p.pooled.len());
    let flat: Vec<f32> = preds.iter().flat_map(|p| p.pooled.iter().copied()).chain(std::iter::repeat(0.0).take(width)).collect();
    Ok(Some(Tensor::from_slice(&flat).view([examples.len() as i64 + 1, width as i64])))
}

fn batch_loss(model: &StanceModel, examples: &[Example], idx: &[usize], weights: &Tensor, role_weight: f64, pooled: Option<&Tensor>) -> Tensor {
    let (hidden, evidence, mask) = padded(examples, idx);
    let (mut sentence, roles, _) = model.forward_t(&hidden, &evidence, &mask, true);
    if let Some(table) = pooled {
        let none = examples.len() as i64;
        let rows = |f: fn(&Example) -> Option<usize>| {
            let ids: Vec<i64> = idx.iter().map(|&i| f(&examples[i]).map_or(none, |j| j as i64)).collect();
            table.index_select(0, &Tensor::from_slice(&ids))
        };
        let extra = model.context_logits(&rows(|e| e.previous), &rows(|e| e.next)).expect("a table means context");
        sentence = sentence + extra;
    }
    let labels = Tensor::from_slice(&idx.iter().map(|&i| examples[i].label).collect::<Vec<_>>());
    let sentence_loss = sentence.cross_entropy_loss::<&Tensor>(&labels, Some(weights), tch::Reduction::Mean, -100, 0.0);
    let length = hidden.size()[1] as usize;
    let mut targets = vec![-100i64; idx.len() * length];
    for (row, &i) in idx.iter().enumerate() {
        for (&pos, &tag) in examples[i].word_starts.iter().zip(&examples[i].roles) {
            targets[row * length + pos] = tag;
        }
    }
    if targets.iter().all(|&t| t == -100) {
        return sentence_loss;
    }
    let targets = Tensor::from_slice(&targets);
    let role_loss = roles.view([-1, ROLE_LABELS.len() as i64]).cross_entropy_loss::<Tensor>(&targets, None, tch::Reduction::Mean, -100, 0.0);
    sentence_loss + role_loss * role_weight
}

/// The branch's predictions for examples, in their order, with their neighbours'
/// context when the branch reads it.
pub fn predict(model: &StanceModel, examples: &[Example], batch_size: usize) -> Result<Vec<Prediction>> {
    let mut preds = predict_alone(model, examples, batch_size)?;
    model.add_context(&mut preds, &neighbours(examples))?;
    Ok(preds)
}

/// Predictions from each sentence alone.
fn predict_alone(model: &StanceModel, examples: &[Example], batch_size: usize) -> Result<Vec<Prediction>> {
    let lengths: Vec<usize> = examples.iter().map(|e| e.word_starts.len()).collect();
    let mut out: Vec<Option<Prediction>> = vec![None; examples.len()];
    for idx in crate::ner::encode::length_batches(&lengths, batch_size) {
        let (hidden, evidence, mask) = padded(examples, &idx);
        let starts: Vec<&[usize]> = idx.iter().map(|&i| examples[i].word_starts.as_slice()).collect();
        for (p, &i) in model.predict(&hidden, &evidence, &mask, &starts)?.into_iter().zip(&idx) {
            out[i] = Some(p);
        }
    }
    Ok(out.into_iter().map(|p| p.expect("every example is in one batch")).collect())
}

/// Gold and predicted sentences side by side, for the stance scorer. A role the
/// tagger did not find is left empty (the pipeline's rules may fill it later).
pub fn pairs(examples: &[Example], predictions: &[Prediction]) -> Vec<Pair> {
    examples
        .iter()
        .zip(predictions)
        .map(|(e, p)| {
            let texts: Vec<String> = e.words.iter().map(|&(s, t)| slice_chars(&e.gold.text, s, t)).collect();
            let role = |kind: &str| -> String {
                let found = p.role(kind, |i| texts[i].as_str());
                found.map_or_else(String::new, |(s, t)| slice_chars(&e.gold.text, e.words[s].0, e.words[t - 1].1))
            };
            let pred = Labelled { label: p.label(), holder: role("HOLDER"), target: role("TARGET"), cue: role("CUE"), probs: Some(p.probs), ..e.gold.clone() };
            Pair { gold: e.gold.clone(), pred: Some(pred) }
        })
        .collect()
}

fn slice_chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Documents by id, for looking up gold sentences.
pub fn documents_by_id(documents: Vec<Document>) -> Result<HashMap<String, Document>> {
    let mut map = HashMap::new();
    for d in documents {
        let id = d.id.clone();
        if map.insert(id.clone(), d).is_some() {
            bail!("document id {id:?} appears twice among the documents");
        }
    }
    Ok(map)
}

/// Reads gold sentences, with the file named in errors.
pub fn read_gold(path: &Path) -> Result<Vec<Labelled>> {
    scoring::read_labelled(path).with_context(|| format!("cannot read gold sentences from {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(doc: &str, start: usize, end: usize, label: Label, holder: &str, cue: &str) -> Labelled {
        Labelled { doc_id: doc.into(), span: Span::new(start, end), text: String::new(), label, holder: holder.into(), target: String::new(), cue: cue.into(), probs: None }
    }

    #[test]
    fn role_strings_become_word_tags() {
        let doc = Document::new("d", "Intro. Ms Hewitt condemned the plan.");
        let g = gold("d", 7, 36, Label::Condemn, "Ms Hewitt", "condemned");
        let words: Vec<Span> = ner_words(&doc, g.span).into_iter().map(|(_, s)| s).collect();
        assert_eq!(role_tags(&doc, &g, &words), [1, 2, 5, 0, 0, 0]);
        let author = gold("d", 7, 36, Label::Condemn, "AUTHOR", "nowhere");
        assert_eq!(role_tags(&doc, &author, &words), [0; 6]);
    }

    #[test]
    fn a_pronoun_role_tags_the_pronoun_not_letters_inside_a_word() {
        let doc = Document::new("d", "The plan is bad, he said.");
        let g = gold("d", 0, 25, Label::Condemn, "he", "bad");
        let words: Vec<Span> = ner_words(&doc, g.span).into_iter().map(|(_, s)| s).collect();
        assert_eq!(role_tags(&doc, &g, &words), [0, 0, 0, 5, 0, 1, 0, 0]);
        assert_eq!(find_words("Theirs, their, the", "the"), Some(15));
        assert_eq!(find_words("others", "he"), Some(2));
    }

    #[test]
    fn roles_missing_from_their_sentence_are_listed() {
        let docs = documents_by_id(vec![Document::new("d", "Intro. Ms Hewitt condemned the plan.")]).unwrap();
        let rows = [
            gold("d", 7, 36, Label::Condemn, "Ms Hewitt", "condemned"),
            gold("d", 7, 36, Label::Condemn, "Mr Hewitt", "AUTHOR"),
            gold("d", 0, 6, Label::Neutral, "nobody", ""),
        ];
        let found = unplaced_roles(&docs, &rows);
        assert_eq!(found, ["document \"d\", sentence 7..36: holder \"Mr Hewitt\" is not in the sentence"]);
    }

    #[test]
    fn neighbours_are_adjacent_sentences_of_one_document() {
        let docs = documents_by_id(vec![Document::new("a", "One. Two. [gap] Three."), Document::new("b", "Four.")]).unwrap();
        let rows = [gold("a", 5, 9, Label::Neutral, "", ""), gold("a", 0, 4, Label::Neutral, "", ""), gold("a", 16, 22, Label::Neutral, "", ""), gold("b", 0, 5, Label::Neutral, "", "")];
        let mut examples: Vec<Example> = rows
            .iter()
            .map(|g| Example { gold: g.clone(), words: vec![], hidden: Tensor::zeros([1], (Kind::Float, Device::Cpu)), word_starts: vec![], evidence: vec![], label: 2, roles: vec![], previous: None, next: None })
            .collect();
        link_neighbours(&mut examples, &docs);
        let links: Vec<(Option<usize>, Option<usize>)> = neighbours(&examples);
        assert_eq!(links, [(Some(1), None), (None, Some(0)), (None, None), (None, None)]);
    }

    #[test]
    fn split_keeps_documents_whole_and_repeats() {
        let rows: Vec<Labelled> = (0..200).map(|i| gold(&format!("doc{}", i / 4), i, i + 1, Label::Neutral, "", "")).collect();
        let (train, dev) = split_by_document(rows.clone(), 0.2);
        assert_eq!(train.len() + dev.len(), 200);
        assert!(!dev.is_empty() && dev.len() < 80, "dev {}", dev.len());
        assert!(dev.iter().all(|d| train.iter().all(|t| t.doc_id != d.doc_id)));
        assert_eq!(split_by_document(rows, 0.2).1, dev);
    }
}
