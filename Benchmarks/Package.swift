// swift-tools-version:6.1
// The speed benchmarks of swift-ssm, a package of their own so that the root package never
// depends on ordo-one/benchmark: `swift build` / `swift test` at the root are unaffected.
//
// Run from this directory: `swift package --disable-sandbox benchmark` (see README.md).
import PackageDescription

let package = Package(
  name: "swift-ssm-benchmarks",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "swift-ssm", path: ".."),
    // Only the malloc interposer trait: the default set also enables RuntimeInterposer, whose package is not
    // needed for wall-clock and throughput metrics.
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    // The plugin finds benchmark targets by their folder: `Benchmarks/<target name>`.
    .executableTarget(
      name: "S4Benchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "S4", package: "swift-ssm"),
        .product(name: "FFT", package: "swift-ssm"),
        .product(name: "SeededRandom", package: "swift-ssm"),
      ],
      path: "Benchmarks/S4Benchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
)
