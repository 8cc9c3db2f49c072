"""Start, wait for and cancel sandboxed jobs.

A job is one bubblewrap process (the *outer* bwrap, leader of its own process group — its pid
is the job's ``pgid``) whose child is the sandbox's init (PID 1 in the job's PID namespace). When
that init dies the kernel kills every process of the job; when the outer bwrap dies the init
is killed too (``--die-with-parent``). So stopping a job never has to find its processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from gamyeong.runner import folders
from gamyeong.runner.errors import RunnerError
from gamyeong.runner.outcome import CANCEL_SIGNAL, Status, classify, messages
from gamyeong.runner.sandbox import (
    JOB_MARKER,
    JobSpec,
    build_argv,
    bwrap_path,
    generated_files,
    privileged,
    rscript_path,
)

OUTPUT_CHECK_SECONDS = 1.0
TAIL_BYTES = 8192
REPORT_FIELDS = ("returncode", "cpu_seconds", "max_rss_bytes")


@dataclass(frozen=True)
class JobResult:
    """How a job ended.

    ``status``: ``succeeded`` (exit 0), ``failed`` (non-zero exit, including a refused file
    size or process count), ``timeout`` (CPU or wall-time limit), ``killed`` (SIGKILL from
    outside, or stopped for exceeding ``output_bytes``), ``out_of_memory`` (an allocation
    beyond ``memory_bytes`` failed), ``cancelled`` (:func:`cancel`). ``reason`` says which, in
    one word: ``ok``, ``exit_code``, ``cpu_time``, ``wall_time``, ``memory``, ``file_size``,
    ``processes``, ``output_size``, ``signal``, ``cancelled``; ``message_ko``/``message_en``
    say it in a sentence for the researcher.

    ``exit_code``: the script's exit status as a shell shows it (128 + N after signal N);
    ``None`` when the runner or :func:`cancel` stopped the sandbox. ``cpu_seconds``: user +
    system time of the script and its child processes (when the sandbox was killed: the last
    sample, at most a second old). ``max_rss_bytes``: peak resident memory of the script's
    largest process (None when the sandbox was killed). ``removed_outputs``: what was deleted
    from the outputs directory because it was not a regular file or directory (a symbolic link
    could point a reviewer at a host file).
    """

    status: Status
    reason: str
    exit_code: int | None
    cpu_seconds: float
    wall_seconds: float
    max_rss_bytes: int | None
    log_path: Path
    log_truncated: bool
    message_ko: str
    message_en: str
    removed_outputs: tuple[str, ...] = ()


@dataclass
class RunningJob:
    """A started job. ``pgid`` (= ``pid``, the outer bwrap) is what another process passes to
    :func:`cancel`; ``token`` is the job's marker, also in its environment as ``GAMYEONG_JOB``.
    """

    spec: JobSpec
    pid: int
    pgid: int
    token: str
    started_at: float
    sandbox_pid: int
    _process: subprocess.Popen[bytes] = field(repr=False)
    _log: _LogPump = field(repr=False)
    _sandbox_started: int | None = field(repr=False)
    _clock: float = field(repr=False)
    _report_fd: int = field(repr=False)
    _pid_namespace: int = field(repr=False)


class _LogPump(threading.Thread):
    """Copies the job's standard output and error into the log, up to ``limit`` bytes; keeps
    reading (and dropping) after that so the job never blocks, and remembers the last bytes."""

    def __init__(self, fd: int, path: Path, limit: int) -> None:
        super().__init__(name=f"gamyeong-log-{path.name}", daemon=True)
        self.fd = fd
        self.out = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640
        )
        self.limit = limit
        self.written = 0
        self.truncated = False
        self.tail: deque[bytes] = deque()
        self.tail_size = 0

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 65536):
                self._keep(chunk)
                room = self.limit - self.written
                try:
                    if room > 0:
                        self.written += os.write(self.out, chunk[:room])
                    if len(chunk) > room and not self.truncated:
                        self.truncated = True
                        os.write(
                            self.out,
                            f"\n[gamyeong] 로그가 {self.limit} 바이트에서 잘렸습니다 "
                            f"(log truncated at {self.limit} bytes)\n".encode(),
                        )
                except OSError:  # e.g. a full disk: keep draining so the job never blocks
                    self.written = self.limit
        finally:
            os.close(self.fd)
            os.close(self.out)

    def close(self) -> None:
        """Give up before starting (bwrap did not start)."""
        os.close(self.fd)
        os.close(self.out)

    def _keep(self, chunk: bytes) -> None:
        self.tail.append(chunk[-TAIL_BYTES:])
        self.tail_size += len(self.tail[-1])
        while self.tail_size - len(self.tail[0]) >= TAIL_BYTES:
            self.tail_size -= len(self.tail.popleft())

    def last_text(self) -> str:
        return b"".join(self.tail)[-TAIL_BYTES:].decode(errors="replace")


def start(spec: JobSpec) -> RunningJob:
    """Start ``spec`` in a sandbox; returns once the script itself is starting.

    Raises :class:`RunnerError` (nothing runs) when a tool, the script or a directory is
    missing or unusable, or when bubblewrap cannot build the sandbox (its message included).
    The outputs directory is created if needed. Call :func:`wait` from the same process, and
    from a thread that lives as long as the job: the job is killed when that thread ends
    (bubblewrap's ``--die-with-parent``).
    """
    bwrap_path()
    if spec.language == "r":
        rscript_path()
    elif spec.language != "python":
        raise RunnerError(
            f"지원하지 않는 언어입니다: {spec.language!r} (python 또는 r)",
            f"unsupported language {spec.language!r} (python or r)",
        )
    folders.check_paths(spec)
    folders.prepare_outputs(spec)
    spec.log_path.parent.mkdir(parents=True, exist_ok=True)

    try:
        script_fd = os.open(spec.script, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise RunnerError(
            f"스크립트를 읽을 수 없습니다: {spec.script} ({exc.strerror})",
            f"cannot read the script {spec.script} ({exc.strerror})",
        ) from None
    opened = [script_fd]  # descriptors to close in this process once bwrap has them
    try:
        return _launch(spec, script_fd, opened)
    finally:
        for fd in opened:
            with contextlib.suppress(OSError):
                os.close(fd)


def _launch(spec: JobSpec, script_fd: int, opened: list[int]) -> RunningJob:
    token = secrets.token_hex(8)
    file_fds = {}
    for dest, content in generated_files(spec).items():
        fd = os.memfd_create("gamyeong-sandbox-file")
        opened.append(fd)
        os.write(fd, content)
        os.lseek(fd, 0, os.SEEK_SET)
        file_fds[dest] = fd
    info_read, info_write = os.pipe()
    report_read, report_write = os.pipe()
    log_read, log_write = os.pipe()
    opened += [info_read, info_write, report_write, log_write]
    argv = build_argv(
        spec,
        token=token,
        script_fd=script_fd,
        file_fds=file_fds,
        info_fd=info_write,
        report_fd=report_write,
    )
    try:
        pump = _LogPump(log_read, spec.log_path, spec.limits.log_bytes)
    except OSError as exc:
        os.close(log_read)
        os.close(report_read)
        raise RunnerError(
            f"로그 파일을 만들 수 없습니다: {spec.log_path} ({exc.strerror})",
            f"cannot create the log file {spec.log_path} ({exc.strerror})",
        ) from None
    clock = time.monotonic()
    started_at = time.time()
    try:
        process = subprocess.Popen(  # noqa: S603 (the command is built above, not a shell)
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_write,
            stderr=log_write,
            pass_fds=[script_fd, *file_fds.values(), info_write, report_write],
            start_new_session=True,
            cwd="/",
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
    except OSError as exc:
        os.close(report_read)
        pump.close()
        raise RunnerError(
            f"bubblewrap을 시작할 수 없습니다: {exc}", f"cannot start bubblewrap: {exc}"
        ) from None
    for fd in [info_write, report_write, log_write]:  # only bwrap may hold the write ends
        os.close(fd)
        opened.remove(fd)
    pump.start()
    try:
        details = json.loads(_read_all(info_read) or b"{}")
        if _read_exactly(report_read, 3) != b"ok\n":
            process.wait()
            pump.join(timeout=10)
            message = pump.last_text().strip() or f"exit {process.returncode}"
            raise RunnerError(
                f"샌드박스를 만들지 못했습니다: {message}",
                f"the sandbox could not be set up: {message}",
            )
        sandbox_pid = int(details["child-pid"])
    except BaseException:
        os.close(report_read)
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise
    return RunningJob(
        spec=spec,
        pid=process.pid,
        pgid=process.pid,
        token=token,
        started_at=started_at,
        sandbox_pid=sandbox_pid,
        _process=process,
        _log=pump,
        _sandbox_started=_start_time(sandbox_pid),
        _clock=clock,
        _report_fd=report_read,
        _pid_namespace=int(details.get("pid-namespace", 0)),
    )


def wait(job: RunningJob) -> JobResult:
    """Wait until ``job`` ends, enforcing the wall-time and outputs-size limits; then tidy the
    outputs directory and say how the job ended."""
    limits = job.spec.limits
    deadline = job._clock + limits.wall_seconds
    next_check = job._clock + OUTPUT_CHECK_SECONDS
    stopped_for: str | None = None
    stopped_at = 0.0
    cpu_seen = 0.0
    while True:
        pid, status, usage = os.wait4(job.pid, os.WNOHANG)
        if pid:
            break
        now = time.monotonic()
        if stopped_for is not None and now >= stopped_at + 5:  # still there: the whole group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.pgid, signal.SIGKILL)
            stopped_at = now
        if stopped_for is None and now >= deadline:
            stopped_for, stopped_at = "wall_time", now
            cpu_seen = max(cpu_seen, _sandbox_cpu(job))
            _kill_sandbox(job)
        elif stopped_for is None and now >= next_check:
            next_check = now + OUTPUT_CHECK_SECONDS
            cpu_seen = max(cpu_seen, _sandbox_cpu(job))
            if folders.outputs_size(job.spec.outputs_dir) > limits.output_bytes:
                stopped_for, stopped_at = "output_size", now
                _kill_sandbox(job)
        time.sleep(0.05 if now - job._clock < 2 else 0.2)
    wall = time.monotonic() - job._clock
    bwrap_code = os.waitstatus_to_exitcode(status)
    job._process.returncode = bwrap_code
    if bwrap_code < 0:  # the outer bwrap was killed: make sure the sandbox is gone too
        _kill_sandbox(job)
        _await_gone(job)
    report = _read_report(job._report_fd)
    job._log.join(timeout=10)
    owner = (os.geteuid(), os.getegid()) if privileged() else None
    removed = folders.tidy_outputs(job.spec.outputs_dir.resolve(), owner)
    if report is not None:
        script_code: int | None = int(report["returncode"])
        cpu = float(report["cpu_seconds"])
        peak: int | None = int(report["max_rss_bytes"])
    else:
        script_code, peak = None, None
        cpu = max(cpu_seen, usage.ru_utime + usage.ru_stime)
    status_, reason, exit_code = classify(
        bwrap_code, script_code, stopped_for, cpu, limits.cpu_seconds, job._log.last_text()
    )
    korean, english = messages(reason, exit_code, job.spec)
    return JobResult(
        status=status_,
        reason=reason,
        exit_code=exit_code,
        cpu_seconds=round(cpu, 3),
        wall_seconds=round(wall, 3),
        max_rss_bytes=peak,
        log_path=job.spec.log_path,
        log_truncated=job._log.truncated,
        message_ko=korean,
        message_en=english,
        removed_outputs=tuple(removed),
    )


def run(spec: JobSpec) -> JobResult:
    """:func:`start` then :func:`wait`."""
    return wait(start(spec))


def is_running(pgid: int) -> bool:
    """True when ``pgid`` is a job of this runner that has not ended (any process may ask)."""
    try:
        args = Path(f"/proc/{pgid}/cmdline").read_bytes().split(b"\0")
        fields = Path(f"/proc/{pgid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    state, group = fields[0], int(fields[2])
    return (
        group == pgid
        and state != "Z"
        and Path(args[0].decode(errors="replace")).name == "bwrap"
        and JOB_MARKER.encode() in args
    )


def cancel(job: RunningJob | int) -> bool:
    """Stop a job, from any process: ``job`` is a :class:`RunningJob` or its ``pgid``.

    Sends SIGTERM to the outer bwrap (after checking that ``pgid`` really is a job of this
    runner, so a stale pgid from the database never hits another process); bwrap dies, the
    kernel kills every process of the sandbox, and :func:`wait` reports ``cancelled``. Returns
    False when there was no such job any more.
    """
    pgid = job.pgid if isinstance(job, RunningJob) else int(job)
    if not is_running(pgid):
        return False
    try:
        os.killpg(pgid, CANCEL_SIGNAL)
    except ProcessLookupError:
        return False
    except PermissionError:
        raise RunnerError(
            f"작업 {pgid}을(를) 중지할 권한이 없습니다 (작업을 시작한 사용자로 실행하세요)",
            f"not allowed to stop job {pgid} (run as the user that started it)",
        ) from None
    return True


def _read_all(fd: int) -> bytes:
    data = b""
    while chunk := os.read(fd, 4096):
        data += chunk
    return data


def _read_exactly(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes; fewer when every writer closed the pipe first."""
    data = b""
    while len(data) < size and (chunk := os.read(fd, size - len(data))):
        data += chunk
    return data


def _read_report(fd: int, timeout: float = 10.0) -> dict[str, float] | None:
    """The launcher's JSON summary of the script's end; None when the sandbox was killed
    before the launcher could write it."""
    data = b""
    end = time.monotonic() + timeout
    try:
        while (left := end - time.monotonic()) > 0 and select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    try:
        report = json.loads(data)
        return {name: float(report[name]) for name in REPORT_FIELDS}
    except (ValueError, TypeError, KeyError):
        return None


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot), to recognise it later."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _sandbox_cpu(job: RunningJob) -> float:
    """CPU seconds used so far by the job: user + system time of every process in its PID
    namespace, plus that of the children they have already reaped."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "ns" / "pid").stat().st_ino != job._pid_namespace:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _kill_sandbox(job: RunningJob) -> None:
    """SIGKILL the sandbox's init: the kernel then kills every process of the job, and the
    outer bwrap exits with it (so the job's CPU time is still accounted). Falls back to the
    outer bwrap's process group."""
    started = job._sandbox_started
    if started is not None and _start_time(job.sandbox_pid) == started:
        try:
            os.kill(job.sandbox_pid, signal.SIGKILL)
            return
        except ProcessLookupError:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(job.pgid, signal.SIGKILL)


def _await_gone(job: RunningJob, timeout: float = 10.0) -> None:
    """Wait until the sandbox's init has ended (or is a zombie: its processes are gone)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            text = Path(f"/proc/{job.sandbox_pid}/stat").read_text()
        except OSError:
            return
        fields = text.rsplit(")", 1)[1].split()
        if fields[0] in ("Z", "X") or int(fields[19]) != job._sandbox_started:
            return
        time.sleep(0.02)
