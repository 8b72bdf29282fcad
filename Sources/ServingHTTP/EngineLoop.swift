import Foundation
import Models
import Serving

/// A ``BatchingEngine`` on its own thread, fed by the HTTP handlers.
///
/// Handlers ``submit(_:)`` requests and read their ``EngineEvent``s from an `AsyncStream`; the
/// thread applies submissions and cancellations between engine steps, steps while any request
/// waits or runs, and sleeps otherwise. All engine access happens on that thread; the lock only
/// guards the command list, the metrics and the shutdown flag.
public final class EngineLoop: @unchecked Sendable {
  /// The requests of one HTTP request: their engine ids (one per choice, in choice order) and
  /// their events, which end once every one of them finished or failed.
  public struct Submission: Sendable {
    /// Engine ids of the choices, in choice order.
    public let ids: [Int]
    /// The choices' events, in engine order; the stream ends when every choice ended.
    public let events: AsyncStream<EngineEvent>
  }

  private enum Command {
    case submit([ServingRequest], AsyncStream<EngineEvent>.Continuation, CheckedContinuation<[Int], any Error>)
    case cancel([Int])
  }

  /// Where the events of a group of ids go, and how many of them are still open.
  private final class Subscriber {
    let continuation: AsyncStream<EngineEvent>.Continuation
    var open: Int
    init(continuation: AsyncStream<EngineEvent>.Continuation, open: Int) {
      self.continuation = continuation
      self.open = open
    }
  }

  /// The model's vocabulary.
  public let vocabulary: Int

  private let engineSubmit: (ServingRequest) throws -> Int
  private let engineCancel: (Int) -> Bool
  private let engineStep: () -> StepReport
  private let engineCounts: () -> (waiting: Int, running: Int)

  private let condition = NSCondition()
  private var commands: [Command] = []
  private var stopping = false
  private var snapshot = ServingMetrics()
  private let stopped = DispatchSemaphore(value: 0)

  // Loop-thread state.
  private var subscribers: [Int: Subscriber] = [:]
  private var arrivals: [Int: ContinuousClock.Instant] = [:]

  /// A loop over a new engine for `model` with `configuration`; the thread starts at once.
  /// - Throws: the engine's ``ServingError`` for an invalid configuration.
  public init<Model: SequenceModel>(model: Model, configuration: EngineConfiguration) throws {
    // The engine is confined to the loop thread: only these closures touch it, and only there.
    let box = EngineBox(engine: try BatchingEngine(model: model, configuration: configuration))
    vocabulary = model.vocabulary
    engineSubmit = { try box.engine.submit($0) }
    engineCancel = { box.engine.cancel(id: $0) }
    engineStep = { box.engine.step() }
    engineCounts = { (box.engine.waitingCount, box.engine.runningCount) }
    let thread = Thread { [self] in run() }
    thread.name = "ssm-engine"
    thread.start()
  }

  /// Queues `requests` (the choices of one HTTP request) all or none.
  /// - Throws: ``APIError`` 429 when the queue has no room for all of them, 400 for a request the
  ///   engine refuses, 503 once ``stop()`` was called.
  public func submit(_ requests: [ServingRequest]) async throws -> Submission {
    let (events, continuation) = AsyncStream.makeStream(of: EngineEvent.self)
    let ids: [Int] = try await withCheckedThrowingContinuation { reply in
      condition.lock()
      defer { condition.unlock() }
      guard !stopping else { return reply.resume(throwing: APIError.shuttingDown) }
      commands.append(.submit(requests, continuation, reply))
      condition.signal()
    }
    return Submission(ids: ids, events: events)
  }

  /// Removes requests `ids` from the engine (a client that went away); finished ids are ignored.
  public func cancel(_ ids: [Int]) {
    condition.lock()
    defer { condition.unlock() }
    commands.append(.cancel(ids))
    condition.signal()
  }

  /// The current metrics (as of the last step).
  public var metrics: ServingMetrics {
    condition.lock()
    defer { condition.unlock() }
    return snapshot
  }

  /// Refuses new submissions, lets the engine finish every accepted request, then returns once
  /// the thread has ended.
  public func stop() {
    condition.lock()
    let first = !stopping
    stopping = true
    condition.signal()
    condition.unlock()
    if first { stopped.wait() }
  }

  private func run() {
    while true {
      condition.lock()
      while commands.isEmpty, subscribers.isEmpty, !stopping { condition.wait() }
      if stopping, commands.isEmpty, subscribers.isEmpty {
        condition.unlock()
        stopped.signal()
        return
      }
      let pending = commands
      commands = []
      condition.unlock()
      for command in pending { apply(command) }
      let report = subscribers.isEmpty ? nil : engineStep()
      var generated = 0
      var finished = 0
      var firstTokens: [Double] = []
      for event in report?.events ?? [] {
        switch event {
        case .token(let id, _):
          generated += 1
          if let arrival = arrivals.removeValue(forKey: id) {
            let elapsed = ContinuousClock.now - arrival
            firstTokens.append(
              Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
          }
          deliver(event, id: id, closes: false)
        case .finished(let id, _), .failed(let id, _):
          finished += 1
          deliver(event, id: id, closes: true)
        case .preempted(let id):
          deliver(event, id: id, closes: false)
        }
      }
      let counts = engineCounts()
      condition.lock()
      snapshot.waiting = counts.waiting
      snapshot.running = counts.running
      snapshot.generatedTokens += generated
      snapshot.finishedRequests += finished
      for seconds in firstTokens { snapshot.timeToFirstToken.observe(seconds) }
      condition.unlock()
    }
  }

  private func apply(_ command: Command) {
    switch command {
    case .cancel(let ids):
      for id in ids where engineCancel(id) { close(id) }
    case .submit(let requests, let continuation, let reply):
      var ids: [Int] = []
      do {
        for request in requests { ids.append(try engineSubmit(request)) }
      } catch {
        for id in ids { _ = engineCancel(id) }
        continuation.finish()
        switch error as? ServingError {
        case .queueFull?:
          condition.lock()
          snapshot.rejectedRequests += 1
          condition.unlock()
          reply.resume(throwing: APIError.queueFull("\(error)"))
        case .exceedsMemoryBudget?:
          reply.resume(throwing: APIError.invalid("\(error)", param: "max_tokens", code: "exceeds_memory_budget"))
        default:
          reply.resume(throwing: APIError.invalid("\(error)", param: nil))
        }
        return
      }
      let subscriber = Subscriber(continuation: continuation, open: ids.count)
      let now = ContinuousClock.now
      for id in ids {
        subscribers[id] = subscriber
        arrivals[id] = now
      }
      reply.resume(returning: ids)
    }
  }

  private func deliver(_ event: EngineEvent, id: Int, closes: Bool) {
    subscribers[id]?.continuation.yield(event)
    if closes { close(id) }
  }

  /// Forgets `id`; its subscriber's stream ends with its last open id.
  private func close(_ id: Int) {
    arrivals[id] = nil
    guard let subscriber = subscribers.removeValue(forKey: id) else { return }
    subscriber.open -= 1
    if subscriber.open == 0 { subscriber.continuation.finish() }
  }
}

/// The engine, held by reference so the loop's closures share one mutable value.
private final class EngineBox<Model: SequenceModel> {
  var engine: BatchingEngine<Model>
  init(engine: BatchingEngine<Model>) { self.engine = engine }
}
