import FFT
import Numerics
import S4

/// What `ssm run` reports: both modes' outputs and the final state, in float64.
struct RunResult {
  /// Convolution mode: `K ∗ u + D u`.
  var y: [Complex<Double>]
  /// Recurrent mode, step by step.
  var yRecurrent: [Complex<Double>]
  /// `x_{L−1}`: the stored modes (diagonal, DPLR half) or the full dense state.
  var finalState: [Complex<Double>]
}

extension SystemInput {
  /// Runs `u` through the system in both modes, in the requested precision.
  func run(_ u: [Double], d: Double, precision: Precision) throws -> RunResult {
    switch precision {
    case .float32: return try run(u.map(Float.init), d: Float(d))
    case .float64: return try run(u, d: d)
    }
  }

  private func run<T: FFTScalar>(_ u: [T], d: T) throws -> RunResult {
    let length = u.count
    let shape = try SignalShape(batch: 1, channels: 1, length: length)
    let widen = { (values: [T]) in values.map { Complex(Double($0), 0) } }
    let widenComplex = { (values: [Complex<T>]) in values.map { Complex(Double($0.real), Double($0.imaginary)) } }
    switch self {
    case .diagonal(let system):
      let y = try causalConvolution(u, shape: shape, kernel: system.kernel(length: length, as: T.self), skip: [d])
      let recurrence = DiagonalRecurrence<T>(system)
      var state = recurrence.initialState(batch: 1)
      let yRecurrent = try recurrence.run(u, length: length, skip: [d], state: &state)
      return RunResult(y: widen(y), yRecurrent: widen(yRecurrent), finalState: widenComplex(state.values))
    case .dplr(let system):
      let y = try causalConvolution(u, shape: shape, kernel: system.kernel(length: length, as: T.self), skip: [d])
      let recurrence = try DPLRRecurrence<T>(system)
      var state = recurrence.initialState(batch: 1)
      let yRecurrent = try recurrence.run(u, length: length, skip: [d], state: &state)
      return RunResult(y: widen(y), yRecurrent: widen(yRecurrent), finalState: widenComplex(state))
    case .discrete(let system):
      // A complex kernel convolves its real and imaginary parts separately.
      let kernel = try system.kernel(length: length, as: T.self)
      let real = try causalConvolution(u, shape: shape, kernel: kernel.map(\.real), skip: [d])
      let imaginary =
        system.isReal
        ? [T](repeating: 0, count: length) : try causalConvolution(u, shape: shape, kernel: kernel.map(\.imaginary))
      let (yRecurrent, state) = try system.run(u, d: d)
      return RunResult(
        y: zip(real, imaginary).map { Complex(Double($0), Double($1)) }, yRecurrent: widenComplex(yRecurrent),
        finalState: widenComplex(state))
    }
  }
}
