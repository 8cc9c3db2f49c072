"""Resource limits of a sandboxed job, with defaults a settings layer can override."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from gamyeong.runner.errors import RunnerError

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """What one job may use. Every value is a positive integer; see docs/sandbox.md.

    Enforced by the kernel on every process of the job (``setrlimit`` inside the sandbox):
    ``cpu_seconds`` (RLIMIT_CPU: SIGXCPU, then SIGKILL 5 s later), ``memory_bytes`` (RLIMIT_DATA:
    heap and private writable mappings; allocations beyond it fail), ``processes`` (RLIMIT_NPROC:
    processes *and threads*, counted per job), ``file_bytes`` (RLIMIT_FSIZE: the largest file the
    job may write) and ``open_files`` (RLIMIT_NOFILE). Enforced by the runner on the whole job:
    ``wall_seconds`` (then the sandbox is killed), ``output_bytes`` (total size of ``outputs/``,
    checked about once a second; then the sandbox is killed), ``tmp_bytes`` (size of the
    private ``/tmp`` and ``/dev/shm``, each) and ``log_bytes`` (standard output and error kept in
    the log; the rest is dropped). ``threads`` is not a limit but the size of the thread pools
    of NumPy/BLAS, Polars and OpenMP, set through their environment variables so that they stay
    well inside ``processes``.
    """

    cpu_seconds: int = 3600
    wall_seconds: int = 7200
    memory_bytes: int = 4 * GiB
    processes: int = 128
    threads: int = 4
    file_bytes: int = 1 * GiB
    output_bytes: int = 2 * GiB
    open_files: int = 256
    tmp_bytes: int = 512 * MiB
    log_bytes: int = 5 * MiB

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise RunnerError(
                    f"작업 제한 {field.name}은(는) 1 이상의 정수여야 합니다: {value!r}",
                    f"the job limit {field.name} must be an integer of at least 1: {value!r}",
                )
        if self.threads > self.processes:
            raise RunnerError(
                f"threads({self.threads})가 processes({self.processes})보다 클 수 없습니다",
                f"threads ({self.threads}) cannot exceed processes ({self.processes})",
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Limits:
        """The defaults with ``values`` applied (``None`` keeps a default); unknown names fail."""
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise RunnerError(
                f"알 수 없는 작업 제한: {', '.join(unknown)} (가능한 이름: {', '.join(sorted(names))})",
                f"unknown job limits: {', '.join(unknown)} (known: {', '.join(sorted(names))})",
            )
        return cls(**{name: value for name, value in values.items() if value is not None})  # type: ignore[arg-type]
