import HTTPTypes
import SmartMailsCore

extension ValidationError: APIErrorConvertible {
    var apiError: APIError { APIError(status: .unprocessableContent, kind: .invalidRequest, code: code, message: message, param: param) }
}
