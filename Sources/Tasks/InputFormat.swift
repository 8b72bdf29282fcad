/// What a task feeds the model at each position.
public enum InputFormat: Equatable, Hashable, Sendable {
  /// One token id in `0 ..< vocabulary` per position (embed it).
  case tokens(vocabulary: Int)
  /// A real vector of `channels` values per position (project it).
  case features(channels: Int)
}
