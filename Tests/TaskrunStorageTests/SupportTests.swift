import Foundation
import TaskrunCore
import Testing

@testable import TaskrunStorage

@Suite struct SupportTests {
    @Test func sha256MatchesTheStandardTestVectors() {
        #expect(SHA256.hex(of: Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Contiguous bytes are hashed where they lie, anything else byte by byte; pieces of any size,
    /// across block boundaries, give the digest of the whole.
    @Test func sha256GivesTheSameDigestHoweverTheBytesArrive() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hex(of: bytes)
        #expect(SHA256.hex(of: bytes.lazy.map { $0 }) == whole)
        for sizes in [[1, 63, 64, 65, 807], [200, 3, 797], [64, 64, 872], [999, 1]] {
            var hasher = SHA256()
            var start = 0
            for (index, size) in sizes.enumerated() {
                let piece = bytes[start..<start + size]
                if index % 2 == 0 { hasher.update(piece) } else { hasher.update(piece.lazy.map { $0 }) }
                start += size
            }
            #expect(hasher.finalizeHex() == whole, "pieces \(sizes)")
        }
    }

    @Test func fingerprintsFollowTheFileOrTheDefinition() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("t.md")
        try Data("# T\n".utf8).write(to: URL(fileURLWithPath: path))
        let fromFile = chainTask(phases: 1, sourcePath: path)
        #expect(TaskFingerprint.of(fromFile) == "sha256:" + SHA256.hex(of: Array("# T\n".utf8)))
        let inCode = chainTask(phases: 1)
        #expect(TaskFingerprint.of(inCode).hasPrefix("sha256-definition-v2:"))
        #expect(TaskFingerprint.of(inCode) == TaskFingerprint.of(chainTask(phases: 1)))
        #expect(TaskFingerprint.of(inCode) != TaskFingerprint.of(chainTask(phases: 2)))
        // A file that disappeared is digested from its definition, so it reads as changed.
        #expect(
            TaskFingerprint.of(chainTask(phases: 1, sourcePath: directory.file("gone.md")))
                == TaskFingerprint.of(inCode))
    }

    @Test func definitionFingerprintsDoNotDependOnTheOrderOfParameters() throws {
        var first = chainTask(phases: 2)
        var second = first
        var forward: [String: JSONValue] = [:]
        var backward: [String: JSONValue] = [:]
        let keys = (0..<40).map { "key\($0)" }
        for key in keys { forward[key] = .object(["b": 1, "a": .string(key)]) }
        for key in keys.reversed() { backward[key] = .object(["a": .string(key), "b": 1]) }
        first.phases[0].steps[0].parameters = forward
        second.phases[0].steps[0].parameters = backward
        #expect(TaskFingerprint.of(first) == TaskFingerprint.of(second))
        second.phases[0].steps[0].parameters["key7"] = .object(["a": "other", "b": 1])
        #expect(TaskFingerprint.of(first) != TaskFingerprint.of(second))
        // The sorted text still decodes to the same definition.
        let bytes = try RecordJSONEncoder(redactor: Redactor(secrets: []), sortsKeys: true).encode(first)
        #expect(try JSONDecoder().decode(TaskDefinition.self, from: Data(bytes)) == first)
    }

    @Test func aFingerprintOfTheFirstSchemeStillMatchesItsTask() throws {
        let task = chainTask(phases: 3)
        let legacy = "sha256-definition:" + SHA256.hex(of: try StorageCoding.canonicalEncoder().encode(task))
        #expect(TaskFingerprint.matches(task, stored: legacy))
        #expect(!TaskFingerprint.matches(chainTask(phases: 4), stored: legacy))
        #expect(TaskFingerprint.matches(task, stored: TaskFingerprint.of(task)))
        #expect(!TaskFingerprint.matches(task, stored: TaskFingerprint.of(chainTask(phases: 4))))
    }

    @Test func inputFingerprintsIgnoreSecretValuesAndKeyOrder() {
        let a = InputFingerprint.of(["x": 1, "key": "one"], secretInputs: ["key"])
        let b = InputFingerprint.of(["key": "two", "x": 1], secretInputs: ["key"])
        #expect(a == b)
        #expect(a != InputFingerprint.of(["x": 2, "key": "one"], secretInputs: ["key"]))
        #expect(
            InputFingerprint.of(["key": "one"], secretInputs: [])
                != InputFingerprint.of(["key": "two"], secretInputs: []))
    }

    @Test func storeLocationPrefersOptionThenEnvironmentThenDefault() throws {
        let cwd = "/work/project"
        let byDefault = try StoreLocation.resolve(
            option: nil, environment: [:], tasksDirectory: "tasks", workingDirectory: cwd)
        #expect(byDefault == StoreLocation(path: "/work/project/.taskrun/history.sqlite", source: .default))
        let nested = try StoreLocation.resolve(
            option: nil, environment: ["TASKRUN_STORE": ""], tasksDirectory: "flows/tasks/", workingDirectory: cwd)
        #expect(nested.path == "/work/project/flows/.taskrun/history.sqlite")
        let environment = try StoreLocation.resolve(
            option: nil, environment: ["TASKRUN_STORE": "db/h.sqlite"], tasksDirectory: "tasks", workingDirectory: cwd)
        #expect(environment == StoreLocation(path: "/work/project/db/h.sqlite", source: .environment))
        let option = try StoreLocation.resolve(
            option: "/tmp/x.sqlite", environment: ["TASKRUN_STORE": "db/h.sqlite"], tasksDirectory: "tasks",
            workingDirectory: cwd)
        #expect(option == StoreLocation(path: "/tmp/x.sqlite", source: .option))
        #expect(throws: StoreError.invalidLocation("--store needs a file path")) {
            try StoreLocation.resolve(option: "", environment: [:], tasksDirectory: "tasks", workingDirectory: cwd)
        }
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        #expect(throws: StoreError.self) {
            try StoreLocation.resolve(option: directory.path, environment: [:], tasksDirectory: "tasks")
        }
    }

    @Test func taskChangesListWhatShapesTheRun() {
        let old = chainTask(phases: 3)
        var new = old
        new.phases.remove(at: 1)
        new.phases[1].dependencies = [PhaseDependency(name: "P1")]
        new.phases[0].steps[0] = Step(kind: .agent(id: "critic"), text: "judge", parameters: ["retry": 3])
        new.phases[0].location = SourceLocation(line: 40, column: 1)
        new.phases.insert(Phase(name: "P0"), at: 0)
        new.requirements.append(Requirement(name: "amount", type: .number))
        new.metadata.maxConcurrentPhases = 2
        let changes = TaskChanges(from: old, to: new)
        #expect(
            changes.lines == [
                "+ phase 'P0' added",
                "- phase 'P2' removed",
                "~ phase 'P1': step 1: \"agent: worker - start {{input.ticker}}\" → \"agent: critic - judge [retry=3]\"",
                "~ phase 'P3': dependsOn: P2 → P1",
                "~ requirement 'amount' added",
                "~ maxConcurrentPhases: default → 2",
            ])
        var moved = old
        moved.phases[0].location = SourceLocation(line: 99, column: 1)
        moved.summary = "other prose"
        #expect(TaskChanges(from: old, to: moved).isEmpty)
    }
}
