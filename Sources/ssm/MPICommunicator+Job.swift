import Foundation
import MessagePassing

extension MPICommunicator {
  /// Runs this process's part of a data-parallel command (`mpirun -np K ssm train|rl …`).
  ///
  /// First the processes check that they share one configuration (`description`, see
  /// ``checkSameConfiguration(_:)``) and run `preflight` (such as: does `K` divide the batch); on
  /// an error there every process sees the same error, leaves the job and throws it. Then `work`
  /// runs. An error there may reach one process only, which aborts the job (`MPI_Abort`) with its
  /// message rather than leave the others waiting; the others, and the processes of a job whose
  /// rank died, stop with ``reportTermination(_:)``'s message naming `directory`, whose last
  /// checkpoint, written atomically, stays valid.
  func runJob(
    description: [UInt8], directory: URL, preflight: () throws -> Void, work: () throws -> Void
  ) throws {
    do {
      try checkSameConfiguration(description)
      try preflight()
    } catch {
      finalize()
      throw error
    }
    reportTermination(
      "the last checkpoint in \(directory.path) stays valid: rerun the same command with --resume to continue")
    do {
      try work()
    } catch {
      abort(SSM.message(for: error))
    }
    finalize()
  }
}
