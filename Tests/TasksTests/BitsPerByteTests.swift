import Foundation
import SeededRandom
import Tasks
import TestSupport
import Testing

@Suite("Bits per byte")
struct BitsPerByteTests {
  // Uniform logits over the 257 tokens: exactly log₂ 257 bits per byte target, whatever the
  // logit value. Tolerance 1e-12: a handful of Double roundings on values ≈ 8.
  @Test func uniformLogitsGiveLogTwoOf257() throws {
    let batch = TaskBatch(
      size: 2, length: 3, inputs: .tokens([[0, 1, 2], [3, 4, 5]]), targets: .classes([[1, 2, 255], [0, 65, 66]]))
    for value: Float in [0, -3.5, 40] {
      let score = try batch.bitsPerByte(logits: [Float](repeating: value, count: 6 * 257), classes: 257)
      #expect(score.bytes == 6)
      #expect(abs(score.value - log2(257)) < 1e-12, "\(value): \(score.value)")
    }
  }

  // A hand-computed case: logit 2 at the target and 0 elsewhere gives p = e²/(256 + e²), so
  // −log₂ p = log₂((256 + e²)/e²) per byte. Separator (256) and ignored targets are excluded
  // from both the bits and the byte count even when their logits are extreme.
  @Test func handComputedValueAndSeparatorExclusion() throws {
    let targets = [[7, TextTask.separator, 200], [TaskBatch.ignoredTarget, 0, TextTask.separator]]
    var logits = [Float](repeating: 0, count: 6 * 257)
    for (row, target) in targets.joined().enumerated() {
      if (0...255).contains(target) {
        logits[row * 257 + target] = 2
      } else {
        logits[row * 257] = -80  // a prediction that must not count
      }
    }
    let batch = TaskBatch(size: 2, length: 3, inputs: .tokens([[0, 0, 0], [0, 0, 0]]), targets: .classes(targets))
    let score = try batch.bitsPerByte(logits: logits, classes: 257)
    let expected = log2((256 + exp(2.0)) / exp(2.0))
    #expect(score.bytes == 3)
    // Tolerance 1e-12 relative: three Double terms.
    #expect(abs(score.bits - 3 * expected) < 1e-12 * score.bits)
    #expect(abs((score + BitsPerByte(bits: 1, bytes: 1)).value - (3 * expected + 1) / 4) < 1e-12)
    #expect(BitsPerByte(bits: 0, bytes: 0).value == 0)
  }

  // Random logits against the direct formula; adding 1024 to every logit changes nothing (the
  // log-softmax subtracts the maximum: e^1024 overflows a Double, so a naive sum would give ∞).
  // Logits are multiples of 1/8 in ±4, exact in Float before and after the shift. Tolerance
  // 1e-10 relative: the direct and shifted sums of 257 exponentials differ by rounding only.
  @Test func matchesTheDirectFormulaAndIsShiftInvariant() throws {
    var generator = SeededGenerator(seed: 8)
    let (size, length, classes) = (3, 5, 257)
    let logits = (0..<(size * length * classes)).map { _ in Float(Int(generator.next() % 65) - 32) / 8 }
    let targets = (0..<size).map { _ in (0..<length).map { _ in Int(generator.next() % 257) } }
    let batch = TaskBatch(
      size: size, length: length, inputs: .tokens(targets), targets: .classes(targets))
    var expectedBits = 0.0
    var expectedBytes = 0
    for (row, target) in targets.joined().enumerated() where target < 256 {
      expectedBits += referenceBits(Array(logits[(row * classes)..<((row + 1) * classes)]), target: target)
      expectedBytes += 1
    }
    let score = try batch.bitsPerByte(logits: logits, classes: classes)
    #expect(score.bytes == expectedBytes)
    #expect(abs(score.bits - expectedBits) < 1e-10 * expectedBits)
    let shifted = try batch.bitsPerByte(logits: logits.map { $0 + 1024 }, classes: classes)
    #expect(shifted.bytes == expectedBytes && abs(shifted.bits - expectedBits) < 1e-10 * expectedBits)
  }

  // By position, hand-computed: logit c at the target and 0 elsewhere gives
  // −log₂ p = log₂((256 + eᶜ)/eᶜ). Position 0 scores instance 0 (c = 2), position 1 instance 1
  // (c = 1; instance 0's separator is skipped), position 2 both instances (c = 0: log₂ 257 each),
  // position 3 nothing (a separator and an ignored target): 0 bits over 0 bytes. The entries pool
  // to the whole-batch score. Tolerance 1e-12 relative: at most two Double terms per entry.
  @Test func byPositionHandComputed() throws {
    let targets = [
      [7, TextTask.separator, 200, TextTask.separator], [TaskBatch.ignoredTarget, 0, 65, TaskBatch.ignoredTarget],
    ]
    let targetLogit: [Float] = [2, 1, 0, 0]
    var logits = [Float](repeating: 0, count: 8 * 257)
    for (b, row) in targets.enumerated() {
      for (t, target) in row.enumerated() where (0...255).contains(target) {
        logits[(b * 4 + t) * 257 + target] = targetLogit[t]
      }
    }
    let batch = TaskBatch(
      size: 2, length: 4, inputs: .tokens([[0, 0, 0, 0], [0, 0, 0, 0]]), targets: .classes(targets))
    let scores = try batch.bitsPerByteByPosition(logits: logits, classes: 257)
    let bits = { (c: Double) in log2((256 + exp(c)) / exp(c)) }
    let expected = [
      BitsPerByte(bits: bits(2), bytes: 1), BitsPerByte(bits: bits(1), bytes: 1),
      BitsPerByte(bits: 2 * log2(257), bytes: 2), BitsPerByte(bits: 0, bytes: 0),
    ]
    #expect(scores.count == 4)
    for (score, want) in zip(scores, expected) {
      #expect(score.bytes == want.bytes)
      #expect(abs(score.bits - want.bits) <= 1e-12 * want.bits, "\(score) vs \(want)")
    }
    let pooled = try batch.bitsPerByte(logits: logits, classes: 257)
    #expect(pooled.bytes == 4 && abs(pooled.bits - expected.reduce(0) { $0 + $1.bits }) < 1e-12 * pooled.bits)
    #expect(throws: TaskError.self) { _ = try batch.bitsPerByteByPosition(logits: [0], classes: 257) }
  }

  // Bad input throws: value targets, the wrong logit count, a byte target beyond the classes, a
  // NaN or infinite logit at a scored position (none at an excluded one).
  @Test func badInputThrows() throws {
    let batch = TaskBatch(size: 1, length: 2, inputs: .tokens([[0, 0]]), targets: .classes([[3, 256]]))
    #expect(throws: TaskError.self) {
      _ = try batch.bitsPerByte(logits: [Float](repeating: 0, count: 257), classes: 257)
    }
    #expect(throws: TaskError.self) { _ = try batch.bitsPerByte(logits: [Float](repeating: 0, count: 6), classes: 3) }
    var logits = [Float](repeating: 0, count: 2 * 257)
    logits[257 + 4] = .nan  // at the separator position: not scored
    #expect(try batch.bitsPerByte(logits: logits, classes: 257).bytes == 1)
    for bad: Float in [.nan, .infinity] {
      logits[10] = bad
      #expect(throws: TaskError.self) { _ = try batch.bitsPerByte(logits: logits, classes: 257) }
    }
    let values = TaskBatch(
      size: 1, length: 1, inputs: .features([0], channels: 1), targets: .values([0], channels: 1, positions: [0]))
    #expect(throws: TaskError.self) { _ = try values.bitsPerByte(logits: [0], classes: 1) }
  }
}
