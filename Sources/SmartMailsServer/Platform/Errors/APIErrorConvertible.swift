/// A domain error that knows how the API reports it. Each feature conforms its own errors in its own folder
/// (`Features/<Feature>/…+API.swift`), so adding a feature never means editing a switch over every error.
protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

extension APIError: APIErrorConvertible {
    var apiError: APIError { self }
}
