/// A file carried by a message: a downloadable attachment, or an inline image referenced from HTML as `cid:<contentID>`.
public struct MIMEAttachment: Sendable, Hashable {
    /// How the receiving client should present the part.
    public enum Disposition: String, Sendable, Hashable {
        case attachment
        case inline
    }

    public var filename: String
    /// A media type such as `application/pdf` or `image/png`.
    public var contentType: String
    public var data: [UInt8]
    public var disposition: Disposition
    /// The id without angle brackets; set for inline images so HTML can refer to `cid:<id>`.
    public var contentID: String?

    public init(
        filename: String,
        contentType: String,
        data: [UInt8],
        disposition: Disposition = .attachment,
        contentID: String? = nil
    ) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
        self.disposition = disposition
        self.contentID = contentID
    }

    /// An image shown inside the HTML body; it goes into a multipart/related part next to the HTML.
    public static func inlineImage(contentID: String, filename: String, contentType: String, data: [UInt8]) -> Self {
        Self(filename: filename, contentType: contentType, data: data, disposition: .inline, contentID: contentID)
    }

    /// Inline parts with a Content-ID belong with the HTML; everything else is a plain attachment.
    var isRelated: Bool { disposition == .inline && contentID != nil }
}
