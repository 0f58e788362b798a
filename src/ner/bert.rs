//! A BERT encoder written directly on tch, with the weight names of Hugging Face and
//! rust-bert (`embeddings.*`, `encoder.layer.N.*`), so the same files load into either.
//!
//! Why not rust-bert's `BertModel`: it computes GELU and attention from elementwise
//! pieces; libtorch's fused `gelu` and `scaled_dot_product_attention` give the same
//! results faster on a CPU. Nothing else differs.
//!
//! For inference a layer can also run its matrix products in bfloat16 (`use_bf16`),
//! which about halves their cost on CPUs that multiply bfloat16 natively.

use rust_bert::bert::BertConfig;
use tch::nn::{self, Module};
use tch::{Kind, Tensor};

/// One transformer layer (self-attention, then feed-forward, each with a residual and
/// layer norm). Public so that a task branch can stack its own copies on top of a
/// shared encoder's lower layers.
pub struct Layer {
    query: Dense,
    key: Dense,
    value: Dense,
    attention_out: Dense,
    attention_norm: nn::LayerNorm,
    intermediate: Dense,
    output: Dense,
    output_norm: nn::LayerNorm,
}

/// A linear layer that can also multiply in bfloat16 (see `Layer::use_bf16`).
struct Dense {
    linear: nn::Linear,
    /// bfloat16 copies of the weight and bias, when set.
    bf16: Option<(Tensor, Option<Tensor>)>,
}

impl Dense {
    fn new(p: nn::Path, inputs: i64, outputs: i64) -> Dense {
        Dense { linear: nn::linear(p, inputs, outputs, Default::default()), bf16: None }
    }

    fn forward(&self, x: &Tensor, train: bool) -> Tensor {
        match &self.bf16 {
            Some((w, b)) if !train => x.to_kind(Kind::BFloat16).linear(w, b.as_ref()).to_kind(Kind::Float),
            _ => x.apply(&self.linear),
        }
    }

    fn use_bf16(&mut self) {
        let copy = |t: &Tensor| t.detach().to_kind(Kind::BFloat16);
        self.bf16 = Some((copy(&self.linear.ws), self.linear.bs.as_ref().map(copy)));
    }
}

pub struct Encoder {
    position_embeddings: nn::Embedding,
    token_type_embeddings: nn::Embedding,
    embedding_norm: nn::LayerNorm,
    layers: Vec<Layer>,
    heads: i64,
    hidden_dropout: f64,
    attention_dropout: f64,
}

impl Encoder {
    /// Creates the encoder's variables under `p` (word embeddings included, at
    /// `p/embeddings/word_embeddings`; the caller looks them up to add its own features).
    pub fn new(p: &nn::Path, c: &BertConfig) -> Encoder {
        let h = c.hidden_size;
        let e = p / "embeddings";
        let _ = nn::embedding(&e / "word_embeddings", c.vocab_size, h, Default::default());
        let layers = (0..c.num_hidden_layers).map(|i| Layer::new(&(p / "encoder" / "layer" / i), c)).collect();
        Encoder {
            position_embeddings: nn::embedding(&e / "position_embeddings", c.max_position_embeddings, h, Default::default()),
            token_type_embeddings: nn::embedding(&e / "token_type_embeddings", c.type_vocab_size, h, Default::default()),
            embedding_norm: layer_norm(&e / "LayerNorm", h),
            layers,
            heads: c.num_attention_heads,
            hidden_dropout: c.hidden_dropout_prob,
            attention_dropout: c.attention_probs_dropout_prob,
        }
    }

    /// Hidden states `[batch, length, hidden]` from input embeddings and an attention
    /// mask (1 for tokens, 0 for padding).
    pub fn forward_t(&self, input_embeds: &Tensor, mask: &Tensor, train: bool) -> Tensor {
        self.forward_tap(input_embeds, mask, None, train).0
    }

    /// Like `forward_t`, and also the hidden states after the first `tap` layers, for
    /// a branch that shares this encoder's lower layers (one pass serves both).
    pub fn forward_tap(&self, input_embeds: &Tensor, mask: &Tensor, tap: Option<usize>, train: bool) -> (Tensor, Option<Tensor>) {
        let len = input_embeds.size()[1];
        let device = input_embeds.device();
        let positions = Tensor::arange(len, (Kind::Int64, device)).unsqueeze(0);
        let types = Tensor::zeros([1, len], (Kind::Int64, device));
        let mut x = (input_embeds + self.position_embeddings.forward(&positions) + self.token_type_embeddings.forward(&types))
            .apply(&self.embedding_norm)
            .dropout(self.hidden_dropout, train);
        let mut tapped = None;
        for (i, layer) in self.layers.iter().enumerate() {
            if tap == Some(i) {
                tapped = Some(x.shallow_clone());
            }
            x = layer.forward_t(&x, mask, self.heads, (self.hidden_dropout, self.attention_dropout), train);
        }
        if tap == Some(self.layers.len()) {
            tapped = Some(x.shallow_clone());
        }
        (x, tapped)
    }

    /// See `Layer::use_bf16`.
    pub fn use_bf16(&mut self) {
        self.layers.iter_mut().for_each(Layer::use_bf16);
    }
}

/// Whether this CPU multiplies bfloat16 natively (AVX-512 BF16). Elsewhere bfloat16
/// products would be emulated, so the default keeps float32 there.
pub fn bf16_is_native() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn layer_norm(p: nn::Path<'_>, hidden: i64) -> nn::LayerNorm {
    nn::layer_norm(p, vec![hidden], nn::LayerNormConfig { eps: 1e-12, ..Default::default() })
}

impl Layer {
    /// Creates a layer's variables under `p` (Hugging Face names: `attention.self.query`...).
    pub fn new(p: &nn::Path, c: &BertConfig) -> Layer {
        let h = c.hidden_size;
        let a = p / "attention";
        Layer {
            query: Dense::new(&a / "self" / "query", h, h),
            key: Dense::new(&a / "self" / "key", h, h),
            value: Dense::new(&a / "self" / "value", h, h),
            attention_out: Dense::new(&a / "output" / "dense", h, h),
            attention_norm: layer_norm(&a / "output" / "LayerNorm", h),
            intermediate: Dense::new(p / "intermediate" / "dense", h, c.intermediate_size),
            output: Dense::new(p / "output" / "dense", c.intermediate_size, h),
            output_norm: layer_norm(p / "output" / "LayerNorm", h),
        }
    }

    /// Inference from here on multiplies in bfloat16 (the weights are kept as they
    /// are, for training and saving); layer norms, attention and residuals stay float.
    pub fn use_bf16(&mut self) {
        for d in [&mut self.query, &mut self.key, &mut self.value, &mut self.attention_out, &mut self.intermediate, &mut self.output] {
            d.use_bf16();
        }
    }

    /// `x` `[batch, length, hidden]` through the layer; `mask` is 1 for tokens, 0 for
    /// padding; `dropout` is (hidden, attention).
    pub fn forward_t(&self, x: &Tensor, mask: &Tensor, heads: i64, dropout: (f64, f64), train: bool) -> Tensor {
        let (b, len, hidden) = x.size3().expect("hidden states are [batch, length, hidden]");
        // Boolean mask [batch, 1, 1, length]: true where attention is allowed.
        let allowed = mask.to_kind(Kind::Bool).view([b, 1, 1, len]);
        let head_dim = hidden / heads;
        let split = |t: Tensor| t.view([b, len, heads, head_dim]).transpose(1, 2);
        let attention_dropout = if train { dropout.1 } else { 0.0 };
        let (q, k, v) = (split(self.query.forward(x, train)), split(self.key.forward(x, train)), split(self.value.forward(x, train)));
        let context = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&allowed), attention_dropout, false, None::<f64>);
        let context = context.transpose(1, 2).contiguous().view([b, len, hidden]);
        let attended = (self.attention_out.forward(&context, train).dropout(dropout.0, train) + x).apply(&self.attention_norm);
        let inner = self.intermediate.forward(&attended, train).gelu("none");
        (self.output.forward(&inner, train).dropout(dropout.0, train) + &attended).apply(&self.output_norm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bf16_products_stay_close_to_float_and_leave_training_alone() {
        let config: BertConfig = serde_json::from_value(crate::ner::model::tests::tiny_config(13)).unwrap();
        let vs = nn::VarStore::new(tch::Device::Cpu);
        tch::manual_seed(3);
        let mut layer = Layer::new(&vs.root(), &config);
        let x = Tensor::randn([2, 5, 16], (Kind::Float, tch::Device::Cpu));
        let mask = Tensor::ones([2, 5], (Kind::Int64, tch::Device::Cpu));
        let run = |l: &Layer, train: bool| tch::no_grad(|| l.forward_t(&x, &mask, 2, (0.0, 0.0), train));
        let float = run(&layer, false);
        layer.use_bf16();
        let gap = f64::try_from((run(&layer, false) - &float).abs().max()).unwrap();
        assert!(gap > 0.0 && gap < 0.05, "bf16 moved the output by {gap}");
        // Training (and so saving) works on the float weights.
        assert!(run(&layer, true).equal(&float));
    }
}
