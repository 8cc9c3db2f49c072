"""The portal's own pages: home, the procedures guide and the signed-in user's dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gamyeong.accounts.models import User
from gamyeong.accounts.roles import ROLES_BY_CODE, Role
from gamyeong.catalog.models import Dataset, Item, Programme, SourceSystem
from gamyeong.web import procedures as proc
from gamyeong.web.middleware import public


@dataclass(frozen=True)
class Link:
    url: str
    label: Promise
    description: Promise


def catalog_counts() -> dict[str, int]:
    """Live counts of the public catalog for the home page."""
    return {
        "datasets": Dataset.objects.filter(published=True).count(),
        "items": Item.objects.filter(dataset__published=True).count(),
        "programmes": Programme.objects.count(),
        "source_systems": SourceSystem.objects.count(),
    }


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"counts": catalog_counts()})


@public
def procedures(request: HttpRequest) -> HttpResponse:
    context = {
        "provision_steps": proc.PROVISION_STEPS,
        "provision_basis": proc.PROVISION_BASIS,
        "stages": proc.COMBINATION_STAGES,
        "parties": proc.parties_in_order(),
    }
    return render(request, "web/procedures.html", context)


def user_roles(user: User) -> list[Role]:
    """The user's roles from the role table (groups that are not roles are left out)."""
    return [ROLES_BY_CODE[code] for code in user.role_codes if code in ROLES_BY_CODE]


def role_links(user: User) -> list[Link]:
    """The pages that fit the user's roles, most specific first."""
    links: list[Link] = []
    if user.has_perm("governance.view_auditevent"):
        links.append(
            Link(
                reverse("governance:audit"),
                _("Audit trail"),
                _("Check the audit trail and verify that no event was changed."),
            )
        )
    if user.is_staff:
        links.append(
            Link(
                reverse("admin:index"),
                _("Administration"),
                _("Edit the catalog, organisations and users your roles allow."),
            )
        )
    links.extend(
        [
            Link(
                reverse("catalog:index"),
                _("Data catalog"),
                _("Datasets, items and their identification classes."),
            ),
            Link(
                reverse("workspace:rooms"),
                _("Analysis rooms"),
                _("The closed rooms where pseudonymized data is analysed."),
            ),
            Link(
                reverse("web:procedures"),
                _("How to use the data"),
                _("Single-source provision and the six stages of combination."),
            ),
        ]
    )
    return links


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):  # the middleware lets only verified users through
        raise PermissionDenied
    context = {"profile": user, "roles": user_roles(user), "links": role_links(user)}
    return render(request, "web/dashboard.html", context)
