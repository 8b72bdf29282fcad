import Autodiff
import Foundation
import ModelTestSupport
import TestSupport
import Testing

/// The elementwise and row-wise operations split their rows over the cores once a tensor holds
/// more than ~64 000 values. These sizes cross that line (several chunks on two or more cores),
/// use widths that are not multiples of eight (tail lanes in every row) and row counts that are
/// not multiples of the 64-row reduction blocks, and compare with float64 evaluations of the
/// formulas. Tolerances: float32 arithmetic on O(1) values, rows of ≤ 64 terms, ~1e-6; the sums
/// over 4 000 rows (`∂ℒ/∂γ`, `∂ℒ/∂β`) ~√4000·6e-8 of their magnitude; 1e-5 (values) and 1e-4 of the
/// largest entry (sums over rows) leave a margin while a wrong index or a dropped block (errors of
/// order 1) fails.
@Suite("Row-parallel operations against float64 formulas")
struct ParallelOperationTests {
  @Test func layerNormForwardAndBackward() throws {
    let (rows, d) = (4_001, 37)
    let (x, gamma, beta) = (
      randomTensor([rows, d], seed: 1, scale: 3), randomTensor([d], seed: 2), randomTensor([d], seed: 3)
    )
    let upstream = randomTensor([rows, d], seed: 4)
    let tape = Tape()
    let (xv, gv, bv) = (tape.constant(x), tape.constant(gamma), tape.constant(beta))
    let y = try tape.layerNorm(xv, gamma: gv, beta: bv)
    let gradients = try tape.backward(tape.sum(tape.multiply(y, tape.constant(upstream))))

    var (expectedY, expectedGX) = ([Double](), [Double]())
    var (expectedGamma, expectedBeta) = ([Double](repeating: 0, count: d), [Double](repeating: 0, count: d))
    for r in 0..<rows {
      let row = (0..<d).map { Double(x.values[r * d + $0]) }
      let mean = row.reduce(0, +) / Double(d)
      let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
      let inverse = 1 / (variance + 1e-5).squareRoot()
      let normalized = row.map { ($0 - mean) * inverse }
      let g = (0..<d).map { Double(upstream.values[r * d + $0]) }
      let scaled = (0..<d).map { g[$0] * Double(gamma.values[$0]) }
      let meanG = scaled.reduce(0, +) / Double(d)
      let meanGX = zip(scaled, normalized).map(*).reduce(0, +) / Double(d)
      for j in 0..<d {
        expectedY.append(Double(gamma.values[j]) * normalized[j] + Double(beta.values[j]))
        expectedGX.append(inverse * (scaled[j] - meanG - normalized[j] * meanGX))
        expectedGamma[j] += g[j] * normalized[j]
        expectedBeta[j] += g[j]
      }
    }
    #expect(relativeError(tape.value(y).values, expectedY, smallestScale: 1) < 1e-5)
    #expect(relativeError(try #require(gradients[xv]).values, expectedGX, smallestScale: 1) < 1e-5)
    #expect(relativeError(try #require(gradients[gv]).values, expectedGamma, smallestScale: 1) < 1e-4)
    #expect(relativeError(try #require(gradients[bv]).values, expectedBeta, smallestScale: 1) < 1e-4)
  }

  @Test func gluForwardAndBackward() throws {
    let (rows, half) = (3_001, 21)
    let x = randomTensor([rows, 2 * half], seed: 5, scale: 4)
    let upstream = randomTensor([rows, half], seed: 6)
    let tape = Tape()
    let xv = tape.constant(x)
    let y = try tape.glu(xv)
    let gradient = try #require(try tape.backward(tape.sum(tape.multiply(y, tape.constant(upstream))))[xv]).values
    var (expectedY, expectedGX) = ([Double](), [Double](repeating: 0, count: x.count))
    for r in 0..<rows {
      for j in 0..<half {
        let (u, v) = (Double(x.values[r * 2 * half + j]), Double(x.values[r * 2 * half + half + j]))
        let sigma = 1 / (1 + Foundation.exp(-v))
        let g = Double(upstream.values[r * half + j])
        expectedY.append(u * sigma)
        expectedGX[r * 2 * half + j] = g * sigma
        expectedGX[r * 2 * half + half + j] = g * u * sigma * (1 - sigma)
      }
    }
    #expect(relativeError(tape.value(y).values, expectedY, smallestScale: 1) < 1e-5)
    #expect(relativeError(gradient, expectedGX, smallestScale: 1) < 1e-5)
  }

  @Test func geluAndResidualAddition() throws {
    let count = 100_003
    let (x, other, upstream) = (
      randomTensor([count], seed: 7, scale: 3), randomTensor([count], seed: 8), randomTensor([count], seed: 9)
    )
    let tape = Tape()
    let (xv, ov) = (tape.constant(x), tape.constant(other))
    let y = try tape.add(tape.gelu(xv), ov)
    let gradients = try tape.backward(tape.sum(tape.multiply(y, tape.constant(upstream))))
    var (expectedY, expectedGX) = ([Double](), [Double]())
    for i in 0..<count {
      let v = Double(x.values[i])
      let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
      expectedY.append(v * cdf + Double(other.values[i]))
      expectedGX.append(
        Double(upstream.values[i]) * (cdf + v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()))
    }
    #expect(relativeError(tape.value(y).values, expectedY, smallestScale: 1) < 1e-5)
    #expect(relativeError(try #require(gradients[xv]).values, expectedGX, smallestScale: 1) < 1e-5)
    #expect(try #require(gradients[ov]).values == upstream.values)
  }

  // A pure data movement: equal to its definition exactly, and its gradient is the inverse swap.
  @Test func swappingTheLastAxes() throws {
    let (batch, rows, columns) = (3, 203, 131)
    let x = randomTensor([batch, rows, columns], seed: 10)
    let upstream = randomTensor([batch, columns, rows], seed: 11)
    let tape = Tape()
    let xv = tape.constant(x)
    let y = try tape.transpose(xv, permutation: [0, 2, 1])
    let gradient = try #require(try tape.backward(tape.sum(tape.multiply(y, tape.constant(upstream))))[xv]).values
    for b in 0..<batch {
      for r in 0..<rows {
        for c in 0..<columns {
          let (source, target) = ((b * rows + r) * columns + c, (b * columns + c) * rows + r)
          guard tape.value(y).values[target] == x.values[source], gradient[source] == upstream.values[target] else {
            Issue.record("swap differs at batch \(b), row \(r), column \(c)")
            return
          }
        }
      }
    }
  }
}
