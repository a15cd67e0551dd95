import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

extension APIError {
    private static let contentType = HTTPField(name: .contentType, value: "application/json; charset=utf-8")

    /// The error in the API's one shape, with its own fields and `extraFields` (e.g. a caller's rate-limit fields).
    func rendered(requestID: String, extraFields: HTTPFields = [:]) -> (fields: HTTPFields, body: ByteBuffer) {
        var fields = extraFields
        fields.append(contentsOf: headers)
        fields.append(Self.contentType)
        let body = APIErrorBody.buffer(for: self, requestID: requestID)
        fields[.contentLength] = String(body.readableBytes)
        return (fields, body)
    }

    /// As Hummingbird sends it.
    func response(requestID: String) -> Response {
        let (fields, body) = rendered(requestID: requestID)
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }

    /// As an OpenAPI middleware returns it.
    func openAPIResponse(requestID: String, extraFields: HTTPFields) -> (HTTPResponse, HTTPBody?) {
        let (fields, body) = rendered(requestID: requestID, extraFields: extraFields)
        return (HTTPResponse(status: status, headerFields: fields), HTTPBody(body.readableBytesView))
    }
}
