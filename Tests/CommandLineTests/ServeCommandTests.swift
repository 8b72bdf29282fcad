import Foundation
import SSMJSON
import TestSupport
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `ssm serve` running in the background on a free port of 127.0.0.1.
private final class RunningServer {
  let process = Process()
  let url: URL

  /// Starts `ssm serve --port 0` with `arguments` and reads the port from its first line.
  init(_ arguments: [String]) throws {
    process.executableURL = try ssmExecutable()
    process.arguments = ["serve", "--port", "0"] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // availableData returns empty at end of file, so a server that dies ends the loop.
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      line += chunk
    }
    let text = String(decoding: line, as: UTF8.self)
    guard let range = text.range(of: "listening on "),
      let url = URL(string: String(text[range.upperBound...].prefix { !$0.isNewline }))
    else {
      process.terminate()
      throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no listening line: \(text)"])
    }
    self.url = url
  }

  /// Sends SIGTERM and returns the exit status.
  func stop() -> Int32 {
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    process.waitUntilExit()
    return process.terminationStatus
  }

  deinit { if process.isRunning { process.terminate() } }
}

@Suite("ssm serve and ssm bench serve on loopback")
struct ServeCommandTests {
  /// Trains a tiny S4D on the default copying task (vocabulary 10: token ids, no stop token) and
  /// returns its checkpoint.
  static func checkpoint(in directory: URL) throws -> String {
    let train = try run([
      "train", "--model", "s4d", "--layers", "1", "--width", "8", "--state-size", "4", "--length", "30", "--steps",
      "3", "--batch", "4", "--out", directory.path,
    ])
    try #require(train.status == 0, "train: \(train.stderr)")
    return directory.appendingPathComponent("checkpoint.safetensors").path
  }

  static func get(_ url: URL) throws -> String {
    String(decoding: try Data(contentsOf: url), as: UTF8.self)
  }

  static func number(_ value: JSONValue?) throws -> Double {
    guard case .number(let number)? = value else { throw JSONError.invalidValue(path: "", expected: "a number") }
    return number
  }

  /// `ssm bench serve` against a live server: 8 requests of 5 tokens complete (no stop token can
  /// end one early), 40 output tokens, which the server's own counter confirms; throughput is
  /// tokens / duration; every request meets an end-to-end bound of 1000 s, so goodput equals the
  /// request throughput; percentiles are ordered and a request's first token comes before its end.
  @Test func benchServeMeasuresEveryRequest() throws {
    let directory = temporaryPath("ssm-serve-bench")
    defer { try? FileManager.default.removeItem(at: directory) }
    let server = try RunningServer(["--checkpoint", try Self.checkpoint(in: directory), "--max-batch", "4"])
    let result = try runJSON([
      "bench", "serve", "--url", server.url.absoluteString, "--rate", "200", "--requests", "8", "--prompt-tokens",
      "6", "--max-tokens", "5", "--seed", "3", "--slo-e2e", "1000", "--json",
    ])
    #expect(result["completed"] == .number(8))
    #expect(result["failures"] == .object([]))
    #expect(result["outputTokens"] == .number(40))
    let duration = try Self.number(result["duration"])
    #expect(abs(try Self.number(result["tokenThroughput"]) * duration - 40) < 1e-9)
    #expect(try Self.number(result["goodput"]) == Self.number(result["requestThroughput"]))
    for metric in ["timeToFirstToken", "timePerOutputToken", "interTokenLatency", "endToEndLatency"] {
      let (p50, p90, p99) = (
        try Self.number(result[metric]?["p50"]), try Self.number(result[metric]?["p90"]),
        try Self.number(result[metric]?["p99"])
      )
      #expect(0 <= p50 && p50 <= p90 && p90 <= p99, "\(metric)")
    }
    #expect(try Self.number(result["timeToFirstToken"]?["mean"]) <= Self.number(result["endToEndLatency"]?["mean"]))
    #expect(result["interTokenLatency"]?["count"] == .number(32))  // 4 gaps for each of 8 requests
    let metrics = try Self.get(server.url.appendingPathComponent("metrics"))
    #expect(metrics.contains("\nssm_generated_tokens_total 40\n"), "\(metrics)")
    #expect(metrics.contains("\nssm_finished_requests_total 8\n"))
    #expect(server.stop() == 0)
  }

  /// With no room to wait every request is refused with 429, counted as queueFull.
  @Test func benchServeCountsRefusals() throws {
    let directory = temporaryPath("ssm-serve-refusals")
    defer { try? FileManager.default.removeItem(at: directory) }
    let server = try RunningServer([
      "--checkpoint", try Self.checkpoint(in: directory), "--max-batch", "1", "--max-queue", "0",
    ])
    let result = try runJSON([
      "bench", "serve", "--url", server.url.absoluteString, "--requests", "4", "--prompt-tokens", "3", "--max-tokens",
      "2", "--json",
    ])
    #expect(result["completed"] == .number(0))
    #expect(result["failures"] == .object([("queueFull", .number(4))]))
    #expect(result["timeToFirstToken"] == .null)
    #expect(server.stop() == 0)
  }

  /// A completion through `ssm serve` equals `ssm generate` for the same request alone (sampled,
  /// same seed); then SIGTERM during a long request lets it finish whole, and the server exits 0.
  @Test func servedEqualsGenerateAndSigtermFinishesInFlight() async throws {
    let directory = temporaryPath("ssm-serve-generate")
    defer { try? FileManager.default.removeItem(at: directory) }
    let checkpoint = try Self.checkpoint(in: directory)
    let expected = try runJSON([
      "generate", "--checkpoint", checkpoint, "--tokens", "3 1 4 1 5", "--max-new-tokens", "12", "--strategy",
      "sample", "--temperature", "0.9", "--top-k", "6", "--seed", "9", "--json",
    ])
    let server = try RunningServer(["--checkpoint", checkpoint])
    let served = try await Self.complete(
      server.url,
      #"{"prompt": [3, 1, 4, 1, 5], "max_tokens": 12, "temperature": 0.9, "top_k": 6, "seed": 9}"#)
    #expect(served.status == 200)
    guard case .array(let choices)? = served.body["choices"], let choice = choices.first else {
      Issue.record("no choices: \(served.body)")
      return
    }
    #expect(choice["text"] == expected["text"], "served \(choice), generate \(expected)")

    // 20 000 greedy tokens take long enough on this model that the request runs when SIGTERM comes.
    let url = server.url
    let long = Task {
      try await Self.complete(url, #"{"prompt": [3], "max_tokens": 20000, "temperature": 0}"#)
    }
    let deadline = Date().addingTimeInterval(30)
    var running = false
    while !running, Date() < deadline {
      running = try Self.get(server.url.appendingPathComponent("metrics")).contains("\nssm_running_requests 1\n")
      if !running { try await Task.sleep(for: .milliseconds(5)) }
    }
    try #require(running, "the long request was never seen running")
    kill(server.process.processIdentifier, SIGTERM)
    let answer = try await long.value
    #expect(answer.status == 200)
    #expect(answer.body["usage"]?["completion_tokens"] == .number(20000))
    #expect(server.stop() == 0)
  }

  /// Posts `body` to `/v1/completions`; the status and the parsed body.
  static func complete(_ base: URL, _ body: String) async throws -> (status: Int, body: JSONValue) {
    var request = URLRequest(url: base.appendingPathComponent("v1/completions"))
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(body.utf8)
    request.timeoutInterval = 300
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    return (status, try JSONParser.parse(String(decoding: data, as: UTF8.self)))
  }
}
