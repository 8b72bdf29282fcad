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
/// even at `L = 65 536`. Work: `2M·L` multiply–adds per row.
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
    var output = [Scalar](repeating: 0, count: rows * length)
    output.withUnsafeMutableBufferPointer { buffer in
      let destination = SharedPointer(buffer.baseAddress!)
      forEachChunk(of: rows, minimumChunk: max(1, 8192 / max(1, m * length / 64))) { range in
        var table = [Scalar](repeating: 0, count: 2 * m * block)
        var anchors = [Scalar](repeating: 0, count: blocks * 2 * m)
        var product = [Scalar](repeating: 0, count: blocks * block)
        for row in range {
          let channel = channelOfRow(row)
          for n in 0..<m {
            let a = aBar[channel * m + n]
            var power = Complex<Double>(1, 0)
            for j in 0..<block {
              table[n * block + j] = Scalar(power.real)
              table[(m + n) * block + j] = Scalar(power.imaginary)
              power = power * a
            }
            // `power` is now Ā^β: advance the anchors W Ā^{mβ} block by block.
            var anchor = weights[row * m + n]
            for blockIndex in 0..<blocks {
              anchors[blockIndex * 2 * m + n] = Scalar(2 * anchor.real)
              anchors[blockIndex * 2 * m + m + n] = Scalar(-2 * anchor.imaginary)
              anchor = anchor * power
            }
          }
          anchors.withUnsafeBufferPointer { a in
            table.withUnsafeBufferPointer { t in
              product.withUnsafeMutableBufferPointer { p in
                for blockIndex in 0..<blocks {
                  let out = p.baseAddress! + blockIndex * block
                  out.update(repeating: 0, count: block)
                  for term in 0..<(2 * m) {
                    let weight = a[blockIndex * 2 * m + term]
                    let row = t.baseAddress! + term * block
                    for j in 0..<block { out[j] += weight * row[j] }
                  }
                }
              }
            }
          }
          (destination.base + row * length).update(from: product, count: length)
        }
      }
    }
    return output
  }

  /// `β`: a power of two near `√L`, at least 8 and at most `L` (rounded up to 8).
  static func blockSize(length: Int) -> Int {
    var block = 8
    while block * block < length { block *= 2 }
    return block
  }
}
