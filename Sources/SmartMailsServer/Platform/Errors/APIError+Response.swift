import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

extension APIError {
    private static let contentType = HTTPField(name: .contentType, value: "application/json; charset=utf-8")

    /// The error in the API's one shape, with its own fields (a challenge, `Allow`) and the body's.
    func rendered(requestID: String) -> (fields: HTTPFields, body: ByteBuffer) {
        var fields = headers
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
    func openAPIResponse(requestID: String) -> (HTTPResponse, HTTPBody?) {
        let (fields, body) = rendered(requestID: requestID)
        return (HTTPResponse(status: status, headerFields: fields), HTTPBody(body.readableBytesView))
    }
}
