//! A BERT encoder written directly on tch, with the weight names of Hugging Face and
//! rust-bert (`embeddings.*`, `encoder.layer.N.*`), so the same files load into either.
//!
//! Why not rust-bert's `BertModel`: it computes GELU and attention from elementwise
//! pieces; libtorch's fused `gelu` and `scaled_dot_product_attention` give the same
//! results faster on a CPU. Nothing else differs.

use rust_bert::bert::BertConfig;
use tch::nn::{self, Module};
use tch::{Kind, Tensor};

struct Layer {
    query: nn::Linear,
    key: nn::Linear,
    value: nn::Linear,
    attention_out: nn::Linear,
    attention_norm: nn::LayerNorm,
    intermediate: nn::Linear,
    output: nn::Linear,
    output_norm: nn::LayerNorm,
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
        let layer_norm = |p: nn::Path<'_>| nn::layer_norm(p, vec![h], nn::LayerNormConfig { eps: 1e-12, ..Default::default() });
        let layers = (0..c.num_hidden_layers)
            .map(|i| {
                let l = p / "encoder" / "layer" / i;
                let a = &l / "attention";
                Layer {
                    query: nn::linear(&a / "self" / "query", h, h, Default::default()),
                    key: nn::linear(&a / "self" / "key", h, h, Default::default()),
                    value: nn::linear(&a / "self" / "value", h, h, Default::default()),
                    attention_out: nn::linear(&a / "output" / "dense", h, h, Default::default()),
                    attention_norm: layer_norm(&a / "output" / "LayerNorm"),
                    intermediate: nn::linear(&l / "intermediate" / "dense", h, c.intermediate_size, Default::default()),
                    output: nn::linear(&l / "output" / "dense", c.intermediate_size, h, Default::default()),
                    output_norm: layer_norm(&l / "output" / "LayerNorm"),
                }
            })
            .collect();
        Encoder {
            position_embeddings: nn::embedding(&e / "position_embeddings", c.max_position_embeddings, h, Default::default()),
            token_type_embeddings: nn::embedding(&e / "token_type_embeddings", c.type_vocab_size, h, Default::default()),
            embedding_norm: layer_norm(&e / "LayerNorm"),
            layers,
            heads: c.num_attention_heads,
            hidden_dropout: c.hidden_dropout_prob,
            attention_dropout: c.attention_probs_dropout_prob,
        }
    }

    /// Hidden states `[batch, length, hidden]` from input embeddings and an attention
    /// mask (1 for tokens, 0 for padding).
    pub fn forward_t(&self, input_embeds: &Tensor, mask: &Tensor, train: bool) -> Tensor {
        let (b, len, hidden) = input_embeds.size3().expect("embeddings are [batch, length, hidden]");
        let device = input_embeds.device();
        let positions = Tensor::arange(len, (Kind::Int64, device)).unsqueeze(0);
        let types = Tensor::zeros([1, len], (Kind::Int64, device));
        let mut x = (input_embeds + self.position_embeddings.forward(&positions) + self.token_type_embeddings.forward(&types))
            .apply(&self.embedding_norm)
            .dropout(self.hidden_dropout, train);
        // Boolean mask [batch, 1, 1, length]: true where attention is allowed.
        let allowed = mask.to_kind(Kind::Bool).view([b, 1, 1, len]);
        let head_dim = hidden / self.heads;
        let split = |t: Tensor| t.view([b, len, self.heads, head_dim]).transpose(1, 2);
        let dropout = if train { self.attention_dropout } else { 0.0 };
        for layer in &self.layers {
            let (q, k, v) = (split(x.apply(&layer.query)), split(x.apply(&layer.key)), split(x.apply(&layer.value)));
            let context = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&allowed), dropout, false, None::<f64>);
            let context = context.transpose(1, 2).contiguous().view([b, len, hidden]);
            let attended = (context.apply(&layer.attention_out).dropout(self.hidden_dropout, train) + &x).apply(&layer.attention_norm);
            let inner = attended.apply(&layer.intermediate).gelu("none");
            x = (inner.apply(&layer.output).dropout(self.hidden_dropout, train) + &attended).apply(&layer.output_norm);
        }
        x
    }
}
