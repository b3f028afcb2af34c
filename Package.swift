// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "taskrun",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TaskrunCore", targets: ["TaskrunCore"]),
        .library(name: "TaskrunExecution", targets: ["TaskrunExecution"]),
        .library(name: "TaskrunAgents", targets: ["TaskrunAgents"]),
        .library(name: "TaskrunStorage", targets: ["TaskrunStorage"]),
        .executable(name: "taskrun", targets: ["taskrun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The two C libraries, each wrapped exactly once by a small Swift layer.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"]), .brew(["cmark"])]
        ),
        .target(name: "TaskrunYAML", dependencies: ["CLibYAML"]),
        // cmark's nodes and buffers of one parse, allocated in one arena (see CCmarkArena.h).
        .target(name: "CCmarkArena", dependencies: ["CCmark"]),
        .target(name: "TaskrunMarkdown", dependencies: ["CCmark", "CCmarkArena"]),

        // Model, parsing, validation and the phase graph. Never depends on execution.
        .target(
            name: "TaskrunCore",
            dependencies: [
                "TaskrunYAML",
                "TaskrunMarkdown",
            ]
        ),
        // The executor: scheduling, step strategies, retries, timeouts, events.
        .target(
            name: "TaskrunExecution",
            dependencies: [
                "TaskrunCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // Agent definitions and the offline, OpenAI-compatible and command backends.
        .target(
            name: "TaskrunAgents",
            dependencies: [
                "TaskrunCore",
                "TaskrunExecution",
                "TaskrunYAML",
                "TaskrunMarkdown",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Durable history: executions, phase results, checkpoints and events in SQLite.
        .target(
            name: "TaskrunStorage",
            dependencies: [
                "TaskrunCore",
                "TaskrunExecution",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API (busy timeout of one attempt), which `import GRDB` does not re-export.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The command-line interface as a library, so tests can drive commands in-process.
        .target(
            name: "TaskrunCLI",
            dependencies: [
                "TaskrunCore",
                "TaskrunExecution",
                "TaskrunAgents",
                "TaskrunStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "taskrun", dependencies: ["TaskrunCLI"]),
        // `make bench`: the benchmark suite (Docs/performance.md). The C modules are its measurement floor.
        .executableTarget(
            name: "taskrun-bench",
            dependencies: [
                "TaskrunCore", "TaskrunExecution", "TaskrunStorage", "CCmark", "CCmarkArena", "CLibYAML",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/taskrun-bench"
        ),
        // What users copy: a custom step strategy registered in Swift (run by ExamplesTests).
        .executableTarget(
            name: "custom-strategy-example",
            dependencies: ["TaskrunCore", "TaskrunExecution"],
            path: "Examples/CustomStrategy"
        ),

        // Fixtures are read through #filePath, not bundled as resources.
        .testTarget(
            name: "TaskrunCoreTests", dependencies: ["TaskrunCore", "CCmark", "CCmarkArena"], exclude: ["Fixtures"]),
        // A manual clock and other helpers the test targets share (a library, never shipped).
        .target(name: "TaskrunTestSupport", path: "Tests/TaskrunTestSupport"),
        .testTarget(name: "TaskrunExecutionTests", dependencies: ["TaskrunExecution", "TaskrunTestSupport"]),
        .testTarget(name: "TaskrunCLITests", dependencies: ["TaskrunCLI"]),
        .testTarget(name: "TaskrunAgentsTests", dependencies: ["TaskrunAgents", "TaskrunTestSupport"]),
        .testTarget(
            name: "TaskrunStorageTests",
            dependencies: ["TaskrunStorage", "TaskrunCLI", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "TaskrunBenchTests", dependencies: ["taskrun-bench", "TaskrunCore"], path: "Benchmarks/Tests"),
    ]
)
