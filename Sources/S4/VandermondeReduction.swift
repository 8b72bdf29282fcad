import FFT
import Numerics
import Parallelism

/// Evaluates transposed Vandermonde sums, one per row and mode:
///
///     ξ[r, n] = Σ_{j=0}^{L−1} Ā[h, n]^{L−1−j} · u[r, j],   h = r mod H,
///
/// the state a diagonal system reaches from zero after the chunk `u`, divided by `B̄`
/// (`x_{L−1} = Ā^L x_{−1} + B̄ ⊙ ξ`), without producing the outputs along the way.
///
/// With the reversed index `s = L−1−j = mβ + i` and a block size `β ≈ √L`,
///
///     ξ_n = Σ_m (Ā_n^β)^m P[m, n],   P[m, n] = Σ_{i<β} Ā_n^i · u[L−1−mβ−i]   (zero past the chunk's start),
///
/// so `P` is one real matrix product per channel, `(B·L/β × β)·(β × 2M)` (all sequences of the
/// channel share the table `T[i, n] = Ā_n^i`, built in float64 and rounded once), and the
/// outer sum is a float64 Horner evaluation in `Ā_n^β` (`|Ā_n^β| < 1`: stable). Work:
/// `2M·L` multiply–adds per row, the same as one kernel row of ``VandermondeKernel``.
/// Each row is scaled by a power of two near its largest `|u|` (exact), and powers below
/// ``VandermondeKernel/cutoff(for:)`` are dropped, so no subnormal arithmetic occurs.
struct VandermondeReduction {
  /// `Ā`, `channels × modes`.
  let aBar: [Complex<Double>]
  let channels: Int
  let modes: Int

  /// - Parameters:
  ///   - inputs: `u`, `B × H × L`.
  ///   - batch: `B`.
  ///   - length: `L ≥ 1`.
  /// - Returns: `ξ`, `B × H × M`.
  func evaluate<Scalar: FFTScalar>(_ inputs: [Scalar], batch: Int, length: Int) -> [Complex<Double>] {
    let block = VandermondeKernel.blockSize(length: length)
    let blocks = (length + block - 1) / block
    let m = modes
    // Real and imaginary parts side by side, padded so a table row is whole SIMD8 groups.
    let padded = (m + 3) / 4 * 4
    let width = 2 * padded
    let cutoff = VandermondeKernel.cutoff(for: Scalar.self)
    var result = [Complex<Double>](repeating: .zero, count: batch * channels * m)
    inputs.withUnsafeBufferPointer { inputs in
      result.withUnsafeMutableBufferPointer { result in
        let source = SharedPointer(UnsafeMutablePointer(mutating: inputs.baseAddress!))
        let destination = SharedPointer(result.baseAddress!)
        forEachChunk(of: channels, minimumChunk: max(1, 16_384 / max(1, batch * m * length / 64))) { range in
          let table = UnsafeMutablePointer<Scalar>.allocate(capacity: block * width)
          let weights = UnsafeMutablePointer<Scalar>.allocate(capacity: batch * blocks * block)
          let product = UnsafeMutablePointer<Scalar>.allocate(capacity: batch * blocks * width)
          // Per mode: Ā (split float64 parts), the running power Ā^i (ending as Ā^β), the Horner sum.
          let modeValues = UnsafeMutablePointer<Double>.allocate(capacity: 6 * m)
          defer {
            table.deallocate()
            weights.deallocate()
            product.deallocate()
            modeValues.deallocate()
          }
          let (ar, ai, powerRe, powerIm) = (modeValues, modeValues + m, modeValues + 2 * m, modeValues + 3 * m)
          let (sumRe, sumIm) = (modeValues + 4 * m, modeValues + 5 * m)
          for h in range {
            for n in 0..<m {
              (ar[n], ai[n]) = (aBar[h * m + n].real, aBar[h * m + n].imaginary)
              (powerRe[n], powerIm[n]) = (1, 0)
            }
            table.update(repeating: 0, count: block * width)
            for i in 0..<block {
              let (tableRe, tableIm) = (table + i * width, table + i * width + padded)
              for n in 0..<m {
                // Below the cutoff a power is dropped, and so are all higher ones.
                let tiny = powerRe[n] * powerRe[n] + powerIm[n] * powerIm[n] < cutoff * cutoff
                let (pr, pi) = tiny ? (0, 0) : (powerRe[n], powerIm[n])
                tableRe[n] = Scalar(pr)
                tableIm[n] = Scalar(pi)
                (powerRe[n], powerIm[n]) = (pr * ar[n] - pi * ai[n], pr * ai[n] + pi * ar[n])
              }
            }
            var scales = [Double](repeating: 1, count: batch)
            for b in 0..<batch {
              let row = source.base + (b * channels + h) * length
              let largest = Self.largestMagnitude(row, count: length)
              // A power of two near the largest |u| (at least the smallest normal number):
              // scaling by it is exact.
              if largest > 0 {
                let exponent = max(Double(largest).exponent, Double(Scalar.leastNormalMagnitude).exponent)
                scales[b] = Double(sign: .plus, exponent: exponent, significand: 1)
              }
              let (inverse, threshold) = (Scalar(1 / scales[b]), Scalar(cutoff))
              let target = weights + b * blocks * block
              for s in 0..<length {
                let value = row[length - 1 - s] * inverse
                target[s] = value.magnitude < threshold ? 0 : value
              }
              (target + length).update(repeating: 0, count: blocks * block - length)
            }
            VandermondeKernel.product(
              weights: weights, table: table, terms: block, blocks: batch * blocks, block: width, into: product)
            for b in 0..<batch {
              sumRe.update(repeating: 0, count: m)
              sumIm.update(repeating: 0, count: m)
              for blockIndex in (0..<blocks).reversed() {
                let (partRe, partIm) = (
                  product + (b * blocks + blockIndex) * width, product + (b * blocks + blockIndex) * width + padded
                )
                for n in 0..<m {
                  let (sr, si) = (sumRe[n], sumIm[n])
                  sumRe[n] = sr * powerRe[n] - si * powerIm[n] + Double(partRe[n])
                  sumIm[n] = sr * powerIm[n] + si * powerRe[n] + Double(partIm[n])
                }
              }
              for n in 0..<m {
                destination.base[(b * channels + h) * m + n] = Complex(sumRe[n] * scales[b], sumIm[n] * scales[b])
              }
            }
          }
        }
      }
    }
    return result
  }

  /// `max_j |values[j]|`: eight lanes at a time in float32
  /// (``Float32Kernels/largestMagnitude(_:count:)``), a plain loop in float64.
  @inline(__always)
  static func largestMagnitude<Scalar: FFTScalar>(_ values: UnsafePointer<Scalar>, count: Int) -> Scalar {
    if Scalar.self == Float.self {
      return Scalar(
        Float32Kernels.largestMagnitude(UnsafeRawPointer(values).assumingMemoryBound(to: Float.self), count: count))
    }
    var largest = Scalar.zero
    for j in 0..<count { largest = max(largest, values[j].magnitude) }
    return largest
  }
}
