"""The administration site: two-factor only, every save and delete in the audit trail.

* :class:`GamyeongAdminSite` (an ``OTPAdminSite``) replaces the class of ``admin.site``: only
  users verified with a one-time code may use it, and its own login page sends people to the
  portal's two-step login instead.
* :class:`AuditedModelAdmin` writes an audit event for every object saved or deleted through
  the site, inline objects included.
* Audit events are read-only here, and visible only with ``governance.view_auditevent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from gamyeong.governance import audit
from gamyeong.governance.models import AuditEvent, CaseRegisterEntry
from gamyeong.web.context import user_is_verified
from gamyeong.web.middleware import public


class GamyeongAdminSite(OTPAdminSite):  # type: ignore[misc]  # django_otp is untyped
    site_header = _("gamyeong administration")
    site_title = _("gamyeong administration")
    index_title = _("Administration")

    @public
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Send people to the portal's two-step login; refuse verified users without access."""
        if user_is_verified(request.user):
            raise PermissionDenied  # signed in with both factors, but not allowed here
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(next_url, reverse("accounts:login"))

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Log out through the portal, which records the logout in the audit trail."""
        from gamyeong.accounts.views import logout_view

        return logout_view(request)


admin.site.__class__ = GamyeongAdminSite


# ---- audited saves and deletes ----------------------------------------------------------------

if TYPE_CHECKING:  # the admin classes are generic only for the type checker
    ModelAdmin = admin.ModelAdmin[Any]
    AuditEventModelAdmin = admin.ModelAdmin[AuditEvent]
else:
    ModelAdmin = AuditEventModelAdmin = admin.ModelAdmin

Deleted = tuple[str, str, str]  # object type, object id, description


def _describe(obj: Model) -> Deleted:
    return obj._meta.label_lower, str(obj.pk), str(obj)[:500]


class AuditedModelAdmin(ModelAdmin):
    """A model admin whose every save and delete is written to the audit trail.

    Subclasses choose the actions; the events share the admin's transaction, so a save that
    rolls back leaves no event behind.
    """

    audit_change_action: ClassVar[str] = "catalog.changed"
    audit_delete_action: ClassVar[str] = "catalog.deleted"

    def audit_saved(
        self, request: HttpRequest, obj: Model, *, added: bool, fields: Iterable[str]
    ) -> None:
        audit.record(
            self.audit_change_action,
            request=request,
            target=obj,
            summary=str(obj)[:500],
            detail={"operation": "added" if added else "changed", "fields": sorted(fields)},
        )

    def audit_deleted(self, request: HttpRequest, deleted: Deleted) -> None:
        object_type, object_id, summary = deleted
        audit.record(
            self.audit_delete_action,
            request=request,
            object_type=object_type,
            object_id=object_id,
            summary=summary,
            detail={"operation": "deleted"},
        )

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        self.audit_saved(request, obj, added=not change, fields=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        deleted = _describe(obj)
        super().delete_model(request, obj)
        self.audit_deleted(request, deleted)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        deleted = [_describe(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        for one in deleted:
            self.audit_deleted(request, one)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        deleted = [_describe(f.instance) for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit_saved(request, obj, added=True, fields=())
        for obj, fields in formset.changed_objects:
            self.audit_saved(request, obj, added=False, fields=fields)
        for one in deleted:
            self.audit_deleted(request, one)


# ---- governance models --------------------------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(AuditEventModelAdmin):
    """The audit trail, read-only: it is written only through ``audit.record``."""

    list_display = (
        "seq",
        "occurred_at",
        "actor",
        "organisation",
        "action",
        "object_type",
        "summary",
    )
    list_filter = ("action",)
    search_fields = ("actor", "summary", "object_id")
    ordering = ("-seq",)
    list_per_page = 50
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("governance.view_auditevent")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CaseRegisterEntry)
class CaseRegisterEntryAdmin(AuditedModelAdmin):
    """The public case register (loaded from the seed's tables; corrections are audited)."""

    list_display = ("kind", "year", "number", "institution", "title")
    list_filter = ("kind", "year")
    search_fields = ("institution", "title")
    ordering = ("kind", "number")
