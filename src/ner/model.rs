//! The token classifier: a BERT encoder (rust-bert), optional word-shape features added
//! to the word embeddings, dropout and a linear head. Loads a base encoder (weights
//! without a head), a model saved by `stancer train ner`, or a Hugging Face
//! `BertForTokenClassification` folder (`config.json` with `id2label`, `vocab.txt`,
//! `model.safetensors`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rust_bert::bert::BertConfig;
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

use crate::ner::bert::Encoder;
use crate::ner::encode::Batch;
use crate::ner::shape::N_SHAPES;

/// Width of the shape embedding before it is projected to the hidden size.
const SHAPE_DIM: i64 = 32;

pub struct TokenClassifier {
    pub vs: nn::VarStore,
    bert: Encoder,
    word_embeddings: Tensor,
    shape: Option<(nn::Embedding, nn::Linear)>,
    classifier: nn::Linear,
    dropout: f64,
    pub labels: Vec<String>,
    /// The encoder's config.json, kept to write it back with the labels.
    pub raw_config: serde_json::Value,
}

impl TokenClassifier {
    /// A fresh model: encoder, shape features when asked, head for `labels`. The
    /// weights are random until loaded.
    pub fn new(raw_config: serde_json::Value, labels: Vec<String>, shape_features: bool, device: Device) -> Result<TokenClassifier> {
        let config: BertConfig = serde_json::from_value(raw_config.clone()).context("config.json is not a BERT config")?;
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        let bert = Encoder::new(&(&root / "bert"), &config);
        let word_embeddings = vs
            .variables()
            .get("bert.embeddings.word_embeddings.weight")
            .context("the encoder has no word embeddings")?
            .shallow_clone();
        // New layers go in optimiser group 1, so training can give them their own rate.
        let head = root.set_group(1);
        let shape = shape_features.then(|| {
            let p = &head / "shape";
            let zero = nn::LinearConfig { ws_init: nn::Init::Const(0.0), bias: false, ..Default::default() };
            (nn::embedding(&p / "embedding", N_SHAPES, SHAPE_DIM, Default::default()), nn::linear(&p / "proj", SHAPE_DIM, config.hidden_size, zero))
        });
        let classifier = nn::linear(&head / "classifier", config.hidden_size, labels.len() as i64, Default::default());
        Ok(TokenClassifier { vs, bert, word_embeddings, shape, classifier, dropout: config.hidden_dropout_prob, labels, raw_config })
    }

    pub fn has_shape_features(&self) -> bool {
        self.shape.is_some()
    }

    /// Label scores `[batch, length, labels]`.
    pub fn forward_t(&self, batch: &Batch, train: bool) -> Result<Tensor> {
        Ok(self.forward_tap(batch, None, train).0)
    }

    /// Label scores, and the encoder's hidden states after `tap` layers (for the
    /// stance branch, which shares the lower layers).
    pub fn forward_tap(&self, batch: &Batch, tap: Option<usize>, train: bool) -> (Tensor, Option<Tensor>) {
        let mut embeds = Tensor::embedding(&self.word_embeddings, &batch.ids, 0, false, false);
        if let Some((embedding, proj)) = &self.shape {
            embeds = embeds + proj.forward(&embedding.forward(&batch.shapes));
        }
        let (hidden, tapped) = self.bert.forward_tap(&embeds, &batch.mask, tap, train);
        (hidden.dropout(self.dropout, train).apply(&self.classifier), tapped)
    }

    /// Copies weights from a safetensors file into the model. Names may carry the
    /// `bert.` prefix or not (a bare encoder). With `require_all`, every variable must
    /// be found; otherwise only the encoder's.
    pub fn load_weights(&mut self, path: &Path, require_all: bool) -> Result<()> {
        let tensors = read_tensors(path)?;
        let left = copy_weights(&self.vs, |name| tensors.get(name).or_else(|| tensors.get(name.strip_prefix("bert.").unwrap_or(name))));
        let mut missing: Vec<String> = left
            .into_iter()
            .filter_map(|(name, shapes)| match shapes {
                Some((found, expected)) => Some(format!("{name} (shape {found:?}, expected {expected:?})")),
                None if require_all || name.starts_with("bert.") => Some(name),
                None => None,
            })
            .collect();
        if !missing.is_empty() {
            missing.sort();
            bail!("{}: missing or mismatched weights: {}", path.display(), missing.join(", "));
        }
        Ok(())
    }

    /// See `Layer::use_bf16`.
    pub fn use_bf16(&mut self) {
        self.bert.use_bf16();
    }

    /// Loads a trained token-classification folder.
    pub fn load(dir: &Path, device: Device) -> Result<TokenClassifier> {
        let raw = read_config(dir)?;
        let labels = labels_of(&raw).with_context(|| format!("{}/config.json has no id2label", dir.display()))?;
        let shape = raw.get("stancer_shape_features").and_then(|v| v.as_bool()).unwrap_or(false);
        let mut model = TokenClassifier::new(raw, labels, shape, device)?;
        model.load_weights(&dir.join("model.safetensors"), true)?;
        Ok(model)
    }

    /// Writes `config.json` (with labels), the vocabulary and fp16 weights.
    pub fn save(&self, dir: &Path, vocab: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut config = self.raw_config.clone();
        let id2label: serde_json::Map<String, serde_json::Value> =
            self.labels.iter().enumerate().map(|(i, l)| (i.to_string(), l.clone().into())).collect();
        let label2id: serde_json::Map<String, serde_json::Value> =
            self.labels.iter().enumerate().map(|(i, l)| (l.clone(), i.into())).collect();
        config["id2label"] = id2label.into();
        config["label2id"] = label2id.into();
        config["architectures"] = serde_json::json!(["BertForTokenClassification"]);
        config["stancer_shape_features"] = self.has_shape_features().into();
        crate::write::write_json(&dir.join("config.json"), &config)?;
        if vocab != dir.join("vocab.txt") {
            std::fs::copy(vocab, dir.join("vocab.txt")).context("cannot copy the vocabulary")?;
        }
        write_weights(&self.vs, &dir.join("model.safetensors"))
    }
}

/// A safetensors file as a map from names to tensors.
pub fn read_tensors(path: &Path) -> Result<HashMap<String, Tensor>> {
    Ok(Tensor::read_safetensors(path).with_context(|| format!("cannot read weights {}", path.display()))?.into_iter().collect())
}

/// Copies into each variable of `vs` the tensor `source` gives for its name, and
/// returns the variables left as they were: `(name, None)` where `source` has nothing,
/// `(name, Some((found shape, expected shape)))` where its tensor has another shape.
pub fn copy_weights<'a>(vs: &nn::VarStore, source: impl Fn(&str) -> Option<&'a Tensor>) -> Vec<(String, Option<(Vec<i64>, Vec<i64>)>)> {
    let mut left = Vec::new();
    tch::no_grad(|| {
        for (name, mut var) in vs.variables() {
            match source(&name) {
                Some(t) if t.size() == var.size() => {
                    var.copy_(&t.to_kind(Kind::Float));
                }
                found => left.push((name, found.map(|t| (t.size(), var.size())))),
            }
        }
    });
    left
}

/// Writes every variable as fp16 safetensors (names sorted), atomically.
pub fn write_weights(vs: &nn::VarStore, path: &Path) -> Result<()> {
    let mut named: Vec<(String, Tensor)> =
        vs.variables().into_iter().map(|(n, t)| (n, t.to_kind(Kind::Half).to_device(Device::Cpu))).collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let tmp = path.with_extension("safetensors.tmp");
    Tensor::write_safetensors(&named, &tmp)?;
    mark_pytorch_format(&tmp)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Adds `"__metadata__": {"format": "pt"}` to a safetensors header: Python
/// transformers refuses weights without it. Data offsets are relative to the end of
/// the header, so only the header changes.
fn mark_pytorch_format(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path)?;
    let len = u64::from_le_bytes(bytes[..8].try_into()?) as usize;
    let mut header: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes[8..8 + len])?;
    header.insert("__metadata__".into(), serde_json::json!({"format": "pt"}));
    let mut json = serde_json::to_vec(&header)?;
    while json.len() % 8 != 0 {
        json.push(b' ');
    }
    let mut out = Vec::with_capacity(bytes.len() + 64);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&bytes[8 + len..]);
    std::fs::write(path, out)?;
    Ok(())
}

pub fn read_config(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join("config.json");
    let raw = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&raw).with_context(|| format!("{} is not JSON", path.display()))
}

/// Labels in id order from a config's `id2label`.
fn labels_of(config: &serde_json::Value) -> Option<Vec<String>> {
    let map = config.get("id2label")?.as_object()?;
    let mut pairs: Vec<(usize, String)> =
        map.iter().filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string()))).collect();
    pairs.sort();
    let in_order = pairs.iter().enumerate().all(|(i, (k, _))| i == *k);
    (in_order && !pairs.is_empty()).then(|| pairs.into_iter().map(|(_, l)| l).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny BERT config for tests: 2 layers, hidden 16, vocabulary of `vocab`.
    pub fn tiny_config(vocab: i64) -> serde_json::Value {
        serde_json::json!({
            "hidden_act": "gelu", "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0,
            "hidden_size": 16, "initializer_range": 0.02, "intermediate_size": 32,
            "max_position_embeddings": 64, "num_attention_heads": 2, "num_hidden_layers": 2,
            "type_vocab_size": 2, "vocab_size": vocab
        })
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let vocab = crate::ner::encode::tests::tiny_vocab(dir.path());
        tch::manual_seed(1);
        let labels = vec!["O".to_string(), "B-PER".into(), "I-PER".into()];
        let model = TokenClassifier::new(tiny_config(13), labels.clone(), true, Device::Cpu).unwrap();
        let out = dir.path().join("model");
        model.save(&out, &vocab).unwrap();
        let loaded = TokenClassifier::load(&out, Device::Cpu).unwrap();
        assert_eq!(loaded.labels, labels);
        let raw = std::fs::read(out.join("model.safetensors")).unwrap();
        let len = u64::from_le_bytes(raw[..8].try_into().unwrap()) as usize;
        let header: serde_json::Value = serde_json::from_slice(&raw[8..8 + len]).unwrap();
        assert_eq!(header["__metadata__"]["format"], "pt");
        assert!(loaded.has_shape_features());
        let enc = crate::ner::encode::WordEncoder::from_vocab(&out.join("vocab.txt"), true, 16).unwrap();
        let e = enc.encode(&["the", "minister"]);
        let batch = crate::ner::encode::pad(&[&e], Device::Cpu);
        let (a, b) = (model.forward_t(&batch, false).unwrap(), loaded.forward_t(&batch, false).unwrap());
        assert_eq!(a.size(), [1, 4, 3]);
        // fp16 storage: equal to about three decimals.
        assert!(f64::try_from((a - b).abs().max()).unwrap() < 1e-2);
    }

    #[test]
    fn missing_head_is_an_error_for_a_trained_model() {
        let dir = tempfile::tempdir().unwrap();
        let labels = vec!["O".to_string(), "B-PER".into()];
        let model = TokenClassifier::new(tiny_config(13), labels.clone(), false, Device::Cpu).unwrap();
        let weights = dir.path().join("w.safetensors");
        let encoder_only: Vec<(String, Tensor)> = model.vs.variables().into_iter().filter(|(n, _)| n.starts_with("bert.")).map(|(n, t)| (n.trim_start_matches("bert.").to_string(), t)).collect();
        Tensor::write_safetensors(&encoder_only, &weights).unwrap();
        let mut fresh = TokenClassifier::new(tiny_config(13), labels, false, Device::Cpu).unwrap();
        assert!(fresh.load_weights(&weights, false).is_ok());
        let err = fresh.load_weights(&weights, true).unwrap_err();
        assert!(err.to_string().contains("classifier.weight"));
    }
}
