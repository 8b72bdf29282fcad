import Autodiff
import HiPPO
import SeededRandom

/// Where an ``S4Block`` normalises: before its branch (pre-norm) or after the residual sum (post-norm).
public enum NormPosition: String, Sendable, Codable, CaseIterable {
  /// `y = x + F(LayerNorm(x))`: the residual stream is never normalised (the S4 default).
  case pre
  /// `y = LayerNorm(x + F(x))`: the block's output is normalised (the original Transformer's layout).
  case post
}

/// How an ``S4Block`` maps the activated S4 output back to `H` channels.
public enum BlockOutput: String, Sendable, Codable, CaseIterable {
  /// `Linear(H → 2H)` then GLU, `[a, b] ↦ a ⊙ σ(b)` (the S4 repository's choice for most tasks).
  case glu
  /// `Linear(H → H)`, the plain output projection.
  case linear
}

/// An S4 residual block on `x` (`B × L × H`) with branch
///
///     F(v) = v → S4/S4D convolution over L (per channel) → GELU → Linear(H → 2H) → GLU → dropout
///
/// (or `… → GELU → Linear(H → H) → dropout` with ``BlockOutput/linear``) and output `y = x + F(LayerNorm(x))` (``NormPosition/pre``, the default) or
/// `y = LayerNorm(x + F(x))` (``NormPosition/post``).
public struct S4Block: Module {
  /// The block's normalisation (of the branch input when pre-norm, of the residual sum when post-norm).
  public let norm: LayerNorm
  /// The sequence-mixing S4/S4D layer.
  public let s4: SSMLayer
  /// The output projection: `H → 2H` feeding the GLU, or `H → H` (see ``outputKind``).
  public let output: Linear
  /// Whether ``output`` feeds a GLU or is the branch's output itself.
  public let outputKind: BlockOutput
  /// Dropout probability after the output (projection or GLU).
  public let dropout: Float
  /// Where ``norm`` acts.
  public let normPosition: NormPosition

  /// A seeded block named `name.*` with a new layer of `kind` (LegS initialisation for DPLR layers).
  ///
  /// - Parameters:
  ///   - name: the parameter name prefix.
  ///   - kind: diagonal (S4D) or DPLR (S4) layer.
  ///   - width: channels `H`.
  ///   - stateSize: `N` (`N/2` stored modes per channel).
  ///   - dropout: the dropout probability after the GLU.
  ///   - bidirectional: whether the layer also reads the future (`2H` systems, see ``SSMLayer``).
  ///   - normPosition: pre-norm (default) or post-norm.
  ///   - dtRange: the range of the layer's log-uniform initial `dt`.
  ///   - initialization: the diagonal layer's S4D initialisation (ignored by DPLR layers).
  ///   - outputKind: GLU (default) or a plain linear output projection.
  ///   - horizon: the DPLR layer's kernel horizon (``S4LayerParameters/horizon``; ignored by diagonal layers).
  ///   - generator: draws the initial parameters.
  public init(
    name: String, kind: SSMLayerKind, width: Int, stateSize: Int, dropout: Float, bidirectional: Bool = false,
    normPosition: NormPosition = .pre, dtRange: ClosedRange<Double> = 1e-3...1e-1,
    initialization: S4DInitialization = .lin, outputKind: BlockOutput = .glu,
    horizon: Int = S4LayerParameters.defaultHorizon, generator: inout SeededGenerator
  ) throws {
    let s4 = try SSMLayer(
      kind: kind, name: "\(name).s4", channels: width, stateSize: stateSize, bidirectional: bidirectional,
      dtRange: dtRange, initialization: initialization, horizon: horizon, generator: &generator)
    self.init(
      name: name, s4: s4, width: width, dropout: dropout, normPosition: normPosition, outputKind: outputKind,
      generator: &generator)
  }

  /// A seeded block named `name.*` around a given layer `s4` (for layers built with options
  /// ``SSMLayerKind`` does not carry, such as an ``S4LayerParameters`` from another HiPPO measure);
  /// `width` must be the layer's channel count `H`.
  public init(
    name: String, s4: SSMLayer, width: Int, dropout: Float, normPosition: NormPosition = .pre,
    outputKind: BlockOutput = .glu, generator: inout SeededGenerator
  ) {
    norm = LayerNorm(name: "\(name).norm", width: width)
    self.s4 = s4
    output = Linear(
      name: "\(name).output", inputs: width, outputs: outputKind == .glu ? 2 * width : width, generator: &generator)
    self.outputKind = outputKind
    self.dropout = dropout
    self.normPosition = normPosition
  }

  /// Applies the block in convolution (parallel) mode; `generator` draws the dropout mask when `training`.
  public func callAsFunction(_ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator) throws
    -> Variable
  {
    try apply(x, on: tape, training: training, generator: &generator) { input in
      let channelsFirst = try tape.transpose(input, permutation: [0, 2, 1])
      return try tape.transpose(s4(channelsFirst, on: tape), permutation: [0, 2, 1])
    }
  }

  /// Applies the block in recurrent mode to the next `C` tokens of each sequence
  /// (`x`: `B × C × H`), advancing `recurrence` (the state of this block's S4 layer).
  /// Normalisation, GELU, GLU and the residual are the very operations of the parallel mode
  /// (every one acts per position, so only the S4 layer carries state).
  public func callAsFunction(_ x: Variable, on tape: Tape, recurrence: inout SSMLayerRecurrence) throws -> Variable {
    var unused = SeededGenerator(seed: 0)
    return try apply(x, on: tape, training: false, generator: &unused) { input in
      let channelsFirst = tape.value(try tape.transpose(input, permutation: [0, 2, 1]))
      let (batch, channels, length) = (channelsFirst.shape[0], channelsFirst.shape[1], channelsFirst.shape[2])
      let y = try recurrence.run(channelsFirst.values, length: length)
      return try tape.transpose(
        tape.constant(Tensor(shape: [batch, channels, length], values: y)), permutation: [0, 2, 1])
    }
  }

  /// The block around a given sequence mixing: `mix` maps the `B × L × H` input of the S4
  /// layer (normalised when pre-norm) to the layer's `B × L × H` output.
  private func apply(
    _ x: Variable, on tape: Tape, training: Bool, generator: inout SeededGenerator,
    mix: (Variable) throws -> Variable
  ) throws -> Variable {
    let input = normPosition == .pre ? try norm(x, on: tape) : x
    let projected = try output(tape.gelu(mix(input)), on: tape)
    var z = outputKind == .glu ? try tape.glu(projected) : projected
    if training, dropout > 0 { z = try tape.dropout(z, probability: dropout, generator: &generator) }
    let sum = try tape.add(x, z)
    return normPosition == .pre ? sum : try norm(sum, on: tape)
  }
}
