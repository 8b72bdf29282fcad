import CBLAS
import Foundation

/// OpenBLAS picks its kernels when it loads, from the CPU model. On virtual machines that
/// report a generic model ("Intel(R) Xeon(R) Processor") it falls back to its oldest x86-64
/// kernels (Prescott, SSE3), which run sgemm several times slower than the AVX2 ones the
/// CPU supports. `OPENBLAS_CORETYPE` overrides the choice, but only when set before the
/// library loads; so an executable calls ``upgradeIfGeneric()`` first thing in `main`: when
/// OpenBLAS reports Prescott on a CPU with AVX2 and FMA, the process re-executes itself once
/// with the core type the CPU's flags support. A core type set by the user is always
/// respected. (`ssm` and the notebooks do this; a library cannot, so programs that import the
/// package may call it or set `OPENBLAS_CORETYPE` themselves.)
public enum BLASKernelSelection {
  /// Re-executes the process with a better `OPENBLAS_CORETYPE` if OpenBLAS fell back to its
  /// generic kernels (Linux only; returns normally when nothing needs to change or `execv` fails).
  public static func upgradeIfGeneric() {
    #if os(Linux)
      let environment = ProcessInfo.processInfo.environment
      guard environment["OPENBLAS_CORETYPE"] == nil, let name = openblas_get_corename(),
        String(cString: name).lowercased() == "prescott",
        let cpuInfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let flagLine = cpuInfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
      else { return }
      let flags = Set(flagLine.split(separator: " ").map(String.init))
      guard let core = coreType(flags: flags) else { return }
      setenv("OPENBLAS_CORETYPE", core, 1)
      execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv only returns on failure: carry on with the generic kernels.
    #endif
  }

  /// The newest OpenBLAS core type whose instructions `flags` (from /proc/cpuinfo) all include.
  public static func coreType(flags: Set<String>) -> String? {
    if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "fma"].allSatisfy(flags.contains) { return "SkylakeX" }
    if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
    return nil
  }
}
