import HTTPTypes
import SmartMailsApp

extension TeamError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound(let id):
            .notFound("member", id: id)
        case .alreadyMember(let email):
            APIError(status: .conflict, kind: .invalidRequest, code: "already_member", message: "\(email) is in this workspace already.", param: "email")
        case .notAllowed(let reason):
            .forbidden("role_not_assignable", reason, param: "role")
        case .lastOwner:
            APIError(status: .conflict, kind: .invalidRequest, code: "last_owner", message: "A workspace keeps at least one owner; make another member owner first.")
        case .invitationNotValid:
            APIError(status: .notFound, kind: .notFound, code: "invitation_not_valid", message: "The invitation was accepted already, has expired, or was never made.")
        }
    }
}
