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

  /// Applies the block in convolution (parallel) mode; `generator` draws the dropout mask when `training`.
  public func callAsFunction(_ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try apply(x, on: tape, training: training, generator: &generator) { normalized in
      let channelsFirst = try tape.transpose(normalized, permutation: [0, 2, 1])
      return try tape.transpose(s4(channelsFirst, on: tape), permutation: [0, 2, 1])
    }
  }

  /// Applies the block in recurrent mode to the next `C` tokens of each sequence
  /// (`x`: `B × C × H`), advancing `recurrence` (the state of this block's S4 layer).
  /// Normalisation, GELU, GLU and the residual are the very operations of the parallel mode.
  public func callAsFunction(_ x: Variable, on tape: Tape, recurrence: inout SSMLayerRecurrence) throws -> Variable {
    var unused = SeededGenerator(seed: 0)
    return try apply(x, on: tape, training: false, generator: &unused) { normalized in
      let channelsFirst = tape.value(try tape.transpose(normalized, permutation: [0, 2, 1]))
      let (batch, channels, length) = (channelsFirst.shape[0], channelsFirst.shape[1], channelsFirst.shape[2])
      let y = try recurrence.run(channelsFirst.values, length: length)
      return try tape.transpose(
        tape.constant(Tensor(shape: [batch, channels, length], values: y)), permutation: [0, 2, 1])
    }
  }

  /// The block around a given sequence mixing: `mix` maps the normalised `B × L × H` input
  /// to the S4 layer's `B × L × H` output.
  private func apply(
    _ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator,
    mix: (Variable) throws -> Variable
  ) throws -> Variable {
    var z = try tape.glu(output(tape.gelu(mix(norm(x, on: tape))), on: tape))
    if training, dropout > 0 { z = try tape.dropout(z, probability: dropout, generator: &generator) }
    return try tape.add(x, z)
  }
}
