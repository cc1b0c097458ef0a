"""Real programs that save files, driven the way people use them: vim in ex
mode (scripted) and interactively in tmux, nano in tmux, emacs in batch mode,
sed -i, cp, tee, shell redirection, rsync, mv of a temp file and a Python
truncate-then-write. Each saver replaces `old` with `new` in the file at path
(whole-file writers write `data`, the same result) and returns the program's
CompletedProcess-like outcome; every wait is bounded and every tmux server is killed.
"""
import os
import shutil
import subprocess
import time
import uuid

TIMEOUT = 60


def editor_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VIM", "EMACS"))}
    env.update({"HOME": home, "TERM": "xterm-256color", "LC_ALL": "C.UTF-8"})
    return env


def run(cmd, home, stdin=None, timeout=TIMEOUT, **kw):
    return subprocess.run(cmd, env=editor_env(home), stdin=stdin or subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, **kw)


def vim_ex(path, old, new, home, backupcopy="auto", backup=False):
    """vim --clean in silent ex mode, swap file on: :%s then :wq."""
    # backupskip is emptied: its default skips /tmp/*, where test mounts live.
    cmd = ["vim", "--clean", "-N", "-E", "-s", "-c", "set swapfile", "-c", "set backupskip=",
           "-c", "set backupcopy=" + backupcopy, "-c", "set %s" % ("backup" if backup else "nobackup"),
           "-c", "%s/\\V" + old.replace("/", "\\/") + "/" + new.replace("/", "\\/") + "/",
           "-c", "wq", path]
    return run(cmd, home)


def emacs_batch(path, old, new, home):
    """emacs -Q --batch with backups on (renaming the original to path~), lock files on."""
    lisp = ("(progn (setq make-backup-files t) (setq backup-by-copying nil)"
            " (setq create-lockfiles t) (setq backup-enable-predicate (lambda (_f) t))"
            " (find-file %s) (goto-char (point-min))"
            " (unless (search-forward %s nil t) (kill-emacs 3)) (replace-match %s t t)"
            " (save-buffer) (kill-emacs 0))" % (lisp_str(path), lisp_str(old), lisp_str(new)))
    return run(["emacs", "-Q", "--batch", "--eval", lisp], home)


def lisp_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sed_i(path, old, new, home):
    esc = "".join("\\" + c if c in ".*[]^$\\/&" else c for c in old)
    rep = "".join("\\" + c if c in "\\/&" else c for c in new)
    return run(["sed", "-i", "s/%s/%s/" % (esc, rep), path], home)


def cp(path, data, home, workdir):
    src = _scratch(workdir, data)
    return run(["cp", src, path], home)


def cp_a(path, data, home, workdir):
    """cp -a: also copies mode, times and extended attributes (none here: the mount
    answers EOPNOTSUPP, which -a ignores)."""
    src = _scratch(workdir, data)
    return run(["cp", "-a", src, path], home)


def tee(path, data, home, workdir):
    src = _scratch(workdir, data)
    with open(src, "rb") as f:
        return subprocess.run(["tee", path], env=editor_env(home), stdin=f,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=TIMEOUT)


def shell_redirect(path, data, home, workdir):
    src = _scratch(workdir, data)
    return run(["sh", "-c", 'cat "$1" > "$2"', "sh", src, path], home)


def rsync(path, data, home, workdir):
    """rsync's default: a temp file beside the target, renamed onto it."""
    src = _scratch(workdir, data)
    # --ignore-times: a same-size file made in the same second is not skipped.
    return run(["rsync", "--ignore-times", src, path], home)


def rsync_a(path, data, home, workdir):
    """rsync -a: a temp file given the source's mode and times, renamed onto the target."""
    src = _scratch(workdir, data)
    return run(["rsync", "-a", "--ignore-times", src, path], home)


def mv_temp(path, data, home, workdir):
    """Writes a temp file inside the same folder, then mv onto the policy file."""
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    src = _scratch(workdir, data)
    r = run(["cp", src, tmp], home)
    if r.returncode != 0:
        return r
    return run(["mv", "-f", tmp, path], home)


def python_truncate_write(path, data):
    """An IDE's save: open r+, truncate(0), write, close."""
    with open(path, "r+b") as f:
        f.truncate(0)
        f.seek(0)
        f.write(data)
    return subprocess.CompletedProcess(["python-truncate-write"], 0, b"", b"")


def _scratch(workdir, data):
    src = os.path.join(workdir, "scratch-%s.json" % uuid.uuid4().hex[:8])
    with open(src, "wb") as f:
        f.write(data)
    return src


class Tmux:
    """One private tmux server running one program in a 160x50 window."""

    def __init__(self, workdir, home):
        self.sock = os.path.join(workdir, "tmux-%s.sock" % uuid.uuid4().hex[:8])
        self.home = home
        self.started = False

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                              env=editor_env(self.home), capture_output=True, text=True,
                              timeout=15, check=check)

    def start(self, cmd, cwd=None):
        self.tmux("new-session", "-d", "-s", "main", "-x", "160", "-y", "50",
                  "-c", cwd or self.home, cmd)
        self.started = True
        return self

    def alive(self):
        return self.tmux("has-session", "-t", "main", check=False).returncode == 0

    def screen(self):
        r = self.tmux("capture-pane", "-p", "-t", "main", check=False)
        return r.stdout if r.returncode == 0 else ""

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "main", *keys)

    def text(self, s):
        self.tmux("send-keys", "-t", "main", "-l", s)

    def wait_screen(self, pred, timeout=20.0):
        """Waits until pred(screen text) is true; returns the screen, or raises TimeoutError."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            last = self.screen()
            if pred(last):
                return last
            time.sleep(0.05)
        raise TimeoutError("screen never matched; last screen:\n" + last)

    def wait_exit(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return
            time.sleep(0.05)
        raise TimeoutError("program still running; screen:\n" + self.screen())

    def stop(self):
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False
        if os.path.exists(self.sock):
            os.unlink(self.sock)


def vim_tmux(path, old, new, workdir, home, extra=""):
    """Real interactive vim (--clean, swap on): :%s, then :wq; waits for it to exit."""
    t = Tmux(workdir, home)
    try:
        t.start("vim --clean -c 'set backupskip=' " + shell_quote(path))
        t.wait_screen(lambda s: old in s)
        t.text(":%s/\\V" + old.replace("/", "\\/") + "/" + new.replace("/", "\\/") + "/" + extra)
        t.keys("Enter")
        t.wait_screen(lambda s: new in s)
        t.text(":wq")
        t.keys("Enter")
        t.wait_exit()
    finally:
        t.stop()
    return subprocess.CompletedProcess(["vim"], 0, b"", b"")


def nano_tmux(path, old, new, workdir, home):
    """nano (no rc files, lock file on): ^\\ replace all, ^O Enter, ^X."""
    t = Tmux(workdir, home)
    try:
        t.start("nano -I --locking " + shell_quote(path))
        t.wait_screen(lambda s: old in s)
        t.keys("C-\\")
        t.wait_screen(lambda s: "Replace" in s or "replace" in s)
        t.text(old)
        t.keys("Enter")
        t.wait_screen(lambda s: "Replace with" in s)
        t.text(new)
        t.keys("Enter")
        t.wait_screen(lambda s: "Replace this instance" in s)
        t.keys("a")
        t.wait_screen(lambda s: "Replaced" in s)
        t.keys("C-o")
        t.wait_screen(lambda s: "File Name to Write" in s)
        t.keys("Enter")
        t.wait_screen(lambda s: "Wrote" in s)
        t.keys("C-x")
        t.wait_exit()
    finally:
        t.stop()
    return subprocess.CompletedProcess(["nano"], 0, b"", b"")


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


# name -> how it saves: ("edit", fn(path, old, new, workdir, home)) or ("data", fn(path, data,
# workdir, home)).
SAVERS = {
    "vim-auto": ("edit", lambda p, o, n, w, h: vim_ex(p, o, n, h, "auto")),
    "vim-yes": ("edit", lambda p, o, n, w, h: vim_ex(p, o, n, h, "yes")),
    "vim-no-backup": ("edit", lambda p, o, n, w, h: vim_ex(p, o, n, h, "no", backup=True)),
    "vim-tmux": ("edit", vim_tmux),
    "nano": ("edit", nano_tmux),
    "emacs": ("edit", lambda p, o, n, w, h: emacs_batch(p, o, n, h)),
    "sed-i": ("edit", lambda p, o, n, w, h: sed_i(p, o, n, h)),
    "cp": ("data", lambda p, d, w, h: cp(p, d, h, w)),
    "cp-a": ("data", lambda p, d, w, h: cp_a(p, d, h, w)),
    "tee": ("data", lambda p, d, w, h: tee(p, d, h, w)),
    "shell-redirect": ("data", lambda p, d, w, h: shell_redirect(p, d, h, w)),
    "rsync": ("data", lambda p, d, w, h: rsync(p, d, h, w)),
    "rsync-a": ("data", lambda p, d, w, h: rsync_a(p, d, h, w)),
    "mv-temp": ("data", lambda p, d, w, h: mv_temp(p, d, h, w)),
    "python-truncate": ("data", lambda p, d, w, h: python_truncate_write(p, d)),
}


def save_with(name, path, before, old, new, workdir, home):
    """Saves before.replace(old, new) into path with saver `name`; returns (outcome, bytes)."""
    how, fn = SAVERS[name]
    data = before.replace(old.encode(), new.encode())
    if how == "edit":
        return fn(path, old, new, workdir, home), data
    return fn(path, data, workdir, home), data


def have(program):
    return shutil.which(program) is not None
