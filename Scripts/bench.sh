#!/usr/bin/env bash
# The speed of the S4D convolution layer and recurrent step, and of transformer/S4 decoding, measured next to JAX
# on CPU in the same run
# (../shared/anchors, when present), written as a markdown table of ratios.
#
#   Scripts/bench.sh PATH/TO/ssm [OUTPUT_DIR]      (make bench builds ssm with -target-cpu haswell first)
set -euo pipefail
ssm="$1"
out="${2:-bench-results}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
runs="${BENCH_RUNS:-15}"

for shape in "8 1024" "4 4096" "1 16384"; do
  set -- $shape
  echo "ssm bench conv-layer B=$1 H=128 N=64 L=$2" >&2
  "$ssm" bench conv-layer --batch "$1" --channels 128 --state-size 64 --length "$2" --runs "$runs" --backward --json \
    > "$out/conv-layer-B$1-L$2.json"
done
for batch in 1 16; do
  echo "ssm bench step B=$batch H=128 N=64" >&2
  "$ssm" bench step --batch "$batch" --channels 128 --state-size 64 --runs "$runs" --json > "$out/step-B$batch.json"
done

for shape in "8 1024" "4 4096"; do
  set -- $shape
  echo "ssm bench train-step B=$1 L=$2 (4 layers, H=128, N=64)" >&2
  "$ssm" bench train-step --batch "$1" --length "$2" --runs 3 --json > "$out/train-step-B$1-L$2.json"
done

# Sequence models at the anchor's size (d = 128, 2 layers): transformer forward and per-token decoding of both
# families against context length.
for shape in "8 1024" "1 4096"; do
  set -- $shape
  echo "ssm bench forward transformer B=$1 L=$2" >&2
  "$ssm" bench forward --model transformer --batch "$1" --length "$2" --runs 5 --json > "$out/forward-transformer-B$1-L$2.json"
done
for model in s4 transformer; do
  for context in 512 2048 8192 16384; do
    echo "ssm bench decode $model context=$context" >&2
    "$ssm" bench decode --model "$model" --context "$context" --runs 9 --json > "$out/decode-$model-$context.json"
  done
done

# Mamba's selective scan alone at (B, L, D, N) = (4, 4096, 256, 16), and the Mamba stack (D = 128: E = 256 scan
# channels per block) around it; Scripts/anchors/bench_selective_scan_jax.py times the same scan in JAX.
echo "ssm bench selective-scan B=4 L=4096 D=256 N=16" >&2
"$ssm" bench selective-scan --batch 4 --length 4096 --channels 256 --state-size 16 --runs 5 --json \
  > "$out/selective-scan-B4-L4096.json"
echo "ssm bench forward mamba B=4 L=4096" >&2
"$ssm" bench forward --model mamba --batch 4 --length 4096 --runs 3 --json > "$out/forward-mamba-B4-L4096.json"

anchors="$here/../../shared/anchors/run.sh"
if [ -f "$anchors" ] && [ "${BENCH_SKIP_JAX:-0}" != 1 ]; then
  ANCHOR_RESULTS="$(cd "$out" && pwd)/jax" bash "$anchors" all >&2
  ANCHOR_RESULTS="$(cd "$out" && pwd)/jax" ANCHOR_COMMON="$(dirname "$anchors")" \
    "${ANCHOR_VENV:-/tmp/anchor-venv}/bin/python" "$here/anchors/bench_selective_scan_jax.py" >&2
fi
python3 "$here/bench_table.py" "$out" | tee "$out/table.md"
