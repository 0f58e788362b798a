"""The Python peer of `stancer annotate` for speed: the same sentences (cut by `stancer
segment`) through a transformers token-classification pipeline (the NER model) and a
second MiniLM pass for stance (mean-pooled all-MiniLM-L6-v2 embeddings, what the stance
peer of bench/stance_peers.py classifies). Two encoder passes per sentence, as a Python
user chaining two Hugging Face models would run them; the classifier on top of the
embedding costs next to nothing and is left out.

Usage: python bench/annotate_peer.py SEGMENTS.csv NER_MODEL_DIR ENCODER_DIR --threads 2 --batch-size 32
Prints sentences/s for the whole loop (models loaded beforehand).
"""
import argparse
import csv
import time

import torch
from transformers import AutoModel, AutoModelForTokenClassification, AutoTokenizer, pipeline


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("segments")
    ap.add_argument("ner_model")
    ap.add_argument("encoder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    sents = [r["text"] for r in csv.DictReader(open(a.segments, encoding="utf-8"))]
    ner = pipeline("token-classification", model=AutoModelForTokenClassification.from_pretrained(a.ner_model),
                   tokenizer=AutoTokenizer.from_pretrained(a.ner_model), aggregation_strategy="first", device=-1)
    tok = AutoTokenizer.from_pretrained(a.encoder)
    enc = AutoModel.from_pretrained(a.encoder).eval()
    started = time.perf_counter()
    ner(sents, batch_size=a.batch_size)
    with torch.inference_mode():
        for k in range(0, len(sents), a.batch_size):
            batch = tok(sents[k:k + a.batch_size], padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = enc(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            (hidden * mask).sum(1) / mask.sum(1)
    secs = time.perf_counter() - started
    print(f"peer: transformers NER pipeline + MiniLM stance embedding, {len(sents)} sentences in {secs:.2f} s "
          f"({len(sents) / secs:.0f} sentences/s, {a.threads} threads, batch {a.batch_size})")


if __name__ == "__main__":
    main()
