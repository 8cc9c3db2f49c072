"""The closed analysis environment (폐쇄형 분석 공간): its rooms.

SSIS runs two rooms on the 14th floor: the pseudonymized-data analysis room (가명정보 분석실,
6 seats, pseudonymized data only) and the personal-information innovation zone (개인정보
이노베이션 존, 4 seats, pseudonymized and personal data). Bookings, workspaces and sandboxed jobs
come with the closed-environment issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gamyeong.web.bilingual import localized


class AnalysisRoom(models.Model):
    class DataClasses(models.TextChoices):
        PSEUDONYMIZED = "pseudonymized", _("Pseudonymized data only")
        PSEUDONYMIZED_AND_PERSONAL = (
            "pseudonymized_and_personal",
            _("Pseudonymized and personal data"),
        )

    code = models.SlugField(_("code"), unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    floor = models.CharField(_("location"), max_length=50)
    seats = models.PositiveSmallIntegerField(_("seats"))
    purpose_ko = models.CharField(_("purpose (Korean)"), max_length=200)
    purpose_en = models.CharField(_("purpose (English)"), max_length=200)
    data_classes = models.CharField(
        _("data it may host"), max_length=40, choices=DataClasses.choices
    )
    workstation = models.CharField(_("workstation"), max_length=100)
    software = models.CharField(_("analysis software"), max_length=200)
    hardware = models.CharField(_("analysis hardware"), max_length=200)

    class Meta:
        ordering = ["order"]
        verbose_name = _("analysis room")
        verbose_name_plural = _("analysis rooms")

    def __str__(self) -> str:
        return self.name_ko

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def purpose(self) -> str:
        return localized(self, "purpose")

    def hosts(self, data_class: str) -> bool:
        """Whether the room may host data of ``data_class`` (a workspace's): the analysis room
        pseudonymized data only, the innovation zone pseudonymized and personal data."""
        if data_class == self.DataClasses.PSEUDONYMIZED:
            return True
        return self.data_classes == self.DataClasses.PSEUDONYMIZED_AND_PERSONAL


class Workspace(models.Model):
    """A project's workspace (프로젝트 작업공간) in the closed environment: created when the
    project is provisioned (single source) or its combination completes, for its period. What it
    holds is listed in ``sources`` (run outputs or the combined data, with their hashes); the
    files themselves never leave the closed environment."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed (data destroyed)")

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="workspace",
    )
    code = models.SlugField(_("workspace id"), max_length=40, unique=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    data_class = models.CharField(
        _("data class"),
        max_length=40,
        choices=AnalysisRoom.DataClasses.choices,
        default=AnalysisRoom.DataClasses.PSEUDONYMIZED,
    )
    sources = models.JSONField(_("data provided"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    files = models.JSONField(_("files in the workspace"), default=dict, blank=True)
    materialised_at = models.DateTimeField(_("files made at"), null=True, blank=True)
    materialise_error = models.TextField(_("error while making the files"), blank=True)
    created_at = models.DateTimeField(_("provisioned at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("project workspace")
        verbose_name_plural = _("project workspaces")

    def __str__(self) -> str:
        return self.code


class Seat(models.Model):
    """One workstation seat of a room (좌석)."""

    room = models.ForeignKey(
        AnalysisRoom, verbose_name=_("room"), on_delete=models.CASCADE, related_name="seat_set"
    )
    number = models.PositiveSmallIntegerField(_("seat number"))

    class Meta:
        ordering = ["room", "number"]
        constraints = [models.UniqueConstraint(fields=["room", "number"], name="seat_once")]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")

    def __str__(self) -> str:
        return f"{self.room.name_ko} {self.number}"


class Booking(models.Model):
    """A seat booked for half a day (a day is two bookings: morning and afternoon).

    The database keeps one live booking per seat and half-day, and one per researcher and
    half-day (partial unique constraints): two requests for the same seat cannot both succeed.
    """

    class Half(models.TextChoices):
        AM = "am", _("Morning (09:00–13:00)")
        PM = "pm", _("Afternoon (13:00–18:00)")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(
        Workspace, verbose_name=_("workspace"), on_delete=models.PROTECT, related_name="bookings"
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("researcher"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="bookings"
    )
    date = models.DateField(_("date"))
    half = models.CharField(_("half-day"), max_length=2, choices=Half.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked out by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["date", "half", "seat"]
        permissions = [
            ("book_seat", "Can book a seat in an analysis room"),
            ("operate_room", "Can check researchers in and out of the analysis rooms"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "date", "half"],
                condition=models.Q(status="booked"),
                name="seat_booked_once_per_half_day",
            ),
            models.UniqueConstraint(
                fields=["researcher", "date", "half"],
                condition=models.Q(status="booked"),
                name="researcher_one_seat_per_half_day",
            ),
        ]
        verbose_name = _("seat booking")
        verbose_name_plural = _("seat bookings")

    def __str__(self) -> str:
        return f"{self.seat} {self.date} {self.half}"


class AnalysisJob(models.Model):
    """A researcher's Python or R script run against the workspace in the sandbox (분석 작업)."""

    class Language(models.TextChoices):
        PYTHON = "python", "Python"
        R = "r", "R"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        TIMEOUT = "timeout", _("Stopped: time limit")
        OUT_OF_MEMORY = "out_of_memory", _("Stopped: memory limit")
        KILLED = "killed", _("Stopped by a limit")
        CANCELLED = "cancelled", _("Cancelled")
        INTERRUPTED = "interrupted", _("Interrupted by a restart")

    workspace = models.ForeignKey(
        Workspace, verbose_name=_("workspace"), on_delete=models.PROTECT, related_name="jobs"
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("researcher"),
        on_delete=models.PROTECT,
        related_name="analysis_jobs",
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    name = models.CharField(_("script name"), max_length=100)
    script = models.TextField(_("script"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    pgid = models.IntegerField(_("process group"), null=True, blank=True)
    cancel_requested = models.BooleanField(_("cancellation asked"), default=False)
    rerun_of = models.ForeignKey(
        "self",
        verbose_name=_("re-run of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    exit_code = models.IntegerField(_("exit code"), null=True, blank=True)
    cpu_seconds = models.FloatField(_("CPU seconds"), null=True, blank=True)
    wall_seconds = models.FloatField(_("wall seconds"), null=True, blank=True)
    outputs = models.JSONField(_("outputs written"), default=list, blank=True)
    error_ko = models.TextField(_("error (Korean)"), blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        permissions = [("run_analysis", "Can run analysis scripts in a project's workspace")]
        verbose_name = _("analysis job")
        verbose_name_plural = _("analysis jobs")

    def __str__(self) -> str:
        return f"{self.workspace.code} #{self.pk} {self.name}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
