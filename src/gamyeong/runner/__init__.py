"""Sandboxed analysis jobs: a researcher's Python or R script run in bubblewrap.

Framework-free (no Django). The portal builds a :class:`JobSpec`, calls :func:`start` and
:func:`wait` in its worker (or :func:`run`), stores ``RunningJob.pgid`` so that any process can
:func:`cancel` the job, and shows :func:`available` to say what is missing. See docs/sandbox.md.

Modules: ``limits`` (:class:`Limits`), ``sandbox`` (:class:`JobSpec`, the bwrap command line),
``jobs`` (start, wait, cancel), ``folders`` (the host side of data and outputs), ``outcome``
(status and messages), ``_launch`` (runs inside the sandbox: uid, limits, then the script).
"""

from gamyeong.runner.errors import RunnerError
from gamyeong.runner.jobs import JobResult, RunningJob, cancel, is_running, run, start, wait
from gamyeong.runner.limits import Limits
from gamyeong.runner.outcome import Status
from gamyeong.runner.sandbox import Availability, JobSpec, Language, available, build_argv

__all__ = [
    "Availability",
    "JobResult",
    "JobSpec",
    "Language",
    "Limits",
    "RunnerError",
    "RunningJob",
    "Status",
    "available",
    "build_argv",
    "cancel",
    "is_running",
    "run",
    "start",
    "wait",
]
