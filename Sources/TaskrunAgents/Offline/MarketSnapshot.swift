/// The market data the offline analysts compute from: `tasks/data/market.yaml`.
///
/// The shipped file holds illustrative sample values; replace them with your own data. Nothing here
/// is fetched from a market: the offline backend never touches the network.
public struct MarketSnapshot: Sendable, Hashable {
    /// The date the values describe, as written in the file.
    public var asOf: String?
    /// Per-ticker data, by upper-case symbol.
    public var tickers: [String: TickerSnapshot]
    public var macro: MacroSnapshot?
    public var mandate: Mandate

    public init(
        asOf: String? = nil, tickers: [String: TickerSnapshot] = [:], macro: MacroSnapshot? = nil,
        mandate: Mandate = Mandate()
    ) {
        self.asOf = asOf
        self.tickers = tickers
        self.macro = macro
        self.mandate = mandate
    }

    /// The snapshot of `symbol`, ignoring case.
    public subscript(symbol: String) -> TickerSnapshot? {
        tickers[symbol.uppercased()]
    }
}

/// One ticker's numbers. Returns, volatilities and drawdowns are percentages (`6.8` is 6.8%);
/// volatilities are annualized.
public struct TickerSnapshot: Sendable, Hashable {
    public var symbol: String
    public var name: String?
    /// `crypto`, `equity`, `etf`, ...
    public var assetClass: String?
    public var sector: String?
    public var price: Double
    public var return30d: Double
    public var return90d: Double
    public var volatility30d: Double
    public var volatility90d: Double
    /// The worst peak-to-trough fall over 90 days, as a negative percentage.
    public var maxDrawdown90d: Double
    /// Traded value over the last 24 hours, in US dollars.
    public var volume24h: Double
    public var averageVolume30d: Double?
    public var high90d: Double?
    public var low90d: Double?
    /// Sensitivity to the broad equity market (SPY = 1).
    public var beta: Double?
    /// Year-over-year growth of revenue (equities) or network activity (crypto), in percent.
    public var growth: Double?
    /// Where today's valuation sits in its own 5-year history, 0 (cheapest) to 100 (dearest).
    public var valuationPercentile: Double?
    /// Tone of the news, -1 (very negative) to 1 (very positive).
    public var newsSentiment: Double?
    /// Tone of social media, -1 to 1.
    public var socialSentiment: Double?
    /// How crowded the long side is (funding, positioning, short interest), 0 to 100.
    public var crowding: Double?

    public init(
        symbol: String, name: String? = nil, assetClass: String? = nil, sector: String? = nil, price: Double,
        return30d: Double, return90d: Double, volatility30d: Double, volatility90d: Double, maxDrawdown90d: Double,
        volume24h: Double, averageVolume30d: Double? = nil, high90d: Double? = nil, low90d: Double? = nil,
        beta: Double? = nil, growth: Double? = nil, valuationPercentile: Double? = nil, newsSentiment: Double? = nil,
        socialSentiment: Double? = nil, crowding: Double? = nil
    ) {
        self.symbol = symbol
        self.name = name
        self.assetClass = assetClass
        self.sector = sector
        self.price = price
        self.return30d = return30d
        self.return90d = return90d
        self.volatility30d = volatility30d
        self.volatility90d = volatility90d
        self.maxDrawdown90d = maxDrawdown90d
        self.volume24h = volume24h
        self.averageVolume30d = averageVolume30d
        self.high90d = high90d
        self.low90d = low90d
        self.beta = beta
        self.growth = growth
        self.valuationPercentile = valuationPercentile
        self.newsSentiment = newsSentiment
        self.socialSentiment = socialSentiment
        self.crowding = crowding
    }
}

/// The macro backdrop, shared by every ticker.
public struct MacroSnapshot: Sendable, Hashable {
    /// `easing`, `steady` or `tightening`.
    public var rateTrend: String?
    /// The dollar index's change over 30 days, in percent.
    public var dollarTrend30d: Double?
    /// `improving`, `steady` or `tightening`.
    public var liquidity: String?
    /// -1 (risk-off) to 1 (risk-on).
    public var riskAppetite: Double?
    public var vix: Double?

    public init(
        rateTrend: String? = nil, dollarTrend30d: Double? = nil, liquidity: String? = nil,
        riskAppetite: Double? = nil, vix: Double? = nil
    ) {
        self.rateTrend = rateTrend
        self.dollarTrend30d = dollarTrend30d
        self.liquidity = liquidity
        self.riskAppetite = riskAppetite
        self.vix = vix
    }
}

/// The investment mandate per risk tolerance: the limits the risk manager and compliance apply.
public struct Mandate: Sendable, Hashable {
    /// The largest single position, in US dollars.
    public var maxPosition: [RiskTolerance: Double]
    /// The annualized volatility a position may carry at full size, in percent.
    public var targetVolatility: [RiskTolerance: Double]
    /// The largest drawdown the investor accepts, in percent (positive).
    public var maxDrawdown: [RiskTolerance: Double]

    /// The mandate used when the snapshot file has no `mandate:` section (documented in `Docs/agents.md`).
    public init(
        maxPosition: [RiskTolerance: Double] = [.low: 25_000, .medium: 100_000, .high: 250_000],
        targetVolatility: [RiskTolerance: Double] = [.low: 20, .medium: 35, .high: 60],
        maxDrawdown: [RiskTolerance: Double] = [.low: 15, .medium: 25, .high: 40]
    ) {
        self.maxPosition = maxPosition
        self.targetVolatility = targetVolatility
        self.maxDrawdown = maxDrawdown
    }

    func maxPosition(_ tolerance: RiskTolerance) -> Double { maxPosition[tolerance] ?? 0 }
    func targetVolatility(_ tolerance: RiskTolerance) -> Double { targetVolatility[tolerance] ?? 1 }
    func maxDrawdown(_ tolerance: RiskTolerance) -> Double { maxDrawdown[tolerance] ?? 1 }
}

/// How much drawdown an investor accepts.
public enum RiskTolerance: String, Sendable, Hashable, CaseIterable {
    case low, medium, high
}
