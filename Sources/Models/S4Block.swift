import Autodiff
import SeededRandom

/// A pre-norm S4 residual block on `x` (`B × L × H`):
///
///     z = LayerNorm(x) → S4/S4D convolution over L (per channel) → GELU → Linear(H → 2H) → GLU → dropout
///     y = x + z
public struct S4Block {
  /// The pre-normalisation.
  public let norm: LayerNorm
  /// The sequence-mixing S4/S4D layer.
  public let s4: SSMLayer
  /// The output projection `H → 2H` feeding the GLU.
  public let output: Linear
  /// Dropout probability after the GLU.
  public let dropout: Float

  /// A seeded block named `name.*`.
  public init(
    name: String, kind: SSMLayerKind, width: Int, stateSize: Int, dropout: Float, bidirectional: Bool = false,
    generator: inout SeededGenerator
  ) throws {
    norm = LayerNorm(name: "\(name).norm", width: width)
    s4 = try SSMLayer(
      kind: kind, name: "\(name).s4", channels: width, stateSize: stateSize, bidirectional: bidirectional,
      generator: &generator)
    output = Linear(name: "\(name).output", inputs: width, outputs: 2 * width, generator: &generator)
    self.dropout = dropout
  }

  /// The block's parameters.
  public var parameters: [Parameter] { norm.parameters + s4.parameters + output.parameters }

  /// Applies the block; `generator` draws the dropout mask when `training`.
  public func callAsFunction(_ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    let channelsFirst = try tape.transpose(norm(x, on: tape), permutation: [0, 2, 1])
    let mixed = try tape.transpose(s4(channelsFirst, on: tape), permutation: [0, 2, 1])
    var z = try tape.glu(output(tape.gelu(mixed), on: tape))
    if training, dropout > 0 { z = try tape.dropout(z, probability: dropout, generator: &generator) }
    return try tape.add(x, z)
  }
}
