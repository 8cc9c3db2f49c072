"""The public data catalog: datasets with filters, one dataset's items, programmes, systems.

The catalog describes data; it never shows a data row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from gamyeong.catalog.models import Dataset, Item, Programme, SourceSystem
from gamyeong.web.middleware import public

Choices = list[tuple[str, Any]]


def _source_choices() -> Choices:
    return [("", _("All source systems"))] + [
        (system.code, system.name) for system in SourceSystem.objects.all()
    ]


def _programme_choices() -> Choices:
    return [("", _("All programmes"))] + [
        (programme.code, programme.name) for programme in Programme.objects.all()
    ]


def _item_class_choices() -> Choices:
    return [("", _("All classes")), *Item.ItemClass.choices]


class CatalogFilterForm(forms.Form):
    """The catalog's GET filters; an invalid value is reported and that filter left out."""

    q = forms.CharField(label=_("Search titles and item labels"), required=False, max_length=100)
    source = forms.ChoiceField(label=_("Source system"), required=False, choices=_source_choices)
    programme = forms.ChoiceField(
        label=_("Eligibility programme"), required=False, choices=_programme_choices
    )
    item_class = forms.ChoiceField(
        label=_("Item class"), required=False, choices=_item_class_choices
    )


def _text_query(q: str) -> Q:
    return (
        Q(title_ko__icontains=q)
        | Q(title_en__icontains=q)
        | Q(items__label_ko__icontains=q)
        | Q(items__label_en__icontains=q)
        | Q(items__name__icontains=q)
    )


def filter_datasets(filters: Mapping[str, str]) -> QuerySet[Dataset]:
    """Published datasets matching every given filter, each with its number of items."""
    matching = Dataset.objects.filter(published=True)
    if filters.get("source"):
        matching = matching.filter(source_system__code=filters["source"])
    if filters.get("programme"):
        code = filters["programme"]
        matching = matching.filter(Q(programmes__code=code) | Q(items__programme__code=code))
    if filters.get("item_class"):
        matching = matching.filter(items__item_class=filters["item_class"])
    if filters.get("q"):
        matching = matching.filter(_text_query(filters["q"].strip()))
    return (
        Dataset.objects.filter(pk__in=matching.values("pk"))
        .select_related("provider", "source_system")
        .annotate(item_count=Count("items"))
        .order_by("provider__name", "name")
    )


def _valid_filters(form: CatalogFilterForm) -> dict[str, str]:
    form.is_valid()  # fills cleaned_data with the fields that are valid
    return {name: value for name, value in form.cleaned_data.items() if value}


@public
def catalog_index(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    filters = _valid_filters(form) if request.GET else {}
    context = {
        "form": form,
        "filtered": bool(filters),
        "datasets": filter_datasets(filters),
        "programmes": Programme.objects.all(),
        "source_systems": SourceSystem.objects.annotate(
            dataset_count=Count("datasets", filter=Q(datasets__published=True))
        ).order_by("order"),
    }
    return render(request, "catalog/index.html", context)


@public
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = get_object_or_404(
        Dataset.objects.select_related("provider", "source_system"), name=name, published=True
    )
    context = {
        "dataset": dataset,
        "programmes": dataset.programmes.all(),
        "items": dataset.items.select_related("programme").order_by("position"),
        "item_classes": Item.ItemClass,
    }
    return render(request, "catalog/dataset.html", context)
