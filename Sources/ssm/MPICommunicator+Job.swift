import Foundation
import MessagePassing

extension MPICommunicator {
  /// Runs this process's part of a data-parallel command (`mpirun -np K ssm train|rl|compare …`).
  ///
  /// First the processes check that they share one configuration (`description`, see
  /// ``checkSameConfiguration(_:)``) and run `preflight` (such as: does `K` divide the batch); on
  /// an error there every process sees the same error, leaves the job and throws it. Then `work`
  /// runs. An error there may reach one process only, which aborts the job (`MPI_Abort`) with its
  /// message rather than leave the others waiting; the others, and the processes of a job whose
  /// rank died, stop with ``reportTermination(_:)``'s message ending in `stopNote`: what stays
  /// valid and how to continue (``resumeNote(_:)`` for a checkpointed run).
  func runJob(
    description: [UInt8], stopNote: String, preflight: () throws -> Void, work: () throws -> Void
  ) throws {
    do {
      try checkSameConfiguration(description)
      try preflight()
    } catch {
      finalize()
      throw error
    }
    reportTermination(stopNote)
    do {
      try work()
    } catch {
      abort(SSM.message(for: error))
    }
    finalize()
  }

  /// The stop note of a run that checkpoints into `directory` atomically: its last checkpoint stays
  /// valid and `--resume` continues from it.
  static func resumeNote(_ directory: URL) -> String {
    "the last checkpoint in \(directory.path) stays valid: rerun the same command with --resume to continue"
  }
}
