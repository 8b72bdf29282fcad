/// Which positions a regression model's predictions cover.
public enum PredictionLayout: Equatable, Hashable, Sendable {
  /// Predictions at every position: `size × length × channels`, row-major (the raw output of a
  /// sequence model).
  case everyPosition
  /// Predictions at the scored positions only: `size × positions.count × channels`, row-major
  /// (the layout of the batch's value targets).
  case scoredPositions
}
