import Foundation

/// Renders an `APIError` as the JSON body every error response carries.
enum APIErrorBody {
    private struct Envelope: Encodable {
        struct Detail: Encodable {
            var type: String
            var code: String
            var message: String
            var param: String?
            var request_id: String
        }
        var error: Detail
    }

    static func json(for error: APIError, requestID: String) -> Data {
        let envelope = Envelope(error: .init(
            type: error.kind.rawValue, code: error.code, message: error.message, param: error.param, request_id: requestID
        ))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(envelope)) ?? Data(#"{"error":{"type":"api_error","code":"internal_error","message":"error encoding failed","request_id":""}}"#.utf8)
    }
}
