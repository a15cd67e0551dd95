import Foundation
import OpenAPIRuntime

/// Writes response timestamps as RFC 3339 UTC (`2026-11-25T17:16:55Z`) with integer arithmetic: the runtime's
/// default goes through ICU's date formatter, a measurable share of every response that carries a key.
/// Reading (rare: request bodies) takes any RFC 3339 date-time, which is what the spec's `format: date-time`
/// promises: offsets, fractions of a second, a lower-case `t` or `z`.
struct UTCDateTranscoder: DateTranscoder {
    private let whole = ISO8601DateTranscoder.iso8601
    private let fractional = ISO8601DateTranscoder.iso8601WithFractionalSeconds

    func encode(_ date: Date) throws -> String {
        Self.rfc3339(date)
    }

    /// `date` as written in responses. Static, so that code writing a timestamp outside a response body does not make
    /// a transcoder, whose parser holds a Foundation date formatter that is costly to create.
    static func rfc3339(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Howard Hinnant's civil_from_days: exact proleptic Gregorian arithmetic.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))

        var text = [UInt8]()
        text.reserveCapacity(20)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        append(year, digits: 4); text.append(UInt8(ascii: "-"))
        append(month, digits: 2); text.append(UInt8(ascii: "-"))
        append(day, digits: 2); text.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, digits: 2); text.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, digits: 2); text.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, digits: 2); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    func decode(_ text: String) throws -> Date {
        let normalised = text.uppercased()
        do {
            return try (normalised.contains(".") ? fractional : whole).decode(normalised)
        } catch {
            // The decoder that calls this knows no field name; the message names the value instead.
            throw APIError.badRequest("invalid_value", "'\(text.prefix(64))' is not an RFC 3339 date-time such as 2027-12-31T23:59:59Z.")
        }
    }
}
