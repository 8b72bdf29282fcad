extension ModelFamily {
  /// Every registered family, in the order help texts list them; checkpoints decode the configuration
  /// types of these families. A new family adds its entry here.
  public static let all: [ModelFamily] = [.s4d, .s4, .transformer, .gru, .mamba]
}
