//! Readers for every input format of `formats.md`: folders of `.txt`/`.md` files, single
//! text files, JSON Lines, CSV, and `-` for JSON Lines on standard input.
//!
//! Readers never stop at a bad document: each problem becomes a [`DocError`] that names
//! the document (or file and line), so that every input is accounted for. They do not
//! split, annotate or write anything.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::doc::Document;

/// Where the text of a CSV input lives.
#[derive(Debug, Clone)]
pub struct CsvColumns {
    pub text: String,
    pub id: String,
}

impl Default for CsvColumns {
    fn default() -> Self {
        CsvColumns { text: "text".into(), id: "id".into() }
    }
}

/// A document that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    /// The input file (or `<stdin>`).
    pub source: String,
    /// The document's id when known.
    pub doc_id: String,
    /// 1-based line (JSON Lines) or row (CSV, header excluded) when it applies.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.doc_id.is_empty() {
            write!(f, " (document {:?})", self.doc_id)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything read from the inputs: good documents in input order, and errors.
#[derive(Debug, Default)]
pub struct ReadResult {
    pub documents: Vec<Document>,
    pub errors: Vec<DocError>,
    /// Per input argument: (input, documents read, errors).
    pub per_input: Vec<(String, usize, usize)>,
}

/// Reads all inputs in the order given; a folder's files in sorted path order.
pub fn read_inputs(inputs: &[String], columns: &CsvColumns) -> ReadResult {
    let mut result = ReadResult::default();
    for input in inputs {
        let (docs_before, errors_before) = (result.documents.len(), result.errors.len());
        read_input(input, columns, &mut result);
        result.per_input.push((
            input.clone(),
            result.documents.len() - docs_before,
            result.errors.len() - errors_before,
        ));
    }
    reject_duplicate_ids(&mut result);
    result
}

fn read_input(input: &str, columns: &CsvColumns, out: &mut ReadResult) {
    if input == "-" {
        let mut raw = Vec::new();
        match std::io::stdin().read_to_end(&mut raw) {
            Ok(_) => read_jsonl("<stdin>", &raw, out),
            Err(e) => out.errors.push(file_error("<stdin>", format!("cannot read: {e}"))),
        }
        return;
    }
    let path = Path::new(input);
    if path.is_dir() {
        match text_files(path) {
            Ok(files) => files.iter().for_each(|f| read_text_file(f, path, out)),
            Err(e) => out.errors.push(file_error(input, format!("cannot list folder: {e}"))),
        }
        return;
    }
    match extension(path).as_str() {
        "txt" | "md" => read_text_file(path, path.parent().unwrap_or(Path::new("")), out),
        "jsonl" | "ndjson" | "json" => with_bytes(path, out, |raw, out| read_jsonl(input, raw, out)),
        "csv" => with_bytes(path, out, |raw, out| read_csv(input, raw, columns, out)),
        _ if !path.exists() => out.errors.push(file_error(input, "no such file or folder".into())),
        other => out.errors.push(file_error(
            input,
            format!("unsupported input format {other:?}: use a folder, .txt, .md, .jsonl or .csv"),
        )),
    }
}

fn extension(path: &Path) -> String {
    path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

fn file_error(source: &str, message: String) -> DocError {
    DocError { source: source.to_string(), doc_id: String::new(), line: None, message }
}

fn with_bytes(path: &Path, out: &mut ReadResult, read: impl FnOnce(&[u8], &mut ReadResult)) {
    match std::fs::read(path) {
        Ok(raw) => read(&raw, out),
        Err(e) => out.errors.push(file_error(&path.display().to_string(), io_message(&e))),
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// All `.txt` and `.md` files under a folder, recursively, sorted by path.
fn text_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if matches!(extension(&path).as_str(), "txt" | "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A text file is one document; its id is its path relative to `root`, without extension.
fn read_text_file(path: &Path, root: &Path, out: &mut ReadResult) {
    let relative = path.strip_prefix(root).unwrap_or(path).with_extension("");
    let id = relative.to_string_lossy().replace('\\', "/");
    let source = path.display().to_string();
    let error = |message: String| DocError { source: source.clone(), doc_id: id.clone(), line: None, message };
    match std::fs::read(path) {
        Err(e) => out.errors.push(error(io_message(&e))),
        Ok(raw) => match String::from_utf8(raw) {
            Err(e) => out.errors.push(error(utf8_message(&e))),
            Ok(text) => push_document(Document::new(id.clone(), text), &source, None, out),
        },
    }
}

fn utf8_message(e: &std::string::FromUtf8Error) -> String {
    format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to())
}

/// Adds a document, or an error when its text is empty.
fn push_document(doc: Document, source: &str, line: Option<usize>, out: &mut ReadResult) {
    if doc.text.trim().is_empty() {
        out.errors.push(DocError {
            source: source.to_string(),
            doc_id: doc.id,
            line,
            message: "empty document: no text".into(),
        });
    } else {
        out.documents.push(doc);
    }
}

fn read_jsonl(source: &str, raw: &[u8], out: &mut ReadResult) {
    for (n, line) in raw.split(|b| *b == b'\n').enumerate() {
        let line_no = n + 1;
        let error = |message: String| DocError { source: source.into(), doc_id: String::new(), line: Some(line_no), message };
        let Ok(line) = std::str::from_utf8(line) else {
            out.errors.push(error("invalid UTF-8 in this line".into()));
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match jsonl_document(line) {
            Ok(doc) => push_document(doc, source, Some(line_no), out),
            Err(message) => out.errors.push(error(message)),
        }
    }
}

fn jsonl_document(line: &str) -> Result<Document, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("malformed JSON line: {e}"))?;
    let serde_json::Value::Object(fields) = value else {
        return Err("malformed JSON line: expected an object with \"id\" and \"text\"".into());
    };
    let id = match fields.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err("no \"id\" (a string or number) in this line".into()),
    };
    let Some(serde_json::Value::String(text)) = fields.get("text") else {
        return Err(format!("document {id:?}: no \"text\" string in this line"));
    };
    let meta = fields
        .iter()
        .filter(|(k, _)| *k != "id" && *k != "text")
        .map(|(k, v)| (k.clone(), meta_value(v)))
        .collect();
    Ok(Document::new(id, text.clone()).with_meta(meta))
}

/// Metadata values become text: strings as they are, anything else as JSON.
fn meta_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn read_csv(source: &str, raw: &[u8], columns: &CsvColumns, out: &mut ReadResult) {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(raw);
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h.iter().map(|f| String::from_utf8_lossy(f).trim_start_matches('\u{feff}').to_string()).collect(),
        Err(e) => return out.errors.push(file_error(source, format!("cannot read the CSV header: {e}"))),
    };
    let Some(text_at) = header.iter().position(|h| *h == columns.text) else {
        let message = format!("unknown text column {:?}; the header has {:?} (choose one with --text-col)", columns.text, header);
        return out.errors.push(file_error(source, message));
    };
    let id_at = header.iter().position(|h| *h == columns.id);
    for (n, record) in reader.byte_records().enumerate() {
        let row = n + 1;
        let error = |doc_id: String, message: String| DocError { source: source.into(), doc_id, line: Some(row), message };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(error(String::new(), format!("malformed CSV row: {e}")));
                continue;
            }
        };
        let id = match id_at {
            Some(i) => String::from_utf8_lossy(&record[i]).into_owned(),
            None => row.to_string(),
        };
        let Ok(fields) = record.iter().map(|f| std::str::from_utf8(f)).collect::<Result<Vec<_>, _>>() else {
            out.errors.push(error(id, "invalid UTF-8 in this row".into()));
            continue;
        };
        let meta = header
            .iter()
            .zip(&fields)
            .enumerate()
            .filter(|(i, _)| *i != text_at && Some(*i) != id_at)
            .map(|(_, (k, v))| (k.clone(), v.to_string()))
            .collect();
        push_document(Document::new(id, fields[text_at]).with_meta(meta), source, Some(row), out);
    }
}

/// A document id must name one document: later duplicates become errors.
fn reject_duplicate_ids(result: &mut ReadResult) {
    let mut seen = HashSet::new();
    let mut kept = Vec::with_capacity(result.documents.len());
    for doc in std::mem::take(&mut result.documents) {
        if seen.insert(doc.id.clone()) {
            kept.push(doc);
        } else {
            result.errors.push(DocError {
                source: String::new(),
                doc_id: doc.id,
                line: None,
                message: "duplicate document id: an earlier document has the same id".into(),
            });
        }
    }
    result.documents = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(raw: &str) -> ReadResult {
        let mut out = ReadResult::default();
        read_jsonl("in.jsonl", raw.as_bytes(), &mut out);
        out
    }

    #[test]
    fn jsonl_carries_metadata_in_order() {
        let out = jsonl("{\"id\": \"a\", \"text\": \"Hi.\", \"source\": \"wire\", \"n\": 3}\n");
        assert_eq!(out.documents[0].id, "a");
        assert_eq!(out.documents[0].meta, [("source".into(), "wire".into()), ("n".into(), "3".into())]);
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let out = jsonl("{\"id\": 1, \"text\": \"ok\"}\n{broken\n{\"id\": 2, \"text\": \"  \"}\n{\"text\": \"x\"}\n");
        assert_eq!(out.documents.len(), 1);
        let lines: Vec<_> = out.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4)]);
        assert!(out.errors[0].message.contains("malformed JSON"));
        assert!(out.errors[1].message.contains("empty document"));
        assert_eq!(out.errors[1].doc_id, "2");
        assert!(out.errors[2].message.contains("\"id\""));
    }

    #[test]
    fn jsonl_invalid_utf8_loses_only_its_line() {
        let mut raw = b"{\"id\": \"a\", \"text\": \"fine\"}\n".to_vec();
        raw.extend_from_slice(b"{\"id\": \"b\", \"text\": \"\xff\"}\n");
        let mut out = ReadResult::default();
        read_jsonl("x", &raw, &mut out);
        assert_eq!(out.documents.len(), 1);
        assert!(out.errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn csv_columns_and_row_numbers() {
        let mut out = ReadResult::default();
        let cols = CsvColumns { text: "body".into(), id: "id".into() };
        read_csv("a.csv", b"outlet,body\nwire,\"One. Two.\"\npaper,Three.\n", &cols, &mut out);
        assert_eq!(out.documents.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(out.documents[0].meta, [("outlet".into(), "wire".into())]);
    }

    #[test]
    fn csv_unknown_column_is_one_clear_error() {
        let mut out = ReadResult::default();
        read_csv("a.csv", b"id,body\n1,x\n", &CsvColumns::default(), &mut out);
        assert!(out.documents.is_empty());
        assert!(out.errors[0].message.contains("unknown text column \"text\""));
        assert!(out.errors[0].to_string().starts_with("a.csv: "));
    }

    #[test]
    fn duplicate_ids_are_errors() {
        let out = read_inputs(&[], &CsvColumns::default());
        assert!(out.errors.is_empty());
        let mut result = jsonl("{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"y\"}\n");
        reject_duplicate_ids(&mut result);
        assert_eq!(result.documents.len(), 1);
        assert!(result.errors[0].message.contains("duplicate"));
    }
}
