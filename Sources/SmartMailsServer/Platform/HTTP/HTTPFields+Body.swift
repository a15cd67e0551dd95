import HTTPTypes

extension HTTPFields {
    /// Whether the request announces a body at all (RFC 9112 §6.3): most GETs and DELETEs do not, and the body
    /// layers skip them without reading anything.
    var declaresBody: Bool {
        self[.contentLength] != nil || self[.transferEncoding] != nil
    }
}
