import Autodiff
import Models
import SeededRandom

/// PPO's value model: a trunk of the policy's family with a ``ValueHead`` on its last hidden state,
///
///     V(s_t) = h_t w + c,     h = trunk.hiddenStates(prompt + completion),
///
/// where `V(s_t)` at the logit row that predicts completion token `t` estimates the return from
/// that token on (the state is everything before the token).
///
/// The trunk is either a **separate copy** of the policy (PPO-max's default, Zheng et al. 2023: the
/// critic starts from the policy's parameters but has its own, so value regression never moves the
/// policy), or **shared** with the policy (one network with two heads, as TRL's older
/// `AutoModelForCausalLMWithValueHead`: half the parameters, but the value loss's gradient reaches
/// the policy's trunk). ``trainableParameters`` are the copy's and the head's, or the head's alone
/// when shared (the trunk's belong to the policy).
public struct Critic<Model: SequenceModel> {
  /// The trunk whose hidden states the head reads.
  public let trunk: Model
  /// The value head.
  public let head: ValueHead
  /// Whether ``trunk`` is the policy.
  public let kind: CriticTrunk

  /// A critic sharing `policy`'s trunk, with a zero head.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for a model that exposes no hidden states.
  public init(sharing policy: Model) throws {
    trunk = policy
    head = try ValueHead(width: try Self.width(of: policy))
    kind = .shared
  }

  /// A critic whose trunk is `copy`, set to `policy`'s parameter values, with a zero head. `copy`
  /// must be another instance of the policy's configuration (same parameter names and shapes),
  /// holding none of its parameter objects.
  /// - Throws: ``ReinforcementError/invalidParameter(_:)`` for a model without hidden states or a
  ///   copy that shares parameters with the policy, ``ReinforcementError/shapeMismatch(_:)`` for
  ///   other parameters.
  public init(copying policy: Model, into copy: Model) throws {
    let (source, target) = (policy.parameters, copy.parameters)
    guard source.count == target.count,
      zip(source, target).allSatisfy({ $0.name == $1.name && $0.value.shape == $1.value.shape })
    else {
      throw ReinforcementError.shapeMismatch("the critic's trunk must have the policy's parameter names and shapes")
    }
    guard zip(source, target).allSatisfy({ $0 !== $1 }) else {
      throw ReinforcementError.invalidParameter("a separate critic needs its own instance of the policy's model")
    }
    for (from, to) in zip(source, target) { to.value = from.value }
    trunk = copy
    head = try ValueHead(width: try Self.width(of: copy))
    kind = .separate
  }

  /// The parameters the critic's optimiser updates: the trunk's (when separate), then the head's.
  public var trainableParameters: [Parameter] {
    (kind == .separate ? trunk.parameters : []) + head.parameters
  }

  /// The values `V_k` (shape `K`) at logit rows `rows` (row `b·L + t` of `sequences`, `B`
  /// sequences of one length `L`), recorded on `tape` without dropout.
  /// - Throws: model errors, `AutodiffError` for a row out of range.
  public func values(_ sequences: [[Int]], rows: [Int], on tape: Tape) throws -> Variable {
    var unused = SeededGenerator(seed: 0)
    let hidden = try trunk.hiddenStates(sequences, on: tape, training: false, generator: &unused)
    let all = try head(hidden, on: tape)
    return try tape.reshape(tape.embedding(all, indices: rows), to: [rows.count])
  }

  private static func width(of model: Model) throws -> Int {
    guard let width = model.hiddenWidth else {
      throw ReinforcementError.invalidParameter("\(Model.self) exposes no hidden states for a value head")
    }
    return width
  }
}
