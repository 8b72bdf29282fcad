import Foundation
import Reports
import TestSupport
import Testing

@Suite("writeAtomically")
struct AtomicWriteTests {
  @Test("writes the full contents and leaves no temporary file")
  func write() throws {
    let directory = try makeTemporaryDirectory("reports-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("report.md")
    let text = String(repeating: "| S4D | 0.995 ± 0.002 |\n", count: 10_000)
    try writeAtomically(text, to: file)
    #expect(try String(contentsOf: file, encoding: .utf8) == text)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.md"])
  }

  @Test("overwrites an existing file, also with shorter contents")
  func overwrite() throws {
    let directory = try makeTemporaryDirectory("reports-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("chart.svg")
    try writeAtomically(String(repeating: "old ", count: 1000), to: file)
    try writeAtomically("new", to: file)
    #expect(try String(contentsOf: file, encoding: .utf8) == "new")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["chart.svg"])
  }

  @Test("a missing directory is a ReportError naming the file")
  func missingDirectory() throws {
    let directory = try makeTemporaryDirectory("reports-tests")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("absent/report.md")
    let error = #expect(throws: ReportError.self) { try writeAtomically("x", to: file) }
    #expect(error?.description.contains("absent/report.md") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }
}
