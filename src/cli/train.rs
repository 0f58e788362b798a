//! `stancer train ner --train FILE.conll --dev FILE.conll --base DIR -o DIR [options]`
//! `stancer train stance --gold LABELS --docs DOCS... [--from MODEL] -o DIR [--average N] [options]`
//!
//! Fine-tunes a BERT-family encoder (a folder with config.json, vocab.txt and
//! model.safetensors; `scripts/fetch-minilm.sh` puts all-MiniLM-L6-v2 in the cache)
//! with a token-classification head on CoNLL column files (IOB1 or IOB2). Prints
//! progress and development F1 per epoch, keeps the best epoch in the output folder
//! with `training.json` beside it. Seeded: the same command gives the same model.
//!
//! `stance` trains the stance branch on gold sentences (`formats.md`: doc_id, start,
//! end, stance, holder, target, cue) of the documents in `--docs`, on top of the NER
//! model (`--ner-model`, default models/ner), starting from `--from` (for example the
//! shipped models/stance, to adapt it to your own codebook) or from the NER model's
//! upper layers. The best epoch on `--dev-gold` (or on a held-out share of the
//! documents) is kept, its probabilities calibrated, and its scores printed. A `--from`
//! model competes as epoch 0, so adapting never keeps a model that scores worse on the
//! held-out sentences than the one it started from. `--average N` trains N runs with
//! seeds `--seed`, `--seed` + 1, ... and keeps the mean of their weights (recalibrated),
//! unless one run alone scores better on the held-out sentences.

use std::path::PathBuf;

use clap::Subcommand;
use stancer::ner::train::{self, TrainOptions};
use stancer::optim::Optimisation;
use stancer::pipeline::Stage;
use stancer::stance::train as stance_train;

use super::annotate::NerOptions;

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// A named-entity tagger from CoNLL files.
    Ner(NerArgs),
    /// The stance model from gold sentences and their documents.
    Stance(StanceArgs),
}

/// Optimisation settings shared by both trainers; each has its own defaults.
#[derive(clap::Args, Debug)]
pub struct OptimArgs {
    /// Passes over the training data [ner: 3, stance: 6].
    #[arg(long)]
    epochs: Option<usize>,
    /// Sentences per batch [ner: 32, stance: 16].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Learning rate of the pre-trained layers [ner: 5e-5, stance: 1e-4].
    #[arg(long)]
    lr: Option<f64>,
    /// Learning rate of the new layers (heads, shape and evidence embeddings) [1e-3].
    #[arg(long)]
    head_lr: Option<f64>,
    /// Share of steps spent warming up the learning rate [ner: 0.06, stance: 0.1].
    #[arg(long)]
    warmup: Option<f64>,
    /// Seed of the initialisation and batch order [13].
    #[arg(long)]
    seed: Option<i64>,
}

impl OptimArgs {
    /// The settings given, the task's defaults for the rest.
    fn resolve(&self, d: Optimisation) -> Optimisation {
        Optimisation {
            epochs: self.epochs.unwrap_or(d.epochs),
            batch_size: self.batch_size.unwrap_or(d.batch_size),
            learning_rate: self.lr.unwrap_or(d.learning_rate),
            head_learning_rate: self.head_lr.unwrap_or(d.head_learning_rate),
            warmup: self.warmup.unwrap_or(d.warmup),
            seed: self.seed.unwrap_or(d.seed),
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct StanceArgs {
    /// Gold sentences (JSON Lines or CSV, formats.md).
    #[arg(long)]
    gold: PathBuf,
    /// Documents the gold sentences come from (JSON Lines, CSV or text files).
    #[arg(long, num_args = 1.., required = true)]
    docs: Vec<String>,
    /// Development gold sentences (of documents in --docs); default: hold out a share
    /// of the documents.
    #[arg(long)]
    dev_gold: Option<PathBuf>,
    /// Stance model to start from (e.g. models/stance); default: a new branch.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Output model folder.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    ner: NerOptions,
    #[command(flatten)]
    optim: OptimArgs,
    /// NER encoder layers shared below the stance branch (the branch has the rest).
    #[arg(long, default_value_t = 2)]
    tap: usize,
    /// Layers in the stance branch (default: all the encoder's layers above the tap).
    #[arg(long)]
    depth: Option<usize>,
    /// Weight of the holder/target/cue tagging loss.
    #[arg(long, default_value_t = 1.0)]
    role_weight: f64,
    /// Class weighting: 0 none, 0.5 square root of the inverse frequency, 1 balanced.
    #[arg(long, default_value_t = 0.5)]
    class_balance: f64,
    /// Leave out the cue lexicon's evidence (cues, negators, reporting verbs) from a
    /// new branch's input (for the ablation).
    #[arg(long)]
    no_lexicon_evidence: bool,
    /// Leave out the neighbouring sentences (previous, next) from a new branch's
    /// sentence decision (for the ablation).
    #[arg(long)]
    no_context: bool,
    /// Start a new branch from this encoder folder's upper layers instead of the NER
    /// model's own (e.g. the base all-MiniLM-L6-v2).
    #[arg(long, conflicts_with = "from")]
    branch_init: Option<PathBuf>,
    /// Train this many runs (seeds --seed, --seed + 1, ...) and keep the mean of their
    /// weights (one model of the same size) if it scores at least as well as each run
    /// on the held-out sentences; otherwise the best run.
    #[arg(long, default_value_t = 1)]
    average: usize,
    /// Share of documents held out without --dev-gold.
    #[arg(long, default_value_t = 0.15)]
    dev_share: f64,
    /// Torch threads.
    #[arg(long, default_value_t = 2)]
    threads: i32,
    /// Print the final report as JSON.
    #[arg(long)]
    json: bool,
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
    #[command(flatten)]
    optim: OptimArgs,
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
        TrainCommand::Stance(a) => run_stance(a),
        TrainCommand::Ner(a) => {
            tch::set_num_threads(a.threads);
            let defaults = Optimisation { epochs: 3, batch_size: 32, learning_rate: 5e-5, head_learning_rate: 1e-3, warmup: 0.06, seed: 13 };
            let opts = TrainOptions {
                optim: a.optim.resolve(defaults),
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

fn run_stance(a: StanceArgs) -> anyhow::Result<i32> {
    tch::set_num_threads(a.threads);
    let defaults = Optimisation { epochs: 6, batch_size: 16, learning_rate: 1e-4, head_learning_rate: 1e-3, warmup: 0.1, seed: 13 };
    let opts = stance_train::TrainOptions {
        optim: a.optim.resolve(defaults),
        tap: a.tap,
        depth: a.depth,
        role_weight: a.role_weight,
        class_balance: a.class_balance,
        dev_share: a.dev_share,
        branch_init: a.branch_init.clone(),
        features: stancer::stance::model::Features { evidence: !a.no_lexicon_evidence, context: !a.no_context },
    };
    let Some(ner_dir) = a.ner.model_dir()? else { anyhow::bail!("the stance model needs the NER model it builds on; leave out --no-ner") };
    let trunk = stancer::ner::stage::NerStage::load(&ner_dir, 128)?;
    let read = stancer::read::read_inputs(&a.docs, &Default::default());
    for e in &read.errors {
        eprintln!("warning: {e}");
    }
    let docs = stance_train::documents_by_id(read.documents)?;
    let gold = stance_train::read_gold(&a.gold)?;
    let (train_gold, dev_gold) = match &a.dev_gold {
        Some(path) => (gold, stance_train::read_gold(path)?),
        None => stance_train::split_by_document(gold, a.dev_share),
    };
    // A model to start from is checked against the trunk before any work.
    let tap = match &a.from {
        Some(dir) => {
            let model = stancer::stance::model::StanceModel::load(dir, tch::Device::Cpu)?;
            stancer::ner::stage::check_trunk(&model, &trunk.models()[0].sha256, dir)?;
            model.tap
        }
        None => a.tap,
    };
    eprintln!("{} training and {} development sentences; running the shared encoder layers", train_gold.len(), dev_gold.len());
    let unplaced: Vec<String> = [&train_gold, &dev_gold].into_iter().flat_map(|g| stance_train::unplaced_roles(&docs, g)).collect();
    if let Some(first) = unplaced.first() {
        eprintln!("warning: {} gold role(s) are not found verbatim in their sentence, so the tagger cannot learn them; the first: {first}", unplaced.len());
    }
    let lexicon = stancer::stance::Lexicon::builtin();
    let train_set = stance_train::examples(&trunk, tap, &lexicon, &docs, &train_gold)?;
    let dev_set = stance_train::examples(&trunk, tap, &lexicon, &docs, &dev_gold)?;
    let report = stance_train::train_averaged(&trunk, a.from.as_deref(), &train_set, &dev_set, &a.output, &opts, a.average)?;
    let log = serde_json::json!({ "options": opts, "average": a.average, "gold": a.gold, "dev_gold": a.dev_gold, "from": a.from, "report": report });
    stancer::write::write_json(&a.output.join("training.json"), &log)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let r = &report.dev;
        let out = a.output.display();
        for (k, m) in report.members.iter().enumerate() {
            println!("run with seed {}: kept epoch {} of {}, dev macro-F1 {:.3}", opts.optim.seed + k as i64, m.best_epoch, opts.optim.epochs, m.dev.macro_f1);
        }
        if let Some(seed) = report.kept_run {
            println!("the run with seed {seed} scored better on the held-out sentences than the mean of the runs' weights, so it is kept; model in {out}");
        } else if !report.members.is_empty() {
            println!("the mean of the {} runs' weights; model in {out}", report.members.len());
        } else if report.best_epoch == 0 {
            println!("no epoch beat the starting model (--from) on the held-out sentences, so it is kept, recalibrated; model in {out}");
        } else {
            println!("best epoch {} of {}; model in {out}", report.best_epoch, opts.optim.epochs);
        }
        println!(
            "dev ({} sentences): macro-F1 {:.3} (95% CI {:.3} to {:.3}, resampling {}), accuracy {:.3}, kappa {:.3}",
            r.sentences,
            r.macro_f1,
            r.macro_f1_ci95.low,
            r.macro_f1_ci95.high,
            r.bootstrap_unit.plural(),
            r.accuracy,
            r.kappa
        );
        println!("holder overlap {:.3}, target overlap {:.3}, cue overlap {:.3} (condemn/endorse gold)", r.holder.overlap, r.target.overlap, r.cue.overlap);
        println!("holder overlap {:.3} on the {} gold condemn/endorse sentences also predicted so", r.holder.overlap_when_predicted, r.holder.predicted_stance);
        println!("temperature {:.2}: ECE {:.3} before, {:.3} after", report.temperature, report.dev_ece_before, report.dev_ece_after);
    }
    Ok(0)
}
