import SeededRandom

/// The three disjoint parts of a task's instance space: training, validation and test.
///
/// Two mechanisms keep the splits apart:
///
/// 1. **Disjoint instances.** Every instance (an input sequence) belongs to exactly one split,
///    decided by a fixed hash of its input content, independent of seed, batch index and task
///    parameters: with `h` its ``contentHash(tokens:)`` (or ``contentHash(features:)``), the
///    instance is in `train` when `h mod 10 < 8`, in
///    `validation` when `h mod 10 = 8` and in `test` when `h mod 10 = 9` (≈ 80 / 10 / 10 % of the
///    probability mass). A batch of a split is drawn by rejection: candidates are generated and
///    those of another split are discarded. So no test instance is ever a training instance —
///    even for tiny instance spaces (a copying task with 2 data tokens over 2 symbols has 4
///    instances), and even across seeds. The per-split distribution is the task's distribution
///    conditioned on the hash class, which for any practical purpose is the same distribution.
///    The rejection costs ≈ 1.25 candidates per training instance and ≈ 10 per validation or
///    test instance; a split that owns no instance at all throws
///    ``TaskError/splitExhausted(task:split:attempts:)``.
/// 2. **Independent, addressable streams.** The candidates of batch `index` of a split come from
///    ``generator(seed:index:)``, a generator seeded by a mix of `(seed, split, index)` alone, so
///    any batch can be regenerated without generating those before it.
public enum Split: String, CaseIterable, Sendable, Codable {
  /// Training instances (hash class 0 – 7 of 10).
  case train
  /// Validation instances (hash class 8).
  case validation
  /// Test instances (hash class 9).
  case test

  /// A distinct 64-bit tag per split, mixed into the stream seed.
  var tag: UInt64 {
    switch self {
    case .train: return 0x7472_6169_6E00_0001  // "train"
    case .validation: return 0x7661_6C69_6400_0002  // "valid"
    case .test: return 0x7465_7374_0000_0003  // "test"
    }
  }

  /// The split that owns an instance whose content hash is `hash`: `train` for `hash mod 10 < 8`,
  /// `validation` for 8, `test` for 9.
  public static func owning(hash: UInt64) -> Split {
    switch hash % 10 {
    case 8: return .validation
    case 9: return .test
    default: return .train
    }
  }

  /// The SplitMix64 finaliser (Steele, Lea & Flood 2014), a bijection of `UInt64`:
  /// `z ← (z ⊕ z≫30)·0xBF58476D1CE4E5B9; z ← (z ⊕ z≫27)·0x94D049BB133111EB; z ⊕ z≫31`.
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The generator of batch `index` of this split under `seed`:
  /// `SeededGenerator(seed: mix(mix(mix(seed) ⊕ tag) ⊕ index))` with a distinct `tag` per split.
  ///
  /// For a fixed seed and split the map `index ↦ seed of the generator` is a bijection (a
  /// composition of bijections), so two batch indices never share a stream; different splits and
  /// seeds give unrelated streams.
  public func generator(seed: UInt64, index: Int) -> SeededGenerator {
    SeededGenerator(seed: Self.mix(Self.mix(Self.mix(seed) ^ tag) ^ UInt64(bitPattern: Int64(index))))
  }

  /// The content hash of a token sequence: `h₀ = mix(n)`, `hᵢ₊₁ = mix(hᵢ ⊕ tokenᵢ)` over the
  /// `n` tokens (tokens as 64-bit two's complement). Deterministic across runs and platforms,
  /// unlike `Hasher`.
  public static func contentHash(tokens: [Int]) -> UInt64 {
    var h = mix(UInt64(tokens.count))
    for token in tokens { h = mix(h ^ UInt64(bitPattern: Int64(token))) }
    return h
  }

  /// The content hash of a feature sequence: as ``contentHash(tokens:)`` over the IEEE-754 bit
  /// patterns of the values, with the count mixed with a distinct constant.
  public static func contentHash(features: [Float]) -> UInt64 {
    var h = mix(UInt64(features.count) ^ 0xF10A_7000_0000_0000)
    for value in features { h = mix(h ^ UInt64(value.bitPattern)) }
    return h
  }
}
