import Generation
import Models
import Platform
import SeededRandom

// Plain decoding timed the way the decoding notebooks time it, and held-out text to decode after.

/// Plain decoding of `model` after `prompt` from a copy of `prefilled` (a state that has read all of `prompt` but
/// its last token): a `SequentialDecoder` choosing each token from one `step`, as `generate` does, timed from the
/// first step to the last (reading the prompt is not timed). Returns the seconds and the tokens chosen.
public func timedSequentialDecoding<Model: SequenceModel>(
  _ model: Model, prefilled: Model.State, prompt: [Int], options: GenerationOptions
) throws -> (seconds: Double, tokens: [Int]) {
  var state = prefilled
  var decoder = try SequentialDecoder(for: model, prompt: prompt, options: options)
  let time = try seconds {
    var token = prompt[prompt.count - 1]
    while !decoder.isFinished {
      let logits = try model.step([token], state: &state)
      token = try decoder.next(logits: logits.values[...])
    }
  }
  return (time, decoder.tokens)
}

/// The window `S[o ..< o + length]` of a token stream `S` (a split of `TextTask`) at an offset `o` uniform in
/// `0 ... |S| − length`, drawn from seed `seed` (as `ssm bench speculative --text-context` draws its context).
public func streamWindow(_ stream: [UInt16], length: Int, seed: UInt64) -> [Int] {
  var generator = SeededGenerator(seed: seed)
  let offset = Int(generator.next() % UInt64(stream.count - length + 1))
  return stream[offset..<(offset + length)].map(Int.init)
}
