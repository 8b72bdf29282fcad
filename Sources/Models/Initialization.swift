import Autodiff
import Foundation
import SeededRandom

/// The random initialisations shared by the S4 and S4D layers.
enum Initialization {
  /// Values `~ N(0, σ²)`.
  static func normal(_ shape: [Int], deviation: Double = 1, generator: inout SeededGenerator) -> Tensor {
    try! Tensor(
      shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextStandardNormal() * deviation) })
  }

  /// `log dt` uniform in `[log dt_min, log dt_max]`, one per channel.
  static func logTimeSteps(channels: Int, range: ClosedRange<Double>, generator: inout SeededGenerator) -> Tensor {
    let (low, high) = (Foundation.log(range.lowerBound), Foundation.log(range.upperBound))
    return try! Tensor(
      shape: [channels], values: (0..<channels).map { _ in Float(low + generator.nextUnitInterval() * (high - low)) })
  }

  /// The output vector (`C` or `C̃`, `S × M × 2` for `S` systems) `~ CN(0, 1)`: real and imaginary
  /// parts `N(0, ½)`, `log dt` (`S`, a state space parameter) and the skip `D ~ N(0, 1)` (`H`), as
  /// parameters named `name.*`. `S = H`, or `2H` for a bidirectional layer.
  static func outputSkipAndStep(
    name: String, outputName: String, channels: Int, systems: Int, modes: Int, dtRange: ClosedRange<Double>,
    generator: inout SeededGenerator
  ) -> (output: Parameter, skip: Parameter, logDt: Parameter) {
    let output = Parameter(
      name: "\(name).\(outputName)",
      value: normal([systems, modes, 2], deviation: 0.5.squareRoot(), generator: &generator))
    let logDt = Parameter(
      name: "\(name).logDt", value: logTimeSteps(channels: systems, range: dtRange, generator: &generator),
      role: .stateSpace)
    let skip = Parameter(name: "\(name).skip", value: normal([channels], generator: &generator))
    return (output, skip, logDt)
  }
}
