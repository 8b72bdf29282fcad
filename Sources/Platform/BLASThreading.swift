import CBLAS

/// OpenBLAS runs on one thread in this process; the callers spread work over the cores
/// themselves. Left multi-threaded, OpenBLAS's workers contend with those threads (nested
/// parallelism: two thirds of a transformer forward were spent in `exec_blas_async`) and spin
/// after every call.
///
/// Code that calls OpenBLAS evaluates ``singleThreaded`` first; the setting is made once, on the
/// first evaluation, and costs a load after that:
///
/// ```swift
/// BLASThreading.singleThreaded
/// cblas_sgemm(…)
/// ```
public enum BLASThreading {
  /// `openblas_set_num_threads(1)`, run once per process.
  public static let singleThreaded: Void = openblas_set_num_threads(1)
}
