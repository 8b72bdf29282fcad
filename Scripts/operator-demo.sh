#!/usr/bin/env bash
# The HiPPO operator demonstration run by `make demo`: prints LegS and its DPLR
# spectrum, then compresses seeded band-limited noise online with LegS (whole
# history) and LegT (last window) under every discretisation and reports the
# reconstruction error relative to the signal's mean square.
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
