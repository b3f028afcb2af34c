import TaskrunCore
import TaskrunExecution

/// Everything an offline analyst computes from: the inputs, the snapshot and the earlier answers it may see.
struct OfflineSituation {
    /// An earlier answer in the execution, with the role of the agent that gave it.
    struct Answer {
        var agent: String
        var role: OfflineRole?
        var phase: String?
        var response: AgentResponse
    }

    var agent: AgentDefinition
    var prompt: String
    var inputs: OfflineInputs
    var snapshot: MarketSnapshot
    /// The ticker's numbers; `nil` when the snapshot has none for the ticker.
    var ticker: TickerSnapshot?
    /// Earlier answers in order: earlier phases in file order, then this phase's.
    var earlier: [Answer]
    /// Outputs of earlier phases, by output name (the latest phase wins).
    var earlierOutputs: [String: JSONValue]

    init(request: AgentRequest, agent: AgentDefinition, snapshot: MarketSnapshot, roles: [String: String]) {
        self.agent = agent
        self.prompt = request.prompt
        self.snapshot = snapshot
        self.inputs = OfflineInputs(input: request.context.input, prompt: request.prompt, snapshot: snapshot)
        self.ticker = inputs.ticker.flatMap { snapshot[$0] }
        var answers: [Answer] = []
        var outputs: [String: JSONValue] = [:]
        for phase in request.context.earlierPhases {
            for reply in phase.responses {
                answers.append(
                    Answer(
                        agent: reply.agent, role: roles[reply.agent].flatMap(OfflineRole.init(rawValue:)),
                        phase: phase.name, response: reply.response))
            }
            outputs.merge(phase.outputs) { _, new in new }
        }
        for reply in request.context.phaseResponses {
            answers.append(
                Answer(
                    agent: reply.agent, role: roles[reply.agent].flatMap(OfflineRole.init(rawValue:)), phase: nil,
                    response: reply.response))
        }
        self.earlier = answers
        self.earlierOutputs = outputs
    }

    var metrics: TickerMetrics? { ticker.map { TickerMetrics($0, horizon: inputs.timeHorizon) } }

    /// Each other agent's latest answer that states a position, in order of first appearance.
    func latestPositions(votingOnly: Bool) -> [Answer] {
        var order: [String] = []
        var latest: [String: Answer] = [:]
        for answer in earlier where answer.agent != agent.id && answer.response.position != nil {
            if votingOnly, let role = answer.role, !role.votes { continue }
            if latest[answer.agent] == nil { order.append(answer.agent) }
            latest[answer.agent] = answer
        }
        return order.compactMap { latest[$0] }
    }

    /// The latest answer of an agent with `role` whose `data` has `key`.
    func latestData(role: OfflineRole, key: String) -> [String: JSONValue]? {
        for answer in earlier.reversed() where answer.role == role {
            if let data = answer.response.data?.objectValue, data[key] != nil { return data }
        }
        return nil
    }

    /// Whether the prompt asks for a final restated position (the Consensus phase).
    var isFinalStatement: Bool {
        let lower = prompt.lowercased()
        return lower.contains("restate") || lower.contains("final position")
    }
}

/// The investment horizon.
enum Horizon: String {
    case short, medium, long
}

/// The inputs the offline analysts read, with what they assume when an input is absent.
struct OfflineInputs {
    var ticker: String?
    var amount: Double?
    var riskTolerance: RiskTolerance
    var timeHorizon: Horizon
    var question: String?
    var priceChange: Double?
    var volume: Double?
    /// Assumptions made for absent or unrecognized inputs, said plainly in the answer.
    var assumptions: [String] = []

    init(input: [String: JSONValue], prompt: String, snapshot: MarketSnapshot) {
        if let ticker = input["ticker"]?.stringValue?.trimmingWhitespace(), !ticker.isEmpty {
            self.ticker = ticker.uppercased()
        } else {
            // No ticker input: take the first known symbol the prompt names.
            let words = prompt.split { !$0.isLetter && !$0.isNumber }.map { $0.uppercased() }
            self.ticker = words.first { snapshot.tickers[$0] != nil }
        }
        amount = input["amount"]?.doubleValue.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        switch input["riskTolerance"]?.stringValue?.lowercased() {
        case let value? where RiskTolerance(rawValue: value) != nil:
            riskTolerance = RiskTolerance(rawValue: value) ?? .medium  // safe: checked just above
        case let value?:
            riskTolerance = .medium
            assumptions.append("risk tolerance '\(value)' is not low, medium or high; medium assumed")
        case nil:
            riskTolerance = .medium
            assumptions.append("no risk tolerance given; medium assumed")
        }
        switch input["timeHorizon"]?.stringValue?.lowercased() {
        case let value? where Horizon(rawValue: value) != nil:
            timeHorizon = Horizon(rawValue: value) ?? .medium  // safe: checked just above
        case let value?:
            timeHorizon = .medium
            assumptions.append("time horizon '\(value)' is not short, medium or long; medium assumed")
        case nil:
            timeHorizon = .medium
        }
        question = input["question"]?.stringValue
        priceChange = input["priceChange"]?.doubleValue
        volume = input["volume"]?.doubleValue
    }
}

/// Numbers derived from a ticker's snapshot that several analysts use.
struct TickerMetrics {
    let ticker: TickerSnapshot
    /// One month's standard deviation, in percent.
    let monthlyVolatility: Double
    /// One day's standard deviation, in percent.
    let dailyVolatility: Double
    /// The 30-day return in units of monthly volatility.
    let z30: Double
    /// The 90-day return in units of quarterly volatility.
    let z90: Double
    /// Momentum weighted for the horizon: short leans on 30 days, long on 90.
    let momentum: Double
    let high: Double
    let low: Double
    /// Where the price sits in its 90-day range, 0 (at the low) to 1 (at the high).
    let rangePosition: Double
    let support: Double
    let resistance: Double
    /// Today's volume against the 30-day average; `nil` without an average.
    let volumeRatio: Double?

    init(_ ticker: TickerSnapshot, horizon: Horizon) {
        self.ticker = ticker
        monthlyVolatility = ticker.volatility30d / 12.0.squareRoot()
        dailyVolatility = ticker.volatility30d / 365.0.squareRoot()
        z30 = ticker.return30d / monthlyVolatility
        z90 = ticker.return90d / (ticker.volatility90d / 2)
        let weight30 =
            switch horizon {
            case .short: 0.7
            case .medium: 0.5
            case .long: 0.3
            }
        momentum = weight30 * z30 + (1 - weight30) * z90
        let swing = abs(ticker.maxDrawdown90d) / 100 / 2
        high = max(ticker.high90d ?? ticker.price * (1 + swing), ticker.price)
        low = min(ticker.low90d ?? ticker.price * (1 - swing), ticker.price)
        rangePosition = high > low ? ((ticker.price - low) / (high - low)).clamped(0...1) : 0.5
        let halfMonth = ticker.price * monthlyVolatility / 100 / 2
        support = max(low, ticker.price - halfMonth)
        resistance = high > ticker.price * 1.005 ? min(high, ticker.price + halfMonth) : ticker.price + halfMonth
        volumeRatio = ticker.averageVolume30d.flatMap { $0 > 0 ? ticker.volume24h / $0 : nil }
    }

    var symbol: String { ticker.symbol }
}
