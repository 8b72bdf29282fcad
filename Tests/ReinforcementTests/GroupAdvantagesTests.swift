import Foundation
import Reinforcement
import Testing

@Suite struct GroupAdvantagesTests {
  @Test func besselCorrectedByHand() throws {
    // Mean 1/2, Bessel variance 4·(1/4)/3 = 1/3: A = ±(1/2)/(√(1/3) + 10⁻⁴) = ±0.86588 (python3).
    let advantages = try GroupAdvantages(rewards: [1, 0, 0, 1], groupSize: 4)
    let golden = 0.8658754297607016
    for (value, sign) in zip(advantages.values, [1.0, -1, -1, 1]) {
      #expect(abs(value - sign * golden) < 1e-12)  // float64 rounding of a few operations
    }
    #expect(advantages.zeroStandardDeviationFraction == 0)
  }

  @Test func groupsAreIndependentAndDrGRPOOnlyCentres() throws {
    // Group 2 golden from python3: mean 8/15, Bessel std √(0.1233…) for [0.2, 0.5, 0.9].
    let advantages = try GroupAdvantages(rewards: [1, 0, 1, 0.2, 0.5, 0.9], groupSize: 3)
    let golden = [-0.9488878024190774, -0.09488878024190772, 1.0437765826609853]
    for (value, expected) in zip(advantages.values[3...], golden) { #expect(abs(value - expected) < 1e-12) }
    let centred = try GroupAdvantages(rewards: [1, 0, 1, 0.2, 0.5, 0.9], groupSize: 3, scaling: .none)
    let expectedCentred: [Double] = [1.0 / 3, -2.0 / 3, 1.0 / 3, -1.0 / 3, -1.0 / 30, 11.0 / 30]
    for (value, expected) in zip(centred.values, expectedCentred) {
      #expect(abs(value - expected) < 1e-12)
    }
  }

  @Test func zeroStandardDeviationGroupsGiveZerosAndAreCounted() throws {
    for scaling in AdvantageScaling.allCases {
      let advantages = try GroupAdvantages(
        rewards: [0.1, 0.1, 0.1, 1, 0, 1, 7, 7, 7, 2, 2, 2], groupSize: 3, scaling: scaling)
      #expect(advantages.values.allSatisfy { $0.isFinite })
      #expect(Array(advantages.values[0..<3]) == [0, 0, 0])
      #expect(Array(advantages.values[6...]) == [0, 0, 0, 0, 0, 0])
      #expect(advantages.zeroStandardDeviationFraction == 0.75)
    }
  }

  @Test func badInputThrows() {
    #expect(throws: ReinforcementError.self) { try GroupAdvantages(rewards: [1, 0], groupSize: 1) }
    #expect(throws: ReinforcementError.self) { try GroupAdvantages(rewards: [1, 0, 1], groupSize: 2) }
    #expect(throws: ReinforcementError.self) { try GroupAdvantages(rewards: [], groupSize: 2) }
    #expect(throws: ReinforcementError.self) { try GroupAdvantages(rewards: [1, .nan], groupSize: 2) }
  }
}
