import Foundation

/// What a command is about to allocate, estimated from its sizes alone (nothing allocated), for
/// ``MemoryBudget/check(_:)``.
///
/// Bytes are a `Double`, so that absurd sizes (`10¹⁶` attention scores) neither overflow nor
/// trap. The per-entry constants are upper bounds: each counts the arrays the code keeps at once,
/// checked against the peak resident size measured at two sizes (`/usr/bin/time -f %M`, the
/// difference removing the process's fixed ~30 MB), and rounded up.
struct MemoryEstimate {
  /// Bytes needed.
  let bytes: Double
  /// What they are for, with the formula: "the 20000 × 20000 operator and its output (96·N² bytes)".
  let purpose: String

  /// Bytes per entry of a real result printed by a command: the `Double` itself, the row arrays
  /// handed to the JSON writer, the JSON value tree (16 bytes an entry) and the printed text (~25
  /// characters); measured 83–88 bytes for `hippo` at N = 1000 … 2000 and 92 for `noise`.
  static let printedEntry = 96.0
  /// Bytes per entry `N²` of a dense eigendecomposition or matrix exponential with printed
  /// complex results (LAPACK work arrays, complex `N × N` copies, `[re, im]` JSON pairs);
  /// measured 158 for `dplr` and 124 for `s4d-init legs` at N = 200 … 400.
  static let denseDecompositionEntry = 256.0

  /// `ssm hippo`: `96·N²` for `A`, plus `96·R·N` for the rank correction `P`.
  static func hippoOperator(stateSize: Int, rank: Int?) -> MemoryEstimate {
    let n = Double(max(stateSize, 0))
    return MemoryEstimate(
      bytes: printedEntry * n * (n + Double(max(rank ?? 0, 0))),
      purpose: "the \(max(stateSize, 0)) × \(max(stateSize, 0)) operator and its output (96·N² bytes)")
  }

  /// `ssm dplr` and the S4D initialisations from it: `256·N²`.
  static func decomposition(stateSize: Int) -> MemoryEstimate {
    let n = Double(max(stateSize, 0))
    return MemoryEstimate(
      bytes: denseDecompositionEntry * n * n,
      purpose: "the eigendecomposition of the \(max(stateSize, 0)) × \(max(stateSize, 0)) operator (256·N² bytes)")
  }

  /// `ssm s4d-init`: `256·N²` for `legs` (a DPLR decomposition), `96·N` for the closed forms.
  static func initialization(stateSize: Int, dense: Bool) -> MemoryEstimate {
    dense
      ? decomposition(stateSize: stateSize)
      : MemoryEstimate(
        bytes: printedEntry * Double(max(stateSize, 0)),
        purpose: "the \(max(stateSize, 0)) eigenvalues and their output (96·N bytes)")
  }

  /// Reading a JSON input file of `f` bytes: `8·f` (the text, the parsed value tree of 16 bytes a
  /// number, and the arrays read from it, for numbers of at least two characters each).
  static func jsonFile(_ path: String) -> MemoryEstimate {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.doubleValue ?? 0
    return MemoryEstimate(bytes: 8 * size, purpose: "reading \(path) (8 bytes per byte of the file)")
  }

  /// `ssm discretize` of an `N`-state system: `288·N²` (the complex matrix exponential's
  /// work, `256·N²`, and the printed `Ā`, within `32·N²` more as it is real or shares arrays).
  static func discretization(stateSize: Int) -> MemoryEstimate {
    let n = Double(stateSize)
    return MemoryEstimate(
      bytes: (denseDecompositionEntry + 32) * n * n,
      purpose: "discretising a \(stateSize)-state system (288·N² bytes)")
  }

  /// `ssm approximate` of `L` samples with `N` coefficients: `288·N² + 2·96·L` (the discretised
  /// transition, and the signal and its printed reconstruction).
  static func approximation(stateSize: Int, samples: Int) -> MemoryEstimate {
    let n = Double(max(stateSize, 0))
    return MemoryEstimate(
      bytes: (denseDecompositionEntry + 32) * n * n + 2 * printedEntry * Double(samples),
      purpose: "approximating \(samples) samples with \(max(stateSize, 0)) coefficients (288·N² + 192·L bytes)")
  }

  /// `ssm noise`: `96·L` for `L` printed samples.
  static func signal(length: Int) -> MemoryEstimate {
    MemoryEstimate(
      bytes: printedEntry * Double(max(length, 0)),
      purpose: "\(max(length, 0)) samples and their output (96·L bytes)")
  }

  /// `ssm kernel` and `ssm run` of an `N`-state system over `L` steps: `16·N·L + 3·96·L` (the
  /// kernel's complex work per mode and step, which bounds the Vandermonde and Cauchy
  /// evaluations; the kernel, the outputs of both modes and their printed form) `+ 16·N²` for a
  /// dense system's `Ā`.
  static func kernel(stateSize: Int, length: Int) -> MemoryEstimate {
    let (n, l) = (Double(stateSize), Double(length))
    return MemoryEstimate(
      bytes: 16 * n * l + 3 * printedEntry * l + 16 * n * n,
      purpose: "the kernel of a \(stateSize)-state system over \(length) steps (16·N·L + 288·L + 16·N² bytes)")
  }

  /// `ssm bench conv-layer` on `B × H × L` inputs of `s`-byte numbers: `16·s·B·H·L + 4·s·H·L·M`
  /// (input, output, padded FFT spectra and their gradients; the kernel and its per-mode
  /// Vandermonde work, `M = N/2`).
  static func convolutionLayer(batch: Int, channels: Int, stateSize: Int, length: Int, scalarBytes: Int)
    -> MemoryEstimate
  {
    let (b, h, l, s) = (Double(batch), Double(channels), Double(length), Double(scalarBytes))
    let modes = Double(max(stateSize, 2)) / 2
    return MemoryEstimate(
      bytes: 16 * s * b * h * l + 4 * s * h * l * modes,
      purpose: "a (\(batch), \(channels), \(stateSize), \(length)) convolution layer (16·s·B·H·L + 4·s·H·L·N/2 bytes)")
  }

  /// `ssm bench selective-scan` at `(B, L, D, N)`: `4·(8·B·L·D + 6·B·L·N)` bytes of float32 arrays held at
  /// once (inputs `u`, `Δ`, the output, `∂ℒ/∂y` and the gradients of `u`, `Δ` with their tape copies; `B`, `C`
  /// and their gradients and copies).
  static func selectiveScan(batch: Int, length: Int, channels: Int, stateSize: Int) -> MemoryEstimate {
    let (rows, matrices) = (Double(batch) * Double(length) * Double(channels), Double(batch * length * stateSize))
    return MemoryEstimate(
      bytes: 4 * (8 * rows + 6 * matrices),
      purpose: "a (\(batch), \(length), \(channels), \(stateSize)) selective scan (4·(8·B·L·D + 6·B·L·N) bytes)")
  }

  /// `ssm bench step`: `2·s·T·B·H` (the `T` stepped inputs, flat and split per step) `+ 2·s·B·H·N`
  /// (the state).
  static func recurrentSteps(batch: Int, channels: Int, stateSize: Int, steps: Int, scalarBytes: Int)
    -> MemoryEstimate
  {
    let (b, h, s) = (Double(batch), Double(channels), Double(scalarBytes))
    return MemoryEstimate(
      bytes: 2 * s * Double(steps) * b * h + 2 * s * b * h * Double(max(stateSize, 0)),
      purpose: "\(steps) recurrent steps of \(batch) × \(channels) channels (2·s·T·B·H + 2·s·B·H·N bytes)")
  }
}
