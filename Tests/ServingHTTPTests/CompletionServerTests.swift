import Foundation
import Generation
import Models
import SSMJSON
import Serving
import ServingHTTP
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The server end to end on loopback: a real HTTP client against `CompletionServer` on an
/// ephemeral port of 127.0.0.1, over an engine thread.
@Suite struct CompletionServerTests {
  /// A small S4D model (vocabulary 11), seeded.
  static func model() throws -> S4Model {
    try S4Model(.init(vocabulary: 11, width: 16, depth: 2, stateSize: 8), seed: 2)
  }

  /// Token ids joined by spaces, as `ssm generate` prints them for models that are not byte-level.
  static let ids = TextCodec(encode: nil, decode: { $0.map(String.init).joined(separator: " ") })

  /// Runs `body` with the base URL of a server over `model`, then stops the server and the loop.
  static func withServer(
    _ model: S4Model, configuration: EngineConfiguration = EngineConfiguration(maxBatch: 4, maxQueue: 16),
    _ body: (URL, EngineLoop) async throws -> Void
  ) async throws {
    let loop = try EngineLoop(model: model, configuration: configuration)
    let server = CompletionServer(loop: loop, codec: ids, modelName: "test")
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let application = server.application(host: "127.0.0.1", port: 0) { portSink.yield($0) }
    let running = Task { try await application.runService(gracefulShutdownSignals: []) }
    var iterator = ports.makeAsyncIterator()
    let listening = await iterator.next()
    let port = try #require(listening)
    do {
      try await body(URL(string: "http://127.0.0.1:\(port)")!, loop)
    } catch {
      running.cancel()
      loop.stop()
      throw error
    }
    running.cancel()
    _ = try? await running.value
    loop.stop()
  }

  static func post(_ base: URL, _ body: String) async throws -> (Data, HTTPURLResponse) {
    var request = URLRequest(url: base.appendingPathComponent("v1/completions"))
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(body.utf8)
    let (data, response) = try await URLSession.shared.data(for: request)
    return (data, try #require(response as? HTTPURLResponse))
  }

  static func json(_ data: Data) throws -> JSONValue { try JSONParser.parse(String(decoding: data, as: UTF8.self)) }

  /// What `generate` gives for prompt [3, 1, 4], 6 new tokens, temperature 0.8, top-p 0.9, seed 5,
  /// two samples: the independent value the server's choices must equal token for token.
  static func expected(_ model: S4Model) throws -> [String] {
    let options = GenerationOptions(
      maxNewTokens: 6, strategy: .sampling(SamplingParameters(temperature: 0.8, topP: 0.9, numReturnSequences: 2)),
      seed: 5)
    return try generate(model, prompt: [3, 1, 4], options: options).map { ids.decode($0.tokens) }
  }

  static let sampled = #"{"prompt": [3, 1, 4], "max_tokens": 6, "temperature": 0.8, "top_p": 0.9, "seed": 5, "n": 2"#

  @Test func completionEqualsGenerate() async throws {
    let model = try Self.model()
    let expected = try Self.expected(model)
    try await Self.withServer(model) { base, _ in
      let (data, response) = try await Self.post(base, Self.sampled + "}")
      #expect(response.statusCode == 200)
      let document = try Self.json(data)
      guard case .array(let choices) = document["choices"] else {
        Issue.record("no choices: \(document)")
        return
      }
      #expect(choices.map { $0["text"] } == expected.map { .string($0) })
      #expect(choices.map { $0["finish_reason"] } == [.string("length"), .string("length")])
      #expect(document["usage"]?["completion_tokens"] == .number(12))
    }
  }

  /// The streamed pieces of each choice concatenate to `generate`'s text; the stream ends with
  /// `data: [DONE]`.
  @Test func streamEqualsGenerate() async throws {
    let model = try Self.model()
    let expected = try Self.expected(model)
    try await Self.withServer(model) { base, _ in
      let (data, response) = try await Self.post(base, Self.sampled + #", "stream": true}"#)
      #expect(response.statusCode == 200)
      #expect(response.value(forHTTPHeaderField: "Content-Type") == "text/event-stream")
      let events = String(decoding: data, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
      #expect(events.last == "data: [DONE]")
      var texts = ["", ""]
      for event in events.dropLast() {
        let chunk = try JSONParser.parse(String(event.dropFirst("data: ".count)))
        guard case .array(let choices) = chunk["choices"], case .number(let index) = choices[0]["index"],
          case .string(let piece) = choices[0]["text"]
        else {
          Issue.record("bad chunk \(event)")
          return
        }
        texts[Int(index)] += piece
      }
      #expect(texts == expected)
    }
  }

  @Test func badRequestGetsOpenAIError() async throws {
    try await Self.withServer(try Self.model()) { base, _ in
      let (data, response) = try await Self.post(base, #"{"prompt": [3], "top_p": 2}"#)
      #expect(response.statusCode == 400)
      let error = try Self.json(data)["error"]
      #expect(error?["type"] == .string("invalid_request_error"))
      #expect(error?["param"] == .string("top_p"))
    }
  }

  /// With a queue of 0 no request can wait, so every submission is refused with 429.
  @Test func fullQueueGets429() async throws {
    let configuration = EngineConfiguration(maxBatch: 1, maxQueue: 0)
    try await Self.withServer(try Self.model(), configuration: configuration) { base, loop in
      let (data, response) = try await Self.post(base, #"{"prompt": [3], "max_tokens": 2}"#)
      #expect(response.statusCode == 429)
      #expect(response.value(forHTTPHeaderField: "Retry-After") == "1")
      #expect(try Self.json(data)["error"]?["type"] == .string("rate_limit_error"))
      #expect(loop.metrics.rejectedRequests == 1)
    }
  }

  /// `/metrics` counts the generated tokens of the answered requests: 12 for two choices of 6
  /// (none can stop early: no stop token is set).
  @Test func metricsCountTokens() async throws {
    try await Self.withServer(try Self.model()) { base, _ in
      _ = try await Self.post(base, Self.sampled + "}")
      let (data, _) = try await URLSession.shared.data(from: base.appendingPathComponent("metrics"))
      let text = String(decoding: data, as: UTF8.self)
      #expect(text.contains("\nssm_generated_tokens_total 12\n"))
      #expect(text.contains("ssm_time_to_first_token_seconds_count 2\n"))
      let (health, _) = try await URLSession.shared.data(from: base.appendingPathComponent("health"))
      #expect(try Self.json(health)["status"] == .string("ok"))
    }
  }
}

extension CompletionServerTests {
  /// A streaming client that closes its connection frees its slot: the engine runs nothing
  /// afterwards although the request asked for far more tokens than it received.
  @Test func disconnectFreesSlot() async throws {
    try await Self.withServer(try Self.model(), configuration: EngineConfiguration(maxBatch: 1, maxQueue: 4)) {
      base, loop in
      let socket = try LoopbackSocket(port: try #require(base.port))
      let body = #"{"prompt": [3], "max_tokens": 1000000, "temperature": 0, "stream": true}"#
      socket.send(
        "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
      #expect(socket.receive(upTo: 4096).hasPrefix("HTTP/1.1 200"))
      socket.close()
      // 10 s is far more than the few steps the failed write needs; the loop polls every 10 ms.
      let clock = ContinuousClock()
      let deadline = clock.now + .seconds(10)
      while loop.metrics.running + loop.metrics.waiting > 0, clock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
      }
      #expect(loop.metrics.running + loop.metrics.waiting == 0)
      #expect(loop.metrics.generatedTokens < 1_000_000)
    }
  }
}

extension CompletionServerTests {
  /// A stop token ends the completion on it with `finish_reason` "stop": the text equals greedy
  /// `generate` with that stop token, whose output is cut after the stop's first occurrence.
  @Test func stopTokenEndsTheCompletion() async throws {
    let model = try Self.model()
    let free = try generate(model, prompt: [3, 1, 4], options: GenerationOptions(maxNewTokens: 8))[0].tokens
    let stop = free[3]
    let stopped = try generate(
      model, prompt: [3, 1, 4], options: GenerationOptions(maxNewTokens: 8, stopTokens: [stop]))[0].tokens
    try #require(stopped.count < free.count && stopped.last == stop, "the stop token must cut the free output")
    try await Self.withServer(model) { base, _ in
      let (data, response) = try await Self.post(
        base, #"{"prompt": [3, 1, 4], "max_tokens": 8, "temperature": 0, "stop": [\#(stop)]}"#)
      #expect(response.statusCode == 200)
      guard case .array(let choices)? = try Self.json(data)["choices"], let choice = choices.first else {
        Issue.record("no choices in \(String(decoding: data, as: UTF8.self))")
        return
      }
      #expect(choice["text"] == .string(Self.ids.decode(stopped)))
      #expect(choice["finish_reason"] == .string("stop"))
    }
  }

  /// The load client against the server: every request of a burst completes with `max_tokens`
  /// tokens (no stop token is set, so none ends early), one token time per token, in order, and
  /// the server counts the same tokens; `/health` gives the vocabulary.
  @Test func loadClientRecordsEveryToken() async throws {
    try await Self.withServer(try Self.model()) { base, loop in
      let client = CompletionLoadClient(baseURL: base)
      let vocabulary = try await client.vocabulary()
      #expect(vocabulary == 11)
      let bodies = (0..<6).map { index in
        JSONValue.object([
          ("prompt", .array([.number(Double(index % 11)), .number(2)])), ("max_tokens", .number(5)),
          ("temperature", .number(0)), ("stream", .bool(true)),
        ])
      }
      let (records, duration) = await client.run(bodies, arrivals: [0, 0, 0, 0.01, 0.02, 0.02])
      #expect(records.allSatisfy { $0.failure == nil && $0.finish != nil }, "\(records)")
      #expect(records.map(\.tokenTimes.count) == Array(repeating: 5, count: 6))
      for record in records {
        #expect(zip(record.tokenTimes, record.tokenTimes.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(record.arrival <= record.tokenTimes[0] && record.tokenTimes[4] <= record.finish!)
        #expect(record.finish! <= duration)
      }
      #expect(loop.metrics.generatedTokens == 30)
    }
  }

  /// A server that is not there: every request is a connection error, and the vocabulary cannot
  /// be read.
  @Test func loadClientWithoutServer() async throws {
    let port = try await Self.freePort()
    let client = CompletionLoadClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!)
    await #expect(throws: CompletionLoadClient.Failure.self) { try await client.vocabulary() }
    let (records, _) = await client.run([.object([("prompt", .array([.number(1)]))])], arrivals: [0])
    #expect(records.map(\.failure) == [.connectionError])
  }

  /// A port that was free a moment ago: a server listened on it and stopped.
  static func freePort() async throws -> Int {
    var port = 0
    try await withServer(try model()) { base, _ in port = try #require(base.port) }
    return port
  }
}
