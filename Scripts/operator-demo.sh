#!/usr/bin/env bash
# The HiPPO operator demonstration run by `make demo`: prints LegS and its DPLR
# spectrum, then compresses seeded band-limited noise online with LegS (whole
# history) and LegT (last window) under every discretisation and reports the
# reconstruction error relative to the signal's mean square. Then S4: the S4D-Lin
# kernel (golden values), a LegS DPLR system run in convolution and recurrent mode,
# and one quick timing of the S4D layer.
set -euo pipefail
SSM="${1:?usage: operator-demo.sh PATH_TO_ssm}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== LegS, N = 4 (A and B) =="
"$SSM" hippo legs --state-size 4
echo
echo "== LegS, N = 8: DPLR eigenvalues of the normal part A + PᵀP =="
"$SSM" dplr legs --state-size 8 | sed -n '1,5p'
echo
echo "== S4D-Inv, N = 8 =="
"$SSM" s4d-init inv --state-size 8 | sed -n '1,5p'
echo
echo "== Online function approximation, N = 64, band-limited noise (cutoff 2 Hz, 4000 samples, dt = 0.0005) =="
"$SSM" noise --length 4000 --dt 0.0005 --cutoff 2 --seed 7 --json > "$WORK/signal.json"
printf '%-6s %-9s %s\n' memory method "mse / mean square"
for memory in legs legt; do
  for method in forward backward bilinear zoh; do
    extra=()
    [ "$memory" = legt ] && extra=(--theta 1 --dt 0.0005)
    line="$("$SSM" approximate "$memory" --state-size 64 --method "$method" --input "$WORK/signal.json" "${extra[@]}" | sed -n 2p)"
    printf '%-6s %-9s %s\n' "$memory" "$method" "$(echo "$line" | sed -E 's/.*ratio ([^)]*)\)/\1/')"
  done
done
echo
echo "Errors are relative to the signal's mean square. LegS reconstructs the whole history (its error sits in the"
echo "first samples, where the steps 1/t are large); LegT the last window θ = 1 (2000 samples)."

echo
echo "== S4D-Lin kernel, N = 8, dt = 0.1, B = C = 1, ZOH (golden: 0.737462 0.486689 0.181674 -0.012578) =="
cat > "$WORK/lin.json" <<'JSON'
{"kind": "diagonal", "lambda": [[-0.5, 0], [-0.5, 3.141592653589793], [-0.5, 6.283185307179586], [-0.5, 9.42477796076938]],
 "B": [1, 1, 1, 1], "C": [1, 1, 1, 1], "dt": 0.1, "length": 4, "discretization": "zoh"}
JSON
"$SSM" kernel --input "$WORK/lin.json"
echo
echo "== S4 (DPLR from LegS, N = 16): convolution mode (Cauchy + Woodbury kernel, FFT) vs recurrent mode =="
python3 - "$SSM" "$WORK" <<'PY'
import json, math, subprocess, sys
ssm, work = sys.argv[1], sys.argv[2]
dplr = json.loads(subprocess.run([ssm, "dplr", "legs", "--state-size", "16", "--json"], check=True,
                                 capture_output=True, text=True).stdout)
half = len(dplr["lambda"])
system = {"kind": "dplr", "lambda": dplr["lambda"], "P": dplr["P"], "B": dplr["B"],
          "C": [[math.cos(k), math.sin(k)] for k in range(half)], "dt": 0.01, "D": 0.5,
          "u": [math.sin(0.05 * t) + (1.0 if t % 97 == 0 else 0.0) for t in range(2000)]}
with open(f"{work}/legs.json", "w") as f:
    json.dump(system, f)
PY
"$SSM" run --input "$WORK/legs.json" | sed -n '1,3p'
echo
echo "== S4D layer forward, (B, H, N, L) = (2, 64, 64, 2048), float32 (portable build; make bench for the AVX2 figures) =="
"$SSM" bench conv-layer --batch 2 --channels 64 --state-size 64 --length 2048 --runs 5
