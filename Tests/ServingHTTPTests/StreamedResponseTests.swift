import Serving
import ServingHTTP
import Testing

/// Timelines read from hand-written responses: the token and finish times are the arrival times
/// of the pieces that complete each event, set here by hand.
@Suite struct StreamedResponseTests {
  static func chunk(_ text: String, finish: String? = nil) -> String {
    let reason = finish.map { "\"\($0)\"" } ?? "null"
    return
      #"data: {"object": "text_completion", "choices": [{"text": "\#(text)", "index": 0, "finish_reason": \#(reason)}]}"#
      + "\n\n"
  }

  static func pieces(_ parts: [(Double, String)]) -> [StreamedResponse.Piece] {
    parts.map { StreamedResponse.Piece(time: $0.0, bytes: Array($0.1.utf8)) }
  }

  /// Events split across reads are stamped when their last byte arrives: tokens "3" at 1.5 (its
  /// event ends in the second piece), " 1" at 2, the finish chunk (empty text: no token) at 3.
  @Test func eventsAreStampedWhenComplete() {
    let first = Self.chunk("3")
    let split = first.index(first.startIndex, offsetBy: 20)
    let response = StreamedResponse(
      status: 200,
      pieces: Self.pieces([
        (1, String(first[..<split])), (1.5, String(first[split...])), (2, Self.chunk(" 1")),
        (3, Self.chunk("", finish: "length") + "data: [DONE]\n\n"),
      ]))
    #expect(response.record(arrival: 0.5) == RequestRecord(arrival: 0.5, tokenTimes: [1.5, 2], finish: 3))
  }

  /// A stream without `[DONE]`, or without a finish, is cut: a connection error.
  @Test func cutStreamIsAConnectionError() {
    let noDone = StreamedResponse(status: 200, pieces: Self.pieces([(1, Self.chunk("3", finish: "length"))]))
    #expect(noDone.record(arrival: 0).failure == .connectionError)
    let noFinish = StreamedResponse(status: 200, pieces: Self.pieces([(1, Self.chunk("3") + "data: [DONE]\n\n")]))
    #expect(noFinish.record(arrival: 0).failure == .connectionError)
    let reset = StreamedResponse(status: 200, pieces: [], transportError: "connection reset")
    #expect(reset.record(arrival: 0).failure == .connectionError)
  }

  @Test func errorEventIsAModelError() {
    let response = StreamedResponse(
      status: 200,
      pieces: Self.pieces([(1, Self.chunk("3") + #"data: {"error": {"message": "x"}}"# + "\n\ndata: [DONE]\n\n")]))
    #expect(response.record(arrival: 0).failure == .modelError)
  }

  /// Each error status maps to its kind; a 400 with code `exceeds_memory_budget` is told apart.
  @Test func statusesMapToFailureKinds() {
    let cases: [(Int, String, FailureKind)] = [
      (429, "{}", .queueFull), (400, #"{"error": {"code": null}}"#, .invalidRequest),
      (400, #"{"error": {"code": "exceeds_memory_budget"}}"#, .exceedsMemoryBudget), (500, "{}", .modelError),
      (503, "{}", .serverUnavailable), (404, "{}", .connectionError),
    ]
    for (status, body, kind) in cases {
      let response = StreamedResponse(status: status, pieces: Self.pieces([(1, body)]))
      #expect(response.record(arrival: 0) == RequestRecord(arrival: 0, failure: kind), "\(status) \(body)")
    }
  }
}
