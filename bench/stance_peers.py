"""The Python peer for stance: what a researcher would build with Hugging Face and
scikit-learn in an afternoon. Sentences are embedded with all-MiniLM-L6-v2 (mean
pooling over tokens, through transformers), and a logistic regression with balanced
class weights is fitted on the training gold sentences, then scored on the development
gold sentences with the same macro-F1 as `stancer eval stance`.

Usage: python bench/stance_peers.py TRAIN_GOLD DEV_GOLD DOCS.jsonl... --encoder DIR --threads 2
Prints macro-F1, per-class F1, accuracy and the development embedding speed (sentences/s).
"""
import argparse
import json
import time

import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from transformers import AutoModel, AutoTokenizer

LABELS = ["condemn", "endorse", "neutral"]


def sentences(gold_path, texts):
    rows = [json.loads(l) for l in open(gold_path, encoding="utf-8") if l.strip()]
    return [texts[r["doc_id"]][r["start"]:r["end"]] for r in rows], [LABELS.index(r["stance"]) for r in rows]


def embed(model, tokenizer, sents, batch_size):
    order = sorted(range(len(sents)), key=lambda i: len(sents[i]))
    out = [None] * len(sents)
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            enc = tokenizer([sents[i] for i in idx], padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            for row, i in enumerate(idx):
                out[i] = pooled[row].numpy()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("dev")
    ap.add_argument("docs", nargs="+")
    ap.add_argument("--encoder", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    texts = {}
    for path in a.docs:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                texts[d["id"]] = d["text"]
    tokenizer = AutoTokenizer.from_pretrained(a.encoder)
    model = AutoModel.from_pretrained(a.encoder).eval()
    train_x, train_y = sentences(a.train, texts)
    dev_x, dev_y = sentences(a.dev, texts)
    train_e = embed(model, tokenizer, train_x, a.batch_size)
    started = time.perf_counter()
    dev_e = embed(model, tokenizer, dev_x, a.batch_size)
    secs = time.perf_counter() - started
    clf = LogisticRegression(max_iter=3000, class_weight="balanced", C=1.0).fit(train_e, train_y)
    pred = clf.predict(dev_e)
    per_class = f1_score(dev_y, pred, average=None, labels=[0, 1, 2])
    print(f"peer: all-MiniLM-L6-v2 mean-pooled embeddings + scikit-learn logistic regression (balanced), "
          f"{len(train_x)} training sentences")
    print(f"peer: dev macro-F1 {f1_score(dev_y, pred, average='macro'):.3f} "
          f"(condemn {per_class[0]:.3f}, endorse {per_class[1]:.3f}, neutral {per_class[2]:.3f}), "
          f"accuracy {accuracy_score(dev_y, pred):.3f} on {len(dev_x)} sentences")
    print(f"peer: embedding speed {len(dev_x) / secs:.0f} sentences/s ({a.threads} threads, batch {a.batch_size}; stance only, no NER)")


if __name__ == "__main__":
    main()
