import SmartMailsCore

extension ValidationError: APIErrorConvertible {
    var apiError: APIError { .validationFailed(message, param: param) }
}
