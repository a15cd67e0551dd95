import SmartMailsCore

/// A key's requests over the last 24 hours as an SVG bar chart drawn on the server: one bar per 15 minutes, the
/// error share of each bar in red. Numbers only go into it, so it needs no escaping.
enum UsageChart {
    static func svg(_ report: KeyUsageReport) -> String {
        let bucketMinutes: Int64 = 15
        let buckets = Int(24 * 60 / bucketMinutes)
        var totals = [Int](repeating: 0, count: buckets)
        var errors = [Int](repeating: 0, count: buckets)
        let start = report.until.millisecondsSinceEpoch - 24 * 3_600_000
        for minute in report.minutes {
            let index = Int((minute.minute.millisecondsSinceEpoch - start) / (bucketMinutes * 60_000))
            guard (0..<buckets).contains(index) else { continue }
            totals[index] += minute.total
            errors[index] += (minute.byStatusClass[4] ?? 0) + (minute.byStatusClass[5] ?? 0)
        }
        let width = 720.0, height = 160.0, bar = width / Double(buckets)
        let peak = Double(max(totals.max() ?? 0, 1))
        var svg = ##"<svg class="chart" viewBox="0 0 720 180" role="img" aria-label="Requests per 15 minutes over the last 24 hours, peak \##(Int(peak))">"##
        for index in 0..<buckets where totals[index] > 0 {
            let x = Double(index) * bar
            let all = Double(totals[index]) / peak * height
            let bad = Double(errors[index]) / peak * height
            svg += ##"<rect x="\##(format(x))" y="\##(format(height - all))" width="\##(format(bar - 1))" height="\##(format(all))" fill="#2157d6"/>"##
            if bad > 0 {
                svg += ##"<rect x="\##(format(x))" y="\##(format(height - bad))" width="\##(format(bar - 1))" height="\##(format(bad))" fill="#b42318"/>"##
            }
        }
        svg += ##"<line x1="0" y1="160.5" x2="720" y2="160.5" stroke="#dde2e8"/>"##
        svg += ##"<text x="0" y="176" font-size="11" fill="#5b6573">24 h ago</text><text x="720" y="176" font-size="11" fill="#5b6573" text-anchor="end">now</text>"##
        svg += ##"<text x="4" y="12" font-size="11" fill="#5b6573">peak \##(Int(peak))</text></svg>"##
        return svg
    }

    private static func format(_ value: Double) -> String {
        String(Double(Int(value * 10)) / 10)
    }
}
