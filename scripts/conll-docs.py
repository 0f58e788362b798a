#!/usr/bin/env python3
"""Rebuilds CoNLL-2003 articles as JSON Lines documents for stancer.

Usage: scripts/conll-docs.py ../shared/data/conll2003/eng.testa > docs.jsonl

Each -DOCSTART- block becomes one document with id "<file name>-<n>" (n from 1). Each
CoNLL sentence becomes one line of text, its tokens joined by spaces with the usual
English spacing around punctuation. The Reuters text stays out of the repository:
rebuild it from ../shared/data whenever it is needed.
"""
import json
import sys
from pathlib import Path

NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "'", "'re", "'ve", "'ll", "'d", "'m"}
NO_SPACE_AFTER = {"(", "[", "{", "$"}


def detokenize(tokens):
    out = ""
    quote_open = False
    glue_next = False
    for tok in tokens:
        if tok == '"':
            if quote_open:
                out += tok
            else:
                out += (" " if out else "") + tok
                glue_next = True
            quote_open = not quote_open
            continue
        if out and not glue_next and tok not in NO_SPACE_BEFORE:
            out += " "
        out += tok
        glue_next = tok in NO_SPACE_AFTER
    return out


def documents(path):
    docs, sentence, sentences = [], [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            if sentence:
                sentences.append(sentence)
                sentence = []
            if sentences:
                docs.append(sentences)
            sentences = []
        elif not line.strip():
            if sentence:
                sentences.append(sentence)
            sentence = []
        else:
            sentence.append(line.split()[0])
    if sentence:
        sentences.append(sentence)
    if sentences:
        docs.append(sentences)
    return docs


def main():
    path = sys.argv[1]
    name = Path(path).name
    for n, sentences in enumerate(documents(path), 1):
        text = "\n".join(detokenize(s) for s in sentences) + "\n"
        print(json.dumps({"id": f"{name}-{n}", "text": text}, ensure_ascii=False))


if __name__ == "__main__":
    main()
