"""How a job ended: its status, a one-word reason and a sentence in Korean and English."""

from __future__ import annotations

import signal
from typing import Literal

from gamyeong.runner.limits import GiB, MiB
from gamyeong.runner.sandbox import JobSpec

Status = Literal["succeeded", "failed", "timeout", "killed", "out_of_memory", "cancelled"]

CANCEL_SIGNAL = signal.SIGTERM
MEMORY_WORDS = (
    "memoryerror",  # Python
    "unable to allocate",  # NumPy
    "cannot allocate",  # R, C libraries (ENOMEM)
    "bad_alloc",  # C++
    "memory allocation of",  # Rust (Polars)
    "out of memory",
)
PROCESS_WORDS = ("resource temporarily unavailable", "can't start new thread", "cannot fork")
FILE_SIZE_WORDS = ("file too large",)


def classify(
    bwrap_code: int,
    script_code: int | None,
    stopped_for: str | None,
    cpu_seconds: float,
    cpu_limit: int,
    tail: str,
) -> tuple[Status, str, int | None]:
    """(status, reason, exit code) of a job.

    ``bwrap_code``: the outer bwrap's return code (negative: it was killed by that signal).
    ``script_code``: the script's return code as the launcher saw it (negative: killed by that
    signal), None when the sandbox ended before the launcher could say. ``stopped_for``: what
    the runner stopped the job for (``wall_time``, ``output_size``) or None. ``tail``: the end
    of the log, searched for the messages of a failed allocation, a refused file size or fork.
    """
    if stopped_for == "wall_time":
        return "timeout", "wall_time", None
    if stopped_for == "output_size":
        return "killed", "output_size", None
    if bwrap_code == -CANCEL_SIGNAL:
        return "cancelled", "cancelled", None
    if bwrap_code < 0:
        return "killed", "signal", None
    code = script_code
    if code is None:  # bwrap passes the sandbox's exit status on, 128 + N after signal N
        code = -(bwrap_code - 128) if 128 < bwrap_code < 128 + 65 else bwrap_code
    exit_code = code if code >= 0 else 128 - code
    if code == 0:
        return "succeeded", "ok", 0
    died_of = -code if code < 0 else None
    words = tail.lower()
    if died_of == signal.SIGXCPU or (died_of == signal.SIGKILL and cpu_seconds >= cpu_limit):
        return "timeout", "cpu_time", exit_code
    if any(word in words for word in MEMORY_WORDS):
        return "out_of_memory", "memory", exit_code
    if died_of == signal.SIGXFSZ or any(word in words for word in FILE_SIZE_WORDS):
        return "failed", "file_size", exit_code
    if any(word in words for word in PROCESS_WORDS):
        return "failed", "processes", exit_code
    if died_of == signal.SIGKILL:
        return "killed", "signal", exit_code
    if died_of is not None:
        return "failed", "signal", exit_code
    return "failed", "exit_code", exit_code


def _size(value: int) -> str:
    return f"{value / GiB:g} GiB" if value >= GiB else f"{value / MiB:g} MiB"


def messages(reason: str, exit_code: int | None, spec: JobSpec) -> tuple[str, str]:
    limits = spec.limits
    code = exit_code if exit_code is not None else "-"
    texts = {
        "ok": ("작업이 정상적으로 끝났습니다.", "The job finished successfully."),
        "exit_code": (
            f"스크립트가 종료 코드 {code}(으)로 실패했습니다. 로그를 확인하세요.",
            f"The script failed with exit code {code}; see the log.",
        ),
        "wall_time": (
            f"실행 시간 제한({limits.wall_seconds}초)을 넘어 작업을 중지했습니다.",
            f"The job ran longer than its wall-time limit ({limits.wall_seconds} s) and was stopped.",
        ),
        "cpu_time": (
            f"CPU 시간 제한({limits.cpu_seconds}초)을 넘어 작업이 중지되었습니다.",
            f"The job used more than its CPU-time limit ({limits.cpu_seconds} s) and was stopped.",
        ),
        "memory": (
            f"메모리 제한(프로세스당 {_size(limits.memory_bytes)})을 넘어 작업이 실패했습니다.",
            f"The job ran out of memory (limit {_size(limits.memory_bytes)} per process).",
        ),
        "file_size": (
            f"파일 크기 제한({_size(limits.file_bytes)})보다 큰 파일을 쓰려다 실패했습니다.",
            f"The job tried to write a file larger than the limit ({_size(limits.file_bytes)}).",
        ),
        "processes": (
            f"프로세스·스레드 수 제한({limits.processes}개)에 걸려 작업이 실패했습니다.",
            f"The job hit its limit of {limits.processes} processes and threads.",
        ),
        "output_size": (
            f"결과 폴더가 크기 제한({_size(limits.output_bytes)})을 넘어 작업을 중지했습니다.",
            f"The outputs grew beyond their limit ({_size(limits.output_bytes)}); the job was stopped.",
        ),
        "cancelled": ("작업이 취소되었습니다.", "The job was cancelled."),
        "signal": (
            f"작업이 신호에 의해 종료되었습니다 (종료 코드 {code}).",
            f"The job was killed by a signal (exit code {code}).",
        ),
    }
    return texts[reason]
