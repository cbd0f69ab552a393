#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one phase of the conformance calls in a directory.

    conform.py PHASE DIR

test-conformance.sh runs every phase, each as its user, once in posix/
through the mount and once in a tmpfs directory of its own, and compares
the two outputs line by line.  Each line is one call: what it returned
(ok, or the errno's name) and then what it left, as stat(2) shows it
through the same directory: the mode, owner, size and blocks of the
files it touched, and which of their times, and the directory's, moved.
Nothing here knows which directory it is in.
"""
import ctypes
import errno
import os
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate64.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong,
                             ctypes.c_longlong]
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                           ctypes.c_char_p, ctypes.c_uint]


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


AT_FDCWD = -100
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT = 1, 2, 4
KEEP_SIZE, PUNCH_HOLE, COLLAPSE, ZERO_RANGE, INSERT = 1, 2, 8, 0x10, 0x20
LONG = "n" * 256
# Far from now, so that any change the kernel makes to a time shows.
OLD = 946684800


def check(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def fallocate(fd, mode, off, length):
    check(libc.fallocate64(fd, mode, off, length))


def renameat2(a, b, flags):
    check(libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags))


def utimensat(path, a, m):
    """A and M: (sec, nsec), or UTIME_NOW / UTIME_OMIT."""
    def ts(t):
        return Timespec(0, t) if isinstance(t, int) else Timespec(*t)
    tv = (Timespec * 2)(ts(a), ts(m))
    check(libc.utimensat(AT_FDCWD, path.encode(), tv, 0))


class Phase:
    def __init__(self, d):
        self.d = d

    def p(self, name):
        return self.d if name == "." else os.path.join(self.d, name)

    def st(self, name):
        try:
            return os.lstat(self.p(name))
        except OSError:
            return None

    def show(self, name, before, after, atime):
        if after is None:
            return f"{name} absent"
        out = (f"{name} {after.st_mode & 0o7777:04o} "
               f"{after.st_uid}:{after.st_gid}")
        if name != ".":
            out += f" size {after.st_size} blocks {after.st_blocks}"
            out += f" links {after.st_nlink}"
        if before is None:
            return out + " new"
        moved = [t for t in (["atime"] if atime else []) + ["mtime", "ctime"]
                 if getattr(before, f"st_{t}_ns") !=
                 getattr(after, f"st_{t}_ns")]
        return out + (" " + ",".join(moved) if moved else "")

    def call(self, label, fn, *names, atime=False, exact=False):
        """Do FN; print what it returned and what NAMES and "." show."""
        names = names + (".",)
        before = [self.st(n) for n in names]
        time.sleep(0.011)  # past the kernel's clock tick: a change shows
        try:
            r = fn()
            res = "ok" if r is None else f"ok {r}"
        except OSError as e:
            res = errno.errorcode.get(e.errno, str(e.errno))
        shown = [self.show(n, b, self.st(n), atime)
                 for n, b in zip(names, before)]
        if exact:
            a = self.st(names[0])
            shown.append("times " + (f"{a.st_atime_ns} {a.st_mtime_ns}"
                                     if a else "-"))
        print(f"{label}: {res} | " + " | ".join(shown), flush=True)

    def age(self, *names):
        """Set times long past, so that a change to them shows."""
        for n in names:
            try:
                os.utime(self.p(n), ns=(OLD * 10**9, OLD * 10**9))
            except OSError:
                pass

    # ---- building blocks ----
    def open(self, name, flags, mode=0o644):
        def f():
            os.close(os.open(self.p(name), flags, mode))
        return f

    def on_fd(self, name, flags, fn):
        def f():
            fd = os.open(self.p(name), flags)
            try:
                return fn(fd)
            finally:
                os.close(fd)
        return f

    def write(self, name, data):
        def f():
            fd = os.open(self.p(name), os.O_WRONLY)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        return f


def setup(t):
    """As root: files of several owners and modes."""
    os.umask(0o022)
    for name, owner, mode, data in [
            ("r600", (0, 0), 0o600, b"root"),
            ("r644", (0, 0), 0o644, b"root"),
            ("r666", (0, 0), 0o666, b"root"),
            ("u1", (1001, 1001), 0o644, b"one"),
            ("u1g", (1001, 2000), 0o660, b"one"),
            ("u1x", (1001, 3000), 0o644, b"one"),
            ("u1suid", (1001, 1001), 0o6755, b"one"),
            ("u1fsuid", (1001, 1001), 0o6755, b"one"),
            ("u1wsuid", (1001, 1001), 0o6755, b"one"),
            ("u1csuid", (1001, 2000), 0o6755, b"one"),
            ("u2", (1002, 1002), 0o600, b"two"),
            ("rsuid", (0, 0), 0o4755, b"root"),
            ("r2suid", (0, 0), 0o4755, b"root"),
            ("wh1", (1001, 1001), 0o644, b"one"),
            ("wh3", (0, 0), 0o644, b"root"),
            ("lk", (0, 0), 0o644, b"root"),
            ("hole", (0, 0), 0o666, b""),
    ]:
        t.call(f"create {name}", t.open(name, os.O_CREAT | os.O_EXCL |
                                        os.O_WRONLY, 0o600), name)
        t.call(f"write {name}", t.write(name, data), name)
        t.call(f"chown {name}", lambda n=name, o=owner:
               os.chown(t.p(n), *o), name)
        t.call(f"chmod {name}", lambda n=name, m=mode:
               os.chmod(t.p(n), m), name)
    t.call("sparse hole", t.on_fd("hole", os.O_RDWR, lambda fd: (
        os.ftruncate(fd, 1 << 20), os.pwrite(fd, b"x", 256 << 10))[1]),
        "hole")


def user1(t):
    """As 1001, in groups 1001 and 2000."""
    W, R, RW = os.O_WRONLY, os.O_RDONLY, os.O_RDWR
    C, X, T = os.O_CREAT, os.O_EXCL, os.O_TRUNC
    # open
    t.call("open r600 r", t.open("r600", R), "r600")
    t.call("open r644 r", t.open("r644", R), "r644")
    t.call("open r644 w", t.open("r644", W), "r644")
    t.call("open r644 rw", t.open("r644", RW), "r644")
    t.call("open r644 r trunc", t.open("r644", R | T), "r644")
    t.call("open r644 creat", t.open("r644", W | C), "r644")
    t.call("open r666 rw", t.open("r666", RW), "r666")
    t.call("open u1g rw (group)", t.open("u1g", RW), "u1g")
    t.call("open u2 r", t.open("u2", R), "u2")
    t.call("open missing", t.open("missing", R), "missing")
    t.call("open r644 directory", t.open("r644", R | os.O_DIRECTORY), "r644")
    t.age(".")
    t.call("create new1", t.open("new1", W | C | X, 0o640), "new1")
    t.call("create new1 again", t.open("new1", W | C | X), "new1")
    # How tar makes a member with extended attributes.
    t.call("mknod regular", lambda: os.mknod(t.p("mk1"), 0o100640), "mk1")
    t.call("mknod regular again",
           lambda: os.mknod(t.p("mk1"), 0o100640), "mk1")
    t.call("create long name", t.open(LONG, W | C), LONG[:8])
    t.call("open u1 trunc", t.open("u1", W | T), "u1")
    t.age("u1g")

    def read(fd):
        return os.read(fd, 100).decode()
    t.call("read u1g", t.on_fd("u1g", R, read), "u1g", atime=True)
    # truncate
    t.call("truncate r644", lambda: os.truncate(t.p("r644"), 10), "r644")
    t.call("truncate r666", lambda: os.truncate(t.p("r666"), 10), "r666")
    t.call("truncate u1 grow", lambda: os.truncate(t.p("u1"), 100), "u1")
    t.call("truncate u1 negative", lambda: os.truncate(t.p("u1"), -1), "u1")
    t.call("truncate missing", lambda: os.truncate(t.p("missing"), 1),
           "missing")
    t.call("truncate u1suid", lambda: os.truncate(t.p("u1suid"), 0),
           "u1suid")
    # ftruncate
    t.call("ftruncate r666", t.on_fd("r666", RW,
                                     lambda fd: os.ftruncate(fd, 5)), "r666")
    t.call("ftruncate read-only fd", t.on_fd(
        "r644", R, lambda fd: os.ftruncate(fd, 5)), "r644")
    t.call("ftruncate negative", t.on_fd(
        "u1", RW, lambda fd: os.ftruncate(fd, -1)), "u1")

    def after_chmod(fd):
        os.fchmod(fd, 0)
        os.ftruncate(fd, 7)
        os.fchmod(fd, 0o644)
    t.call("ftruncate after chmod 0", t.on_fd("u1", RW, after_chmod), "u1")

    def unlinked(fd):
        os.unlink(t.p("new1"))
        os.ftruncate(fd, 3)
        os.fchmod(fd, 0o600)
        s = os.fstat(fd)
        return f"{s.st_size} {s.st_mode & 0o777:o} {s.st_nlink}"
    t.age(".")
    t.call("ftruncate unlinked", t.on_fd("new1", RW, unlinked), "new1")
    # unlink
    t.call("unlink r644 (sticky)", lambda: os.unlink(t.p("r644")), "r644")
    t.call("unlink missing", lambda: os.unlink(t.p("missing")), "missing")
    t.call("create new2", t.open("new2", W | C), "new2")
    t.age(".")
    t.call("unlink new2", lambda: os.unlink(t.p("new2")), "new2")
    # chmod
    t.call("chmod r644", lambda: os.chmod(t.p("r644"), 0o666), "r644")
    t.call("chmod u1", lambda: os.chmod(t.p("u1"), 0o640), "u1")
    t.call("chmod u1 setgid", lambda: os.chmod(t.p("u1"), 0o2640), "u1")
    t.call("chmod u1g setgid (group)", lambda: os.chmod(t.p("u1g"), 0o2660),
           "u1g")
    t.call("chmod u1x setgid (not in group)",
           lambda: os.chmod(t.p("u1x"), 0o2644), "u1x")
    t.call("chmod u1 sticky", lambda: os.chmod(t.p("u1"), 0o1644), "u1")
    t.call("chmod missing", lambda: os.chmod(t.p("missing"), 0o644),
           "missing")
    t.call("chmod dir", lambda: os.chmod(t.d, 0o1777))
    # chown
    t.call("chown u1 to 1002", lambda: os.chown(t.p("u1"), 1002, -1), "u1")
    t.call("chgrp u1 2000", lambda: os.chown(t.p("u1"), -1, 2000), "u1")
    t.call("chgrp u1 3000", lambda: os.chown(t.p("u1"), -1, 3000), "u1")
    t.call("chown u1 -1 -1", lambda: os.chown(t.p("u1"), -1, -1), "u1")
    t.call("chown r644 -1 -1", lambda: os.chown(t.p("r644"), -1, -1), "r644")
    t.call("chgrp u1csuid 1001", lambda: os.chown(t.p("u1csuid"), -1, 1001),
           "u1csuid")
    t.call("chown dir", lambda: os.chown(t.d, 1001, -1))
    # utimensat
    t.call("utime r666 now", lambda: os.utime(t.p("r666")), "r666")
    t.call("utime r644 now", lambda: os.utime(t.p("r644")), "r644")
    t.call("utime r666 set", lambda: utimensat(t.p("r666"), (5, 0), (6, 0)),
           "r666")
    t.call("utime u1 set ns", lambda: utimensat(
        t.p("u1"), (1000000000, 123456789), (1100000000, 987654321)), "u1",
        atime=True, exact=True)
    t.call("utime u1 omit", lambda: utimensat(t.p("u1"), UTIME_OMIT,
                                              UTIME_OMIT), "u1", atime=True)
    t.call("utime u1 mtime now", lambda: utimensat(t.p("u1"), UTIME_OMIT,
                                                   UTIME_NOW), "u1",
           atime=True)
    t.call("utime missing", lambda: os.utime(t.p("missing")), "missing")
    t.call("utime dir now", lambda: os.utime(t.d))
    t.call("utime dir set", lambda: utimensat(t.d, (5, 0), (6, 0)))
    # rename
    t.call("create a", t.open("a", W | C), "a")
    t.call("create b", t.open("b", W | C), "b")
    t.call("write b", t.write("b", b"bee"), "b")
    t.age(".", "a", "b")
    t.call("rename a c", lambda: os.rename(t.p("a"), t.p("c")), "a", "c")
    t.call("rename c a", lambda: os.rename(t.p("c"), t.p("a")), "c", "a")
    t.call("rename a a", lambda: os.rename(t.p("a"), t.p("a")), "a")
    t.call("rename a b (replace)", lambda: os.rename(t.p("a"), t.p("b")),
           "a", "b")
    t.call("create a", t.open("a", W | C), "a")
    t.call("rename noreplace", lambda: renameat2(t.p("a"), t.p("b"),
                                                 RENAME_NOREPLACE), "a", "b")
    t.call("rename noreplace new", lambda: renameat2(
        t.p("a"), t.p("d"), RENAME_NOREPLACE), "a", "d")
    t.call("rename exchange", lambda: renameat2(t.p("d"), t.p("b"),
                                                RENAME_EXCHANGE), "d", "b")
    t.call("rename exchange missing", lambda: renameat2(
        t.p("d"), t.p("missing"), RENAME_EXCHANGE), "d", "missing")
    t.call("rename exchange r644", lambda: renameat2(
        t.p("d"), t.p("r644"), RENAME_EXCHANGE), "d", "r644")
    t.call("rename r644 (sticky)", lambda: os.rename(t.p("r644"), t.p("e")),
           "r644", "e")
    t.call("rename over r666 (sticky)", lambda: os.rename(t.p("d"),
                                                          t.p("r666")),
           "d", "r666")
    t.call("rename missing", lambda: os.rename(t.p("missing"), t.p("e")),
           "missing", "e")
    t.call("rename long", lambda: os.rename(t.p("d"), t.p(LONG)), "d")
    t.call("rename whiteout", lambda: renameat2(t.p("wh1"), t.p("wh2"),
                                                RENAME_WHITEOUT), "wh1", "wh2")
    # fallocate
    t.call("create f", t.open("f", W | C), "f")
    t.call("fallocate 64k", t.on_fd("f", RW, lambda fd: fallocate(
        fd, 0, 0, 65536)), "f")
    t.call("fallocate keep size", t.on_fd("f", RW, lambda fd: fallocate(
        fd, KEEP_SIZE, 0, 1 << 20)), "f")
    t.call("fallocate punch", t.on_fd("f", RW, lambda fd: fallocate(
        fd, PUNCH_HOLE | KEEP_SIZE, 4096, 8192)), "f")
    t.call("fallocate punch unaligned", t.on_fd("f", RW, lambda fd: fallocate(
        fd, PUNCH_HOLE | KEEP_SIZE, 100, 50)), "f")
    t.call("fallocate punch no keep", t.on_fd("f", RW, lambda fd: fallocate(
        fd, PUNCH_HOLE, 0, 4096)), "f")
    for name, mode in [("zero range", ZERO_RANGE), ("collapse", COLLAPSE),
                       ("insert", INSERT)]:
        t.call(f"fallocate {name}", t.on_fd("f", RW, lambda fd, m=mode:
                                            fallocate(fd, m, 0, 4096)), "f")
    t.call("fallocate read-only fd", t.on_fd("f", os.O_RDONLY, lambda fd:
                                             fallocate(fd, 0, 0, 4096)), "f")
    t.call("fallocate len 0", t.on_fd("f", RW, lambda fd: fallocate(
        fd, 0, 0, 0)), "f")
    t.call("fallocate offset -1", t.on_fd("f", RW, lambda fd: fallocate(
        fd, 0, -1, 10)), "f")
    t.call("fallocate past the maximum", t.on_fd("f", RW, lambda fd:
                                                 fallocate(fd, 0, 1 << 62,
                                                           1 << 62)), "f")
    t.call("fallocate no space", t.on_fd("f", RW, lambda fd: fallocate(
        fd, 0, 0, 1 << 40)), "f")
    t.call("fallocate r666", t.on_fd("r666", W, lambda fd: fallocate(
        fd, 0, 0, 8192)), "r666")
    t.call("write u1wsuid", t.write("u1wsuid", b"x"), "u1wsuid")
    t.call("fallocate u1fsuid", t.on_fd("u1fsuid", RW, lambda fd: fallocate(
        fd, 0, 0, 8192)), "u1fsuid")
    # lseek
    for off in (0, 256 << 10, 300 << 10, 2 << 20):
        for w, wn in [(os.SEEK_DATA, "data"), (os.SEEK_HOLE, "hole")]:
            t.call(f"lseek {wn} {off}", t.on_fd("hole", os.O_RDONLY, lambda
                                                fd, o=off, w=w:
                                                os.lseek(fd, o, w)))


def user2(t):
    """As 1002, in no group but its own."""
    t.call("open u1g r", t.open("u1g", os.O_RDONLY), "u1g")
    t.call("open u2 rw", t.open("u2", os.O_RDWR), "u2")
    t.call("rename u1 (sticky)", lambda: os.rename(t.p("u1"), t.p("x2")),
           "u1", "x2")
    t.call("rename u2 over u1 (sticky)", lambda: os.rename(t.p("u2"),
                                                          t.p("u1")),
           "u2", "u1")
    t.call("rename u2 x2", lambda: os.rename(t.p("u2"), t.p("x2")),
           "u2", "x2")
    t.call("unlink u1 (sticky)", lambda: os.unlink(t.p("u1")), "u1")
    t.call("chmod u1", lambda: os.chmod(t.p("u1"), 0o777), "u1")
    t.call("utime u1g now (no write)", lambda: os.utime(t.p("u1g")), "u1g")
    t.call("truncate u1g", lambda: os.truncate(t.p("u1g"), 0), "u1g")
    t.call("fallocate x2", t.on_fd("x2", os.O_RDWR, lambda fd: fallocate(
        fd, 0, 0, 4096)), "x2")


def root(t):
    """As root: every right, still the kernel's rules."""
    t.call("open u2 rw", t.open("u2", os.O_RDWR), "u2")
    t.call("open r644 directory", t.open("r644", os.O_RDONLY |
                                         os.O_DIRECTORY), "r644")
    t.call("truncate x2", lambda: os.truncate(t.p("x2"), 1000), "x2")
    t.call("chmod x2", lambda: os.chmod(t.p("x2"), 0o4711), "x2")
    t.call("chown x2", lambda: os.chown(t.p("x2"), 1001, 2000), "x2")
    t.call("chown rsuid", lambda: os.chown(t.p("rsuid"), 0, 0), "rsuid")
    t.call("utime x2 set", lambda: utimensat(t.p("x2"), (7, 8), (9, 10)),
           "x2", atime=True, exact=True)
    t.call("rename x2 over u1", lambda: os.rename(t.p("x2"), t.p("u1")),
           "x2", "u1")
    t.call("rename exchange u1 r644", lambda: renameat2(
        t.p("u1"), t.p("r644"), RENAME_EXCHANGE), "u1", "r644")
    t.call("rename whiteout", lambda: renameat2(t.p("wh3"), t.p("wh4"),
                                                RENAME_WHITEOUT), "wh3", "wh4")
    t.call("unlink r644", lambda: os.unlink(t.p("r644")), "r644")
    t.call("fallocate r2suid", t.on_fd("r2suid", os.O_RDWR, lambda fd:
                                       fallocate(fd, 0, 0, 4096)), "r2suid")
    t.call("chmod dir", lambda: os.chmod(t.d, 0o1770))
    t.call("chmod dir back", lambda: os.chmod(t.d, 0o1777))
    t.call("chown dir", lambda: os.chown(t.d, 0, 0))
    t.call("utime dir set ns", lambda: utimensat(t.d, (11, 12), (13, 14)),
           atime=True, exact=True)
    t.call("utime dir now", lambda: os.utime(t.d), atime=True)
    # Only objects: at the end, as the tmpfs directory now holds more.
    t.call("mkdir", lambda: os.mkdir(t.p("sub")), "sub")
    t.call("symlink", lambda: os.symlink("r666", t.p("sl")), "sl")
    t.call("link", lambda: os.link(t.p("lk"), t.p("lk2")), "lk", "lk2")
    t.call("mknod fifo", lambda: os.mkfifo(t.p("fifo")), "fifo")
    t.call("mknod regular", lambda: os.mknod(t.p("mk2"), 0o100600), "mk2")


def nocaps(t):
    """As root without capabilities: only an owner's rights."""
    t.call("open u1g r", t.open("u1g", os.O_RDONLY), "u1g")
    t.call("chmod r600 (own)", lambda: os.chmod(t.p("r600"), 0o640), "r600")
    t.call("chmod u1x", lambda: os.chmod(t.p("u1x"), 0o600), "u1x")
    t.call("unlink u1g (the directory's owner)",
           lambda: os.unlink(t.p("u1g")), "u1g")


# What the deliberate differences left differently.
DIFFERENT = ["wh1", "wh2", "wh3", "wh4", "u1x", "sl", "lk", "lk2",
             "fifo"]


def tidy(t):
    """As root, silently: remove what the differences left."""
    for name in DIFFERENT:
        try:
            os.unlink(t.p(name))
        except OSError:
            pass
    try:
        os.rmdir(t.p("sub"))
    except OSError:
        pass


def listing(t):
    """What is left, as ls -la would show it."""
    for name in sorted(os.listdir(t.d)):
        s = os.lstat(t.p(name))
        print(f"{name}: {s.st_mode:o} {s.st_uid}:{s.st_gid} {s.st_size}")


PHASES = {"setup": setup, "user1": user1, "user2": user2, "root": root,
          "nocaps": nocaps, "tidy": tidy, "listing": listing}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in PHASES:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(PHASES)} DIR")
    PHASES[sys.argv[1]](Phase(sys.argv[2]))
