/// What a task asks the model to produce at each scored position.
public enum OutputFormat: Equatable, Hashable, Sendable {
  /// A class in `0 ..< count` (the model emits `count` logits per position; targets are class
  /// ids, ``TaskBatch/ignoredTarget`` at unscored positions). For tasks whose answers are input
  /// tokens, `count` is the input vocabulary so a model with a tied embedding and read-out fits.
  case classes(Int)
  /// A real vector of `channels` values (the model emits `channels` outputs per position).
  case values(channels: Int)
}
