import Generation
import SSMJSON
import Serving

/// The body of `POST /v1/completions` in OpenAI's format, validated.
///
/// Fields: `prompt` (text for models with a ``TextCodec/encode``, or token ids; a list holding one
/// of them is accepted too, as the OpenAI SDK sends it), `max_tokens` (default 16), `temperature`
/// (default 1; 0 is greedy decoding), `top_p` (default 1), `top_k` (default off; -1 is off too),
/// `seed` (default 0), `stop` (up to 4 stop tokens, each a token id or a string of one token),
/// `n` (default 1), `stream` (default false), and `model` and `user`, which are ignored. Any other
/// field is refused, so that an option the server would not honour does not pass unnoticed.
public struct CompletionRequest: Equatable, Sendable {
  /// A prompt as text or as token ids.
  public enum Prompt: Equatable, Sendable {
    /// Text, read as tokens by the server's ``TextCodec``.
    case text(String)
    /// Token ids.
    case tokens([Int])
  }

  /// A stop condition: a token id, or text that must be one token.
  public enum Stop: Equatable, Sendable {
    /// A token id.
    case token(Int)
    /// Text that the server's ``TextCodec`` reads as exactly one token.
    case text(String)
  }

  /// The prompt (at least one token once read).
  public var prompt: Prompt
  /// The most tokens to generate, `≥ 1`.
  public var maxTokens: Int
  /// The sampling temperature `T ≥ 0` (logits divided by `T`); 0 is greedy decoding.
  public var temperature: Double
  /// The nucleus mass `p ∈ (0, 1]`.
  public var topP: Double
  /// Keep the `k` most likely tokens, or `nil` for all.
  public var topK: Int?
  /// The seed of choice 0; choice `i` draws from `seed + i`.
  public var seed: UInt64
  /// Stop tokens, given as ids or one-token texts.
  public var stop: [Stop]
  /// Choices to generate, `1…maxChoices`.
  public var n: Int
  /// Whether to answer with server-sent events.
  public var stream: Bool

  /// The most choices one request may ask for.
  public static let maxChoices = 16
  /// The fields the server reads or ignores.
  static let knownFields: Set<String> = [
    "model", "prompt", "max_tokens", "temperature", "top_p", "top_k", "seed", "stop", "n", "stream", "user",
  ]

  /// Parses and validates a JSON request body.
  /// - Throws: ``APIError`` (400) naming the field at fault.
  public init(json text: String) throws {
    let document: JSONValue
    do { document = try JSONParser.parse(text) } catch {
      throw APIError.invalid("the request body is not valid JSON: \(error)", param: nil, code: "invalid_json")
    }
    guard case .object(let members) = document else {
      throw APIError.invalid("the request body must be a JSON object", param: nil)
    }
    if let unknown = members.first(where: { !Self.knownFields.contains($0.key) }) {
      throw APIError.invalid("unsupported field \"\(unknown.key)\"", param: unknown.key, code: "unsupported_parameter")
    }
    let field = { (name: String) -> JSONValue? in
      guard let value = document[name], value != .null else { return nil }
      return value
    }
    guard let prompt = field("prompt") else { throw APIError.invalid("\"prompt\" is required", param: "prompt") }
    self.prompt = try Self.prompt(prompt)
    maxTokens = try field("max_tokens").map { try Self.integer($0, "max_tokens", in: 1...Int(Int32.max)) } ?? 16
    temperature =
      try field("temperature").map { try Self.real($0, "temperature", "a finite number ≥ 0") { $0 >= 0 } } ?? 1
    topP = try field("top_p").map { try Self.real($0, "top_p", "a number in (0, 1]") { $0 > 0 && $0 <= 1 } } ?? 1
    let topK = try field("top_k").map { try Self.integer($0, "top_k", in: -1...Int(Int32.max)) }
    guard topK != 0 else { throw APIError.invalid("\"top_k\" must be ≥ 1, or -1 for no limit", param: "top_k") }
    self.topK = topK == -1 ? nil : topK
    seed = try field("seed").map { UInt64(try Self.integer($0, "seed", in: 0...(1 << 53))) } ?? 0
    stop = try field("stop").map(Self.stops) ?? []
    n = try field("n").map { try Self.integer($0, "n", in: 1...Self.maxChoices) } ?? 1
    switch field("stream") {
    case nil: stream = false
    case .bool(let value)?: stream = value
    case .some(let other):
      throw APIError.invalid("\"stream\" must be a boolean, got \(other.kindName)", param: "stream")
    }
  }

  /// The engine requests of the `n` choices: greedy decoding for temperature 0 (the choices are
  /// equal), otherwise sampling with `SamplingParameters(temperature:topK:topP:numReturnSequences: n)`
  /// and choice `i` = sample `i` (seeded `seed + i`), so choice `i` equals sample `i` of
  /// `ssm generate --strategy sample --temperature … --top-k … --top-p … --seed … --num-return n`.
  /// - Parameters:
  ///   - codec: how text prompts and text stops become tokens.
  ///   - vocabulary: the model's vocabulary; token ids must lie in `0..<vocabulary`.
  ///   - stopTokens: stop tokens the server always adds (a text model's document separator).
  /// - Throws: ``APIError`` (400) for a text prompt or stop the model cannot read, or a token id
  ///   outside the vocabulary.
  public func servingRequests(codec: TextCodec, vocabulary: Int, stopTokens: Set<Int> = []) throws -> [ServingRequest] {
    let tokens: [Int]
    switch prompt {
    case .tokens(let ids): tokens = ids
    case .text(let text):
      guard let encode = codec.encode else {
        throw APIError.invalid("this model takes token-id prompts only (a list of integers)", param: "prompt")
      }
      tokens = encode(text)
    }
    guard !tokens.isEmpty else { throw APIError.invalid("the prompt has no tokens", param: "prompt") }
    if let outside = tokens.first(where: { !(0..<vocabulary).contains($0) }) {
      throw APIError.invalid("prompt token \(outside) is outside the vocabulary 0..<\(vocabulary)", param: "prompt")
    }
    var stopSet = stopTokens
    for stop in stop {
      let token: Int
      switch stop {
      case .token(let id): token = id
      case .text(let text):
        guard let encoded = codec.encode?(text), encoded.count == 1 else {
          throw APIError.invalid(
            "stop \(text.debugDescription) is not one token of this model: give single-token stops", param: "stop")
        }
        token = encoded[0]
      }
      guard (0..<vocabulary).contains(token) else {
        throw APIError.invalid("stop token \(token) is outside the vocabulary 0..<\(vocabulary)", param: "stop")
      }
      stopSet.insert(token)
    }
    let greedy = temperature == 0
    let strategy: DecodingStrategy =
      greedy
      ? .greedy
      : .sampling(SamplingParameters(temperature: temperature, topK: topK, topP: topP, numReturnSequences: n))
    let options = GenerationOptions(maxNewTokens: maxTokens, stopTokens: stopSet, strategy: strategy, seed: seed)
    return (0..<n).map { ServingRequest(prompt: tokens, options: options, sample: greedy ? 0 : $0) }
  }

  private static func prompt(_ value: JSONValue) throws -> Prompt {
    switch value {
    case .string(let text): return .text(text)
    case .array(let items) where items.count == 1 && [.string, .array].contains(kind(of: items[0])):
      return try prompt(items[0])
    case .array(let items):
      return .tokens(try items.map { try integer($0, "prompt", in: 0...Int(Int32.max)) })
    default:
      throw APIError.invalid(
        "\"prompt\" must be a string or a list of token ids, got \(value.kindName)", param: "prompt")
    }
  }

  private enum Kind { case string, array, other }

  private static func kind(of value: JSONValue) -> Kind {
    switch value {
    case .string: .string
    case .array: .array
    default: .other
    }
  }

  private static func stops(_ value: JSONValue) throws -> [Stop] {
    let items: [JSONValue]
    if case .array(let list) = value { items = list } else { items = [value] }
    guard items.count <= 4 else { throw APIError.invalid("\"stop\" takes at most 4 entries", param: "stop") }
    return try items.map { item in
      if case .string(let text) = item { return .text(text) }
      return .token(try integer(item, "stop", in: 0...Int(Int32.max)))
    }
  }

  private static func integer(_ value: JSONValue, _ name: String, in range: ClosedRange<Int>) throws -> Int {
    guard case .number(let number) = value, number.isFinite, number.rounded() == number,
      let whole = Int(exactly: number), range.contains(whole)
    else {
      throw APIError.invalid(
        "\"\(name)\" must be an integer in \(range.lowerBound)…\(range.upperBound), got \(value.shown)",
        param: name)
    }
    return whole
  }

  private static func real(
    _ value: JSONValue, _ name: String, _ requirement: String, accepts: (Double) -> Bool
  ) throws -> Double {
    guard case .number(let number) = value, number.isFinite, accepts(number) else {
      throw APIError.invalid("\"\(name)\" must be \(requirement), got \(value.shown)", param: name)
    }
    return number
  }
}

extension JSONValue {
  /// The value as JSON text when it can be written, else its kind (a non-finite number).
  fileprivate var shown: String { isFinite ? serialized : kindName }
}
