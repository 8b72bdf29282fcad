#!/usr/bin/env bash
# The byte-level language models the decoding work uses, trained on the text task's default corpus (Debian's
# fortunes, ~2.5 MB, split by document into train/validation/test), context 256 bytes, batch 16:
#   target              transformer, d = 256, 4 layers, 4 heads, rotary positions
#   draft-transformer   transformer, d = 128, 2 layers, 4 heads
#   draft-s4d           S4D, H = 128, 2 layers, N = 64
#   s4d-target-size     S4D with the target's width and depth, H = 256, 4 layers, N = 64
# Each is one resumable run (rerun to continue after an interruption) that fits in 20 minutes on 2 cores, then
# is scored in bits per byte on every window of the test split (ssm eval --examples 1000 covers its ~910
# windows of 256 bytes). Measured numbers and times: BENCHMARKS.md, "Language models on text".
#
#   Scripts/text-models.sh PATH/TO/ssm [NAME ...] [--root RUN_DIR]   (no NAME: all four, in the order above)
set -euo pipefail
ssm="$1"
shift
root="runs/text"
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
[ ${#names[@]} -eq 0 ] && names=(target draft-transformer draft-s4d s4d-target-size)
common=(--task text --length 256 --batch 16 --seed 0 --evaluate-every 250 --checkpoint-every 100)
train() {  # NAME STEPS OPTIONS...
  local name="$1" steps="$2"
  shift 2
  local out="$root/$name" resume=()
  [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
  local started=$SECONDS
  "$ssm" train "${common[@]}" --steps "$steps" "$@" --out "$out" "${resume[@]}"
  echo "$name: trained in $((SECONDS - started)) s"
  "$ssm" eval --checkpoint "$out/checkpoint.safetensors" --examples 1000 --json | tee "$out/test-bits-per-byte.json"
}
for name in "${names[@]}"; do
  case "$name" in
    target) train target 700 --model transformer --layers 4 --width 256 --heads 4 --learning-rate 1e-3 ;;
    draft-transformer) train draft-transformer 1500 --model transformer --layers 2 --width 128 --heads 4 \
      --learning-rate 2e-3 ;;
    draft-s4d) train draft-s4d 1500 --model s4d --layers 2 --width 128 --state-size 64 --learning-rate 3e-3 ;;
    s4d-target-size) train s4d-target-size 1500 --model s4d --layers 4 --width 256 --state-size 64 \
      --learning-rate 2e-3 ;;
    *) echo "unknown model $name (target, draft-transformer, draft-s4d, s4d-target-size)" >&2; exit 2 ;;
  esac
done
