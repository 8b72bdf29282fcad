import Foundation
import MessagePassing
import Models
import Reinforcement

extension RLCommand {
  /// Fine-tunes as one process of an MPI job (`mpirun -np K ssm rl …`): the processes check that
  /// they share one configuration (``runDescription``), that the algorithm is GRPO (PPO has no
  /// data-parallel mode) and that `K` divides `--prompts`, then run
  /// GRPO data-parallel (``GRPOTrainer`` with the communicator as its reducer), as
  /// ``MPICommunicator/runJob(description:stopNote:preflight:work:)`` describes.
  func fineTune<Model: SequenceModel, Task: VerifiableTask>(
    _ model: Model, on verifiableTask: Task, across communicator: MPICommunicator
  ) throws {
    try communicator.runJob(
      description: runDescription, stopNote: MPICommunicator.resumeNote(URL(fileURLWithPath: out)),
      preflight: {
        guard algorithm == .grpo else {
          throw InputError.inapplicableOption(
            "--algorithm \(algorithm.rawValue) runs in one process: start it without mpirun (GRPO runs data-parallel)")
        }
        guard prompts % communicator.processCount == 0 else {
          throw ReinforcementError.invalidParameter(
            "--prompts \(prompts) does not divide among \(communicator.processCount) processes; choose a multiple "
              + "of \(communicator.processCount)")
        }
      },
      work: { try fineTune(model, on: verifiableTask, reducer: communicator) })
  }

  /// What must agree across the processes of one run: every option GRPO reads, with the checkpoint
  /// and the run directory as absolute paths (the PPO options are refused under mpirun).
  var runDescription: [UInt8] {
    let path = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
    let options: [String] = [
      algorithm.rawValue, path(checkpoint), task.rawValue, "\(digits)", "\(steps)", "\(prompts)", "\(groupSize)",
      "\(klBeta.map(String.init(describing:)) ?? "-")", "\(clip)", lossType?.rawValue ?? "-",
      "\(epochs.map(String.init) ?? "-")", "\(learningRate)", "\(seed)", "\(checkpointEvery)", "\(evaluateEvery)",
      "\(evaluationExamples)", path(out), "\(resume)",
    ]
    return Array(options.joined(separator: "\n").utf8)
  }
}
