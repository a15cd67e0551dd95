import Foundation
import SmartMailsCore

/// The generated wire types speak `Date`; the domain speaks `Timestamp` (milliseconds).
extension Timestamp {
    var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    init(_ date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}
