import Foundation
import TaskrunCore
import TaskrunYAML

/// Why a market snapshot file could not be used: every problem in it, at its line and column.
public struct MarketSnapshotError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public var description: String {
        diagnostics.filter { $0.severity == .error }.map { "\($0.path):\($0.location): \($0.message)" }
            .joined(separator: "\n")
    }
}

extension MarketSnapshot {
    /// The snapshot file inside a tasks directory.
    public static func path(inTasksDirectory tasksDirectory: String) -> String {
        ((tasksDirectory as NSString).appendingPathComponent("data") as NSString).appendingPathComponent("market.yaml")
    }

    /// Reads a snapshot file.
    ///
    /// - Returns: the snapshot and its warnings (unknown keys).
    /// - Throws: ``MarketSnapshotError`` when the file cannot be read or has errors.
    public static func load(path: String) throws(MarketSnapshotError) -> (MarketSnapshot, [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MarketSnapshotError(diagnostics: [
                .error("snapshot-unreadable", "cannot read the market snapshot", path: path, at: .start)
            ])
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Reads snapshot YAML text; `path` is used in diagnostics.
    public static func parse(_ text: String, path: String) throws(MarketSnapshotError) -> (MarketSnapshot, [Diagnostic])
    {
        var reader = SnapshotReader(path: path)
        let snapshot = reader.read(text)
        let diagnostics = reader.diagnostics.sortedByPosition()
        guard let snapshot, !diagnostics.hasErrors else { throw MarketSnapshotError(diagnostics: diagnostics) }
        return (snapshot, diagnostics)
    }
}

/// The one-pass reader of snapshot files.
struct SnapshotReader {
    let path: String
    var diagnostics: [Diagnostic] = []

    static let topLevelKeys = ["asOf", "note", "tickers", "macro", "mandate"]
    static let requiredTickerKeys = [
        "price", "return30d", "return90d", "volatility30d", "volatility90d", "maxDrawdown90d", "volume24h",
    ]
    static let optionalTickerKeys = [
        "name", "assetClass", "sector", "averageVolume30d", "high90d", "low90d", "beta", "growth",
        "valuationPercentile", "newsSentiment", "socialSentiment", "crowding",
    ]
    static let macroKeys = ["rateTrend", "dollarTrend30d", "liquidity", "riskAppetite", "vix"]
    static let mandateKeys = ["maxPosition", "targetVolatility", "maxDrawdown"]

    init(path: String) {
        self.path = path
    }

    func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(line: node.start.line, column: node.start.column)
    }

    func length(_ node: YAMLNode) -> Int {
        node.end.line == node.start.line ? max(1, node.end.column - node.start.column) : 1
    }

    mutating func error(_ message: String, _ node: YAMLNode, hint: String? = nil) {
        diagnostics.append(
            .error("snapshot-invalid", message, path: path, at: location(node), length: length(node), hint: hint))
    }

    mutating func read(_ text: String) -> MarketSnapshot? {
        let root: YAMLNode?
        do {
            root = try YAMLParser().parse(text)
        } catch {
            diagnostics.append(
                .error(
                    "snapshot-yaml", "invalid YAML: \(error.problem)", path: path,
                    at: SourceLocation(line: error.mark.line, column: error.mark.column)))
            return nil
        }
        guard let root, let top = mapping(root, what: "the snapshot", known: Self.topLevelKeys) else { return nil }
        var snapshot = MarketSnapshot()
        snapshot.asOf = top["asOf"].flatMap { $0.scalar?.text }
        if let node = top["tickers"], let tickers = node.mapping {
            for pair in tickers {
                guard let symbol = pair.key.scalar?.text, !symbol.isEmpty else {
                    error("ticker symbols must be plain names", pair.key)
                    continue
                }
                if let ticker = ticker(symbol.uppercased(), pair.value) {
                    snapshot.tickers[ticker.symbol] = ticker
                }
            }
        } else if let node = top["tickers"] {
            error("'tickers' must be a mapping of symbols to their numbers, got a \(node.kindName)", node)
        } else {
            error("the snapshot has no 'tickers'", root)
        }
        if let node = top["macro"], let macro = mapping(node, what: "macro", known: Self.macroKeys) {
            snapshot.macro = MacroSnapshot(
                rateTrend: macro["rateTrend"].flatMap {
                    word($0, "macro.rateTrend", ["easing", "steady", "tightening"])
                },
                dollarTrend30d: macro["dollarTrend30d"].flatMap { number($0, "macro.dollarTrend30d") },
                liquidity: macro["liquidity"].flatMap {
                    word($0, "macro.liquidity", ["improving", "steady", "tightening"])
                },
                riskAppetite: macro["riskAppetite"].flatMap { number($0, "macro.riskAppetite", in: -1...1) },
                vix: macro["vix"].flatMap { number($0, "macro.vix", in: 0...200) })
        }
        if let node = top["mandate"], let mandate = mapping(node, what: "mandate", known: Self.mandateKeys) {
            var result = Mandate()
            if let node = mandate["maxPosition"] { result.maxPosition = perTolerance(node, "mandate.maxPosition") }
            if let node = mandate["targetVolatility"] {
                result.targetVolatility = perTolerance(node, "mandate.targetVolatility")
            }
            if let node = mandate["maxDrawdown"] { result.maxDrawdown = perTolerance(node, "mandate.maxDrawdown") }
            snapshot.mandate = result
        }
        return snapshot
    }

    /// A mapping's values by key; unknown keys are warnings with a did-you-mean.
    mutating func mapping(_ node: YAMLNode, what: String, known: [String]) -> [String: YAMLNode]? {
        guard let pairs = node.mapping else {
            error("\(what) must be a mapping, got a \(node.kindName)", node)
            return nil
        }
        var result: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar?.text else { continue }
            if !known.contains(key) {
                let hint = Suggestion.closest(to: key, in: known).map { "did you mean '\($0)'?" }
                diagnostics.append(
                    .warning(
                        "snapshot-unknown-key", "unknown key '\(key)' in \(what)", path: path, at: location(pair.key),
                        length: length(pair.key), hint: hint))
            } else if result[key] != nil {
                error("key '\(key)' is given more than once in \(what)", pair.key)
            } else {
                result[key] = pair.value
            }
        }
        return result
    }

    mutating func ticker(_ symbol: String, _ node: YAMLNode) -> TickerSnapshot? {
        guard
            let fields = mapping(
                node, what: "ticker \(symbol)", known: Self.requiredTickerKeys + Self.optionalTickerKeys)
        else { return nil }
        var values: [String: Double] = [:]
        var valid = true
        for key in Self.requiredTickerKeys {
            guard let field = fields[key] else {
                error("ticker \(symbol) has no '\(key)'", node)
                valid = false
                continue
            }
            guard let value = number(field, "\(symbol).\(key)") else {
                valid = false
                continue
            }
            switch key {
            case _ where ["price", "volatility30d", "volatility90d"].contains(key) && value <= 0:
                error("'\(symbol).\(key)' must be greater than zero", field)
                valid = false
            case "maxDrawdown90d" where value > 0:
                error("'\(symbol).maxDrawdown90d' is a fall, written as a negative percentage like -18.5", field)
                valid = false
            case "volume24h" where value < 0:
                error("'\(symbol).volume24h' cannot be negative", field)
                valid = false
            default:
                values[key] = value
            }
        }
        func optional(_ key: String, in range: ClosedRange<Double>? = nil) -> Double? {
            fields[key].flatMap { number($0, "\(symbol).\(key)", in: range) }
        }
        let averageVolume = optional("averageVolume30d", in: 0...Double.greatestFiniteMagnitude)
        let high = optional("high90d", in: 0...Double.greatestFiniteMagnitude)
        let low = optional("low90d", in: 0...Double.greatestFiniteMagnitude)
        let beta = optional("beta")
        let growth = optional("growth")
        let valuation = optional("valuationPercentile", in: 0...100)
        let news = optional("newsSentiment", in: -1...1)
        let social = optional("socialSentiment", in: -1...1)
        let crowding = optional("crowding", in: 0...100)
        if let high, let low, high < low, let field = fields["high90d"] {
            error("'\(symbol).high90d' is below '\(symbol).low90d'", field)
            valid = false
        }
        guard valid, let price = values["price"], let return30d = values["return30d"],
            let return90d = values["return90d"], let volatility30d = values["volatility30d"],
            let volatility90d = values["volatility90d"], let drawdown = values["maxDrawdown90d"],
            let volume = values["volume24h"]
        else { return nil }
        return TickerSnapshot(
            symbol: symbol, name: fields["name"]?.scalar?.text, assetClass: fields["assetClass"]?.scalar?.text,
            sector: fields["sector"]?.scalar?.text, price: price, return30d: return30d, return90d: return90d,
            volatility30d: volatility30d, volatility90d: volatility90d, maxDrawdown90d: drawdown, volume24h: volume,
            averageVolume30d: averageVolume, high90d: high, low90d: low, beta: beta, growth: growth,
            valuationPercentile: valuation, newsSentiment: news, socialSentiment: social, crowding: crowding)
    }

    mutating func number(_ node: YAMLNode, _ key: String, in range: ClosedRange<Double>? = nil) -> Double? {
        let value: Double
        switch node.resolvedScalar {
        case .integer(let integer): value = Double(integer)
        case .float(let float) where float.isFinite: value = float
        default:
            error("'\(key)' must be a number, got \(node.scalar.map { "'\($0.text)'" } ?? "a \(node.kindName)")", node)
            return nil
        }
        if let range, !range.contains(value) {
            error("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(value)", node)
            return nil
        }
        return value
    }

    mutating func word(_ node: YAMLNode, _ key: String, _ allowed: [String]) -> String? {
        guard let text = node.scalar?.text, allowed.contains(text) else {
            let got = node.scalar.map { "'\($0.text)'" } ?? "a \(node.kindName)"
            let hint = node.scalar.flatMap { Suggestion.closest(to: $0.text, in: allowed) }.map {
                "did you mean '\($0)'?"
            }
            error("'\(key)' must be one of \(allowed.joined(separator: ", ")), got \(got)", node, hint: hint)
            return nil
        }
        return text
    }

    mutating func perTolerance(_ node: YAMLNode, _ key: String) -> [RiskTolerance: Double] {
        guard let fields = mapping(node, what: key, known: RiskTolerance.allCases.map(\.rawValue)) else { return [:] }
        var result: [RiskTolerance: Double] = [:]
        for tolerance in RiskTolerance.allCases {
            guard let field = fields[tolerance.rawValue] else {
                error("'\(key)' has no value for '\(tolerance.rawValue)'", node)
                continue
            }
            if let value = number(field, "\(key).\(tolerance.rawValue)", in: 0.000_001...Double.greatestFiniteMagnitude)
            {
                result[tolerance] = value
            }
        }
        return result
    }
}
