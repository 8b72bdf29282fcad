import Reports
import Tasks

/// The "What this shows" sentences of a comparison report, computed from the measured numbers alone (no
/// sentence is written in advance): for one task,
/// 1. at the longest trained length `L*`, the models best first with their metric, and the margin
///    `|m₁ − m₂|` of the best over the second (or, when several share the best value, that they tie);
/// 2. for accuracy, the models with accuracy ≥ ``solvedAccuracy`` at every trained length (or that none
///    reaches it everywhere);
/// 3. for every model also tested at longer lengths (length generalisation), its metric at the longest of
///    them next to its metric at the length it was trained at.
public enum ComparisonFindings {
  /// The accuracy from which a model counts as solving a task at a length.
  public static let solvedAccuracy = 0.95

  /// One trained model's scores.
  public struct Score: Sendable, Equatable {
    /// The model family's name.
    public var model: String
    /// The length it was trained (and first tested) at.
    public var length: Int
    /// The metric there.
    public var value: Double
    /// The metric at further test lengths (length → value).
    public var otherLengths: [Int: Double]

    /// A score.
    public init(model: String, length: Int, value: Double, otherLengths: [Int: Double] = [:]) {
      self.model = model
      self.length = length
      self.value = value
      self.otherLengths = otherLengths
    }
  }

  private static let format = NumberFormat(significantDigits: 3)

  /// The sentences for one task's `scores` (failed cells left out), in the order above; empty for no scores.
  public static func sentences(metric: TaskMetric, scores: [Score]) -> [String] {
    guard let longest = scores.map(\.length).max() else { return [] }
    let better = { (a: Score, b: Score) in metric.higherIsBetter ? a.value > b.value : a.value < b.value }
    let ranked = scores.filter { $0.length == longest }.sorted(by: better)
    let listed = ranked.map { "\($0.model) \(format.string($0.value))" }.joined(separator: ", ")
    var sentences = ["At L = \(longest), \(metric.longName) from best to worst: \(listed)."]
    if ranked.count >= 2 {
      let tied = ranked.filter { $0.value == ranked[0].value }.map(\.model)
      let margin = abs(ranked[0].value - ranked[1].value)
      sentences.append(
        tied.count >= 2
          ? "\(tied.joined(separator: ", ")) tie at \(format.string(ranked[0].value)) \(metric.shortName)."
          : "\(ranked[0].model) leads \(ranked[1].model) by \(format.string(margin)) \(metric.shortName).")
    }
    if metric == .accuracy {
      let models = ranked.map(\.model)
      let solving = models.filter { model in
        scores.filter { $0.model == model }.allSatisfy { $0.value >= solvedAccuracy }
      }
      let threshold = format.string(solvedAccuracy)
      sentences.append(
        solving.isEmpty
          ? "No model reaches accuracy \(threshold) at every trained length."
          : "Accuracy ≥ \(threshold) at every trained length: \(solving.joined(separator: ", ")).")
    }
    for score in scores.sorted(by: { ($0.length, $0.model) < ($1.length, $1.model) }) {
      guard let far = score.otherLengths.keys.max(), let value = score.otherLengths[far] else { continue }
      sentences.append(
        "\(score.model) trained at L = \(score.length) (\(format.string(score.value))) scores "
          + "\(format.string(value)) at L = \(far) (\(far / max(1, score.length))× longer).")
    }
    return sentences
  }
}
