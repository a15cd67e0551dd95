import SmartMailsCore

/// A key's requests over the last 24 hours as an SVG bar chart drawn on the server: one bar per minute (the
/// picture scales to the page's width), the errors of each minute in red. Numbers only go into it, so it needs no
/// escaping.
enum UsageChart {
    static func svg(_ report: KeyUsageReport) -> String {
        let bucketMinutes: Int64 = 1
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
        let width = 1440.0, height = 160.0, bar = width / Double(buckets)
        let peak = Double(max(totals.max() ?? 0, 1))
        var svg = ##"<svg class="chart" viewBox="0 0 1440 184" role="img" aria-label="Requests per minute over the last 24 hours, peak \##(Int(peak))">"##
        for index in 0..<buckets where totals[index] > 0 {
            let x = Double(index) * bar
            let all = Double(totals[index]) / peak * height
            let bad = Double(errors[index]) / peak * height
            svg += ##"<rect x="\##(format(x))" y="\##(format(height - all))" width="\##(format(bar))" height="\##(format(all))" fill="#2157d6"/>"##
            if bad > 0 {
                svg += ##"<rect x="\##(format(x))" y="\##(format(height - bad))" width="\##(format(bar))" height="\##(format(bad))" fill="#b42318"/>"##
            }
        }
        svg += ##"<line x1="0" y1="160.5" x2="1440" y2="160.5" stroke="#dde2e8"/>"##
        svg += ##"<text x="0" y="178" font-size="20" fill="#5b6573">24 h ago</text><text x="1440" y="178" font-size="20" fill="#5b6573" text-anchor="end">now</text>"##
        svg += ##"<text x="6" y="22" font-size="20" fill="#5b6573">peak \##(Int(peak))</text></svg>"##
        return svg
    }

    private static func format(_ value: Double) -> String {
        String(Double(Int(value * 10)) / 10)
    }
}
