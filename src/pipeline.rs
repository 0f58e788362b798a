//! The pipeline: an ordered list of stages, each adding one kind of annotation to a batch
//! of documents, and a runner that spreads batches over threads.
//!
//! A stage takes `&mut self` because transformer models are not `Sync`: every worker
//! thread builds its own pipeline from a factory. Output order is the input order,
//! whatever the thread count or batch size.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::doc::{AnnotatedDoc, Document, Sentence};
use crate::segment::SentenceSplitter;

/// A model file a stage loaded, recorded in the run manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub sha256: String,
}

/// sha256 of a file, hex-encoded, for the manifest and the stance model's trunk check.
/// Every worker thread loads the same model files, so a digest is remembered for the
/// process while the file keeps its size and modification time.
pub fn sha256_file(path: &std::path::Path) -> anyhow::Result<String> {
    use sha2::Digest;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Key = (std::path::PathBuf, u64, Option<std::time::SystemTime>);
    static SEEN: OnceLock<Mutex<HashMap<Key, String>>> = OnceLock::new();
    let cannot = |e: std::io::Error| anyhow::anyhow!("cannot read {}: {e}", path.display());
    let meta = std::fs::metadata(path).map_err(cannot)?;
    let key = (std::fs::canonicalize(path).map_err(cannot)?, meta.len(), meta.modified().ok());
    let seen = SEEN.get_or_init(Default::default);
    if let Some(digest) = seen.lock().unwrap().get(&key) {
        return Ok(digest.clone());
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    let digest = format!("{:x}", sha2::Sha256::digest(&bytes));
    seen.lock().unwrap().insert(key, digest.clone());
    Ok(digest)
}

/// One pipeline component: adds one kind of annotation to each document of a batch.
pub trait Stage: Send {
    fn name(&self) -> &'static str;

    /// Models or data files the stage depends on, for the manifest.
    fn models(&self) -> Vec<ModelInfo> {
        Vec::new()
    }

    fn process(&mut self, batch: &mut [AnnotatedDoc]) -> anyhow::Result<()>;
}

/// The sentence stage: fills `sentences` from a splitter.
pub struct Segmenter<S: SentenceSplitter>(pub S);

impl<S: SentenceSplitter> Stage for Segmenter<S> {
    fn name(&self) -> &'static str {
        "segment"
    }

    fn process(&mut self, batch: &mut [AnnotatedDoc]) -> anyhow::Result<()> {
        for doc in batch {
            doc.sentences = self.0.split(&doc.doc.text).into_iter().map(Sentence::new).collect();
        }
        Ok(())
    }
}

/// Stages run in order over each batch.
#[derive(Default)]
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
}

impl Pipeline {
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    pub fn with(mut self, stage: impl Stage + 'static) -> Pipeline {
        self.stages.push(Box::new(stage));
        self
    }

    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    pub fn models(&self) -> Vec<ModelInfo> {
        self.stages.iter().flat_map(|s| s.models()).collect()
    }

    pub fn process(&mut self, batch: &mut [AnnotatedDoc]) -> anyhow::Result<()> {
        self.stages.iter_mut().try_for_each(|stage| stage.process(batch))
    }
}

/// Builds one pipeline per worker thread: stages with models are not `Sync`, so every
/// thread needs its own.
pub fn per_thread<F>(threads: usize, factory: F) -> anyhow::Result<Vec<Pipeline>>
where
    F: Fn() -> anyhow::Result<Pipeline>,
{
    (0..threads.max(1)).map(|_| factory()).collect()
}

/// Annotates documents in batches of `batch_size`, one worker thread per pipeline in
/// `pipelines`; each thread always uses its own. `on_batch` is called with the number
/// of documents each finished batch held (for progress). Results come back in input
/// order.
pub fn run(
    documents: Vec<Document>,
    batch_size: usize,
    pipelines: &mut [Pipeline],
    on_batch: &(dyn Fn(usize) + Sync),
) -> anyhow::Result<Vec<AnnotatedDoc>> {
    anyhow::ensure!(!pipelines.is_empty(), "no pipeline to run");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(pipelines.len()).build()?;
    // One slot per thread, locked only by that thread: the mutex never waits, it only
    // lets the threads share the slice.
    let slots: Vec<Mutex<&mut Pipeline>> = pipelines.iter_mut().map(Mutex::new).collect();
    let mut docs: Vec<AnnotatedDoc> = documents.into_iter().map(AnnotatedDoc::new).collect();
    pool.install(|| {
        docs.par_chunks_mut(batch_size.max(1)).try_for_each(|batch| {
            let slot = &slots[rayon::current_thread_index().unwrap_or(0)];
            let mut pipeline = slot.lock().map_err(|_| anyhow::anyhow!("a worker thread failed"))?;
            pipeline.process(batch)?;
            on_batch(batch.len());
            Ok::<(), anyhow::Error>(())
        })
    })?;
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::RuleSplitter;

    #[test]
    fn remembered_digest_follows_a_rewritten_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.bin");
        std::fs::write(&path, b"abc").unwrap();
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_file(&path).unwrap(), abc);
        assert_eq!(sha256_file(&path).unwrap(), abc);
        std::fs::write(&path, b"abcd").unwrap();
        assert_ne!(sha256_file(&path).unwrap(), abc);
        assert!(sha256_file(&dir.path().join("none")).unwrap_err().to_string().contains("none"));
    }

    #[test]
    fn runs_stages_and_keeps_input_order() {
        let docs: Vec<Document> = (0..20).map(|i| Document::new(format!("d{i}"), format!("A {i}. B {i}."))).collect();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let count = |n: usize| {
            done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        };
        let mut pipelines = per_thread(2, || Ok(Pipeline::new().with(Segmenter(RuleSplitter)))).unwrap();
        assert_eq!(pipelines.len(), 2);
        let out = run(docs, 3, &mut pipelines, &count).unwrap();
        assert_eq!(done.into_inner(), 20);
        assert_eq!(out[7].doc.id, "d7");
        assert_eq!(out[7].sentences.len(), 2);
    }

    #[test]
    fn factory_failure_is_reported() {
        let err = per_thread(2, || anyhow::bail!("no model")).err().unwrap();
        assert!(format!("{err:#}").contains("no model"));
        let err = run(vec![Document::new("a", "x")], 1, &mut [], &|_| {}).unwrap_err();
        assert!(err.to_string().contains("no pipeline"));
    }
}
