"""A process on a pseudo-terminal, for what behaves differently on a terminal
(iamfs's progress line, bash's Tab completion). Every read is bounded."""
import fcntl
import os
import pty
import re
import select
import signal
import termios
import time


class Pty:
    """Runs argv with a pty as its terminal: stdin, stderr, and stdout unless
    stdout_fd names another descriptor. Collects everything written to the pty."""

    def __init__(self, argv, env=None, cwd=None, stdout_fd=None):
        self.out = b""
        master, slave = pty.openpty()
        pid = os.fork()
        if pid == 0:  # the child: the pty is its terminal
            try:
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                os.dup2(slave, 0)
                os.dup2(stdout_fd if stdout_fd is not None else slave, 1)
                os.dup2(slave, 2)
                os.close(master)
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, env if env is not None else os.environ)
            finally:
                os._exit(127)
        os.close(slave)
        self.pid, self.fd = pid, master
        self.status = None

    def send(self, data):
        os.write(self.fd, data)

    def read_until(self, pattern, timeout=20.0):
        """Reads until pattern (bytes regex) matches the collected output or the
        child's end; returns the match or None after timeout."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.out)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    data = b""
                if not data:
                    return rx.search(self.out)
                self.out += data

    def wait(self, timeout=30.0):
        """The child's exit status (os.waitstatus_to_exitcode); kills it at the deadline."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.status = -signal.SIGKILL
                break
            self.read_until(b"(?!x)x", timeout=0.05)
        self.read_until(b"(?!x)x", timeout=0.05)
        return self.status

    def close(self):
        if self.status is None:
            self.wait(timeout=5)
        os.close(self.fd)
