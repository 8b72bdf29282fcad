import Autodiff

extension TransformerModel {
  /// ``prefill(_:state:)`` with the last hidden states `h = LayerNorm_f(x)` (`B × C × D`): the
  /// tape-free pass for one sequence and chunks of up to ``KVCache/inPlaceChunk`` tokens, the tape
  /// otherwise.
  public func prefillWithHiddenStates(_ tokens: [[Int]], state: inout State) throws -> (logits: Tensor, hidden: Tensor)
  {
    if tokens.count == 1, try Self.chunkLength(of: tokens) <= KVCache.inPlaceChunk, hasTapeFreeStep {
      return try tapeFreeChunkWithHiddenStates(tokens[0], state: &state)
    }
    return try tapePrefillWithHiddenStates(tokens, state: &state)
  }

  /// The whole tree in one tape-free pass with the tree attention mask (``tapeFreeTree(_:parents:state:)``):
  /// node `i` at position `p + depth(i)` sees the `p` read positions, its ancestors and itself, so
  /// its logits equal those of reading its path alone. The caches of the returned reading hold every
  /// node's entry; ``state(after:of:)`` keeps a path's.
  public func readTree(_ tokens: [Int], parents: [Int], from state: consuming State) throws -> TreeReading<State> {
    try TreeReading<State>.validate(tokens: tokens, parents: parents)
    guard state.batch == 1 else {
      throw AutodiffError.invalidArgument("a tree is read for one sequence, the state holds \(state.batch)")
    }
    let start = state.position
    var read = consume state
    let (logits, hidden) = try tapeFreeTree(tokens, parents: parents, state: &read)
    return TreeReading(
      tokens: tokens, parents: parents, logits: logits, hidden: hidden, states: .shared(read, start: start))
  }

  /// The reading's caches with only `path`'s entries, moved to the positions after the read tokens
  /// (a node's key and value depend on the read positions and its ancestors only, so they are
  /// those of reading the path alone).
  public func state(after path: [Int], of reading: consuming TreeReading<State>) throws -> State {
    try reading.validatePath(path)
    guard case .shared(var state, let start) = (consume reading).states else {
      throw AutodiffError.invalidArgument("a transformer reads a tree in one pass")
    }
    try state.keep(path, from: start)
    return state
  }
}
