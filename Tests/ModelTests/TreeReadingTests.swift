import Autodiff
import Models
import SeededRandom
import Testing

@Suite("Tree reading: one verification pass equals reading each path alone")
struct TreeReadingTests {
  let prompt = [1, 4, 2, 0, 3, 2]

  /// `|a − b| ≤ 1e-4 · max(1, max |b|)` everywhere: float32 recurrent or tree passes against the
  /// parallel forward, the per-family tolerance of the recurrent-mode tests (sums of a few hundred
  /// float32 terms in another order).
  func expectClose(_ a: [Float], _ b: [Float], _ what: String) {
    let scale = max(1, b.map(abs).max() ?? 0)
    let error = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    #expect(a.count == b.count && error <= 1e-4 * scale, "\(what): error \(error), scale \(scale)")
  }

  /// The last row of the parallel forward (logits) and of the parallel hidden states of `tokens`.
  func parallelLastRow<Model: SequenceModel>(_ model: Model, _ tokens: [Int]) throws -> (
    logits: [Float], hidden: [Float]
  ) {
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let hidden = tape.value(try model.hiddenStates([tokens], on: tape, training: false, generator: &unused))
    let width = hidden.shape[1]
    return (
      Array(try model.forward([tokens]).values.suffix(model.vocabulary)),
      Array(hidden.values[((tokens.count - 1) * width)...])
    )
  }

  /// A random tree of 14 nodes after the prompt (node 0 and node 6 follow the prompt, every other
  /// node a random earlier one): every node's logits and hidden state equal the parallel forward
  /// of prompt + its path, the state after each path then reads one more token as the parallel
  /// forward does, the prompt's chunked `prefillWithHiddenStates` equals the parallel hidden
  /// states, and a non-path is refused.
  func expectTreeMatchesPaths<Model: SequenceModel>(_ model: Model, seed: UInt64) throws {
    var state = try model.initialState(batchSize: 1)
    let read = try model.prefillWithHiddenStates([prompt], state: &state)
    let tape = Tape(recordsGradients: false)
    var unused = SeededGenerator(seed: 0)
    let parallelHidden = tape.value(try model.hiddenStates([prompt], on: tape, training: false, generator: &unused))
    expectClose(read.hidden.values, parallelHidden.values, "prompt hidden states")
    expectClose(read.logits.values, try model.forward([prompt]).values, "prompt logits")

    var generator = SeededGenerator(seed: seed)
    let nodes = 14
    let parents = (0..<nodes).map { $0 == 0 || $0 == 6 ? -1 : Int.random(in: 0..<$0, using: &generator) }
    let tokens = (0..<nodes).map { _ in Int.random(in: 0..<model.vocabulary, using: &generator) }
    let reading = try model.readTree(tokens, parents: parents, from: state)
    let (vocabulary, width) = (model.vocabulary, reading.hidden.shape[1])
    for node in 0..<nodes {
      var path = [node]
      while parents[path[0]] >= 0 { path.insert(parents[path[0]], at: 0) }
      let sequence = prompt + path.map { tokens[$0] }
      let reference = try parallelLastRow(model, sequence)
      expectClose(
        Array(reading.logits.values[(node * vocabulary)..<((node + 1) * vocabulary)]), reference.logits,
        "logits of node \(node)")
      expectClose(
        Array(reading.hidden.values[(node * width)..<((node + 1) * width)]), reference.hidden,
        "hidden state of node \(node)")
      var after = try model.state(after: path, of: reading)
      let next = tokens[(node + 3) % nodes]
      let stepped = try model.step([next], state: &after)
      expectClose(stepped.values, try parallelLastRow(model, sequence + [next]).logits, "step after node \(node)")
    }
    let notAPath = try #require((1..<nodes).first { parents[$0] >= 0 })
    #expect(throws: AutodiffError.self) { try model.state(after: [notAPath], of: reading) }
    #expect(throws: AutodiffError.self) { try model.readTree([0, 1], parents: [-1, 1], from: state) }
  }

  @Test(arguments: [PositionEncoding.rotary, .learned, .sinusoidal])
  func transformerReadsTheTreeInOnePass(positions: PositionEncoding) throws {
    let model = try TransformerModel(
      .init(vocabulary: 7, width: 16, depth: 2, heads: 2, positions: positions, contextLength: 64), seed: 3)
    try expectTreeMatchesPaths(model, seed: 11)
  }

  @Test func tiedTransformerReadsTheTreeInOnePass() throws {
    let model = try TransformerModel(.init(vocabulary: 7, width: 16, depth: 1, heads: 4, tiedEmbeddings: true), seed: 4)
    try expectTreeMatchesPaths(model, seed: 12)
  }

  @Test(arguments: [SSMLayerKind.diagonal, .dplr])
  func s4ForksAStatePerNode(layer: SSMLayerKind) throws {
    let model = try S4Model(.init(vocabulary: 7, width: 16, depth: 2, stateSize: 8, layer: layer), seed: 5)
    try expectTreeMatchesPaths(model, seed: 13)
  }

  @Test func mambaForksAStatePerNode() throws {
    try expectTreeMatchesPaths(try MambaModel(.init(vocabulary: 7, width: 16, depth: 2), seed: 6), seed: 14)
  }

  @Test func gruForksAStatePerNode() throws {
    try expectTreeMatchesPaths(try GRUModel(.init(vocabulary: 7, width: 16, depth: 2), seed: 7), seed: 15)
  }

  /// A transformer's tree state keeps only the path's cache entries: after the path its position is
  /// the prompt's plus the path's length, and rewinding a chain of three nodes keeps two.
  @Test func transformerStateAfterAPathHasReadThePathOnly() throws {
    let model = try TransformerModel(.init(vocabulary: 7, width: 16, depth: 2, heads: 2), seed: 8)
    var state = try model.initialState(batchSize: 1)
    _ = try model.prefill([prompt], state: &state)
    let reading = try model.readTree([3, 1, 5, 2], parents: [-1, 0, 0, 2], from: state)
    let after = try model.state(after: [0, 2, 3], of: reading)
    #expect(after.position == prompt.count + 3)
    #expect(after.caches.allSatisfy { $0.count == prompt.count + 3 })
  }
}
