# Sourced by the project's scripts: makes libtorch available to cargo.
# shellcheck shell=bash
LIBTORCH="$("$(dirname "${BASH_SOURCE[0]}")/setup-libtorch.sh")"
export LIBTORCH
export LIBTORCH_CXX11_ABI=0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target}"
