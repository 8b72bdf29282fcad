import SSMJSON

/// A refused HTTP request: its status and the OpenAI-style error body
/// `{"error": {"message", "type", "param", "code"}}`.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The HTTP status code (400, 404, 429, 500, 503).
  public var status: Int
  /// A human-readable explanation.
  public var message: String
  /// OpenAI's error class: `invalid_request_error`, `rate_limit_error` or `server_error`.
  public var type: String
  /// The request field at fault, if one is.
  public var param: String?
  /// A short machine-readable code, if any.
  public var code: String?

  /// An error with the given fields.
  public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil) {
    self.status = status
    self.message = message
    self.type = type
    self.param = param
    self.code = code
  }

  /// A 400 for a malformed or out-of-range field `param`.
  public static func invalid(_ message: String, param: String?, code: String? = nil) -> APIError {
    APIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
  }

  /// A 429: the engine's queue is full.
  public static func queueFull(_ message: String) -> APIError {
    APIError(status: 429, message: message, type: "rate_limit_error", code: "queue_full")
  }

  /// A 503: the server is shutting down and accepts no new request.
  public static let shuttingDown = APIError(
    status: 503, message: "the server is shutting down", type: "server_error", code: "shutting_down")

  /// The JSON error body.
  public var body: JSONValue {
    .object([
      (
        "error",
        .object([
          ("message", .string(message)), ("type", .string(type)), ("param", param.map(JSONValue.string) ?? .null),
          ("code", code.map(JSONValue.string) ?? .null),
        ])
      )
    ])
  }

  public var description: String { "HTTP \(status): \(message)" }
}
