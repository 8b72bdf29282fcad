"""Mamba's selective scan (S6) in JAX (jit, CPU): forward and forward + backward at the shape of
`ssm bench forward --model mamba` (each of its blocks scans E = 256 channels with N = 16 states).

Recurrence (Gu & Dao 2023, the reference `selective_scan_ref`: A zero-order held, B Euler-style):
  x_t[b,d,n] = exp(delta_t[b,d] A[d,n]) x_{t-1}[b,d,n] + delta_t[b,d] B_t[b,n] u_t[b,d]
  y_t[b,d]   = sum_n C_t[b,n] x_t[b,d,n] + D[d] u_t[b,d]
Layouts as the Swift kernel: u, delta, y are (B, L, D); B, C are (B, L, N); A is (D, N).
Two JAX formulations are timed: a sequential `lax.scan` over time and `lax.associative_scan` over the
(B, L, D, N) products; the faster one is JAX's figure. Run through Scripts/bench.sh (or directly with the
anchor virtual environment); records go to $ANCHOR_RESULTS/selective_scan_jax.jsonl.

  ANCHOR_COMMON=../shared/anchors /tmp/anchor-venv/bin/python Scripts/anchors/bench_selective_scan_jax.py
"""
import os
import sys

sys.path.insert(0, os.environ.get("ANCHOR_COMMON", os.path.join(os.path.dirname(__file__), "../../../shared/anchors")))

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

from common import Recorder, timeit, env_info  # noqa: E402

CASES = [(4, 4096, 256, 16), (8, 1024, 256, 16)]  # (B, L, D, N)


def inputs(seed, batch, length, channels, n):
    """Mamba-like inputs: delta = softplus(. + b) in (1e-3, 1e-1) at init, A = -(1..N) (S4D-Real)."""
    rng = np.random.default_rng(seed)
    f = lambda *s: jnp.asarray(rng.standard_normal(s), jnp.float32)  # noqa: E731
    delta = jnp.asarray(np.exp(rng.uniform(np.log(1e-3), np.log(1e-1), (batch, length, channels))), jnp.float32)
    a = -jnp.broadcast_to(jnp.arange(1, n + 1, dtype=jnp.float32), (channels, n))
    return dict(u=f(batch, length, channels), delta=delta, a=a, b=f(batch, length, n), c=f(batch, length, n),
                d=f(channels))


def scan_sequential(u, delta, a, b, c, d):
    def step(x, t):
        u_t, dt_t, b_t, c_t = t
        x = jnp.exp(dt_t[..., None] * a) * x + (dt_t * u_t)[..., None] * b_t[:, None, :]
        return x, jnp.einsum("bdn,bn->bd", x, c_t)

    x0 = jnp.zeros((u.shape[0], u.shape[2], a.shape[1]), jnp.float32)
    xs = tuple(jnp.moveaxis(v, 1, 0) for v in (u, delta, b, c))
    _, ys = lax.scan(step, x0, xs)
    return jnp.moveaxis(ys, 0, 1) + u * d


def scan_associative(u, delta, a, b, c, d):
    decay = jnp.exp(delta[..., None] * a)  # (B, L, D, N)
    drive = (delta * u)[..., None] * b[:, :, None, :]

    def combine(left, right):
        return left[0] * right[0], right[0] * left[1] + right[1]

    _, x = lax.associative_scan(combine, (decay, drive), axis=1)
    return jnp.einsum("bldn,bln->bld", x, c) + u * d


def reference(p):
    """float64 loop of the recurrence (small sizes)."""
    u, delta, a, b, c, d = (np.asarray(p[k], np.float64) for k in ("u", "delta", "a", "b", "c", "d"))
    x = np.zeros((u.shape[0], u.shape[2], a.shape[1]))
    y = np.zeros_like(u)
    for t in range(u.shape[1]):
        x = np.exp(delta[:, t, :, None] * a) * x + (delta[:, t] * u[:, t])[..., None] * b[:, t, None, :]
        y[:, t] = np.einsum("bdn,bn->bd", x, c[:, t]) + d * u[:, t]
    return y


def check_correctness():
    p = inputs(1, 2, 33, 12, 4)
    want = reference(p)
    errors = [float(np.abs(np.asarray(jax.jit(f)(**p)) - want).max() / np.abs(want).max())
              for f in (scan_sequential, scan_associative)]
    print("correctness (rel. max err vs float64 loop): sequential %.2e, associative %.2e" % tuple(errors))
    assert max(errors) < 1e-5, errors
    return max(errors)


def loss(f):
    return lambda p, g: jnp.vdot(f(**p), g)


def main():
    rec = Recorder("selective_scan_jax")
    info = env_info()
    info.update(jax=jax.__version__, devices=str(jax.devices()))
    rec.add(bench="meta", framework="jax", case="env", rel_err_small=check_correctness(), **info)
    sync = jax.block_until_ready
    for (batch, length, channels, n) in CASES:
        case = f"B={batch},L={length},D={channels},N={n}"
        p = inputs(0, batch, length, channels, n)
        g = jnp.asarray(np.random.default_rng(5).standard_normal((batch, length, channels)), jnp.float32)
        for name, f in (("lax.scan", scan_sequential), ("associative_scan", scan_associative)):
            forward = jax.jit(f)
            r = timeit(lambda: forward(**p), sync)
            rec.add(bench="selective_scan", framework="jax", case=case, variant=f"forward ({name})", **r)
            gradient = jax.jit(jax.value_and_grad(loss(f)))
            r = timeit(lambda: gradient(p, g), sync)
            rec.add(bench="selective_scan", framework="jax", case=case, variant=f"forward+backward ({name})", **r)


if __name__ == "__main__":
    main()
