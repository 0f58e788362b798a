//! What `annotate` and `segment` share: input options, reading with error accounting,
//! the progress bar, the errors report and the run manifest.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use serde_json::json;
use stancer::doc::AnnotatedDoc;
use stancer::pipeline::{self, Pipeline};
use stancer::read::{self, CsvColumns, ReadResult};
use stancer::write;

#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Inputs: folders of .txt/.md, .txt/.md files, .jsonl, .csv, or - for JSON Lines on stdin.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output file.
    #[arg(short, long)]
    pub output: PathBuf,
    /// CSV column holding the text.
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// CSV column holding the document id (the row number when absent).
    #[arg(long, default_value = "id")]
    pub id_col: String,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Documents per batch handed to the pipeline.
    #[arg(long, default_value_t = 16)]
    pub batch_size: usize,
    /// Write every good document even when some inputs fail (exit 0); the failures
    /// are in the errors report either way.
    #[arg(long)]
    pub keep_going: bool,
    /// Write cells starting with = + - @ as they are, without the leading apostrophe
    /// that keeps spreadsheet programs from reading them as formulas.
    #[arg(long)]
    pub no_escape_formulas: bool,
}

/// The arithmetic of the models' matrix products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Precision {
    /// bf16 where the CPU multiplies it natively (AVX-512 BF16), float32 elsewhere.
    Auto,
    Float32,
    /// Products in bfloat16 (layer norms, attention and sums stay float32): about half
    /// the time on CPUs with AVX-512 BF16; probabilities move by about 0.01.
    Bf16,
}

impl Precision {
    /// Whether the products run in bfloat16 on this machine.
    pub fn bf16(self) -> bool {
        match self {
            Precision::Auto => stancer::ner::bert::bf16_is_native(),
            Precision::Float32 => false,
            Precision::Bf16 => true,
        }
    }

    /// What the manifest records.
    pub fn name(bf16: bool) -> &'static str {
        if bf16 { "bf16" } else { "float32" }
    }
}

/// A run in progress: what was read, and when it started.
pub struct Run {
    pub started: Instant,
    pub read: ReadResult,
}

/// Reads the inputs, reports errors on stderr and in the errors report. Returns `None`
/// when the run must stop (errors without `--keep-going`).
pub fn read_inputs(args: &InputArgs) -> Result<Option<Run>> {
    let started = Instant::now();
    let columns = CsvColumns { text: args.text_col.clone(), id: args.id_col.clone() };
    let read = read::read_inputs(&args.inputs, &columns);
    let report = write::beside(&args.output, "errors.csv");
    if read.errors.is_empty() {
        remove_stale(&report)?;
        return Ok(Some(Run { started, read }));
    }
    for e in &read.errors {
        eprintln!("stancer: {e}");
    }
    write::write_errors(&report, &read.errors)?;
    let n = read.errors.len();
    if args.keep_going {
        eprintln!("stancer: {n} input error(s), listed in {}; going on with the rest", report.display());
        return Ok(Some(Run { started, read }));
    }
    eprintln!(
        "stancer: {n} input error(s), listed in {}; nothing written. Use --keep-going to write the {} good document(s).",
        report.display(),
        read.documents.len()
    );
    Ok(None)
}

/// A report left by an earlier run would describe errors this run did not have.
fn remove_stale(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Runs the pipelines (one per `--threads`) over the documents with a progress bar on
/// stderr (only when stderr is a terminal).
pub fn annotate(run: &mut Run, args: &InputArgs, pipelines: &mut [Pipeline]) -> Result<Vec<AnnotatedDoc>> {
    let documents = std::mem::take(&mut run.read.documents);
    let bar = progress_bar(documents.len() as u64);
    let docs = pipeline::run(documents, args.batch_size, pipelines, &|n| bar.inc(n as u64))?;
    bar.finish_and_clear();
    Ok(docs)
}

fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} documents ({per_sec}, {eta} left)");
    if let Ok(style) = style {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Writes the manifest beside the output: what ran, on what, with which models.
pub fn write_manifest(run: &Run, args: &InputArgs, command: &str, pipeline: &Pipeline, docs: &[AnnotatedDoc], extra: serde_json::Value) -> Result<PathBuf> {
    let path = write::beside(&args.output, "manifest.json");
    let inputs: Vec<_> = run
        .read
        .per_input
        .iter()
        .map(|(input, documents, errors)| json!({"input": input, "documents": documents, "errors": errors}))
        .collect();
    let manifest = json!({
        "tool": "stancer",
        "version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "output": args.output,
        "pipeline": pipeline.stage_names(),
        "models": pipeline.models(),
        "options": {
            "threads": args.threads,
            "batch_size": args.batch_size,
            "text_col": args.text_col,
            "id_col": args.id_col,
            "keep_going": args.keep_going,
            "escape_formulas": !args.no_escape_formulas,
            "more": extra,
        },
        "inputs": inputs,
        "documents": docs.len(),
        "sentences": docs.iter().map(|d| d.sentences.len()).sum::<usize>(),
        "errors": run.read.errors.len(),
        "elapsed_seconds": (run.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    });
    write::write_json(&path, &manifest)?;
    Ok(path)
}

/// The closing line on stderr, and the exit code.
pub fn finish(run: &Run, docs: &[AnnotatedDoc], output: &Path) -> i32 {
    let sentences: usize = docs.iter().map(|d| d.sentences.len()).sum();
    let secs = run.started.elapsed().as_secs_f64();
    eprintln!(
        "stancer: {} document(s), {sentences} sentence(s) in {secs:.2} s ({:.0} sentences/s), {} error(s) -> {}",
        docs.len(),
        sentences as f64 / secs.max(1e-9),
        run.read.errors.len(),
        output.display()
    );
    0
}
