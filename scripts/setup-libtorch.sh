#!/usr/bin/env bash
# Creates a lean libtorch 2.4.0 (CPU libraries of the PyPI torch wheel) in the cache,
# outside the checkout, and prints the LIBTORCH folder. Does nothing when it exists.
#
# Why not a plain `pip install torch==2.4.0`: PyPI's Linux wheel is the CUDA build and
# pulls 2.8 GB of nvidia packages. The binary only links libtorch_cpu and libc10, so we
# take the wheel without dependencies plus the two small CUDA runtime wheels its loader
# asks for, and build a LIBTORCH folder of links (see ../shared/notes/toolchain-facts.md).
set -euo pipefail

cache="${STANCER_CACHE:-$HOME/.cache/stancer}"
site="$cache/torch-2.4.0"
libtorch="$cache/libtorch-2.4.0"

if [ -f "$libtorch/.complete" ]; then
  echo "$libtorch"
  exit 0
fi

mkdir -p "$cache"
if [ ! -f "$site/.complete" ]; then
  echo "setup-libtorch: downloading torch 2.4.0 from PyPI into $site (about 810 MB, once)" >&2
  rm -rf "$site.tmp"
  python3 -m pip install --quiet --no-deps --target "$site.tmp" \
    torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105 >&2
  rm -rf "$site"
  mv "$site.tmp" "$site"
  touch "$site/.complete"
fi

lib="$site/torch/lib"
rm -rf "$libtorch.tmp"
mkdir -p "$libtorch.tmp/lib"
ln -s "$site/torch/include" "$libtorch.tmp/include"
ln -s "$lib/libtorch_cpu.so" "$libtorch.tmp/lib/libtorch_cpu.so"
ln -s "$lib/libc10.so" "$libtorch.tmp/lib/libc10.so"
for gomp in "$lib"/libgomp-*.so.1; do
  ln -s "$gomp" "$libtorch.tmp/lib/$(basename "$gomp")"
done
# tch links against libtorch.so; the CPU build needs nothing from it, so an empty
# shared object satisfies the linker without the CUDA libraries.
echo "" > "$libtorch.tmp/empty.c"
gcc -shared -fPIC -o "$libtorch.tmp/lib/libtorch.so" "$libtorch.tmp/empty.c"
rm "$libtorch.tmp/empty.c"
rm -rf "$libtorch"
mv "$libtorch.tmp" "$libtorch"
touch "$libtorch/.complete"
echo "$libtorch"
