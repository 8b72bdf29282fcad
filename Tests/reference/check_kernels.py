#!/usr/bin/env python3
"""Independent numpy reference checker for `ssm kernel` and `ssm run` (SSM kernels).

Usage:
    python3 Tests/reference/check_kernels.py --ssm PATH/TO/ssm [--cases N] [--seed S] [-v]
    python3 Tests/reference/check_kernels.py --self-test

The script writes seeded random systems (numpy default_rng) as JSON files, runs
`ssm kernel --input FILE --json` / `ssm run --input FILE --json` on them (with and without
`--precision float32|float64`) and compares every output against quantities computed
here in float64 from the written contract alone -- nothing is derived from the Swift
sources.  The existing commands `ssm s4d-init`, `ssm dplr`, `ssm hippo` and
`ssm discretize` are only used to *generate* inputs (their outputs are fed, unchanged,
into the new commands), so the checker also covers the JSON round trip between commands.

It prints one line per failing case (the command, the worst quantity, its error and the
tolerance) and finishes with ``N passed, M failed``; the exit code is 0 iff M == 0.  One
*case* is one invocation of the binary; it passes iff every check made on its output
passes.  ``--self-test`` checks the reference functions against each other and needs no
binary.

Contract (summary)
------------------
Discrete SSM x_k = Abar x_{k-1} + Bbar u_k, y_k = C x_k + D u_k, x_{-1} = 0; kernel
K_l = C Abar^l Bbar (C never conjugated).  Three input kinds:
* "diagonal": one member of each conjugate pair, K_l = 2 Re sum_n C_n Bbar_n Abar_n^l with
  zoh (Abar = exp(dt lam), Bbar = (exp(dt lam) - 1)/lam B; the default) or bilinear
  (Abar = (1 + dt lam/2)/(1 - dt lam/2), Bbar = dt B/(1 - dt lam/2)).
* "dplr": the conjugate-extended system A = diag([lam, conj lam]) - P_ext P_ext^H,
  P_ext column r = [P_r; conj P_r], B_ext = [B; conj B], C_ext = [C, conj C], bilinear
  discretisation of the dense A; the kernel is real.
* "discrete": Abar, Bbar, C given; real output iff every entry is real.
`run` adds "D" and "u" and prints y (causal convolution K * u + D u), yRecurrent (the
recurrence) and finalState (diagonal: the N2 stored modes; dplr: the first N2 entries of
the extended state; discrete: the N-vector).

Case mix (default --cases 40; counts scale with it)
--------------------------------------------------
* kernel, float64: diagonal 2N (inits lin / inv / real / legs (from `ssm s4d-init`) /
  random, x zoh / bilinear, N2 = 1..32), dplr 1.25N (legs and tlagt from `ssm dplr`, with
  and without extra --rank rows, and random rank-1/2 ones), discrete 1.5N (HiPPO matrices
  through `ssm discretize`, random real matrices with spectral radius < 1, ~15 % random
  complex systems).
* run, float64: 0.75N per kind (u ~ normal, random D, "length" present about half of
  the time).
* float32 (`--precision float32`): 0.25N kernel and 0.25N run cases per kind.
* bad input: 52 fixed cases (each must exit with a positive status, not a signal, and a
  message on stderr), plus 6 cases built from the `ssm dplr` outputs of legt / fout /
  lagt, whose eigenvalues have Re lam = 0 (lagt: +1e-16 after rounding): not stable, so
  an error is expected -- or, should the printed Re lam all be negative, a valid case.
dt is log-uniform in [1e-3, 1e-1]; L is log-uniform in 2..1024 with ~5 % L = 1 and ~10 %
L = 1024.

Tolerances (relative to max|reference| of the quantity; every constant repeats its reason)
-----------------------------------------------------------------------------------------
Every case also evaluates the contract's formulas a second time in single precision
(inputs rounded to float32, complex64/float32 arithmetic, repeated multiplication for the
powers, direct float32 convolution) and measures that evaluation's error err32 against
the float64 reference.  err32 is a per-case *measured condition number*: to first order
the rounding error of an evaluation is linear in the unit roundoff, so the same
evaluation in float64 errs by about err32 * eps64/eps32 = err32 * 2^-29.  (A rigorous
worst-case a-priori bound -- gamma_N per matrix-vector product summed over L steps,
weighted by ||C Abar^m|| ||Abar^j Bbar|| -- was tried first and is 10^4..10^5 times the
measured error on the HiPPO systems used here, e.g. 6e-2 against a measured 1e-6 in
float32 for LegS N = 64 at dt = 1e-3, so it would justify nothing useful.)
* float64: max(1e-10, 100 * err32 * eps64/eps32).  1e-10 is the contract's figure.  With
  err32 <= ~1e-4 on every generated case (seeds 0-3: <= 7.3e-5) the estimate stays below
  ~2e-11, so the floor decides: a correct float64 implementation errs by ~1e-14..1e-13
  relative (err32 * 2^-29), which leaves a >= 1000x margin for a different but sound
  algorithm (FFT convolution, a Cauchy/Woodbury generating-function kernel), while every
  real mistake (wrong index, missing conjugate, wrong discretisation) is an O(1) error.
  The factor 100 covers algorithms up to 100x less accurate than repeated multiplication.
* float32: max(1e-4, 10 * err32).  1e-4 is the contract's figure (~800 eps32); the
  measured err32 is 1e-7..7e-5 on the generated cases.  Where a case is worse conditioned
  (long, slowly decaying kernels of large non-normal systems) the float32 evaluation of
  the contract's own formulas already errs by err32, so another float32 evaluation cannot
  be asked to do much better: 10 covers other evaluation orders (closed-form powers
  exp(l z), dense powers by squaring), whose error was measured within 2x of err32 (the
  self-test prints this spread).  A few float32 checks per run get a tolerance above 1e-4
  this way (largest seen: 7e-4).  The float32 evaluation uses expm1 for zoh's Bbar
  (exp(z) - 1 in float32 loses ~eps32/|z| relative: 2.4e-4 at dt |lam| = 5e-4), so an
  implementation that evaluates (exp(z) - 1)/lam literally in float32 may fail at small
  dt |lam| -- deliberately: that accuracy loss is avoidable.
* finalState: the same two formulas, with err32 measured on the final state and the
  scale max|x_{L-1}|.
* self-test: 1e-11 between two float64 evaluations of the same quantity.  The closed form
  exp(l z) carries a phase error ~ l |z| eps: <= 3e-12 for the random systems
  (|Im z| <= 10, l <= 1023), and for the S4D inits the terms with large |z| (dt = 0.1,
  Re z = -0.05) have decayed by exp(l Re z) before l |z| eps matters; the measured
  differences were <= 1e-13.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_harness import (  # noqa: E402 - found via this script's own directory
    Case, Checker, OutputError, decode_complex, executable_error, field, finish, fmt,
    is_number, run_families)

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)

# --------------------------------------------------------------------------------------
# Tolerances (see the module docstring for the full reasoning).
# --------------------------------------------------------------------------------------
# float64: the contract's 1e-10 of max|ref|; correct implementations err by ~1e-13.
TOL64_FLOOR = 1e-10
# float64: allowance for an algorithm up to 100x less accurate than the float32-measured
# evaluation scaled by eps64/eps32 (only matters if err32 > ~5e-4, never seen here).
SAFETY64 = 100.0
# float32: the contract's 1e-4 (~800 eps32) of max|ref|.
TOL32_FLOOR = 1e-4
# float32: other evaluation orders were measured within 2x of the reference float32
# evaluation (self-test prints the spread); 10 leaves a margin over that.
SAFETY32 = 10.0
# Self-test: two float64 evaluations of the same quantity (measured <= 1e-13).
TOL_SELF = 1e-11

S4D_INITS = ("lin", "inv", "real", "legs", "random")
DIAG_METHODS = ("zoh", "bilinear")
HIPPO_DISCRETE_MEASURES = ("legs", "legt", "lmu", "lagt", "tlagt", "fout")
# Methods that map Re(lambda) <= 0 into the closed unit disc (A-stable), so the kernel of
# every HiPPO matrix stays bounded over L = 1024 steps.
STABLE_DISCRETIZE = ("bilinear", "zoh", "backward-euler", "gbt")
MAX_L = 1024


# ======================================================================================
# Reference implementations (float64 by default; dtype=np.complex64 gives the float32
# evaluation used to measure each case's conditioning)
# ======================================================================================

def real_dtype(cdtype):
    return np.float32 if np.dtype(cdtype) == np.complex64 else np.float64


def diag_discretize(lam, B, dt, method, cdtype=np.complex128):
    """Per-mode (Abar_n, Bbar_n).  zoh's (exp(z) - 1)/lam is evaluated with expm1, which is
    the same number mathematically and stays accurate for small |z| = |dt lam|."""
    lam = np.asarray(lam).astype(cdtype)
    B = np.asarray(B).astype(cdtype)
    dt = real_dtype(cdtype)(dt)
    z = dt * lam
    if method == "zoh":
        return np.exp(z), np.expm1(z) / lam * B
    if method == "bilinear":
        den = 1 - z / 2
        return (1 + z / 2) / den, dt * B / den
    raise ValueError(method)


def diag_kernel_closed(lam, B, C, dt, L, method):
    """Closed form K_l = 2 Re sum_n C_n Bbar_n Abar_n^l with Abar_n^l = exp(l log Abar_n)
    (zoh: exp(l dt lam_n) directly)."""
    Abar, Bbar = diag_discretize(lam, B, dt, method)
    l = np.arange(L, dtype=float)[:, None]
    logA = dt * np.asarray(lam, dtype=complex) if method == "zoh" else np.log(Abar)
    powers = np.exp(l * logA[None, :])
    return 2.0 * (powers @ (np.asarray(C, dtype=complex) * Bbar)).real


def modal_states(Abar, Bbar, u):
    """Diagonal recurrence x_k = Abar * x_{k-1} + Bbar u_k (elementwise); rows = k."""
    X = np.empty((len(u), len(Abar)), dtype=Abar.dtype)
    x = np.zeros(len(Abar), dtype=Abar.dtype)
    for k, uk in enumerate(u):
        x = Abar * x + Bbar * uk
        X[k] = x
    return X


def dense_states(Abar, Bbar, u):
    """Dense recurrence x_k = Abar x_{k-1} + Bbar u_k; rows = k."""
    dtype = np.result_type(Abar, Bbar, np.asarray(u))
    X = np.empty((len(u), len(Bbar)), dtype=dtype)
    x = np.zeros(len(Bbar), dtype=dtype)
    for k, uk in enumerate(u):
        x = Abar @ x + Bbar * uk
        X[k] = x
    return X


def impulse(L, dtype=np.float64):
    e = np.zeros(L, dtype=dtype)
    e[0] = 1
    return e


def dense_kernel(Abar, Bbar, C, L):
    """K_l = C Abar^l Bbar by repeated matrix-vector products (v_l = Abar v_{l-1})."""
    single = np.result_type(Abar, Bbar) in (np.float32, np.complex64)
    return dense_states(Abar, Bbar, impulse(L, np.float32 if single else np.float64)) @ C


def dplr_extend(lam, P, B, C):
    """Conjugate-extended (Lambda_ext, P_ext (N x R), B_ext, C_ext)."""
    lam_ext = np.concatenate([lam, np.conj(lam)])
    P_ext = np.hstack([P, np.conj(P)]).T
    return lam_ext, P_ext, np.concatenate([B, np.conj(B)]), np.concatenate([C, np.conj(C)])


def dplr_system(lam, P, B, C, dt, cdtype=np.complex128):
    """Bilinear discretisation of A = diag(Lambda_ext) - P_ext P_ext^H.
    Returns (A, Abar, Bbar, C_ext) in cdtype."""
    lam = np.asarray(lam).astype(cdtype)
    P = np.asarray(P).astype(cdtype).reshape(-1, len(lam))
    B = np.asarray(B).astype(cdtype)
    C = np.asarray(C).astype(cdtype)
    dt = real_dtype(cdtype)(dt)
    lam_ext, P_ext, B_ext, C_ext = dplr_extend(lam, P, B, C)
    N = len(lam_ext)
    A = np.diag(lam_ext) - P_ext @ P_ext.conj().T
    eye = np.eye(N, dtype=cdtype)
    M = eye - (dt / 2) * A
    sol = np.linalg.solve(M, np.hstack([eye + (dt / 2) * A, (dt * B_ext)[:, None]]))
    return A, sol[:, :N], sol[:, N], C_ext


def causal_conv(K, u):
    """y_k = sum_{j<=k} K_{k-j} u_j by direct summation (np.convolve)."""
    return np.convolve(K, u)[: len(u)]


def fft_conv(K, u):
    """The same causal convolution through a zero-padded FFT (self-test only)."""
    L = len(u)
    n = 1 << (2 * L - 1).bit_length()
    if np.iscomplexobj(K) or np.iscomplexobj(u):
        return np.fft.ifft(np.fft.fft(K, n) * np.fft.fft(u, n))[:L]
    return np.fft.irfft(np.fft.rfft(K, n) * np.fft.rfft(u, n), n)[:L]


def rel_err(out, ref):
    scale = float(np.max(np.abs(ref))) if np.size(ref) else 0.0
    if not scale > 0:
        scale = 1.0
    return float(np.max(np.abs(np.asarray(out, dtype=complex) - ref))) / scale


# ---- systems --------------------------------------------------------------------------

class System:
    """One input object of any kind, with its float64 reference and its float32 probe.

    kernel(L)      -> float64 reference kernel (real ndarray unless a complex discrete
                      system)
    run(u, D)      -> (y_ref, y_recurrence_ref, final_state_ref)
    probe32_*      -> the same quantities evaluated in float32 (conditioning probe)
    """

    def __init__(self, kind, obj):
        self.kind, self.obj = kind, obj
        if kind == "diagonal":
            self.lam = cvec(obj["lambda"])
            self.B, self.C = cvec(obj["B"]), cvec(obj["C"])
            self.dt = float(obj["dt"])
            self.method = obj.get("discretization", "zoh")
            self.real_out = True
        elif kind == "dplr":
            self.lam = cvec(obj["lambda"])
            self.P = np.array([cvec(r) for r in obj["P"]])
            self.B, self.C = cvec(obj["B"]), cvec(obj["C"])
            self.dt = float(obj["dt"])
            self.real_out = True
            self.half = len(self.lam)
        else:
            self.Abar = cmat(obj["Abar"])
            self.Bbar, self.C = cvec(obj["Bbar"]), cvec(obj["C"])
            self.real_out = not (np.any(self.Abar.imag) or np.any(self.Bbar.imag)
                                 or np.any(self.C.imag))
            if self.real_out:
                self.Abar, self.Bbar, self.C = self.Abar.real, self.Bbar.real, self.C.real

    @property
    def state_size(self):
        if self.kind == "diagonal":
            return len(self.lam)
        if self.kind == "dplr":
            return self.half
        return len(self.Bbar)

    # matrices in a given precision
    def _discrete(self, cdtype):
        if self.kind == "diagonal":
            Abar, Bbar = diag_discretize(self.lam, self.B, self.dt, self.method, cdtype)
            return Abar, Bbar, self.C.astype(cdtype)
        if self.kind == "dplr":
            _, Abar, Bbar, C_ext = dplr_system(self.lam, self.P, self.B, self.C, self.dt, cdtype)
            return Abar, Bbar, C_ext
        if self.real_out:
            rd = real_dtype(cdtype)
            return self.Abar.astype(rd), self.Bbar.astype(rd), self.C.astype(rd)
        return self.Abar.astype(cdtype), self.Bbar.astype(cdtype), self.C.astype(cdtype)

    def _states(self, u, cdtype):
        Abar, Bbar, C = self._discrete(cdtype)
        u = np.asarray(u).astype(real_dtype(cdtype))
        if self.kind == "diagonal":
            return modal_states(Abar, Bbar, u), C
        return dense_states(Abar, Bbar, u), C

    def _output(self, X, C):
        """C x_k for every row (2 Re for diagonal; Re for the real-output systems)."""
        if self.kind == "diagonal":
            return 2 * (X @ C).real
        y = X @ C
        return y.real if self.real_out else y

    def _final(self, X):
        x = X[-1]
        return x[: self.half] if self.kind == "dplr" else x

    def kernel(self, L):
        if self.kind == "diagonal":
            return diag_kernel_closed(self.lam, self.B, self.C, self.dt, L, self.method)
        X, C = self._states(impulse(L), np.complex128)   # v_l = Abar^l Bbar
        return self._output(X, C)

    def run(self, u, D):
        L = len(u)
        K = self.kernel(L)
        y = causal_conv(K, u) + D * u
        X, C = self._states(u, np.complex128)
        y_rec = self._output(X, C) + D * u
        return y, y_rec, self._final(X)

    def probe32_kernel(self, L):
        X, C = self._states(impulse(L, np.float32), np.complex64)
        return self._output(X, C)

    def probe32_run(self, u, D):
        u32, D32 = np.asarray(u, dtype=np.float32), np.float32(D)
        K32 = self.probe32_kernel(len(u))
        y = causal_conv(K32, u32) + D32 * u32
        X, C = self._states(u32, np.complex64)
        y_rec = self._output(X, C) + D32 * u32
        return y, y_rec, self._final(X)


def tolerance(precision, err32):
    """The tolerance for a quantity whose float32 evaluation erred by err32 (relative)."""
    if precision == "float32":
        return max(TOL32_FLOOR, SAFETY32 * err32)
    return max(TOL64_FLOOR, SAFETY64 * err32 * EPS64 / EPS32)


# ======================================================================================
# JSON helpers (inputs) and output parsing
# ======================================================================================

def cvec(value):
    """Parse a list of reals / [re, im] pairs (our own inputs) into a complex ndarray."""
    return np.array([complex(v[0], v[1]) if isinstance(v, list) else complex(v)
                     for v in value], dtype=complex)


def cmat(value):
    return np.array([cvec(row) for row in value], dtype=complex).reshape(len(value), -1)


def enc_complex(z, rng=None, pair_prob=1.0):
    """Encode complex numbers as [re, im]; a real one is written as a plain number with
    probability 1 - pair_prob (inputs accept both forms)."""
    out = []
    for v in np.atleast_1d(z):
        v = complex(v)
        if v.imag == 0 and rng is not None and rng.random() >= pair_prob:
            out.append(float(v.real))
        else:
            out.append([float(v.real), float(v.imag)])
    return out


def enc_real(x):
    return [float(v) for v in np.atleast_1d(x)]


def parse_real_vector(value, n, what):
    """A list of n plain JSON numbers (the contract says reals, not [re, im] pairs)."""
    if not isinstance(value, list):
        raise OutputError(f"{what}: expected a list, got {str(value)[:60]}")
    if len(value) != n:
        raise OutputError(f"{what}: length {len(value)}, expected {n}")
    for v in value:
        if not is_number(v):
            raise OutputError(f"{what}: expected a real number, got {str(v)[:60]}")
    return np.array(value, dtype=float)


def parse_complex_vector(value, n, what):
    """A list of n complex numbers, each [re, im] (a plain number is accepted as real)."""
    if not isinstance(value, list):
        raise OutputError(f"{what}: expected a list, got {str(value)[:60]}")
    if len(value) != n:
        raise OutputError(f"{what}: length {len(value)}, expected {n}")
    out = np.empty(n, dtype=complex)
    for i, v in enumerate(value):
        z = decode_complex(v)
        if z is None:
            raise OutputError(f"{what}: expected [re, im], got {str(v)[:60]}")
        out[i] = z
    return out


# ======================================================================================
# Running cases: reference_harness (shared with check_cli.py) runs the binary and
# records the cases; this subclass adds the float32-probe tolerances and statistics.
# ======================================================================================

class KernelChecker(Checker):
    def __init__(self, ssm, tmpdir, verbose):
        super().__init__(ssm, tmpdir, verbose)
        self.widened = {"float64": 0, "float32": 0}   # checks whose tolerance beat the floor
        self.worst = {"float64": (0.0, ""), "float32": (0.0, "")}  # passing err/tol
        self.max_err32 = 0.0

    def record(self, case):
        precision = "float32" if "float32" in case.argv else "float64"
        if case.worst[0] > self.worst[precision][0]:
            self.worst[precision] = (case.worst[0], f"{case.worst[1]} in {case.command()}")
        super().record(case)

    def tol(self, precision, err32):
        t = tolerance(precision, err32)
        self.max_err32 = max(self.max_err32, err32)
        if t > (TOL32_FLOOR if precision == "float32" else TOL64_FLOOR):
            self.widened[precision] += 1
        return t


# ======================================================================================
# Random inputs
# ======================================================================================

def random_dt(rng):
    return float(10 ** rng.uniform(-3, -1))        # log-uniform in [1e-3, 1e-1]


def random_length(rng):
    r = rng.random()
    if r < 0.05:
        return 1
    if r < 0.15:
        return MAX_L
    return int(round(10 ** rng.uniform(math.log10(2), math.log10(MAX_L))))


def crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(2)


def random_stable_lambda(rng, n):
    """Re lam in -[1e-2, 10] (log-uniform), Im lam up to +-100."""
    re = -10 ** rng.uniform(-2, 1, n)
    im = rng.uniform(-1, 1, n) * 10 ** rng.uniform(0, 2, n)
    return re + 1j * im


def s4d_lambda(init, N):
    """Closed-form S4D inits (N = full state size, N/2 stored modes)."""
    n = np.arange(N // 2)
    if init == "lin":
        return -0.5 + 1j * math.pi * n
    if init == "inv":
        return -0.5 + 1j * (N / math.pi) * (N / (2.0 * n + 1.0) - 1.0)
    if init == "real":
        return -(n + 1.0) + 0j
    raise ValueError(init)


def random_stable_matrix(rng, N, complex_=False):
    """Gaussian matrix scaled to a spectral radius in [0.3, 0.999] (non-normal in general)."""
    A = crandn(rng, N, N) if complex_ else rng.standard_normal((N, N))
    rho = float(np.max(np.abs(np.linalg.eigvals(A))))
    if rho == 0.0:
        return A
    return A * (rng.uniform(0.3, 0.999) / rho)


# ======================================================================================
# Checks
# ======================================================================================

def check_kernel(ck, system, L, precision):
    """Return the check of an `ssm kernel` output: the float64 reference kernel and the
    float32 probe are computed now, the comparison when the output arrives."""
    K = system.kernel(L)
    err32 = rel_err(system.probe32_kernel(L), K)
    tol = ck.tol(precision, err32)

    def check(obj, case):
        value = field(obj, "kernel")
        if system.real_out:
            out = parse_real_vector(value, L, "kernel")
        else:
            out = parse_complex_vector(value, L, "kernel")
        case.close(f"kernel (err32 {err32:.1e})", out, K, tol)

    return check


def check_run(ck, system, u, D, precision):
    """Return the check of an `ssm run` output: y and yRecurrent are both compared with
    the direct causal convolution of the reference kernel (which the self-test ties to
    the reference recurrence), finalState with the reference recurrence."""
    y, y_rec, x_final = system.run(u, D)
    y32, y32_rec, x32 = system.probe32_run(u, D)
    err32_y = max(rel_err(y32, y), rel_err(y32_rec, y))
    err32_x = rel_err(x32, x_final)
    tol_y = ck.tol(precision, err32_y)
    tol_x = ck.tol(precision, err32_x)
    L, n = len(u), system.state_size
    state_is_complex = system.kind != "discrete" or not system.real_out

    def check(obj, case):
        # Guard on the reference itself: its two float64 evaluations of y must agree.
        if rel_err(y_rec, y) > TOL_SELF:
            raise RuntimeError(f"reference bug: convolution vs recurrence differ by "
                               f"{rel_err(y_rec, y):.2e}")
        parse = parse_real_vector if system.real_out else parse_complex_vector
        out_y = parse(field(obj, "y"), L, "y")
        out_rec = parse(field(obj, "yRecurrent"), L, "yRecurrent")
        if state_is_complex:
            out_x = parse_complex_vector(field(obj, "finalState"), n, "finalState")
        else:
            out_x = parse_real_vector(field(obj, "finalState"), n, "finalState")
        case.close(f"y (err32 {err32_y:.1e})", out_y, y, tol_y)
        case.close(f"yRecurrent (err32 {err32_y:.1e})", out_rec, y, tol_y)
        case.close(f"finalState (err32 {err32_x:.1e})", out_x, x_final, tol_x)

    return check


def precision_args(rng, precision):
    """--precision float32 always; float64 is passed explicitly ~1/3 of the time (the
    default is float64)."""
    if precision == "float32" or rng.random() < 1 / 3:
        return ["--precision", precision]
    return []


def submit(ck, rng, command, kind, obj, desc, precision, L=None, u=None, D=None):
    """Write obj, build the case and its check, run it."""
    system = System(kind, obj)
    path = ck.write_file(obj)
    case = Case([command, "--input", path, "--json"] + precision_args(rng, precision),
                {path: desc})
    if command == "kernel":
        check = check_kernel(ck, system, L, precision)
    else:
        check = check_run(ck, system, u, D, precision)
    ck.valid_case(case, check)


def with_run_fields(rng, obj, L):
    """Turn a kernel object into a run object: u ~ N(0,1), D ~ N(0,1), "length" kept about
    half of the time (it may be omitted in run)."""
    u = rng.standard_normal(L)
    D = float(rng.standard_normal())
    obj = dict(obj)
    if rng.random() < 0.5:
        obj.pop("length", None)
    else:
        obj["length"] = L
    obj["D"] = D
    obj["u"] = enc_real(u)
    return obj, u, D


# ---- diagonal ----
def make_diagonal(ck, rng, i):
    init = S4D_INITS[i % len(S4D_INITS)]
    method = DIAG_METHODS[(i // len(S4D_INITS)) % 2]
    n2 = int(rng.integers(1, 33))
    N = 2 * n2
    if init == "legs":
        s4d = ck.run_json(["s4d-init", "legs", "--state-size", str(N), "--json"])
        lam, B = cvec(s4d["lambda"]), cvec(s4d["B"])
        if rng.random() < 0.3:
            B = crandn(rng, n2)
    else:
        lam = random_stable_lambda(rng, n2) if init == "random" else s4d_lambda(init, N)
        B = np.ones(n2, dtype=complex) if rng.random() < 0.5 else crandn(rng, n2)
    C = crandn(rng, n2)
    dt, L = random_dt(rng), random_length(rng)
    obj = {"kind": "diagonal", "lambda": enc_complex(lam, rng, 0.5),
           "B": enc_complex(B, rng, 0.5), "C": enc_complex(C), "dt": dt, "length": L}
    if method == "bilinear" or rng.random() < 0.7:
        obj["discretization"] = method        # zoh is the default: sometimes omitted
    desc = f"<diagonal {init} N2={n2} {method} dt={dt:.3g} L={L}>"
    return obj, L, desc


# ---- dplr ----
DPLR_SOURCES = ("legs", "tlagt", "random", "legs", "random")


def make_dplr(ck, rng, i):
    source = DPLR_SOURCES[i % len(DPLR_SOURCES)]
    n2 = int(rng.integers(1, 33))
    if source == "random":
        lam = random_stable_lambda(rng, n2)
        rank = int(rng.integers(1, 3))
        P = crandn(rng, rank, n2) * rng.uniform(0.05, 0.5)
        B = crandn(rng, n2)
        tag = f"random rank={rank}"
    else:
        argv = ["dplr", source, "--state-size", str(2 * n2)]
        if source == "tlagt" and rng.random() < 0.7:
            argv += ["--beta", fmt(rng.uniform(0.1, 3.0))]
        if rng.random() < 0.3:
            argv += ["--rank", str(1 + int(rng.integers(1, 3)))]   # extra zero rows
        d = ck.run_json(argv + ["--json"])
        lam, B = cvec(d["lambda"]), cvec(d["B"])
        P = np.array([cvec(r) for r in d["P"]])
        if np.max(lam.real) >= 0:      # cannot happen for legs / tlagt (Re = -1/2, -beta/2)
            raise RuntimeError(f"ssm {' '.join(argv)}: Re lambda >= 0")
        tag = " ".join(argv[1:])
    C = crandn(rng, n2)
    dt, L = random_dt(rng), random_length(rng)
    obj = {"kind": "dplr", "lambda": enc_complex(lam), "P": [enc_complex(r) for r in P],
           "B": enc_complex(B), "C": enc_complex(C), "dt": dt, "length": L}
    return obj, L, f"<dplr {tag} N2={n2} dt={dt:.3g} L={L}>"


# ---- discrete ----
# Cycle of sources: 3/7 HiPPO matrices through `ssm hippo` + `ssm discretize`, 3/7 random
# real matrices, 1/7 random complex systems (so every family of >= 4 cases has one).
DISCRETE_SOURCES = ("hippo", "real", "hippo", "complex", "real", "hippo", "real")


def make_discrete(ck, rng, i):
    source = DISCRETE_SOURCES[i % len(DISCRETE_SOURCES)]
    if source == "hippo":
        measure = HIPPO_DISCRETE_MEASURES[(i // 2) % len(HIPPO_DISCRETE_MEASURES)]
        N = int(rng.integers(1, 33)) * 2 if measure == "fout" else int(rng.integers(1, 65))
        method = STABLE_DISCRETIZE[int(rng.integers(0, len(STABLE_DISCRETIZE)))]
        dt = random_dt(rng)
        h = ck.run_json(["hippo", measure, "--state-size", str(N), "--json"])
        hpath = ck.write_file({"A": h["A"], "B": h["B"]})
        argv = ["discretize", "--method", method]
        if method == "gbt":
            argv += ["--alpha", fmt(rng.uniform(0.5, 1.0))]   # alpha >= 1/2: A-stable
        d = ck.run_json(argv + ["--dt", fmt(dt), "--input", hpath, "--json"])
        Abar, Bbar = np.array(d["Abar"], dtype=float), np.array(d["Bbar"], dtype=float)
        C = rng.standard_normal(N)
        tag = f"{measure} {' '.join(argv[1:])} dt={dt:.3g}"
    else:
        N = int(rng.integers(1, 65))
        cplx = source == "complex"
        Abar = random_stable_matrix(rng, N, cplx)
        Bbar = crandn(rng, N) if cplx else rng.standard_normal(N)
        C = crandn(rng, N) if cplx else rng.standard_normal(N)
        tag = f"random {source}"
    L = random_length(rng)
    if source == "complex":
        obj = {"kind": "discrete", "Abar": [enc_complex(row) for row in Abar],
               "Bbar": enc_complex(Bbar), "C": enc_complex(C), "length": L}
    else:   # real systems are written with plain numbers only (real output)
        obj = {"kind": "discrete", "Abar": [enc_real(row) for row in Abar],
               "Bbar": enc_real(Bbar), "C": enc_real(C), "length": L}
    return obj, L, f"<discrete {tag} N={len(Bbar)} L={L}>"


MAKERS = {"diagonal": make_diagonal, "dplr": make_dplr, "discrete": make_discrete}


def make_or_record(ck, rng, kind, i, command):
    """Build a random input; if a generator command (s4d-init, dplr, hippo, discretize)
    fails, record a failed case instead of stopping the run."""
    try:
        return MAKERS[kind](ck, rng, i)
    except (RuntimeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        case = Case([command, "--input", f"<{kind} input #{i}>", "--json"])
        case.fail("input generation", f"{type(exc).__name__}: {exc}", "-")
        ck.record(case)
        return None


def gen_kernel(ck, rng, kind, count, precision="float64"):
    for i in range(count):
        made = make_or_record(ck, rng, kind, i, "kernel")
        if made:
            obj, L, desc = made
            submit(ck, rng, "kernel", kind, obj, desc, precision, L=L)


def gen_run(ck, rng, kind, count, precision="float64"):
    for i in range(count):
        made = make_or_record(ck, rng, kind, i, "run")
        if made:
            obj, L, desc = made
            obj, u, D = with_run_fields(rng, obj, L)
            submit(ck, rng, "run", kind, obj, desc.replace("<", "<run ", 1), precision,
                   u=u, D=D)


# ---- bad input ----
DROP = object()   # marker in gen_bad: remove the key


def gen_bad(ck):
    """Each must exit with a positive status (no signal) and say why on stderr."""
    lam = [[-0.5, 1.0], [-0.5, 3.0]]
    diag = {"kind": "diagonal", "lambda": lam, "B": [1.0, 1.0], "C": [[0.3, 0.1], [0.2, -0.4]],
            "dt": 0.01, "length": 16, "discretization": "zoh"}
    dplr = {"kind": "dplr", "lambda": lam, "P": [[[0.1, 0.0], [0.2, 0.1]]], "B": [1.0, 1.0],
            "C": [[0.3, 0.1], [0.2, -0.4]], "dt": 0.01, "length": 16}
    disc = {"kind": "discrete", "Abar": [[0.5, 0.1], [0.0, 0.4]], "Bbar": [1.0, 0.5],
            "C": [1.0, -1.0], "length": 16}
    u = [0.5, -1.0, 0.25, 2.0]

    def mod(base, label, **changes):
        obj = dict(base)
        for k, v in changes.items():
            if v is DROP:
                obj.pop(k, None)
            else:
                obj[k] = v
        return obj, label

    def runobj(base, label, **changes):
        """A run object: base + D + u (+ "length" = len(u) if base has one), then changes."""
        obj = dict(base, D=0.5, u=u)
        if "length" in obj:
            obj["length"] = len(u)
        return mod(obj, label, **changes)

    kernel_inputs = [
        mod(diag, "diagonal length 0", length=0),
        mod(diag, "diagonal length -3", length=-3),
        mod(diag, "diagonal B shorter than lambda", B=[1.0]),
        mod(diag, "diagonal C longer than lambda", C=[1.0, 2.0, 3.0]),
        mod(diag, "diagonal NaN in lambda", **{"lambda": [[-0.5, float("nan")], [-0.5, 3.0]]}),
        mod(diag, "diagonal Infinity in C", C=[float("inf"), 1.0]),
        mod(diag, "diagonal dt 0", dt=0.0),
        mod(diag, "diagonal dt -0.1", dt=-0.1),
        mod(diag, "diagonal dt Infinity", dt=float("inf")),
        mod(diag, "diagonal dt NaN", dt=float("nan")),
        mod(diag, "diagonal Re lambda = 0", **{"lambda": [[0.0, 1.0], [-0.5, 3.0]]}),
        mod(diag, "diagonal Re lambda > 0", **{"lambda": [[-0.5, 1.0], [0.2, 3.0]]}),
        mod(diag, "diagonal bilinear Re lambda > 0", discretization="bilinear",
            **{"lambda": [0.1, -1.0]}),
        mod(diag, "unknown kind", kind="foo"),
        mod(diag, "unknown discretization", discretization="euler"),
        mod(diag, "missing kind", kind=DROP),
        mod(diag, "diagonal missing dt", dt=DROP),
        mod(diag, "diagonal missing length", length=DROP),
        mod(diag, "diagonal missing lambda", **{"lambda": DROP}),
        mod(dplr, "dplr P with zero rows", P=[]),
        mod(dplr, "dplr P row of the wrong length", P=[[[0.1, 0.0]]]),
        mod(dplr, "dplr second P row of the wrong length",
            P=[[[0.1, 0.0], [0.2, 0.1]], [0.3]]),
        mod(dplr, "dplr Re lambda = 0", **{"lambda": [[0.0, 1.0], [0.0, 3.0]]}),
        mod(dplr, "dplr missing P", P=DROP),
        mod(dplr, "dplr NaN in P", P=[[[float("nan"), 0.0], [0.2, 0.1]]]),
        mod(dplr, "dplr B length mismatch", B=[1.0, 1.0, 1.0]),
        mod(dplr, "dplr C length mismatch", C=[1.0]),
        mod(dplr, "dplr dt 0", dt=0.0),
        mod(disc, "discrete Abar not square", Abar=[[0.5, 0.1, 0.0], [0.0, 0.4, 0.0]]),
        mod(disc, "discrete Abar ragged", Abar=[[0.5, 0.1], [0.4]]),
        mod(disc, "discrete Bbar length mismatch", Bbar=[1.0, 0.5, 0.1]),
        mod(disc, "discrete C length mismatch", C=[1.0]),
        mod(disc, "discrete NaN in Abar", Abar=[[0.5, float("nan")], [0.0, 0.4]]),
        mod(disc, "discrete Infinity in Bbar", Bbar=[float("-inf"), 0.5]),
        mod(disc, "discrete length 0", length=0),
        mod(disc, "discrete missing Abar", Abar=DROP),
    ]
    run_inputs = [
        runobj(diag, "run length disagrees with u", length=3),
        runobj(disc, "run length disagrees with u (discrete)", length=5),
        runobj(diag, "run with 0 inputs", u=[]),
        runobj(dplr, "run with 0 inputs (dplr)", u=[], length=DROP),
        runobj(diag, "run NaN in u", u=[0.5, float("nan"), 1.0, 2.0]),
        runobj(disc, "run Infinity in u", u=[0.5, float("inf"), 1.0, 2.0]),
        runobj(diag, "run D NaN", D=float("nan")),
        runobj(disc, "run D Infinity", D=float("inf")),
        runobj(diag, "run missing u", u=DROP, length=DROP),
        runobj(diag, "run Re lambda > 0", **{"lambda": [[0.5, 1.0], [-0.5, 3.0]]}),
        runobj(dplr, "run dt -1", dt=-1.0),
        runobj(disc, "run unknown kind", kind="continuous"),
    ]
    for command, inputs in (("kernel", kernel_inputs), ("run", run_inputs)):
        for obj, label in inputs:
            path = ck.write_file(obj)
            ck.bad_case(Case([command, "--input", path, "--json"], {path: f"<{label}>"}))

    good = ck.write_file(diag)
    good_run = ck.write_file(runobj(diag, "")[0])
    broken = ck.write_file('{"kind": "diagonal", "lambda": [[-0.5, 1.0')
    missing = os.path.join(ck.tmpdir, "does-not-exist.json")
    labels = {good: "<diagonal N2=2>", good_run: "<run diagonal N2=2>",
              broken: "<truncated JSON>", missing: "<missing file>"}
    for argv in (["kernel", "--input", good, "--json", "--precision", "float16"],
                 ["run", "--input", good_run, "--json", "--precision", "double"],
                 ["kernel", "--input", broken, "--json"],
                 ["run", "--input", missing, "--json"]):
        ck.bad_case(Case(argv, labels))


def gen_bad_hippo_dplr(ck, rng, count):
    """dplr outputs whose eigenvalues have Re lambda >= 0 (legt, fout: exactly 0; lagt:
    0 up to rounding) are not stable systems: expect an error -- unless the printed
    values happen to be all negative (lagt rounding), then it is a valid case."""
    measures = ("legt", "fout", "lagt")
    for i in range(count):
        measure = measures[i % len(measures)]
        n2 = int(rng.integers(1, 17))
        argv = ["dplr", measure, "--state-size", str(2 * n2), "--json"]
        try:
            d = ck.run_json(argv)
        except (RuntimeError, json.JSONDecodeError) as exc:
            case = Case(argv)
            case.fail("input generation", f"{type(exc).__name__}: {exc}", "-")
            ck.record(case)
            continue
        L = int(rng.integers(2, 65))
        obj = {"kind": "dplr", "lambda": d["lambda"], "P": d["P"], "B": d["B"],
               "C": enc_complex(crandn(rng, n2)), "dt": random_dt(rng), "length": L}
        command = "kernel"
        if i % 2:
            obj, u, D = with_run_fields(rng, obj, L)
            command = "run"
        desc = f"<dplr {measure} N2={n2} L={L} (ssm dplr output)>"
        if np.max(cvec(obj["lambda"]).real) >= 0:
            path = ck.write_file(obj)
            ck.bad_case(Case([command, "--input", path, "--json"], {path: desc}))
        elif command == "kernel":
            submit(ck, rng, command, "dplr", obj, desc, "float64", L=L)
        else:
            submit(ck, rng, command, "dplr", obj, desc, "float64", u=u, D=D)


# ======================================================================================
# Self-test of the reference (no binary needed)
# ======================================================================================

def self_test(seed=12345, verbose=False):
    """Check the reference functions against each other.  Returns the number of failed
    checks (0 = pass)."""
    rng = np.random.default_rng(seed)
    results = []   # (name, err, tol)

    def expect(name, err, tol=TOL_SELF):
        results.append((name, float(err), tol))

    # 1. Diagonal closed form == dense powers of the conjugate-extended 2*N2 system.
    for trial in range(16):
        init = S4D_INITS[trial % 5] if trial % 5 != 3 else "random"   # legs needs a binary
        method = DIAG_METHODS[trial % 2]
        n2 = int(rng.integers(1, 33))
        lam = random_stable_lambda(rng, n2) if init == "random" else s4d_lambda(init, 2 * n2)
        B, C = crandn(rng, n2), crandn(rng, n2)
        dt = float(10 ** rng.uniform(-3, -1))
        L = (1, 7, 300, 1024)[trial % 4]
        K = diag_kernel_closed(lam, B, C, dt, L, method)
        Abar, Bbar = diag_discretize(lam, B, dt, method)
        Aext = np.diag(np.concatenate([Abar, Abar.conj()]))
        Kext = dense_kernel(Aext, np.concatenate([Bbar, Bbar.conj()]),
                            np.concatenate([C, C.conj()]), L)
        expect(f"diag closed form vs 2N2 dense powers ({init}, {method}, L={L})",
               rel_err(K, Kext))
        expect(f"diag dense kernel is real ({init})", np.max(np.abs(Kext.imag)) /
               max(np.max(np.abs(K)), 1e-300))
        # zoh: the contract's literal (exp(z) - 1)/lam vs expm1 (equal in float64 here
        # to ~eps/|z| <= 5e-13).
        if method == "zoh":
            Bb_lit = (np.exp(dt * lam) - 1) / lam * B
            expect("zoh Bbar: expm1 vs literal formula", rel_err(Bb_lit, Bbar), 1e-11)
        # Bilinear diagonal == dplr with P = 0 (the dplr path is bilinear).
        if method == "bilinear":
            _, Ab, Bb, Ce = dplr_system(lam, np.zeros((1, n2)), B, C, dt)
            Kd = dense_kernel(Ab, Bb, Ce, L).real
            expect("dplr with P = 0 vs diagonal bilinear closed form", rel_err(Kd, K))

    # 2. DPLR: repeated mat-vec powers vs explicit matrix powers vs a step-by-step solve
    #    (I - dt/2 A) x_k = (I + dt/2 A) x_{k-1} + dt B u_k, and the conjugate symmetry.
    for trial in range(8):
        n2 = int(rng.integers(1, 33))
        lam = random_stable_lambda(rng, n2)
        P = crandn(rng, int(rng.integers(1, 3)), n2) * 0.3
        B, C = crandn(rng, n2), crandn(rng, n2)
        dt = float(10 ** rng.uniform(-3, -1))
        L = int(rng.integers(1, 400))
        A, Abar, Bbar, Ce = dplr_system(lam, P, B, C, dt)
        K = dense_kernel(Abar, Bbar, Ce, L)
        expect("dplr kernel is real", np.max(np.abs(K.imag)) / np.max(np.abs(K)))
        for l in sorted({0, L // 3, L - 1}):
            Kl = Ce @ np.linalg.matrix_power(Abar, l) @ Bbar
            expect(f"dplr K_{l}: mat-vec recurrence vs matrix_power", abs(Kl - K[l]) /
                   np.max(np.abs(K)))
        N = 2 * n2
        eye = np.eye(N)
        lhs, rhs = eye - dt / 2 * A, eye + dt / 2 * A
        _, _, Be, _ = dplr_extend(lam, P, B, C)
        u = rng.standard_normal(L)
        x = np.zeros(N, dtype=complex)
        y_step = np.empty(L)
        for k in range(L):
            x = np.linalg.solve(lhs, rhs @ x + dt * Be * u[k])
            y_step[k] = (Ce @ x).real
        X = dense_states(Abar, Bbar, u)
        expect("dplr recurrence vs step-by-step solves", rel_err((X @ Ce).real, y_step))
        expect("dplr convolution vs step-by-step solves", rel_err(causal_conv(K.real, u), y_step))
        expect("dplr state halves are conjugate", rel_err(X[-1, n2:], X[-1, :n2].conj()))

    # 3. run: direct convolution == FFT convolution == recurrence; final state ==
    #    sum_j Abar^{L-1-j} Bbar u_j; for every kind through the System class.
    for trial in range(12):
        kind = ("diagonal", "dplr", "discrete")[trial % 3]
        n2 = int(rng.integers(1, 33))
        L = int(rng.integers(1, 600))
        if kind == "diagonal":
            obj = {"kind": kind, "lambda": enc_complex(random_stable_lambda(rng, n2)),
                   "B": enc_complex(crandn(rng, n2)), "C": enc_complex(crandn(rng, n2)),
                   "dt": random_dt(rng), "discretization": DIAG_METHODS[trial % 2]}
        elif kind == "dplr":
            obj = {"kind": kind, "lambda": enc_complex(random_stable_lambda(rng, n2)),
                   "P": [enc_complex(crandn(rng, n2) * 0.3)],
                   "B": enc_complex(crandn(rng, n2)), "C": enc_complex(crandn(rng, n2)),
                   "dt": random_dt(rng)}
        else:
            cplx = trial % 2 == 1
            Ab = random_stable_matrix(rng, 2 * n2, cplx)
            obj = {"kind": kind, "Abar": [enc_complex(r) for r in Ab],
                   "Bbar": enc_complex(crandn(rng, 2 * n2) if cplx else rng.standard_normal(2 * n2)),
                   "C": enc_complex(crandn(rng, 2 * n2) if cplx else rng.standard_normal(2 * n2))}
        s = System(kind, json.loads(json.dumps(obj)))
        u, D = rng.standard_normal(L), float(rng.standard_normal())
        y, y_rec, xf = s.run(u, D)
        K = s.kernel(L)
        expect(f"{kind}: direct conv vs recurrence", rel_err(y, y_rec))
        expect(f"{kind}: direct conv vs FFT conv", rel_err(y, fft_conv(K, u) + D * u))
        Abar, Bbar, _ = s._discrete(np.complex128)
        V = (modal_states if kind == "diagonal" else dense_states)(Abar, Bbar, impulse(L))
        x_sum = V[::-1].T @ u            # sum_j v_{L-1-j} u_j
        if kind == "dplr":
            x_sum = x_sum[:n2]
        expect(f"{kind}: final state vs sum_j Abar^(L-1-j) Bbar u_j", rel_err(xf, x_sum))
        # The float32 probe must err (it is float32) but stay modest on these systems.
        y32, _, _ = s.probe32_run(u, D)
        e32 = rel_err(y32, y)
        expect(f"{kind}: float32 probe error {e32:.1e} in (1e-9, 1e-3)",
               0.0 if 1e-9 < e32 < 1e-3 else 1.0, 0.0)

    # 4. Spread of float32 evaluation orders (justifies SAFETY32): closed form exp(l z)
    #    and dense powers by squaring vs the probe's repeated multiplication.
    spread = []
    for trial in range(12):
        n2 = int(rng.integers(1, 33))
        init = ("lin", "inv", "random")[trial % 3]
        lam = random_stable_lambda(rng, n2) if init == "random" else s4d_lambda(init, 2 * n2)
        B, C = crandn(rng, n2), crandn(rng, n2)
        dt, L, method = random_dt(rng), 1024, DIAG_METHODS[trial % 2]
        obj = {"kind": "diagonal", "lambda": enc_complex(lam), "B": enc_complex(B),
               "C": enc_complex(C), "dt": dt, "discretization": method}
        s = System("diagonal", obj)
        K = s.kernel(L)
        e_probe = rel_err(s.probe32_kernel(L), K)
        Abar, Bbar = diag_discretize(lam, B, dt, method, np.complex64)
        l = np.arange(L, dtype=np.float32)[:, None]
        logA = (np.float32(dt) * lam.astype(np.complex64)) if method == "zoh" else np.log(Abar)
        K_closed = 2 * (np.exp(l * logA[None, :]) @ (C.astype(np.complex64) * Bbar)).real
        spread.append(rel_err(K_closed, K) / max(e_probe, 1e-30))
    for trial in range(6):
        N = int(rng.integers(8, 65))
        Ab = random_stable_matrix(rng, N)
        Bb, Cc = rng.standard_normal(N), rng.standard_normal(N)
        L = 1024
        K = dense_kernel(Ab, Bb, Cc, L)
        A32, v = Ab.astype(np.float32), Bb.astype(np.float32)
        K32 = dense_kernel(A32, v, Cc.astype(np.float32), L)
        # dense powers by repeated squaring (a different float32 evaluation order)
        C32 = Cc.astype(np.float32)
        Kp = np.array([C32 @ (np.linalg.matrix_power(A32, l) @ v) for l in range(L)])
        spread.append(rel_err(Kp, K) / max(rel_err(K32, K), 1e-30))
    worst_spread = max(spread)
    expect("float32 evaluation-order spread below SAFETY32", worst_spread, SAFETY32)

    # 5. JSON encoding of inputs round-trips (complex pairs, plain reals, NaN/Infinity).
    z = crandn(rng, 5)
    z[2] = 1.5
    enc = json.loads(json.dumps(enc_complex(z, rng, 0.0)))
    expect("JSON complex round trip", rel_err(cvec(enc), z), 0.0)
    tokens = json.dumps({"a": [float("nan"), float("inf"), -float("inf")]})
    expect("JSON NaN/Infinity tokens", 0.0 if tokens == '{"a": [NaN, Infinity, -Infinity]}'
           else 1.0, 0.0)

    failed = 0
    for name, err, tol in results:
        ok = err <= tol if isinstance(tol, float) else False
        failed += not ok
        if verbose or not ok:
            print(f"{'ok  ' if ok else 'FAIL'}  self-test {name}: {err:.3e} (tol {tol})")
    worst = max((e / t for _, e, t in results if isinstance(t, float) and t > 0), default=0)
    print(f"self-test: {len(results) - failed} passed, {failed} failed "
          f"(worst err/tol {worst:.2e}; float32 evaluation-order spread {worst_spread:.2f}x)")
    return failed


# ======================================================================================

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ssm", help="path to the ssm binary")
    parser.add_argument("--cases", type=int, default=40,
                        help="unit of random cases: kernel diagonal 2N, dplr 1.25N, "
                             "discrete 1.5N; run 0.75N per kind; float32 0.25N kernel + "
                             "0.25N run per kind; bad-input cases are extra (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--self-test", action="store_true",
                        help="check the reference functions against each other (no binary)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()

    if args.self_test:
        return 0 if self_test(verbose=args.verbose) == 0 else 1
    if not args.ssm:
        parser.error("--ssm is required (or use --self-test)")
    if (status := executable_error(args.ssm)) is not None:
        return status
    if self_test() != 0:
        print("error: the reference failed its self-test", file=sys.stderr)
        return 2

    rng = np.random.default_rng(args.seed)
    n = max(4, args.cases)
    q = max(1, n // 4)
    with tempfile.TemporaryDirectory(prefix="ssm-kernels-") as tmpdir:
        ck = KernelChecker(os.path.abspath(args.ssm), tmpdir, args.verbose)
        families = [
            ("kernel diagonal", lambda: gen_kernel(ck, rng, "diagonal", 2 * n)),
            ("kernel dplr", lambda: gen_kernel(ck, rng, "dplr", (5 * n) // 4)),
            ("kernel discrete", lambda: gen_kernel(ck, rng, "discrete", (3 * n) // 2)),
            ("run diagonal", lambda: gen_run(ck, rng, "diagonal", (3 * n) // 4)),
            ("run dplr", lambda: gen_run(ck, rng, "dplr", (3 * n) // 4)),
            ("run discrete", lambda: gen_run(ck, rng, "discrete", (3 * n) // 4)),
            ("kernel float32", lambda: [gen_kernel(ck, rng, k, q, "float32") for k in MAKERS]),
            ("run float32", lambda: [gen_run(ck, rng, k, q, "float32") for k in MAKERS]),
            ("dplr of legt/fout/lagt (Re lambda >= 0)", lambda: gen_bad_hippo_dplr(ck, rng, 6)),
            ("bad input", lambda: gen_bad(ck)),
        ]
        run_families(ck, families, args.verbose)
        if args.verbose:
            print(f"# largest float32 probe error {ck.max_err32:.2e}; tolerances above the "
                  f"floor: float64 {ck.widened['float64']}, float32 {ck.widened['float32']}")
            for p in ("float64", "float32"):
                print(f"# largest passing err/tol ({p}): {ck.worst[p][0]:.2e} ({ck.worst[p][1]})")
    return finish(ck)


if __name__ == "__main__":
    sys.exit(main())
