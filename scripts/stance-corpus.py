#!/usr/bin/env python3
"""The project's stance corpus: build it from annotators' files, rebuild it with text.

The Reuters text of CoNLL-2003 stays out of the repository. corpus/stance/reuters.jsonl
holds, per labelled sentence, the article id (as scripts/conll-docs.py numbers them),
code-point offsets of the sentence and of holder, target and cue in the rebuilt article
text, the label and the annotator; reuters-second.jsonl holds a second, independent
annotation of some of the same sentences, for agreement. `rebuild` puts the text back
from ../shared/data (eng.train and eng.testa articles).

  scripts/stance-corpus.py rebuild OUT_DIR
      writes OUT_DIR/reuters-docs.jsonl (articles) and OUT_DIR/reuters-gold.jsonl (gold
      stance sentences in the format of formats.md, holder/target/cue as strings), and
      the same for the second annotation (reuters-second-gold.jsonl) and the written set
      (written-docs.jsonl, written-gold.jsonl).

  scripts/stance-corpus.py splits OUT_DIR
      after `rebuild OUT_DIR`: the split the shipped stance model was trained and
      measured on, held out by article. train-gold.jsonl: eng.train articles and the
      written articles whose number is not a multiple of 5; dev-gold.jsonl with
      dev-docs.jsonl: the eng.testa articles; written-dev-gold.jsonl with
      written-dev-docs.jsonl: the written articles whose number is a multiple of 5;
      all-dev-gold.jsonl with all-dev-docs.jsonl: both development sets together.

  scripts/stance-corpus.py share
      the share of condemn/endorse sentences in the Reuters part, and the most Reuters
      sentences a choice of whole articles can keep at a 35 % share (articles taken by
      falling share: the best choice, give or take the last article).

  scripts/stance-corpus.py build-reuters SEGMENTS.csv LABELS.jsonl... > reuters.jsonl
      turns annotators' files ({doc_id, sent_idx, stance, holder, target, cue} with
      verbatim strings; annotator from the file name SHARD.NAME.jsonl) into offsets,
      using the sentence offsets of `stancer segment` on the rebuilt articles.

  scripts/stance-corpus.py build-written ARTICLES.jsonl LABELS.jsonl OUT_DIR [--append]
      for text written by the project (stored with its text): writes
      OUT_DIR/written-articles.jsonl and OUT_DIR/written-gold.jsonl (LABELS rows:
      {doc_id, sentence, stance, holder, target, cue}, sentences in article order).
      With --append the new articles are added after those already in OUT_DIR, whose
      rows stay as they are; an id already there is an error.

  scripts/stance-corpus.py relabel-reuters CORPUS_FILE LABELS.jsonl ANNOTATOR
      replaces labels of sentences already in CORPUS_FILE (reuters.jsonl or
      reuters-second.jsonl) in place: LABELS rows are {doc_id, sentence, stance, holder,
      target, cue} with verbatim strings, matched to the stored sentence of that article
      whose rebuilt text equals `sentence`; the replaced rows get ANNOTATOR. Used when a
      kind of sentence is re-read under the guidelines (the Reuters headlines).
"""
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "stance"
CONLL = ROOT.parent / "shared" / "data" / "conll2003"


def role_span(sentence, start, value, role):
    """Offsets of a verbatim role string inside the sentence, or None when empty."""
    if value in ("", None) or (role == "holder" and value == "AUTHOR"):
        return None
    at = find_words(sentence, value)
    if at < 0:
        raise ValueError(f"{role} {value!r} is not in the sentence {sentence!r}")
    return [start + at, start + at + len(value)]


def find_words(sentence, value):
    """First occurrence of value as whole words, else its first occurrence at all (-1 when
    absent), as `train stance` finds roles: a holder "he" is "he", not the "he" in "The"."""
    for m in re.finditer(re.escape(value), sentence):
        before = sentence[m.start() - 1] if m.start() else " "
        after = sentence[m.end()] if m.end() < len(sentence) else " "
        if not before.isalnum() and not after.isalnum():
            return m.start()
    return sentence.find(value)


def build_reuters(segments, label_files):
    sent = {}
    for r in csv.DictReader(open(segments, encoding="utf-8")):
        sent[(r["doc_id"], int(r["sent_idx"]))] = (int(r["start"]), int(r["end"]), r["text"])
    for path in label_files:
        annotator = Path(path).name.split(".")[1]
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            start, end, text = sent[(row["doc_id"], int(row["sent_idx"]))]
            out = {"doc_id": row["doc_id"], "sent_idx": int(row["sent_idx"]), "start": start, "end": end,
                   "stance": row["stance"], "annotator": annotator}
            for role in ("holder", "target", "cue"):
                try:
                    out[role] = role_span(text, start, row.get(role, ""), role)
                except ValueError as e:
                    print(f"{path}:{n}: {e}; left empty", file=sys.stderr)
                    out[role] = None
            out["holder_is_author"] = row.get("holder") == "AUTHOR"
            print(json.dumps(out))


def gold_rows(rows, text_of):
    for r in rows:
        text = text_of(r["doc_id"])
        cut = lambda span: "" if span is None else text[span[0]:span[1]]
        holder = "AUTHOR" if r.get("holder_is_author") else cut(r.get("holder"))
        yield {"doc_id": r["doc_id"], "start": r["start"], "end": r["end"], "stance": r["stance"],
               "holder": holder, "target": cut(r.get("target")), "cue": cut(r.get("cue")),
               "annotator": r.get("annotator", "")}


def conll_texts():
    """The rebuilt text of every eng.train and eng.testa article, by id."""
    docs = {}
    for split in ("eng.train", "eng.testa"):
        raw = subprocess.run([sys.executable, str(ROOT / "scripts" / "conll-docs.py"), str(CONLL / split)],
                             check=True, capture_output=True, text=True).stdout
        docs.update({d["id"]: d["text"] for d in map(json.loads, raw.splitlines())})
    return docs


def relabel_reuters(corpus_file, labels, annotator):
    docs = conll_texts()
    rows = [json.loads(l) for l in open(corpus_file, encoding="utf-8") if l.strip()]
    where = {(r["doc_id"], docs[r["doc_id"]][r["start"]:r["end"]]): r for r in rows}
    changed = 0
    for n, line in enumerate(open(labels, encoding="utf-8"), 1):
        if not line.strip():
            continue
        new = json.loads(line)
        row = where.get((new["doc_id"], new["sentence"]))
        if row is None:
            sys.exit(f"{labels}:{n}: no stored sentence of {new['doc_id']} reads {new['sentence']!r}")
        before = (row["stance"], row["holder"], row["target"], row["cue"])
        row["stance"] = new["stance"]
        for role in ("holder", "target", "cue"):
            row[role] = role_span(new["sentence"], row["start"], new.get(role, ""), role)
        row["holder_is_author"] = new.get("holder") == "AUTHOR"
        row["annotator"] = annotator
        changed += before != (row["stance"], row["holder"], row["target"], row["cue"])
    with open(corpus_file, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print(f"{corpus_file}: {changed} rows changed", file=sys.stderr)


def rebuild(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    docs = conll_texts()
    rows = [json.loads(l) for l in open(CORPUS / "reuters.jsonl", encoding="utf-8") if l.strip()]
    order = lambda d: (d.rsplit("-", 1)[0], int(d.rsplit("-", 1)[1]))
    wanted = sorted({r["doc_id"] for r in rows}, key=order)
    with open(out_dir / "reuters-docs.jsonl", "w", encoding="utf-8") as f:
        for d in wanted:
            f.write(json.dumps({"id": d, "text": docs[d]}, ensure_ascii=False) + "\n")
    with open(out_dir / "reuters-gold.jsonl", "w", encoding="utf-8") as f:
        for g in gold_rows(rows, docs.get):
            f.write(json.dumps(g, ensure_ascii=False) + "\n")
    second = CORPUS / "reuters-second.jsonl"
    if second.exists():
        rows2 = [json.loads(l) for l in open(second, encoding="utf-8") if l.strip()]
        with open(out_dir / "reuters-second-gold.jsonl", "w", encoding="utf-8") as f:
            for g in gold_rows(rows2, docs.get):
                f.write(json.dumps(g, ensure_ascii=False) + "\n")
    written = CORPUS / "written-articles.jsonl"
    if written.exists():
        (out_dir / "written-docs.jsonl").write_text(written.read_text(encoding="utf-8"), encoding="utf-8")
        (out_dir / "written-gold.jsonl").write_text((CORPUS / "written-gold.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{len(wanted)} articles, {len(rows)} labelled sentences -> {out_dir}", file=sys.stderr)


def splits(out_dir):
    out_dir = Path(out_dir)
    load = lambda name: [json.loads(l) for l in open(out_dir / name, encoding="utf-8") if l.strip()]
    reuters, written = load("reuters-gold.jsonl"), load("written-gold.jsonl")
    is_dev = lambda d: d.startswith("eng.testa-")
    is_written_dev = lambda d: int(d.rsplit("-", 1)[1]) % 5 == 0

    def write(name, rows):
        with open(out_dir / name, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} rows", file=sys.stderr)

    write("train-gold.jsonl", [r for r in reuters if not is_dev(r["doc_id"])] + [r for r in written if not is_written_dev(r["doc_id"])])
    dev_gold = [r for r in reuters if is_dev(r["doc_id"])]
    dev_docs = [d for d in load("reuters-docs.jsonl") if is_dev(d["id"])]
    written_dev_gold = [r for r in written if is_written_dev(r["doc_id"])]
    written_dev_docs = [d for d in load("written-docs.jsonl") if is_written_dev(d["id"])]
    write("dev-gold.jsonl", dev_gold)
    write("dev-docs.jsonl", dev_docs)
    write("written-dev-gold.jsonl", written_dev_gold)
    write("written-dev-docs.jsonl", written_dev_docs)
    # The whole development split, as the shipped model chose its epoch and temperature.
    write("all-dev-gold.jsonl", dev_gold + written_dev_gold)
    write("all-dev-docs.jsonl", dev_docs + written_dev_docs)


def build_written(articles, labels, out_dir, *flags):
    out_dir = Path(out_dir)
    arts = {a["doc_id"]: a["text"] for a in map(json.loads, open(articles, encoding="utf-8"))}
    old_arts, old_gold = [], []
    if "--append" in flags:
        old_arts = (out_dir / "written-articles.jsonl").read_text(encoding="utf-8").splitlines()
        old_gold = (out_dir / "written-gold.jsonl").read_text(encoding="utf-8").splitlines()
        taken = {json.loads(l)["id"] for l in old_arts} & set(arts)
        if taken:
            sys.exit(f"build-written --append: {sorted(taken)} already in {out_dir}")
    pos = {d: 0 for d in arts}
    gold = []
    for n, line in enumerate(open(labels, encoding="utf-8"), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        text, s = arts[r["doc_id"]], r["sentence"].strip()
        at = text.find(s, pos[r["doc_id"]])
        if at < 0:
            print(f"{labels}:{n}: sentence not found in order; skipped", file=sys.stderr)
            continue
        pos[r["doc_id"]] = at + len(s)
        row = {"doc_id": r["doc_id"], "start": at, "end": at + len(s), "stance": r["stance"]}
        for role in ("holder", "target", "cue"):
            v = r.get(role, "") or ""
            ok = v == "" or v in s or (role == "holder" and v == "AUTHOR")
            row[role] = v if ok else ""
        gold.append(row)
    with open(out_dir / "written-articles.jsonl", "w", encoding="utf-8") as f:
        f.writelines(l + "\n" for l in old_arts)
        for d, t in arts.items():
            f.write(json.dumps({"id": d, "text": t}, ensure_ascii=False) + "\n")
    with open(out_dir / "written-gold.jsonl", "w", encoding="utf-8") as f:
        f.writelines(l + "\n" for l in old_gold)
        for g in gold:
            f.write(json.dumps(g, ensure_ascii=False) + "\n")
    print(f"{len(arts)} articles, {len(gold)} sentences added to {len(old_arts)} articles", file=sys.stderr)


def share():
    per_article = {}
    with open(CORPUS / "reuters.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            counts = per_article.setdefault(row["doc_id"], [0, 0])
            counts[0] += 1
            counts[1] += row["stance"] in ("condemn", "endorse")
    total = sum(n for n, _ in per_article.values())
    evaluative = sum(e for _, e in per_article.values())
    print(f"Reuters: {len(per_article)} articles, {total} sentences, {evaluative} condemn/endorse ({100 * evaluative / total:.1f} %)")
    kept_n = kept_e = best = 0
    for n, e in sorted(per_article.values(), key=lambda c: -c[1] / c[0]):
        kept_n, kept_e = kept_n + n, kept_e + e
        if kept_e >= 0.35 * kept_n:
            best = kept_n
    print(f"most sentences whole articles can keep at a 35 % share: about {best}")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "rebuild":
        rebuild(args[0])
    elif cmd == "splits":
        splits(args[0])
    elif cmd == "share":
        share()
    elif cmd == "build-reuters":
        build_reuters(args[0], args[1:])
    elif cmd == "build-written":
        build_written(*args)
    elif cmd == "relabel-reuters":
        relabel_reuters(*args)
    else:
        sys.exit(__doc__)
