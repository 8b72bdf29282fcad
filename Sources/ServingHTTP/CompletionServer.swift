import Foundation
import Generation
import Hummingbird
import SSMJSON
import Serving

/// The OpenAI-compatible HTTP API over an ``EngineLoop``.
///
/// - `POST /v1/completions`: a ``CompletionRequest``; the answer is a `text_completion` object
///   with one choice per `n` (`text`, `index`, `finish_reason`: `stop` after a stop token, else
///   `length`) and `usage`, or with `stream: true`, server-sent events: one `text_completion`
///   chunk per piece of text (``StreamedText``), each choice's last chunk carrying its
///   `finish_reason`, then `data: [DONE]`. A client that disconnects from a stream has its
///   requests cancelled in the engine (its write fails, and the handler cancels them).
/// - `GET /health`: `{"status": "ok", "vocabulary": V}` (the model's vocabulary, so that a load
///   generator can draw token-id prompts the model reads).
/// - `GET /metrics`: ``ServingMetrics`` as Prometheus text.
///
/// Errors: 400 for a malformed body or field, 429 with `Retry-After` when the engine's queue is
/// full, 503 while shutting down, 500 when the model fails on a request; each with an OpenAI-style
/// ``APIError`` body.
public struct CompletionServer: Sendable {
  /// The engine.
  public let loop: EngineLoop
  /// How prompts and completions are read and written as text.
  public let codec: TextCodec
  /// Stop tokens added to every request (a text model's document separator).
  public let stopTokens: Set<Int>
  /// The `model` name echoed in responses.
  public let modelName: String
  /// Seconds a client told 429 should wait (`Retry-After`).
  public let retryAfterSeconds: Int
  /// The largest request body read, bytes.
  public static let maxBodyBytes = 16 << 20

  /// A server over `loop`.
  public init(
    loop: EngineLoop, codec: TextCodec, stopTokens: Set<Int> = [], modelName: String, retryAfterSeconds: Int = 1
  ) {
    self.loop = loop
    self.codec = codec
    self.stopTokens = stopTokens
    self.modelName = modelName
    self.retryAfterSeconds = retryAfterSeconds
  }

  /// The routes.
  public func router() -> Router<BasicRequestContext> {
    let router = Router()
    router.get("health") { _, _ in
      Self.json(.object([("status", .string("ok")), ("vocabulary", .number(Double(loop.vocabulary)))]))
    }
    router.get("metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: loop.metrics.prometheusText)))
    }
    router.post("v1/completions") { request, _ in await complete(request) }
    return router
  }

  /// An application serving the routes on `host:port` (port 0: any free port); `onRunning`
  /// receives the port once the server listens. Run it with `runService()`, which stops
  /// accepting on SIGTERM or SIGINT and returns once in-flight requests are answered.
  public func application(
    host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) -> some ApplicationProtocol {
    Application(
      router: router(),
      configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ssm"),
      onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
  }

  private func complete(_ request: Request) async -> Response {
    var request = request
    do {
      let body: ByteBuffer
      do { body = try await request.collectBody(upTo: Self.maxBodyBytes) } catch {
        throw APIError.invalid("could not read a request body of at most \(Self.maxBodyBytes) bytes", param: nil)
      }
      let completion = try CompletionRequest(json: String(buffer: body))
      let requests = try completion.servingRequests(codec: codec, vocabulary: loop.vocabulary, stopTokens: stopTokens)
      let submission = try await loop.submit(requests)
      let stops = requests[0].options.stopTokens
      if completion.stream { return streamed(submission, stops: stops) }
      return try await whole(submission, stops: stops, promptTokens: requests[0].prompt.count)
    } catch let error as APIError {
      return failure(error)
    } catch {
      return failure(APIError(status: 500, message: "\(error)", type: "server_error"))
    }
  }

  /// Waits for every choice, then answers with all of them.
  private func whole(_ submission: EngineLoop.Submission, stops: Set<Int>, promptTokens: Int) async throws -> Response {
    var results = [GenerationResult?](repeating: nil, count: submission.ids.count)
    let index = Dictionary(uniqueKeysWithValues: submission.ids.enumerated().map { ($1, $0) })
    var open = Set(submission.ids)
    defer { if !open.isEmpty { loop.cancel(Array(open)) } }
    for await event in submission.events {
      switch event {
      case .finished(let id, let result):
        results[index[id]!] = result
        open.remove(id)
      case .failed(let id, let reason):
        open.remove(id)
        throw APIError(status: 500, message: "the model failed on the request: \(reason)", type: "server_error")
      case .token, .preempted: break
      }
    }
    let finished = results.compactMap { $0 }
    guard finished.count == results.count else {
      throw APIError(status: 500, message: "the engine dropped the request", type: "server_error")
    }
    let choices = finished.enumerated().map { index, result in
      choice(index: index, text: codec.decode(result.tokens), finishReason: finishReason(result.tokens, stops))
    }
    let completionTokens = finished.reduce(0) { $0 + $1.tokens.count }
    let usage = JSONValue.object([
      ("prompt_tokens", .number(Double(promptTokens))), ("completion_tokens", .number(Double(completionTokens))),
      ("total_tokens", .number(Double(promptTokens + completionTokens))),
    ])
    return Self.json(.object(envelope(id: submission.ids[0], choices: choices) + [(key: "usage", value: usage)]))
  }

  /// Answers at once with an event stream fed by the engine.
  private func streamed(_ submission: EngineLoop.Submission, stops: Set<Int>) -> Response {
    let index = Dictionary(uniqueKeysWithValues: submission.ids.enumerated().map { ($1, $0) })
    let body = ResponseBody { [self] writer in
      var texts = [StreamedText](repeating: StreamedText(), count: submission.ids.count)
      // Choices not yet finished or failed: the engine drops them if the stream ends early (a
      // failed write to a client that went away, or a cancelled handler).
      var open = Set(submission.ids)
      defer { if !open.isEmpty { loop.cancel(Array(open)) } }
      for await event in submission.events {
        switch event {
        case .token(let id, let token):
          let choiceIndex = index[id]!
          let piece = texts[choiceIndex].append(token, codec: codec)
          if !piece.isEmpty {
            try await writer.write(
              Self.event(.object(envelope(id: submission.ids[0], choices: [choice(index: choiceIndex, text: piece)]))))
          }
        case .finished(let id, let result):
          open.remove(id)
          let choiceIndex = index[id]!
          let piece = texts[choiceIndex].finish(codec: codec)
          try await writer.write(
            Self.event(
              .object(
                envelope(
                  id: submission.ids[0],
                  choices: [choice(index: choiceIndex, text: piece, finishReason: finishReason(result.tokens, stops))]))
            ))
        case .failed(let id, let reason):
          open.remove(id)
          try await writer.write(
            Self.event(
              APIError(status: 500, message: "the model failed on the request: \(reason)", type: "server_error").body))
        case .preempted: break
        }
      }
      guard open.isEmpty else { return }
      try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
      try await writer.finish(nil)
    }
    return Response(
      status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
  }

  private func envelope(id: Int, choices: [JSONValue]) -> [(key: String, value: JSONValue)] {
    [
      ("id", .string("cmpl-\(id)")), ("object", .string("text_completion")),
      ("created", .number(Double(Int(Date().timeIntervalSince1970)))), ("model", .string(modelName)),
      ("choices", .array(choices)),
    ]
  }

  private func choice(index: Int, text: String, finishReason: String? = nil) -> JSONValue {
    .object([
      ("text", .string(text)), ("index", .number(Double(index))), ("logprobs", .null),
      ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
    ])
  }

  /// `stop` when generation ended on a stop token, else `length` (it reached `max_tokens`).
  private func finishReason(_ tokens: [Int], _ stops: Set<Int>) -> String {
    tokens.last.map(stops.contains) == true ? "stop" : "length"
  }

  private func failure(_ error: APIError) -> Response {
    var response = Self.json(error.body, status: HTTPResponse.Status(code: error.status))
    if error.status == 429 { response.headers[.retryAfter] = "\(retryAfterSeconds)" }
    return response
  }

  private static func json(_ document: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: document.serialized)))
  }

  /// One server-sent event carrying `document`.
  private static func event(_ document: JSONValue) -> ByteBuffer {
    ByteBuffer(string: "data: \(document.serialized)\n\n")
  }
}
