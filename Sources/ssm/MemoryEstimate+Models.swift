import Comparison
import Foundation
import Models
import Tasks

/// Memory of the model commands (`train`, `eval`, `generate`, `score`, `compare`, `bench`),
/// from a model configuration and the batch and sequence sizes, before any model is built.
///
/// With `P` parameters, `B` sequences of `L` positions, width `H`, `depth` blocks, `V` outputs
/// and `C` input channels (0 for token models), a pass needs
///
///     training:  32·P + 4·B·L·(c_train·H·(depth + 1) + 4·(V + C)) + 4·B·heads·L²·(depth + 1)
///     inference: 32·P + 4·B·L·(c_infer·H·(depth + 1) + 2·(V + C))
///
/// - `32·P`: each parameter's value and gradient, AdamW's two moments, and the checkpoint written
///   or read (float32 each);
/// - the `c·H` floats per position and block are the tensors the tape keeps (every node's value
///   stays on the tape until the step ends; a training tape also keeps what each backward rule
///   captures, and its backward pass holds one gradient per node), counted in the blocks' code:
///   - S4 (`S4Block`): layer norm output and `x̂`, two transposes, the convolution output and its
///     FFT spectra, GELU output and slope, the `2H` projection, GLU, dropout output and mask, the
///     residual sum: ~12 floats forward, `c_train = 24` with gradients, `c_infer = 12`
///     (measured: 15 and 7 per `B·L·H·(depth + 1)`, S4D and S4 alike);
///   - transformer (`TransformerBlock`, MLP ratio `m`): norms with `x̂`, `q`, `k`, `v`, their
///     rotations, the attention output, its projection, two residual sums, the `m·H` expansion, GELU
///     output and slope: `12 + 3m` forward, `c_train = 2·(12 + 3m)` with gradients,
///     `c_infer = 11 + 2m` (measured 31 per `B·L·D·(depth + 1)` for `m = 4` besides attention);
///   - GRU (`GRULayer`): the `3H` input projection, the recurrence's gates and states, the residual
///     sum: `c_train = 24`, `c_infer = 8` (measured 11);
/// - `(depth + 1)` counts the embedding and the final norm with the blocks; the `V + C` terms are
///   the inputs, logits, softmax and its gradient;
/// - a training transformer keeps each block's attention probabilities, `B·heads·L²` floats (an
///   inference tape keeps none: it reuses one block of 64 rows per thread);
/// - S4 layers from a HiPPO decomposition (DPLR layers, S4D-LegS) add ``denseDecompositionEntry``
///   `·N²` while the model is built.
extension MemoryEstimate {
  /// The sum of two estimates, described by the first (the larger part by construction).
  static func + (lhs: MemoryEstimate, rhs: MemoryEstimate) -> MemoryEstimate {
    MemoryEstimate(bytes: lhs.bytes + rhs.bytes, purpose: lhs.purpose)
  }

  /// Trainable parameters of `configuration`, from the families' layer shapes (an upper bound
  /// for S4 layers: `10·S·M` state space parameters per layer covers the diagonal (`6·S·M`) and
  /// the DPLR (`8·S·M` at rank 1) parameterisations); a family without its own formula here is
  /// bounded by `16·H²` per block (four `H × 4H`-sized matrices).
  static func parameterCount(_ configuration: ModelConfiguration) -> Double {
    let vocabulary = Double(configuration.vocabulary)
    let encoder = { (width: Double) in
      configuration.inputChannels.map { Double($0) * width + width } ?? vocabulary * width
    }
    if let c = configuration.as(S4Model.Configuration.self) {
      let h = Double(c.width)
      let systems = h * (c.bidirectional ? 2 : 1)
      let modes = Double(c.stateSize) / 2
      let outputs = c.blockOutput == .linear ? h : 2 * h
      let block = 2 * h + 10 * systems * modes + systems + h + h * outputs + outputs
      return encoder(h) + Double(c.depth) * block + 2 * h + h * vocabulary + vocabulary
    }
    if let c = configuration.as(TransformerModel.Configuration.self) {
      let (d, m) = (Double(c.width), Double(c.mlpRatio))
      let block = 4 * (d * d + d) + 4 * d + 2 * m * d * d + m * d + d
      let positions = c.positions == .learned ? Double(c.contextLength) * d : 0
      let decoder = c.tiedEmbeddings ? 0 : d * vocabulary + vocabulary
      return encoder(d) + positions + Double(c.depth) * block + 2 * d + decoder
    }
    let (h, depth) = (Double(configuration.configuration.width), Double(configuration.configuration.depth))
    let block = configuration.as(GRUModel.Configuration.self) != nil ? 6 * h * h + 6 * h : 16 * h * h
    return encoder(h) + depth * block + 2 * h + h * vocabulary + vocabulary
  }

  /// One training step of `batch` sequences of `length` positions (see the formula above).
  static func training(_ configuration: ModelConfiguration, batch: Int, length: Int) -> MemoryEstimate {
    pass(configuration, batch: batch, length: length, training: true)
  }

  /// One parallel forward pass without gradients (evaluation, scoring).
  static func inference(_ configuration: ModelConfiguration, batch: Int, length: Int) -> MemoryEstimate {
    pass(configuration, batch: batch, length: length, training: false)
  }

  /// Reading a `prompt` of that many tokens in one pass, then generating `newTokens` more for
  /// `batch` sequences (beams): the pass, the tokens (`16·B·(prompt + new)`: ids and beam
  /// copies), and a transformer's key–value caches, `16·B·depth·D·(prompt + new)` (keys and
  /// values, float32, with the capacity doubling as they grow).
  static func generation(_ configuration: ModelConfiguration, batch: Int, prompt: Int, newTokens: Int)
    -> MemoryEstimate
  {
    let positions = Double(prompt) + Double(newTokens)
    var cache = 16 * Double(batch) * positions
    if let c = configuration.as(TransformerModel.Configuration.self) {
      cache += 16 * Double(batch * c.depth * c.width) * positions
    }
    return MemoryEstimate(
      bytes: inference(configuration, batch: batch, length: prompt).bytes + cache,
      purpose: "reading \(prompt) tokens and generating \(newTokens) for \(batch) sequence(s)")
  }

  /// `ssm score` of sequences of `lengths` with the `top` most likely tokens per position: the
  /// longest sequence's pass, and `96·(1 + 2·top)` bytes of output per scored token.
  static func scoring(_ configuration: ModelConfiguration, lengths: [Int], top: Int) -> MemoryEstimate {
    let longest = lengths.max() ?? 0
    let output = printedEntry * (1 + 2 * Double(top)) * lengths.reduce(0) { $0 + Double($1) }
    return MemoryEstimate(
      bytes: inference(configuration, batch: 1, length: longest).bytes + output,
      purpose: "scoring \(lengths.count) sequence(s) of up to \(longest) tokens")
  }

  /// `ssm compare`: the largest of its cells (run one at a time), each a training step of the
  /// model of about the budget's size (bounded here by the first multiple of 8 whose default-sized
  /// ``parameterCount(_:)`` reaches the budget), evaluations at every further length and decoding at every latency context.
  static func comparison(_ plan: ComparisonPlan) throws -> MemoryEstimate {
    var largest = MemoryEstimate(bytes: 0, purpose: "the comparison")
    for task in plan.tasks {
      for length in plan.lengths {
        let (vocabulary, inputChannels) = try ModelFamily.shape(for: task.make(length: length))
        for model in plan.models {
          let configuration = { (width: Int) in
            model.configuration(
              ModelFamily.Shape(
                vocabulary: vocabulary, inputChannels: inputChannels, depth: plan.depth, length: length),
              size: model.defaultSize(width: width))
          }
          let width =
            stride(from: 8, through: 1024, by: 8).first {
              parameterCount(configuration($0)) >= Double(plan.parameterBudget)
            } ?? 1024
          let matched = configuration(width)
          var cell = training(matched, batch: plan.training.batch, length: length)
          for other in plan.evaluationLengths ?? [] {
            cell = cell + inference(matched, batch: evaluationBatch, length: other)
          }
          for context in plan.latencyContexts {
            cell = cell + generation(matched, batch: 1, prompt: context, newTokens: 64)
          }
          if cell.bytes > largest.bytes {
            largest = MemoryEstimate(
              bytes: cell.bytes, purpose: "the \(task.rawValue) cell of \(model.name) at length \(length)")
          }
        }
      }
    }
    return largest
  }

  /// Sequences per evaluation batch (`Training.evaluate`'s and the copying accuracy's default).
  static let evaluationBatch = 16

  private static func pass(_ configuration: ModelConfiguration, batch: Int, length: Int, training: Bool)
    -> MemoryEstimate
  {
    let (b, l) = (Double(batch), Double(length))
    let (v, c) = (Double(configuration.vocabulary), Double(configuration.inputChannels ?? 0))
    let (width, depth, perPosition, build, attention): (Double, Double, Double, Double, Double)
    if let s4 = configuration.as(S4Model.Configuration.self) {
      let decomposed = s4.layer == .dplr || s4.initialization == .legs
      (width, depth, perPosition) = (Double(s4.width), Double(s4.depth), training ? 24 : 12)
      build = decomposed ? denseDecompositionEntry * Double(s4.stateSize) * Double(s4.stateSize) : 0
      attention = 0
    } else if let t = configuration.as(TransformerModel.Configuration.self) {
      let m = Double(t.mlpRatio)
      (width, depth, perPosition) = (Double(t.width), Double(t.depth), training ? 2 * (12 + 3 * m) : 11 + 2 * m)
      build = 0
      attention = training ? 4 * b * Double(t.heads) * l * l * (depth + 1) : 0
    } else {
      // GRU: 24 floats per channel and position kept for training, 8 for a forward pass; the same
      // bound for a family without its own constants here.
      let model = configuration.configuration
      (width, depth, perPosition, build, attention) = (
        Double(model.width), Double(model.depth), training ? 24 : 8, 0, 0
      )
    }
    let activations = 4 * b * l * (perPosition * width * (depth + 1) + (training ? 4 : 2) * (v + c))
    let parameters = 32 * parameterCount(configuration)
    return MemoryEstimate(
      bytes: parameters + activations + attention + build,
      purpose: "\(training ? "training" : "a forward pass of") the \(configuration.family) model "
        + "(width \(Int(width)), \(Int(depth)) blocks) on \(batch) × \(length) tokens")
  }
}
