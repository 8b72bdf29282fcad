extension GenerationOptions {
  /// The state of ``constraint``'s automaton after `token` is emitted in state `state`,
  /// `δ(state, token)` (`state` itself for a stop token; `TokenIndex.nextState(after:from:)`);
  /// `nil` without a constraint, when `state` is `nil`. Greedy decoding, sampling, beam search and
  /// speculative decoding all track their constraint state through this one transition, applied
  /// to tokens the constraint mask let through (for which it is never `nil`).
  func constraintState(after token: Int, from state: Int?) -> Int? {
    state.flatMap { constraint?.nextState(after: token, from: $0) }
  }
}
