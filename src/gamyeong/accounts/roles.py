"""The roles of the procedure (system.md §1) as data: one Django group per role.

Each role says who it is for, which organisation kinds may hold it and which model permissions it
carries. :func:`sync_role_groups` keeps the groups equal to this table after every migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, router
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gamyeong.accounts.models import Organisation

Kind = Organisation.Kind


@dataclass(frozen=True)
class Role:
    code: str
    name: Promise
    description: Promise
    organisation_kinds: tuple[str, ...]
    permissions: tuple[str, ...] = ()
    staff: bool = False  # may use the administration site


ROLES: tuple[Role, ...] = (
    Role(
        "researcher",
        _("Researcher"),
        _("Applies for data, analyses it in the closed room and asks for outputs to be exported."),
        (Kind.USER_ORG, Kind.PROVIDER),
        (
            "combination.view_combination",
            "applications.apply",
            "workspace.book_seat",
            "workspace.run_analysis",
        ),
    ),
    Role(
        "ministry_approver",
        _("Ministry division approver"),
        _("Approves the use of the division's programme data (MOHW statistics directive no. 7)."),
        (Kind.MINISTRY,),
        ("applications.review_as_ministry",),
    ),
    Role(
        "provider_data_manager",
        _("Provider data manager"),
        _("Keeps the catalog, sets pseudonymization policies, reviews risk and provides data."),
        (Kind.PROVIDER,),
        (
            "catalog.view_sourcesystem",
            "catalog.view_programme",
            "catalog.add_dataset",
            "catalog.change_dataset",
            "catalog.view_dataset",
            "catalog.add_item",
            "catalog.change_item",
            "catalog.view_item",
            "processing.add_policy",
            "processing.view_policy",
            "processing.run_pseudonymization",
            "processing.view_run",
            "processing.review_adequacy",
            "combination.view_combination",
            "combination.make_keys",
            "applications.review_as_provider",
        ),
        staff=True,
    ),
    Role(
        "adequacy_reviewer",
        _("Adequacy reviewer"),
        _("Reviews whether pseudonymized data is adequate for its purpose and environment."),
        (Kind.PROVIDER, Kind.COMBINATION_AGENCY),
        ("processing.view_policy", "processing.view_run", "processing.review_adequacy"),
    ),
    Role(
        "key_agency_staff",
        _("Key-management agency staff"),
        _("Issues salts and turns providers' combination keys into linking information."),
        (Kind.KEY_AGENCY,),
        ("combination.view_combination", "combination.issue_salt", "combination.match_keys"),
    ),
    Role(
        "combination_agency_staff",
        _("Combination agency staff"),
        _("Joins pseudonymized data by linking information and reviews its adequacy."),
        (Kind.COMBINATION_AGENCY,),
        (
            "processing.view_policy",
            "processing.view_run",
            "processing.review_adequacy",
            "combination.view_combination",
            "combination.add_combination",
            "combination.combine_data",
            "applications.review_as_agency",
            "exports.decide_committee",
        ),
    ),
    Role(
        "export_reviewer",
        _("Export reviewer"),
        _("Decides on the export of combined data and of analysis outputs."),
        (Kind.COMBINATION_AGENCY, Kind.PROVIDER),
        ("applications.review_export", "exports.review_output"),
    ),
    Role(
        "security_officer",
        _("Security and audit officer"),
        _("Checks the audit trail and processing records and confirms destruction."),
        (Kind.PROVIDER, Kind.COMBINATION_AGENCY),
        ("governance.view_auditevent", "accounts.view_user", "accounts.view_organisation"),
        staff=True,
    ),
    Role(
        "room_operator",
        _("Analysis room operator"),
        _("Runs the closed analysis rooms: seats, sessions and access in the room."),
        (Kind.PROVIDER, Kind.COMBINATION_AGENCY),
        ("workspace.operate_room", "workspace.view_booking"),
    ),
)

ROLES_BY_CODE = {role.code: role for role in ROLES}


class UnknownRoleError(KeyError):
    pass


def get_role(code: str) -> Role:
    try:
        return ROLES_BY_CODE[code]
    except KeyError:
        known = ", ".join(ROLES_BY_CODE)
        raise UnknownRoleError(
            f"알 수 없는 역할입니다: {code!r} (unknown role; known roles: {known})"
        ) from None


def _permission(dotted: str, using: str = DEFAULT_DB_ALIAS) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)


def sync_role_groups(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Create one group per role and give it exactly the role's permissions, in the database
    just migrated (``using``) — none in a database that holds no groups (the KMA's)."""
    if not router.allow_migrate_model(using, Group):
        return
    for role in ROLES:
        group, _created = Group.objects.using(using).get_or_create(name=role.code)
        wanted = []
        for dotted in role.permissions:
            try:
                wanted.append(_permission(dotted, using))
            except Permission.DoesNotExist:
                continue  # the app that defines it is not migrated yet; the next sync adds it
        group.permissions.set(wanted)
