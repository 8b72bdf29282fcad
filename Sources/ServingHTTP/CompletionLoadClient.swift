import Foundation
import SSMJSON
import Serving

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A load generator for a server of the completions API (``CompletionServer`` or any
/// OpenAI-compatible one): it sends streamed requests at given arrival times over real HTTP and
/// records each one's timeline as the client sees it.
public struct CompletionLoadClient: Sendable {
  /// Why the client could not talk to the server at all.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String
  }

  /// The server's base URL, `http://host:port`.
  public let baseURL: URL
  /// Seconds a request may wait for its next bytes before it fails as a ``FailureKind/connectionError``.
  public let idleTimeout: Double

  /// A client of the server at `baseURL`.
  public init(baseURL: URL, idleTimeout: Double = 600) {
    self.baseURL = baseURL
    self.idleTimeout = idleTimeout
  }

  /// The model's vocabulary from `GET /health` (`{"status": "ok", "vocabulary": V}`).
  /// - Throws: ``Failure`` when the server does not answer or the answer has no vocabulary.
  public func vocabulary() async throws -> Int {
    let url = baseURL.appendingPathComponent("health")
    let data: Data
    do { (data, _) = try await URLSession.shared.data(from: url) } catch {
      throw Failure(description: "no answer from \(url): \(error.localizedDescription)")
    }
    let text = String(decoding: data, as: UTF8.self)
    guard case .number(let vocabulary)? = (try? JSONParser.parse(text))?["vocabulary"],
      let whole = Int(exactly: vocabulary), whole >= 1
    else { throw Failure(description: "\(url) answered without a vocabulary: \(text.prefix(200))") }
    return whole
  }

  /// Sends `bodies[i]` (completion requests with `"stream": true` and one choice) as
  /// `POST /v1/completions` at `arrivals[i]` seconds after the start, all concurrently.
  /// - Returns: one record per request, in order (its arrival is the moment it was sent, so
  ///   client-side lateness is not charged to the server), and the run's duration: from the
  ///   start until the last request ended.
  public func run(_ bodies: [JSONValue], arrivals: [Double]) async -> (records: [RequestRecord], duration: Double) {
    precondition(bodies.count == arrivals.count, "one arrival time per request")
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = max(bodies.count, 1)
    configuration.timeoutIntervalForRequest = idleTimeout
    let start = ContinuousClock.now
    let collector = ResponseCollector(start: start)
    let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
    defer { session.finishTasksAndInvalidate() }
    var request = URLRequest(url: baseURL.appendingPathComponent("v1/completions"))
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    let records = await withTaskGroup(of: (Int, RequestRecord).self) { group in
      for (index, body) in bodies.enumerated() {
        var request = request
        request.httpBody = Data(body.serialized.utf8)
        group.addTask { [request] in
          try? await Task.sleep(until: start + .nanoseconds(Int64(arrivals[index] * 1e9)), clock: .continuous)
          let sent = seconds(from: start, to: .now)
          let response = await collector.exchange(request, on: session)
          return (index, response.record(arrival: sent))
        }
      }
      var records = [RequestRecord](repeating: RequestRecord(arrival: 0), count: bodies.count)
      for await (index, record) in group { records[index] = record }
      return records
    }
    return (records, seconds(from: start, to: .now))
  }
}

/// Seconds from `start` to `end`.
private func seconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
  let elapsed = end - start
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// The session delegate that stamps every read of every response body.
private final class ResponseCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  private struct Exchange {
    var pieces: [StreamedResponse.Piece] = []
    let done: CheckedContinuation<StreamedResponse, Never>
  }

  private let start: ContinuousClock.Instant
  private let lock = NSLock()
  private var exchanges: [Int: Exchange] = [:]

  init(start: ContinuousClock.Instant) { self.start = start }

  /// Runs `request` on `session` and returns what came back.
  func exchange(_ request: URLRequest, on session: URLSession) async -> StreamedResponse {
    await withCheckedContinuation { done in
      let task = session.dataTask(with: request)
      lock.withLock { exchanges[task.taskIdentifier] = Exchange(done: done) }
      task.resume()
    }
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    let piece = StreamedResponse.Piece(time: seconds(from: start, to: .now), bytes: Array(data))
    lock.withLock { exchanges[dataTask.taskIdentifier]?.pieces.append(piece) }
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
    guard let exchange = lock.withLock({ exchanges.removeValue(forKey: task.taskIdentifier) }) else { return }
    exchange.done.resume(
      returning: StreamedResponse(
        status: (task.response as? HTTPURLResponse)?.statusCode, pieces: exchange.pieces,
        transportError: error.map { "\($0)" }))
  }
}
