import ArgumentParser
import Foundation
import SSMJSON
import SeededRandom
import Serving
import ServingHTTP

/// `ssm bench serve`: a Poisson (or traced) load of streamed completions against a running server.
struct ServeBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Load a running ssm serve over HTTP with Poisson arrivals and report its serving latencies.",
    discussion:
      "Sends --requests streamed POST /v1/completions to --url, request i at the i-th arrival of a Poisson "
      + "process of --rate λ requests/s seeded with --seed (inf: all at once; --trace FILE replaces the process "
      + "with arrival times in seconds, one per line). Each prompt is --prompt-tokens token ids drawn uniformly "
      + "from the model's vocabulary (read from GET /health) with seed --seed + 1; decoding is greedy with "
      + "--max-tokens new tokens. A token's time is the arrival of its server-sent event (the server sends one "
      + "per token whose text is complete: exact for token-id models; a byte-level model's bytes of one UTF-8 "
      + "character share an event, so its token counts can be lower). Reported over the "
      + "completed requests: time to first token, time per output token, inter-token latency and end-to-end "
      + "latency (mean, p50, p90, p99, seconds); request and token throughput over the run's duration; goodput "
      + "(requests/s meeting every --slo-* bound given); failures by kind (queueFull for 429, invalidRequest and "
      + "exceedsMemoryBudget for 400, modelError for 500, serverUnavailable for 503, connectionError otherwise).")

  @Option(help: "The server's base URL, e.g. http://127.0.0.1:8080.") var url: String
  @Option(help: "Arrivals per second λ > 0, or inf to send every request at once.") var rate = Double.infinity
  @Option(help: "A file of arrival times (seconds from the start, non-decreasing, one per line) instead of --rate.")
  var trace: String?
  @Option(help: "Requests to send (≥ 1).") var requests = 100
  @Option(help: "Prompt tokens per request (≥ 1).") var promptTokens = 32
  @Option(help: "New tokens per request (≥ 1).") var maxTokens = 32
  @Option(help: "Seed of the arrivals (and, plus one, of the prompts).") var seed: UInt64 = 0
  @Option(help: "Goodput bound on the time to first token, seconds.") var sloTtft: Double?
  @Option(help: "Goodput bound on the time per output token, seconds.") var sloTpot: Double?
  @Option(help: "Goodput bound on the end-to-end latency, seconds.") var sloE2e: Double?
  @Flag(help: "Print the summary as one JSON object.") var json = false

  func validate() throws {
    guard let base = URL(string: url), base.scheme == "http", base.host != nil else {
      throw ValidationError("--url must be http://host:port")
    }
    guard rate > 0 else { throw ValidationError("--rate must be > 0 requests/s, or inf") }
    guard requests >= 1, promptTokens >= 1, maxTokens >= 1 else {
      throw ValidationError("--requests, --prompt-tokens and --max-tokens must be ≥ 1")
    }
  }

  func run() throws {
    let target = try LatencyTarget(timeToFirstToken: sloTtft, timePerOutputToken: sloTpot, endToEndLatency: sloE2e)
    var arrivalTimes: [Double]
    if let trace {
      var process = try ArrivalTrace(times: try Self.readTrace(trace))
      arrivalTimes = process.arrivals(count: requests)
    } else {
      var process = try PoissonProcess(rate: rate, seed: seed)
      arrivalTimes = process.arrivals(count: requests)
    }
    guard arrivalTimes.count == requests else {
      throw ServingError.invalidTrace("\(arrivalTimes.count) arrival times for \(requests) requests")
    }
    let client = CompletionLoadClient(baseURL: URL(string: url)!)
    let vocabulary = try awaitBlocking { try await client.vocabulary() }
    var generator = SeededGenerator(seed: seed &+ 1)
    let bodies = (0..<requests).map { _ in
      let prompt = (0..<promptTokens).map { _ in JSONValue.number(Double(generator.next() % UInt64(vocabulary))) }
      return JSONValue.object([
        ("prompt", .array(prompt)), ("max_tokens", .number(Double(maxTokens))), ("temperature", .number(0)),
        ("stream", .bool(true)),
      ])
    }
    let times = arrivalTimes
    let (records, duration) = try awaitBlocking { await client.run(bodies, arrivals: times) }
    let summary = try LoadSummary(records: records, duration: duration)
    let goodput = try target.goodput(of: records, duration: duration)
    try emit(document(summary, goodput: goodput), json: json) { print(report(summary, goodput: goodput)) }
  }

  /// Arrival times from a file, one number per line (blank lines skipped).
  static func readTrace(_ path: String) throws -> [Double] {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw InputError.unreadableFile(path: path, reason: error.localizedDescription)
    }
    var times: [Double] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let field = line.trimmingCharacters(in: .whitespaces)
      guard !field.isEmpty else { continue }
      guard let time = Double(field) else {
        throw InputError.invalidLine(path: path, line: index + 1, reason: "\"\(field)\" is not a number of seconds")
      }
      times.append(time)
    }
    return times
  }

  /// The summary as JSON: counts, throughputs, goodput, failures by kind and the four latency metrics.
  func document(_ summary: LoadSummary, goodput: Double) -> JSONValue {
    func latency(_ value: LatencySummary?) -> JSONValue {
      guard let value else { return .null }
      return .object([
        ("count", .number(Double(value.count))), ("mean", .number(value.mean)), ("p50", .number(value.p50)),
        ("p90", .number(value.p90)), ("p99", .number(value.p99)),
      ])
    }
    let failures = FailureKind.allCases.compactMap { kind in
      summary.failures[kind].map { (key: kind.rawValue, value: JSONValue.number(Double($0))) }
    }
    return .object([
      ("requests", .number(Double(summary.requests))), ("completed", .number(Double(summary.completed))),
      ("failures", .object(failures)), ("outputTokens", .number(Double(summary.outputTokens))),
      ("duration", .number(summary.duration)), ("requestThroughput", .number(summary.requestThroughput)),
      ("tokenThroughput", .number(summary.tokenThroughput)), ("goodput", .number(goodput)),
      ("timeToFirstToken", latency(summary.timeToFirstToken)),
      ("timePerOutputToken", latency(summary.timePerOutputToken)),
      ("interTokenLatency", latency(summary.interTokenLatency)), ("endToEndLatency", latency(summary.endToEndLatency)),
      ("rate", trace == nil ? (rate.isFinite ? .number(rate) : .string("inf")) : .null),
      ("promptTokens", .number(Double(promptTokens))), ("maxTokens", .number(Double(maxTokens))),
      ("seed", .number(Double(seed))),
    ])
  }

  /// The summary as a few lines of text.
  func report(_ summary: LoadSummary, goodput: Double) -> String {
    func line(_ name: String, _ value: LatencySummary?) -> String {
      guard let value else { return "\(name): none" }
      return "\(name) ms: mean \(milliseconds(value.mean)), p50 \(milliseconds(value.p50)), "
        + "p90 \(milliseconds(value.p90)), p99 \(milliseconds(value.p99))"
    }
    let failures = summary.failures.sorted { $0.key.rawValue < $1.key.rawValue }.map {
      "\($0.key.rawValue) \($0.value)"
    }
    return [
      "\(summary.completed) of \(summary.requests) requests completed in \(String(format: "%.3f", summary.duration)) s"
        + (failures.isEmpty ? "" : "; failed: " + failures.joined(separator: ", ")),
      "throughput: \(String(format: "%.3f", summary.requestThroughput)) requests/s, "
        + "\(String(format: "%.1f", summary.tokenThroughput)) tokens/s; goodput \(String(format: "%.3f", goodput)) "
        + "requests/s",
      line("time to first token", summary.timeToFirstToken), line("time per output token", summary.timePerOutputToken),
      line("inter-token latency", summary.interTokenLatency), line("end-to-end latency", summary.endToEndLatency),
    ].joined(separator: "\n")
  }

  private func milliseconds(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
}
