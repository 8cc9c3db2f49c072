"""Catalog administration for provider data managers; every change is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from gamyeong.catalog.models import Dataset, Item, Programme, SourceSystem
from gamyeong.governance.admin import AuditedModelAdmin


@admin.register(SourceSystem)
class SourceSystemAdmin(AuditedModelAdmin):
    list_display = ("order", "name_ko", "name_en", "code")
    list_display_links = ("name_ko",)
    search_fields = ("name_ko", "name_en", "code")
    ordering = ("order",)


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ("name_ko", "name_en", "code", "means_tested", "ministry_division")
    list_filter = ("means_tested",)
    search_fields = ("name_ko", "name_en", "code", "ministry_division")


if TYPE_CHECKING:  # the admin classes are generic only for the type checker
    TabularInline = admin.TabularInline[Item, Dataset]
else:
    TabularInline = admin.TabularInline


class ItemInline(TabularInline):
    model = Item
    extra = 0
    fields = ("position", "name", "label_ko", "label_en", "item_class", "data_type", "programme")
    ordering = ("position",)


@admin.register(Dataset)
class DatasetAdmin(AuditedModelAdmin):
    list_display = ("name", "title_ko", "provider", "source_system", "rows", "published")
    list_filter = ("published", "source_system", "provider")
    search_fields = ("name", "title_ko", "title_en")
    filter_horizontal = ("programmes",)
    readonly_fields = ("file", "sha256", "loaded_at")
    inlines = (ItemInline,)


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = ("dataset", "position", "name", "label_ko", "item_class", "data_type")
    list_filter = ("item_class", "dataset")
    search_fields = ("name", "label_ko", "label_en")
    list_select_related = ("dataset",)
