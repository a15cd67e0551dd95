/// An RFC 3463 enhanced status code such as `5.1.1` (bad destination mailbox).
public struct SMTPEnhancedStatusCode: Sendable, Hashable, CustomStringConvertible {
    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    public var statusClass: Int
    public var subject: Int
    public var detail: Int

    public init(statusClass: Int, subject: Int, detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Reads a code at the start of `text` (followed by a space or the end), as servers put it before their text.
    public init?(prefixOf text: some StringProtocol) {
        var numbers: [Int] = []
        var current = 0
        var digits = 0
        for scalar in text.unicodeScalars {
            if scalar.value >= 48, scalar.value <= 57 {
                digits += 1
                guard digits <= 3 else { return nil }
                current = current * 10 + Int(scalar.value - 48)
            } else if scalar == "." {
                guard digits > 0, numbers.count < 2 else { return nil }
                numbers.append(current)
                current = 0
                digits = 0
            } else if scalar == " " || scalar == "\t" {
                break
            } else {
                return nil
            }
        }
        guard digits > 0, numbers.count == 2 else { return nil }
        numbers.append(current)
        guard [2, 4, 5].contains(numbers[0]) else { return nil }
        self.init(statusClass: numbers[0], subject: numbers[1], detail: numbers[2])
    }

    public var description: String { "\(self.statusClass).\(self.subject).\(self.detail)" }
}
