// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "swift-ssm",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
    .library(name: "HiPPO", targets: ["HiPPO"]),
    .library(name: "SeededRandom", targets: ["SeededRandom"]),
    .library(name: "Signals", targets: ["Signals"]),
    .library(name: "Platform", targets: ["Platform"]),
    .library(name: "SSMJSON", targets: ["SSMJSON"]),
    .library(name: "FFT", targets: ["FFT"]),
    .library(name: "S4", targets: ["S4"]),
    .library(name: "Autodiff", targets: ["Autodiff"]),
    .library(name: "LayerOperations", targets: ["LayerOperations"]),
    .library(name: "Training", targets: ["Training"]),
    .library(name: "Models", targets: ["Models"]),
    .library(name: "Tasks", targets: ["Tasks"]),
    .library(name: "Checkpoint", targets: ["Checkpoint"]),
    .library(name: "Constraints", targets: ["Constraints"]),
    .library(name: "Generation", targets: ["Generation"]),
    .library(name: "Serving", targets: ["Serving"]),
    .library(name: "ServingHTTP", targets: ["ServingHTTP"]),
    .library(name: "Reports", targets: ["Reports"]),
    .library(name: "Comparison", targets: ["Comparison"]),
    .library(name: "Reinforcement", targets: ["Reinforcement"]),
    .library(name: "MessagePassing", targets: ["MessagePassing"]),
    .executable(name: "ssm", targets: ["ssm"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // Documentation only (`make docs`); a command plugin, never linked into the products.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    // `ssm serve`'s HTTP server (ServingHTTP only; the Serving library stays free of NIO).
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
  ],
  targets: [
    // System libraries: module maps only (headers and link flags), no Swift code.
    .systemLibrary(name: "CFFTW", providers: [.apt(["libfftw3-dev"])]),
    .systemLibrary(name: "CLAPACKE", providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),
    .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CMalloc"),
    .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

    .target(
      name: "SeededRandom",
      dependencies: [.product(name: "Numerics", package: "swift-numerics")]),
    .target(
      name: "LinearAlgebra",
      dependencies: [
        "CLAPACKE", "CBLAS",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .target(name: "Signals", dependencies: ["SeededRandom"]),
    .target(
      name: "HiPPO",
      dependencies: ["LinearAlgebra", .product(name: "Numerics", package: "swift-numerics")]),
    .target(name: "Parallelism"),
    // Process-wide settings of the system libraries: OpenBLAS's kernel selection and thread count.
    .target(name: "Platform", dependencies: ["CBLAS"]),
    .target(
      name: "FFT",
      dependencies: ["CFFTW", "Parallelism", .product(name: "Numerics", package: "swift-numerics")]),
    .target(
      name: "S4",
      dependencies: [
        "FFT", "HiPPO", "LinearAlgebra", "Parallelism", "SeededRandom",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    // The tensor/tape core: no FFTW, LAPACK or state space code below the layer operations.
    .target(
      name: "Autodiff",
      dependencies: [
        "CBLAS", "Parallelism", "Platform", "SeededRandom", .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .target(
      name: "LayerOperations",
      dependencies: [
        "Autodiff", "CBLAS", "FFT", "Parallelism", "Platform", "S4",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .target(
      name: "Training", dependencies: ["Autodiff", "Checkpoint", "Models", "Tasks", "SeededRandom"]),
    .target(
      name: "Models",
      dependencies: [
        "Autodiff", "HiPPO", "LayerOperations", "S4", "SeededRandom",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .target(name: "Tasks", dependencies: ["SeededRandom", "Signals"]),
    // Regular expressions and JSON Schema → byte automata → token indexes; nothing model-specific.
    .target(name: "Constraints", dependencies: ["SSMJSON", "SeededRandom"]),
    .target(name: "Generation", dependencies: ["Constraints", "Models", "Autodiff", "SeededRandom"]),
    // The batching engine, arrivals and load statistics; the HTTP server is a separate target.
    .target(name: "Serving", dependencies: ["Generation", "Models", "SeededRandom"]),
    // The OpenAI-compatible completions API over a BatchingEngine, on Hummingbird.
    .target(
      name: "ServingHTTP",
      dependencies: [
        "Serving", "Generation", "Models", "SSMJSON", .product(name: "Hummingbird", package: "hummingbird"),
      ]),
    .target(name: "Reports"),
    .target(
      name: "Reinforcement", dependencies: ["Autodiff", "Generation", "Models", "SeededRandom", "Tasks", "Training"]),
    .target(
      name: "Comparison", dependencies: ["Models", "Training", "Tasks", "Reports", "SeededRandom", "Parallelism"]),
    .target(
      name: "SSMJSON",
      dependencies: [.product(name: "Numerics", package: "swift-numerics")]),
    .target(name: "Checkpoint", dependencies: ["SSMJSON"]),
    // Data-parallel training over MPI: the processes of an `mpirun` job and their fixed-order gradient sum.
    .target(name: "MessagePassing", dependencies: ["CMPI", "Training"]),
    .executableTarget(
      name: "ssm",
      dependencies: [
        "HiPPO", "LinearAlgebra", "SSMJSON", "SeededRandom", "FFT", "S4", "Parallelism", "Platform", "Training",
        "Models", "Constraints", "Generation", "Comparison", "Signals", "Tasks", "CFFTW", "MessagePassing",
        "Autodiff", "LayerOperations", "Reinforcement", "Reports", "Checkpoint",
        "Serving", "ServingHTTP",
        .target(name: "CMalloc", condition: .when(platforms: [.linux])),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Numerics", package: "swift-numerics"),
      ]),

    // Notebooks (Notebooks/README.md): runnable scripts that regenerate their figures and page.
    .target(
      name: "NotebookSupport",
      dependencies: ["Autodiff", "Generation", "Models", "Platform", "Reports", "SeededRandom", "Tasks"],
      path: "Notebooks/Support"),
    .executableTarget(
      name: "notebook-hippo-operators",
      dependencies: [
        "HiPPO", "LinearAlgebra", "Platform", "NotebookSupport", "Reports",
        .product(name: "Numerics", package: "swift-numerics"),
      ],
      path: "Notebooks/HiPPOOperators"),
    .executableTarget(
      name: "notebook-function-approximation",
      dependencies: ["HiPPO", "Platform", "NotebookSupport", "Reports", "Signals"],
      path: "Notebooks/FunctionApproximation"),
    .executableTarget(
      name: "notebook-s4-kernels",
      dependencies: [
        "FFT", "HiPPO", "Platform", "NotebookSupport", "S4", "Reports", "SeededRandom", "Signals",
        .product(name: "Numerics", package: "swift-numerics"),
      ],
      path: "Notebooks/S4Kernels"),
    .executableTarget(
      name: "notebook-long-range-memory",
      dependencies: ["Comparison", "Platform", "NotebookSupport", "Reports", "Tasks", "Training"],
      path: "Notebooks/LongRangeMemory"),
    .executableTarget(
      name: "notebook-generation-cost",
      dependencies: ["Models", "Platform", "NotebookSupport", "Reports", "SeededRandom"],
      path: "Notebooks/GenerationCost"),
    .executableTarget(
      name: "notebook-language-modelling",
      dependencies: [
        "Comparison", "Generation", "Models", "Autodiff", "NotebookSupport", "Platform", "Reports", "SeededRandom",
        "Tasks",
        "Training",
      ],
      path: "Notebooks/LanguageModelling"),
    .executableTarget(
      name: "notebook-structured-generation",
      dependencies: [
        "Autodiff", "Constraints", "Generation", "Models", "NotebookSupport", "Platform", "Reports", "Tasks",
        "Training",
      ],
      path: "Notebooks/StructuredGeneration"),
    .executableTarget(
      name: "notebook-rl-fine-tuning",
      dependencies: [
        "Autodiff", "Generation", "Models", "NotebookSupport", "Platform", "Reinforcement", "Reports", "Training",
      ],
      path: "Notebooks/RLFineTuning"),
    .executableTarget(
      name: "notebook-speculative-decoding",
      dependencies: [
        "Autodiff", "Generation", "Models", "NotebookSupport", "Platform", "Reports", "SeededRandom", "Tasks",
        "Training",
      ],
      path: "Notebooks/SpeculativeDecoding"),
    .executableTarget(
      name: "notebook-multi-token-heads",
      dependencies: [
        "Autodiff", "Generation", "Models", "NotebookSupport", "Platform", "Reports", "SeededRandom", "Tasks",
        "Training",
      ],
      path: "Notebooks/MultiTokenHeads"),

    // Helpers shared by the test targets, one target per layer so that a test target sees only the modules it
    // tests: numbers, tokens, references and temporary paths; tensors, step-vs-forward and gradient checks of
    // models; training runs.
    .target(name: "TestSupport", dependencies: ["SeededRandom"], path: "Tests/TestSupport"),
    .target(
      name: "ModelTestSupport", dependencies: ["Autodiff", "Models", "SeededRandom"], path: "Tests/ModelTestSupport"),
    .target(name: "TrainingTestSupport", dependencies: ["Training"], path: "Tests/TrainingTestSupport"),

    .testTarget(
      name: "LinearAlgebraTests",
      dependencies: ["LinearAlgebra", "CFFTW", "SeededRandom", .product(name: "Numerics", package: "swift-numerics")]),
    .testTarget(
      name: "HiPPOTests",
      dependencies: [
        "HiPPO", "LinearAlgebra", "SeededRandom", "Signals", .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .testTarget(name: "SignalsTests", dependencies: ["Signals", "SeededRandom"]),
    .testTarget(
      name: "SSMJSONTests",
      dependencies: ["SSMJSON", "SeededRandom", .product(name: "Numerics", package: "swift-numerics")]),
    .testTarget(
      name: "FFTTests",
      dependencies: ["FFT", "TestSupport", .product(name: "Numerics", package: "swift-numerics")]),
    .testTarget(
      name: "S4Tests",
      dependencies: [
        "S4", "FFT", "HiPPO", "LinearAlgebra", "SeededRandom", "TestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .testTarget(
      name: "AutodiffTests", dependencies: ["Autodiff", "SeededRandom", "ModelTestSupport", "TestSupport"]),
    .testTarget(
      name: "LayerOperationsTests",
      dependencies: [
        "Autodiff", "LayerOperations", "S4", "ModelTestSupport", "SeededRandom",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .testTarget(
      name: "TrainingTests",
      dependencies: [
        "Training", "Autodiff", "Models", "Tasks", "Checkpoint", "SeededRandom", "ModelTestSupport", "TestSupport",
        "TrainingTestSupport",
      ]),
    .testTarget(
      name: "ModelTests",
      dependencies: [
        "Models", "Tasks", "Training", "Autodiff", "LayerOperations", "Checkpoint", "SeededRandom", "HiPPO", "S4",
        "LinearAlgebra", "ModelTestSupport", "TestSupport", "TrainingTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]),
    .testTarget(name: "ConstraintsTests", dependencies: ["Constraints", "SSMJSON", "SeededRandom", "TestSupport"]),
    .testTarget(
      name: "GenerationTests",
      dependencies: ["Generation", "Constraints", "Models", "Autodiff", "SeededRandom", "TestSupport"]),
    .testTarget(
      name: "ServingTests", dependencies: ["Serving", "Generation", "Models", "SeededRandom", "TestSupport"]),
    .testTarget(
      name: "ServingHTTPTests",
      dependencies: ["ServingHTTP", "Serving", "Generation", "Models", "SSMJSON", "SeededRandom", "TestSupport"]),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "TestSupport"]),
    .testTarget(
      name: "ReinforcementTests",
      dependencies: [
        "Reinforcement", "Autodiff", "Models", "SeededRandom", "Tasks", "Training", "ModelTestSupport",
        "TestSupport", "TrainingTestSupport",
      ]),
    .testTarget(
      name: "ComparisonTests",
      dependencies: ["Comparison", "Training", "Tasks", "Models", "Reports", "TestSupport", "TrainingTestSupport"]),
    .testTarget(name: "TasksTests", dependencies: ["Tasks", "SeededRandom", "TestSupport"]),
    .testTarget(
      name: "CheckpointTests", dependencies: ["Checkpoint", "SeededRandom", "TestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "CommandLineTests",
      dependencies: [
        "ssm", "SSMJSON", "Checkpoint", "Models", "Training", "TestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ],
      // Checkpoints of earlier revisions, read from the source tree (LegacyCheckpointTests).
      exclude: ["Fixtures"]),
  ]
)
