import HTTPTypes
import Hummingbird

extension APIError {
    /// The HTTP response for this error, in the API's one error shape.
    func response(requestID: String) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = APIErrorBody.json(for: self, requestID: requestID)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
