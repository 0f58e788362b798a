//! The trained stance model: a branch of transformer layers that continues the NER
//! encoder from one of its middle layers (the tap), and two small heads on the branch:
//! a sentence head (condemn, endorse, neutral, read from `[CLS]` and the mean of the
//! tokens) and a role tagger (IOB2 tags for holder, target and cue on each word's first
//! sub-token).
//!
//! Why a branch and not a second encoder: the lower layers are shared, so one encoder
//! pass per sentence serves NER and stance, and the model file holds only the branch
//! (a few MB instead of a whole encoder). The branch records the sha256 of the NER
//! weights it was trained on; loading it over a different trunk is an error.
//!
//! Probabilities are softmax(logits / temperature); the temperature is fitted on
//! held-out sentences after training (`eval::calibration::fit_temperature`, called by
//! `train`). This module does not read text or run the trunk: see `train` and
//! `ner::stage`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rust_bert::bert::BertConfig;
use tch::nn;
use tch::{Device, Kind, Tensor};

use crate::ner::bert::Layer;
use crate::ner::model::{copy_weights, read_tensors};
use crate::ner::encode::Encoded;
use crate::stance::lexicon::EVIDENCE_CLASSES;

/// Role tags of the tagger, in id order.
pub const ROLE_LABELS: [&str; 7] = ["O", "B-HOLDER", "I-HOLDER", "B-TARGET", "I-TARGET", "B-CUE", "I-CUE"];

/// The id of a role's `B-` tag in [`ROLE_LABELS`]; its `I-` tag is the next id.
pub fn role_begin(role: &str) -> usize {
    ROLE_LABELS.iter().position(|l| l.strip_prefix("B-") == Some(role)).expect("a role of ROLE_LABELS")
}

/// The key in config.json that holds what is specific to the stance branch.
const CONFIG_KEY: &str = "stancer_stance";

pub struct StanceModel {
    pub vs: nn::VarStore,
    layers: Vec<Layer>,
    heads: i64,
    dropout: (f64, f64),
    sentence: nn::Linear,
    roles: nn::Linear,
    /// Embeddings of the cue lexicon's evidence classes, added to the trunk's states
    /// (`None`: a branch trained without them).
    evidence: Option<nn::Embedding>,
    /// Reads the neighbouring sentences' pooled states (previous, next) into extra
    /// sentence logits (`None`: a branch that sees its sentence alone). Its weights
    /// start at zero; a missing neighbour reads as zeros.
    context: Option<nn::Linear>,
    /// Number of trunk layers below the branch.
    pub tap: usize,
    /// Number of layers in the branch (at most the trunk's layers above the tap).
    pub depth: usize,
    pub temperature: f64,
    /// sha256 of the NER `model.safetensors` whose lower layers feed the branch.
    pub trunk_sha256: String,
    /// The encoder config (layer sizes), written back on save.
    pub raw_config: serde_json::Value,
}

impl StanceModel {
    /// A fresh branch of layers `tap..tap + depth` (`depth` `None`: up to the top) with
    /// random heads, and lexicon evidence embeddings when asked (starting at zero, so
    /// that they begin as no change).
    pub fn new(raw_config: serde_json::Value, tap: usize, depth: Option<usize>, trunk_sha256: String, features: Features, device: Device) -> Result<StanceModel> {
        let config: BertConfig = serde_json::from_value(raw_config.clone()).context("config.json is not a BERT config")?;
        let total = config.num_hidden_layers as usize;
        if tap >= total {
            bail!("the branch must start below the top layer (tap {tap}, encoder has {total} layers)");
        }
        let depth = depth.unwrap_or(total - tap);
        if depth == 0 || tap + depth > total {
            bail!("a branch of {depth} layers from layer {tap} does not fit an encoder of {total} layers");
        }
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        // Layers keep their index in the encoder, so trunk weights copy over by name.
        let layers = (tap..tap + depth).map(|i| Layer::new(&(&root / "branch" / "encoder" / "layer" / i), &config)).collect();
        let head = root.set_group(1);
        let h = config.hidden_size;
        let sentence = nn::linear(&head / "sentence", 2 * h, 3, Default::default());
        let roles = nn::linear(&head / "roles", h, ROLE_LABELS.len() as i64, Default::default());
        let zero = nn::EmbeddingConfig { ws_init: nn::Init::Const(0.0), ..Default::default() };
        let evidence = features.evidence.then(|| nn::embedding(&head / "evidence", EVIDENCE_CLASSES, h, zero));
        let zero_linear = nn::LinearConfig { ws_init: nn::Init::Const(0.0), ..Default::default() };
        let context = features.context.then(|| nn::linear(&head / "context", 4 * h, 3, zero_linear));
        Ok(StanceModel {
            vs,
            layers,
            heads: config.num_attention_heads,
            dropout: (config.hidden_dropout_prob, config.attention_probs_dropout_prob),
            sentence,
            roles,
            evidence,
            context,
            tap,
            depth,
            temperature: 1.0,
            trunk_sha256,
            raw_config,
        })
    }

    /// Starts the branch from the upper layers of an encoder's weights: the trunk's own
    /// (names `bert.encoder.layer.N.*`) or a base encoder's (`encoder.layer.N.*`).
    pub fn init_from_trunk(&mut self, trunk_weights: &Path) -> Result<()> {
        let tensors = read_tensors(trunk_weights)?;
        let left = copy_weights(&self.vs, |name| {
            let rest = name.strip_prefix("branch.")?;
            tensors.get(&format!("bert.{rest}")).or_else(|| tensors.get(rest))
        });
        // Only the branch comes from the trunk; the heads start fresh.
        let missing: Vec<String> = left.into_iter().map(|(name, _)| name).filter(|n| n.starts_with("branch.")).collect();
        if !missing.is_empty() {
            bail!("{}: the trunk lacks branch weights: {}", trunk_weights.display(), missing.join(", "));
        }
        Ok(())
    }

    /// The weight-by-weight mean of models of one shape (tap, depth, inputs, trunk),
    /// with the first one's temperature. Models fine-tuned from the same start can stay
    /// close enough in weight space for their mean to work as one model, sometimes
    /// better than each ("model soup"; `stancer train stance --average`).
    pub fn average(models: &[StanceModel]) -> Result<StanceModel> {
        let Some(first) = models.first() else { bail!("no models to average") };
        let shape = |m: &StanceModel| (m.tap, m.depth, m.features(), m.trunk_sha256.clone());
        if models.iter().any(|m| shape(m) != shape(first)) {
            bail!("only models of one shape (tap, depth, inputs), built on one trunk, can be averaged");
        }
        let mut mean = StanceModel::new(first.raw_config.clone(), first.tap, Some(first.depth), first.trunk_sha256.clone(), first.features(), Device::Cpu)?;
        let vars: Vec<HashMap<String, Tensor>> = models.iter().map(|m| m.vs.variables()).collect();
        let means: HashMap<String, Tensor> = tch::no_grad(|| {
            vars[0].keys().map(|name| (name.clone(), Tensor::stack(&vars.iter().map(|v| &v[name]).collect::<Vec<_>>(), 0).mean_dim(0, false, Kind::Float))).collect()
        });
        if let Some((name, _)) = copy_weights(&mean.vs, |name| means.get(name)).first() {
            bail!("cannot average weight {name}");
        }
        mean.temperature = first.temperature;
        Ok(mean)
    }

    /// See `Layer::use_bf16`.
    pub fn use_bf16(&mut self) {
        self.layers.iter_mut().for_each(Layer::use_bf16);
    }

    pub fn features(&self) -> Features {
        Features { evidence: self.evidence.is_some(), context: self.context.is_some() }
    }

    /// Sentence logits `[batch, 3]` from the sentence alone (order of `Label::ALL`,
    /// before the temperature and the context), role logits `[batch, length, roles]`,
    /// and the pooled states `[batch, 2 * hidden]` that neighbours read as context.
    /// Inputs: the trunk's hidden states at the tap and the lexicon evidence class of
    /// each sub-token (`[batch, length]`).
    pub fn forward_t(&self, hidden: &Tensor, evidence: &Tensor, mask: &Tensor, train: bool) -> (Tensor, Tensor, Tensor) {
        let mut x = match &self.evidence {
            Some(embedding) => hidden + evidence.apply(embedding),
            None => hidden.shallow_clone(),
        };
        for layer in &self.layers {
            x = layer.forward_t(&x, mask, self.heads, self.dropout, train);
        }
        let m = mask.to_kind(Kind::Float).unsqueeze(-1);
        let mean = (&x * &m).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0);
        let cls = x.select(1, 0);
        let pooled = Tensor::cat(&[cls, mean], 1);
        let sentence = pooled.dropout(self.dropout.0, train).apply(&self.sentence);
        let roles = x.dropout(self.dropout.0, train).apply(&self.roles);
        (sentence, roles, pooled)
    }

    /// Logits the neighbours add (`[batch, 3]`), from their pooled states
    /// (`[batch, 2 * hidden]` each, zeros where there is no neighbour); zeros for a
    /// branch without context.
    pub fn context_logits(&self, previous: &Tensor, next: &Tensor) -> Option<Tensor> {
        self.context.as_ref().map(|c| Tensor::cat(&[previous, next], 1).apply(c))
    }

    /// Adds the neighbours' evidence to predictions of consecutive sentences:
    /// `neighbours[i]` gives the previous and next sentence of `preds[i]`, as indices
    /// into `preds`. Probabilities are recomputed.
    pub fn add_context(&self, preds: &mut [Prediction], neighbours: &[(Option<usize>, Option<usize>)]) -> Result<()> {
        if self.context.is_none() || preds.is_empty() {
            return Ok(());
        }
        let width = preds[0].pooled.len();
        let gather = |pick: &dyn Fn(&(Option<usize>, Option<usize>)) -> Option<usize>| -> Tensor {
            let flat: Vec<f32> = neighbours.iter().flat_map(|n| pick(n).map_or_else(|| vec![0.0; width], |j| preds[j].pooled.clone())).collect();
            Tensor::from_slice(&flat).view([neighbours.len() as i64, width as i64])
        };
        let (previous, next) = (gather(&|n| n.0), gather(&|n| n.1));
        let extra = tch::no_grad(|| self.context_logits(&previous, &next)).expect("the branch has context");
        let extra = Vec::<Vec<f32>>::try_from(&extra)?;
        for (p, e) in preds.iter_mut().zip(extra) {
            for k in 0..3 {
                p.logits[k] += e[k];
            }
            p.probs = crate::eval::calibration::softmax(&p.logits, self.temperature);
        }
        Ok(())
    }

    /// Runs the branch on a padded batch and reads off, for each sentence, its logits,
    /// calibrated probabilities and role spans (in words; `word_starts[i]` gives the
    /// first sub-token of each word of sentence `i`).
    pub fn predict(&self, hidden: &Tensor, evidence: &Tensor, mask: &Tensor, word_starts: &[&[usize]]) -> Result<Vec<Prediction>> {
        let (sentence, roles, pooled) = tch::no_grad(|| self.forward_t(hidden, evidence, mask, false));
        let logits = Vec::<Vec<f32>>::try_from(&sentence)?;
        let pooled = Vec::<Vec<f32>>::try_from(&pooled)?;
        let role_probs = Vec::<Vec<Vec<f32>>>::try_from(&roles.softmax(-1, Kind::Float))?;
        let mut out = Vec::with_capacity(word_starts.len());
        for (i, starts) in word_starts.iter().enumerate() {
            let words: Vec<&[f32]> = starts.iter().map(|&pos| role_probs[i][pos].as_slice()).collect();
            let sentence_logits = [logits[i][0], logits[i][1], logits[i][2]];
            out.push(Prediction {
                logits: sentence_logits,
                probs: crate::eval::calibration::softmax(&sentence_logits, self.temperature),
                roles: role_spans(&words),
                pooled: pooled[i].clone(),
            });
        }
        Ok(out)
    }

    /// sha256 of the NER weights the stance folder's branch was trained on, read from
    /// its config alone (without loading the weights).
    pub fn trunk_of(dir: &Path) -> Result<String> {
        let raw = crate::ner::model::read_config(dir)?;
        Ok(trunk_sha256(own_config(&raw, dir)?))
    }

    /// Loads a stance folder written by `save`.
    pub fn load(dir: &Path, device: Device) -> Result<StanceModel> {
        let raw = crate::ner::model::read_config(dir)?;
        let own = own_config(&raw, dir)?;
        let tap = own.get("tap").and_then(|v| v.as_u64()).context("stance config has no tap")? as usize;
        let depth = own.get("depth").and_then(|v| v.as_u64()).map(|d| d as usize);
        let trunk = trunk_sha256(own);
        let flag = |k: &str| own.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
        let features = Features { evidence: flag("lexicon_evidence"), context: flag("sentence_context") };
        let mut model = StanceModel::new(raw.clone(), tap, depth, trunk, features, device)?;
        model.temperature = own.get("temperature").and_then(|v| v.as_f64()).unwrap_or(1.0);
        let path = dir.join("model.safetensors");
        let tensors = read_tensors(&path)?;
        let mut missing: Vec<String> = copy_weights(&model.vs, |name| tensors.get(name)).into_iter().map(|(name, _)| name).collect();
        if !missing.is_empty() {
            missing.sort();
            bail!("{}: missing or mismatched weights: {}", path.display(), missing.join(", "));
        }
        Ok(model)
    }

    /// Writes `config.json` and fp16 `model.safetensors`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut config = self.raw_config.clone();
        if let Some(map) = config.as_object_mut() {
            for key in ["id2label", "label2id", "architectures", "stancer_shape_features"] {
                map.remove(key);
            }
        }
        config[CONFIG_KEY] = serde_json::json!({
            "tap": self.tap,
            "depth": self.depth,
            "temperature": self.temperature,
            "trunk_sha256": self.trunk_sha256,
            "lexicon_evidence": self.evidence.is_some(),
            "sentence_context": self.context.is_some(),
            "labels": crate::doc::Label::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "role_labels": ROLE_LABELS,
        });
        crate::write::write_json(&dir.join("config.json"), &config)?;
        crate::ner::model::write_weights(&self.vs, &dir.join("model.safetensors"))
    }
}

/// The branch's reading of one sentence.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// Before the temperature (what calibration is fitted on).
    pub logits: [f32; 3],
    /// Calibrated, in the order of `Label::ALL`.
    pub probs: [f32; 3],
    /// Role spans as (first word, one past last word, `HOLDER`/`TARGET`/`CUE`), at
    /// most one per role.
    pub roles: Vec<(usize, usize, String)>,
    /// The sentence's pooled state, which its neighbours read as context.
    pub pooled: Vec<f32>,
}

/// Optional inputs of a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Features {
    /// The cue lexicon's evidence class per sub-token.
    pub evidence: bool,
    /// The previous and next sentences' pooled states.
    pub context: bool,
}

impl Prediction {
    pub fn label(&self) -> crate::doc::Label {
        crate::doc::Label::ALL[crate::eval::calibration::argmax(&self.probs).0]
    }

    /// Word range of the span of a role (`HOLDER`, `TARGET`, `CUE`), without
    /// a possessive or punctuation at its edges (`word(i)` gives word `i`'s text):
    /// the tagger sometimes starts "The state's transport secretary" at "'s". `None`
    /// when the sentence is labelled neutral: a neutral sentence has no roles.
    pub fn role<'a>(&self, kind: &str, word: impl Fn(usize) -> &'a str) -> Option<(usize, usize)> {
        if self.label() == crate::doc::Label::Neutral {
            return None;
        }
        let (mut s, mut e) = self.roles.iter().find(|(_, _, k)| k == kind).map(|&(s, e, _)| (s, e))?;
        let loose = |w: &str| matches!(w, "'s" | "’s" | "'" | "’") || !w.chars().any(char::is_alphanumeric);
        while s < e && loose(word(s)) {
            s += 1;
        }
        while e > s && loose(word(e - 1)) {
            e -= 1;
        }
        // An article, preposition or conjunction alone names nothing; the rules fill in.
        let bare = e == s + 1 && FUNCTION_WORDS.contains(&word(s).to_lowercase().as_str());
        (s < e && !bare).then_some((s, e))
    }

}

/// Words that cannot be a holder, target or cue on their own.
const FUNCTION_WORDS: &[&str] = &["the", "a", "an", "of", "and", "or", "to", "in", "on", "at", "for", "by", "with", "from"];

/// One span per role: the run of words most likely inside it. Each word scores the log
/// odds of being inside the role (`B-` plus `I-` probability against the rest), and the
/// run with the largest sum wins (none when no word is more likely in than out). Taking
/// the first run of argmax tags instead kept stray one-word pieces ("The", "of") and cut
/// names where one word fell just under a half ("Foreign" for "German Foreign Ministry
/// spokesman Martin Erdmann").
fn role_spans(words: &[&[f32]]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for kind in ["HOLDER", "TARGET", "CUE"] {
        let begin = role_begin(kind);
        let scores: Vec<f32> = words
            .iter()
            .map(|p| {
                let inside = (p[begin] + p[begin + 1]).clamp(1e-6, 1.0 - 1e-6);
                (inside / (1.0 - inside)).ln()
            })
            .collect();
        if let Some((s, e)) = best_run(&scores) {
            out.push((s, e, kind.to_string()));
        }
    }
    out
}

/// The contiguous run with the largest positive sum (the first of equals), if any.
fn best_run(scores: &[f32]) -> Option<(usize, usize)> {
    let (mut best, mut best_sum) = (None, 0.0f32);
    let (mut start, mut sum) = (0, 0.0f32);
    for (i, &x) in scores.iter().enumerate() {
        if sum <= 0.0 {
            (start, sum) = (i, 0.0);
        }
        sum += x;
        if sum > best_sum {
            (best, best_sum) = (Some((start, i + 1)), sum);
        }
    }
    best
}

/// Per-word evidence classes spread over each word's sub-tokens (`[CLS]`, `[SEP]` and
/// words beyond the window get none).
pub fn subtoken_evidence(word_evidence: &[i64], e: &Encoded) -> Vec<i64> {
    let mut out = vec![0; e.ids.len()];
    for (k, &start) in e.word_starts.iter().enumerate() {
        let end = e.word_starts.get(k + 1).copied().unwrap_or(e.ids.len() - 1);
        out[start..end].fill(word_evidence.get(k).copied().unwrap_or(0));
    }
    out
}

/// The `stancer_stance` part of a config.
fn own_config<'a>(raw: &'a serde_json::Value, dir: &Path) -> Result<&'a serde_json::Value> {
    raw.get(CONFIG_KEY).with_context(|| format!("{}/config.json is not a stancer stance model (no {CONFIG_KEY})", dir.display()))
}

fn trunk_sha256(own: &serde_json::Value) -> String {
    own.get("trunk_sha256").and_then(|v| v.as_str()).unwrap_or_default().to_string()
}


#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ner::model::tests::tiny_config;
    use crate::ner::model::TokenClassifier;

    #[test]
    fn branch_starts_from_the_trunk_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let vocab = crate::ner::encode::tests::tiny_vocab(dir.path());
        tch::manual_seed(3);
        let trunk = TokenClassifier::new(tiny_config(13), vec!["O".into(), "B-PER".into()], false, Device::Cpu).unwrap();
        trunk.save(&dir.path().join("ner"), &vocab).unwrap();
        let features = Features { evidence: true, context: true };
        let mut model = StanceModel::new(tiny_config(13), 1, None, "abc".into(), features, Device::Cpu).unwrap();
        model.init_from_trunk(&dir.path().join("ner/model.safetensors")).unwrap();
        let vars = model.vs.variables();
        let trunk_vars = trunk.vs.variables();
        let (a, b) = (&vars["branch.encoder.layer.1.output.dense.weight"], &trunk_vars["bert.encoder.layer.1.output.dense.weight"]);
        assert!(f64::try_from((a - b).abs().max()).unwrap() < 1e-2);

        model.temperature = 1.7;
        model.save(&dir.path().join("stance")).unwrap();
        let loaded = StanceModel::load(&dir.path().join("stance"), Device::Cpu).unwrap();
        assert_eq!((loaded.tap, loaded.depth, loaded.temperature, loaded.trunk_sha256.as_str()), (1, 1, 1.7, "abc"));
        let hidden = Tensor::randn([2, 5, 16], (Kind::Float, Device::Cpu));
        let mask = Tensor::ones([2, 5], (Kind::Int8, Device::Cpu));
        let evidence = Tensor::from_slice(&[0i64, 1, 2, 3, 4, 0, 0, 0, 0, 0]).view([2, 5]);
        let (s1, r1, _) = model.forward_t(&hidden, &evidence, &mask, false);
        let (s2, _, _) = loaded.forward_t(&hidden, &evidence, &mask, false);
        assert_eq!(loaded.features(), features);
        assert_eq!((s1.size(), r1.size()), (vec![2, 3], vec![2, 5, 7]));
        assert!(f64::try_from((&s1 - &s2).abs().max()).unwrap() < 5e-2);
    }

    #[test]
    fn average_is_the_mean_of_each_weight_and_needs_one_shape() {
        let features = Features { evidence: true, context: true };
        let make = |seed, tap| {
            tch::manual_seed(seed);
            StanceModel::new(tiny_config(13), tap, None, "abc".into(), features, Device::Cpu).unwrap()
        };
        let (mut a, b) = (make(1, 1), make(2, 1));
        a.temperature = 2.5;
        let name = "branch.encoder.layer.1.attention.self.query.weight";
        let (va, vb) = (a.vs.variables()[name].copy(), b.vs.variables()[name].copy());
        let mean = StanceModel::average(&[a, b]).unwrap();
        let vm = &mean.vs.variables()[name];
        assert!(!va.equal(&vb));
        assert!(vm.allclose(&((&va + &vb) / 2.0), 1e-6, 1e-7, false));
        assert_eq!((mean.temperature, mean.tap, mean.trunk_sha256.as_str()), (2.5, 1, "abc"));
        let Err(err) = StanceModel::average(&[make(1, 1), make(1, 0)]) else { panic!("branches of two shapes averaged") };
        assert!(err.to_string().contains("one shape"), "{err}");
        assert!(StanceModel::average(&[]).is_err());
    }

    #[test]
    fn each_role_begin_tag_is_followed_by_its_inside_tag() {
        for role in ["HOLDER", "TARGET", "CUE"] {
            let begin = role_begin(role);
            assert_eq!(ROLE_LABELS[begin], format!("B-{role}"));
            assert_eq!(ROLE_LABELS[begin + 1], format!("I-{role}"));
        }
    }

    #[test]
    fn neighbours_move_a_sentence_only_through_the_context_weights() {
        tch::manual_seed(5);
        let model = StanceModel::new(tiny_config(13), 1, None, String::new(), Features { evidence: false, context: true }, Device::Cpu).unwrap();
        let hidden = Tensor::randn([3, 4, 16], (Kind::Float, Device::Cpu));
        let (mask, evidence) = (Tensor::ones([3, 4], (Kind::Int8, Device::Cpu)), Tensor::zeros([3, 4], (Kind::Int64, Device::Cpu)));
        let starts: Vec<&[usize]> = vec![&[1], &[1], &[1]];
        let alone = model.predict(&hidden, &evidence, &mask, &starts).unwrap();
        let chain = [(None, Some(1)), (Some(0), Some(2)), (Some(1), None)];
        let (mut read, mut lonely) = (alone.clone(), alone.clone());
        model.add_context(&mut read, &chain).unwrap();
        model.add_context(&mut lonely, &[(None, None); 3]).unwrap();
        assert_eq!(read[1].logits, lonely[1].logits, "context weights start at zero");
        tch::no_grad(|| {
            for (name, mut var) in model.vs.variables() {
                if name == "context.weight" {
                    // Not constant: pooled states are layer-normed, so their features
                    // sum to about zero and equal weights would cancel out.
                    let ramp = Tensor::arange(var.numel() as i64, (Kind::Float, Device::Cpu)) / 100.0;
                    var.copy_(&ramp.view(var.size().as_slice()));
                }
            }
        });
        let mut read = alone.clone();
        model.add_context(&mut read, &chain).unwrap();
        assert_ne!(read[1].logits, lonely[1].logits);
        let sum: f32 = read[1].probs.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5);
    }

    #[test]
    fn evidence_covers_every_sub_token_of_a_word() {
        let e = Encoded { ids: vec![2, 5, 8, 9, 6, 3], shapes: vec![0; 6], word_starts: vec![1, 2, 4] };
        assert_eq!(subtoken_evidence(&[0, 1, 4], &e), [0, 0, 1, 1, 4, 0]);
    }

    #[test]
    fn role_spans_lose_possessives_and_punctuation_at_their_edges() {
        let words = ["The", "state", "'s", "secretary", ",", "Colin", "Abara", ","];
        let p = Prediction { logits: [0.0; 3], probs: [0.1, 0.8, 0.1], roles: vec![(2, 8, "HOLDER".into()), (4, 5, "CUE".into())], pooled: vec![] };
        assert_eq!(p.role("HOLDER", |i| words[i]), Some((3, 7)));
        assert_eq!(p.role("CUE", |i| words[i]), None);
        assert_eq!(p.role("TARGET", |i| words[i]), None);
        let bare = Prediction { roles: vec![(0, 1, "HOLDER".into()), (5, 7, "TARGET".into())], ..p };
        assert_eq!(bare.role("HOLDER", |i| words[i]), None);
        assert_eq!(bare.role("TARGET", |i| words[i]), Some((5, 7)));
    }

    #[test]
    fn role_is_the_run_most_likely_inside() {
        assert_eq!(best_run(&[-1.0, 2.0, -0.5, 3.0, -4.0, 1.0]), Some((1, 4)));
        assert_eq!(best_run(&[-1.0, -2.0]), None);
        assert_eq!(best_run(&[]), None);
        // Word probabilities over O, B-HOLDER, I-HOLDER, B-TARGET, I-TARGET, B-CUE, I-CUE.
        let stray = [0.4, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0];
        let weak = [0.55, 0.05, 0.4, 0.0, 0.0, 0.0, 0.0];
        let strong = [0.05, 0.05, 0.9, 0.0, 0.0, 0.0, 0.0];
        let cue = [0.1, 0.0, 0.0, 0.0, 0.0, 0.9, 0.0];
        let other = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let words: Vec<&[f32]> = vec![&stray, &other, &other, &strong, &weak, &strong, &strong, &cue];
        assert_eq!(role_spans(&words), [(3, 7, "HOLDER".to_string()), (7, 8, "CUE".to_string())]);
    }

    #[test]
    fn tap_must_leave_a_layer_for_the_branch() {
        let plain = Features { evidence: false, context: false };
        assert!(StanceModel::new(tiny_config(13), 2, None, String::new(), plain, Device::Cpu).is_err());
        assert!(StanceModel::new(tiny_config(13), 0, Some(3), String::new(), plain, Device::Cpu).is_err());
        assert!(StanceModel::new(tiny_config(13), 0, Some(0), String::new(), plain, Device::Cpu).is_err());
        let short = StanceModel::new(tiny_config(13), 0, Some(1), String::new(), plain, Device::Cpu).unwrap();
        assert!(short.vs.variables().keys().any(|k| k.starts_with("branch.encoder.layer.0.")));
        assert!(!short.vs.variables().keys().any(|k| k.starts_with("branch.encoder.layer.1.")));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        let err = StanceModel::load(dir.path(), Device::Cpu).err().unwrap();
        assert!(err.to_string().contains("not a stancer stance model"));
    }
}
