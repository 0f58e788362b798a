//! `stancer train ner --train FILE.conll --dev FILE.conll --base DIR -o DIR [options]`
//!
//! Fine-tunes a BERT-family encoder (a folder with config.json, vocab.txt and
//! model.safetensors; `scripts/fetch-minilm.sh` puts all-MiniLM-L6-v2 in the cache)
//! with a token-classification head on CoNLL column files (IOB1 or IOB2). Prints
//! progress and development F1 per epoch, keeps the best epoch in the output folder
//! with `training.json` beside it. Seeded: the same command gives the same model.

use std::path::PathBuf;

use clap::Subcommand;
use stancer::ner::train::{self, TrainOptions};

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// A named-entity tagger from CoNLL files.
    Ner(NerArgs),
}

#[derive(clap::Args, Debug)]
pub struct NerArgs {
    #[arg(long)]
    train: PathBuf,
    #[arg(long)]
    dev: PathBuf,
    /// Base encoder folder.
    #[arg(long)]
    base: PathBuf,
    /// Output model folder.
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[arg(long, default_value_t = 5e-5)]
    lr: f64,
    /// Learning rate of the new layers (head, shape features).
    #[arg(long, default_value_t = 1e-3)]
    head_lr: f64,
    /// Share of steps spent warming up the learning rate.
    #[arg(long, default_value_t = 0.06)]
    warmup: f64,
    #[arg(long, default_value_t = 13)]
    seed: i64,
    #[arg(long, default_value_t = 128)]
    max_len: usize,
    /// Leave out the word-shape features (for the ablation).
    #[arg(long)]
    no_shape: bool,
    /// Train on the first N sentences only (quick checks).
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Torch threads.
    #[arg(long, default_value_t = 2)]
    threads: i32,
}

pub fn run(cmd: TrainCommand) -> anyhow::Result<i32> {
    match cmd {
        TrainCommand::Ner(a) => {
            tch::set_num_threads(a.threads);
            let opts = TrainOptions {
                epochs: a.epochs,
                batch_size: a.batch_size,
                learning_rate: a.lr,
                head_learning_rate: a.head_lr,
                warmup: a.warmup,
                seed: a.seed,
                max_len: a.max_len,
                shape_features: !a.no_shape,
                limit: a.limit,
            };
            let reports = train::train(&a.train, &a.dev, &a.base, &a.output, &opts)?;
            let best = reports.iter().max_by(|x, y| x.dev.f1.total_cmp(&y.dev.f1)).map(|r| (r.epoch, r.dev.f1));
            if let Some((epoch, f1)) = best {
                println!("best epoch {epoch}: dev F1 {:.2}; model in {}", 100.0 * f1, a.output.display());
            }
            Ok(0)
        }
    }
}
