import Foundation
import MessagePassing
import Training

extension TrainCommand {
  /// Trains as one process of an MPI job (`mpirun -np K ssm train …`): the processes first check
  /// that they share one configuration (``runDescription(_:)``) and that `K` divides the batch, and
  /// stop together with the error otherwise; then they train data-parallel (``TrainingRun`` with
  /// the communicator as its reducer). An error after that may reach one process only, which
  /// then aborts the job rather than leave the others waiting; the last checkpoint, written
  /// atomically, stays valid.
  func train(_ configuration: RunConfiguration, in directory: URL, across communicator: MPICommunicator) throws {
    do {
      try communicator.checkSameConfiguration(runDescription(configuration))
      _ = try DataParallelShard.rows(
        batch: configuration.batch, rank: communicator.rank, processCount: communicator.processCount)
    } catch {
      communicator.finalize()
      throw error
    }
    do {
      try train(configuration, in: directory, reducer: communicator)
    } catch {
      communicator.abort(Self.message(for: error))
    }
    communicator.finalize()
  }

  /// What must agree across the processes of one run: the configuration (JSON, sorted keys), the
  /// run directory and whether it resumes.
  func runDescription(_ configuration: RunConfiguration) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let directory = URL(fileURLWithPath: out).standardizedFileURL.path
    return Array(try encoder.encode(configuration)) + Array("\n\(directory)\n\(resume)".utf8)
  }
}
