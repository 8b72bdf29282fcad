import Foundation

/// The real part of an inverse discrete Fourier transform whose spectrum is non-zero only in
/// bins `1 … K`: `x_t = Re Σ_{k=1}^{K} c_k e^{2πikt/n}`, `t = 0 ..< n`, with `c_k = real[k] + i·imaginary[k]`
/// (`real` and `imaginary` hold `n` values each; bins outside `1 … K` are zero).
///
/// For a power-of-two `n` it runs a radix-2 FFT in `O(n log n)`; otherwise it sums the `K`
/// sinusoids directly over exact tables (`kt mod n` indexing) in `O(K·n)`. Both are accurate to
/// double rounding.
func realInverseTransform(real: [Double], imaginary: [Double], components: Int) -> [Double] {
  let n = real.count
  guard n & (n - 1) == 0 else {
    return directSynthesis(real: real, imaginary: imaginary, components: components)
  }
  var real = real
  var imaginary = imaginary
  inverseFFT(real: &real, imaginary: &imaginary)
  return real
}

/// `Re Σ_{k=1}^{K} c_k e^{2πikt/n}` by direct summation over exact tables (`kt mod n` indexing).
private func directSynthesis(real: [Double], imaginary: [Double], components: Int) -> [Double] {
  let n = real.count
  var cosine = [Double](repeating: 0, count: n)
  var sine = [Double](repeating: 0, count: n)
  for m in 0..<n {
    let angle = 2 * Double.pi * Double(m) / Double(n)
    cosine[m] = cos(angle)
    sine[m] = sin(angle)
  }
  var signal = [Double](repeating: 0, count: n)
  for frequency in 1...components {
    let a = real[frequency]
    let b = imaginary[frequency]
    var phase = 0  // frequency · t mod n, exactly
    for t in 0..<n {
      signal[t] += a * cosine[phase] - b * sine[phase]
      phase += frequency
      if phase >= n { phase -= n }
    }
  }
  return signal
}

/// The unnormalised inverse DFT `x_t = Σ_k X_k e^{+2πikt/n}` in place, `n` a power of two
/// (iterative radix-2 Cooley–Tukey with bit-reversal permutation).
private func inverseFFT(real: inout [Double], imaginary: inout [Double]) {
  let n = real.count
  guard n > 1 else { return }
  var j = 0
  for i in 1..<n {
    var bit = n >> 1
    while j & bit != 0 {
      j ^= bit
      bit >>= 1
    }
    j |= bit
    if i < j {
      real.swapAt(i, j)
      imaginary.swapAt(i, j)
    }
  }
  var size = 2
  while size <= n {
    let half = size / 2
    let step = 2 * Double.pi / Double(size)
    for m in 0..<half {
      let wr = cos(step * Double(m))
      let wi = sin(step * Double(m))
      var start = m
      while start < n {
        let u = start
        let v = start + half
        let tr = wr * real[v] - wi * imaginary[v]
        let ti = wr * imaginary[v] + wi * real[v]
        real[v] = real[u] - tr
        imaginary[v] = imaginary[u] - ti
        real[u] += tr
        imaginary[u] += ti
        start += size
      }
    }
    size *= 2
  }
}
