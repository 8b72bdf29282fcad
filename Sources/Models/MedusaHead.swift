import Autodiff
import Foundation

/// One Medusa head (Cai et al. 2024): on the backbone's last hidden state `h` (`… × H`) it
/// predicts a later token with the logits
///
///     z = (h + SiLU(h W + b)) U + c        (W: `H × H`, b: `H`, U: `H × V`, c: `V`)
///
/// The residual weights `W`, `b` start at zero and the projection `U`, `c` as a copy of the
/// backbone's own output layer, so an untrained head reproduces the backbone's next-token logits
/// (the initialisation of the published code).
public struct MedusaHead: Module {
  /// `W`, `H × H`.
  public let residualWeight: Parameter
  /// `b`, `H`.
  public let residualBias: Parameter
  /// `U`, `H × V`.
  public let projectionWeight: Parameter
  /// `c`, `V`.
  public let projectionBias: Parameter

  /// A head named `name.residual.{weight,bias}`, `name.projection.{weight,bias}` whose projection
  /// copies `outputWeight` (`H × V`) and `outputBias` (`V`, zeros when `nil`).
  public init(name: String, outputWeight: Tensor, outputBias: Tensor?) throws {
    guard outputWeight.rank == 2, outputWeight.shape[0] >= 1, outputWeight.shape[1] >= 1 else {
      throw AutodiffError.invalidArgument("output weight must be H × V with H, V ≥ 1, got \(outputWeight.shape)")
    }
    let (width, vocabulary) = (outputWeight.shape[0], outputWeight.shape[1])
    if let outputBias, outputBias.shape != [vocabulary] {
      throw AutodiffError.invalidArgument("output bias must have shape [\(vocabulary)], got \(outputBias.shape)")
    }
    residualWeight = Parameter(name: "\(name).residual.weight", value: Tensor(shape: [width, width]))
    residualBias = Parameter(name: "\(name).residual.bias", value: Tensor(shape: [width]))
    projectionWeight = Parameter(name: "\(name).projection.weight", value: outputWeight)
    projectionBias = Parameter(
      name: "\(name).projection.bias", value: outputBias ?? Tensor(shape: [vocabulary]))
  }

  /// The head's logits `… × V` for hidden states `hidden` (`… × H`) on `tape`.
  public func callAsFunction(_ hidden: Variable, on tape: Tape) throws -> Variable {
    try Self.logits(
      hidden, residualWeight: tape.parameter(residualWeight), residualBias: tape.parameter(residualBias),
      projectionWeight: tape.parameter(projectionWeight), projectionBias: tape.parameter(projectionBias), on: tape)
  }

  /// The head's `V` logits for one hidden state `hidden` (`H` values), the arithmetic of
  /// ``callAsFunction(_:on:)`` without a tape (decoding reads one state per pass).
  public func logits(hidden: [Float]) -> [Float] {
    let (width, vocabulary) = (residualWeight.value.shape[0], projectionWeight.value.shape[1])
    precondition(hidden.count == width, "a Medusa head reads \(width) values, got \(hidden.count)")
    let inner = Self.affine(hidden, weight: residualWeight.value, bias: residualBias.value, outputs: width)
    let residual = zip(hidden, inner).map { h, z in h + z / (1 + Foundation.exp(-z)) }
    return Self.affine(residual, weight: projectionWeight.value, bias: projectionBias.value, outputs: vocabulary)
  }

  /// `x W + b` for one row `x`.
  private static func affine(_ x: [Float], weight: Tensor, bias: Tensor, outputs: Int) -> [Float] {
    var y = [Float](repeating: 0, count: outputs)
    x.withUnsafeBufferPointer { x in
      weight.values.withUnsafeBufferPointer { weight in
        bias.values.withUnsafeBufferPointer { bias in
          y.withUnsafeMutableBufferPointer { y in
            RowKernels.affine(
              x.baseAddress!, rows: 1, weight: weight.baseAddress!, inputs: x.count, outputs: outputs,
              bias: bias.baseAddress!, into: y.baseAddress!)
          }
        }
      }
    }
    return y
  }

  /// `(h + SiLU(h W + b)) U + c` on `tape` for any variables of the shapes above.
  public static func logits(
    _ hidden: Variable, residualWeight: Variable, residualBias: Variable, projectionWeight: Variable,
    projectionBias: Variable, on tape: Tape
  ) throws -> Variable {
    let inner = tape.silu(try tape.linear(hidden, weight: residualWeight, bias: residualBias))
    return try tape.linear(try tape.add(hidden, inner), weight: projectionWeight, bias: projectionBias)
  }
}
