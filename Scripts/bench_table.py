#!/usr/bin/env python3
"""Markdown table of `ssm bench` results next to the JAX anchors of the same run.

Usage: Scripts/bench_table.py OUTPUT_DIR   (as written by Scripts/bench.sh)
"""
import json
import os
import sys

out = sys.argv[1]


def load(name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def jax_records():
    records = []
    for name in ("s4d_jax.jsonl", "tfm_jax.jsonl", "selective_scan_jax.jsonl"):
        path = os.path.join(out, "jax", name)
        if os.path.exists(path):
            with open(path) as f:
                records += [json.loads(line) for line in f if line.strip()]
    return records


jax = jax_records()


def jax_median(bench, case, variant_prefix):
    values = [r["median_s"] for r in jax
              if r.get("bench") == bench and r.get("case") == case and str(r.get("variant", "")).startswith(variant_prefix)]
    return min(values) if values else None


def ms(seconds):
    return "–" if seconds is None else f"{seconds * 1e3:.2f} ms"


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.1f}×"


print("| S4D convolution layer, float32 | swift-ssm kernel | swift-ssm conv | swift-ssm total | FFTW batched floor | conv / floor | JAX forward | JAX kernel | speed-up vs JAX |")
print("|---|---|---|---|---|---|---|---|---|")
for b, l in ((8, 1024), (4, 4096), (1, 16384)):
    r = load(f"conv-layer-B{b}-L{l}.json")
    case = f"B={b},H=128,N=64,L={l}"
    jf = jax_median("s4d_conv", case, "forward")
    jk = jax_median("s4d_conv", case, "kernel-only")
    print(f"| (B, H, N, L) = ({b}, 128, 64, {l}) | {ms(r['kernelSeconds'])} | {ms(r['convolutionSeconds'])} | "
          f"{ms(r['totalSeconds'])} | {ms(r['fftwBaselineSeconds'])} | "
          f"{r['convolutionSeconds'] / r['fftwBaselineSeconds']:.2f} | {ms(jf)} | {ms(jk)} | {ratio(jf, r['totalSeconds'])} |")
print()
print("| S4D layer forward + backward, float32 | swift-ssm | JAX `value_and_grad` | speed-up vs JAX |")
print("|---|---|---|---|")
for b, l in ((8, 1024), (4, 4096), (1, 16384)):
    r = load(f"conv-layer-B{b}-L{l}.json")
    mine = r.get("forwardBackwardSeconds")
    jb = jax_median("s4d_conv", f"B={b},H=128,N=64,L={l}", "forward+backward")
    print(f"| (B, H, N, L) = ({b}, 128, 64, {l}) | {ms(mine)} | {ms(jb)} | {ratio(jb, mine)} |")
print()
print("| S4D recurrent step, float32 | swift-ssm per step | JAX `lax.scan` per step (best variant) | speed-up vs JAX |")
print("|---|---|---|---|")
for b in (1, 16):
    r = load(f"step-B{b}.json")
    case = f"B={b},H=128,N=64"
    steps = [x["per_step_us"] * 1e-6 for x in jax if x.get("bench") == "s4d_step" and x.get("case") == case
             and str(x.get("variant", "")).startswith("lax.scan")]
    best = min(steps) if steps else None
    mine = r["secondsPerStep"]
    print(f"| B = {b}, H = 128, N = 64 | {mine * 1e6:.2f} µs | "
          f"{'–' if best is None else f'{best * 1e6:.2f} µs'} | {ratio(best, mine)} |")

print()
print("| S4D model training step (4 layers, H = 128, N = 64; fwd + bwd + AdamW), float32 | swift-ssm |")
print("|---|---|")
for b, l in ((8, 1024), (4, 4096)):
    path = os.path.join(out, f"train-step-B{b}-L{l}.json")
    if os.path.exists(path):
        print(f"| (B, L) = ({b}, {l}) | {ms(load(f'train-step-B{b}-L{l}.json')['secondsPerStep'])} |")

print()
print("| transformer forward (d = 128, 4 heads, 2 layers, MLP 4×), float32 | swift-ssm | JAX jit | speed-up vs JAX |")
print("|---|---|---|---|")
for b, l in ((8, 1024), (1, 4096)):
    path = os.path.join(out, f"forward-transformer-B{b}-L{l}.json")
    if os.path.exists(path):
        mine = load(f"forward-transformer-B{b}-L{l}.json")["forwardSeconds"]
        jf = jax_median("tfm_forward", f"B={b},L={l}", "jit forward")
        print(f"| (B, L) = ({b}, {l}) | {ms(mine)} | {ms(jf)} | {ratio(jf, mine)} |")

print()
print("| decoding per token, B = 1 (d = 128, 2 layers) | swift-ssm S4D | swift-ssm transformer (KV cache) | "
      "JAX transformer, best variant | transformer speed-up vs JAX |")
print("|---|---|---|---|---|")
for context in (512, 2048, 8192, 16384):
    s4_path = os.path.join(out, f"decode-s4-{context}.json")
    tf_path = os.path.join(out, f"decode-transformer-{context}.json")
    if not (os.path.exists(s4_path) and os.path.exists(tf_path)):
        continue
    s4 = load(f"decode-s4-{context}.json")["secondsPerToken"]
    tf = load(f"decode-transformer-{context}.json")["secondsPerToken"]
    steps = [x["per_step_us"] * 1e-6 for x in jax
             if x.get("bench") == "tfm_decode" and x.get("case") == f"B=1,ctx={context}"]
    best = min(steps) if steps else None
    print(f"| context {context} | {s4 * 1e6:.1f} µs | {tf * 1e6:.1f} µs | "
          f"{'–' if best is None else f'{best * 1e6:.1f} µs'} | {ratio(best, tf)} |")

print()
print("| Mamba selective scan (B, L, D, N) = (4, 4096, 256, 16), float32 | swift-ssm | JAX jit, best of lax.scan and "
      "associative_scan | speed-up vs JAX |")
print("|---|---|---|---|")
path = os.path.join(out, "selective-scan-B4-L4096.json")
if os.path.exists(path):
    r = load("selective-scan-B4-L4096.json")
    for key, variant in (("forwardSeconds", "forward ("), ("forwardBackwardSeconds", "forward+backward (")):
        theirs = jax_median("selective_scan", "B=4,L=4096,D=256,N=16", variant)
        print(f"| {variant.rstrip(' (')} | {ms(r[key])} | {ms(theirs)} | {ratio(theirs, r[key])} |")
path = os.path.join(out, "forward-mamba-B4-L4096.json")
if os.path.exists(path):
    print()
    print(f"Mamba stack forward (D = 128, N = 16, 2 layers), (B, L) = (4, 4096): "
          f"{ms(load('forward-mamba-B4-L4096.json')['forwardSeconds'])}")
