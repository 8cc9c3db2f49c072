"""Analysis-room administration; every change is audited."""

from __future__ import annotations

from django.contrib import admin

from gamyeong.governance.admin import AuditedModelAdmin
from gamyeong.workspace.models import AnalysisRoom


@admin.register(AnalysisRoom)
class AnalysisRoomAdmin(AuditedModelAdmin):
    list_display = ("order", "name_ko", "floor", "seats", "data_classes")
    list_display_links = ("name_ko",)
    ordering = ("order",)
