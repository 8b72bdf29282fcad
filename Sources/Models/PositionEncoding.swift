import Foundation

/// How a transformer decoder knows where each token is.
public enum PositionEncoding: String, Sendable, Codable, CaseIterable {
  /// A trained table of `contextLength × D` rows added to the token embeddings (GPT-2);
  /// the model cannot read past `contextLength` tokens.
  case learned
  /// Fixed sines and cosines added to the token embeddings (Vaswani et al. 2017):
  /// `PE[p, 2i] = sin(p/10000^{2i/D})`, `PE[p, 2i+1] = cos(p/10000^{2i/D})`.
  case sinusoidal
  /// Queries and keys rotated by their position inside attention (RoPE; Su et al. 2021),
  /// see `Tape.rotaryEmbedding(_:heads:offset:base:)`.
  case rotary

  /// The sinusoidal table for positions `offset ..< offset + length`, `length × width`, computed in
  /// float64 and rounded.
  public static func sinusoids(offset: Int, length: Int, width: Int) -> [Float] {
    var table = [Float](repeating: 0, count: length * width)
    table.withUnsafeMutableBufferPointer { table in
      for t in 0..<length { addSinusoid(position: offset + t, width: width, to: table.baseAddress! + t * width) }
    }
    return table
  }

  /// Adds the sinusoid of `position` (one row of ``sinusoids(offset:length:width:)``, `width`
  /// values) to `row` in place.
  static func addSinusoid(position: Int, width: Int, to row: UnsafeMutablePointer<Float>) {
    for j in 0..<width {
      let frequency = Foundation.pow(10_000, -Double(j - j % 2) / Double(width))
      let angle = Double(position) * frequency
      row[j] += Float(j.isMultiple(of: 2) ? Foundation.sin(angle) : Foundation.cos(angle))
    }
  }
}
