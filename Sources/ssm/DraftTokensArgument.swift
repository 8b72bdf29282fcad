import ArgumentParser
import Generation

/// `--draft-tokens`: a fixed draft length `K ≥ 1`, or `adaptive` (HuggingFace's heuristic,
/// starting at ``adaptiveStart``).
struct DraftTokensArgument: ExpressibleByArgument, Equatable {
  /// The first draft length of the adaptive schedule.
  static let adaptiveStart = 5

  let length: DraftLength

  init?(argument: String) {
    if argument == "adaptive" {
      length = .adaptive(initial: Self.adaptiveStart)
    } else if let k = Int(argument), k >= 1 {
      length = .fixed(k)
    } else {
      return nil
    }
  }
}
