//! Writers for everything a run produces: sentence CSV (`segment`), annotated sentences
//! as CSV or JSON Lines, the entities file, the errors report and the run manifest.
//!
//! Every file is written atomically: to a temporary file beside the target, then renamed,
//! so a reader never sees half a file. Writers format; they decide nothing.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::doc::{AnnotatedDoc, Holder, Sentence, Span};
use crate::read::DocError;

/// The columns of the annotated-sentences CSV, in the order of `formats.md`.
pub const ANNOTATED_COLUMNS: &[&str] = &[
    "doc_id", "sent_idx", "start", "end", "text", "stance", "stance_score", "p_condemn", "p_endorse",
    "p_neutral", "holder", "holder_start", "holder_end", "target", "target_start", "target_end", "cue",
    "cue_start", "cue_end", "entities", "claim", "claim_start", "claim_end", "quote_type",
];

pub const SEGMENT_COLUMNS: &[&str] = &["doc_id", "sent_idx", "start", "end", "text"];

pub const ENTITY_COLUMNS: &[&str] = &["doc_id", "sent_idx", "start", "end", "text", "label", "score"];

/// Writes `path` through a temporary file in the same folder, renamed into place only
/// when `fill` succeeded.
pub fn atomic_write(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    let name = path.file_name().context("output path has no file name")?.to_string_lossy();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut out = std::io::BufWriter::new(file);
        fill(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot move output into {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A cell that spreadsheet programs would read as a formula (`=`, `+`, `-`, `@`) gets
/// a leading apostrophe, which they show as text. Off with `escape = false`.
pub fn cell(value: &str, escape: bool) -> Cow<'_, str> {
    if escape && value.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Metadata column names across documents, in order of first appearance. A name that
/// clashes with a standard column gets a `meta_` prefix.
pub fn meta_columns(docs: &[AnnotatedDoc], standard: &[&str]) -> Vec<(String, String)> {
    let mut columns: Vec<(String, String)> = Vec::new();
    for doc in docs {
        for (key, _) in &doc.doc.meta {
            if !columns.iter().any(|(k, _)| k == key) {
                let shown = if standard.contains(&key.as_str()) { format!("meta_{key}") } else { key.clone() };
                columns.push((key.clone(), shown));
            }
        }
    }
    columns
}

fn meta_values<'a>(doc: &'a AnnotatedDoc, columns: &[(String, String)]) -> Vec<&'a str> {
    columns
        .iter()
        .map(|(key, _)| doc.doc.meta.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str()))
        .collect()
}

fn csv_writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out)
}

fn header(standard: &[&str], meta: &[(String, String)]) -> Vec<String> {
    standard.iter().map(|s| s.to_string()).chain(meta.iter().map(|(_, shown)| shown.clone())).collect()
}

/// `doc_id,sent_idx,start,end,text` then metadata: the output of `stancer segment`.
pub fn write_segments(path: &Path, docs: &[AnnotatedDoc], escape: bool) -> Result<()> {
    write_sentence_rows(path, docs, escape, SEGMENT_COLUMNS, |doc, i, s| {
        annotated_cells(doc, i, s).into_iter().take(SEGMENT_COLUMNS.len()).collect()
    })
}

/// One CSV row per sentence: the `standard` cells from `row`, then metadata.
fn write_sentence_rows(
    path: &Path,
    docs: &[AnnotatedDoc],
    escape: bool,
    standard: &[&str],
    row: impl Fn(&AnnotatedDoc, usize, &Sentence) -> Vec<String>,
) -> Result<()> {
    let meta = meta_columns(docs, standard);
    atomic_write(path, |out| {
        let mut w = csv_writer(out);
        w.write_record(header(standard, &meta))?;
        for doc in docs {
            let values = meta_values(doc, &meta);
            for (i, s) in doc.sentences.iter().enumerate() {
                let cells = row(doc, i, s);
                let cells: Vec<_> = cells.iter().map(|c| cell(c, escape)).chain(values.iter().map(|v| cell(v, escape))).collect();
                w.write_record(cells.iter().map(|c| c.as_ref()))?;
            }
        }
        w.flush()?;
        Ok(())
    })
}

/// One sentence's cells in the order of [`ANNOTATED_COLUMNS`], unescaped.
pub fn annotated_cells(doc: &AnnotatedDoc, idx: usize, s: &Sentence) -> Vec<String> {
    let d = &doc.doc;
    let span_cells = |span: Option<Span>| -> [String; 3] {
        match span {
            Some(sp) => [d.slice(sp).to_string(), sp.start.to_string(), sp.end.to_string()],
            None => Default::default(),
        }
    };
    let mut row = vec![d.id.clone(), idx.to_string(), s.span.start.to_string(), s.span.end.to_string(), d.slice(s.span).to_string()];
    match &s.stance {
        Some(st) => {
            row.push(st.label.as_str().to_string());
            row.push(prob(st.score()));
            row.extend(st.probs.iter().map(|p| prob(*p)));
            row.extend(match st.holder {
                Some(Holder::Author) => ["AUTHOR".to_string(), String::new(), String::new()],
                Some(Holder::Span(sp)) => span_cells(Some(sp)),
                None => span_cells(None),
            });
            row.extend(span_cells(st.target));
            row.extend(span_cells(st.cue));
        }
        None => row.extend(std::iter::repeat(String::new()).take(14)),
    }
    row.push(entities_cell(doc, s));
    row.extend(span_cells(s.claim.map(|c| c.span)));
    row.push(s.claim.map_or("", |c| c.quote_type.as_str()).to_string());
    row
}

/// Probabilities with four decimals: enough to rank, short enough to read.
fn prob(p: f32) -> String {
    format!("{p:.4}")
}

fn entities_cell(doc: &AnnotatedDoc, s: &Sentence) -> String {
    let parts: Vec<String> = s
        .entities
        .iter()
        .map(|e| format!("{}|{}|{}|{}", doc.doc.slice(e.span), e.label, e.span.start, e.span.end))
        .collect();
    parts.join(";")
}

/// The main output: one row per sentence, then metadata columns.
pub fn write_annotated_csv(path: &Path, docs: &[AnnotatedDoc], escape: bool) -> Result<()> {
    write_sentence_rows(path, docs, escape, ANNOTATED_COLUMNS, annotated_cells)
}

/// The same rows as JSON Lines: one object per sentence, the CSV's column names as
/// keys, offsets and probabilities as numbers, metadata under `meta`.
pub fn write_annotated_jsonl(path: &Path, docs: &[AnnotatedDoc]) -> Result<()> {
    atomic_write(path, |out| {
        for doc in docs {
            for (i, s) in doc.sentences.iter().enumerate() {
                let mut object = serde_json::Map::new();
                for (name, value) in ANNOTATED_COLUMNS.iter().zip(annotated_cells(doc, i, s)) {
                    object.insert(name.to_string(), json_cell(name, value));
                }
                let meta: serde_json::Map<String, serde_json::Value> =
                    doc.doc.meta.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
                object.insert("meta".into(), meta.into());
                writeln!(out, "{}", serde_json::Value::Object(object))?;
            }
        }
        Ok(())
    })
}

fn json_cell(name: &str, value: String) -> serde_json::Value {
    let numeric = name == "sent_idx" || name.ends_with("start") || name.ends_with("end") || name.starts_with("p_") || name == "stance_score";
    if value.is_empty() && name != "text" {
        return serde_json::Value::Null;
    }
    if numeric {
        if let Ok(n) = value.parse::<u64>() {
            return n.into();
        }
        if let Ok(x) = value.parse::<f64>() {
            return x.into();
        }
    }
    value.into()
}

/// The entities file: one row per entity.
pub fn write_entities(path: &Path, docs: &[AnnotatedDoc], escape: bool) -> Result<()> {
    atomic_write(path, |out| {
        let mut w = csv_writer(out);
        w.write_record(ENTITY_COLUMNS)?;
        for doc in docs {
            for (i, s) in doc.sentences.iter().enumerate() {
                for e in &s.entities {
                    let row = [
                        doc.doc.id.clone(), i.to_string(), e.span.start.to_string(), e.span.end.to_string(),
                        doc.doc.slice(e.span).to_string(), e.label.clone(), prob(e.score),
                    ];
                    w.write_record(row.iter().map(|c| cell(c, escape)).collect::<Vec<_>>().iter().map(|c| c.as_ref()))?;
                }
            }
        }
        w.flush()?;
        Ok(())
    })
}

/// The errors report: one row per document or file that could not be processed.
pub fn write_errors(path: &Path, errors: &[DocError]) -> Result<()> {
    atomic_write(path, |out| {
        let mut w = csv_writer(out);
        w.write_record(["source", "line", "doc_id", "error"])?;
        for e in errors {
            let line = e.line.map(|l| l.to_string()).unwrap_or_default();
            w.write_record([e.source.as_str(), line.as_str(), e.doc_id.as_str(), e.message.as_str()])?;
        }
        w.flush()?;
        Ok(())
    })
}

/// A file beside the output: `out.csv` gives `out.errors.csv`, `out.manifest.json`.
pub fn beside(output: &Path, suffix: &str) -> PathBuf {
    let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    output.with_file_name(format!("{stem}.{suffix}"))
}

pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    atomic_write(path, |out| {
        serde_json::to_writer_pretty(&mut *out, value)?;
        writeln!(out)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Document, Label, Stance};

    #[test]
    fn formula_cells_are_shown_as_text() {
        assert_eq!(cell("=SUM(A1)", true), "'=SUM(A1)");
        assert_eq!(cell("-3", true), "'-3");
        assert_eq!(cell("-3", false), "-3");
        assert_eq!(cell("plain", true), "plain");
    }

    #[test]
    fn atomic_write_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let err = atomic_write(&path, |out| {
            out.write_all(b"partial")?;
            anyhow::bail!("stage failed")
        });
        assert!(err.is_err());
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn annotated_row_has_every_column() {
        let mut doc = AnnotatedDoc::new(Document::new("d", "They hailed it."));
        let mut s = Sentence::new(Span::new(0, 15));
        s.stance = Some(Stance { label: Label::Endorse, probs: [0.1, 0.7, 0.2], holder: Some(Holder::Author), target: Some(Span::new(12, 14)), cue: Some(Span::new(5, 11)) });
        doc.sentences.push(s);
        let row = annotated_cells(&doc, 0, &doc.sentences[0]);
        assert_eq!(row.len(), ANNOTATED_COLUMNS.len());
        assert_eq!(&row[5..7], ["endorse", "0.7000"]);
        assert_eq!(&row[10..13], ["AUTHOR", "", ""]);
        assert_eq!(&row[13..19], ["it", "12", "14", "hailed", "5", "11"]);
    }

    #[test]
    fn beside_names_companion_files() {
        assert_eq!(beside(Path::new("out/run.csv"), "errors.csv"), Path::new("out/run.errors.csv"));
    }
}
