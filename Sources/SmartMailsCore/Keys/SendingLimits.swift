import Foundation

/// A key's blast radius when it sends: the `from` domains it may use and how many recipients a day it may reach. A
/// leaked shop key limited to `shop.example` and 5,000 recipients a day cannot become a spam cannon.
public struct SendingLimits: Sendable, Hashable {
    public static let maximumDomains = 50
    public static let maximumDailyRecipients = 100_000_000

    /// Normalised domain names; empty allows every domain. A domain allows its subdomains too.
    public let fromDomains: [String]
    /// Recipients (to, cc and bcc together) per UTC day; nil means no quota.
    public let dailyRecipients: Int?

    public static let none = SendingLimits(validFromDomains: [], dailyRecipients: nil)

    public var isEmpty: Bool { fromDomains.isEmpty && dailyRecipients == nil }

    /// Checked limits: names normalised like sending domains (duplicates dropped), the quota in range.
    public init(fromDomains: [String], dailyRecipients: Int?) throws(ValidationError) {
        guard fromDomains.count <= Self.maximumDomains else {
            throw ValidationError(param: "sending_limits.from_domains", message: "At most \(Self.maximumDomains) domains.")
        }
        var names: [String] = []
        for (index, given) in fromDomains.enumerated() {
            do {
                let name = try SendingDomain.validName(given)
                if !names.contains(name) { names.append(name) }
            } catch {
                throw ValidationError(param: "sending_limits.from_domains[\(index)]", message: error.message)
            }
        }
        if let dailyRecipients, !(1...Self.maximumDailyRecipients).contains(dailyRecipients) {
            throw ValidationError(param: "sending_limits.daily_recipients", message: "A daily quota is 1 to \(Self.maximumDailyRecipients) recipients.")
        }
        self.init(validFromDomains: names, dailyRecipients: dailyRecipients)
    }

    /// Limits read back from storage, already checked when they were set.
    public init(validFromDomains: [String], dailyRecipients: Int?) {
        fromDomains = validFromDomains
        self.dailyRecipients = dailyRecipients
    }

    /// Whether a message from `domain` (normalised) is within the key's domains.
    public func allows(fromDomain domain: String) -> Bool {
        fromDomains.isEmpty || fromDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }

    /// Whether these limits are at least as tight as `other`: every domain within one of its domains, and a quota no
    /// larger than its quota. A limited key may only grant keys limited as much.
    public func isWithin(_ other: SendingLimits) -> Bool {
        let domainsWithin = other.fromDomains.isEmpty || (!fromDomains.isEmpty && fromDomains.allSatisfy(other.allows(fromDomain:)))
        let quotaWithin = other.dailyRecipients.map { limit in dailyRecipients.map { $0 <= limit } ?? false } ?? true
        return domainsWithin && quotaWithin
    }

    /// The UTC day a quota counts in (`2026-12-07`) and when it starts over.
    public static func quotaDay(at now: Timestamp) -> (day: String, resetsAt: Timestamp) {
        let dayMilliseconds: Int64 = 86_400_000
        let start = now.millisecondsSinceEpoch - ((now.millisecondsSinceEpoch % dayMilliseconds) + dayMilliseconds) % dayMilliseconds
        let day = Date(timeIntervalSince1970: Double(start) / 1000).formatted(.iso8601.year().month().day())
        return (day, Timestamp(millisecondsSinceEpoch: start + dayMilliseconds))
    }
}
