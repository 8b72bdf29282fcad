import SSMJSON
import Serving

/// What a client saw of one streamed `POST /v1/completions`: the status and the body bytes with
/// the time each piece arrived, or the transport failure.
public struct StreamedResponse: Sendable, Equatable {
  /// One read of the body: `bytes` arrived at `time` seconds from the start of the run.
  public struct Piece: Sendable, Equatable {
    /// Seconds from the start of the run.
    public var time: Double
    /// The bytes read.
    public var bytes: [UInt8]

    /// A piece of `bytes` read at `time`.
    public init(time: Double, bytes: [UInt8]) {
      self.time = time
      self.bytes = bytes
    }
  }

  /// The HTTP status, `nil` when no response arrived.
  public var status: Int?
  /// The body as it was read.
  public var pieces: [Piece]
  /// Why the exchange failed below HTTP (refused or reset connection, timeout), if it did.
  public var transportError: String?

  /// A response with the given parts.
  public init(status: Int?, pieces: [Piece], transportError: String? = nil) {
    self.status = status
    self.pieces = pieces
    self.transportError = transportError
  }

  /// The timeline of a single-choice streamed completion sent at `arrival`.
  ///
  /// With status 200, the body is read as server-sent events, each stamped with the time its last
  /// byte arrived: a `text_completion` chunk with non-empty text is a token at that time (the
  /// server sends one chunk per token whose text is complete), a chunk with a `finish_reason`
  /// marks the finish, an `error` event is a ``FailureKind/modelError``, and a stream that ends
  /// without a finish and `data: [DONE]` is a ``FailureKind/connectionError``. Any other status
  /// is a failure by kind: 429 ``FailureKind/queueFull``, 400 ``FailureKind/invalidRequest`` (or
  /// ``FailureKind/exceedsMemoryBudget`` for the error code `exceeds_memory_budget`), 500
  /// ``FailureKind/modelError``, 503 ``FailureKind/serverUnavailable``, others and transport
  /// failures ``FailureKind/connectionError``.
  public func record(arrival: Double) -> RequestRecord {
    var record = RequestRecord(arrival: arrival)
    guard transportError == nil, let status else {
      record.failure = .connectionError
      return record
    }
    guard status == 200 else {
      record.failure = Self.failure(status: status, body: pieces.flatMap(\.bytes))
      return record
    }
    var (finish, done, buffer): (Double?, Bool, [UInt8]) = (nil, false, [])
    for piece in pieces {
      buffer += piece.bytes
      while let end = Self.eventEnd(in: buffer) {
        let event = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeSubrange(..<(end + 2))
        guard event.hasPrefix("data: ") else { continue }
        let data = event.dropFirst("data: ".count)
        if data == "[DONE]" {
          done = true
          continue
        }
        guard let document = try? JSONParser.parse(String(data)), document["error"] == nil,
          case .array(let choices)? = document["choices"], let choice = choices.first
        else {
          record.failure = .modelError
          return record
        }
        if case .string(let text)? = choice["text"], !text.isEmpty { record.tokenTimes.append(piece.time) }
        if let reason = choice["finish_reason"], reason != .null { finish = piece.time }
      }
    }
    guard done, let finish else {
      record.failure = .connectionError
      return record
    }
    record.finish = finish
    return record
  }

  /// The index of the first `\n\n` (the end of an event) in `bytes`.
  private static func eventEnd(in bytes: [UInt8]) -> Int? {
    guard bytes.count >= 2 else { return nil }
    return (0..<(bytes.count - 1)).first { bytes[$0] == 10 && bytes[$0 + 1] == 10 }
  }

  /// The failure an error status (and its OpenAI-style body) stands for.
  private static func failure(status: Int, body: [UInt8]) -> FailureKind {
    switch status {
    case 429: return .queueFull
    case 400:
      let code = (try? JSONParser.parse(String(decoding: body, as: UTF8.self)))?["error"]?["code"]
      return code == .string("exceeds_memory_budget") ? .exceedsMemoryBudget : .invalidRequest
    case 500: return .modelError
    case 503: return .serverUnavailable
    default: return .connectionError
    }
  }
}
