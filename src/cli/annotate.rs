//! `stancer annotate INPUT... -o OUT.csv [--format csv|jsonl] [--entities FILE]`
//!
//! The main job: splits documents into sentences, finds who says what and whether each
//! sentence condemns, endorses or is neutral toward its target, and writes one row per
//! sentence as `formats.md` defines. Beside the output: `OUT.manifest.json` (version,
//! models with sha256, options, inputs with counts, elapsed time) and, when any input
//! failed, `OUT.errors.csv`.
//!
//! Named entities come from the model in `--ner-model DIR` (default: the shipped
//! `models/ner`), or are left out with `--no-ner`. The stance label comes from the
//! stance branch in `--stance-model DIR` (default: the shipped `models/stance`), which
//! runs on the NER encoder's pass; the rules fill the claim and any role the model did
//! not find. With `--no-stance-model` (or `--no-ner`) the rules decide alone. With a
//! model, each worker thread runs torch on one thread and every sentence alone, so that
//! output is byte-identical for any `--threads` and `--batch-size`.

use std::path::{Path, PathBuf};

use serde_json::json;
use stancer::pipeline::{Pipeline, Segmenter};
use stancer::ner::stage::NerStage;
use stancer::segment::RuleSplitter;
use stancer::stance::LexiconStance;
use stancer::write;

use super::common::{self, InputArgs, Precision};

/// Annotate sentences with stance, holder, target, cue and claim.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Also write the entities, one row each, to this CSV file.
    #[arg(long)]
    entities: Option<PathBuf>,
    #[command(flatten)]
    ner: NerOptions,
    /// Arithmetic of the models' matrix products. With bf16, output can differ from
    /// float32 in a few labels (1 stance label in 3,291 eng.testa sentences).
    #[arg(long, value_enum, default_value = "auto")]
    precision: Precision,
}

#[derive(clap::Args, Debug, Clone)]
pub struct NerOptions {
    /// NER model folder (config.json with id2label, vocab.txt, model.safetensors).
    /// Default: models/ner in the working folder or beside the stancer checkout.
    #[arg(long)]
    ner_model: Option<PathBuf>,
    /// Run without named entities (the entities column stays empty) and without the
    /// stance model, which shares the NER encoder.
    #[arg(long, conflicts_with_all = ["ner_model", "stance_model"])]
    no_ner: bool,
    /// Stance model folder (trained by `stancer train stance` on this NER model).
    /// Default: models/stance in the working folder or beside the stancer checkout.
    #[arg(long)]
    stance_model: Option<PathBuf>,
    /// Let the rules decide stance alone.
    #[arg(long, conflicts_with = "stance_model")]
    no_stance_model: bool,
}

impl NerOptions {
    /// The model folder to use, or `None` with `--no-ner`.
    pub fn model_dir(&self) -> anyhow::Result<Option<PathBuf>> {
        if self.no_ner {
            return Ok(None);
        }
        if let Some(dir) = &self.ner_model {
            return Ok(Some(dir.clone()));
        }
        match shipped("models/ner") {
            Some(dir) => Ok(Some(dir)),
            None => anyhow::bail!("no NER model found in models/ner: pass --ner-model DIR, or --no-ner to run without entities"),
        }
    }

    /// The stance model folder, or `None` for rules alone: asked for, no NER model,
    /// or no shipped stance model built on this NER model (a warning says so).
    pub fn stance_dir(&self, ner_dir: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
        let Some(ner_dir) = ner_dir.filter(|_| !self.no_stance_model) else { return Ok(None) };
        if let Some(dir) = &self.stance_model {
            return Ok(Some(dir.clone()));
        }
        let Some(dir) = shipped("models/stance") else { return Ok(None) };
        let trunk = stancer::stance::model::StanceModel::trunk_of(&dir)?;
        // An unreadable NER model is reported when it loads, with the reason.
        let Ok(ner_sha) = stancer::pipeline::sha256_file(&ner_dir.join("model.safetensors")) else { return Ok(None) };
        if trunk != ner_sha {
            eprintln!("note: {} was trained on another NER model; stance comes from the rules (pass --stance-model to choose one)", dir.display());
            return Ok(None);
        }
        Ok(Some(dir))
    }
}

/// A shipped model folder: in the working folder, beside the binary in a checkout
/// (`target/release/stancer` is three levels below it), or in the checkout it was built
/// from (which matters when the build folder lives elsewhere, as `CARGO_TARGET_DIR`
/// allows).
fn shipped(relative: &str) -> Option<PathBuf> {
    let beside_exe = std::env::current_exe().ok().and_then(|e| Some(e.parent()?.parent()?.parent()?.join(relative)));
    let built_from = Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative));
    [Some(PathBuf::from(relative)), beside_exe, built_from].into_iter().flatten().find(|d| d.join("config.json").exists())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

/// Sentences, named entities and model stance (when models are given), then the
/// stance rules (deciding alone without a stance model).
pub fn pipeline(ner_model: Option<&Path>, stance_model: Option<&Path>, bf16: bool) -> anyhow::Result<Pipeline> {
    let mut pipeline = Pipeline::new().with(Segmenter(RuleSplitter));
    if let Some(dir) = ner_model {
        let mut stage = NerStage::load(dir, 128)?;
        if let Some(stance) = stance_model {
            stage = stage.with_stance(stance)?;
        }
        if bf16 {
            stage = stage.use_bf16();
        }
        pipeline = pipeline.with(stage);
    }
    Ok(pipeline.with(LexiconStance::default()))
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let input = &args.input;
    let ner_model = args.ner.model_dir()?;
    let stance_model = args.ner.stance_dir(ner_model.as_deref())?;
    if ner_model.is_some() {
        // Parallelism comes from --threads workers; see the module doc.
        tch::set_num_threads(1);
    }
    // Built before any input is read, so that a broken model fails first.
    let bf16 = args.precision.bf16();
    let mut pipelines = stancer::pipeline::per_thread(input.threads, || pipeline(ner_model.as_deref(), stance_model.as_deref(), bf16))?;
    let Some(mut run) = common::read_inputs(input)? else { return Ok(1) };
    let docs = common::annotate(&mut run, input, &mut pipelines)?;
    let escape = !input.no_escape_formulas;
    match args.format {
        Format::Csv => write::write_annotated_csv(&input.output, &docs, escape)?,
        Format::Jsonl => write::write_annotated_jsonl(&input.output, &docs)?,
    }
    if let Some(path) = &args.entities {
        write::write_entities(path, &docs, escape)?;
    }
    let precision = ner_model.as_ref().map(|_| Precision::name(bf16));
    let extra = json!({"format": format!("{:?}", args.format).to_lowercase(), "entities": args.entities, "precision": precision});
    common::write_manifest(&run, input, "annotate", &pipelines[0], &docs, extra)?;
    Ok(common::finish(&run, &docs, &input.output))
}
