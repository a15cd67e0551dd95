public enum PasswordRules {
    /// bcrypt reads at most 72 bytes and stops at a NUL; longer or NUL-holding passwords would be cut silently.
    public static func validate(_ password: String) throws(ValidationError) {
        let bytes = password.utf8.count
        guard bytes >= 10 else { throw ValidationError(param: "password", message: "must be at least 10 characters") }
        guard bytes <= 72 else { throw ValidationError(param: "password", message: "must be at most 72 bytes (bcrypt reads no more)") }
        guard !password.utf8.contains(0) else { throw ValidationError(param: "password", message: "must not contain NUL") }
    }
}
