import Foundation
import Testing

/// Runs the programs in `Examples/` as users would and checks what they print, so the code the
/// README shows keeps compiling and keeps working. `swift build --build-tests` (and `make test`)
/// builds them next to the test bundle.
@Suite(.timeLimit(.minutes(1)))
struct ExamplesTests {
    @Test func theCustomStrategyExampleRunsItsTaskWithBothStrategies() async throws {
        let run = try await Self.run("custom-strategy-example")
        #expect(run.status == 0, "exit status \(run.status); printed:\n\(run.output)")
        let lines = run.output.split(separator: "\n").map(String.init)

        // The closure strategy scored the two canned answers, and its `score` key filled the output.
        #expect(lines.contains("score: 2"))
        // The strategy type read that output, raised an alert and counted it.
        #expect(lines.contains(#"result: {"alert":true,"alertsRaised":1,"message":"BTC is above 60000 at 64000"}"#))
        #expect(lines.contains("status: completed"))

        // The event subscription saw both phases, in dependency order, and every step.
        let sentimentDone = lines.firstIndex(of: "event phase:complete Sentiment completed")
        let alertStart = lines.firstIndex(of: "event phase:start Alert ")
        #expect(sentimentDone != nil && alertStart != nil && sentimentDone ?? 0 < alertStart ?? 0)
        #expect(lines.filter { $0.hasPrefix("event step:complete Sentiment step ") }.count == 3)
        #expect(lines.contains("event step:complete Alert step 0 completed"))
    }

    /// Runs the example executable `name` from the build products and waits for it to exit.
    static func run(_ name: String) async throws -> (status: Int32, output: String) {
        let executable = try #require(
            productsDirectory?.appendingPathComponent(name),
            "cannot find the build products directory")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "\(executable.path) is missing: build it with `swift build --build-tests`")
        let process = Process()
        process.executableURL = executable
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        // The output is far smaller than a pipe's buffer, so the child never waits for a reader.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = try pipe.fileHandleForReading.readToEnd() ?? Data()
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// Where SwiftPM puts executables: next to the test bundle.
    static var productsDirectory: URL? {
        #if os(macOS)
            Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL.deletingLastPathComponent()
        #else
            Bundle.main.bundleURL
        #endif
    }
}
