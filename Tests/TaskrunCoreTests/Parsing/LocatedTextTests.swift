import Testing

@testable import TaskrunCore

@Suite struct LocatedTextTests {
    /// A three-line text sliced out of a larger source: a CRLF, a lone CR, an indented continuation
    /// line (where the text's next line starts after the indentation), and scalars of 2, 3 and 4 bytes.
    static let text: LocatedText = {
        let source = "xx- é, a→b\r\n  c𝄞d,\re, f"
        let first = source.utf8.count - "é, a→b\r\n  c𝄞d,\re, f".utf8.count
        let second = source.utf8.count - "c𝄞d,\re, f".utf8.count
        let third = source.utf8.count - "e, f".utf8.count
        return LocatedText(
            utf8: source, range: first..<source.utf8.count, start: loc(7, 5),
            laterLines: [.init(offset: second, location: loc(8, 3)), .init(offset: third, location: loc(9, 1))])
    }()

    @Test func aLocatorAgreesWithLocationAtEveryOffsetInOrder() {
        var locator = Self.text.locator()
        for offset in 0...(Self.text.count + 2) {
            #expect(locator.location(at: offset) == Self.text.location(at: offset), "offset \(offset)")
        }
    }

    @Test func aLocatorAgreesWithLocationOutOfOrder() {
        var locator = Self.text.locator()
        for offset in [9, 3, 20, 20, 2, 0, 17, 12, Self.text.count, 1] {
            #expect(locator.location(at: offset) == Self.text.location(at: offset), "offset \(offset)")
        }
    }

    @Test func locationsCountScalarsOnTheirOwnLine() {
        #expect(Self.text.location(at: 0) == loc(7, 5))
        // "é, a→b": 'a' is the fourth scalar after the start, 'b' two bytes of '→' later.
        #expect(Self.text.location(at: 4) == loc(7, 8))
        #expect(Self.text.location(at: 8) == loc(7, 10))
        let second = Self.text.firstIndex(of: Array("d".utf8)) ?? -1
        #expect(Self.text.location(at: second) == loc(8, 5))
        let third = Self.text.firstIndex(of: Array("f".utf8)) ?? -1
        #expect(Self.text.location(at: third) == loc(9, 4))
    }

    @Test func dependencyNamesOnALongLineHaveTheirColumns() throws {
        let names = (0..<300).map { "Phase \($0) é" }
        let source = "# T\n\n## Phase: Z\ndependsOn: \(names.joined(separator: ", "))\n\n### Steps\n- x\n"
        let result = parseTask(source)
        let phase = try #require(result.task?.phases.first)
        #expect(phase.dependencies.count == 300)
        // Each name starts after "dependsOn: " and the names, ", " and their one 'é' before it.
        var column = 12
        for (name, dependency) in zip(names, phase.dependencies) {
            #expect(dependency.name == name)
            #expect(dependency.location == loc(4, column))
            column += name.unicodeScalars.count + 2
        }
    }
}
