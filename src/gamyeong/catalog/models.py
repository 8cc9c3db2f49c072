"""The data catalog (가명정보 주요 활용 항목): source systems, eligibility programmes, datasets, items.

Datasets and items are loaded from a synthetic-data manifest (``gamyeong synth``) and edited by
provider staff in the administration site. Every item carries its class: direct identifier
(식별정보), quasi-identifier (식별가능정보), sensitive (민감정보) or other.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gamyeong.web.bilingual import localized


class SourceSystem(models.Model):
    """One of the ten systems SSIS operates (운영시스템), e.g. 행복이음."""

    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    description_ko = models.CharField(_("Korean description"), max_length=300)
    description_en = models.CharField(_("English description"), max_length=300)

    class Meta:
        ordering = ["order"]
        verbose_name = _("source system")
        verbose_name_plural = _("source systems")

    def __str__(self) -> str:
        return self.name_ko

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Programme(models.Model):
    """An eligibility (자격), e.g. 생계급여 or 기초연금, with its selection and payment rule."""

    code = models.SlugField(_("code"), unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    means_tested = models.BooleanField(
        _("means-tested"),
        default=False,
        help_text=_("Income and assets are recorded only for means-tested eligibilities."),
    )
    ministry_division = models.CharField(_("responsible ministry division"), max_length=100)
    rule_ko = models.TextField(_("rule (Korean)"), blank=True)
    rule_en = models.TextField(_("rule (English)"), blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("eligibility programme")
        verbose_name_plural = _("eligibility programmes")

    def __str__(self) -> str:
        return self.name_ko

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def rule(self) -> str:
        return localized(self, "rule")


class Dataset(models.Model):
    name = models.SlugField(_("name"), max_length=100, unique=True)
    title_ko = models.CharField(_("Korean title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    description_ko = models.TextField(_("Korean description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    provider = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    source_system = models.ForeignKey(
        SourceSystem,
        verbose_name=_("source system"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="datasets",
    )
    programmes = models.ManyToManyField(
        Programme, verbose_name=_("programmes"), blank=True, related_name="datasets"
    )
    unit_ko = models.CharField(_("unit of a row (Korean)"), max_length=100, blank=True)
    unit_en = models.CharField(_("unit of a row (English)"), max_length=100, blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    file = models.CharField(_("file (relative to the data directory)"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    published = models.BooleanField(_("shown in the public catalog"), default=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.title_ko

    def get_absolute_url(self) -> str:
        return reverse("catalog:dataset", args=[self.name])

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def unit(self) -> str:
        return localized(self, "unit")


class Item(models.Model):
    """A column of a dataset (항목) with its identification class."""

    class ItemClass(models.TextChoices):
        DIRECT_IDENTIFIER = "direct_identifier", _("Direct identifier")
        QUASI_IDENTIFIER = "quasi_identifier", _("Quasi-identifier")
        SENSITIVE = "sensitive", _("Sensitive")
        OTHER = "other", _("Other")

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("column name"), max_length=100)
    label_ko = models.CharField(_("Korean label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200)
    item_class = models.CharField(_("class"), max_length=32, choices=ItemClass.choices)
    data_type = models.CharField(_("type"), max_length=32)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )
    description_ko = models.TextField(_("Korean description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)

    class Meta:
        ordering = ["dataset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="catalog_item_unique_name")
        ]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return f"{self.dataset.name}.{self.name}"

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def description(self) -> str:
        return localized(self, "description")
