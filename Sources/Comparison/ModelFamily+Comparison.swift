import Models
import Tasks
import Training

extension ModelFamily {
  /// What a model of any family needs to read and write `task`: a token model with
  /// `vocabulary` = `tokenVocabulary(of:)` and `inputChannels` `nil`, or, for a task
  /// with real-valued inputs and outputs, a feature model with `inputChannels` and `vocabulary`
  /// (output values) from `featureChannels(of:)`.
  public static func shape(for task: any SequenceTask) throws -> (vocabulary: Int, inputChannels: Int?) {
    if case .features = task.input {
      let (inputs, outputs) = try featureChannels(of: task)
      return (outputs, inputs)
    }
    return (try tokenVocabulary(of: task), nil)
  }

  /// The widths a model is sized over: multiples of 8 from 8 to 1024 (the transformer's 4 heads
  /// with rotary positions need widths divisible by 8).
  public static let widths = Array(stride(from: 8, through: 1024, by: 8))

  /// How far `size`'s inner size departs from the family's default at its width, relative to
  /// the default: `|inner − default| / default` (0 for a family without a second knob).
  func innerDeparture(_ size: Size) -> Double {
    guard let inner = size.inner, let standard = defaultSize(width: size.width).inner else { return 0 }
    return Double(abs(inner - standard)) / Double(standard)
  }
}
