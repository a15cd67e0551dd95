import HTTPTypes
import OpenAPIRuntime

/// Reads a request body whole, up to the operation's limit, before the generated handler decodes it: an oversized
/// body is a 413 in the API's error shape, and an empty one is no body at all (the runtime would try to decode zero
/// bytes as JSON for operations whose body is optional, such as rolling a key without options).
enum RequestBodyReader {
    static func read(_ body: HTTPBody?, of request: HTTPRequest, maximumBytes: Int) async throws(APIError) -> [UInt8]? {
        // A request that declares no body (most GETs and DELETEs) reads nothing.
        guard let body, request.headerFields.declaresBody else { return nil }
        if let declared = request.headerFields[.contentLength].flatMap({ Int($0) }), declared > maximumBytes {
            throw .payloadTooLarge(maximumBytes: maximumBytes)
        }
        let bytes: [UInt8]
        do {
            bytes = try await [UInt8](collecting: body, upTo: maximumBytes)
        } catch {
            // The runtime reports a body over the limit with an error of its own.
            throw .payloadTooLarge(maximumBytes: maximumBytes)
        }
        return bytes.isEmpty ? nil : bytes
    }
}
