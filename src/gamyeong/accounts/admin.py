"""Users and organisations in the administration site; every change is audited.

Roles are Django groups kept equal to :mod:`gamyeong.accounts.roles` after every migration, so
groups are not edited here; neither are authenticator devices (their secrets must not be shown
to administrators). Users and organisations are never deleted: deactivate a user instead, so
that the audit trail keeps pointing at a known account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gamyeong.accounts.models import Organisation, User
from gamyeong.accounts.roles import ROLES_BY_CODE
from gamyeong.governance import audit
from gamyeong.governance.admin import AuditedModelAdmin

if TYPE_CHECKING:  # the admin classes are generic only for the type checker
    BaseUserChangeForm = DjangoUserChangeForm[User]
    BaseUserAdmin = DjangoUserAdmin[User]
else:
    BaseUserChangeForm = DjangoUserChangeForm
    BaseUserAdmin = DjangoUserAdmin

for _model in (Group, TOTPDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class UserChangeForm(BaseUserChangeForm):
    """Refuses a role that the user's organisation may not hold (as ``create_user`` does)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organisation = cleaned.get("organisation")
        for group in cleaned.get("groups") or ():
            role = ROLES_BY_CODE.get(group.name)
            if role is None:
                continue
            if organisation is None or organisation.kind not in role.organisation_kinds:
                message = _("The role “%(role)s” cannot be given to a member of this organisation.")
                self.add_error("groups", message % {"role": role.name})
        return cleaned


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    audit_change_action = "accounts.user_changed"
    form = UserChangeForm
    list_display = ("username", "full_name", "organisation", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "organisation__kind", "groups")
    search_fields = ("username", "full_name", "email", "organisation__name")
    ordering = ("username",)
    filter_horizontal = ("groups",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "organisation", "department")}),
        (_("Roles and access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def audit_saved(self, request: HttpRequest, obj: Any, *, added: bool, fields: Any) -> None:
        action = "accounts.user_created" if added else self.audit_change_action
        changed = sorted(name for name in fields if not name.startswith("password"))
        audit.record(
            action,
            request=request,
            target=obj,
            summary=obj.get_username(),
            detail={"operation": "added" if added else "changed", "fields": changed},
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = sorted(group.name for group in form.initial.get("groups") or ())
        after = user.role_codes
        if before != after:
            audit.record(
                "accounts.roles_changed",
                request=request,
                target=user,
                summary=user.get_username(),
                detail={"before": before, "after": after},
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            audit.record(
                "accounts.password_reset",
                request=request,
                target=user,
                summary=user.get_username() if user else id,
            )
        return response


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    """Organisations are added here (audited) but not renamed or deleted: an organisation's
    kind decides which roles its members may hold."""

    audit_change_action = "accounts.organisation_created"
    list_display = ("name", "name_en", "kind", "registration_number", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "name_en", "registration_number")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
