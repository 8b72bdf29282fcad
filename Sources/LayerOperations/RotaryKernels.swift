import Foundation

/// The arithmetic of rotary position embeddings (RoPE), shared by
/// `Tape.rotaryEmbedding(_:heads:offset:base:)` and by tape-free decoding steps
/// (which rotate one row per sequence on preallocated buffers).
///
/// A head of even width `d = 2·half` turns each pair `(x_i, x_{i+half})` at position `p` by the
/// angle `p·θ_i`, `θ_i = base^{−2i/d}` (`i < half`).
package enum RotaryKernels {
  /// The frequencies `θ_i = base^{−2i/d}`, `i < half`, in float64.
  package static func frequencies(half: Int, base: Double) -> [Double] {
    (0..<half).map { i in Foundation.pow(base, -Double(2 * i) / Double(2 * half)) }
  }

  /// `cos(p·θ_i)` and `sin(p·θ_i)` for `i < half`, the angle in float64 (positions reach 10⁴ and
  /// more), rounded to float32 into `cosines` and `sines`.
  @inline(__always)
  package static func angles(
    position: Int, frequencies: UnsafePointer<Double>, half: Int, cosines: UnsafeMutablePointer<Float>,
    sines: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<half {
      let angle = Double(position) * frequencies[i]
      cosines[i] = Float(Foundation.cos(angle))
      sines[i] = Float(Foundation.sin(angle))
    }
  }

  /// One position's row `x` of `heads` heads (`heads·2·half` values) turned by `sign·p·θ_i` into
  /// `y` (`sign` −1 undoes the turn, the backward pass):
  ///
  ///     y_i = x_i cos − x_{i+half} sin,   y_{i+half} = x_i sin + x_{i+half} cos   (sin·sign).
  ///
  /// `y` may be `x` (each pair is read before it is written).
  @inline(__always)
  package static func rotate(
    _ x: UnsafePointer<Float>, heads: Int, half: Int, cosines: UnsafePointer<Float>, sines: UnsafePointer<Float>,
    sign: Float, into y: UnsafeMutablePointer<Float>
  ) {
    for h in 0..<heads {
      let (u, w) = (x + h * 2 * half, x + h * 2 * half + half)
      let (yu, yw) = (y + h * 2 * half, y + h * 2 * half + half)
      for i in 0..<half {
        let (c, sine, first, second) = (cosines[i], sign * sines[i], u[i], w[i])
        yu[i] = first * c - second * sine
        yw[i] = first * sine + second * c
      }
    }
  }
}
