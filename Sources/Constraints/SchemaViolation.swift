/// Why a JSON value is not valid under a schema: the first failing keyword's explanation and
/// where in the instance it failed (`$` the whole value, `$.name` a member, `$.tags[2]` an element).
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
  /// The location in the instance.
  public let path: String
  /// What is wrong there.
  public let reason: String

  /// A violation at `path`.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
