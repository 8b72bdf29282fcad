import Autodiff
import Models

/// A point of a decode that a recurrent state can return to, keeping only some of the tokens
/// it read since: speculative decoding's rollback after a partial acceptance.
///
/// A transformer's state (`TransformerModel.State`) returns by truncating its key–value caches:
/// the entries of the kept positions were computed from those positions and earlier ones only
/// (causal attention), so they are what reading only the kept tokens stores (up to the
/// rounding of another chunking). This copies no cache. Any other state is kept as a copy
/// (every family's `State` is a value type) and re-reads the kept tokens with one `prefill`.
/// Either way the state never keeps anything a dropped token wrote.
enum StateCheckpoint<Model: SequenceModel> {
  /// Tokens read before the checkpoint (a transformer state's position).
  case position(Int)
  /// The state at the checkpoint.
  case copy(Model.State)

  /// The checkpoint of `state` now.
  init(_ state: Model.State) {
    if let transformer = state as? TransformerModel.State {
      self = .position(transformer.position)
    } else {
      self = .copy(state)
    }
  }

  /// Makes `state`, which has read the first `read` of `tokens` since the checkpoint, as if it
  /// had read only the first `kept` (`0 ≤ kept ≤ tokens.count`): fewer return to the
  /// checkpoint, more read the missing ones from the current state.
  func restore(_ model: Model, state: inout Model.State, tokens: [Int], read: Int, kept: Int) throws {
    guard (0...tokens.count).contains(kept), (0...tokens.count).contains(read) else {
      throw AutodiffError.invalidArgument("cannot keep \(kept) of \(tokens.count) tokens, \(read) read")
    }
    if kept > read {
      _ = try model.prefill([Array(tokens[read..<kept])], state: &state)
      return
    }
    guard kept < read else { return }
    switch self {
    case .position(let position):
      guard var transformer = state as? TransformerModel.State else {
        throw AutodiffError.invalidArgument("a position checkpoint for a \(Model.State.self)")
      }
      try transformer.rewind(to: position + kept)
      guard let rewound = transformer as? Model.State else {
        throw AutodiffError.invalidArgument("a position checkpoint for a \(Model.State.self)")
      }
      state = rewound
    case .copy(let saved):
      state = saved
      if kept > 0 { _ = try model.prefill([Array(tokens[..<kept])], state: &state) }
    }
  }
}
