#!/usr/bin/env bash
# The training issue's learning criterion at full scale: a 2-layer S4D model (H = 64, N = 64) learns the
# copying task with 10 tokens from 8 symbols and a delay of 1000 (L = 1020), then is evaluated on 1024 fresh
# instances drawn from a seed the training never used. Resumable: rerunning continues from the checkpoint.
# About 30 minutes on 2 cores (~0.35 s per step). Measured with exactly this recipe (2026-11-29): 95.5 % token
# accuracy on 1024 held-out instances after 5000 steps (94 % at 4500, 58 % at 3000; a 2000-step run of the
# same recipe ended at 72 %, and a smaller dt_min of 1e-4 did worse). ≥ 99 % needs more steps or capacity.
#
#   Scripts/copying-delay-1000.sh PATH/TO/ssm [RUN_DIR]
set -euo pipefail
ssm="$1"
out="${2:-runs/copying-delay-1000}"
resume=()
[ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
"$ssm" train --task copying --model s4d --layers 2 --width 64 --state-size 64 --length 1020 --steps 5000 \
  --batch 16 --learning-rate 0.005 --state-space-learning-rate 0.01 \
  --evaluate-every 250 --checkpoint-every 250 --out "$out" "${resume[@]}"
"$ssm" eval --checkpoint "$out/checkpoint.safetensors" --seed 99 --examples 1024 --json
