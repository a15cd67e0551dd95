import Logging

/// Logs go to stderr (stdout is for what a command prints for scripts), at `SMARTMAILS_LOG_LEVEL` (default info).
enum LoggerSetup {
    static func bootstrap() -> Logger {
        let level = Environment.value("SMARTMAILS_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "smartmails")
    }
}
