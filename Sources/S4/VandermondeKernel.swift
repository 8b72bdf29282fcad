import FFT
import Numerics
import Parallelism

/// Evaluates real Vandermonde sums, one row at a time:
///
///     K[r, l] = 2 Re Σ_n W[r, n] · Ā[h(r), n]^l,   l = 0 … L−1,
///
/// the diagonal-SSM kernel (`W = C ⊙ B̄`) and, with other weights, the response
/// of a diagonal system to its initial state.
///
/// The powers are never chained `L` times in the output precision. With a block
/// size `β ≈ √L`, every row uses a table `T[n, j] = Ā_n^j` (`j < β`) and anchors
/// `a[m, n] = W_n Ā_n^{mβ}`, both built in float64 (relative error ≈ `L/β · ε₆₄`),
/// then rounded once. The sum becomes one real matrix product per row,
///
///     K[mβ + j] = Σ_n 2 Re(a[m,n]) Re(T[n,j]) − 2 Im(a[m,n]) Im(T[n,j]),
///
/// `(L/β × 2M)·(2M × β)`, evaluated as `axpy` loops over `j` that LLVM vectorises
/// (OpenBLAS falls back to its slow generic kernel on CPUs it does not recognise,
/// such as virtualised Xeons). float32 error stays at a few ulps of `Σ_n |W_n|`
/// even at `L = 65 536`. Work: `2M·L` multiply–adds per row. Terms below ``cutoff(for:)``
/// of the row's largest weight are dropped so no subnormal arithmetic occurs.
struct VandermondeKernel {
  /// `Ā`, `channels × modes`.
  let aBar: [Complex<Double>]
  let channels: Int
  let modes: Int

  /// - Parameters:
  ///   - weights: `W`, `rows × modes`.
  ///   - channelOfRow: the channel `h(r)` whose `Ā` row `r` uses.
  ///   - length: `L`.
  /// - Returns: `rows × L` values.
  func evaluate<Scalar: FFTScalar>(
    weights: [Complex<Double>], rows: Int, channelOfRow: @Sendable (Int) -> Int, length: Int,
    as _: Scalar.Type
  ) -> [Scalar] {
    let block = Self.blockSize(length: length)
    let blocks = (length + block - 1) / block
    let m = modes
    // Every value is written below: no zero fill of fresh pages first.
    return [Scalar](unsafeUninitializedCapacity: rows * length) { buffer, initialized in
      let destination = SharedPointer(buffer.baseAddress!)
      forEachChunk(of: rows, minimumChunk: max(1, 8192 / max(1, m * length / 64))) { range in
        var table = [Scalar](repeating: 0, count: 2 * m * block)
        var anchors = [Scalar](repeating: 0, count: blocks * 2 * m)
        var product = [Scalar](repeating: 0, count: blocks * block)
        // Per mode: Ā, the running power Ā^j (ending as Ā^β) and the running anchor W Ā^{mβ},
        // float64 real and imaginary parts. The loops run over the modes innermost, so the M
        // chains of products are independent (no wait on one product's latency).
        var modeValues = [Double](repeating: 0, count: 6 * m)
        for row in range {
          let channel = channelOfRow(row)
          // Work relative to the row's largest weight and drop terms below `cutoff` of it:
          // decaying powers would otherwise reach subnormal numbers, whose arithmetic is
          // ~100× slower, while contributing nothing at this precision.
          let scale = (0..<m).map { weights[row * m + $0].length }.max() ?? 0
          let cutoff = Self.cutoff(for: Scalar.self)
          let cutoffSquared = cutoff * cutoff
          let flushed = { (value: Double) -> Scalar in abs(value) < cutoff ? 0 : Scalar(value) }
          table.withUnsafeMutableBufferPointer { table in
            anchors.withUnsafeMutableBufferPointer { anchors in
              modeValues.withUnsafeMutableBufferPointer { values in
                let (ar, ai, pr, pi) = (
                  values.baseAddress!, values.baseAddress! + m, values.baseAddress! + 2 * m, values.baseAddress! + 3 * m
                )
                let (wr, wi) = (values.baseAddress! + 4 * m, values.baseAddress! + 5 * m)
                for n in 0..<m {
                  (ar[n], ai[n]) = (aBar[channel * m + n].real, aBar[channel * m + n].imaginary)
                  (pr[n], pi[n]) = (1, 0)
                  let weight = scale > 0 ? weights[row * m + n] / Complex(scale, 0) : .zero
                  (wr[n], wi[n]) = (weight.real, weight.imaginary)
                }
                for j in 0..<block {
                  for n in 0..<m {
                    table[n * block + j] = flushed(pr[n])
                    table[(m + n) * block + j] = flushed(pi[n])
                    (pr[n], pi[n]) =
                      pr[n] * pr[n] + pi[n] * pi[n] < cutoffSquared
                      ? (0, 0) : (pr[n] * ar[n] - pi[n] * ai[n], pr[n] * ai[n] + pi[n] * ar[n])
                  }
                }
                // (pr, pi) is now Ā^β: advance the anchors W Ā^{mβ} block by block.
                for blockIndex in 0..<blocks {
                  for n in 0..<m {
                    if wr[n] * wr[n] + wi[n] * wi[n] < cutoffSquared { (wr[n], wi[n]) = (0, 0) }
                    anchors[blockIndex * 2 * m + n] = flushed(2 * wr[n])
                    anchors[blockIndex * 2 * m + m + n] = flushed(-2 * wi[n])
                    (wr[n], wi[n]) = (wr[n] * pr[n] - wi[n] * pi[n], wr[n] * pi[n] + wi[n] * pr[n])
                  }
                }
              }
            }
          }
          anchors.withUnsafeBufferPointer { a in
            table.withUnsafeBufferPointer { t in
              product.withUnsafeMutableBufferPointer { p in
                Self.product(
                  weights: a.baseAddress!, table: t.baseAddress!, terms: 2 * m, blocks: blocks, block: block,
                  into: p.baseAddress!)
              }
            }
          }
          let target = destination.base + row * length
          let rowScale = Scalar(scale)
          for l in 0..<length { target[l] = product[l] * rowScale }
        }
      }
      initialized = rows * length
    }
  }

  /// `out[m·β + j] = Σ_t w[m, t] · T[t, j]`: SIMD8 lane groups in float32
  /// (``Float32Kernels/blockProduct(weights:table:terms:blocks:block:into:)``),
  /// vectorised `axpy` loops over `j` in float64.
  @inline(__always)
  static func product<Scalar: FFTScalar>(
    weights: UnsafePointer<Scalar>, table: UnsafePointer<Scalar>, terms: Int, blocks: Int, block: Int,
    into out: UnsafeMutablePointer<Scalar>
  ) {
    if Scalar.self == Float.self {
      Float32Kernels.blockProduct(
        weights: UnsafeRawPointer(weights).assumingMemoryBound(to: Float.self),
        table: UnsafeRawPointer(table).assumingMemoryBound(to: Float.self), terms: terms, blocks: blocks,
        block: block, into: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
      return
    }
    for blockIndex in 0..<blocks {
      let target = out + blockIndex * block
      target.update(repeating: 0, count: block)
      for term in 0..<terms {
        let weight = weights[blockIndex * terms + term]
        let row = table + term * block
        for j in 0..<block { target[j] += weight * row[j] }
      }
    }
  }

  /// Relative magnitude below which powers and anchors are dropped: products of two
  /// kept values stay normal numbers (`≥ 1e-36` in float32, `1e-300` in float64), and
  /// the dropped terms are ~10¹⁰ below each precision's rounding error.
  static func cutoff<Scalar: FFTScalar>(for _: Scalar.Type) -> Double {
    Scalar.fftPrecision == .single ? 1e-18 : 1e-150
  }

  /// `β`: a power of two near `√L`, at least 8 and at most `L` (rounded up to 8).
  static func blockSize(length: Int) -> Int {
    var block = 8
    while block * block < length { block *= 2 }
    return block
  }
}
