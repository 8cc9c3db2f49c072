"""The analysis sandbox (gamyeong.runner): jobs run, and every escape we try is refused.

Each job test builds a small copy of the platform's layout in a temporary directory — the
portal's database and secret key under ``var/``, a vault, this project's workspace and another
project's — runs one script, then checks the job's status *and* that the forbidden thing did
not happen on the host. Tests that need bubblewrap or R skip, with the reason, when the machine
cannot run them (``make install`` installs both).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import gamyeong
from gamyeong.runner import (
    JobSpec,
    Limits,
    RunnerError,
    available,
    build_argv,
    cancel,
    is_running,
    run,
    start,
    wait,
)
from gamyeong.runner import jobs as runner_jobs
from gamyeong.runner.limits import MiB
from gamyeong.runner.outcome import classify
from gamyeong.runner.sandbox import python_dirs

# A checkout under /tmp (a CI clone, say) has its venv and package bound into the sandbox at the
# same paths, so their top directory shows in the sandbox's private /tmp: not the host's /tmp.
TMP_BINDS = {p.parts[2] for p in python_dirs() if len(p.parts) > 2 and p.parts[1] == "tmp"}

AVAILABLE = available()
needs_sandbox = pytest.mark.skipif(
    not AVAILABLE["sandbox"], reason="; ".join(AVAILABLE["problems"]) or "no sandbox"
)
needs_r = pytest.mark.skipif(AVAILABLE["rscript"] is None, reason="Rscript is not installed")
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the runner drops to a uid only as root")

SECRET_DB = "PORTAL-DATABASE-SECRET"
SECRET_OTHER = "OTHER-PROJECT-SECRET"
SECRET_KEY = "PORTAL-SECRET-KEY"
SECRET_VAULT = "VAULT-SECRET"
MARKERS = (SECRET_DB, SECRET_OTHER, SECRET_KEY, SECRET_VAULT)
# Small limits so that every limit test ends within seconds.
TEST_LIMITS = Limits(
    cpu_seconds=30, wall_seconds=60, memory_bytes=1024 * MiB, processes=64, threads=2
)


@dataclass
class Platform:
    root: Path
    data: Path
    outputs: Path
    log: Path
    jobs: Path
    other_secret: Path
    database: Path

    def spec(self, code: str, language: str = "python", **limits: int) -> JobSpec:
        name = "script.R" if language == "r" else "script.py"
        script = self.jobs / name
        script.write_text(textwrap.dedent(code), encoding="utf-8")
        return JobSpec(
            script=script,
            language=language,  # type: ignore[arg-type]
            data_dir=self.data,
            outputs_dir=self.outputs,
            log_path=self.log,
            limits=Limits.from_mapping({**vars(TEST_LIMITS), **limits}),
        )

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    """var/gamyeong.sqlite3, var/secret_key, var/vaults/…, var/workspaces/{p1,p2}/…"""
    var = tmp_path / "var"
    (var / "vaults" / "provider" / "secrets").mkdir(parents=True)
    (var / "vaults" / "provider" / "secrets" / "salt.key").write_text(SECRET_VAULT)
    database = var / "gamyeong.sqlite3"
    database.write_text(SECRET_DB)
    (var / "secret_key").write_text(SECRET_KEY)
    mine = var / "workspaces" / "p1"
    other = var / "workspaces" / "p2" / "data"
    other.mkdir(parents=True)
    other_secret = other / "secret.csv"
    other_secret.write_text(f"id,value\n1,{SECRET_OTHER}\n")
    data = mine / "data"
    data.mkdir(parents=True)
    pl.DataFrame({"region": ["a", "b", "a", "c"], "amount": [10, 20, 30, 40]}).write_parquet(
        data / "people.parquet"
    )
    (data / "people.csv").write_text("region,amount\na,10\nb,20\na,30\nc,40\n")
    job_dir = mine / "jobs" / "1"
    job_dir.mkdir(parents=True)
    return Platform(
        root=tmp_path,
        data=data,
        outputs=job_dir / "outputs",
        log=job_dir / "job.log",
        jobs=job_dir,
        other_secret=other_secret,
        database=database,
    )


def assert_no_secret(platform: Platform) -> None:
    log = platform.log_text()
    leaked = [marker for marker in MARKERS if marker in log]
    assert not leaked, f"{leaked} leaked into the log:\n{log}"
    for path in platform.outputs.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not any(marker in text for marker in MARKERS), path


# --- jobs that should work ------------------------------------------------------------------


@needs_sandbox
def test_python_job_reads_parquet_and_writes_csv(platform: Platform) -> None:
    result = run(
        platform.spec(
            """
            import importlib.util, os
            import numpy, pandas, pyreadstat  # noqa: F401 (available read-only)
            import polars as pl
            import gamyeong

            if importlib.util.find_spec("gamyeong.analysis"):
                import gamyeong.analysis  # noqa: F401
                print("analysis helpers importable")

            frame = pl.read_parquet("/workspace/data/people.parquet")
            summary = frame.group_by("region").agg(pl.col("amount").sum()).sort("region")
            summary.write_csv("/workspace/outputs/summary.csv")
            print("rows", summary.height, "uid", os.getuid(), "cwd", os.getcwd())
            print("gamyeong", gamyeong.__version__, os.environ["GAMYEONG_OUTPUTS"])
            """
        )
    )
    assert result.status == "succeeded", platform.log_text()
    assert result.exit_code == 0 and result.reason == "ok"
    written = pl.read_csv(platform.outputs / "summary.csv")
    assert written.to_dicts() == [
        {"region": "a", "amount": 40},
        {"region": "b", "amount": 20},
        {"region": "c", "amount": 40},
    ]
    log = platform.log_text()
    assert "rows 3" in log and "cwd /workspace" in log and "/workspace/outputs" in log
    helpers = (Path(gamyeong.__file__).parent / "analysis" / "__init__.py").is_file()
    assert ("analysis helpers importable" in log) == helpers
    if os.geteuid() == 0:
        assert "uid 65534" in log
        assert (platform.outputs / "summary.csv").stat().st_uid == 0  # handed back after the job
    assert result.cpu_seconds > 0 and result.max_rss_bytes and result.max_rss_bytes > 0
    assert result.message_en and result.message_ko


@needs_sandbox
@needs_r
def test_r_job_reads_csv_and_writes_csv(platform: Platform) -> None:
    result = run(
        platform.spec(
            """
            people <- read.csv("/workspace/data/people.csv")
            summary <- aggregate(amount ~ region, data = people, FUN = sum)
            write.csv(summary, "/workspace/outputs/summary.csv", row.names = FALSE)
            cat("rows", nrow(summary), "\\n")
            cat("helpers", file.exists("/workspace/gamyeong.R"), "\\n")
            """,
            language="r",
        )
    )
    assert result.status == "succeeded", platform.log_text()
    assert "rows 3" in platform.log_text()
    helpers = (Path(gamyeong.__file__).parent / "analysis" / "r" / "gamyeong.R").is_file()
    assert f"helpers {str(helpers).upper()}" in platform.log_text()
    written = pl.read_csv(platform.outputs / "summary.csv")
    assert written["amount"].to_list() == [40, 20, 40]


# --- escapes, tried and refused -------------------------------------------------------------

# A script that tries every action in ACTIONS, prints "ALLOWED <what>" when one works and
# exits 3 if any did; 0 when all were refused.
PROBE = """
import os, socket, sys
allowed = []

def attempt(what, action):
    try:
        result = action()
    except Exception as exc:  # refused, as it should be
        print("refused", what, type(exc).__name__, exc)
    else:
        print("ALLOWED", what, repr(result)[:200])
        allowed.append(what)

{actions}

sys.exit(3 if allowed else 0)
"""


def probe(actions: str) -> str:
    return PROBE.replace("{actions}", textwrap.dedent(actions))


@needs_sandbox
def test_network_is_refused(platform: Platform) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0)
    port = listener.getsockname()[1]
    try:
        result = run(
            platform.spec(
                probe(
                    f"""
                    def connect(address, family=socket.AF_INET):
                        with socket.socket(family, socket.SOCK_STREAM) as conn:
                            conn.settimeout(3)
                            conn.connect(address)

                    attempt("postgresql", lambda: connect(("127.0.0.1", 5432)))
                    attempt("redis", lambda: connect(("127.0.0.1", 6379)))
                    attempt("host listener", lambda: connect(("127.0.0.1", {port})))
                    attempt("external", lambda: connect(("1.1.1.1", 443)))
                    attempt("dns", lambda: socket.getaddrinfo("example.com", 443))
                    attempt("pg socket", lambda: connect(
                        "/var/run/postgresql/.s.PGSQL.5432", socket.AF_UNIX))
                    attempt("interfaces", lambda: [
                        name for _, name in socket.if_nameindex() if name != "lo"] or 1/0)
                    """
                )
            )
        )
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing reached the host's listener
    finally:
        listener.close()
    assert result.status == "succeeded", platform.log_text()
    lines = platform.log_text().splitlines()
    assert sum(line.startswith("refused ") for line in lines) == 7, lines


@needs_sandbox
def test_other_projects_and_platform_files_are_invisible(platform: Platform) -> None:
    other = platform.other_secret
    package_var = Path(gamyeong.__file__).parent / "var"
    result = run(
        platform.spec(
            probe(
                f"""
                def read(path):
                    with open(path, "rb") as handle:
                        return handle.read()

                attempt("other project, host path", lambda: read({str(other)!r}))
                attempt("other project, relative",
                        lambda: read("/workspace/data/../../p2/data/secret.csv"))
                attempt("other project, ../..", lambda: read("../../p2/data/secret.csv"))
                attempt("other project, ../../../..",
                        lambda: read("../../../../var/workspaces/p2/data/secret.csv"))
                attempt("other project dir", lambda: os.listdir({str(other.parent)!r}))
                attempt("portal database", lambda: read({str(platform.database)!r}))
                attempt("platform var", lambda: os.listdir({str(platform.root / "var")!r}))
                attempt("secret key", lambda: read({str(platform.root / "var" / "secret_key")!r}))
                attempt("vault", lambda: os.listdir({str(platform.root / "var" / "vaults")!r}))
                attempt("real var", lambda: os.listdir({str(Path.cwd() / "var")!r}))
                attempt("package var", lambda: os.listdir({str(package_var)!r}) or 1/0)
                attempt("shadow", lambda: read("/etc/shadow"))
                attempt("root home", lambda: [n for n in os.listdir("/root") if n != ".pyenv"]
                        or 1/0)
                attempt("home", lambda: os.listdir("/home"))
                attempt("host tmp", lambda: [n for n in os.listdir("/tmp")
                        if n not in {sorted(TMP_BINDS)!r}] or 1/0)
                attempt("host processes", lambda: [p for p in os.listdir("/proc")
                        if p.isdigit() and int(p) > 50] or 1/0)
                attempt("setuid root", lambda: os.setuid(0))
                attempt("new user namespace",
                        lambda: 1/0 if os.system("unshare -U true") else "created")
                attempt("capabilities", lambda: [line for line in open("/proc/self/status")
                        if line.startswith("CapEff") and line.split()[1].strip("0")] or 1/0)
                """
            )
        )
    )
    assert result.status == "succeeded", platform.log_text()
    assert "ALLOWED" not in platform.log_text()
    lines = platform.log_text().splitlines()
    assert sum(line.startswith("refused ") for line in lines) == 19, lines
    assert_no_secret(platform)


@needs_sandbox
def test_only_outputs_is_writable_and_tmp_is_private(platform: Platform) -> None:
    before = sorted(p.name for p in platform.data.iterdir())
    venv = Path(sys.prefix)
    marker = f"gamyeong-sandbox-test-{os.getpid()}-{time.time_ns()}"
    result = run(
        platform.spec(
            probe(
                f"""
                def write(path):
                    with open(path, "w") as handle:
                        handle.write("x")

                attempt("data", lambda: write("/workspace/data/new.csv"))
                attempt("data, replace", lambda: os.replace(
                    "/workspace/data/people.csv", "/workspace/data/moved.csv"))
                attempt("data, delete", lambda: os.remove("/workspace/data/people.parquet"))
                attempt("workspace", lambda: write("/workspace/new.txt"))
                attempt("script", lambda: write("/workspace/script.py"))
                attempt("root", lambda: write("/new.txt"))
                attempt("usr", lambda: write("/usr/new.txt"))
                attempt("etc", lambda: write("/etc/passwd"))
                attempt("venv", lambda: write({str(venv / "new.txt")!r}))
                attempt("host outputs path", lambda: write({str(platform.outputs / "x")!r}))
                attempt("host jobs dir", lambda: write({str(platform.jobs / "x")!r}))
                write("/workspace/outputs/ok.txt")
                write("/tmp/{marker}")
                print("tmp holds", [n for n in os.listdir("/tmp") if n not in {sorted(TMP_BINDS)!r}])
                """
            )
        )
    )
    assert result.status == "succeeded", platform.log_text()
    assert "ALLOWED" not in platform.log_text()
    assert f"tmp holds ['{marker}']" in platform.log_text()
    assert sorted(p.name for p in platform.data.iterdir()) == before
    assert [p.name for p in platform.outputs.iterdir()] == ["ok.txt"]
    assert not (platform.jobs / "x").exists() and not (venv / "new.txt").exists()
    assert not (Path("/tmp") / marker).exists()


@needs_sandbox
def test_links_and_special_files_are_removed_from_outputs(platform: Platform) -> None:
    result = run(
        platform.spec(
            f"""
            import os
            os.symlink({str(platform.database)!r}, "/workspace/outputs/database.sqlite3")
            os.symlink("/etc/shadow", "/workspace/outputs/shadow")
            os.mkfifo("/workspace/outputs/pipe")
            os.mkdir("/workspace/outputs/tables")
            with open("/workspace/outputs/tables/result.csv", "w") as handle:
                handle.write("a\\n1\\n")
            os.chmod("/workspace/outputs/tables/result.csv", 0o4755)
            """
        )
    )
    assert result.status == "succeeded", platform.log_text()
    assert sorted(result.removed_outputs) == ["database.sqlite3", "pipe", "shadow"]
    assert sorted(p.name for p in platform.outputs.rglob("*")) == ["result.csv", "tables"]
    assert (platform.outputs / "tables" / "result.csv").stat().st_mode & 0o7777 == 0o600


# --- limits ---------------------------------------------------------------------------------


def count_in_namespace(namespace: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "ns" / "pid").stat().st_ino == namespace:
                    count += 1
            except OSError:
                continue
    return count


@needs_sandbox
@pytest.mark.slow
def test_fork_bomb_is_stopped_by_the_process_limit(platform: Platform) -> None:
    spec = platform.spec(
        """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """,
        processes=16,
        threads=1,
        wall_seconds=3,
    )
    job = start(spec)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, count_in_namespace(job._pid_namespace))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = wait(job)
    finally:
        done.set()
        sampler.join()
    assert result.status in ("timeout", "killed", "failed")
    # the sandbox's init + at most 16 processes of the job's uid
    assert 2 <= peak <= 1 + 16
    assert count_in_namespace(job._pid_namespace) <= 1  # nothing left (at most a zombie init)
    assert subprocess.run(["true"], check=False).returncode == 0  # the machine still forks


@needs_sandbox
def test_memory_hog_is_stopped(platform: Platform) -> None:
    result = run(
        platform.spec(
            """
            import numpy as np
            hog = np.ones(4 * 1024**3 // 8)
            print("ALLOCATED", hog.nbytes)
            """,
            memory_bytes=512 * MiB,
        )
    )
    assert result.status == "out_of_memory", platform.log_text()
    assert "ALLOCATED" not in platform.log_text()
    result = run(platform.spec("hog = bytearray(4 * 1024**3)\n", memory_bytes=512 * MiB))
    assert result.status == "out_of_memory" and result.reason == "memory"


@needs_sandbox
@needs_r
def test_r_memory_hog_is_stopped(platform: Platform) -> None:
    result = run(
        platform.spec("hog <- numeric(5e8)\ncat('ALLOCATED')\n", "r", memory_bytes=512 * MiB)
    )
    assert result.status == "out_of_memory", platform.log_text()
    assert "cannot allocate vector" in platform.log_text()


@needs_sandbox
def test_infinite_loop_is_stopped_by_the_cpu_limit(platform: Platform) -> None:
    result = run(platform.spec("while True:\n    pass\n", cpu_seconds=1))
    assert (result.status, result.reason) == ("timeout", "cpu_time")
    assert 0.9 <= result.cpu_seconds < 5 and result.wall_seconds < 10


@needs_sandbox
def test_sleeping_job_is_stopped_by_the_wall_time_limit(platform: Platform) -> None:
    result = run(
        platform.spec(
            """
            import subprocess, time
            subprocess.Popen(["sleep", "120"], start_new_session=True)  # tries to outlive it
            time.sleep(120)
            """,
            wall_seconds=1,
        )
    )
    assert (result.status, result.reason) == ("timeout", "wall_time")
    assert result.exit_code is None and result.wall_seconds < 5
    assert (
        "sleep 120"
        not in subprocess.run(
            ["ps", "-eo", "args"], capture_output=True, text=True, check=False
        ).stdout
    )


@needs_sandbox
def test_file_bigger_than_the_limit_is_refused(platform: Platform) -> None:
    result = run(
        platform.spec(
            """
            with open("/workspace/outputs/big.bin", "wb") as handle:
                handle.write(b"x" * (2 * 1024 * 1024))
            """,
            file_bytes=1 * MiB,
        )
    )
    assert (result.status, result.reason) == ("failed", "file_size"), platform.log_text()
    assert (platform.outputs / "big.bin").stat().st_size <= 1 * MiB


@needs_sandbox
def test_outputs_bigger_than_the_limit_stop_the_job(platform: Platform) -> None:
    result = run(
        platform.spec(
            """
            import time
            for number in range(100):
                with open(f"/workspace/outputs/part{number}.bin", "wb") as handle:
                    handle.write(b"x" * (512 * 1024))
                time.sleep(0.05)
            """,
            file_bytes=1 * MiB,
            output_bytes=3 * MiB,
        )
    )
    assert (result.status, result.reason) == ("killed", "output_size")
    assert len(list(platform.outputs.iterdir())) < 100


@needs_sandbox
def test_log_is_capped(platform: Platform) -> None:
    result = run(platform.spec("for n in range(100_000):\n    print('line', n)\n", log_bytes=1000))
    assert result.status == "succeeded" and result.log_truncated
    assert platform.log.stat().st_size < 1200
    assert "log truncated at 1000 bytes" in platform.log_text()


@needs_sandbox
def test_cancel_from_another_process_by_pgid(platform: Platform) -> None:
    spec = platform.spec(
        """
        import os, time
        open("/workspace/outputs/started", "w").close()
        os.fork()  # two processes, both must go
        time.sleep(120)
        """
    )
    job = start(spec)
    assert is_running(job.pgid) and job.pgid == job.pid
    deadline = time.monotonic() + 10
    while not (platform.outputs / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    src = Path(__file__).resolve().parents[2] / "src"
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(src)!r})\n"
            f"from gamyeong.runner import cancel\nprint(cancel({job.pgid}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == "True"
    result = wait(job)
    assert (result.status, result.reason) == ("cancelled", "cancelled")
    assert result.wall_seconds < 10
    assert not is_running(job.pgid) and cancel(job.pgid) is False
    assert count_in_namespace(job._pid_namespace) <= 1


def test_cancel_refuses_a_process_that_is_not_a_job() -> None:
    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        assert cancel(sleeper.pid) is False and cancel(os.getpgid(0)) is False
        assert cancel(2**22 + 12345) is False
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


# --- setup problems -------------------------------------------------------------------------


def test_missing_tools_are_reported_in_korean_and_english(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(platform.root))  # neither bwrap nor Rscript here
    report = available()
    assert report["bwrap"] is None and report["rscript"] is None and not report["sandbox"]
    assert any("bubblewrap" in line and "설치" in line for line in report["problems"])
    assert any("Rscript" in line for line in report["problems"])
    with pytest.raises(RunnerError) as error:
        start(platform.spec("print(1)"))
    assert "bubblewrap" in error.value.english and "설치" in error.value.korean


def test_missing_rscript_is_reported(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "shutil.which", lambda name, *_, **__: "/usr/bin/bwrap" if name == "bwrap" else None
    )
    with pytest.raises(RunnerError, match="Rscript") as error:
        start(platform.spec("cat(1)", "r"))
    assert "r-base-core" in error.value.korean


@needs_sandbox
def test_bad_directories_are_refused(platform: Platform) -> None:
    spec = platform.spec("print(1)")
    with pytest.raises(RunnerError, match="data directory does not exist") as error:
        start(replace(spec, data_dir=platform.root / "missing"))
    assert "데이터 폴더" in error.value.korean
    with pytest.raises(RunnerError, match="script does not exist"):
        start(replace(spec, script=platform.root / "missing.py"))
    with pytest.raises(RunnerError, match="overlaps"):
        start(replace(spec, outputs_dir=platform.data / "outputs"))
    with pytest.raises(RunnerError, match="overlaps"):
        start(replace(spec, outputs_dir=platform.data.parent))
    with pytest.raises(RunnerError, match="log"):
        start(replace(spec, log_path=platform.outputs / "job.log"))
    with pytest.raises(RunnerError, match="cannot be a job's data or outputs directory"):
        start(replace(spec, outputs_dir=Path("/")))
    with pytest.raises(RunnerError, match="cannot be a job's data or outputs directory"):
        start(replace(spec, data_dir=Path("/")))


@needs_sandbox
def test_a_sandbox_bwrap_cannot_build_is_reported(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = runner_jobs.build_argv

    def broken(*args: Any, **kwargs: Any) -> list[str]:
        argv = original(*args, **kwargs)
        return [argv[0], "--ro-bind", str(platform.root / "vanished"), "/x", *argv[1:]]

    monkeypatch.setattr(runner_jobs, "build_argv", broken)
    with pytest.raises(RunnerError, match="could not be set up") as error:
        start(platform.spec("print(1)"))
    assert "vanished" in error.value.english and "샌드박스" in error.value.korean
    assert not list(platform.outputs.iterdir())


@needs_sandbox
@root_only
def test_private_data_is_made_readable_for_the_job_group_only(platform: Platform) -> None:
    private = platform.data / "people.csv"
    private.chmod(0o600)  # as the workspace writes personal data
    platform.data.chmod(0o700)
    result = run(platform.spec("print(open('/workspace/data/people.csv').read().count(','))"))
    assert result.status == "succeeded", platform.log_text()
    assert platform.log_text().strip() == "5"
    info = private.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (0, 65534, 0o640)
    assert platform.data.stat().st_mode & 0o777 == 0o750


def test_limits_validate_and_take_overrides() -> None:
    assert Limits().memory_bytes == 4 * 1024 * MiB
    assert Limits.from_mapping({"cpu_seconds": 5, "wall_seconds": None}).cpu_seconds == 5
    with pytest.raises(RunnerError, match="unknown job limits: cpu"):
        Limits.from_mapping({"cpu": 5})
    with pytest.raises(RunnerError, match="at least 1"):
        Limits(processes=0)
    with pytest.raises(RunnerError, match="threads"):
        Limits(processes=2, threads=4)


@needs_sandbox
def test_command_line_binds_only_what_the_job_needs(platform: Platform) -> None:
    spec = platform.spec("print(1)")
    argv = build_argv(
        spec, token="t", script_fd=10, file_fds={"/etc/passwd": 11}, info_fd=12, report_fd=13
    )
    pairs = list(zip(argv, argv[1:], argv[2:], strict=False))
    assert ("--ro-bind", str(platform.data), "/workspace/data") in pairs
    assert ("--bind", str(platform.outputs), "/workspace/outputs") in pairs
    assert [a for a, *_ in pairs if a == "--bind"] == ["--bind"]  # the only writable bind
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session"):
        assert flag in argv
    sources = {b for a, b, _ in pairs if a in ("--ro-bind", "--ro-bind-try", "--bind")}
    assert "/" not in sources and "/etc" not in sources and "/etc/shadow" not in sources
    assert not any(str(platform.root / "var") == s for s in sources)


def test_classify() -> None:
    assert classify(0, 0, None, 0.1, 10, "") == ("succeeded", "ok", 0)
    assert classify(1, 1, None, 0.1, 10, "Traceback\nValueError") == ("failed", "exit_code", 1)
    assert classify(137, None, "wall_time", 1, 10, "") == ("timeout", "wall_time", None)
    assert classify(152, -24, None, 1, 1, "") == ("timeout", "cpu_time", 152)
    assert classify(137, -9, None, 16, 10, "") == ("timeout", "cpu_time", 137)
    assert classify(137, -9, None, 1, 10, "") == ("killed", "signal", 137)
    assert classify(-15, None, None, 1, 10, "") == ("cancelled", "cancelled", None)
    assert classify(-9, None, None, 1, 10, "") == ("killed", "signal", None)
    assert classify(1, 1, None, 1, 10, "MemoryError") == ("out_of_memory", "memory", 1)
    assert classify(1, 1, None, 1, 10, "OSError: [Errno 27] File too large")[1] == "file_size"
    assert classify(153, None, None, 1, 10, "")[:2] == ("failed", "file_size")
    assert classify(0, None, "output_size", 1, 10, "") == ("killed", "output_size", None)
