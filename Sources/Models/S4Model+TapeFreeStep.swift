import Autodiff

/// Preallocated activations of ``S4Model``'s tape-free step for `B` sequences: the residual
/// stream `x`, the normalised input `v` and the S4 output `y` (`B × H` each), the projection
/// (`B × 2H`, or `B × H` with ``BlockOutput/linear``) and the logits (`B × V`).
///
/// A ``S4Model/State`` holds its buffers by reference; a state that shares them with a copy (a
/// checkpoint for speculative decoding, a beam) takes fresh ones before it steps, so copies never
/// write into each other's activations.
final class S4StepBuffers {
  var x: [Float]
  var v: [Float]
  var y: [Float]
  var projected: [Float]
  var logits: [Float]

  init(batch: Int, width: Int, projection: Int, vocabulary: Int) {
    x = [Float](repeating: 0, count: batch * width)
    v = x
    y = x
    projected = [Float](repeating: 0, count: batch * projection)
    logits = [Float](repeating: 0, count: batch * vocabulary)
  }
}

extension S4Model {
  /// Whether one-token steps take ``tapeFreeStep(_:state:)``: a token model of diagonal (S4D)
  /// layers without mean pooling.
  var hasTapeFreeStep: Bool {
    guard case .tokens = encoder, !configuration.meanPooling else { return false }
    return blocks.allSatisfy { if case .diagonal = $0.s4 { true } else { false } }
  }

  /// The next-token logits (`B × 1 × V`) after one token per sequence, computed as
  /// ``prefill(_:state:)`` computes them but without a tape, on the state's preallocated
  /// ``S4StepBuffers``. Per block, on each row of `B × H` (pre-norm shown; post-norm normalises
  /// the sum instead):
  ///
  ///     v = LayerNorm(x),  y_k = C x_k + D v  with  x_k = Ā x_{k−1} + B̄ v,
  ///     x ← x + GLU(GELU(y) W + b)   (or  x ← x + GELU(y) W + b  with BlockOutput.linear),
  ///
  /// then `logits = LayerNorm_f(x) W_o + b_o`. Parameters are read at every step (a model being
  /// trained decodes with its current weights; the S4 systems are those of the state, discretised
  /// when it was made, as in ``prefill(_:state:)``).
  /// - Throws: tokens outside the vocabulary or not one per sequence of the state.
  func tapeFreeStep(_ tokens: [Int], state: inout State) throws -> Tensor {
    try validateStep(tokens, batch: state.batch)
    let (batch, width, vocabulary) = (state.batch, configuration.width, configuration.vocabulary)
    let projection = configuration.blockOutput == .glu ? 2 * width : width
    if state.stepBuffers == nil || !isKnownUniquelyReferenced(&state.stepBuffers!) {
      state.stepBuffers = S4StepBuffers(batch: batch, width: width, projection: projection, vocabulary: vocabulary)
    }
    let buffers = state.stepBuffers!
    guard case .tokens(let table) = encoder else { throw AutodiffError.invalidArgument("a token model steps tokens") }
    buffers.x.withUnsafeMutableBufferPointer { table.gatherRows(tokens, into: $0.baseAddress!) }
    for (index, block) in blocks.enumerated() {
      try step(block, layer: &state.layers[index], buffers: buffers, batch: batch, projection: projection)
    }
    buffers.x.withUnsafeBufferPointer { x in
      buffers.v.withUnsafeMutableBufferPointer { normalized in
        buffers.logits.withUnsafeMutableBufferPointer { logits in
          finalNorm.readOut(
            x.baseAddress!, rows: batch, decoder: decoder, normalized: normalized.baseAddress!,
            into: logits.baseAddress!)
        }
      }
    }
    return try Tensor(shape: [batch, 1, vocabulary], values: buffers.logits)
  }

  /// One block on the residual stream `buffers.x` (see ``tapeFreeStep(_:state:)``).
  private func step(
    _ block: S4Block, layer: inout SSMLayerRecurrence, buffers: S4StepBuffers, batch: Int, projection: Int
  ) throws {
    let width = configuration.width
    try buffers.x.withUnsafeMutableBufferPointer { x in
      try buffers.v.withUnsafeMutableBufferPointer { v in
        try buffers.y.withUnsafeMutableBufferPointer { y in
          try buffers.projected.withUnsafeMutableBufferPointer { projected in
            let (stream, input, mixed, branch) = (
              x.baseAddress!, v.baseAddress!, y.baseAddress!, projected.baseAddress!
            )
            if block.normPosition == .pre {
              block.norm.apply(stream, rows: batch, into: input)
            } else {
              input.update(from: stream, count: batch * width)
            }
            try layer.step(UnsafeBufferPointer(v), into: y)
            RowKernels.gelu(mixed, count: batch * width)
            block.output.apply(mixed, rows: batch, into: branch)
            if block.outputKind == .glu {
              for b in 0..<batch { RowKernels.glu(branch + b * projection, half: width, into: mixed + b * width) }
            } else {
              mixed.update(from: branch, count: batch * width)
            }
            for index in 0..<(batch * width) { stream[index] += mixed[index] }
            if block.normPosition == .post {
              input.update(from: stream, count: batch * width)
              block.norm.apply(input, rows: batch, into: stream)
            }
          }
        }
      }
    }
  }
}
