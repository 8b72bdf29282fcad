import Reports
import Testing

@Suite("Table")
struct TableTests {
  @Test("markdown: header, alignment row, padded cells")
  func markdown() throws {
    let table = try Table(
      headers: ["model", "accuracy", "note"], alignments: [.left, .right, .center],
      rows: [["S4D", "0.995", "ok"], ["GRU", "0.5"]])
    let expected = """
      | model | accuracy | note |
      | :---- | -------: | :--: |
      | S4D   |    0.995 |  ok  |
      | GRU   |      0.5 |      |

      """
    #expect(table.markdown() == expected)
  }

  @Test("markdown escapes pipes and flattens line breaks")
  func markdownEscaping() throws {
    let table = try Table(headers: ["a|b", "c"], rows: [["x | y", "two\nlines"]])
    let lines = table.markdown().split(separator: "\n").map(String.init)
    #expect(lines[0] == "| a\\|b   | c         |")
    #expect(lines[2] == "| x \\| y | two lines |")
    // Every row has exactly as many unescaped pipes as the header row.
    func unescapedPipes(_ line: String) -> Int {
      var count = 0
      var previous: Character = " "
      for character in line {
        if character == "|" && previous != "\\" { count += 1 }
        previous = character
      }
      return count
    }
    #expect(Set(lines.map(unescapedPipes)) == [3])
  }

  @Test("plain text aligns columns by characters, including ± and ×")
  func plainText() throws {
    let table = try Table(
      headers: ["model", "accuracy", "shape"], alignments: [.left, .right, .left],
      rows: [["S4D", "0.995 ± 0.002", "4×256"], ["Transformer", "0.51 ± 0.1", "n/a"], ["é", "1", "×"]])
    let expected = """
      model             accuracy  shape
      -----------  -------------  -----
      S4D          0.995 ± 0.002  4×256
      Transformer     0.51 ± 0.1  n/a
      é                        1  ×

      """
    #expect(table.plainText() == expected)
    // The right-aligned column ends at the same character offset (25) on every line, followed by the gap.
    for line in table.plainText().split(separator: "\n").map(Array.init) {
      #expect(line.count > 27 && line[25] != " " && line[26] == " " && line[27] == " ", "\(String(line))")
    }
  }

  @Test("too many cells is an error; missing cells render empty")
  func shape() throws {
    #expect(throws: ReportError.tooManyCells(row: 0, cells: 3, columns: 2)) {
      try Table(headers: ["a", "b"], rows: [["1", "2", "3"]])
    }
    var table = try Table(headers: ["a", "b"])
    try table.append(["1"])
    #expect(throws: ReportError.tooManyCells(row: 1, cells: 3, columns: 2)) { try table.append(["1", "2", "3"]) }
    #expect(table.rows.count == 1)
    #expect(table.plainText() == "a  b\n-  -\n1\n")
    #expect(try Table(headers: []).markdown() == "")
  }
}
