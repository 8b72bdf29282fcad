#!/usr/bin/env python3
"""Independent float64 reference checker for the JSON command-line interface of `ssm`.

Usage:
    python3 Tests/reference/check_cli.py --ssm PATH/TO/ssm [--cases N] [--seed S] [-v]

The script runs the `ssm` binary many times on randomly generated (but seeded, via
numpy's default_rng) inputs and compares every JSON output against quantities computed
here from first principles with numpy/scipy.  Nothing here is derived from the Swift
sources: the HiPPO matrices, DPLR decompositions, discretisations and the HiPPO
approximation recurrences are re-implemented from the written contract.

It prints one line per failing case (the command, the worst quantity, its error and the
tolerance) and finishes with the line ``N passed, M failed``; the exit code is 0 iff
M == 0.  One *case* is one invocation of the binary; it passes iff every check made on
its output passes.

What is checked
---------------
* ``hippo``: A, B (and P when --rank is given) for legs, legt, lmu, lagt, tlagt and fout
  against closed forms, N = 1 ... 64; plus the structural identity that
  A + P^T P - cI is skew-symmetric for the output itself.
* ``dplr``: eigenvalues of the normal part (sorted, Im <= 0); the phase-invariant (indeed
  unitary-invariant) Gram matrices of the rows [P~; B~] summed over each eigenvalue
  cluster (this covers |B~|^2, P~_r conj(B~) and P~_r conj(P~_s)); identities on the
  output alone: [V, conj V] unitary, V_ext P~_ext = P^T and V_ext B~_ext = B (real),
  V_ext diag(Lambda_ext) V_ext^H - P^T P = A; normalResidual < 1e-9.  For a zero
  eigenvalue of the skew part (fout: states 0 and 1) the kept eigenvectors are only
  defined up to the choice of a conjugation-orthogonal half of the real null space, so
  there only 2 Re(Gram) (= Gram of the projection onto the whole real null space) is
  compared.  Golden LegS N = 8 eigenvalues are checked too.
* ``s4d-init``: lin / inv / real closed forms; legs = conj of the LegS DPLR eigenvalues
  and |B| = |V^H B|.
* ``discretize``: forward/backward Euler, bilinear, gbt(alpha), zoh for the HiPPO
  matrices of every measure and for random matrices.
* ``approximate``: the final state of the LegS (time-varying) / LegT (LTI) recurrences,
  the consistency of `mse` with `reconstruction`, and reconstruction quality on smooth
  signals (N = 32).
* Bad input: each must give a positive exit status (not a signal) and a non-empty stderr.

Tolerances (all relative to the stated scale; each constant below repeats its reason)
-----------------------------------------------------------------------------------
* closed-form matrices: 1e-13 of max|ref|.  Entries are products of square roots and
  1/theta; any mathematically equivalent evaluation order differs by a few ulps
  (~1e-15); every real mistake (sign, index, factor) is an O(1) error.
* eigenvalues: 1e-10 of max|lambda|.  A backward-stable Hermitian/skew eigensolver is
  accurate to ~N eps ||S|| (observed <= 2e-15 relative between LAPACK drivers).
* eigenvector-derived invariants: max(1e-10, 100 eps ||S|| / gap) of max_r ||X_r||^2,
  X = [P; B].  First-order perturbation theory bounds the eigenvector error of each
  cluster by eps ||S|| / gap (gap = distance to the rest of the spectrum); for the
  measures used here ||S||/gap <= ~3e3, so the error is <= ~1e-12; the factor 100 covers
  the N-dependent constants of two different eigensolvers.
* output-only identities (unitarity, reconstructions): 1e-10; they hold to ~N eps in a
  correct implementation while any bug gives O(1) residuals.
* Euler family: max(1e-12, 10 eps kappa_1(I - alpha dt A)) of max|ref|.  A linear solve
  is backward stable, so the forward error is ~eps kappa (observed <= 3 eps kappa);
  kappa <= ~1.3e3 here, so the tolerance stays <= ~3e-12.
* zoh: max(1e-11, 100 eps ||dt A||_1) of max|ref|.  The relative condition number of
  expm(X) is at least ||X||, and scaling-and-squaring delivers ~eps ||X||; scipy's expm
  was measured against a 40-digit mpmath expm at ||dt A||_1 ~ 1100 with error 6e-14,
  so this leaves a 100x margin for a different (still accurate) algorithm.
* approximate state: 1e-10 of max|state|.  Rounding errors of the recurrences were
  measured (float64 vs 80-bit long double for LegS, two discretisations for LegT over
  2000 steps) at <= 3e-13 relative.
* mse consistency: 1e-12 relative: a mean of L <= 2000 non-negative squares is exact to
  ~L eps / 2 ~ 2e-13 whatever the summation order.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile

import numpy as np
import scipy.linalg as sla

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_harness import (  # noqa: E402 - found via this script's own directory
    Case, Checker, OutputError, decode_complex, executable_error, field, finish, fmt,
    is_number, run_families)

EPS = np.finfo(np.float64).eps

# --------------------------------------------------------------------------------------
# Tolerances (see the module docstring for the full reasoning).
# --------------------------------------------------------------------------------------
# Closed-form HiPPO / S4D entries: equivalent evaluation orders differ by a few ulps.
TOL_CLOSED_FORM = 1e-13
# Skew-symmetry of A + P^T P - cI computed from the output itself: few ulps of the
# entries, times the cancellation in A + P^T P (entries of size ~max|A|).
TOL_STRUCTURE = 1e-12
# Eigenvalues of a real skew(+cI) matrix: backward-stable solvers give ~N eps ||S||.
TOL_EIGENVALUE = 1e-10
# Floor and safety factor of the eigenvector tolerance 100 eps ||S|| / gap.
TOL_EIGVEC_FLOOR = 1e-10
EIGVEC_SAFETY = 100.0
# Identities on the output alone: exact to ~N eps when correct, O(1) when wrong.
TOL_IDENTITY = 1e-10
# The contract says normalResidual is a small number below 1e-9.
TOL_NORMAL_RESIDUAL = 1e-9
# The golden LegS N = 8 eigenvalues are quoted to 6 decimals (rounding error 5e-7).
TOL_GOLDEN = 1e-6
# Euler family: backward-stable solves, forward error ~ eps * kappa (observed <= 3).
TOL_EULER_FLOOR = 1e-12
EULER_SAFETY = 10.0
# zoh: expm is accurate to ~eps ||dt A|| (scipy measured 6e-14 at ||dt A||_1 ~ 1100).
TOL_ZOH_FLOOR = 1e-11
ZOH_SAFETY = 100.0
# approximate: recurrence rounding measured <= 3e-13 relative over 2000 steps.
TOL_STATE = 1e-10
# mse: a mean of <= 2000 non-negative squares is exact to ~2e-13 in any order.
TOL_MSE = 1e-12
# Reconstruction quality contract: mse < 1e-3 * mean square for smooth signals, N = 32.
QUALITY_RATIO = 1e-3

HIPPO_MEASURES = ("legs", "legt", "lmu", "lagt", "tlagt", "fout")
NATURAL_RANK = {"legs": 1, "legt": 2, "lagt": 1, "tlagt": 1, "fout": 1}  # lmu: not NPLR
DPLR_MEASURES = tuple(NATURAL_RANK)
S4D_MEASURES = ("lin", "inv", "real", "legs")
DISCRETIZE_METHODS = ("forward-euler", "backward-euler", "bilinear", "gbt", "zoh")
APPROX_METHODS = ("forward", "backward", "bilinear", "zoh")
APPROX_TO_DISCRETIZE = {"forward": "forward-euler", "backward": "backward-euler",
                        "bilinear": "bilinear", "zoh": "zoh"}
APPROX_SIZES = (4, 8, 16, 32, 64)
GOLDEN_LEGS8_IM = (19.857410, 5.354209, 1.957794, 0.427489)  # sorted so Im ascends


# ======================================================================================
# Reference implementations
# ======================================================================================

def hippo_reference(measure, n_state, theta=1.0, beta=1.0, rank=None):
    """Return (A, B, P) per the contract.  P has `rank` rows (natural rank if None);
    P is None for lmu.  Raises ValueError for combinations the contract forbids."""
    N = n_state
    n = np.arange(N)
    r = np.sqrt(2.0 * n + 1.0)
    if measure == "legs":
        A = -np.tril(np.outer(r, r), -1) - np.diag(n + 1.0)
        B = r.copy()
        P = np.sqrt(n + 0.5)[None, :]
    elif measure == "legt":
        # (-1)^(n-k) for k > n; numpy's % gives a non-negative parity for n - k < 0.
        parity = (n[:, None] - n[None, :]) % 2
        sign = np.where(n[None, :] <= n[:, None], 1.0, np.where(parity == 0, 1.0, -1.0))
        A = -(1.0 / theta) * np.outer(r, r) * sign
        B = (1.0 / theta) * r
        q = np.sqrt((2.0 * n + 1.0) / theta)
        P = np.vstack([np.where(n % 2 == 1, q, 0.0), np.where(n % 2 == 0, q, 0.0)])
    elif measure == "lmu":
        parity = (n[:, None] - n[None, :] + 1) % 2
        sign = np.where(n[:, None] < n[None, :], -1.0, np.where(parity == 0, 1.0, -1.0))
        A = ((2.0 * n + 1.0) / theta)[:, None] * sign
        B = ((2.0 * n + 1.0) / theta) * np.where(n % 2 == 0, 1.0, -1.0)
        P = None
    elif measure == "lagt":
        A = 0.5 * np.eye(N) - np.tril(np.ones((N, N)))
        B = np.ones(N)
        P = np.full((1, N), math.sqrt(0.5))
    elif measure == "tlagt":
        A = ((1.0 - beta) / 2.0) * np.eye(N) - np.tril(np.ones((N, N)))
        B = beta * np.ones(N)
        P = np.full((1, N), math.sqrt(0.5))
    elif measure == "fout":
        if N % 2:
            raise ValueError("fout needs even N")
        S = np.zeros((N, N))
        B = np.zeros(N)
        B[0] = 1.0
        for k in range(1, N // 2):
            S[2 * k, 2 * k + 1] = -math.pi * k
            S[2 * k + 1, 2 * k] = math.pi * k
            B[2 * k] = math.sqrt(2.0)
        A = S - np.outer(B, B)
        P = B[None, :].copy()
    else:
        raise ValueError(measure)
    if rank is not None:
        if P is None:
            raise ValueError("lmu has no low-rank correction")
        if rank < P.shape[0]:
            raise ValueError("rank below natural rank")
        P = np.vstack([P, np.zeros((rank - P.shape[0], N))])
    return A, B, P


class DplrReference:
    """Eigen-decomposition of the normal part A + P^T P = cI + S (S real skew)."""

    def __init__(self, A, B, P):
        N = A.shape[0]
        self.N, self.half = N, N // 2
        M = A + P.T @ P
        self.c = np.trace(M) / N
        S = M - self.c * np.eye(N)
        assert np.max(np.abs(S + S.T)) <= 1e-12 * max(1.0, np.max(np.abs(M))), \
            "reference bug: A + P^T P - cI is not skew"
        # -iS is Hermitian; S w = i mu w  <=>  (-iS) w = mu w.  eigh sorts mu ascending,
        # which is exactly "Im lambda ascending" for lambda = c + i mu.
        self.mu, self.W = np.linalg.eigh(-1j * S)
        self.norm_s = float(np.max(np.abs(self.mu))) if N else 0.0
        self.lam = self.c + 1j * self.mu[: self.half]
        self.X = np.vstack([P, B[None, :]])          # rows [P_0 .. P_{R-1}, B]
        self.Bt = self.W[:, : self.half].conj().T @ B
        self.clusters = self._clusters()

    def _clusters(self):
        """Group the kept eigenvalues into clusters of (numerically) equal values."""
        mu, half = self.mu, self.half
        ctol = 1e-8 * max(1.0, self.norm_s)
        groups, cur = [], [0]
        for i in range(1, half):
            if mu[i] - mu[i - 1] > ctol:
                groups.append(cur)
                cur = []
            cur.append(i)
        groups.append(cur)
        out = []
        for idx in groups:
            zero = bool(np.all(np.abs(mu[idx]) <= ctol))
            if zero:
                full = [j for j in range(self.N) if abs(mu[j]) <= ctol]
            else:
                full = list(idx)
            others = np.array([mu[j] for j in range(self.N) if j not in full])
            gap = (float(np.min(np.abs(others[:, None] - mu[idx][None, :])))
                   if others.size else math.inf)
            Wf = self.W[:, full]
            proj = Wf @ Wf.conj().T
            # Gram of M_c = (V_c^H X^T)^T: M_c M_c^H = X conj(V_c V_c^H) X^T.  For a zero
            # cluster 2 Re of it equals X Pi X^T, Pi the projector on the real null space.
            gram = self.X @ proj.conj() @ self.X.T
            if zero:
                gram = gram.real
            tol = max(TOL_EIGVEC_FLOOR,
                      EIGVEC_SAFETY * EPS * self.norm_s / gap if gap > 0 else math.inf)
            out.append({"idx": idx, "zero": zero, "gram": gram, "tol": tol,
                        "mu": float(np.mean(mu[idx]))})
        return out


def discretize_reference(A, B, dt, method, alpha=None):
    """Return (Abar, Bbar, tol) for the contract's discretisation methods."""
    N = A.shape[0]
    eye = np.eye(N)
    if method == "zoh":
        # expm of the augmented matrix [[A, B], [0, 0]] dt: valid for singular A too.
        aug = np.zeros((N + 1, N + 1))
        aug[:N, :N] = A * dt
        aug[:N, N] = B * dt
        E = sla.expm(aug)
        tol = max(TOL_ZOH_FLOOR, ZOH_SAFETY * EPS * np.linalg.norm(A * dt, 1))
        return E[:N, :N], E[:N, N], tol
    a = {"forward-euler": 0.0, "backward-euler": 1.0, "bilinear": 0.5, "gbt": alpha}[method]
    if a == 0.0:
        return eye + dt * A, dt * B, TOL_EULER_FLOOR
    lhs = eye - a * dt * A
    rhs = eye + (1.0 - a) * dt * A
    tol = max(TOL_EULER_FLOOR, EULER_SAFETY * EPS * np.linalg.cond(lhs, 1))
    return np.linalg.solve(lhs, rhs), np.linalg.solve(lhs, dt * B), tol


def legs_states(n_state, u, method):
    """Final state of the time-varying LegS recurrence (t = 1..L consumes u[t-1])."""
    A, B, _ = hippo_reference("legs", n_state)
    N = n_state
    eye = np.eye(N)
    c = np.zeros(N)
    for t in range(1, len(u) + 1):
        x = u[t - 1]
        if method == "forward":
            c = (eye + A / t) @ c + (B / t) * x
        elif method == "backward":
            c = sla.solve_triangular(eye - A / t, c + (B / t) * x, lower=True)
        elif method == "bilinear":
            c = sla.solve_triangular(eye - A / (2.0 * t), (eye + A / (2.0 * t)) @ c + (B / t) * x,
                                     lower=True)
        elif method == "zoh":
            # E = expm(A h), A^{-1}(E - I) B = int_0^h expm(sA) ds B, h = log((t+1)/t),
            # both read off one augmented exponential (better conditioned than A^{-1}).
            h = math.log1p(1.0 / t)
            aug = np.zeros((N + 1, N + 1))
            aug[:N, :N] = A * h
            aug[:N, N] = B * h
            E = sla.expm(aug)
            c = E[:N, :N] @ c + E[:N, N] * x
        else:
            raise ValueError(method)
    return c


def legt_states(n_state, u, method, dt, theta):
    """Final state of the LTI LegT recurrence c_k = Abar c_{k-1} + Bbar u[k]."""
    A, B, _ = hippo_reference("legt", n_state, theta=theta)
    Abar, Bbar, _ = discretize_reference(A, B, dt, APPROX_TO_DISCRETIZE[method])
    c = np.zeros(n_state)
    for x in u:
        c = Abar @ c + Bbar * x
    return c


def legt_window(length, dt, theta):
    """W = number of samples j in 0..L-1 with (L - j - 1/2) dt < theta."""
    j = np.arange(length)
    return int(np.sum((length - j - 0.5) * dt < theta))


def forward_euler_dt_limit(A):
    """Largest dt with |1 + dt lambda| <= 1 for every eigenvalue of A."""
    ev = np.linalg.eigvals(A)
    return float(np.min(-2.0 * ev.real / np.abs(ev) ** 2))


def self_test_reference():
    """Sanity checks of the reference itself (a failure here is a bug of this script)."""
    for m in DPLR_MEASURES:
        for N in (2, 8, 16):
            A, B, P = hippo_reference(m, N, theta=0.7, beta=0.3)
            DplrReference(A, B, P)  # asserts skew-symmetry
    ref = DplrReference(*hippo_reference("legs", 8))
    golden = -0.5 - 1j * np.array(GOLDEN_LEGS8_IM)
    assert np.max(np.abs(ref.lam - golden)) < TOL_GOLDEN, "reference bug: LegS golden"
    A, B, P = hippo_reference("legt", 6, theta=2.0)
    M = A + P.T @ P
    assert np.max(np.abs(np.diag(M))) < 1e-14 and np.max(np.abs(M + M.T)) < 1e-13
    assert sum(abs(ref.mu[i]) < 1e-12 for i in range(8)) == 0
    fo = DplrReference(*hippo_reference("fout", 8))
    assert sum(abs(x) < 1e-12 for x in fo.mu) == 2, "reference bug: fout zero modes"


# ======================================================================================
# JSON output parsing (the shared harness decodes numbers and [re, im] pairs)
# ======================================================================================

def _to_complex(value, ndim):
    if ndim == 0:
        z = decode_complex(value)
        if z is None:
            raise OutputError(f"expected a number or [re, im], got {str(value)[:60]}")
        return z
    if not isinstance(value, list):
        raise OutputError(f"expected a list, got {str(value)[:60]}")
    return [_to_complex(v, ndim - 1) for v in value]


def as_array(value, shape, is_complex):
    """Parse a nested list with len(shape) list levels whose leaves are numbers or
    [re, im] pairs, check its shape, and return a float or complex ndarray."""
    nested = _to_complex(value, len(shape))
    try:
        arr = np.array(nested, dtype=complex)
    except ValueError as exc:  # ragged
        raise OutputError(f"ragged array: {exc}") from None
    if arr.shape != tuple(shape):
        raise OutputError(f"shape {arr.shape}, expected {tuple(shape)}")
    if is_complex:
        return arr
    if np.any(arr.imag != 0):
        raise OutputError("non-zero imaginary part in a real field")
    return arr.real


# ======================================================================================
# Case generators (cases run through reference_harness.Checker)
# ======================================================================================

def random_hippo_params(rng, measure, allow_rank):
    """Random (N-independent) options: theta / beta / rank and matching argv."""
    theta, beta, rank, argv = 1.0, 1.0, None, []
    if measure in ("legt", "lmu") and rng.random() < 0.6:
        theta = float(10 ** rng.uniform(math.log10(0.25), math.log10(4.0)))
        argv += ["--theta", fmt(theta)]
    if measure == "tlagt" and rng.random() < 0.7:
        beta = float(rng.uniform(0.1, 3.0))
        argv += ["--beta", fmt(beta)]
    if allow_rank and measure != "lmu" and rng.random() < 0.5:
        rank = NATURAL_RANK[measure] + int(rng.integers(0, 3))
        argv += ["--rank", str(rank)]
    return theta, beta, rank, argv


def random_size(rng, measure, even=False, low=1, high=64):
    if even or measure == "fout":
        return 2 * int(rng.integers(max(1, (low + 1) // 2), high // 2 + 1))
    return int(rng.integers(low, high + 1))


# ---- hippo ----
def gen_hippo(ck, rng, count):
    for i in range(count):
        measure = HIPPO_MEASURES[i % len(HIPPO_MEASURES)]
        N = random_size(rng, measure)
        theta, beta, rank, opts = random_hippo_params(rng, measure, allow_rank=True)
        A, B, P = hippo_reference(measure, N, theta, beta, rank)
        case = Case(["hippo", measure, "--state-size", str(N)] + opts + ["--json"])

        def check(obj, case, A=A, B=B, P=P, N=N, rank=rank):
            Ao = as_array(field(obj, "A"), (N, N), False)
            Bo = as_array(field(obj, "B"), (N,), False)
            case.close("A", Ao, A, TOL_CLOSED_FORM)
            case.close("B", Bo, B, TOL_CLOSED_FORM)
            if rank is None:
                case.require("P", obj.get("P") is None, "P present without --rank", "absent")
                return
            Po = as_array(field(obj, "P"), (rank, N), False)
            case.close("P", Po, P, TOL_CLOSED_FORM, scale=max(1.0, float(np.max(np.abs(P)))))
            # Structure of the output itself: A + P^T P = cI + skew.
            M = Ao + Po.T @ Po
            c = np.trace(M) / N
            case.close("A + P^T P - cI skew (output)", M + M.T, 2 * c * np.eye(N),
                       TOL_STRUCTURE, scale=max(1.0, float(np.max(np.abs(M)))))

        ck.valid_case(case, check)


# ---- dplr ----
def check_dplr_output(obj, case, A, B, P):
    N, R = A.shape[0], P.shape[0]
    half = N // 2
    ref = DplrReference(A, B, P)
    lam = as_array(field(obj, "lambda"), (half,), True)
    Pt = as_array(field(obj, "P"), (R, half), True)
    Bt = as_array(field(obj, "B"), (half,), True)
    V = as_array(field(obj, "V"), (N, half), True)
    res = field(obj, "normalResidual")
    if not is_number(res):
        raise OutputError("normalResidual is not a number")

    lam_scale = max(1e-300, float(np.max(np.abs(ref.lam))))
    case.close("lambda", lam, ref.lam, TOL_EIGENVALUE, scale=lam_scale)
    im = lam.imag
    case.require("lambda order (Im ascending)", bool(np.all(np.diff(im) >= -TOL_EIGENVALUE
                                                            * lam_scale)), "not sorted")
    case.require("lambda Im <= 0", bool(np.all(im <= TOL_EIGENVALUE * lam_scale)),
                 f"max Im = {float(np.max(im)):.3e}")

    # Unitary-invariant Gram matrices of [P~; B~] per eigenvalue cluster.
    Xo = np.vstack([Pt, Bt[None, :]])
    gscale = max(1e-300, float(np.max(np.sum(ref.X ** 2, axis=1))))
    for cl in ref.clusters:
        Xc = Xo[:, cl["idx"]]
        gram = Xc @ Xc.conj().T
        if cl["zero"]:
            gram = 2.0 * gram.real
            what = "zero-mode 2Re sum P~ conj(P~)/B~ (phase-invariant)"
        else:
            what = f"P~ conj(P~), P~ conj(B~), |B~|^2 at Im lambda={cl['mu']:.6g}"
        case.close(what, gram, cl["gram"], cl["tol"], scale=gscale)

    # Identities on the output alone (conjugate-extended system).
    U = np.hstack([V, V.conj()])
    case.close("[V, conj V] unitary", U.conj().T @ U, np.eye(N), TOL_IDENTITY, scale=1.0)
    lam_ext = np.concatenate([lam, lam.conj()])
    P_rec = (U @ np.hstack([Pt, Pt.conj()]).T).T
    B_rec = U @ np.concatenate([Bt, Bt.conj()])
    case.close("V_ext P~_ext = P (real)", P_rec, P.astype(complex), TOL_IDENTITY,
               scale=max(1.0, float(np.max(np.abs(P)))))
    case.close("V_ext B~_ext = B (real)", B_rec, B.astype(complex), TOL_IDENTITY,
               scale=max(1.0, float(np.max(np.abs(B)))))
    Pr = P_rec.real
    A_rec = (U * lam_ext[None, :]) @ U.conj().T - Pr.T @ Pr
    case.close("V_ext diag(L_ext) V_ext^H - P^T P = A", A_rec, A.astype(complex),
               TOL_IDENTITY, scale=max(float(np.max(np.abs(A))), lam_scale))
    case.require("normalResidual", math.isfinite(res) and 0 <= res < TOL_NORMAL_RESIDUAL,
                 f"{res!r}", f"[0, {TOL_NORMAL_RESIDUAL:g})")


def gen_dplr(ck, rng, count):
    for i in range(count):
        measure = DPLR_MEASURES[i % len(DPLR_MEASURES)]
        N = random_size(rng, measure, even=True)
        theta, beta, rank, opts = random_hippo_params(rng, measure, allow_rank=True)
        A, B, P = hippo_reference(measure, N, theta, beta, rank)
        case = Case(["dplr", measure, "--state-size", str(N)] + opts + ["--json"])
        ck.valid_case(case, lambda obj, case, A=A, B=B, P=P: check_dplr_output(obj, case, A, B, P))


def gen_golden(ck):
    case = Case(["dplr", "legs", "--state-size", "8", "--json"])

    def check(obj, case):
        lam = as_array(field(obj, "lambda"), (4,), True)
        golden = -0.5 - 1j * np.array(GOLDEN_LEGS8_IM)
        case.close("golden LegS N=8 lambda", lam, golden, TOL_GOLDEN, scale=1.0)
        check_dplr_output(obj, case, *hippo_reference("legs", 8))

    ck.valid_case(case, check)


# ---- s4d-init ----
def gen_s4d(ck, rng, count):
    for i in range(count):
        measure = S4D_MEASURES[i % len(S4D_MEASURES)]
        N = random_size(rng, measure, even=True)
        half = N // 2
        n = np.arange(half)
        case = Case(["s4d-init", measure, "--state-size", str(N), "--json"])

        def check(obj, case, measure=measure, N=N, half=half, n=n):
            lam = as_array(field(obj, "lambda"), (half,), True)
            Bo = as_array(field(obj, "B"), (half,), True)
            if measure == "legs":
                ref = DplrReference(*hippo_reference("legs", N))
                case.close("lambda (conj of LegS DPLR)", lam, ref.lam.conj(), TOL_EIGENVALUE)
                tol = max(cl["tol"] for cl in ref.clusters)   # eigenvector-based
                case.close("|B|", np.abs(Bo), np.abs(ref.Bt), tol,
                           scale=float(np.linalg.norm(ref.X[-1])))
                return
            if measure == "lin":
                ref_lam = -0.5 + 1j * math.pi * n
            elif measure == "inv":
                ref_lam = -0.5 + 1j * (N / math.pi) * (N / (2.0 * n + 1.0) - 1.0)
            else:  # real
                ref_lam = -(n + 1.0) + 0j
            case.close("lambda", lam, ref_lam, TOL_CLOSED_FORM)
            case.close("B", Bo, np.ones(half, dtype=complex), TOL_CLOSED_FORM)

        ck.valid_case(case, check)


# ---- discretize ----
def gen_discretize(ck, rng, count):
    sources = HIPPO_MEASURES + ("random",)
    for i in range(count):
        # 7 sources x 5 methods are coprime: every pair appears once per 35 cases.
        source = sources[i % len(sources)]
        method = DISCRETIZE_METHODS[i % len(DISCRETIZE_METHODS)]
        dt = float(10 ** rng.uniform(-3, -1))  # log-uniform in [1e-3, 1e-1]
        if source == "random":
            N = random_size(rng, source)
            scale = 10 ** rng.uniform(-1, 1.3)
            A = rng.standard_normal((N, N)) * scale / math.sqrt(N) \
                - rng.uniform(0, 1) * scale * np.eye(N)
            B = rng.standard_normal(N)
            desc = f"<random A,B N={N}>"
        else:
            N = random_size(rng, source)
            theta, beta, _, _ = random_hippo_params(rng, source, allow_rank=False)
            A, B, _ = hippo_reference(source, N, theta, beta)
            desc = f"<{source} N={N} theta={theta:.4g} beta={beta:.4g}>"
        alpha = None
        opts = []
        if method == "gbt":
            alpha = float(rng.choice([0.0, 0.5, 1.0])) if rng.random() < 0.3 \
                else float(rng.uniform(0, 1))
            opts = ["--alpha", fmt(alpha)]
        Abar, Bbar, tol = discretize_reference(A, B, dt, method, alpha)
        path = ck.write_file({"A": A.tolist(), "B": B.tolist()})
        case = Case(["discretize", "--method", method] + opts +
                    ["--dt", fmt(dt), "--input", path, "--json"], {path: desc})

        def check(obj, case, Abar=Abar, Bbar=Bbar, tol=tol, N=N):
            case.close("Abar", as_array(field(obj, "Abar"), (N, N), False), Abar, tol)
            case.close("Bbar", as_array(field(obj, "Bbar"), (N,), False), Bbar, tol)

        ck.valid_case(case, check)


# ---- approximate ----
def smooth_signal(rng, length, span):
    """Sum of 2-3 sines with 0.3..2 cycles over `span` samples, starting at rest (zero
    phase).  Starting at 0 matters for LegS: its recurrence starts from c = 0 at t = 1,
    so the first few samples are inherently badly represented (measured: with an
    arbitrary phase/offset these samples alone push mse/mean-square to ~1e-3 for zoh)."""
    k = np.arange(length, dtype=float)
    u = np.zeros(length)
    for _ in range(int(rng.integers(2, 4))):
        cycles = rng.uniform(0.3, 2.0)
        u += rng.uniform(0.3, 1.0) * rng.choice([-1.0, 1.0]) * np.sin(2 * math.pi * cycles * k / span)
    return u


def approximate_case(ck, rng, measure, N, method, length, smooth, quality=False):
    argv = ["approximate", measure, "--state-size", str(N)]
    dt, theta = 1e-3, 1.0
    if measure == "legt":
        A, _, _ = hippo_reference("legt", N)
        # Mostly signals that cover the whole window (L dt >= theta); about a quarter are
        # shorter than the window, where the contract gives W = L (all samples).
        full_window = quality or rng.random() < 0.75
        while True:
            dt_given = rng.random() < 0.6 and not quality
            dt = float(10 ** rng.uniform(math.log10(2e-4), math.log10(5e-3))) if dt_given else 1e-3
            theta_given = rng.random() < 0.5 and not quality
            theta = float(rng.uniform(0.5, 2.0)) if theta_given else 1.0
            if method == "forward":
                # Keep forward Euler stable (otherwise the state overflows).
                limit = 0.5 * forward_euler_dt_limit(A / theta)
                if dt > limit:
                    dt, dt_given = limit, True
            if full_window:
                needed = math.ceil(theta / dt) + 1
                if needed > 2000:
                    continue
                length = max(length, needed)
            # Avoid a window boundary (m - 1/2) dt == theta within rounding.
            ratio = theta / dt + 0.5
            if abs(ratio - round(ratio)) > 1e-6 or ratio > length + 2:
                break
        if theta_given:
            argv += ["--theta", fmt(theta)]
        if dt_given:
            argv += ["--dt", fmt(dt)]
        span = theta / dt
    else:
        span = length
    u = smooth_signal(rng, length, span) if smooth else rng.standard_normal(length)
    if measure == "legs":
        state = legs_states(N, u, method)
        target = u
    else:
        state = legt_states(N, u, method, dt, theta)
        target = u[length - legt_window(length, dt, theta):]
    path = ck.write_file({"signal": u.tolist()})
    desc = f"<{'smooth' if smooth else 'random'} signal L={length}>"
    argv += ["--method", method, "--input", path, "--json"]
    case = Case(argv, {path: desc})

    def check(obj, case):
        st = as_array(field(obj, "state"), (N,), False)
        case.close("state", st, state, TOL_STATE)
        rec = as_array(field(obj, "reconstruction"), (len(target),), False)
        mse = field(obj, "mse")
        if not is_number(mse):
            raise OutputError("mse is not a number")
        mse_ref = float(np.mean((rec - target) ** 2))
        case.close("mse = mean((reconstruction - signal)^2)", np.array([mse]),
                   np.array([mse_ref]), TOL_MSE, scale=max(mse_ref, 1e-300))
        if quality:
            ms = float(np.mean(target ** 2))
            case.require("reconstruction quality", mse < QUALITY_RATIO * ms,
                         f"mse/mean-square = {mse / ms:.3e}", f"< {QUALITY_RATIO:g}")

    ck.valid_case(case, check)


def gen_approximate(ck, rng, count):
    for i in range(count):
        measure = ("legs", "legt")[i % 2]
        method = APPROX_METHODS[(i // 2) % len(APPROX_METHODS)]
        N = int(rng.choice(APPROX_SIZES))
        length = int(rng.integers(50, 2001))
        if measure == "legs" and method == "zoh":
            # Time-varying zoh needs one expm per step, O(L N^3) in the binary too (a
            # debug build takes ~70 ms per step at N = 64): cap L to keep the run short.
            length = min(length, max(50, 200000 // N ** 3))
        approximate_case(ck, rng, measure, N, method, length, smooth=rng.random() < 0.5)


def gen_quality(ck, rng):
    # Measured with a Legendre reconstruction of the reference states (N = 32, any of the
    # sample-position conventions s = j, j + 1/2, j + 1): worst mse/mean-square was
    # 2e-4 for LegS (L >= 400; below that the per-sample staircase and the start-up
    # steps push it to ~1e-3) and 5e-5 for LegT (L >= 1200, window 1000 samples), so the
    # contract's 1e-3 has a >= 5x margin.  LegS zoh is left out here: at L >= 400 its
    # per-step expm makes one call take ~10 s in a debug build (its state is still
    # checked in the random cases).
    for measure, method in (("legs", "bilinear"), ("legt", "bilinear"), ("legt", "zoh")):
        length = int(rng.integers(400, 2001) if measure == "legs" else rng.integers(1200, 2001))
        approximate_case(ck, rng, measure, 32, method, length, smooth=True, quality=True)


# ---- bad input ----
def gen_bad(ck):
    A4, B4, _ = hippo_reference("legs", 4)
    good_ab = ck.write_file({"A": A4.tolist(), "B": B4.tolist()})
    good_sig = ck.write_file({"signal": np.sin(np.arange(100) / 10.0).tolist()})
    nonsquare = ck.write_file({"A": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "B": [1.0, 1.0]})
    mismatch = ck.write_file({"A": (-np.eye(3)).tolist(), "B": [1.0, 1.0]})
    broken = ck.write_file('{"A": [[1.0, 2.0], [3.0')
    missing = os.path.join(ck.tmpdir, "does-not-exist.json")
    nan_a = ck.write_file({"A": [[-1.0, float("nan")], [0.0, -2.0]], "B": [1.0, 1.0]})
    inf_sig = ck.write_file({"signal": [0.0, 1.0, float("inf"), 0.5]})
    labels = {good_ab: "<legs N=4 A,B>", good_sig: "<signal L=100>",
              nonsquare: "<non-square A>", mismatch: "<B length mismatch>",
              broken: "<truncated JSON>", missing: "<missing file>",
              nan_a: "<NaN in A>", inf_sig: "<Infinity in signal>"}

    def disc(dt="0.01", method="bilinear", path=good_ab):
        return ["discretize", "--method", method, "--dt", dt, "--input", path, "--json"]

    def approx(measure="legt", n="8", method="bilinear", path=good_sig, extra=()):
        return ["approximate", measure, "--state-size", n, *extra, "--method", method,
                "--input", path, "--json"]

    cases = [
        ["hippo", "foo", "--state-size", "4", "--json"],
        ["dplr", "foo", "--state-size", "4", "--json"],
        ["s4d-init", "foo", "--state-size", "4", "--json"],
        approx(measure="foo"),
        ["hippo", "legs", "--state-size", "0", "--json"],
        ["dplr", "legs", "--state-size", "0", "--json"],
        ["s4d-init", "lin", "--state-size", "0", "--json"],
        approx(n="0"),
        ["hippo", "legs", "--state-size", "-3", "--json"],
        ["dplr", "legs", "--state-size", "-3", "--json"],
        ["s4d-init", "lin", "--state-size", "-3", "--json"],
        approx(measure="legs", n="-3"),
        ["dplr", "legs", "--state-size", "5", "--json"],
        ["dplr", "fout", "--state-size", "7", "--json"],
        ["s4d-init", "lin", "--state-size", "5", "--json"],
        ["s4d-init", "legs", "--state-size", "5", "--json"],
        ["hippo", "fout", "--state-size", "5", "--json"],
        disc(dt="0"),
        disc(dt="-1"),
        disc(dt="nan"),
        disc(dt="inf"),
        approx(extra=("--dt", "0")),
        approx(extra=("--dt", "nan")),
        disc(path=nonsquare),
        disc(path=mismatch),
        disc(path=broken),
        approx(path=broken),
        disc(path=missing),
        approx(path=missing),
        disc(path=nan_a),
        disc(method="zoh", path=nan_a),
        approx(measure="legs", path=inf_sig),
        approx(path=inf_sig),
        disc(method="foo"),
        approx(method="foo"),
        ["hippo", "lmu", "--state-size", "4", "--rank", "1", "--json"],
        ["dplr", "lmu", "--state-size", "4", "--json"],
        ["dplr", "lmu", "--state-size", "4", "--rank", "2", "--json"],
        ["hippo", "legt", "--state-size", "4", "--rank", "1", "--json"],
        ["dplr", "legt", "--state-size", "4", "--rank", "1", "--json"],
        ["hippo", "legs", "--state-size", "4", "--rank", "0", "--json"],
    ]
    for argv in cases:
        ck.bad_case(Case(argv, labels))


# ======================================================================================

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ssm", required=True, help="path to the ssm binary")
    parser.add_argument("--cases", type=int, default=60,
                        help="random cases per command family (discretize gets twice as "
                             "many, s4d-init half); bad-input and golden cases are extra")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()

    if (status := executable_error(args.ssm)) is not None:
        return status
    self_test_reference()
    rng = np.random.default_rng(args.seed)
    n = max(1, args.cases)
    with tempfile.TemporaryDirectory(prefix="ssm-check-") as tmpdir:
        ck = Checker(os.path.abspath(args.ssm), tmpdir, args.verbose)
        families = [
            ("golden", lambda: gen_golden(ck)),
            ("hippo", lambda: gen_hippo(ck, rng, n)),
            ("dplr", lambda: gen_dplr(ck, rng, n)),
            ("s4d-init", lambda: gen_s4d(ck, rng, max(4, n // 2))),
            ("discretize", lambda: gen_discretize(ck, rng, 2 * n)),
            ("approximate", lambda: gen_approximate(ck, rng, n)),
            ("quality", lambda: gen_quality(ck, rng)),
            ("bad input", lambda: gen_bad(ck)),
        ]
        run_families(ck, families, args.verbose)
    return finish(ck)


if __name__ == "__main__":
    sys.exit(main())
