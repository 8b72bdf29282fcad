import Reinforcement
import SeededRandom
import Tasks
import Testing

@Suite struct AdditionTaskTests {
  @Test func promptAndAnswerByHand() throws {
    let task = try AdditionTask(digits: 2)
    // 47 + 85 = 132.
    #expect(try task.answer(to: [4, 7, 10, 8, 5, 11]) == [1, 3, 2])
    #expect(try AdditionTask(digits: 2, reversedAnswer: true).answer(to: [4, 7, 10, 8, 5, 11]) == [2, 3, 1])
    // 05 + 03 = 008: zero-padded operands and sum.
    #expect(try task.answer(to: [0, 5, 10, 0, 3, 11]) == [0, 0, 8])
    #expect(task.vocabulary == 12 && task.answerLength == 3)
  }

  @Test func drawnProblemsAddUp() throws {
    let task = try AdditionTask(digits: 3)
    var generator = SeededGenerator(seed: 5)
    for _ in 0..<200 {
      let problem = task.problem(using: &generator)
      let p = problem.prompt
      #expect(p.count == 8 && p[3] == AdditionTask.plus && p[7] == AdditionTask.equals)
      // The sum recomputed from the prompt's digits, independently of the task's code.
      let a = p[0] * 100 + p[1] * 10 + p[2]
      let b = p[4] * 100 + p[5] * 10 + p[6]
      let sum = a + b
      #expect(problem.answer == [sum / 1000, sum / 100 % 10, sum / 10 % 10, sum % 10])
      #expect(try task.answer(to: p) == problem.answer)
    }
  }

  @Test func splitsAreDisjointOwnedAndReproducible() throws {
    let task = try AdditionTask(digits: 2)
    var prompts: [Split: Set<[Int]>] = [:]
    for split in Split.allCases {
      let problems = try task.problems(100, split: split, index: 0, seed: 7)
      #expect(problems == (try task.problems(100, split: split, index: 0, seed: 7)))
      #expect(problems != (try task.problems(100, split: split, index: 1, seed: 7)))
      for problem in problems {
        #expect(Split.owning(hash: Split.contentHash(tokens: problem.prompt)) == split)
      }
      prompts[split] = Set(problems.map(\.prompt))
    }
    #expect(prompts[.train]!.isDisjoint(with: prompts[.test]!))
    #expect(prompts[.train]!.isDisjoint(with: prompts[.validation]!))
    #expect(prompts[.validation]!.isDisjoint(with: prompts[.test]!))
  }

  @Test func badInputThrows() throws {
    #expect(throws: ReinforcementError.self) { try AdditionTask(digits: 0) }
    #expect(throws: ReinforcementError.self) { try AdditionTask(digits: 19) }
    let task = try AdditionTask(digits: 2)
    #expect(throws: ReinforcementError.self) { try task.answer(to: [4, 7, 11, 8, 5, 10]) }
    #expect(throws: ReinforcementError.self) { try task.answer(to: [4, 7, 10, 8, 5]) }
    #expect(throws: ReinforcementError.self) { try task.problems(0, split: .train, index: 0, seed: 0) }
    #expect(throws: ReinforcementError.self) { try task.problems(1, split: .train, index: -1, seed: 0) }
  }

  @Test func rewardsByHand() throws {
    let task = try AdditionTask(digits: 2)
    let prompt = [4, 7, 10, 8, 5, 11]
    let exact = ExactMatchReward(task: task, stopToken: AdditionTask.equals)
    #expect(try exact.reward(prompt: prompt, completion: [1, 3, 2]) == 1)
    #expect(try exact.reward(prompt: prompt, completion: [1, 3, 2, 11]) == 1)
    #expect(try exact.reward(prompt: prompt, completion: [1, 3, 3]) == 0)
    #expect(try exact.reward(prompt: prompt, completion: [1, 3]) == 0)
    let accuracy = TokenAccuracyReward(task: task)
    #expect(try accuracy.reward(prompt: prompt, completion: [1, 3, 2]) == 1)
    #expect(try accuracy.reward(prompt: prompt, completion: [1, 0, 2]) == 2.0 / 3)
    #expect(try accuracy.reward(prompt: prompt, completion: [1, 3]) == 2.0 / 3)
    #expect(try accuracy.reward(prompt: prompt, completion: [1, 3, 2, 5]) == 3.0 / 4)
    #expect(try accuracy.reward(prompt: prompt, completion: [2, 3, 1]) == 1.0 / 3)
  }
}
