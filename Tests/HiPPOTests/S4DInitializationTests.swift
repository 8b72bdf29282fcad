import HiPPO
import Numerics
import Testing

@Suite("S4D initialisations")
struct S4DInitializationTests {
  @Test func inverseGolden() throws {
    let system = try S4DInitialization.inv.system(stateSize: 8)
    // Golden imaginary parts from the issue, 6 decimals.
    for (lambda, expected) in zip(system.lambda, [17.825354, 4.244132, 1.527887, 0.363783]) {
      #expect(abs(lambda.imaginary - expected) <= 1e-6)
      #expect(lambda.real == -0.5)
    }
  }

  @Test func linearAndRealClosedForms() throws {
    let lin = try S4DInitialization.lin.system(stateSize: 10)
    for (n, lambda) in lin.lambda.enumerated() { #expect(lambda == Complex(-0.5, Double.pi * Double(n))) }
    let real = try S4DInitialization.real.system(stateSize: 6)
    #expect(real.lambda == [Complex(-1, 0), Complex(-2, 0), Complex(-3, 0)])
    #expect(real.b.allSatisfy { $0 == Complex(1, 0) })
  }

  @Test(arguments: [0, 1, 7, -2])
  func rejectsOddOrTinyStateSize(n: Int) {
    #expect(throws: HiPPOError.self) { _ = try S4DInitialization.lin.system(stateSize: n) }
  }
}
