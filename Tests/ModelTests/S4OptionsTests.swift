import Autodiff
import Foundation
import HiPPO
import LayerOperations
import LinearAlgebra
import ModelTestSupport
import Models
import Numerics
import S4
import SeededRandom
import TestSupport
import Testing

@Suite("S4 layer and block options")
struct S4OptionsTests {
  // Post-norm blocks: every position of a block's output is LayerNorm(x + z), so with the
  // initial gain 1 and bias 0 it has mean 0 and variance 1 (to 1e-3: LayerNorm's ε = 1e-5 in
  // the variance and float32 sums over H = 16); pre-norm outputs are not normalised.
  @Test func postNormNormalisesTheResidualSum() throws {
    var generator = SeededGenerator(seed: 3)
    let tape = Tape(recordsGradients: false)
    let x = tape.constant(
      try Tensor(shape: [2, 10, 16], values: (0..<320).map { _ in Float(generator.nextStandardNormal() * 3 + 1) }))
    for position in NormPosition.allCases {
      var blockGenerator = SeededGenerator(seed: 7)
      let block = try S4Block(
        name: "b", kind: .dplr, width: 16, stateSize: 8, dropout: 0, normPosition: position, generator: &blockGenerator)
      let y = tape.value(try block(x, on: tape, training: false, generator: &generator)).values
      var worst: Float = 0
      for row in 0..<20 {
        let values = y[(row * 16)..<((row + 1) * 16)]
        let mean = values.reduce(0, +) / 16
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 16
        worst = max(worst, abs(mean), abs(variance - 1))
      }
      if position == .post { #expect(worst <= 1e-3) } else { #expect(worst > 0.5) }
    }
  }

  // Post-norm S4D and S4 models, a bidirectional S4 (DPLR) model and blocks with a plain linear
  // output projection, against central
  // differences of their mean cross-entropy (`checkModelGradients`: step 1e-2, 2e-2 of the
  // parameter's largest gradient + 1e-4).
  @Test(arguments: [
    S4Model.Configuration(vocabulary: 5, width: 4, depth: 2, stateSize: 4, normPosition: .post),
    S4Model.Configuration(vocabulary: 5, width: 4, depth: 1, stateSize: 4, layer: .dplr, normPosition: .post),
    S4Model.Configuration(vocabulary: 5, width: 4, depth: 2, stateSize: 4, layer: .dplr, bidirectional: true),
    S4Model.Configuration(vocabulary: 5, width: 4, depth: 2, stateSize: 4, blockOutput: .linear),
  ])
  func modelGradientsMatchCentralDifferences(configuration: S4Model.Configuration) throws {
    let model = try S4Model(configuration, seed: 21)
    let tokens = randomTokens(batch: 2, length: 8, vocabulary: 5, seed: 22)
    let targets = randomTokens(batch: 2, length: 8, vocabulary: 5, seed: 23)
    try checkModelGradients(model, tokens: tokens, targets: targets)
  }

  // A bidirectional S4 model reads the future: changing the last token moves the first
  // position's logits (> 1e-3), as for bidirectional S4D models; its causal twin does not
  // (≤ 1e-5: the causal FFT convolution is zero-padded, so only float32 round-off remains).
  @Test(arguments: [false, true])
  func bidirectionalDPLRReadsTheFuture(bidirectional: Bool) throws {
    let model = try S4Model(
      .init(vocabulary: 6, width: 8, depth: 2, stateSize: 8, layer: .dplr, bidirectional: bidirectional), seed: 4)
    var tokens = randomTokens(batch: 1, length: 16, vocabulary: 6, seed: 5)
    let before = try model.forward(tokens).values.prefix(6)
    tokens[0][15] = (tokens[0][15] + 1) % 6
    let after = try model.forward(tokens).values.prefix(6)
    let difference = zip(before, after).map { abs($0 - $1) }.max()!
    if bidirectional { #expect(difference > 1e-3) } else { #expect(difference <= 1e-5) }
    #expect(model.blocks[0].s4.bidirectional == bidirectional)
    #expect(model.blocks[0].s4.parameters[0].value.shape == [bidirectional ? 16 : 8, 4])
  }

  // Old checkpoints (no norm position) decode as pre-norm, the default; post-norm survives a round trip.
  @Test func normPositionCoding() throws {
    let old = #"{"vocabulary":6,"width":8,"depth":1,"stateSize":4,"dropout":0}"#
    let decoded = try JSONDecoder().decode(S4Model.Configuration.self, from: Data(old.utf8))
    #expect(decoded.normPosition == .pre)
    let plain = S4Model.Configuration(vocabulary: 6, width: 8, depth: 1, stateSize: 4)
    #expect(decoded == plain)
    var post = plain
    post.normPosition = .post
    #expect(try JSONDecoder().decode(S4Model.Configuration.self, from: JSONEncoder().encode(post)) == post)
    #expect(try S4Model(post, seed: 0).blocks.allSatisfy { $0.normPosition == .post })
    #expect(try S4Model(decoded, seed: 0).blocks.allSatisfy { $0.normPosition == .pre })
  }
}

@Suite("S4 layers from marginally stable measures (LegT)")
struct MarginalMeasureTests {
  static let measure = Measure.legt(theta: 1)
  static let (channels, stateSize, length) = (2, 16, 64)

  static func layer(minimumDecay: Double? = S4LayerParameters.officialMinimumDecay, seed: UInt64 = 1) throws
    -> S4LayerParameters
  {
    var generator = SeededGenerator(seed: seed)
    return try S4LayerParameters(
      name: "legt", channels: channels, stateSize: stateSize, measure: measure, minimumDecay: minimumDecay,
      generator: &generator)
  }

  static func system(_ layer: S4LayerParameters) throws -> DPLRSSM {
    try DPLRSSM(
      logNegativeRealLambda: layer.logNegativeRealLambda.value, imaginaryLambda: layer.imaginaryLambda.value,
      p: layer.p.value, b: layer.b.value, c: layer.tildeC.value, logDt: layer.logDt.value)
  }

  // LegT (Re λ = 0 in DPLR form) and the official LagT are refused without a minimum decay,
  // as is a non-positive one; LegS and TLagT are strictly stable and need none.
  @Test func refusedWithoutMinimumDecay() throws {
    var generator = SeededGenerator(seed: 0)
    for measure in [Measure.legt(theta: 1), .legt(theta: 2), .lagt] {
      #expect(throws: AutodiffError.self) {
        _ = try S4LayerParameters(name: "x", channels: 1, stateSize: 8, measure: measure, generator: &generator)
      }
    }
    #expect(throws: AutodiffError.self) { _ = try Self.layer(minimumDecay: 0) }
    #expect(throws: AutodiffError.self) { _ = try Self.layer(minimumDecay: -.infinity) }
    for measure in [Measure.legs, .tlagt(beta: 0.5)] {
      _ = try S4LayerParameters(name: "x", channels: 1, stateSize: 8, measure: measure, generator: &generator)
    }
  }

  // The clamp is the shift A′ = A − εI of the HiPPO-LegT operator: the layer's (float32)
  // DPLR system, mapped back by the decomposition's eigenvectors, V_ext (Λ′ − P P*) V_extᴴ,
  // equals A_legt − εI and V_ext B = B_legt, to 1e-5 of max|A| (float32 storage of Λ, P, B,
  // ≈ 6e-8 each, summed over N = 16 terms).
  @Test func clampShiftsTheOperator() throws {
    let epsilon = S4LayerParameters.officialMinimumDecay
    let system = try Self.system(Self.layer())
    #expect(system.lambda.allSatisfy { abs($0.real + epsilon) <= 1e-9 })
    let decomposition = try Self.measure.dplr(stateSize: Self.stateSize)
    let (a, b) = try Self.measure.transition(stateSize: Self.stateSize)
    let n = Self.stateSize
    let v = Matrix<Complex<Double>>(rows: n, columns: n) { i, j in
      j < n / 2 ? decomposition.v[i, j] : decomposition.v[i, j - n / 2].conjugate
    }
    for h in 0..<Self.channels {
      let (aExt, bExt, _) = system.extendedSystem(channel: h)
      let back = v * aExt * v.adjoint
      let expected = a.complexMatrix.addingToDiagonal(Complex(-epsilon, 0))
      #expect((back - expected).maxModulus <= 1e-5 * expected.maxModulus, "channel \(h)")
      let bBack = v * bExt
      #expect(zip(bBack, b).map { ($0 - Complex($1, 0)).length }.max()! <= 1e-5 * b.map(abs).max()!)
    }
  }

  // The layer's kernel (Cauchy sums + Woodbury from the trained C̃, float32 and float64)
  // equals C Ā^l B̄ by dense powers of the bilinear discretisation of the shifted system, with
  // C = C̃ (I − Ā^L)⁻¹. The clamp leaves the poles of 1/D_n = 1/((2/dt)(1 − z) − (1 + z)λ_n)
  // only ε from the unit circle, but one is reached only where Im λ_n = −(2/dt) tan(πk/L) for a
  // root of unity z_k; at these dt (≤ 0.1) and L no bin comes near, so the tolerances of the
  // LegS kernel tests hold: 1e-10 of max|K| in float64, 1e-4 in float32 (measured ≈ 5e-15 and
  // 7e-7).
  @Test func kernelEqualsDensePowers() throws {
    let layer = try Self.layer()
    let system = try Self.system(layer)
    let tildeC = layer.tildeC.value.complexValues
    let k64 = try system.kernel(length: Self.length, tildeC: tildeC, as: Double.self)
    let k32 = try system.kernel(length: Self.length, tildeC: tildeC, as: Float.self)
    let plain = try DPLRSSM(
      lambda: system.lambda, p: system.p, b: system.b, c: system.c(fromTildeC: tildeC, length: Self.length),
      dt: system.dt)
    let l = Self.length
    for h in 0..<Self.channels {
      let dense = try plain.discreteSystem(channel: h).kernel(length: l, as: Double.self)
      let reference = dense.map(\.real)
      let scale = reference.map(abs).max()!
      #expect(dense.map { abs($0.imaginary) }.max()! <= 1e-10 * scale)
      let error64 = relativeError(Array(k64[(h * l)..<((h + 1) * l)]), reference)
      let error32 = relativeError(Array(k32[(h * l)..<((h + 1) * l)]), reference)
      #expect(error64 <= 1e-10, "channel \(h): float64 \(error64)")
      #expect(error32 <= 1e-4, "channel \(h): float32 \(error32)")
    }
  }

  // A LegT layer trains: eight plain gradient steps on ℒ = mean (y − u delayed by 3)² keep
  // every parameter finite and lower the loss (the learning rate 0.02 is well below the
  // curvature limit, so each step must descend).
  @Test func gradientStepsLowerTheLoss() throws {
    let layer = SSMLayer.dplr(try Self.layer())
    let (batch, length) = (2, 32)
    var generator = SeededGenerator(seed: 9)
    let u = (0..<(batch * Self.channels * length)).map { _ in Float(generator.nextStandardNormal()) }
    let target = (0..<u.count).map { i in i % length >= 3 ? u[i - 3] : 0 }
    var losses: [Float] = []
    for _ in 0..<8 {
      layer.parameters.forEach { $0.zeroGradient() }
      let tape = Tape()
      let input = tape.constant(try Tensor(shape: [batch, Self.channels, length], values: u))
      let loss = try tape.meanSquaredError(
        layer(input, on: tape), target: Tensor(shape: [batch, Self.channels, length], values: target))
      losses.append(tape.value(loss).scalar)
      try tape.backward(loss)
      for parameter in layer.parameters {
        for i in parameter.value.values.indices { parameter.value.values[i] -= 0.02 * parameter.gradient.values[i] }
      }
    }
    #expect(layer.parameters.allSatisfy { $0.value.values.allSatisfy(\.isFinite) })
    #expect(zip(losses, losses.dropFirst()).allSatisfy { $1 < $0 }, "losses \(losses)")
    #expect(losses.last! < 0.9 * losses.first!, "losses \(losses)")
  }
}

@Suite("S4 models: the initial dt range")
struct DtRangeTests {
  // Every layer's log dt starts inside [log dt_min, log dt_max] (float32 rounding: 1e-6), and the
  // draws span most of the range (256 channels: the extreme draws fall within 10 % of its ends).
  @Test(arguments: [SSMLayerKind.diagonal, .dplr])
  func initialStepsFollowTheRange(kind: SSMLayerKind) throws {
    let model = try S4Model(
      .init(vocabulary: 4, width: 256, depth: 1, stateSize: 8, layer: kind, dtRange: [1e-5, 1e-2]), seed: 3)
    let logDt = try #require(model.parameters.first { $0.name.hasSuffix("logDt") }).value.values.map(Double.init)
    let (low, high) = (log(1e-5), log(1e-2))
    #expect(logDt.allSatisfy { $0 >= low - 1e-6 && $0 <= high + 1e-6 })
    #expect(logDt.min()! < low + 0.1 * (high - low) && logDt.max()! > high - 0.1 * (high - low))
  }

  @Test func invalidRangesAndOldConfigurations() throws {
    for range in [[0, 1e-2], [1e-2, 1e-3], [1e-3], [1e-3, .infinity]] {
      #expect(throws: AutodiffError.self) {
        try S4Model(.init(vocabulary: 4, width: 8, depth: 1, stateSize: 8, dtRange: range), seed: 0)
      }
    }
    let old = #"{"vocabulary": 4, "width": 8, "depth": 1, "stateSize": 8, "dropout": 0}"#
    let decoded = try JSONDecoder().decode(S4Model.Configuration.self, from: Data(old.utf8))
    #expect(decoded.dtRange == [1e-3, 1e-1])
    #expect(
      try S4Model(decoded, seed: 0).parameters.count
        == S4Model(.init(vocabulary: 4, width: 8, depth: 1, stateSize: 8), seed: 0).parameters.count)
  }
}

@Suite("S4 models: the S4D initialisation")
struct InitializationOptionTests {
  // Every channel of every diagonal layer starts at the chosen initialisation's λ (the HiPPO
  // module's values, rounded to float32: 1e-6 relative), and the default is S4D-Lin.
  @Test(arguments: S4DInitialization.allCases)
  func layersStartAtTheChosenLambda(initialization: S4DInitialization) throws {
    let model = try S4Model(
      .init(vocabulary: 4, width: 3, depth: 2, stateSize: 8, initialization: initialization), seed: 1)
    let lambda = try initialization.system(stateSize: 8).lambda
    let realParts = model.parameters.filter { $0.name.hasSuffix("logNegativeRealLambda") }
    let imaginaryParts = model.parameters.filter { $0.name.hasSuffix("imaginaryLambda") }
    #expect(realParts.count == 2 && imaginaryParts.count == 2)
    for (real, imaginary) in zip(realParts, imaginaryParts) {
      for (index, (logNegativeReal, im)) in zip(real.value.values, imaginary.value.values).enumerated() {
        let expected = lambda[index % lambda.count]
        #expect(abs(-exp(Double(logNegativeReal)) - expected.real) <= 1e-6 * abs(expected.real))
        #expect(abs(Double(im) - expected.imaginary) <= 1e-6 * max(1, abs(expected.imaginary)))
      }
    }
  }

  @Test func defaultIsLinAndOldConfigurationsDecode() throws {
    let old = #"{"vocabulary": 4, "width": 8, "depth": 1, "stateSize": 8, "dropout": 0}"#
    let decoded = try JSONDecoder().decode(S4Model.Configuration.self, from: Data(old.utf8))
    #expect(decoded.initialization == .lin)
    let implicit = try S4Model(decoded, seed: 5).parameters.map(\.value.values)
    let explicit = try S4Model(
      .init(vocabulary: 4, width: 8, depth: 1, stateSize: 8, initialization: .lin), seed: 5
    ).parameters.map(\.value.values)
    #expect(implicit == explicit)
    let inverse = try S4Model(
      .init(vocabulary: 4, width: 8, depth: 1, stateSize: 8, initialization: .inv), seed: 5
    ).parameters.map(\.value.values)
    #expect(implicit != inverse)
  }
}

@Suite("S4 models: the block output")
struct BlockOutputTests {
  // GLU blocks project H → 2H and halve; linear blocks project H → H. Old configurations
  // (no key) keep GLU and the same parameters; the two kinds give different functions.
  @Test func projectionShapesAndDefault() throws {
    let width = 6
    let shapes = { (output: BlockOutput) in
      try S4Model(.init(vocabulary: 4, width: width, depth: 2, stateSize: 4, blockOutput: output), seed: 2)
        .parameters.filter { $0.name.hasSuffix(".output.weight") && $0.name.hasPrefix("blocks.") }.map(\.value.shape)
    }
    #expect(try shapes(.glu).allSatisfy { $0.reduce(1, *) == 2 * width * width })
    #expect(try shapes(.linear).allSatisfy { $0.reduce(1, *) == width * width })
    #expect(try shapes(.glu).count == 2 && shapes(.linear).count == 2)
    let old = #"{"vocabulary": 4, "width": 6, "depth": 2, "stateSize": 4, "dropout": 0}"#
    let decoded = try JSONDecoder().decode(S4Model.Configuration.self, from: Data(old.utf8))
    #expect(decoded.blockOutput == .glu)
    let implicit = try S4Model(decoded, seed: 2)
    let glu = try S4Model(.init(vocabulary: 4, width: 6, depth: 2, stateSize: 4, blockOutput: .glu), seed: 2)
    #expect(implicit.parameters.map(\.value.values) == glu.parameters.map(\.value.values))
    let linear = try S4Model(.init(vocabulary: 4, width: 6, depth: 2, stateSize: 4, blockOutput: .linear), seed: 2)
    let tokens = randomTokens(batch: 1, length: 9, vocabulary: 4, seed: 3)
    let difference = zip(try implicit.forward(tokens).values, try linear.forward(tokens).values).map { abs($0 - $1) }
    #expect(difference.max()! > 1e-3)
  }
}

@Suite("S4 models: mean-pooled read-out")
struct MeanPoolingTests {
  // The whole model's gradient through the causal mean pooling, against central differences.
  @Test func gradients() throws {
    let model = try S4Model(.init(vocabulary: 5, width: 8, depth: 2, stateSize: 8, meanPooling: true), seed: 2)
    try checkModelGradients(
      model, tokens: randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 3),
      targets: randomTokens(batch: 2, length: 6, vocabulary: 5, seed: 4))
  }
}
