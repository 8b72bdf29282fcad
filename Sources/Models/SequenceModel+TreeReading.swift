import Autodiff

extension SequenceModel {
  /// Throws `AutodiffError/invalidArgument(_:)`: the model exposes no hidden states.
  public func prefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws -> (logits: Tensor, hidden: Tensor)
  {
    throw AutodiffError.invalidArgument("\(Self.self) exposes no hidden states")
  }

  /// Forked states: node `i` steps a copy of its parent's state (of `state` for a first node) by
  /// its token with ``prefillWithHiddenStates(_:state:)``, `N` one-token steps in all, each a
  /// state the family's step makes independent of its source's.
  public func readTree(_ tokens: [Int], parents: [Int], from state: consuming State) throws -> TreeReading<State> {
    try TreeReading<State>.validate(tokens: tokens, parents: parents)
    let source = copy state
    var states: [State] = []
    var (logits, hidden) = ([Float](), [Float]())
    for (token, parent) in zip(tokens, parents) {
      var node = parent < 0 ? source : states[parent]
      let read = try prefillWithHiddenStates([[token]], state: &node)
      guard read.logits.count == vocabulary, read.hidden.rank == 3, read.hidden.shape[0] == 1 else {
        throw AutodiffError.shapeMismatch("a tree is read for one sequence, the state holds \(read.hidden.shape[0])")
      }
      logits += read.logits.values
      hidden += read.hidden.values
      states.append(node)
    }
    let width = hidden.count / tokens.count
    return TreeReading(
      tokens: tokens, parents: parents, logits: try Tensor(shape: [tokens.count, vocabulary], values: logits),
      hidden: try Tensor(shape: [tokens.count, width], values: hidden), states: .forked(states))
  }

  /// The forked state of `path`'s last node.
  public func state(after path: [Int], of reading: consuming TreeReading<State>) throws -> State {
    try reading.validatePath(path)
    guard case .forked(let states) = (consume reading).states else {
      throw AutodiffError.invalidArgument("\(Self.self) reads trees into forked states")
    }
    return states[path.last!]
  }
}
