import Foundation
import Reports

/// The markdown page a notebook writes beside its figures.
public struct NotebookPage {
  /// The page so far.
  public private(set) var markdown = ""
  /// The folder of the page and its figures.
  public let folder: URL

  /// A page for `folder`, created if missing.
  public init(folder: URL) throws {
    self.folder = folder
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  /// The output folder of a notebook: the first command-line argument, else `notebook-output/<name>`.
  public static func outputFolder(name: String) -> URL {
    URL(
      fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "notebook-output/\(name)",
      isDirectory: true)
  }

  /// Appends a paragraph.
  public mutating func text(_ paragraph: String) { markdown += paragraph + "\n\n" }

  /// Writes `svg` as `name` beside the page and embeds it with `caption` as its alternative text.
  public mutating func figure(_ name: String, svg: String, caption: String) throws {
    try writeAtomically(svg, to: folder.appendingPathComponent(name))
    markdown += "![\(caption)](\(name))\n\n*\(caption)*\n\n"
  }

  /// Appends a markdown table.
  public mutating func table(_ table: Table) { markdown += table.markdown() + "\n" }

  /// Writes the page as `README.md` in the folder and returns its URL.
  @discardableResult
  public func write() throws -> URL {
    let url = folder.appendingPathComponent("README.md")
    try writeAtomically(markdown, to: url)
    return url
  }
}
