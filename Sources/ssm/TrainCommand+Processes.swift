import Foundation
import MessagePassing
import Training

extension TrainCommand {
  /// Trains as one process of an MPI job (`mpirun -np K ssm train …`): the processes check that
  /// they share one configuration (``runDescription(_:)``) and that `K` divides the batch, then
  /// train data-parallel (``TrainingRun`` with the communicator as its reducer), as
  /// ``MPICommunicator/runJob(description:stopNote:preflight:work:)`` describes.
  func train(_ configuration: RunConfiguration, in directory: URL, across communicator: MPICommunicator) throws {
    try communicator.runJob(
      description: try runDescription(configuration), stopNote: MPICommunicator.resumeNote(directory),
      preflight: {
        _ = try DataParallelShard.rows(
          batch: configuration.batch, rank: communicator.rank, processCount: communicator.processCount)
      },
      work: { try train(configuration, in: directory, reducer: communicator) })
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
