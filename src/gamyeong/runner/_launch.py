"""Runs *inside* the sandbox, between bubblewrap and the researcher's interpreter.

Started as ``python -I -S _launch.py SETTINGS_JSON`` (standard library only). It

1. when bubblewrap ran as root: drops to the job's uid/gid (no supplementary groups) and moves
   into a user namespace of its own, mapped to that uid only, in which no further user
   namespace can be created — so RLIMIT_NPROC counts this job's processes alone, even when
   several jobs share a uid;
2. sets the resource limits (soft = hard, except CPU: hard = soft + 5 s), the umask, closes
   every inherited descriptor but standard input, output and error;
3. writes "ok" on the report descriptor (the runner waits for it: the sandbox is complete),
   starts the interpreter in a child process (the descriptor is closed there) and waits for it;
4. writes the script's return code (negative: killed by that signal), CPU time and peak
   memory as JSON on the report descriptor, and exits with the script's status.

Any failure before the script starts is reported on standard error and ends with exit code 125.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys
from typing import NoReturn

PR_SET_DUMPABLE = 4
CLONE_NEWUSER = 0x10000000
SETUP_FAILED = 125


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"[gamyeong sandbox] {message}\n")
    sys.stderr.flush()
    os._exit(SETUP_FAILED)


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        _fail("could not drop root privileges")
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid or os.getgroups():
        _fail("could not drop root privileges")
    libc = ctypes.CDLL(None, use_errno=True)
    # setuid() made the process non-dumpable, which would hide /proc/self/uid_map from it.
    libc.prctl(PR_SET_DUMPABLE, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), 0)
    if libc.unshare(CLONE_NEWUSER) != 0:
        # Unprivileged user namespaces are disabled on this host: the process limit then counts
        # every process of this uid on the machine, and nested namespaces are impossible anyway.
        sys.stderr.write(
            "[gamyeong sandbox] note: no user namespace "
            f"({os.strerror(ctypes.get_errno())}); the process limit is shared by uid {uid}\n"
        )
        return
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _write("/proc/sys/user/max_user_namespaces", "0")


def main(argv: list[str]) -> None:
    try:
        settings = json.loads(argv[1])
        if settings["drop_to"] is not None:
            _drop_privileges(*settings["drop_to"])
        for name, (soft, hard) in settings["rlimits"].items():
            resource.setrlimit(getattr(resource, name), (soft, hard))
        os.umask(settings["umask"])
        report = settings["report_fd"]
        os.closerange(3, report)
        os.closerange(report + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        os.set_inheritable(report, False)
        command = settings["argv"]
        os.write(report, b"ok\n")
    except Exception as exc:
        _fail(f"setup failed: {exc!r}")
    child = os.fork()
    if child == 0:
        try:
            os.execv(command[0], command)  # noqa: S606 (the interpreter, no shell)
        except OSError as exc:
            _fail(f"cannot start {command[0]}: {exc}")
    _, status, usage = os.wait4(child, 0)
    code = os.waitstatus_to_exitcode(status)
    summary = {
        "returncode": code,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_bytes": usage.ru_maxrss * 1024,
    }
    os.write(report, json.dumps(summary).encode())
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main(sys.argv)
