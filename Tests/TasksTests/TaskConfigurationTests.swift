import Tasks
import Testing

@Suite("Task configurations")
struct TaskConfigurationTests {
  // Copying's parameters are stored with Arjovsky et al.'s defaults (10 tokens over 8 symbols) filled in, and
  // build the task with `delay = length − 2·count`, the same task as its memberwise initialiser.
  @Test func copyingParametersBuildTheTask() throws {
    #expect(TaskConfiguration(.copying, length: 40) == TaskConfiguration(.copying, length: 40, count: 10, alphabet: 8))
    let task = try TaskConfiguration(.copying, length: 24, count: 4, alphabet: 3).make()
    #expect(try task as? CopyingTask == CopyingTask(count: 4, delay: 16, alphabet: 3))
    #expect(throws: TaskError.lengthTooSmall(task: .copying, length: 7, minimum: 8)) {
      try TaskConfiguration(.copying, length: 7, count: 4).make()
    }
  }

  // Without parameters, every task but text (which needs the fortunes corpus) is the suite's default
  // shape at the length: the same formats and the same instances.
  @Test(arguments: TaskName.allCases.filter { $0 != .text })
  func defaultsAreTheSuiteShape(name: TaskName) throws {
    let task = try TaskConfiguration(name, length: 64).make()
    let suite = try name.make(length: 64)
    #expect(task.name == name && task.length == 64)
    #expect(task.input == suite.input && task.output == suite.output)
    #expect(try task.batch(3, split: .train, index: 1, seed: 5) == suite.batch(3, split: .train, index: 1, seed: 5))
  }

  // A parameter given to a task that does not read it is refused, naming the parameter and the task.
  @Test func parametersOfOtherTasksAreRefused() {
    let misplaced = [
      TaskConfiguration(.adding, length: 32, count: 4), TaskConfiguration(.selectiveCopying, length: 64, alphabet: 4),
      TaskConfiguration(.copying, length: 32, corpus: "/tmp"), TaskConfiguration(.delay, length: 32, corpus: "/tmp"),
    ]
    for configuration in misplaced {
      #expect {
        try configuration.make()
      } throws: { error in
        guard case TaskError.invalidParameter(let detail) = error else { return false }
        return detail.contains(configuration.name.rawValue)
      }
    }
  }
}
