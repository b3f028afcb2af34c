import Foundation
import TaskrunCore
import Testing

@testable import TaskrunAgents

@Suite struct AgentDirectoryTests {
    static let shippedAgents = [
        "committee-chair", "compliance-officer", "contrarian-investor", "fundamental-analyst", "macro-strategist",
        "market-analyst", "portfolio-manager", "quant-analyst", "risk-manager", "sentiment-analyst",
        "technical-validator",
    ]

    @Test func everyShippedAgentLoadsCleanly() throws {
        let directory = Fixtures.directory
        #expect(directory.diagnostics.isEmpty, "\(directory.diagnostics)")
        #expect(directory.sorted.map(\.id) == Self.shippedAgents)
        for agent in directory.sorted {
            #expect(agent.persona.count > 200, "\(agent.id) needs a real persona")
            #expect(OfflineRole(rawValue: agent.role) != nil, "\(agent.id) has role \(agent.role)")
            #expect(!agent.capabilities.isEmpty)
            #expect(agent.model.name != nil && agent.timeout != nil && agent.maxConcurrent != nil)
        }
    }

    @Test(arguments: ["investment-committee", "daily-market-analysis"])
    func everyAgentAShippedTaskUsesHasADefinition(task: String) throws {
        let path = (Fixtures.tasksDirectory as NSString).appendingPathComponent("\(task).md")
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let parsed = try #require(TaskParser().parse(source: source, path: path).task)
        #expect(!parsed.agentIDs.isEmpty)
        #expect(Fixtures.directory.undefinedAgents(in: parsed, path: path).isEmpty)
    }

    @Test func anUndefinedAgentIsAnErrorAtTheStepWithAGuess() throws {
        let source = """
            # T

            ## Phase: Look
            ### Agents
            - quant-analist
            ### Steps
            - agent: quant-analist - Look at BTC
            - agent: nobody-at-all - Look again
            """
        let parsed = try #require(TaskParser().parse(source: source, path: "t.md").task)
        let diagnostics = Fixtures.directory.undefinedAgents(in: parsed, path: "t.md")
        #expect(
            diagnostics.map(\.message) == [
                "agent 'quant-analist' has no definition", "agent 'nobody-at-all' has no definition",
            ])
        #expect(diagnostics.map(\.severity) == [.error, .error])
        #expect(diagnostics.map(\.code) == ["undefined-agent", "undefined-agent"])
        #expect(diagnostics.map(\.hint) == ["did you mean 'quant-analyst'?", nil])
        #expect(diagnostics.first?.location.line == 7)
    }

    /// The error underlines the id however much space follows `agent:` (it assumed one space).
    @Test func anUndefinedAgentIsUnderlinedWhereItsIdIs() throws {
        let source =
            "# T\n\n## Phase: Look\n### Steps\n- agent:    ghost - Look\n- agent:\t\tspectre - Again\n1. agent: wraith - Once more\n"
        let parsed = try #require(TaskParser().parse(source: source, path: "t.md").task)
        let placed = Fixtures.directory.undefinedAgents(in: parsed, path: "t.md", source: source)
        #expect(placed.map(\.message) == ["ghost", "spectre", "wraith"].map { "agent '\($0)' has no definition" })
        #expect(
            placed.map(\.location) == [
                .init(line: 5, column: 13), .init(line: 6, column: 11), .init(line: 7, column: 11),
            ])
        #expect(placed.map(\.length) == [5, 7, 6])
        let rendered = DiagnosticRenderer().render(placed, sources: ["t.md": source])
        #expect(rendered.contains("- agent:    ghost - Look\n            ^~~~~\n"))
        #expect(rendered.contains("- agent:\t\tspectre - Again\n        \t\t^~~~~~~\n"))
        // Without the source, the id is taken to follow `agent: `.
        let unplaced = Fixtures.directory.undefinedAgents(in: parsed, path: "t.md")
        #expect(unplaced.map(\.location.column) == [10, 10, 11])
    }

    @Test func validateSeesTheProblemsOfTheAgentsATaskUsesOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for id in ["used", "unused"] {
            try "# A\n\n```yaml\nrole: quant\npersona: p\ncolour: red\n```\n".write(
                to: folder.appendingPathComponent("\(id).md"), atomically: true, encoding: .utf8)
        }
        let directory = AgentDirectory.load(from: folder.path, displayedAs: "tasks/agents")
        let task = TaskDefinition(
            id: "t", metadata: TaskMetadata(name: "t"),
            phases: [
                Phase(
                    name: "P",
                    steps: [Step(kind: .agent(id: "used"), text: "x"), Step(kind: .agent(id: "ghost"), text: "y")])
            ])
        let diagnostics = directory.diagnostics(forAgentsOf: task, path: "tasks/t.md")
        #expect(
            diagnostics.map { "\($0.path): \($0.severity.rawValue): \($0.message)" } == [
                "tasks/t.md: error: agent 'ghost' has no definition",
                "tasks/agents/used.md: warning: unknown agent key 'colour'",
            ])
        #expect(directory.sources["tasks/agents/used.md"]?.contains("colour: red") == true)
    }

    @Test func aBrokenAgentFileIsReportedInItsOwnFileOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "# Broken\n\n```yaml\nrole: quant\n```\n".write(
            to: folder.appendingPathComponent("broken.md"), atomically: true, encoding: .utf8)
        try "# Fine\n\n```yaml\nrole: risk\npersona: p\nmaxConcurrnt: 2\n```\n".write(
            to: folder.appendingPathComponent("fine.md"), atomically: true, encoding: .utf8)
        let directory = AgentDirectory.load(from: folder.path)
        #expect(directory.sorted.map(\.id) == ["fine"])
        #expect(directory.brokenIDs == ["broken"])
        #expect(directory.diagnostics.map(\.code) == ["agent-missing-key", "agent-unknown-key"])
        #expect(directory.diagnostics.map { ($0.path as NSString).lastPathComponent } == ["broken.md", "fine.md"])

        let task = TaskDefinition(
            id: "t", metadata: TaskMetadata(name: "t"),
            phases: [Phase(name: "P", steps: [Step(kind: .agent(id: "broken"), text: "x")], agents: ["broken"])])
        #expect(directory.undefinedAgents(in: task, path: "t.md").isEmpty)
        #expect(AgentDirectory.load(from: folder.appendingPathComponent("missing").path).definitions.isEmpty)
    }
}
