#!/usr/bin/env bash
# The main job of `make demo`: S4D, Mamba, a transformer and a GRU, every model sized to the same parameter budget
# and trained with the same step budget, on three tasks that tell the families apart, evaluated on held-out test
# instances; then the report's location.
#
# 1. Copying (Arjovsky et al. 2016): 16 tokens, blanks, then the markers — the spacing is fixed, so a
#    time-invariant convolution kernel (S4D) solves it as easily as attention.
# 2. Selective copying (Gu & Dao 2023, §3.1): 16 tokens at random positions among blanks, to be reproduced after
#    the markers. The spacing varies per instance, so a time-invariant convolution (S4D) cannot solve it with a
#    fixed kernel; input-dependent Δ, B, C (Mamba) and attention can.
# 3. Induction heads (Olsson et al. 2022; H3 §3.1): trained at one length, tested at 4× and 16× that length.
#
# The report's "What this shows" paragraphs are computed from the measured numbers. Rerunning resumes (finished
# cells are kept); DEMO_OUT, DEMO_SEED and DEMO_STEPS override the output folder, the seed and the step budget.
set -euo pipefail
SSM="$1"
out="${DEMO_OUT:-runs/demo-comparison}"
seed="${DEMO_SEED:-0}"
steps="${DEMO_STEPS:-400}"
common=(--models s4d,mamba,transformer,gru --parameters 50000 --depth 2 --steps "$steps" --batch 16
  --learning-rate 0.003 --state-space-learning-rate 0.01 --evaluation-examples 256 --seed "$seed")
echo
echo "== Copying and selective copying at lengths 64 and 128 (s4d, mamba, transformer, gru) =="
"$SSM" compare --tasks copying,selective-copying --lengths 64,128 "${common[@]}" --latency-contexts 256,1024,4096 \
  --out "$out/copying"
echo
echo "== Induction heads trained at length 64, tested at 256 (4×) and 1024 (16×) =="
"$SSM" compare --tasks induction-heads --lengths 64 --evaluation-lengths 256,1024 "${common[@]}" \
  --latency-contexts "" --out "$out/induction-heads"
echo
echo "Open $out/copying/report.md and $out/induction-heads/report.md (charts: *.svg beside them)."
