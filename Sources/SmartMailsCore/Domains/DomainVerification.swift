/// What the last check of a domain's DNS found, record by record. The domain is verified when every required
/// record is (both DKIM keys, which prove the owner published them and make receivers' checks pass, and SPF).
public struct DomainVerification: Sendable, Equatable, Codable {
    public let checkedAt: Timestamp
    public let records: [RecordCheck]

    public init(checkedAt: Timestamp, records: [RecordCheck]) {
        self.checkedAt = checkedAt
        self.records = records
    }

    /// The check of this very record (a record whose value changed since, such as a new SPF include, has none).
    public func check(of spec: DNSRecordSpec) -> RecordCheck? {
        records.first { $0.purpose == spec.purpose.rawValue && $0.name == spec.name && $0.expected == spec.value }
    }

    public var allRequiredVerified: Bool { records.filter(\.required).allSatisfy { $0.state == .verified } }

    /// A lookup failed for a required record: the check says nothing about whether it is published.
    public var inconclusive: Bool { records.contains { $0.required && $0.state == .error } }

    /// When the domain counts as verified after this check: a failed lookup keeps the earlier answer, so a DNS
    /// outage does not stop a workspace's mail.
    public func verifiedAt(previously: Timestamp?) -> Timestamp? {
        if inconclusive { return previously }
        return allRequiredVerified ? (previously ?? checkedAt) : nil
    }
}

public struct RecordCheck: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// Published as suggested.
        case verified
        /// Nothing of its kind at that name.
        case missing
        /// Something of its kind is there, but not what it must be; `found` says what.
        case mismatch
        /// The lookup itself failed (timeout, SERVFAIL); `detail` says how.
        case error
    }

    public let purpose: String
    public let type: String
    public let name: String
    public let expected: String
    public let required: Bool
    public let state: State
    /// The values of that kind found at the name (at most 10, each at most 1,000 characters: they are shown).
    public let found: [String]
    public let detail: String?

    public init(spec: DNSRecordSpec, required: Bool, state: State, found: [String], detail: String?) {
        purpose = spec.purpose.rawValue
        type = spec.type.rawValue
        name = spec.name
        expected = spec.value
        self.required = required
        self.state = state
        self.found = found.prefix(10).map { String($0.prefix(1000)) }
        self.detail = detail
    }
}

/// Compares what DNS holds with the records a domain asks for; pure, so every rule is tested without a network.
public enum DomainRecordChecker {
    /// `found` is every TXT string (or MX `preference exchange`) at the record's name, or the lookup's failure.
    public static func check(_ spec: DNSRecordSpec, found: Result<[String], LookupFailure>) -> RecordCheck {
        let required = spec.isRequired
        let values: [String]
        switch found {
        case .failure(let failure): return RecordCheck(spec: spec, required: required, state: .error, found: [], detail: failure.message)
        case .success(let got): values = got
        }
        let (state, relevant, detail) = switch spec.purpose {
        case .dkim: dkim(spec.value, values)
        case .spf: spf(spec.value, values)
        case .dmarc: dmarc(values)
        case .returnPath: returnPath(spec.value, values)
        }
        return RecordCheck(spec: spec, required: required, state: state, found: relevant, detail: detail)
    }

    public struct LookupFailure: Error, Sendable {
        public let message: String
        public init(_ message: String) { self.message = message }
    }

    /// The key (`p=`) must be ours and the algorithm (`k=`, RSA when absent, RFC 6376 §3.6.1) the same.
    private static func dkim(_ expected: String, _ values: [String]) -> (RecordCheck.State, [String], String?) {
        let want = tags(expected)
        let keys = values.filter { tags($0)["p"] != nil || $0.lowercased().contains("dkim1") }
        guard !keys.isEmpty else { return (.missing, [], nil) }
        let matches = keys.contains { value in
            let have = tags(value)
            return have["p"] == want["p"] && (have["k"] ?? "rsa") == (want["k"] ?? "rsa")
        }
        return matches ? (.verified, keys, nil) : (.mismatch, keys, "A DKIM record is published at this name, but with another key.")
    }

    /// One `v=spf1` record (two are an error for receivers, RFC 7208 §4.5) holding our mechanism.
    private static func spf(_ expected: String, _ values: [String]) -> (RecordCheck.State, [String], String?) {
        let records = values.filter { $0.lowercased().hasPrefix("v=spf1") && ($0.count == 6 || $0.dropFirst(6).first == " ") }
        guard !records.isEmpty else { return (.missing, [], nil) }
        guard records.count == 1 else { return (.mismatch, records, "There are \(records.count) SPF records; receivers treat that as an error. Merge them into one.") }
        let mechanism = expected.split(separator: " ").dropFirst().first.map { $0.lowercased() } ?? ""
        let terms = records[0].lowercased().split(separator: " ").map { $0.hasPrefix("+") ? String($0.dropFirst()) : String($0) }
        return terms.contains(mechanism)
            ? (.verified, records, nil)
            : (.mismatch, records, "The SPF record does not include \(mechanism); add it before the final all.")
    }

    private static func dmarc(_ values: [String]) -> (RecordCheck.State, [String], String?) {
        let records = values.filter { $0.filter { !$0.isWhitespace }.lowercased().hasPrefix("v=dmarc1") }
        return records.isEmpty ? (.missing, [], nil) : (.verified, records, nil)
    }

    /// The bounce host's MX must be the host that receives bounces; its preference does not matter.
    private static func returnPath(_ expected: String, _ values: [String]) -> (RecordCheck.State, [String], String?) {
        guard !values.isEmpty else { return (.missing, [], nil) }
        let host = { (value: String) in (value.split(separator: " ").last.map(String.init) ?? "").lowercased().trimmingSuffix(".") }
        return values.contains { host($0) == host(expected) }
            ? (.verified, values, nil)
            : (.mismatch, values, "The MX points elsewhere, so bounces would not reach SmartMails.")
    }

    /// `tag=value` pairs of a DKIM record, whitespace inside values removed (RFC 6376 §3.2: it is folding).
    private static func tags(_ record: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in record.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].filter { !$0.isWhitespace }.lowercased()
            result[name] = parts[1].filter { !$0.isWhitespace }
        }
        return result
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
