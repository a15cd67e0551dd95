import HTTPTypes
import Hummingbird

extension APIError {
    private static let contentType = HTTPField(name: .contentType, value: "application/json; charset=utf-8")

    /// The HTTP response for this error, in the API's one error shape. `leadingFields` come first, e.g. the rate-limit
    /// fields of a 429, built in one step from the key's template (appending them one by one to the finished
    /// response cost a refusal more than serving the request would have).
    func response(requestID: String, leadingFields: HTTPFields? = nil) -> Response {
        let body = APIErrorBody.buffer(for: self, requestID: requestID)
        var fields: HTTPFields
        if let leadingFields {
            fields = leadingFields
            if !headers.isEmpty { fields.append(contentsOf: headers) }
        } else {
            fields = headers
            // Content-Type, Content-Length, and Date and Server on the way out.
            fields.reserveCapacity(fields.count + 4)
        }
        fields.append(Self.contentType)
        // Written here rather than left to `Response`, which would search the fields for it once more and spell the
        // number through `String(describing:)`.
        fields.append(HTTPField(name: .contentLength, value: FieldText.decimal(body.readableBytes)))
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}
