import Foundation
import Numerics
import SSMJSON
import TestSupport
import Testing

// MARK: - Running the executable

/// The built `ssm` executable, next to the test bundle in the build folder.
func ssmExecutable() throws -> URL {
  let fileManager = FileManager.default
  var candidates = [
    Bundle.main.bundleURL.appendingPathComponent("ssm"),
    Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ssm"),
  ]
  if let first = CommandLine.arguments.first {
    candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("ssm"))
  }
  for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
    candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("ssm"))
  }
  let found = candidates.first { url in
    var isDirectory: ObjCBool = false
    return fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
      && fileManager.isExecutableFile(atPath: url.path)
  }
  return try #require(found, "the ssm executable was not found among \(candidates.map(\.path))")
}

/// Runs `ssm` with `arguments` and collects its exit status and output.
///
/// The output goes to temporary files rather than pipes so that a large output
/// can never block the child while we wait for it. `stdin`, when given, is fed
/// to the child's standard input; `environment` adds variables to the child's environment.
func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws
  -> (status: Int32, reason: Process.TerminationReason, stdout: String, stderr: String)
{
  let executable = try ssmExecutable()
  let stdoutURL = temporaryURL("stdout")
  let stderrURL = temporaryURL("stderr")
  defer {
    try? FileManager.default.removeItem(at: stdoutURL)
    try? FileManager.default.removeItem(at: stderrURL)
  }
  try Data().write(to: stdoutURL)
  try Data().write(to: stderrURL)
  let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
  let stderrHandle = try FileHandle(forWritingTo: stderrURL)

  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  // A trapping child should die quickly; the runtime's symbolicating backtracer takes ~1 s.
  var environment = ProcessInfo.processInfo.environment
  environment["SWIFT_BACKTRACE"] = "enable=no"
  environment.merge(extra) { $1 }
  process.environment = environment
  process.standardOutput = stdoutHandle
  process.standardError = stderrHandle
  // Standard input also comes from a file: no pipe, so no SIGPIPE if the child never reads it.
  let stdinURL = temporaryURL("stdin")
  defer { try? FileManager.default.removeItem(at: stdinURL) }
  var stdinHandle: FileHandle?
  if let stdin {
    try Data(stdin.utf8).write(to: stdinURL)
    stdinHandle = try FileHandle(forReadingFrom: stdinURL)
  }
  process.standardInput = stdinHandle ?? FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  try stdinHandle?.close()
  try stdoutHandle.close()
  try stderrHandle.close()

  let stdout = String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self)
  let stderr = String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self)
  return (process.terminationStatus, process.terminationReason, stdout, stderr)
}

/// A fresh path in the temporary folder.
func temporaryURL(_ label: String, extension pathExtension: String = "txt") -> URL {
  temporaryPath("ssm-cli-test-\(label)").appendingPathExtension(pathExtension)
}

/// Writes `contents` to a fresh temporary JSON file, runs `body` with its path,
/// and deletes the file.
func withInputFile<T>(_ contents: String, _ body: (String) throws -> T) throws -> T {
  let url = temporaryURL("input", extension: "json")
  try Data(contents.utf8).write(to: url)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url.path)
}

/// Runs `ssm`, requires success with empty stderr, and parses stdout as JSON.
func runJSON(_ arguments: [String]) throws -> JSONValue {
  let result = try run(arguments)
  try #require(
    result.status == 0 && result.reason == .exit,
    "ssm \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
  #expect(result.stderr.isEmpty)
  #expect(result.stdout.hasSuffix("\n"))
  return try JSONParser.parse(result.stdout)
}

// MARK: - Small helpers on parsed output

func realRows(_ value: JSONValue?, _ name: String) throws -> [[Double]] {
  let value = try #require(value, "missing \(name)")
  guard case .array(let rows) = value else { throw JSONError.invalidValue(path: name, expected: "rows") }
  return try rows.enumerated().map { try $1.realVector(path: "\(name)[\($0)]") }
}

func complexRows(_ value: JSONValue?, _ name: String) throws -> [[Complex<Double>]] {
  try #require(value, "missing \(name)").complexRows(path: name)
}

/// Every scalar in the value is written as an `[re, im]` pair (not a bare number).
func isComplexEncoded(_ value: JSONValue) -> Bool {
  guard case .array(let parts) = value, parts.count == 2,
    case .number = parts[0], case .number = parts[1]
  else { return false }
  return true
}

/// `|a − b| ≤ tolerance · max(1, |b|)`.
func isClose(_ a: Double, _ b: Double, relative tolerance: Double) -> Bool {
  abs(a - b) <= tolerance * max(1, abs(b))
}

// MARK: - Tests

@Suite("ssm command line")
struct CommandLineTests {
  // MARK: hippo

  @Test("hippo legs N = 4 matches the golden matrix and the closed form")
  func hippoLegS() throws {
    let document = try runJSON(["hippo", "legs", "--state-size", "4", "--json"])
    let a = try realRows(document["A"], "A")
    let b = try #require(document["B"]).realVector(path: "B")
    let goldenA: [[Double]] = [
      [-1, 0, 0, 0],
      [-1.732051, -2, 0, 0],
      [-2.236068, -3.872983, -3, 0],
      [-2.645751, -4.582576, -5.916080, -4],
    ]
    let goldenB = [1, 1.732051, 2.236068, 2.645751]
    try #require(a.count == 4 && a.allSatisfy { $0.count == 4 } && b.count == 4)
    // The golden values are printed with 6 decimals, so they are exact to 5e-7.
    let goldenTolerance = 1e-6
    for n in 0..<4 {
      for k in 0..<4 {
        #expect(abs(a[n][k] - goldenA[n][k]) <= goldenTolerance, "A[\(n)][\(k)]")
      }
      #expect(abs(b[n] - goldenB[n]) <= goldenTolerance, "B[\(n)]")
    }
    // Closed form: one product of two correctly rounded square roots is within a few ulps (~4e-16).
    let formulaTolerance = 1e-15
    let r = (0..<4).map { (2 * Double($0) + 1).squareRoot() }
    for n in 0..<4 {
      for k in 0..<4 {
        let exact = n > k ? -r[n] * r[k] : (n == k ? -Double(n + 1) : 0)
        #expect(isClose(a[n][k], exact, relative: formulaTolerance), "A[\(n)][\(k)] = \(a[n][k]), expected \(exact)")
      }
      #expect(isClose(b[n], r[n], relative: formulaTolerance), "B[\(n)]")
    }
    #expect(document["P"] == nil, "P appears only with --rank")
  }

  @Test("hippo legs --rank 2 adds P with a zero second row")
  func hippoLegSRank() throws {
    let document = try runJSON(["hippo", "legs", "--state-size", "4", "--rank", "2", "--json"])
    let p = try realRows(document["P"], "P")
    try #require(p.count == 2 && p.allSatisfy { $0.count == 4 })
    // P[0][n] = √(n + ½): one correctly rounded square root, within an ulp.
    let tolerance = 1e-15
    for n in 0..<4 {
      #expect(isClose(p[0][n], (Double(n) + 0.5).squareRoot(), relative: tolerance), "P[0][\(n)]")
    }
    #expect(p[1] == [0, 0, 0, 0])
    #expect(try realRows(document["A"], "A").count == 4)
  }

  @Test("human-readable output is the default and is not JSON")
  func humanReadable() throws {
    let result = try run(["hippo", "legs", "--state-size", "4"])
    #expect(result.status == 0 && result.reason == .exit)
    #expect(result.stderr.isEmpty)
    #expect(result.stdout.contains("A (4 × 4)"))
    #expect(result.stdout.contains("-2.236068"))
    #expect(throws: JSONError.self) { try JSONParser.parse(result.stdout) }
  }

  // MARK: dplr and s4d-init

  @Test("dplr legs N = 8: golden eigenvalues and shapes")
  func dplrLegS() throws {
    let document = try runJSON(["dplr", "legs", "--state-size", "8", "--json"])
    let lambda = try #require(document["lambda"]).complexVector(path: "lambda")
    let goldenImaginary = [-19.857410, -5.354209, -1.957794, -0.427489]
    try #require(lambda.count == 4)
    // The golden imaginary parts have 6 decimals (exact to 5e-7).
    let goldenTolerance = 1e-6
    // Re λ = −½ exactly in theory; the mean of the diagonal of A + PᵀP carries a few ulps of rounding.
    let realTolerance = 1e-12
    for (j, value) in lambda.enumerated() {
      #expect(abs(value.imaginary - goldenImaginary[j]) <= goldenTolerance, "Im λ[\(j)] = \(value.imaginary)")
      #expect(abs(value.real + 0.5) <= realTolerance, "Re λ[\(j)] = \(value.real)")
    }
    #expect(try #require(document["B"]).complexVector(path: "B").count == 4)
    let p = try complexRows(document["P"], "P")
    #expect(p.count == 1 && p.allSatisfy { $0.count == 4 })
    let v = try complexRows(document["V"], "V")
    #expect(v.count == 8 && v.allSatisfy { $0.count == 4 })
    // Reconstructing an 8 × 8 normal matrix with entries ≤ ~15 costs ~N·eps·15 ≈ 3e-14 at most.
    let residualTolerance = 1e-12
    let residual = try #require(document["normalResidual"]).realScalar(path: "normalResidual")
    #expect(residual >= 0 && residual < residualTolerance)
  }

  @Test("s4d-init inv N = 8 golden values and s4d-init lin closed form")
  func s4dInit() throws {
    let inverse = try runJSON(["s4d-init", "inv", "--state-size", "8", "--json"])
    let inverseLambda = try #require(inverse["lambda"]).complexVector(path: "lambda")
    let golden = [17.825354, 4.244132, 1.527887, 0.363783]
    try #require(inverseLambda.count == 4)
    // The golden values have 6 decimals (exact to 5e-7).
    let goldenTolerance = 1e-6
    for (j, value) in inverseLambda.enumerated() {
      #expect(abs(value.imaginary - golden[j]) <= goldenTolerance, "Im λ[\(j)]")
      #expect(value.real == -0.5)
    }
    #expect(try #require(inverse["B"]).complexVector(path: "B") == Array(repeating: Complex(1, 0), count: 4))

    let linear = try runJSON(["s4d-init", "lin", "--state-size", "8", "--json"])
    let linearLambda = try #require(linear["lambda"]).complexVector(path: "lambda")
    try #require(linearLambda.count == 4)
    // π·n is one correctly rounded product, and JSON keeps every bit: within an ulp.
    let tolerance = 1e-15
    for (n, value) in linearLambda.enumerated() {
      #expect(isClose(value.real, -0.5, relative: tolerance))
      #expect(isClose(value.imaginary, Double.pi * Double(n), relative: tolerance), "Im λ[\(n)]")
    }
  }

  // MARK: discretize

  @Test("discretize: gbt with α = ½ equals bilinear, and matches the 1 × 1 formula")
  func discretizeGBT() throws {
    let system = #"{"A": [[-1, 0.5], [0.25, -2]], "B": [1, -0.5]}"#
    try withInputFile(system) { path in
      let gbt = try runJSON([
        "discretize", "--method", "gbt", "--alpha", "0.5", "--dt", "0.1", "--input", path, "--json",
      ])
      let bilinear = try runJSON(["discretize", "--method", "bilinear", "--dt", "0.1", "--input", path, "--json"])
      let gbtA = try realRows(gbt["Abar"], "Abar")
      let bilinearA = try realRows(bilinear["Abar"], "Abar")
      let gbtB = try #require(gbt["Bbar"]).realVector(path: "Bbar")
      let bilinearB = try #require(bilinear["Bbar"]).realVector(path: "Bbar")
      try #require(gbtA.count == 2 && bilinearA.count == 2 && gbtB.count == 2 && bilinearB.count == 2)
      // Both are the same α = ½ solve; allow only a last-bit difference.
      let tolerance = 1e-15
      for i in 0..<2 {
        for k in 0..<2 { #expect(isClose(gbtA[i][k], bilinearA[i][k], relative: tolerance), "Abar[\(i)][\(k)]") }
        #expect(isClose(gbtB[i], bilinearB[i], relative: tolerance), "Bbar[\(i)]")
      }
    }
    // 1 × 1: Ā = (1 + dt a/2)/(1 − dt a/2), B̄ = dt b/(1 − dt a/2).
    try withInputFile(#"{"A": [[-3]], "B": [[2]]}"#) { path in
      let document = try runJSON(["discretize", "--method", "bilinear", "--dt", "0.1", "--input", path, "--json"])
      let aBar = try realRows(document["Abar"], "Abar")
      let bBar = try #require(document["Bbar"]).realVector(path: "Bbar")
      // A 1 × 1 LU solve is one division: a couple of ulps.
      let tolerance = 1e-15
      #expect(isClose(aBar[0][0], 0.85 / 1.15, relative: tolerance))
      #expect(isClose(bBar[0], 0.2 / 1.15, relative: tolerance))
    }
  }

  @Test("discretize: complex input gives complex output")
  func discretizeComplex() throws {
    // A = [[-1 + 2i, 0.5], [0, -2]], B = [1, i].
    let system = #"{"A": [[[-1, 2], 0.5], [0, [-2, 0]]], "B": [1, [0, 1]]}"#
    try withInputFile(system) { path in
      let document = try runJSON(["discretize", "--method", "bilinear", "--dt", "0.1", "--input", path, "--json"])
      guard case .array(let rows)? = document["Abar"], case .array(let bBarEntries)? = document["Bbar"] else {
        Issue.record("Abar/Bbar missing")
        return
      }
      #expect(rows.count == 2)
      for row in rows {
        guard case .array(let entries) = row else {
          Issue.record("row is not an array")
          continue
        }
        #expect(entries.count == 2 && entries.allSatisfy(isComplexEncoded))
      }
      #expect(bBarEntries.count == 2 && bBarEntries.allSatisfy(isComplexEncoded))

      // The (0, 0) entry of an upper-triangular system is the scalar bilinear map of λ = −1 + 2i.
      let aBar = try complexRows(document["Abar"], "Abar")
      let lambda = Complex<Double>(-1, 2)
      let half = Complex<Double>(0.05, 0)
      let expected = (Complex(1, 0) + half * lambda) / (Complex(1, 0) - half * lambda)
      // A 2 × 2 triangular solve: a few ulps of O(1) quantities.
      let tolerance = 1e-14
      #expect((aBar[0][0] - expected).length <= tolerance, "Abar[0][0] = \(aBar[0][0]), expected \(expected)")
      #expect(aBar[1][0].length <= tolerance)
    }
  }

  // MARK: approximate

  @Test("approximate legt reconstructs a smooth signal over the last window")
  func approximateLegT() throws {
    let dt = 0.001
    let signal = (0..<1500).map { k -> Double in
      let t = Double(k) * dt
      return Double.sin(2 * .pi * 0.7 * t) + 0.5 * Double.cos(2 * .pi * 1.9 * t + 0.3)
    }
    let input = JSONValue.object([("signal", .realVector(signal))]).serialized
    try withInputFile(input) { path in
      let document = try runJSON([
        "approximate", "legt", "--state-size", "32", "--method", "bilinear", "--theta", "1", "--dt", "0.001",
        "--input", path, "--json",
      ])
      let reconstruction = try #require(document["reconstruction"]).realVector(path: "reconstruction")
      let state = try #require(document["state"]).realVector(path: "state")
      let mse = try #require(document["mse"]).realScalar(path: "mse")
      // Samples j with age (1500 − j − ½)·dt < θ = 1: the last 1000.
      #expect(reconstruction.count == 1000)
      #expect(state.count == 32)
      // Degree-31 Legendre fits of two slow sines are exact to ~1e-15; bilinear's O(dt²) error
      // leaves an mse of ~3e-9, so 1e-6 catches any real defect with a wide margin.
      let mseTolerance = 1e-6
      #expect(mse >= 0 && mse < mseTolerance, "mse = \(mse)")
      // The reported mse is the mean of the printed squared errors; a sum of 1000 non-negative terms
      // in any order agrees to ~1000·eps/2 ≈ 1e-13 relative.
      let consistencyTolerance = 1e-12
      let target = Array(signal.suffix(1000))
      let recomputed = zip(reconstruction, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 1000
      #expect(abs(recomputed - mse) <= consistencyTolerance * mse, "recomputed \(recomputed) vs \(mse)")
    }
  }

  // MARK: Bad input

  @Test(
    "bad input: one error line, non-zero exit, no crash",
    arguments: BadInput.all + BadInput.overflowAndNegativeSize + KernelCommandTests.badInputs
      + TrainCommandTests.badInputs + GenerateCommandTests.badInputs + CompareCommandTests.badInputs
      + ScoreCommandTests.badInputs)
  func badInput(_ input: BadInput) throws {
    let result = try input.execute()
    #expect(result.status != 0, "exit status")
    #expect(result.reason == .exit, "terminated by signal \(result.status)")
    #expect(result.stdout.isEmpty, "stdout: \(result.stdout.prefix(200))")
    #expect(result.stderr.hasPrefix("ssm: error:"), "stderr: \(result.stderr.prefix(300))")
    #expect(result.stderr.hasSuffix("\n"))
    #expect(
      result.stderr.dropLast().allSatisfy { !$0.isNewline },
      "stderr has more than one line: \(result.stderr.prefix(300))")
    #expect(result.stderr.count > "ssm: error: \n".count, "the error line says something")
  }
}

// MARK: - Bad input cases

/// One invalid invocation. `"@input"` in the arguments is replaced by the path
/// of a temporary file holding `file` (or of a file that does not exist when
/// `file` is `nil`).
struct BadInput: Sendable, CustomTestStringConvertible {
  let name: String
  let arguments: [String]
  let file: String?

  init(_ name: String, _ arguments: [String], file: String? = nil) {
    self.name = name
    self.arguments = arguments
    self.file = file
  }

  var testDescription: String { name }

  func execute() throws -> (
    status: Int32, reason: Process.TerminationReason, stdout: String, stderr: String
  ) {
    guard arguments.contains("@input") else { return try run(arguments) }
    guard let file else {
      let missing = temporaryURL("missing", extension: "json").path
      return try run(arguments.map { $0 == "@input" ? missing : $0 })
    }
    return try withInputFile(file) { path in
      try run(arguments.map { $0 == "@input" ? path : $0 })
    }
  }

  static let goodSystem = #"{"A": [[-1, 0.5], [0.25, -2]], "B": [1, -0.5]}"#

  static func discretize(_ dt: String, method: [String] = ["--method", "bilinear"]) -> [String] {
    ["discretize"] + method + ["--dt", dt, "--input", "@input"]
  }

  static let all: [BadInput] = [
    BadInput("unknown measure", ["hippo", "foo", "--state-size", "4"]),
    BadInput("state size 0", ["hippo", "legs", "--state-size", "0"]),
    BadInput("state size -3 (read as a missing value)", ["hippo", "legs", "--state-size", "-3"]),
    BadInput("state size =-3", ["hippo", "legs", "--state-size=-3"]),
    BadInput("missing state size", ["hippo", "legs"]),
    BadInput("state size not a number", ["hippo", "legs", "--state-size", "four"]),
    BadInput("odd N for dplr", ["dplr", "legs", "--state-size", "5"]),
    BadInput("odd N for s4d-init lin", ["s4d-init", "lin", "--state-size", "7"]),
    BadInput("odd N for fout", ["hippo", "fout", "--state-size", "5"]),
    BadInput("theta 0 for legt", ["hippo", "legt", "--state-size", "4", "--theta", "0"]),
    BadInput("theta nan for legt", ["hippo", "legt", "--state-size", "4", "--theta", "nan"]),
    BadInput("theta on legs", ["hippo", "legs", "--state-size", "4", "--theta", "2"]),
    BadInput("beta on legs", ["hippo", "legs", "--state-size", "4", "--beta", "2"]),
    BadInput("dplr lmu", ["dplr", "lmu", "--state-size", "4"]),
    BadInput("hippo lmu --rank 1", ["hippo", "lmu", "--state-size", "4", "--rank", "1"]),
    BadInput("hippo legt --rank 1 (natural rank 2)", ["hippo", "legt", "--state-size", "4", "--rank", "1"]),
    BadInput("hippo legs --rank 0", ["hippo", "legs", "--state-size", "4", "--rank", "0"]),
    BadInput("unknown subcommand", ["frobnicate"]),
    BadInput("discretize dt 0", discretize("0"), file: goodSystem),
    BadInput("discretize dt -1 (read as a missing value)", discretize("-1"), file: goodSystem),
    BadInput(
      "discretize dt=-1", ["discretize", "--method", "bilinear", "--dt=-1", "--input", "@input"], file: goodSystem),
    BadInput("discretize dt nan", discretize("nan"), file: goodSystem),
    BadInput("discretize dt inf", discretize("inf"), file: goodSystem),
    BadInput("non-square A", discretize("0.1"), file: #"{"A": [[1, 2, 3], [4, 5, 6]], "B": [1, 2]}"#),
    BadInput("B length mismatch", discretize("0.1"), file: #"{"A": [[1, 2], [3, 4]], "B": [1, 2, 3]}"#),
    BadInput("ragged A", discretize("0.1"), file: #"{"A": [[1, 2], [3]], "B": [1, 2]}"#),
    BadInput("unreadable JSON", discretize("0.1"), file: #"{"A": [[1,2],[3,4]]"#),
    BadInput("trailing garbage in file", discretize("0.1"), file: #"{"A": [[1]], "B": [1]} x"#),
    BadInput("empty file", discretize("0.1"), file: ""),
    BadInput("missing file", discretize("0.1"), file: nil),
    BadInput("NaN in A", discretize("0.1"), file: #"{"A": [[1, NaN], [3, 4]], "B": [1, 2]}"#),
    BadInput("document not an object", discretize("0.1"), file: "[1, 2]"),
    BadInput(
      "Infinity in signal",
      ["approximate", "legt", "--state-size", "4", "--method", "bilinear", "--input", "@input"],
      file: #"{"signal": [1, Infinity, 2]}"#),
    BadInput(
      "empty signal",
      ["approximate", "legs", "--state-size", "4", "--method", "bilinear", "--input", "@input"],
      file: #"{"signal": []}"#),
    BadInput(
      "theta on approximate legs",
      ["approximate", "legs", "--state-size", "4", "--method", "bilinear", "--theta", "1", "--input", "@input"],
      file: #"{"signal": [1, 2, 3]}"#),
    BadInput("unknown method", discretize("0.1", method: ["--method", "trapezoid"]), file: goodSystem),
    BadInput("gbt without alpha", discretize("0.1", method: ["--method", "gbt"]), file: goodSystem),
    BadInput("alpha without gbt", discretize("0.1", method: ["--method", "zoh", "--alpha", "0.5"]), file: goodSystem),
    BadInput("string where a number is expected", discretize("0.1"), file: #"{"A": [[1, "2"], [3, 4]], "B": [1, 2]}"#),
    BadInput("missing key B", discretize("0.1"), file: #"{"A": [[1, 2], [3, 4]]}"#),
    BadInput("3-element scalar", discretize("0.1"), file: #"{"A": [[1, [1, 2, 3]], [3, 4]], "B": [1, 2]}"#),
  ]

  /// Cases that trap today (see the report); kept as known issues.
  /// Inputs that once crashed the binary: a negative state size reaching an
  /// array allocation, and results that overflow to infinity.
  static let overflowAndNegativeSize: [BadInput] = [
    BadInput(
      "approximate --state-size=-1",
      ["approximate", "legs", "--state-size=-1", "--method", "bilinear", "--input", "@input"],
      file: #"{"signal": [1, 2, 3]}"#),
    // e^1000 overflows: the result is not finite, which is an error, not output.
    BadInput(
      "discretize zoh overflow",
      ["discretize", "--method", "zoh", "--dt", "1000", "--input", "@input", "--json"],
      file: #"{"A": [[1]], "B": [1]}"#),
    // The squared error of ±1e308 samples overflows to an infinite mse.
    BadInput(
      "approximate mse overflow",
      ["approximate", "legs", "--state-size", "4", "--method", "bilinear", "--input", "@input", "--json"],
      file: #"{"signal": [1e308, -1e308, 1e308]}"#),
  ]
}
