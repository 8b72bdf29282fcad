import Foundation
import Testing
import Training

/// Runs `configuration` uninterrupted in `whole` and, in `interrupted`, up to step `stop`, then
/// resumes it there from its last checkpoint (expected at `checkpoint`) to the end, reporting the
/// resumed steps to `report`; expects the two runs to end with equal parameters, bit for bit.
public func expectExactResume(
  _ configuration: RunConfiguration, stop: Int, checkpoint: Int, whole: URL, interrupted: URL,
  report: (StepReport) -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let reference = try TrainingRun(directory: whole, configuration: configuration, resume: false)
  try reference.run()
  try TrainingRun(directory: interrupted, configuration: configuration, resume: false).run(until: stop)
  let resumed = try TrainingRun(directory: interrupted, configuration: nil, resume: true)
  #expect(resumed.step == checkpoint, sourceLocation: sourceLocation)
  try resumed.run(report: report)
  for (a, b) in zip(reference.model.parameters, resumed.model.parameters) {
    #expect(a.value == b.value, "\(a.name)", sourceLocation: sourceLocation)
  }
}
