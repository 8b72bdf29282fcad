import Autodiff
import Checkpoint
import Foundation
import ModelTestSupport
import Models
import SeededRandom
import Tasks
import TestSupport
import Testing
import Training

@Suite("Medusa training: Medusa-1 loss and frozen backbone, Medusa-2 joint loss, gradients, resume, accuracy, errors")
struct MedusaTrainingTests {
  static let task = TaskConfiguration(.copying, length: 10, count: 4, alphabet: 3)
  static let backbone = ModelConfiguration.s4(.init(vocabulary: 5, width: 8, depth: 1, stateSize: 4))

  /// A backbone trained for 3 steps on the copying task, checkpointed in `directory`.
  static func backboneCheckpoint(in directory: URL) throws -> String {
    let configuration = RunConfiguration(task: task, model: backbone, batch: 8, steps: 3, seed: 2)
    try TrainingRun(directory: directory, configuration: configuration, resume: false).run()
    return TrainingRun.checkpointURL(in: directory).path
  }

  /// A Medusa-1 run of `heads` heads on the backbone at `source`.
  static func medusaRun(source: String, heads: Int = 2, steps: Int = 6) -> RunConfiguration {
    RunConfiguration(
      task: task, model: backbone, batch: 8, steps: steps, learningRate: 1e-2, warmupSteps: 2, seed: 7,
      checkpointEvery: 2, initializedFrom: source, medusa: MedusaConfiguration(heads: heads))
  }

  /// `log softmax(z)[target]` in double precision.
  static func logProbability(_ logits: [Double], _ target: Int) -> Double {
    let top = logits.max()!
    return logits[target] - top - Foundation.log(logits.reduce(0) { $0 + Foundation.exp($1 - top) })
  }

  // B = 2 sequences of L = 3, V = 5, H = 4, K = 2 heads with non-zero residual blocks, decay 0.5
  // (λ = 1, 0.5). The targets of each head are listed by hand: head 0 reads y[t + 1], head 1
  // y[t + 2]; positions past the sequence and the ignored target (-100) are excluded. The loss is
  // recomputed in double precision from logits built by explicit loops; float32 accumulation in the
  // tape's matrix products and softmax bounds the difference well below 1e-5 relative.
  @Test func lossEqualsTheDirectComputation() throws {
    let (width, vocabulary) = (4, 5)
    let heads = try MedusaHeads(
      count: 2, outputWeight: randomTensor([width, vocabulary], seed: 1),
      outputBias: randomTensor([vocabulary], seed: 2))
    for (index, head) in heads.heads.enumerated() {
      head.residualWeight.value = randomTensor([width, width], seed: 10 + UInt64(index), scale: 0.5)
      head.residualBias.value = randomTensor([width], seed: 20 + UInt64(index), scale: 0.5)
    }
    let hidden = randomTensor([6, width], seed: 3)
    let classes = [[1, 2, TaskBatch.ignoredTarget], [0, 3, 4]]
    let ignored = TaskBatch.ignoredTarget
    #expect(MedusaObjective.targets(classes, head: 0) == [[2, ignored, ignored], [3, 4, ignored]])
    #expect(MedusaObjective.targets(classes, head: 1) == [[ignored, ignored, ignored], [4, ignored, ignored]])

    let objective = try MedusaObjective(heads: heads, decay: 0.5)
    #expect(objective.weights == [1, 0.5])
    let tape = Tape(recordsGradients: false)
    let loss = tape.value(try objective.loss(hidden: tape.constant(hidden), targets: classes, on: tape)).scalar

    func logits(head: MedusaHead, row: Int) -> [Double] {
      let h = (0..<width).map { Double(hidden.values[row * width + $0]) }
      let inner = (0..<width).map { j in
        let a = (0..<width).reduce(Double(head.residualBias.value.values[j])) {
          $0 + h[$1] * Double(head.residualWeight.value.values[$1 * width + j])
        }
        return a / (1 + Foundation.exp(-a))
      }
      let x = zip(h, inner).map(+)
      return (0..<vocabulary).map { v in
        (0..<width).reduce(Double(head.projectionBias.value.values[v])) {
          $0 + x[$1] * Double(head.projectionWeight.value.values[$1 * vocabulary + v])
        }
      }
    }
    // Rows b·L + t with their targets: head 0 at (0,0)→2, (1,0)→3, (1,1)→4; head 1 at (1,0)→4.
    let head0 = [(0, 2), (3, 3), (4, 4)].map { -Self.logProbability(logits(head: heads.heads[0], row: $0.0), $0.1) }
    let head1 = -Self.logProbability(logits(head: heads.heads[1], row: 3), 4)
    let expected = head0.reduce(0, +) / 3 + 0.5 * head1
    #expect(abs(Double(loss) - expected) <= 1e-5 * expected, "\(loss) vs \(expected)")
  }

  // ∂ℒ/∂θ of every head parameter against central differences (ε = 1e-2 on entries of magnitude
  // ~1; the loss is float32 with ~1e-7 relative rounding, so the quotient carries ~1e-5 of
  // rounding noise and O(ε²) ≈ 1e-4 of truncation): agreement within 2e-3 absolute + 2 %.
  @Test func headGradientsMatchFiniteDifferences() throws {
    let heads = try MedusaHeads(count: 2, outputWeight: randomTensor([3, 4], seed: 5), outputBias: nil)
    heads.heads[1].residualWeight.value = randomTensor([3, 3], seed: 6, scale: 0.5)
    let hidden = randomTensor([4, 3], seed: 7)
    let classes = [[1, 3, 0, 2]]
    let objective = try MedusaObjective(heads: heads)
    func loss() throws -> Float {
      let tape = Tape(recordsGradients: false)
      return tape.value(try objective.loss(hidden: tape.constant(hidden), targets: classes, on: tape)).scalar
    }
    heads.parameters.forEach { $0.zeroGradient() }
    let tape = Tape()
    try tape.backward(try objective.loss(hidden: tape.constant(hidden), targets: classes, on: tape))
    var checked = 0
    for parameter in heads.parameters {
      for index in parameter.value.values.indices {
        let saved = parameter.value.values[index]
        let epsilon: Float = 1e-2
        parameter.value.values[index] = saved + epsilon
        let up = try loss()
        parameter.value.values[index] = saved - epsilon
        let down = try loss()
        parameter.value.values[index] = saved
        let numeric = (up - down) / (2 * epsilon)
        let analytic = parameter.gradient.values[index]
        #expect(abs(numeric - analytic) <= 2e-3 + 0.02 * abs(numeric), "\(parameter.name)[\(index)]")
        checked += 1
      }
    }
    #expect(checked == 2 * (9 + 3 + 12 + 4))
  }

  // Medusa-1 steps leave every backbone parameter bit-identical to the backbone checkpoint while
  // every head's residual block leaves zero; the run's checkpoint still opens as the plain
  // backbone, and its heads read back equal to the run's.
  @Test func backboneIsFrozenAndHeadsTrain() throws {
    let (first, second) = (temporaryPath("ssm-medusa"), temporaryPath("ssm-medusa"))
    defer { [first, second].forEach { try? FileManager.default.removeItem(at: $0) } }
    let source = try Self.backboneCheckpoint(in: first)
    let run = try TrainingRun(directory: second, configuration: Self.medusaRun(source: source), resume: false)
    let initialHeads = try #require(run.medusaHeads).parameters.map(\.value)
    try run.run()
    let (original, _) = try TrainingRun.model(fromCheckpoint: URL(fileURLWithPath: source))
    #expect(!original.parameters.isEmpty)
    for (a, b) in zip(original.parameters, run.model.parameters) { #expect(a.value == b.value, "\(a.name)") }
    let heads = try #require(run.medusaHeads)
    for head in heads.heads { #expect(head.residualWeight.value.values.contains { $0 != 0 }) }
    #expect(zip(initialHeads, heads.parameters).allSatisfy { $0 != $1.value })

    let checkpoint = TrainingRun.checkpointURL(in: second)
    let (plain, configuration) = try TrainingRun.model(fromCheckpoint: checkpoint)
    #expect(configuration.medusa == MedusaConfiguration(heads: 2))
    for (a, b) in zip(original.parameters, plain.parameters) { #expect(a.value == b.value, "\(a.name)") }
    let stored = try #require(try TrainingRun.medusaHeads(fromCheckpoint: checkpoint, on: plain))
    #expect(stored.parameters.map(\.name) == heads.parameters.map(\.name))
    for (a, b) in zip(stored.parameters, heads.parameters) { #expect(a.value == b.value, "\(a.name)") }
    #expect(try TrainingRun.medusaHeads(fromCheckpoint: URL(fileURLWithPath: source), on: plain) == nil)
  }

  // Medusa-2's loss is the backbone's cross-entropy plus λ₀ times the heads' loss, each computed
  // here separately (the backbone's logits and hidden states from their own tapes), for λ₀ = 0.2
  // and 0.7: one forward pass gives the same value up to float32 rounding (1e-6 relative).
  @Test func jointLossIsBackboneLossPlusWeightedHeadsLoss() throws {
    let model = try S4Model(.init(vocabulary: 5, width: 8, depth: 1, stateSize: 4), seed: 3)
    let heads = try MedusaHeads(count: 2, outputWeight: model.decoder.weight.value, outputBias: nil)
    heads.heads[0].residualWeight.value = randomTensor([8, 8], seed: 4, scale: 0.5)
    let (tokens, classes) = ([[1, 4, 2, 0, 3], [2, 2, 1, 4, 0]], [[4, 2, 0, 3, 1], [2, -100, 4, 0, 3]])
    for weight: Float in [0.2, 0.7] {
      let objective = try MedusaObjective(heads: heads, decay: 0.8, headsWeight: weight)
      var unused = SeededGenerator(seed: 0)
      let tape = Tape()
      let joint = tape.value(
        try objective.jointLoss(model, tokens: tokens, targets: classes, on: tape, generator: &unused)
      ).scalar
      let separate = Tape()
      let backbone = try separate.softmaxCrossEntropy(
        model.logits(tokens, on: separate, training: true, generator: &unused),
        targets: classes.flatMap { $0 }, ignoredTarget: -100)
      let hidden = try MedusaObjective.frozenHiddenStates(of: model, tokens: tokens)
      let headsLoss = try objective.loss(hidden: separate.constant(hidden), targets: classes, on: separate)
      let expected = separate.value(backbone).scalar + weight * separate.value(headsLoss).scalar
      #expect(abs(joint - expected) <= 1e-6 * abs(expected), "λ₀ = \(weight): \(joint) vs \(expected)")
    }
  }

  // A Medusa-2 run started from a Medusa-1 checkpoint begins with that checkpoint's trained heads
  // and backbone, and its steps change both (every backbone parameter that the loss reaches and
  // every head); the checkpoint records stage 2 and reads back as model and heads.
  @Test func stageTwoTrainsBackboneAndHeadsFromStageOne() throws {
    let (first, second, third) = (temporaryPath("ssm-medusa"), temporaryPath("ssm-medusa"), temporaryPath("ssm-medusa"))
    defer { [first, second, third].forEach { try? FileManager.default.removeItem(at: $0) } }
    let source = try Self.backboneCheckpoint(in: first)
    try TrainingRun(directory: second, configuration: Self.medusaRun(source: source), resume: false).run()
    let stageOne = TrainingRun.checkpointURL(in: second)
    var configuration = Self.medusaRun(source: stageOne.path, steps: 4)
    configuration.medusa?.stage = 2
    let run = try TrainingRun(directory: third, configuration: configuration, resume: false)
    let (original, _) = try TrainingRun.model(fromCheckpoint: stageOne)
    let trainedHeads = try #require(try TrainingRun.medusaHeads(fromCheckpoint: stageOne, on: original))
    let heads = try #require(run.medusaHeads)
    for (a, b) in zip(trainedHeads.parameters, heads.parameters) { #expect(a.value == b.value, "\(a.name)") }
    for (a, b) in zip(original.parameters, run.model.parameters) { #expect(a.value == b.value, "\(a.name)") }
    try run.run()
    let changed = zip(original.parameters, run.model.parameters).filter { $0.value != $1.value }.count
    #expect(
      changed == original.parameters.count, "\(changed) of \(original.parameters.count) backbone parameters changed")
    #expect(zip(trainedHeads.parameters, heads.parameters).allSatisfy { $0.value != $1.value })
    let stored = try TrainingRun.configuration(ofCheckpoint: TrainingRun.checkpointURL(in: third))
    #expect(stored.medusa?.stage == 2 && stored.medusa?.headsWeight == 0.2)
  }

  // Interrupted at step 3 (last checkpoint at 2) and resumed, a Medusa-1 run ends with the
  // uninterrupted run's backbone and heads, bit for bit (same batches, same head optimiser state).
  @Test func resumeIsExact() throws {
    let base = temporaryPath("ssm-medusa")
    defer { try? FileManager.default.removeItem(at: base) }
    let source = try Self.backboneCheckpoint(in: base.appendingPathComponent("backbone"))
    let configuration = Self.medusaRun(source: source)
    let (whole, interrupted) = (base.appendingPathComponent("whole"), base.appendingPathComponent("interrupted"))
    let reference = try TrainingRun(directory: whole, configuration: configuration, resume: false)
    try reference.run()
    try TrainingRun(directory: interrupted, configuration: configuration, resume: false).run(until: 3)
    let resumed = try TrainingRun(directory: interrupted, configuration: nil, resume: true)
    #expect(resumed.step == 2)
    try resumed.run()
    let a = reference.model.parameters + (reference.medusaHeads?.parameters ?? [])
    let b = resumed.model.parameters + (resumed.medusaHeads?.parameters ?? [])
    #expect(a.count == b.count && a.count > reference.model.parameters.count)
    for (x, y) in zip(a, b) { #expect(x.name == y.name && x.value == y.value, "\(x.name)") }
  }

  // Untrained heads reproduce the backbone's output layer (zero residual blocks), so head k's
  // accuracy is the fraction of positions t (with a target t + k + 1 < L) at which the backbone's
  // own next-token arg-max equals y[t + k + 1], counted here from its parallel logits.
  @Test func perHeadAccuracyOfUntrainedHeadsMatchesTheBackbone() throws {
    let directory = temporaryPath("ssm-medusa")
    defer { try? FileManager.default.removeItem(at: directory) }
    let (model, configuration) = try TrainingRun.model(
      fromCheckpoint: URL(fileURLWithPath: try Self.backboneCheckpoint(in: directory)))
    let (weight, bias) = try #require(model.outputLayer)
    let heads = try MedusaHeads(count: 3, outputWeight: weight, outputBias: bias)
    let task = try configuration.makeTask()
    let scores = try medusaAccuracy(heads, on: model, task: task, examples: 8, seed: 11, batch: 8)
    let batch = try task.batch(8, split: .test, index: 0, seed: 11, length: task.length)
    let logits = try model.forward(try #require(batch.tokens))
    let classes = try #require(batch.classes)
    for k in 0..<3 {
      var (correct, total) = (0, 0)
      for b in 0..<8 {
        for t in 0..<task.length where t + k + 1 < task.length && classes[b][t + k + 1] != TaskBatch.ignoredTarget {
          let row = (0..<5).map { logits.values[(b * task.length + t) * 5 + $0] }
          correct += row.firstIndex(of: row.max()!) == classes[b][t + k + 1] ? 1 : 0
          total += 1
        }
      }
      #expect(scores[k] == Accuracy(correct: correct, total: total), "head \(k)")
      #expect(total > 0)
    }
  }

  // Without a backbone checkpoint, with K < 1 or a non-positive decay the configuration is
  // refused; a backbone of another vocabulary than the run's model fails to load before any step.
  @Test func badConfigurationsAreErrors() throws {
    let directory = temporaryPath("ssm-medusa")
    defer { try? FileManager.default.removeItem(at: directory) }
    let source = try Self.backboneCheckpoint(in: directory.appendingPathComponent("backbone"))
    var noBackbone = Self.medusaRun(source: source)
    noBackbone.initializedFrom = nil
    #expect(throws: TrainingError.self) { try noBackbone.validate() }
    #expect(throws: TrainingError.self) { try Self.medusaRun(source: source, heads: 0).validate() }
    var decay = Self.medusaRun(source: source)
    decay.medusa?.decay = 0
    #expect(throws: TrainingError.self) { try decay.validate() }
    for (stage, weight): (Int, Float) in [(3, 0.2), (2, 0), (2, .nan)] {
      var invalid = Self.medusaRun(source: source)
      invalid.medusa = MedusaConfiguration(heads: 2, stage: stage, headsWeight: weight)
      #expect(throws: TrainingError.self) { try invalid.validate() }
    }
    var wider = Self.medusaRun(source: source)
    wider.task = TaskConfiguration(.copying, length: 10, count: 4, alphabet: 5)
    wider.model = .s4(.init(vocabulary: 7, width: 8, depth: 1, stateSize: 4))
    #expect(throws: TrainingError.self) {
      try TrainingRun(directory: directory.appendingPathComponent("wider"), configuration: wider, resume: false)
    }
  }
}
