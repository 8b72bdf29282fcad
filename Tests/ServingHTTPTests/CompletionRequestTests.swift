import Generation
import Serving
import ServingHTTP
import Testing

/// Decoding and validation of `POST /v1/completions` bodies.
@Suite struct CompletionRequestTests {
  /// A byte codec, as `ssm serve` uses for byte-level models.
  static let bytes = TextCodec(encode: { $0.utf8.map(Int.init) }, decode: { $0.map(String.init).joined() })

  @Test func defaultsFollowOpenAI() throws {
    let request = try CompletionRequest(json: #"{"model": "m", "prompt": "hi"}"#)
    #expect(request.prompt == .text("hi"))
    #expect(request.maxTokens == 16)
    #expect(request.temperature == 1)
    #expect(request.topP == 1)
    #expect(request.topK == nil)
    #expect(request.seed == 0)
    #expect(request.n == 1)
    #expect(!request.stream)
  }

  @Test func promptForms() throws {
    #expect(try CompletionRequest(json: #"{"prompt": [3, 1, 4]}"#).prompt == .tokens([3, 1, 4]))
    #expect(try CompletionRequest(json: #"{"prompt": [[3, 1]]}"#).prompt == .tokens([3, 1]))
    #expect(try CompletionRequest(json: #"{"prompt": ["ab"]}"#).prompt == .text("ab"))
  }

  /// Each bad body names the field at fault with a 400.
  @Test(arguments: [
    (#"{"prompt": [1], "max_tokens": 0}"#, "max_tokens"), (#"{"prompt": [1], "max_tokens": 2.5}"#, "max_tokens"),
    (#"{"prompt": [1], "temperature": -1}"#, "temperature"), (#"{"prompt": [1], "top_p": 0}"#, "top_p"),
    (#"{"prompt": [1], "top_k": 0}"#, "top_k"), (#"{"prompt": [1], "n": 17}"#, "n"),
    (#"{"prompt": [1], "seed": -3}"#, "seed"), (#"{"prompt": [1], "stream": "yes"}"#, "stream"),
    (#"{"prompt": [1], "logprobs": 2}"#, "logprobs"), (#"{"prompt": [-1]}"#, "prompt"), (#"{"prompt": 5}"#, "prompt"),
    (#"{"max_tokens": 3}"#, "prompt"), (#"{"prompt": [1], "stop": ["a", "b", "c", "d", "e"]}"#, "stop"),
  ])
  func badFieldIsNamed(body: String, param: String) {
    let error = #expect(throws: APIError.self) { try CompletionRequest(json: body) }
    #expect(error?.status == 400)
    #expect(error?.param == param)
    #expect(error?.type == "invalid_request_error")
  }

  @Test func malformedJSONIsRefused() {
    let error = #expect(throws: APIError.self) { try CompletionRequest(json: #"{"prompt": [1"#) }
    #expect(error?.status == 400)
    #expect(error?.code == "invalid_json")
  }

  /// Temperature 0 is greedy decoding (every choice sample 0); otherwise choice i is sample i of
  /// one sampling request, as `ssm generate --num-return n` draws them.
  @Test func choicesMapToSamples() throws {
    let sampled = try CompletionRequest(
      json: #"{"prompt": "ab", "max_tokens": 5, "temperature": 0.5, "top_p": 0.9, "top_k": 4, "seed": 7, "n": 3}"#
    ).servingRequests(codec: Self.bytes, vocabulary: 256, stopTokens: [256 - 1])
    let options = GenerationOptions(
      maxNewTokens: 5, stopTokens: [255],
      strategy: .sampling(SamplingParameters(temperature: 0.5, topK: 4, topP: 0.9, numReturnSequences: 3)), seed: 7)
    #expect(sampled == (0..<3).map { ServingRequest(prompt: [97, 98], options: options, sample: $0) })
    let greedy = try CompletionRequest(json: #"{"prompt": [2], "temperature": 0, "n": 2, "stop": ["c", 9]}"#)
      .servingRequests(codec: Self.bytes, vocabulary: 256)
    #expect(greedy.map(\.sample) == [0, 0])
    #expect(greedy[0].options.strategy == .greedy)
    #expect(greedy[0].options.stopTokens == [99, 9])
  }

  @Test func unreadablePromptsAndStopsAreRefused() throws {
    let ids = TextCodec(encode: nil, decode: { $0.map(String.init).joined(separator: " ") })
    let cases: [(String, TextCodec, String)] = [
      (#"{"prompt": "text"}"#, ids, "prompt"), (#"{"prompt": [11]}"#, ids, "prompt"),
      (#"{"prompt": [1], "stop": "ab"}"#, Self.bytes, "stop"), (#"{"prompt": [1], "stop": 300}"#, Self.bytes, "stop"),
      (#"{"prompt": ""}"#, Self.bytes, "prompt"),
    ]
    for (body, codec, param) in cases {
      let request = try CompletionRequest(json: body)
      let error = #expect(throws: APIError.self) { try request.servingRequests(codec: codec, vocabulary: 11) }
      #expect(error?.param == param, "\(body)")
    }
  }

  /// Pieces handed out while tokens arrive concatenate to the text of all of them; a multi-byte
  /// character is held back until its last byte.
  @Test func streamedTextConcatenates() {
    let utf8 = TextCodec(
      encode: nil, decode: { String(decoding: $0.map { UInt8($0) }, as: UTF8.self) })
    var streamed = StreamedText()
    let tokens = Array("aé€b".utf8).map(Int.init)
    var pieces = tokens.map { streamed.append($0, codec: utf8) }
    pieces.append(streamed.finish(codec: utf8))
    #expect(pieces.joined() == "aé€b")
    #expect(pieces[1] == "")  // the first byte of é alone is held back
  }
}
