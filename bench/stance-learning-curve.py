#!/usr/bin/env python3
"""What a user gains by labelling their own sentences: a learning curve.

The development articles of the stance corpus (CoNLL eng.testa, never used to train
the shipped model) are split by article into a pool the "user" labels from (50 %), a
selection set that picks the epoch (15 %) and a test set (35 %). For each N, whole
articles are taken from the pool in a seeded order until N sentences are labelled;
`stancer train stance` then trains on them, starting from the shipped model (--from)
and, for contrast, from a new branch on the NER encoder. Every model is scored on the
same test articles with `stancer eval stance --docs`, which runs the full pipeline.

Usage: bench/stance-learning-curve.py --corpus DIR [--sizes 50,100,200,400] [--out DIR]
where DIR holds reuters-docs.jsonl and reuters-gold.jsonl
(`python3 scripts/stance-corpus.py rebuild DIR`).
"""
import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stancer(*args):
    run = subprocess.run([str(ROOT / "scripts/stancer"), *args], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"stancer {' '.join(args)} failed:\n{run.stderr}")
    return run.stdout


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def evaluate(test_gold, docs, stance_model):
    out = stancer("eval", "stance", "--gold", str(test_gold), "--docs", str(docs), "--stance-model", str(stance_model), "--json")
    r = json.loads(out)
    return {"macro_f1": r["macro_f1"], "ci95": [r["macro_f1_ci95"]["low"], r["macro_f1_ci95"]["high"]], "holder_overlap": r["holder"]["overlap"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--sizes", default="50,100,200,400")
    ap.add_argument("--model", default=str(ROOT / "models/stance"))
    ap.add_argument("--out", default="/tmp/stance-curve", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--epochs", default="4")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)

    gold = [json.loads(l) for l in open(a.corpus / "reuters-gold.jsonl")]
    articles = sorted({g["doc_id"] for g in gold if "testa" in g["doc_id"]})
    random.Random(a.seed).shuffle(articles)
    cut1, cut2 = int(0.5 * len(articles)), int(0.65 * len(articles))
    pool, selection, test = articles[:cut1], set(articles[cut1:cut2]), set(articles[cut2:])
    by_article = {}
    for g in gold:
        by_article.setdefault(g["doc_id"], []).append(g)
    write_jsonl(a.out / "selection.jsonl", [g for g in gold if g["doc_id"] in selection])
    write_jsonl(a.out / "test.jsonl", [g for g in gold if g["doc_id"] in test])
    docs = a.corpus / "reuters-docs.jsonl"
    test_docs = a.out / "test-docs.jsonl"
    write_jsonl(test_docs, [json.loads(l) for l in open(docs) if json.loads(l)["id"] in test])
    print(f"pool {len(pool)} articles, selection {len(selection)}, test {len(test)} ({sum(len(by_article[t]) for t in test)} sentences)")

    results = [{"labels": 0, "start": "shipped", **evaluate(a.out / "test.jsonl", test_docs, a.model)}]
    print(json.dumps(results[-1]))
    for n in [int(s) for s in a.sizes.split(",")]:
        rows = []
        for art in pool:
            rows.extend(by_article[art])
            if len(rows) >= n:
                break
        rows = rows[:n]
        subset = a.out / f"train-{n}.jsonl"
        write_jsonl(subset, rows)
        for start in ("shipped", "new"):
            out = a.out / f"model-{n}-{start}"
            args = ["train", "stance", "--gold", str(subset), "--dev-gold", str(a.out / "selection.jsonl"), "--docs", str(docs), "-o", str(out), "--epochs", a.epochs]
            if start == "shipped":
                args += ["--from", a.model]
            stancer(*args)
            results.append({"labels": n, "start": start, **evaluate(a.out / "test.jsonl", test_docs, out)})
            print(json.dumps(results[-1]))
    (a.out / "curve.json").write_text(json.dumps(results, indent=2))
    print("\n| labels | start | macro-F1 (95% CI) | holder overlap |\n|---|---|---|---|")
    for r in results:
        print(f"| {r['labels']} | {r['start']} | {r['macro_f1']:.3f} ({r['ci95'][0]:.3f} to {r['ci95'][1]:.3f}) | {r['holder_overlap']:.3f} |")


if __name__ == "__main__":
    main()
