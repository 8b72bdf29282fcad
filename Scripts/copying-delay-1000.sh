#!/usr/bin/env bash
# The training issue's learning criterion at full scale: a 2-layer S4D model (H = 64, N = 64) learns the
# copying task with 10 tokens from 8 symbols and a delay of 1000 (L = 1020), then is evaluated on 1024 fresh
# instances drawn from a seed the training never used. Resumable: rerunning continues from the checkpoint.
# About 15–25 minutes on 2 cores (0.35–0.6 s per step).
#
#   Scripts/copying-delay-1000.sh PATH/TO/ssm [RUN_DIR]
set -euo pipefail
ssm="$1"
out="${2:-runs/copying-delay-1000}"
resume=()
[ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
"$ssm" train --task copying --model s4d --layers 2 --width 64 --state-size 64 --length 1020 --steps 2500 \
  --batch 16 --learning-rate 0.005 --state-space-learning-rate 0.01 --dt-min 0.0001 --dt-max 0.1 \
  --evaluate-every 250 --checkpoint-every 250 --out "$out" "${resume[@]}"
"$ssm" eval --checkpoint "$out/checkpoint.safetensors" --seed 99 --examples 1024 --json
