import TaskrunMarkdown

extension TaskFileParser {
    /// The ` - ` between an agent id (or aggregation kind) and the text.
    static let dashSeparator: [Unicode.Scalar] = [" ", "-", " "]

    static let stepExample = "'- agent: quant-analyst - Analyze {{input.ticker}}'"

    /// Reads one `### Steps` bullet: its type, text and nested parameters, and for an agent step
    /// where its agent id is written.
    ///
    /// Returns `nil` when the bullet cannot be read as a step (reported).
    mutating func parseStep(item: Int) -> (Step, TaskValidator.NameSpans.Span?)? {
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
        return (step, agentID.map { .init(location: $0.location, length: $0.count) })
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
        } else if let blank = rest.scalars.firstIndex(where: \.isBlank).map({ $0 - rest.scalars.startIndex }) {
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
                length: idPart.count, hint: "write 'agent: \(idPart.text) - <prompt>'")
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
        // (No braces, no problems: the check's own scan skips brace-free text eight scalars at a time.)
        for problem in TemplateSyntax.check(text.scalars) {
            error(
                "template-syntax", problem.message, at: text.location(at: problem.offset),
                length: text.caretLength(problem.offset..<(problem.offset + problem.length)), hint: problem.hint)
        }
    }
}
