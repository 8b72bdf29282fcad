extension ComparisonModel {
  /// The size of a model of one family: its width and, for the S4 families and the transformer,
  /// a second knob (``inner``) that trims the parameter count where widths alone are too coarse.
  public struct Size: Codable, Sendable, Hashable {
    /// Channels `H` (S4D, S4, GRU) or model dimension `D` (transformer).
    public var width: Int
    /// The state size `N` of every S4D or S4 layer, or the MLP hidden width `F` of every
    /// transformer block; `nil` for the GRU, whose width is its only size.
    public var inner: Int?

    /// A size.
    public init(width: Int, inner: Int?) {
      self.width = width
      self.inner = inner
    }
  }

  /// The widths a model is sized over: multiples of 8 from 8 to 1024 (the transformer's 4 heads
  /// with rotary positions need widths divisible by 8).
  public static let widths = Array(stride(from: 8, through: 1024, by: 8))

  /// The family's size at `width` with its default inner size: state size 64 (S4D, S4), MLP
  /// hidden width `4D` (transformer), none (GRU).
  public func defaultSize(width: Int) -> Size {
    switch self {
    case .s4d, .s4: Size(width: width, inner: 64)
    case .transformer: Size(width: width, inner: 4 * width)
    case .gru: Size(width: width, inner: nil)
    }
  }

  /// The inner sizes the budget search may give a model of `width`, as an arithmetic grid
  /// `lowest, lowest + step, …, highest`: even state sizes 16 … 256 (S4D and S4 store `N/2`
  /// conjugate pairs), MLP hidden widths `D … 8D` (transformer); `nil` for the GRU.
  public func innerGrid(width: Int) -> (lowest: Int, highest: Int, step: Int)? {
    switch self {
    case .s4d, .s4: (16, 256, 2)
    case .transformer: (width, 8 * width, 1)
    case .gru: nil
    }
  }

  /// How far `size`'s inner size departs from the family's default at its width, relative to
  /// the default: `|inner − default| / default` (0 for the GRU).
  func innerDeparture(_ size: Size) -> Double {
    guard let inner = size.inner, let standard = defaultSize(width: size.width).inner else { return 0 }
    return Double(abs(inner - standard)) / Double(standard)
  }
}
