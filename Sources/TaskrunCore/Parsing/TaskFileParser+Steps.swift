import TaskrunMarkdown

extension TaskFileParser {
    /// The ` - ` between an agent id (or aggregation kind) and the text.
    static let dashSeparator: [UInt8] = Array(" - ".utf8)

    static let stepExample = "'- agent: quant-analyst - Analyze {{input.ticker}}'"

    /// Reads one `### Steps` bullet: its type, text and nested parameters, and for an agent step
    /// where its agent id is written.
    ///
    /// Returns `nil` when the bullet cannot be read as a step (reported).
    mutating func parseStep(item: Int) -> (Step, TaskValidator.NameSpans.Span?)? {
        // Changed in place and handed on whole: binding the step and the span to names of their
        // own copied the step (every string and array retained, then released).
        guard var plain = plainStep(item: item) else { return parseStepInFull(item: item) }
        // Nested parameters are read (and reported) the one way; the general path reads them
        // after the header and templates too, so problems come in the same order.
        if let paragraph = document.compact[item].firstChild, document.compact[paragraph].nextSibling != nil {
            plain.0.parameters = stepParameters(item: item, after: paragraph, kind: plain.0.kind)
        }
        return plain
    }

    /// ``parseStep(item:)`` for any step: through its located text, reporting every problem.
    mutating func parseStepInFull(item: Int) -> (Step, TaskValidator.NameSpans.Span?)? {
        let itemNode = document.compact[item]
        guard let paragraph = itemNode.firstChild, case .paragraph = document.compact[paragraph].kind else {
            error(
                "empty-step", "step has no text", at: location(itemNode.start),
                hint: "write the step after the bullet, like \(Self.stepExample)")
            return nil
        }
        let source = paragraphSource(paragraph)
        // Taken apart at once: reading the fields of the returned tuple copied it whole.
        guard let (kind, text, agentID) = stepHeader(source) else {
            // Parameters are read (and checked) even under a broken header: every problem in one pass.
            _ = stepParameters(item: item, after: paragraph, kind: .description)
            return nil
        }
        checkTemplates(text)
        let parameters = stepParameters(item: item, after: paragraph, kind: kind)
        let step = Step(kind: kind, text: text.text, parameters: parameters, location: source.text.location)
        if case .custom(type: "classify") = kind { checkClassifyStep(step, text: text) }
        return (step, agentID.map { .init(location: $0.location, length: $0.scalarCount) })
    }

    /// A step's type and text (and an agent step's id) from its paragraph, or `nil` when the
    /// header is broken (reported).
    private mutating func stepHeader(
        _ source: ParagraphSource
    ) -> (kind: StepKind, text: LocatedText, agentID: LocatedText?)? {
        let text = source.text
        let location = text.location
        var kind = StepKind.description
        var body = text.trimmed()
        var agentID: LocatedText?
        if let firstLine = source.lines.first,
            let prefix = keyPrefix(source.text(ofLine: 0), firstInline: firstLine.firstInline, isStepType: true)
        {
            let rest = text.slice(prefix.valueOffset..<text.count).trimmed()
            let typeLength = prefix.keyLength
            switch prefix.key {
            case "agent":
                guard let (id, prompt) = agentStep(rest, typeLocation: location, typeLength: typeLength) else {
                    return nil
                }
                kind = .agent(id: id.text)
                body = prompt
                agentID = id
            case "validation", "validate":
                guard !rest.isEmpty else {
                    error(
                        "empty-step", "validation step has no criterion", at: location, length: typeLength + 1,
                        hint:
                            "write '\(prefix.key): <criterion>', like '\(prefix.key): len(phases.analysis.responses) >= 2'"
                    )
                    return nil
                }
                kind = .validation
                body = rest
                checkValidationCriterion(rest)
            case "aggregate":
                guard let (aggregateKind, note) = aggregateStep(rest, typeLocation: location, typeLength: typeLength)
                else { return nil }
                kind = .aggregate(kind: aggregateKind)
                body = note
            case "wait":
                guard !rest.isEmpty else {
                    error(
                        "empty-step", "wait step has no duration", at: location, length: typeLength + 1,
                        hint: "write 'wait: 30s'")
                    return nil
                }
                do {
                    kind = .wait(try TaskDuration.parse(rest.text))
                } catch {
                    invalidDuration(error, at: rest.location, length: rest.caretLength(0..<rest.count))
                    return nil
                }
                body = rest
            default:
                guard !rest.isEmpty else {
                    error(
                        "empty-step", "'\(prefix.key)' step has no text", at: location, length: typeLength + 1,
                        hint: "write '\(prefix.key): <text>'")
                    return nil
                }
                kind = .custom(type: prefix.key)
                body = rest
            }
        }
        return (kind, body, agentID)
    }

    /// `agent: <id> - <prompt>`: the id and the prompt, or `nil` (reported).
    private mutating func agentStep(
        _ rest: LocatedText, typeLocation: SourceLocation, typeLength: Int
    ) -> (LocatedText, LocatedText)? {
        let hint = "write 'agent: <id> - <prompt>', like \(Self.stepExample)"
        guard !rest.isEmpty else {
            error(
                "empty-step", "agent step has no agent id or prompt", at: typeLocation, length: typeLength + 1,
                hint: hint)
            return nil
        }
        let separator = rest.firstIndex(of: Self.dashSeparator)
        let idPart: LocatedText
        let prompt: LocatedText
        if let separator {
            idPart = rest.slice(0..<separator).trimmed()
            prompt = rest.slice((separator + 3)..<rest.count).trimmed()
        } else if rest.last == "-", rest.count >= 2, rest[rest.count - 2] == " " {
            idPart = rest.slice(0..<(rest.count - 2)).trimmed()
            prompt = rest.slice(rest.count..<rest.count)
        } else if rest.first == "-", rest.count == 1 || rest[1].isBlank {
            // `agent: - prompt`: the separator is there, the id is not.
            idPart = rest.slice(0..<0)
            prompt = rest.slice(1..<rest.count).trimmed()
        } else if let blank = rest.firstBlankIndex() {
            // `agent: quant-analyst Analyze it`: the separator is missing after the first word.
            let id = rest.slice(0..<blank).text
            let text = rest.slice(blank..<rest.count).trimmed().text
            error(
                "invalid-step", "expected ' - ' between the agent id '\(id)' and the prompt",
                at: rest.location(at: blank), hint: "write 'agent: \(id) - \(text)'")
            return nil
        } else {
            idPart = rest
            prompt = rest.slice(rest.count..<rest.count)
        }
        guard !idPart.isEmpty else {
            error(
                "invalid-step", "agent step has no agent id before ' - '", at: rest.location, length: 1,
                hint: "write 'agent: <id> - \(prompt.isEmpty ? "<prompt>" : prompt.text)'")
            return nil
        }
        guard !idPart.containsBlank else {
            error(
                "invalid-step", "agent id '\(idPart.text)' contains a space", at: idPart.location,
                length: idPart.caretLength(0..<idPart.count),
                hint: "agent ids are single words like 'quant-analyst'; the prompt follows ' - '")
            return nil
        }
        guard !prompt.isEmpty else {
            error(
                "empty-step", "agent step for '\(idPart.text)' has no prompt", at: idPart.location,
                length: idPart.scalarCount, hint: "write 'agent: \(idPart.text) - <prompt>'")
            return nil
        }
        return (idPart, prompt)
    }

    /// `aggregate: <kind> - <note>` (the note is optional): the kind and the note, or `nil` (reported).
    private mutating func aggregateStep(
        _ rest: LocatedText, typeLocation: SourceLocation, typeLength: Int
    ) -> (String, LocatedText)? {
        let hint = "write 'aggregate: <kind> - <note>', like 'aggregate: responses - Compile all presentations'"
        guard !rest.isEmpty else {
            error("empty-step", "aggregate step has no kind", at: typeLocation, length: typeLength + 1, hint: hint)
            return nil
        }
        var kindPart = rest
        var note = rest.slice(rest.count..<rest.count)
        if rest.first == "-", rest.count == 1 || rest[1].isBlank {
            // `aggregate: - note`: the separator is there, the kind is not.
            let text = rest.slice(1..<rest.count).trimmed()
            error(
                "invalid-step", "aggregate step has no kind before ' - '", at: rest.location,
                hint: "write 'aggregate: <kind> - \(text.isEmpty ? "<note>" : text.text)', like 'aggregate: responses'")
            return nil
        }
        if let separator = rest.firstIndex(of: Self.dashSeparator) {
            kindPart = rest.slice(0..<separator).trimmed()
            note = rest.slice((separator + 3)..<rest.count).trimmed()
        } else if rest.last == "-", rest.count >= 2, rest[rest.count - 2] == " " {
            kindPart = rest.slice(0..<(rest.count - 2)).trimmed()
        }
        guard !kindPart.isEmpty, !kindPart.containsBlank else {
            error(
                "invalid-step", "expected an aggregation kind (like 'responses') before ' - '", at: rest.location,
                length: rest.caretLength(0..<rest.count), hint: hint)
            return nil
        }
        return (kindPart.text, note)
    }

    /// Reports every template syntax problem in step text at its position.
    mutating func checkTemplates(_ text: LocatedText) {
        // (No braces, no problems: the check's own scan skips brace-free text sixteen bytes at a time.)
        let problems = text.withUTF8 { TemplateSyntax.check(utf8: $0) }
        var locator = text.locator()
        for problem in problems {
            error(
                "template-syntax", problem.message, at: locator.location(at: problem.offset),
                length: text.caretLength(problem.offset..<(problem.offset + problem.length)), hint: problem.hint)
        }
    }

    /// Where the one-line paragraph that starts list item `item` is (its line and column, at least
    /// 1) and its first inline node; `nil` when the item does not start with a paragraph, the
    /// paragraph spans lines, or (`alone`) something follows it in the item. What the one-pass
    /// readers of steps and parameters start from.
    func oneLineParagraph(of item: Int, alone: Bool) -> (line: Int, column: Int, firstInline: Int?)? {
        guard let paragraph = document.compact[item].firstChild, case .paragraph = document.compact[paragraph].kind,
            !alone || document.compact[paragraph].nextSibling == nil
        else { return nil }
        let start = document.compact[paragraph].start
        let line = max(1, start.line)
        guard document.compact[paragraph].end.line <= line else { return nil }
        return (line, max(1, start.column), document.compact[paragraph].firstChild)
    }

    /// The usual step, read in one pass over its bytes in the source: a one-line description,
    /// `agent:`, `validation:` or `aggregate:` step with nothing to report, without its
    /// parameters (``parseStep(item:)`` adds them). Anything else (or any problem) is `nil`, and
    /// ``parseStep(item:)`` reads the step the general way, which reports it; so this path never
    /// reports anything, and makes the same `Step` as the general one (tests compare the two).
    func plainStep(item: Int) -> (Step, TaskValidator.NameSpans.Span?)? {
        guard let (line, column, firstInline) = oneLineParagraph(of: item, alone: false) else { return nil }
        return withSourceBytes { utf8 -> (Step, TaskValidator.NameSpans.Span?)? in
            let lineStart = byteOffset(ofColumn: column, line: line, in: utf8)
            var lower = lineStart
            var upper = max(lower, document.lines.byteRange(ofLine: line).upperBound)
            func trim(_ range: inout Range<Int>) {
                var from = range.lowerBound
                var to = range.upperBound
                while from < to, utf8[from].isBlankByte { from += 1 }
                while to > from, utf8[to - 1].isBlankByte { to -= 1 }
                range = from..<to
            }
            func string(_ range: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: utf8[range]), as: UTF8.self)
            }
            func scalars(_ range: Range<Int>) -> Int {
                var count = 0
                for index in range where utf8[index] & 0xC0 != 0x80 { count += 1 }
                return count
            }
            /// `kind - note` split at the first ` - `: both parts trimmed, or `nil` without one.
            func splitAtDash(_ range: Range<Int>) -> (Range<Int>, Range<Int>)? {
                var index = range.lowerBound
                while index + 3 <= range.upperBound {
                    if utf8[index] == 32, utf8[index + 1] == 45, utf8[index + 2] == 32 {
                        var head = range.lowerBound..<index
                        var tail = (index + 3)..<range.upperBound
                        trim(&head)
                        trim(&tail)
                        return (head, tail)
                    }
                    index += 1
                }
                return nil
            }
            func hasBlank(_ range: Range<Int>) -> Bool { range.contains { utf8[$0].isBlankByte } }
            var whole = lower..<upper
            trim(&whole)
            (lower, upper) = (whole.lowerBound, whole.upperBound)
            guard lower < upper else { return nil }
            let location = SourceLocation(line: line, column: column)
            let lineBytes = UnsafeBufferPointer(rebasing: utf8[lineStart..<upper])
            var kind = StepKind.description
            var body = whole
            var agentSpan: TaskValidator.NameSpans.Span?
            if let (keyLength, valueOffset) = KeyValuePrefix.scan(lineBytes, isStepType: true),
                textNodesStart(at: firstInline, withKeyBytes: UnsafeBufferPointer(rebasing: lineBytes[0..<keyLength]))
            {
                let keyStart = lineBytes.startIndex
                let key = UnsafeBufferPointer(rebasing: lineBytes[keyStart..<(keyStart + keyLength)])
                var rest = (lineStart + valueOffset)..<upper
                trim(&rest)
                guard !rest.isEmpty else { return nil }
                if Self.bytes(key, equal: "agent") {
                    guard let (id, prompt) = splitAtDash(rest), !id.isEmpty, !hasBlank(id), !prompt.isEmpty else {
                        return nil
                    }
                    kind = .agent(id: string(id))
                    body = prompt
                    agentSpan = .init(
                        location: SourceLocation(line: line, column: column + scalars(lineStart..<id.lowerBound)),
                        length: scalars(id))
                } else if Self.bytes(key, equal: "validation") || Self.bytes(key, equal: "validate") {
                    let criterion = UnsafeBufferPointer(rebasing: utf8[rest])
                    // A criterion that looks like an expression but does not parse is reported
                    // by the general path.
                    if ValidationCriterion.looksLikeExpression(utf8: criterion) {
                        guard case .success = ExpressionParser.checkSyntax(utf8: criterion) else { return nil }
                    }
                    kind = .validation
                    body = rest
                } else if Self.bytes(key, equal: "aggregate") {
                    guard utf8[rest.lowerBound] != 45 else { return nil }
                    var aggregateKind = rest
                    var note = rest.upperBound..<rest.upperBound
                    if let (head, tail) = splitAtDash(rest) {
                        (aggregateKind, note) = (head, tail)
                    } else if utf8[rest.upperBound - 1] == 45 {
                        return nil
                    }
                    guard !aggregateKind.isEmpty, !hasBlank(aggregateKind) else { return nil }
                    kind = .aggregate(kind: string(aggregateKind))
                    body = note
                } else {
                    return nil
                }
            }
            guard TemplateSyntax.check(utf8: UnsafeBufferPointer(rebasing: utf8[body])).isEmpty else { return nil }
            return (Step(kind: kind, text: string(body), parameters: [:], location: location), agentSpan)
        }
    }

    /// Whether `bytes` are exactly `word`'s (ASCII), compared in place.
    static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, equal word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let wanted = word.utf8Start
        for index in 0..<bytes.count where bytes[index] != wanted[index] { return false }
        return true
    }
}
