//! `stancer segment INPUT... -o OUT.csv`
//!
//! Splits documents into sentences and writes `doc_id,sent_idx,start,end,text` (then
//! metadata columns), with code-point offsets into each document. Takes the same input
//! options as `annotate`; writes an errors report and a manifest beside the output.

use serde_json::json;
use stancer::pipeline::{Pipeline, Segmenter};
use stancer::segment::RuleSplitter;
use stancer::write;

use super::common::{self, InputArgs};

/// Split documents into sentences.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
}

fn pipeline() -> Pipeline {
    Pipeline::new().with(Segmenter(RuleSplitter))
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let args = args.input;
    let Some(mut run) = common::read_inputs(&args)? else { return Ok(1) };
    let mut pipelines = stancer::pipeline::per_thread(args.threads, || Ok(pipeline()))?;
    let docs = common::annotate(&mut run, &args, &mut pipelines)?;
    write::write_segments(&args.output, &docs, !args.no_escape_formulas)?;
    common::write_manifest(&run, &args, "segment", &pipelines[0], &docs, json!({}))?;
    Ok(common::finish(&run, &docs, &args.output))
}
