import ArgumentParser
import Foundation
import Models
import Serving
import ServingHTTP
import Training

/// `ssm serve`: a checkpoint's model behind an OpenAI-compatible HTTP API.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve a checkpoint's model over HTTP: OpenAI-style /v1/completions with continuous batching.",
    discussion:
      "POST /v1/completions takes OpenAI's completion fields: prompt (text for byte-level models, or a list of "
      + "token ids), max_tokens (default 16), temperature (default 1; 0 is greedy), top_p, top_k, seed (default "
      + "0), stop (single-token stops), n and stream (server-sent events ending with data: [DONE]). Choice i "
      + "equals sample i of ssm generate --strategy sample with the same options (temperature 0: ssm generate's "
      + "greedy output). GET /health answers {\"status\": \"ok\"}; GET /metrics gives Prometheus text (queue "
      + "length, running requests, generated tokens, time-to-first-token histogram). A full queue answers 429 "
      + "with Retry-After; a bad request 400 with an OpenAI-style error body. SIGTERM or SIGINT stops accepting, "
      + "finishes the requests in flight and exits 0.")

  @Option(help: "A checkpoint.safetensors written by ssm train.") var checkpoint: String
  @Option(help: "The address to listen on.") var host = "127.0.0.1"
  @Option(help: "The port to listen on (0: any free port, printed at start).") var port = 8080
  @Option(help: "The most requests running at once (≥ 1).") var maxBatch = 8
  @Option(help: "The most requests waiting to start (≥ 0); beyond it requests get 429.") var maxQueue = 64
  @Option(help: "GiB of request state the running requests may hold together (default: no limit).")
  var memoryBudget: Double?

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must lie in 0…65535") }
    guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1") }
    guard maxQueue >= 0 else { throw ValidationError("--max-queue must be at least 0") }
    if let memoryBudget, !(memoryBudget.isFinite && memoryBudget > 0) {
      throw ValidationError("--memory-budget must be a finite number of GiB > 0")
    }
  }

  func run() throws {
    let (model, _) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: checkpoint))
    let budget = memoryBudget.map { Int(($0 * Double(1 << 30)).rounded(.down)) }
    let loop = try EngineLoop(
      model: model, configuration: EngineConfiguration(maxBatch: maxBatch, maxQueue: maxQueue, memoryBudget: budget))
    let byteLevel = ByteText.isByteLevel(vocabulary: model.vocabulary)
    let encode: (@Sendable (String) -> [Int])? = byteLevel ? { @Sendable text in ByteText.tokens(text) } : nil
    let codec = TextCodec(
      encode: encode,
      decode: { byteLevel ? ByteText.text($0) : $0.map(String.init).joined(separator: " ") })
    let server = CompletionServer(
      loop: loop, codec: codec, stopTokens: Set(ByteText.separator(vocabulary: model.vocabulary).map { [$0] } ?? []),
      modelName: URL(fileURLWithPath: checkpoint).deletingPathExtension().lastPathComponent)
    let application = server.application(host: host, port: port) { [host] port in
      // Unbuffered: a client waiting for this line reads it at once.
      FileHandle.standardOutput.write(Data("ssm serve: listening on http://\(host):\(port)\n".utf8))
    }
    try awaitBlocking { try await application.runService() }
    loop.stop()
  }
}
