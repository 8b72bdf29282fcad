/// The settings of speculative decoding that ``GenerationOptions`` does not hold.
public struct SpeculativeParameters: Sendable, Equatable {
  /// How the draft chooses its tokens.
  public enum DraftSampling: Sendable, Equatable {
    /// The draft samples from its logits with the same processors and warpers as the target
    /// (greedy when the target decodes greedily): `q = softmax` of its processed, warped logits.
    case likeTarget
    /// The draft always proposes its argmax, so `q` is one-hot at that token (exact for a
    /// sampling target too: the acceptance probability becomes `p(d)`).
    case greedy
  }

  /// Draft tokens per round.
  public var draftLength: DraftLength
  /// How the draft chooses its tokens.
  public var draftSampling: DraftSampling

  /// Parameters; by default a fixed draft of 4 tokens sampled like the target.
  public init(draftLength: DraftLength = .fixed(4), draftSampling: DraftSampling = .likeTarget) {
    self.draftLength = draftLength
    self.draftSampling = draftSampling
  }
}
