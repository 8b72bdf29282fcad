import ArgumentParser
import Foundation
import HiPPO
import MessagePassing
import Models
import Tasks
import Training

/// `ssm train`: trains a model on a task, checkpointing atomically, resumable.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract:
      "Train an S4D, S4, Mamba, transformer or GRU model on a task; checkpoints atomically and resumes with --resume.",
    discussion:
      "Writes OUT/checkpoint.safetensors (parameters, optimiser state, generator states, step and the configuration) "
      + "every --checkpoint-every steps and at the end, and OUT/metrics.jsonl. A progress bar is shown on a "
      + "terminal, plain log lines otherwise. --resume continues from the last checkpoint and ends with the same "
      + "parameters as an uninterrupted run. --state-size applies to s4d, s4 and mamba; --heads, --positions and "
      + "--tied-embeddings to transformer; --dropout to every family but gru.")

  enum OptimizerName: String, CaseIterable, ExpressibleByArgument {
    case adamw, sgd
  }

  @Option(
    help: ArgumentHelp(
      "The task: copying (--count data tokens from --alphabet symbols, blanks, --count recall markers), text "
        + "(byte-level language modelling on --corpus) or any other of the suite, in its default shape at --length.",
      discussion: "adding, delay and reconstruct have real-valued inputs and outputs: the model reads them "
        + "through a linear encoder and is trained and evaluated by mean squared error. text models read and "
        + "predict bytes (257 tokens: 256 byte values and a document separator) and are evaluated in bits per byte."))
  var task: TaskName = .copying
  @Option(
    help: ArgumentHelp(
      "The model family: \(ModelFamily.all.map(\.name).joined(separator: ", ")).",
      discussion: ModelFamily.all.map { "\($0.name): \($0.summary)" }.joined(separator: "; ")))
  var model: ModelFamily = .s4d
  @Option(help: "Residual blocks (transformer blocks, GRU layers).") var layers = 2
  @Option(help: "Channels H (transformer: model width D).") var width = 64
  @Option(help: "s4d, s4, mamba: state size N (s4d, s4: N/2 modes per channel, default 64; mamba: default 16).")
  var stateSize: Int?
  @Option(help: "transformer: attention heads, dividing --width (default 4).") var heads: Int?
  @Option(help: "transformer: positions, learned, sinusoidal or rotary (default rotary).")
  var positions: PositionEncoding?
  @Flag(help: "transformer: logits from the transposed token embedding.") var tiedEmbeddings = false
  @Option(help: "Sequence length (copying: 2·count + delay).") var length = 512
  @Option(
    help: ArgumentHelp(
      "text: the corpus, a text file or a folder of text files (default: Debian's fortunes, "
        + "/usr/share/games/fortunes).",
      discussion: "Documents are separated by lines holding only %, or else by blank lines; each document "
        + "belongs to the train, validation or test split by the hash of its bytes."))
  var corpus: String?
  @Option(help: "copying: data tokens to memorise (default 10).") var count: Int?
  @Option(help: "copying: distinct data symbols (vocabulary alphabet + 2; 254 gives a byte-level model; default 8).")
  var alphabet: Int?
  @Option(help: "Optimisation steps (3000: the defaults reach ≥ 99 % on copying at --length 512).") var steps = 3000
  @Option(help: "Sequences per step.") var batch = 16
  @Option(
    help:
      "The optimiser: adamw (decoupled weight decay) or sgd (heavy-ball momentum, weight decay added to the gradient).")
  var optimizer: OptimizerName = .adamw
  @Option(help: "sgd: momentum in [0, 1) (default 0.9; 0 is plain SGD).") var momentum: Float?
  @Option(help: "Peak learning rate of the standard parameters (state space: 1e-3).") var learningRate: Float = 3e-3
  @Option(help: "s4d, s4: smallest initial dt (default 1e-3; smaller remembers longer).") var dtMin: Double?
  @Option(help: "s4d, s4: largest initial dt (default 1e-1).") var dtMax: Double?
  @Option(help: "s4d: the S4D initialisation of Λ and B, lin, inv, real or legs (default lin).")
  var initialization: S4DInitialization?
  @Option(help: "s4d, s4: each block's output, glu (Linear H → 2H, then GLU) or linear (Linear H → H; default glu).")
  var blockOutput: BlockOutput?
  @Option(help: "Learning rate of the state space parameters (Λ, P, B, log dt; no weight decay).")
  var stateSpaceLearningRate: Float = 1e-3
  @Option(help: "Dropout (s4d, s4: after each block's GLU; transformer: embeddings and residual branches).")
  var dropout: Float = 0
  @Option(help: "Seed of initialisation, data and dropout.") var seed: UInt64 = 0
  @Option(help: "Steps between checkpoints.") var checkpointEvery = 100
  @Option(help: "Steps between evaluations on 128 instances of the validation split (0: none).")
  var evaluateEvery = 0
  @Option(help: "The run directory.") var out: String
  @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false
  @Option(
    help: ArgumentHelp(
      "Start from the parameters of this checkpoint (same model options) with a fresh optimiser, schedule and "
        + "step count: a second stage or fine-tuning."))
  var initializeFrom: String?
  @Option(
    help: ArgumentHelp(
      "Medusa: train K Medusa heads on the backbone of --initialize-from (required).",
      discussion: "Head k (1…K) predicts token t + k + 1 from the backbone's last hidden state at t, with the loss "
        + "Σ_k λ_k CE_k, λ_k = decay^(k−1). The model is the backbone's, from its checkpoint: model options are not "
        + "read. Stage 1 (Medusa-1) keeps the backbone frozen; stage 2 (Medusa-2) trains backbone and heads with "
        + "CE_0 + λ₀ Σ_k λ_k CE_k (CE_0 the backbone's own loss, λ₀ = --medusa-weight), continuing the heads of a "
        + "Medusa-1 checkpoint of K heads given as --initialize-from. The checkpoint holds the backbone and the "
        + "heads as param.medusa.*; ssm eval reports each head's top-1 accuracy."))
  var medusaHeads: Int?
  @Option(help: "Medusa training stage: 1 (frozen backbone) or 2 (backbone and heads trained together).")
  var medusaStage = 1
  @Option(help: "Medusa: the decay of the heads' loss weights (default 0.8, as published).") var medusaDecay: Float?
  @Option(help: "Medusa stage 2: the weight λ₀ > 0 of the heads' loss beside the backbone's (default 0.2).")
  var medusaWeight: Float?

  func validate() throws {
    if medusaHeads == nil, medusaStage != 1 || medusaDecay != nil || medusaWeight != nil {
      throw ValidationError("--medusa-stage, --medusa-decay and --medusa-weight apply with --medusa-heads only")
    }
    if let medusaHeads {
      guard medusaHeads >= 1 else { throw ValidationError("--medusa-heads must be at least 1") }
      guard initializeFrom != nil else {
        throw ValidationError("--medusa-heads needs the backbone checkpoint: --initialize-from BACKBONE")
      }
      guard medusaStage == 1 || medusaStage == 2 else {
        throw ValidationError("--medusa-stage must be 1 (frozen backbone) or 2 (joint training)")
      }
      if medusaWeight != nil, medusaStage != 2 { throw ValidationError("--medusa-weight applies to --medusa-stage 2") }
      if let medusaWeight, !(medusaWeight.isFinite && medusaWeight > 0) {
        throw ValidationError("--medusa-weight must be finite and > 0")
      }
    }
    guard (2...65_534).contains(alphabet ?? CopyingTask.defaultAlphabet) else {
      throw ValidationError("--alphabet must lie in 2…65534")
    }
    guard (count ?? CopyingTask.defaultCount) >= 1 else { throw ValidationError("--count must be at least 1") }
    if task != .copying, count != nil || alphabet != nil {
      throw ValidationError("--count and --alphabet apply to the copying task only")
    }
    if task != .text, corpus != nil { throw ValidationError("--corpus applies to the text task only") }
  }

  /// The task the options describe; `--corpus` as an absolute path, so a checkpoint finds its corpus from any
  /// working directory.
  var taskConfiguration: TaskConfiguration {
    TaskConfiguration(
      task, length: length, count: count, alphabet: alphabet,
      corpus: corpus.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
  }

  /// The model configuration the options describe, shaped for the task: its tokens (copying:
  /// `alphabet + 2`), or its input channels and output values for a real-valued task.
  /// - Throws: ``InputError/inapplicableOption(_:)`` for an option the family does not use.
  func modelConfiguration() throws -> ModelConfiguration {
    let runTask = try taskConfiguration.make()
    let (vocabulary, inputChannels): (Int, Int?)
    if case .features = runTask.input {
      let channels = try featureChannels(of: runTask)
      (vocabulary, inputChannels) = (channels.outputs, channels.inputs)
    } else {
      (vocabulary, inputChannels) = (try tokenVocabulary(of: runTask), nil)
    }
    let givenInner = model.innerOption == "--state-size" ? stateSize : nil
    let inner = givenInner ?? model.defaultSize(width: width).inner
    var configuration = model.configuration(
      ModelFamily.Shape(vocabulary: vocabulary, inputChannels: inputChannels, depth: layers, length: length),
      size: ModelFamily.Size(width: width, inner: inner))
    var used: Set<String> = Set(model.innerOption.map { [$0] } ?? [])
    if var s4 = configuration.as(S4Model.Configuration.self) {
      s4.stateSize = stateSize ?? s4.stateSize
      s4.dropout = dropout
      if let dtMin { s4.dtRange[0] = dtMin }
      if let dtMax { s4.dtRange[1] = dtMax }
      if let blockOutput { s4.blockOutput = blockOutput }
      if let initialization, s4.layer == .diagonal { s4.initialization = initialization }
      configuration = .s4(s4)
      used.formUnion(["--state-size", "--dt-min", "--dt-max", "--block-output", "--dropout"])
    }
    if var transformer = configuration.as(TransformerModel.Configuration.self) {
      transformer.heads = heads ?? transformer.heads
      transformer.positions = positions ?? transformer.positions
      transformer.tiedEmbeddings = tiedEmbeddings
      transformer.dropout = dropout
      configuration = .transformer(transformer)
      used.formUnion(["--heads", "--positions", "--tied-embeddings", "--dropout"])
    }
    let given: [(String, Bool)] = [
      ("--state-size", stateSize != nil), ("--dt-min", dtMin != nil), ("--dt-max", dtMax != nil),
      ("--block-output", blockOutput != nil), ("--heads", heads != nil), ("--positions", positions != nil),
      ("--tied-embeddings", tiedEmbeddings), ("--dropout", dropout != 0),
    ]
    for (name, isGiven) in given where isGiven && !used.contains(name) {
      throw InputError.inapplicableOption("\(name) does not apply to \(model.name)")
    }
    if initialization != nil, configuration.as(S4Model.Configuration.self)?.layer != .diagonal {
      throw InputError.inapplicableOption("--initialization applies to s4d only")
    }
    return configuration
  }

  /// The optimiser the options describe.
  /// - Throws: ``InputError/inapplicableOption(_:)`` for `--momentum` without sgd.
  func optimizerConfiguration() throws -> OptimizerConfiguration {
    switch optimizer {
    case .adamw:
      if momentum != nil { throw InputError.inapplicableOption("--momentum applies to --optimizer sgd only") }
      return .adamW
    case .sgd: return .sgd(momentum: momentum ?? 0.9)
    }
  }

  /// The model of the run: the backbone's, from its checkpoint, for Medusa training; else the options'.
  func runModelConfiguration() throws -> ModelConfiguration {
    guard medusaHeads != nil, let initializeFrom else { return try modelConfiguration() }
    return try TrainingRun.configuration(ofCheckpoint: URL(fileURLWithPath: initializeFrom)).model
  }

  func run() throws {
    let configuration = RunConfiguration(
      task: taskConfiguration, model: try runModelConfiguration(), batch: batch,
      steps: steps, optimizer: try optimizerConfiguration(), learningRate: learningRate,
      stateSpaceLearningRate: stateSpaceLearningRate,
      seed: seed, checkpointEvery: checkpointEvery,
      evaluateEvery: evaluateEvery > 0 ? evaluateEvery : nil,
      initializedFrom: initializeFrom.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
      medusa: medusaHeads.map {
        MedusaConfiguration(heads: $0, decay: medusaDecay ?? 0.8, stage: medusaStage, headsWeight: medusaWeight ?? 0.2)
      })
    try MemoryBudget.check(.training(configuration.resolvedModel, batch: batch, length: length))
    let directory = URL(fileURLWithPath: out)
    guard let communicator = try MPICommunicator.joinIfLaunched() else {
      return try train(configuration, in: directory, reducer: SingleProcessReducer())
    }
    try train(configuration, in: directory, across: communicator)
  }

  /// Trains (or resumes) the run in `directory`, as this process alone or as process
  /// `reducer.rank` of a data-parallel run; process 0 shows the progress and reports the end.
  func train(_ configuration: RunConfiguration, in directory: URL, reducer: any GradientReducer) throws {
    let run = try TrainingRun(directory: directory, configuration: configuration, resume: resume, reducer: reducer)
    guard run.isWriter else { return try run.run() }
    let terminal = isatty(STDERR_FILENO) != 0
    let logEvery = max(1, configuration.steps / 20)
    try run.run { report in
      var line = String(
        format: "step %d/%d  loss %.4f  %.1f seq/s  ETA %@", report.step, report.totalSteps, report.loss,
        report.sequencesPerSecond, formatDuration(report.secondsRemaining))
      if let value = report.evaluation {
        line += String(format: "  eval %@ %.6g", report.metric.identifier, value)
      }
      if terminal {
        let width = 24
        let filled = width * report.step / report.totalSteps
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(line)\u{1B}[K".utf8))
        if report.step == report.totalSteps { FileHandle.standardError.write(Data("\n".utf8)) }
      } else if report.step % logEvery == 0 || report.step == report.totalSteps || report.evaluation != nil {
        FileHandle.standardError.write(Data("\(line)\n".utf8))
      }
    }
    print("trained \(run.step) steps; checkpoint \(TrainingRun.checkpointURL(in: directory).path)")
  }
}

/// `1h02m`, `3m05s`, `12s`.
func formatDuration(_ seconds: Double) -> String {
  guard seconds.isFinite else { return "?" }
  let total = Int(seconds.rounded())
  if total >= 3600 { return String(format: "%dh%02dm", total / 3600, total % 3600 / 60) }
  if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
  return "\(total)s"
}

extension PositionEncoding: ExpressibleByArgument {}

extension ModelFamily: ExpressibleByArgument {
  /// A registered family's name.
  public init?(argument: String) {
    guard let family = ModelFamily.named(argument) else { return nil }
    self = family
  }

  /// The registered families' names.
  public static var allValueStrings: [String] { all.map(\.name) }
}
extension TaskName: ExpressibleByArgument {}
extension BlockOutput: ExpressibleByArgument {}
