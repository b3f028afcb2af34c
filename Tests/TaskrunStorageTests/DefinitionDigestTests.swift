import Foundation
import TaskrunCore
import TaskrunExecution
import Testing

@testable import TaskrunStorage

/// `TaskFingerprint` remembers the digest of the last task it fingerprinted from its definition, so
/// starting the same task again does not encode and hash it again; the remembered digest must never
/// stand in for another definition, or for a task file that can be read.
@Suite
struct DefinitionDigestTests {
    @Test func theSameDefinitionGetsTheSameDigest() {
        let task = chainTask(phases: 3)
        let first = TaskFingerprint.digest(task)
        let second = TaskFingerprint.digest(task)
        #expect(first.fingerprint == TaskFingerprint.ofDefinition(task))
        #expect(second.fingerprint == first.fingerprint)
        #expect(second.definition == first.definition)
    }

    @Test func anotherDefinitionIsDigestedAfresh() {
        let task = chainTask(phases: 3)
        let changed = chainTask(phases: 4)
        _ = TaskFingerprint.digest(task)
        let digest = TaskFingerprint.digest(changed)
        #expect(digest.fingerprint == TaskFingerprint.ofDefinition(changed))
        #expect(digest.fingerprint != TaskFingerprint.ofDefinition(task))
    }

    /// A task read from a file is fingerprinted from the file at every start: the same definition
    /// gets its file's fingerprint once the file can be read, and the new one after an edit.
    @Test func aTaskFileIsReadAtEveryStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try openStore(directory)
        let path = directory.file("chain.md")
        let task = chainTask(phases: 2, sourcePath: path)
        let executor = TaskExecutor(configuration: .init(), agents: CountingAgents(), history: store)
        // No file yet: fingerprinted (and remembered) from the definition.
        let first = try await executor.execute(task, input: ["ticker": "BTC"]).executionID
        #expect(try await store.loadDetails(first)?.taskHash == TaskFingerprint.ofDefinition(task))
        for text in ["# Chain\n", "# Chain, edited\n"] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let id = try await executor.execute(task, input: ["ticker": "BTC"]).executionID
            #expect(try await store.loadDetails(id)?.taskHash == TaskFingerprint.of(fileContents: Array(text.utf8)))
        }
    }
}
