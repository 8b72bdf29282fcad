import Autodiff
import SeededRandom

/// How a model turns its input into the `B × L × H` sequence its blocks read: a token
/// embedding, or a linear encoder of real-valued features.
///
/// Every family (``S4Model``, ``TransformerModel``, ``GRUModel``) holds one, chosen by its
/// configuration's `inputChannels`: `nil` builds ``tokens(_:)`` (the token path of
/// ``SequenceModel/logits(_:on:training:generator:)``), `C` builds ``features(_:)`` (the feature
/// path of ``SequenceModel/outputs(features:on:training:generator:)``). Either way the blocks,
/// the final normalisation and the output projection are the same, so the two kinds of model
/// differ in their first layer only.
public enum InputEncoder: Module {
  /// A token embedding table, `V × H`: token `v` at position `t` becomes row `v`.
  case tokens(Parameter)
  /// A linear encoder `C → H`: the features `u_t ∈ ℝ^C` at position `t` become `u_t W + b`
  /// (`W`: `C × H`, `b`: `H`).
  case features(Linear)

  /// Input channels `C` of a feature encoder, or `nil` for a token embedding.
  public var inputChannels: Int? {
    switch self {
    case .tokens: nil
    case .features(let linear): linear.weight.value.shape[0]
    }
  }

  /// The embedding table of a token encoder, or `nil`.
  public var table: Parameter? {
    if case .tokens(let table) = self { return table }
    return nil
  }

  /// The seeded encoder of the S4 and GRU families, named `encoder.*`: a linear encoder `C → H`
  /// (`encoder.input.*`) for `inputChannels` `C`, otherwise a `V × H` token table
  /// (`encoder.embedding`) drawn from N(0, 1).
  static func seeded(vocabulary: Int, width: Int, inputChannels: Int?, generator: inout SeededGenerator) throws
    -> InputEncoder
  {
    if let channels = inputChannels {
      return .features(Linear(name: "encoder.input", inputs: channels, outputs: width, generator: &generator))
    }
    return .tokens(
      Parameter(
        name: "encoder.embedding",
        value: try Tensor(
          shape: [vocabulary, width],
          values: (0..<(vocabulary * width)).map { _ in Float(generator.nextStandardNormal()) }
        )))
  }

  /// The embedded tokens (`B` rows of one length `L`): `B × L × H`.
  /// - Throws: `AutodiffError/shapeMismatch(_:)` for a ragged or empty batch, `AutodiffError/invalidArgument(_:)`
  ///   for a token outside the table or for a feature encoder (which reads no tokens).
  public func embed(_ tokens: [[Int]], on tape: Tape) throws -> Variable {
    guard case .tokens(let table) = self else {
      throw AutodiffError.invalidArgument(
        "this model reads \(inputChannels ?? 0) real-valued input channels, not tokens: use outputs(features:…)")
    }
    guard let length = tokens.first?.count, length > 0, tokens.allSatisfy({ $0.count == length }) else {
      throw AutodiffError.shapeMismatch("a batch needs at least one sequence, all of one non-zero length")
    }
    let embedded = try tape.embedding(tape.parameter(table), indices: tokens.flatMap { $0 })
    return try tape.reshape(embedded, to: [tokens.count, length, table.value.shape[1]])
  }

  /// The encoded features `x = u W + b` for `features` `u` (`B × L × C`): `B × L × H`.
  /// - Throws: `AutodiffError/shapeMismatch(_:)` unless `features` is `B × L × C` with `B, L ≥ 1`,
  ///   `AutodiffError/invalidArgument(_:)` for a token encoder.
  public func encode(_ features: Tensor, on tape: Tape) throws -> Variable {
    guard case .features(let linear) = self else {
      throw AutodiffError.invalidArgument("this model reads tokens, not real-valued features: use logits(_:…)")
    }
    let channels = linear.weight.value.shape[0]
    guard features.rank == 3, features.shape[0] >= 1, features.shape[1] >= 1, features.shape[2] == channels else {
      throw AutodiffError.shapeMismatch("features of shape \(features.shape); expected B × L × \(channels)")
    }
    return try linear(tape.constant(features), on: tape)
  }
}
