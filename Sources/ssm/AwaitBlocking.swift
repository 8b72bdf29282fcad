import Dispatch

/// Runs `operation` on the concurrency pool and blocks this thread until it returns: the
/// commands are synchronous `ParsableCommand`s, and the HTTP server and client are async.
/// - Throws: what `operation` throws.
func awaitBlocking<Value: Sendable>(_ operation: @escaping @Sendable () async throws -> Value) throws -> Value {
  let outcome = BlockingOutcome<Value>()
  let finished = DispatchSemaphore(value: 0)
  Task {
    do { outcome.result = .success(try await operation()) } catch { outcome.result = .failure(error) }
    finished.signal()
  }
  finished.wait()
  return try outcome.result!.get()
}

/// The result of the task, written before the semaphore is signalled and read after the wait.
private final class BlockingOutcome<Value: Sendable>: @unchecked Sendable {
  var result: Result<Value, any Error>?
}
