/// The shape of a batch of real multichannel signals, stored row-major as
/// `(batch × channels × length)`: value `(b, c, t)` is at `(b·channels + c)·length + t`.
public struct SignalShape: Sendable, Hashable, CustomStringConvertible {
  /// Independent sequences.
  public let batch: Int
  /// Channels per sequence (each with its own kernel).
  public let channels: Int
  /// Time steps per channel.
  public let length: Int

  /// A shape with every dimension at least 1.
  /// - Throws: ``FFTError/invalidSize(_:)`` for a dimension below 1.
  public init(batch: Int, channels: Int, length: Int) throws {
    guard batch >= 1, channels >= 1, length >= 1 else {
      throw FFTError.invalidSize("batch \(batch), channels \(channels), length \(length): each must be at least 1")
    }
    guard batch.multipliedReportingOverflow(by: channels).overflow == false,
      (batch * channels).multipliedReportingOverflow(by: length).overflow == false
    else { throw FFTError.invalidSize("\(batch) × \(channels) × \(length) overflows") }
    self.batch = batch
    self.channels = channels
    self.length = length
  }

  /// `batch · channels`: the number of signal rows.
  public var rows: Int { batch * channels }
  /// `batch · channels · length`.
  public var count: Int { rows * length }

  public var description: String { "(\(batch) × \(channels) × \(length))" }
}
