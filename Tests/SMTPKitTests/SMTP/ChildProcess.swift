#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process a test starts with posix_spawn and stops by its PID; its stdin is a pipe whose closing tells it to exit,
/// so it also goes away if the test process dies. (Foundation's Process could spin forever in waitUntilExit here.)
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private var stdinWriter: Int32
    private var exitStatus: Int32?

    init(_ executable: String, _ arguments: [String], output: String = "/dev/null") throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SMTPTestSupport.MissingTool(description: "pipe failed") }
        // Only this child may hold the pipe, or another child would keep it open past our stop().
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The test runner blocks and ignores signals on its threads; the child must start with defaults or SIGTERM won't reach it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(fds[0])
        guard result == 0 else {
            close(fds[1])
            throw SMTPTestSupport.MissingTool(description: "cannot start \(executable): error \(result)")
        }
        self.pid = pid
        self.stdinWriter = fds[1]
    }

    var isRunning: Bool {
        if self.exitStatus != nil { return false }
        var status: Int32 = 0
        if waitpid(self.pid, &status, WNOHANG) == self.pid {
            self.exitStatus = status
            return false
        }
        return true
    }

    /// Closes its stdin, gives it a moment to exit, then SIGTERM and finally SIGKILL; always reaps it.
    func stop() {
        if self.stdinWriter >= 0 {
            close(self.stdinWriter)
            self.stdinWriter = -1
        }
        for signal in [Int32(0), SIGTERM, SIGKILL] {
            if signal != 0, self.isRunning { kill(self.pid, signal) }
            for _ in 0..<100 where self.isRunning { usleep(20_000) }
            if !self.isRunning { return }
        }
    }

    /// Waits for it to exit by itself and returns its exit code.
    func waitForExit() -> Int32 {
        while self.isRunning { usleep(10_000) }
        let status = self.exitStatus ?? 0
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// Its exit code if it has ended, else stops it and returns -1.
    func waitForExitOrKill() -> Int32 {
        if self.isRunning {
            self.stop()
            return -1
        }
        return self.waitForExit()
    }

    deinit { self.stop() }
}
