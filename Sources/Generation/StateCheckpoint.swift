import Autodiff
import Models

/// A point of a decode that a recurrent state can return to, keeping only some of the tokens
/// it read since: speculative decoding's rollback after a partial acceptance.
///
/// A family that rewinds in place (``SequenceModel/rewindablePosition(of:)``: a transformer,
/// truncating its key–value caches, whose kept entries were computed from kept positions only)
/// keeps the position and copies nothing. Any other state is kept as a copy (every family's
/// `State` is a value type) and re-reads the kept tokens one step at a time (the tape-free step
/// where the family has one). Either way the state never keeps anything a dropped token wrote.
enum StateCheckpoint<Model: SequenceModel> {
  /// Tokens read before the checkpoint.
  case position(Int)
  /// The state at the checkpoint.
  case copy(Model.State)

  /// The checkpoint of `model`'s `state` now.
  init(_ model: Model, _ state: Model.State) {
    if let position = model.rewindablePosition(of: state) {
      self = .position(position)
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
      try model.rewind(&state, to: position + kept)
    case .copy(let saved):
      state = saved
      for token in tokens[..<kept] { _ = try model.step([token], state: &state) }
    }
  }
}
