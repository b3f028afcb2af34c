import Foundation
import TaskrunCore
import Testing

@testable import TaskrunAgents

@Suite struct MarketSnapshotTests {
    @Test func theShippedSnapshotCoversTheTickersAndSaysItIsIllustrative() throws {
        let path = MarketSnapshot.path(inTasksDirectory: Fixtures.tasksDirectory)
        let (snapshot, warnings) = try MarketSnapshot.load(path: path)
        #expect(warnings.isEmpty)
        for symbol in ["BTC", "ETH", "SOL", "AAPL", "NVDA", "SPY"] {
            let ticker = try #require(snapshot[symbol], "\(symbol) is missing")
            #expect(ticker.price > 0 && ticker.volatility30d > 0 && ticker.maxDrawdown90d < 0)
            #expect(ticker.growth != nil && ticker.newsSentiment != nil && ticker.beta != nil)
        }
        #expect(snapshot["btc"]?.symbol == "BTC")
        #expect(snapshot.macro?.rateTrend != nil)
        #expect(snapshot.mandate.maxPosition[.low] == 25_000)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("ILLUSTRATIVE SAMPLE VALUES, NOT MARKET DATA"))
    }

    @Test func problemsAreReportedAtTheirPosition() {
        let text = """
            tickers:
              BTC:
                price: lots
                return30d: 1
                return90d: 2
                volatility30d: 40
                volatility90d: 40
                maxDrawdown90d: 12
                volume24h: 1000
                valuationPercentle: 50
              ETH:
                price: 100
            macro:
              rateTrend: easeing
            """
        #expect {
            try MarketSnapshot.parse(text, path: "market.yaml")
        } throws: { error in
            guard let error = error as? MarketSnapshotError else { return false }
            let rendered = error.diagnostics.map { "\($0.location): \($0.severity.rawValue): \($0.message)" }
            return rendered == [
                "3:12: error: 'BTC.price' must be a number, got 'lots'",
                "8:21: error: 'BTC.maxDrawdown90d' is a fall, written as a negative percentage like -18.5",
                "10:5: warning: unknown key 'valuationPercentle' in ticker BTC",
                "12:5: error: ticker ETH has no 'maxDrawdown90d'",
                "12:5: error: ticker ETH has no 'return30d'",
                "12:5: error: ticker ETH has no 'return90d'",
                "12:5: error: ticker ETH has no 'volatility30d'",
                "12:5: error: ticker ETH has no 'volatility90d'",
                "12:5: error: ticker ETH has no 'volume24h'",
                "14:14: error: 'macro.rateTrend' must be one of easing, steady, tightening, got 'easeing'",
            ] && error.diagnostics[2].hint == "did you mean 'valuationPercentile'?"
        }
    }
}
