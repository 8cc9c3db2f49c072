"""Applications (이용신청): a research project asking for pseudonymized data.

An :class:`Application` follows one workflow of :mod:`.workflows`; its ``state`` and ``version``
change only in :mod:`.services`. Every move is a :class:`Transition` row, unique per
(application, version): two staff deciding at once cannot both move it — the database keeps one.
A provider's share of a collective decision (every provider must approve) is a
:class:`ProviderDecision`. Documents are stored outside the web root under the data directory
(``applications/<reference>/``) with sanitised names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gamyeong.applications.workflows import WORKFLOWS, Party, State, Workflow
from gamyeong.web.bilingual import localized


class PurposeCategory(models.TextChoices):
    """The three purposes for which pseudonymized information may be used without consent
    (개인정보 보호법 제28조의2)."""

    STATISTICS = "statistics", _("Statistics (통계작성)")
    SCIENTIFIC_RESEARCH = "scientific_research", _("Scientific research (과학적 연구)")
    ARCHIVING = "public_interest_archiving", _("Public-interest archiving (공익적 기록보존)")


class Application(models.Model):
    class Kind(models.TextChoices):
        PROVISION = "provision", _("Single-source provision")
        COMBINATION = "combination", _("Combination")

    reference = models.SlugField(_("application number"), max_length=32, unique=True)
    workflow = models.CharField(_("procedure"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("project title"), max_length=200)
    purpose_category = models.CharField(
        _("purpose category"), max_length=40, choices=PurposeCategory.choices, blank=True
    )
    purpose = models.TextField(_("purpose"), blank=True)
    analysis_plan = models.TextField(_("analysis plan (summary)"), blank=True)
    preconsult_notes = models.TextField(_("pre-consultation notes"), blank=True)
    period_start = models.DateField(_("requested period from"), null=True, blank=True)
    period_end = models.DateField(_("requested period to"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("application party", "applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("applicant's organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ministry = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("approving ministry"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("combination agency"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    pledge_accepted_at = models.DateTimeField(_("pledge accepted at"), null=True, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=40, choices=State.choices)
    version = models.PositiveIntegerField(_("version"), default=0)
    state_entered_at = models.DateTimeField(_("in this state since"))
    due_at = models.DateTimeField(_("next step due by"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    runs = models.ManyToManyField(
        "processing.Run",
        verbose_name=_("pseudonymization runs (one per dataset)"),
        related_name="+",
        blank=True,
    )
    combination = models.OneToOneField(
        "combination.Combination",
        verbose_name=_("combination"),
        on_delete=models.PROTECT,
        related_name="application",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("apply", "Can apply for data"),
            ("review_as_ministry", "Can decide applications as the ministry division"),
            ("review_as_provider", "Can decide applications as a data provider"),
            ("review_as_agency", "Can decide applications as the combination agency"),
            ("review_export", "Can decide exports as a member of the export review committee"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def flow(self) -> Workflow:
        return WORKFLOWS[self.workflow]

    @property
    def owner(self) -> str | None:
        """The party that owns the next step (None once the application has ended)."""
        return self.flow.owners.get(self.state)

    @property
    def owner_label(self) -> str:
        return str(Party(self.owner).label) if self.owner else ""

    @property
    def ended(self) -> bool:
        return self.state in self.flow.terminal


class ApplicationItem(models.Model):
    """One catalog item asked for; ``approved`` is the provider's decision (None: undecided)."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    justification = models.CharField(_("why it is needed"), max_length=300, blank=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["application", "item__dataset", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="application_item_once")
        ]
        verbose_name = _("requested item")
        verbose_name_plural = _("requested items")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.item}"


class CoResearcher(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="co_researchers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-researcher"),
        on_delete=models.PROTECT,
        related_name="co_applications",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "user"], name="co_researcher_once")
        ]
        verbose_name = _("co-researcher")
        verbose_name_plural = _("co-researchers")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.user}"


class Document(models.Model):
    class Kind(models.TextChoices):
        RESEARCH_PLAN = "research_plan", _("Research plan (가명정보 처리 계획서)")
        APPLICATION_FORM = "application_form", _("Application form (결합신청서)")
        BUSINESS_REGISTRATION = "business_registration", _("Business registration")
        PURPOSE_EVIDENCE = "purpose_evidence", _("Evidence of the purpose (결합목적 증빙)")
        DATA_DESCRIPTION = "data_description", _("Description of the data")
        INTERNAL_PLAN = "internal_management_plan", _("Internal management plan (내부관리계획)")
        IRB = "irb", _("Ethics approval (IRB)")
        RISK_REPORT = "risk_report", _("Identification-risk report (provider)")
        METHOD_TABLE = "method_table", _("Methods and levels table (provider)")
        PROVISION_CONTRACT = "provision_contract", _("Consent to provide and contract (provider)")
        ADEQUACY_REPORT = "adequacy_report", _("Adequacy review report (provider)")
        EXPORT_APPLICATION = "export_application", _("Export application (반출신청서)")
        SAFETY_MEASURES = "safety_measures", _("Safety-measure evidence")
        DESTRUCTION_CERTIFICATE = (
            "destruction_certificate",
            _("Destruction certificate (파기 확인서)"),
        )
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    name = models.CharField(_("file name"), max_length=150)
    file_type = models.CharField(_("file type"), max_length=10)
    stored = models.CharField(_("stored as"), max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("uploaded for"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.name}"


class Comment(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.author}"


class Transition(models.Model):
    """One move of an application; ``version`` is the version it moved from (unique)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    version = models.PositiveIntegerField(_("from version"))
    action = models.CharField(_("action"), max_length=40)
    source = models.CharField(_("from"), max_length=40, choices=State.choices)
    target = models.CharField(_("to"), max_length=40, choices=State.choices)
    party = models.CharField(_("as"), max_length=30, choices=Party.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    missing = models.JSONField(_("what is missing"), default=list, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="application_transition_once"
            )
        ]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.source} → {self.target}"


class ProviderDecision(models.Model):
    """One provider's part of a collective action, taken at one version of the application."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="provider_decisions",
    )
    version = models.PositiveIntegerField(_("at version"))
    action = models.CharField(_("action"), max_length=40)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "version", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version", "organisation"],
                name="provider_decision_once",
            )
        ]
        verbose_name = _("provider decision")
        verbose_name_plural = _("provider decisions")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.organisation} {self.action}"


class Notification(models.Model):
    """A message in a user's portal inbox (also sent by e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject_ko = models.CharField(_("subject (Korean)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_ko = models.TextField(_("message (Korean)"), blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject_ko}"

    @property
    def subject(self) -> str:
        return localized(self, "subject")

    @property
    def body(self) -> str:
        return localized(self, "body")
