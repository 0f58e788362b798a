//! `stancer annotate INPUT... -o OUT.csv [--format csv|jsonl] [--entities FILE]`
//!
//! The main job: splits documents into sentences, finds who says what and whether each
//! sentence condemns, endorses or is neutral toward its target, and writes one row per
//! sentence as `formats.md` defines. Beside the output: `OUT.manifest.json` (version,
//! models with sha256, options, inputs with counts, elapsed time) and, when any input
//! failed, `OUT.errors.csv`.

use std::path::PathBuf;

use serde_json::json;
use stancer::pipeline::{Pipeline, Segmenter};
use stancer::segment::RuleSplitter;
use stancer::stance::LexiconStance;
use stancer::write;

use super::common::{self, InputArgs};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

/// Sentences, then rule-based stance. Named entities join in a later stage; until
/// then the entities column is empty.
pub fn pipeline() -> Pipeline {
    Pipeline::new().with(Segmenter(RuleSplitter)).with(LexiconStance::default())
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let input = &args.input;
    let Some(mut run) = common::read_inputs(input)? else { return Ok(1) };
    let docs = common::annotate(&mut run, input, || Ok(pipeline()))?;
    let escape = !input.no_escape_formulas;
    match args.format {
        Format::Csv => write::write_annotated_csv(&input.output, &docs, escape)?,
        Format::Jsonl => write::write_annotated_jsonl(&input.output, &docs)?,
    }
    if let Some(path) = &args.entities {
        write::write_entities(path, &docs, escape)?;
    }
    let extra = json!({"format": format!("{:?}", args.format).to_lowercase(), "entities": args.entities});
    common::write_manifest(&run, input, "annotate", &pipeline(), &docs, extra)?;
    Ok(common::finish(&run, &docs, &input.output))
}
