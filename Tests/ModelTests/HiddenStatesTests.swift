import Autodiff
import ModelTestSupport
import Models
import SeededRandom
import Testing

@Suite("Hidden states and the value head: the seam heads attach to")
struct HiddenStatesTests {
  let tokens = [[1, 4, 2, 0, 3], [2, 2, 1, 4, 0]]

  /// `h U + c` by explicit float64 loops over the hidden states `h` (`N × H`): the output layer
  /// read independently of the tape.
  func project(_ hidden: Tensor, weight: Tensor, bias: Tensor?) -> [Float] {
    let (width, vocabulary) = (weight.shape[0], weight.shape[1])
    return (0..<(hidden.shape[0] * vocabulary)).map { index in
      let (row, column) = (index / vocabulary, index % vocabulary)
      var sum = Double(bias?.values[column] ?? 0)
      for inner in 0..<width {
        sum += Double(hidden.values[row * width + inner]) * Double(weight.values[inner * vocabulary + column])
      }
      return Float(sum)
    }
  }

  /// The logits are the output layer (`weight`, `bias`) applied to the hidden states, which have
  /// shape `B·L × H`, and `outputLayer` returns exactly that layer (what Medusa heads copy). Tolerance: the tape's sgemm against a float64 loop over `H ≤ 16` terms of
  /// |h| ≲ 4 (layer-normalised) and |U| ≲ 1, rounding ≈ 1e-6; 1e-4 fails any other read-out.
  func expectLogitsReadTheHiddenStates<Model: SequenceModel>(_ model: Model, weight: Tensor, bias: Tensor?) throws {
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let hidden = tape.value(try model.hiddenStates(tokens, on: tape, training: false, generator: &unused))
    #expect(hidden.shape == [tokens.count * tokens[0].count, try #require(model.hiddenWidth)])
    let layer = try #require(model.outputLayer)
    #expect(layer.weight == weight && layer.bias == bias)
    let logits = try model.forward(tokens).values
    for (value, reference) in zip(logits, project(hidden, weight: weight, bias: bias)) {
      #expect(abs(value - reference) <= 1e-4)
    }
    // One pass for both (Medusa-2's joint loss): the same computation, so the same values.
    let joint = try model.logitsAndHiddenStates(tokens, on: tape, training: false, generator: &unused)
    #expect(tape.value(joint.hidden) == hidden)
    #expect(tape.value(joint.logits).values == logits)
  }

  @Test func s4dLogitsReadTheHiddenStates() throws {
    for meanPooling in [false, true] {
      let model = try S4Model(
        .init(vocabulary: 5, width: 8, depth: 2, stateSize: 8, meanPooling: meanPooling), seed: 1)
      try expectLogitsReadTheHiddenStates(model, weight: model.decoder.weight.value, bias: model.decoder.bias.value)
    }
  }

  @Test func transformerLogitsReadTheHiddenStates() throws {
    let untied = try TransformerModel(.init(vocabulary: 5, width: 8, depth: 2, heads: 2), seed: 2)
    let decoder = try #require(untied.decoder)
    try expectLogitsReadTheHiddenStates(untied, weight: decoder.weight.value, bias: decoder.bias.value)
    // Tied: the output layer is the transposed embedding table, no bias.
    let tied = try TransformerModel(.init(vocabulary: 5, width: 8, depth: 1, heads: 2, tiedEmbeddings: true), seed: 3)
    let table = try #require(tied.encoder.table).value
    var transposed = Tensor(shape: [8, 5])
    for row in 0..<5 { for column in 0..<8 { transposed.values[column * 5 + row] = table.values[row * 8 + column] } }
    try expectLogitsReadTheHiddenStates(tied, weight: transposed, bias: nil)
  }

  @Test func gruLogitsReadTheHiddenStates() throws {
    let model = try GRUModel(.init(vocabulary: 5, width: 8, depth: 2), seed: 4)
    try expectLogitsReadTheHiddenStates(model, weight: model.decoder.weight.value, bias: model.decoder.bias.value)
  }

  @Test func mambaLogitsReadTheHiddenStates() throws {
    let model = try MambaModel(.init(vocabulary: 5, width: 8, depth: 2, stateSize: 4), seed: 5)
    try expectLogitsReadTheHiddenStates(model, weight: model.decoder.weight.value, bias: model.decoder.bias.value)
  }

  @Test func valueHeadStartsAtZeroAndIsNamed() throws {
    let head = try ValueHead(width: 6)
    #expect(head.parameters.map(\.name) == ["value.weight", "value.bias"])
    #expect(head.parameterCount == 7 && head.width == 6)
    let tape = Tape(recordsGradients: false)
    let values = tape.value(try head(tape.constant(randomTensor([3, 6], seed: 1)), on: tape))
    // w = 0, c = 0: V = 0 exactly.
    #expect(values.shape == [3, 1] && values.values == [0, 0, 0])
    #expect(throws: AutodiffError.self) { try ValueHead(width: 0) }
  }

  @Test func valueHeadGradientsMatchFiniteDifferences() throws {
    // Random w, c, h: V = h w + c is linear, so central differences are exact up to float32
    // rounding; checkGradients' tolerance (1e-2 of the largest gradient) fails a wrong sign, a
    // transposed weight or a missing bias gradient.
    try checkGradients([randomTensor([4, 5], seed: 2), randomTensor([5, 1], seed: 3), randomTensor([1], seed: 4)]) {
      tape, inputs in
      try ValueHead.values(inputs[0], weight: inputs[1], bias: inputs[2], on: tape)
    }
  }
}
