import Foundation
import TaskrunCore
import TaskrunExecution

/// Reads an agent's answer: a JSON object with the structured fields when the agent gave one,
/// otherwise the text as it is.
///
/// Accepted JSON keys: `text` (or `answer`, `summary`, `response`), `position` (bullish, bearish,
/// neutral, in any case), `confidence` (0-100; a number or numeric text), `keyPoints` (or `key_points`),
/// `risks`, `data` (an object). Any other key lands in `data`. A JSON answer inside a ```` ```json ````
/// fence is found too.
public enum AgentAnswerParser {
    public static func parse(_ raw: String) -> AgentResponse {
        let trimmed = raw.trimmingWhitespace()
        guard let object = jsonObject(in: trimmed) else { return AgentResponse(text: trimmed) }
        var rest = object
        func take(_ keys: [String]) -> JSONValue? {
            for key in keys {
                if let value = rest.removeValue(forKey: key) { return value }
            }
            return nil
        }
        let textValue = take(["text", "answer", "summary", "response"])
        let position = take(["position", "stance"])?.stringValue.flatMap {
            AgentResponse.Position(rawValue: $0.trimmingWhitespace().lowercased())
        }
        var confidence: Double?
        switch take(["confidence"]) {
        case .number(let value)?: confidence = value
        case .string(let text)?: confidence = Double(text.trimmingWhitespace().replacingOccurrences(of: "%", with: ""))
        default: break
        }
        confidence = confidence.flatMap { $0.isFinite ? min(100, max(0, $0)) : nil }
        let keyPoints = strings(take(["keyPoints", "key_points", "points"]))
        let risks = strings(take(["risks", "keyRisks", "key_risks"]))
        var data = take(["data"])?.objectValue ?? [:]
        data.merge(rest) { current, _ in current }
        let text: String =
            switch textValue {
            case .string(let text)?: text
            case let value?: value.compactJSONText
            case nil: keyPoints.isEmpty ? trimmed : keyPoints.joined(separator: "\n")
            }
        return AgentResponse(
            text: text, position: position, confidence: confidence, keyPoints: keyPoints, risks: risks,
            data: data.isEmpty ? nil : .object(data))
    }

    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .array(let items)?: items.compactMap { $0.stringValue ?? ($0 == .null ? nil : $0.compactJSONText) }
        case .string(let text)?: [text]
        default: []
        }
    }

    /// The JSON object the text is, or holds in a fenced block or between its first `{` and last `}`.
    static func jsonObject(in text: String) -> [String: JSONValue]? {
        var candidates = [text]
        if let fence = text.range(of: "```") {
            let afterFence = text[fence.upperBound...]
            let body = afterFence.drop { $0 != "\n" }
            if let end = body.range(of: "```") { candidates.append(String(body[..<end.lowerBound])) }
        }
        if let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close {
            candidates.append(String(text[open...close]))
        }
        for candidate in candidates {
            let data = Data(candidate.trimmingWhitespace().utf8)
            guard data.first == UInt8(ascii: "{") else { continue }
            if let value = try? JSONDecoder().decode(JSONValue.self, from: data), let object = value.objectValue {
                return object
            }
        }
        return nil
    }
}

extension JSONValue {
    /// Compact JSON text with sorted keys.
    var compactJSONText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
