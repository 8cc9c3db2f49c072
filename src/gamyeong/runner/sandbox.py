"""What a job sees: the bubblewrap command line, the environment, the launcher's settings.

Inside the sandbox (see docs/sandbox.md)::

    /workspace            read-only, working directory
    /workspace/script.py  (or script.R) a read-only copy of the researcher's script
    /workspace/gamyeong.R R jobs: the R analysis helpers, read-only
    /workspace/data       the project's data directory, read-only
    /workspace/outputs    the job's outputs directory, the only writable host directory
    /tmp, /dev/shm        private tmpfs (size-limited), gone when the job ends
    /usr, /bin, /lib*     read-only; a few files of /etc; the Python installation, the venv and
                          the gamyeong package read-only (at their host paths)

No network (own network namespace with only a loopback device), own PID, IPC, UTS and cgroup
namespaces, no capabilities, an unprivileged uid.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, TypedDict

import gamyeong
from gamyeong.runner.errors import RunnerError
from gamyeong.runner.limits import Limits

Language = Literal["python", "r"]

WORKSPACE = "/workspace"
DATA = "/workspace/data"
OUTPUTS = "/workspace/outputs"
SCRIPT_NAMES: dict[str, str] = {"python": "script.py", "r": "script.R"}
TMP = "/tmp"  # noqa: S108 (the sandbox's own private tmpfs)
SHM = "/dev/shm"  # noqa: S108
HOSTNAME = "gamyeong-sandbox"
NOBODY = 65534
JOB_MARKER = "GAMYEONG_JOB"
# Host files of /etc the interpreters need (shared libraries, R's configuration, time zone,
# fonts for plots). Nothing else of /etc — no shadow, no passwd (a generated one is used).
ETC_ENTRIES = (
    "alternatives",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "R",
    "fonts",
    "mime.types",
    "papersize",
)
ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
LAUNCHER = Path(__file__).resolve().parent / "_launch.py"
R_HELPERS = Path(gamyeong.__file__).resolve().parent / "analysis" / "r" / "gamyeong.R"
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "POLARS_MAX_THREADS",
    "RAYON_NUM_THREADS",
)


@dataclass(frozen=True)
class JobSpec:
    """One job: which script, in which language, on which data, with which limits.

    ``uid``/``gid`` are the host ids the job runs as when the runner is root (the default is
    ``nobody``); when the runner is not root the job runs as the runner's own user and ``uid``
    and ``gid`` are only the ids shown inside the sandbox.
    """

    script: Path
    language: Language
    data_dir: Path
    outputs_dir: Path
    log_path: Path
    limits: Limits = field(default_factory=Limits)
    uid: int = NOBODY
    gid: int = NOBODY


class Availability(TypedDict):
    """What :func:`available` found. ``problems`` holds one "한국어 (English)" line each."""

    bwrap: str | None
    rscript: str | None
    python: str
    privileged: bool
    sandbox: bool
    problems: list[str]


def privileged() -> bool:
    """True when the runner is root: bubblewrap then needs no user namespace, and the job is
    switched to ``JobSpec.uid`` inside the sandbox."""
    return os.geteuid() == 0


def bwrap_path() -> str:
    found = shutil.which("bwrap")
    if found is None:
        raise RunnerError(
            "bubblewrap(bwrap)가 설치되어 있지 않아 분석 작업을 실행할 수 없습니다 "
            "(apt-get install bubblewrap)",
            "bubblewrap (bwrap) is not installed, so analysis jobs cannot run "
            "(apt-get install bubblewrap)",
        )
    return found


def rscript_path() -> str:
    found = shutil.which("Rscript")
    if found is None:
        raise RunnerError(
            "R(Rscript)이 설치되어 있지 않아 R 스크립트를 실행할 수 없습니다 "
            "(apt-get install r-base-core)",
            "R (Rscript) is not installed, so R scripts cannot run (apt-get install r-base-core)",
        )
    return found


def python_dirs() -> list[Path]:
    """Host directories the Python interpreter needs, bound read-only at the same paths: the
    Python installation, the virtual environment, the gamyeong package (for an editable
    install it lives outside the venv). Directories under /usr are bound anyway."""
    candidates = [
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix).resolve(),
        Path(gamyeong.__file__).resolve().parent,
    ]
    chosen: list[Path] = []
    for path in candidates:
        covered = [Path("/usr"), *chosen]
        if any(path == done or done in path.parents for done in covered):
            continue
        chosen = [done for done in chosen if path not in done.parents] + [path]
    return chosen


def masked_dirs() -> list[Path]:
    """Directories hidden (by an empty tmpfs) inside the bound package: a ``var/`` created by
    running the portal from the package directory holds a secret key."""
    package = Path(gamyeong.__file__).resolve().parent
    return [path for path in [package / "var"] if path.is_dir()]


def interpreter(spec: JobSpec) -> list[str]:
    """The command the launcher replaces itself with."""
    script = f"{WORKSPACE}/{SCRIPT_NAMES[spec.language]}"
    if spec.language == "r":
        return [rscript_path(), "--vanilla", script]
    return [sys.executable, "-B", "-s", "-u", script]


def environment(spec: JobSpec, token: str) -> dict[str, str]:
    """The job's whole environment (nothing is inherited from the runner)."""
    threads = str(spec.limits.threads)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": TMP,
        "TMPDIR": TMP,
        "USER": "sandbox",
        "LOGNAME": "sandbox",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{TMP}/matplotlib",
        **dict.fromkeys(THREAD_VARIABLES, threads),
        "GAMYEONG_DATA": DATA,
        "GAMYEONG_OUTPUTS": OUTPUTS,  # where gamyeong.analysis sessions write
        JOB_MARKER: token,
    }


def generated_files(spec: JobSpec) -> dict[str, bytes]:
    """Small files written into the sandbox instead of the host's: users, groups, hosts."""
    return {
        "/etc/passwd": (
            "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"sandbox:x:{spec.uid}:{spec.gid}:gamyeong sandbox:/tmp:/usr/sbin/nologin\n"
        ).encode(),
        "/etc/group": f"root:x:0:\nsandbox:x:{spec.gid}:\n".encode(),
        "/etc/hosts": f"127.0.0.1 localhost {HOSTNAME}\n::1 localhost\n".encode(),
    }


def rlimits(limits: Limits) -> dict[str, tuple[int, int]]:
    """The resource limits the launcher sets (name in :mod:`resource` → soft, hard)."""
    return {
        "RLIMIT_CPU": (limits.cpu_seconds, limits.cpu_seconds + 5),
        "RLIMIT_DATA": (limits.memory_bytes, limits.memory_bytes),
        "RLIMIT_NPROC": (limits.processes, limits.processes),
        "RLIMIT_FSIZE": (limits.file_bytes, limits.file_bytes),
        "RLIMIT_NOFILE": (limits.open_files, limits.open_files),
        "RLIMIT_CORE": (0, 0),
    }


def launcher_settings(spec: JobSpec, report_fd: int) -> dict[str, object]:
    return {
        "drop_to": [spec.uid, spec.gid] if privileged() else None,
        "rlimits": rlimits(spec.limits),
        "umask": 0o077,
        "report_fd": report_fd,
        "argv": interpreter(spec),
    }


def build_argv(
    spec: JobSpec,
    *,
    token: str,
    script_fd: int,
    file_fds: Mapping[str, int],
    info_fd: int,
    report_fd: int,
) -> list[str]:
    """The bubblewrap command line for ``spec``. The ``*_fd`` are open descriptors the caller
    passes to bwrap: the script's content, :func:`generated_files`, bwrap's ``--info-fd`` and
    the launcher's report pipe ("ok", then how the script ended)."""
    limits = spec.limits
    argv = [
        bwrap_path(),
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        HOSTNAME,
        "--info-fd",
        str(info_fd),
    ]
    if privileged():
        # No user namespace: bubblewrap mounts as root; the launcher keeps only what it needs to
        # switch to the job's uid and drops it before the script starts.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--disable-userns", "--uid", str(spec.uid)]
        argv += ["--gid", str(spec.gid)]
    argv += _system_binds()
    for tmp in (TMP, SHM):
        argv += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", tmp]
    python = python_dirs()
    # bwrap creates missing parents of a mount point with mode 0700, which the job's uid could
    # not enter: create them first, world-searchable.
    for folder in _parents(["/etc/passwd", f"{DATA}/", *map(str, python)]):
        argv += ["--perms", "0755", "--dir", folder]
    for name in ETC_ENTRIES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for dest, fd in file_fds.items():
        argv += ["--perms", "0444", "--ro-bind-data", str(fd), dest]
    for path in python:
        argv += ["--ro-bind", str(path), str(path)]
    for path in masked_dirs():
        argv += ["--tmpfs", str(path), "--remount-ro", str(path)]
    argv += ["--ro-bind", str(spec.data_dir.resolve()), DATA]
    argv += ["--bind", str(spec.outputs_dir.resolve()), OUTPUTS]
    script = f"{WORKSPACE}/{SCRIPT_NAMES[spec.language]}"
    argv += ["--perms", "0444", "--ro-bind-data", str(script_fd), script]
    if spec.language == "r" and R_HELPERS.is_file():  # so that source("gamyeong.R") works
        argv += ["--ro-bind", str(R_HELPERS), f"{WORKSPACE}/gamyeong.R"]
    argv += ["--remount-ro", "/", "--chdir", WORKSPACE, "--clearenv"]
    for name, value in environment(spec, token).items():
        argv += ["--setenv", name, value]
    settings = json.dumps(launcher_settings(spec, report_fd), separators=(",", ":"))
    argv += ["--", sys.executable, "-I", "-S", str(LAUNCHER), settings]
    return argv


def _parents(paths: list[str]) -> list[str]:
    """Every ancestor directory of ``paths`` (not / and nothing under /usr), parents first."""
    found: set[str] = set()
    for path in paths:
        for parent in PurePosixPath(path).parents:
            if str(parent) != "/" and not str(parent).startswith("/usr"):
                found.add(str(parent))
    return sorted(found, key=lambda folder: (folder.count("/"), folder))


def _system_binds() -> list[str]:
    """/usr read-only, /bin, /lib… as on the host (symbolic links into /usr on merged-/usr
    systems), a new /proc for the sandbox's PID namespace, a minimal /dev."""
    argv = ["--ro-bind", "/usr", "/usr"]
    for name in ROOT_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            argv += ["--symlink", str(host.readlink()), str(host)]
        elif host.is_dir():
            argv += ["--ro-bind", str(host), str(host)]
    return [*argv, "--proc", "/proc", "--dev", "/dev"]


def available() -> Availability:
    """Whether jobs can run here: bwrap and Rscript found, and a minimal sandbox really starts
    (bwrap can fail at run time, e.g. without user namespaces or in a container without
    CAP_SYS_ADMIN). Never raises."""
    problems: list[str] = []
    bwrap = shutil.which("bwrap")
    rscript = shutil.which("Rscript")
    works = False
    if bwrap is None:
        try:
            bwrap_path()
        except RunnerError as exc:
            problems.append(str(exc))
    else:
        works, message = _probe(bwrap)
        if not works:
            problems.append(
                f"bubblewrap 샌드박스를 만들 수 없습니다: {message} "
                f"(bubblewrap cannot create a sandbox here: {message})"
            )
    if rscript is None:
        try:
            rscript_path()
        except RunnerError as exc:
            problems.append(str(exc))
    return Availability(
        bwrap=bwrap,
        rscript=rscript,
        python=sys.executable,
        privileged=privileged(),
        sandbox=works,
        problems=problems,
    )


def _probe(bwrap: str) -> tuple[bool, str]:
    argv = [bwrap, "--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc"]
    if privileged():
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--disable-userns"]
    argv += _system_binds()
    for path in python_dirs():
        argv += ["--ro-bind", str(path), str(path)]
    argv += ["--", sys.executable, "-I", "-S", "-c", "pass"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    if done.returncode != 0:
        return False, done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
    return True, ""
