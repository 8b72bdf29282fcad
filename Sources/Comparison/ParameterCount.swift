extension ComparisonModel {
  /// The trainable parameters of this family's model at `size`
  /// (``configuration(vocabulary:size:depth:length:inputChannels:)``), counted from its shapes
  /// without building it. With `V` = `vocabulary`, `H` = `size.width`, `d` = `depth`:
  ///
  ///     count = encoder + d · block + 2H + (HV + V)        (final LayerNorm, output projection)
  ///     encoder = VH (token embedding)  or  CH + H (linear encoder of C input channels)
  ///
  /// and the block, every `Linear(i → o)` holding `io + o` and every LayerNorm `2H`:
  ///
  ///     S4D:  2H + H(3N + 2) + (2H² + 2H)   LayerNorm; Re λ, Im λ (N/2 each), B, C (N each), log dt, D; GLU output
  ///     S4:   2H + H(4N + 2) + (2H² + 2H)   as S4D with the rank-1 low-rank term P (N) of HiPPO-LegS
  ///     transformer:  4D + 4(D² + D) + (DF + F) + (FD + D)   two LayerNorms, W_q, W_k, W_v, W_o, W₁, W₂
  ///     GRU:  2(3H² + 3H)                  W_ih, b_ih, W_hh, b_hh
  ///
  /// (`N` = state size, `F` = MLP hidden width, both `size.inner`). For every fixed width the
  /// count is affine in the inner size.
  public func parameterCount(vocabulary: Int, inputChannels: Int?, depth: Int, size: Size) -> Int {
    let (h, v, inner) = (size.width, vocabulary, size.inner ?? 0)
    let encoder = inputChannels.map { $0 * h + h } ?? v * h
    let decoder = 2 * h + h * v + v
    let glu = 2 * h * h + 2 * h
    let block: Int
    switch self {
    case .s4d: block = 2 * h + h * (3 * inner + 2) + glu
    case .s4: block = 2 * h + h * (4 * inner + 2) + glu
    case .transformer: block = 4 * h + 4 * (h * h + h) + (h * inner + inner) + (inner * h + h)
    case .gru: block = 2 * (3 * h * h + 3 * h)
    }
    return encoder + depth * block + decoder
  }
}
