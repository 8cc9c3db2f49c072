"""Who a user is in an application, what they may see and what they may do.

A user acts for their organisation, with the permission of their role (roles.py):

=================== ======================================= ==================================
party               who                                     permission
=================== ======================================= ==================================
applicant           the application's author                ``applications.apply``
ministry            staff of the application's ministry     ``applications.review_as_ministry``
provider            staff of a provider of a requested item ``applications.review_as_provider``
adequacy_reviewer   staff of a provider of a requested item ``processing.review_adequacy``
agency              staff of the application's agency       ``applications.review_as_agency``
export_committee    reviewers of the application's agency   ``applications.review_export``
key_agency          staff of the combination's KMA          (sees the application, no action)
=================== ======================================= ==================================

Nobody is a staff party of an application they wrote or co-research: nobody reviews their own
application. Drafts are seen only by their author and co-researchers; staff see an application
once it has been submitted. Anyone else gets 404: an application's existence is not disclosed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from gamyeong.applications.models import Application, ApplicationItem, CoResearcher
from gamyeong.applications.workflows import Action, Party

STAFF_PERMISSIONS: dict[str, str] = {
    Party.MINISTRY: "applications.review_as_ministry",
    Party.PROVIDER: "applications.review_as_provider",
    Party.ADEQUACY: "processing.review_adequacy",
    Party.AGENCY: "applications.review_as_agency",
    Party.EXPORT_COMMITTEE: "applications.review_export",
}


def organisation_id(user: Any) -> int | None:
    value = getattr(user, "organisation_id", None)
    return int(value) if value is not None else None


def provider_ids(application: Application) -> set[int]:
    """The organisations that provide the items the application asks for."""
    return set(application.items.values_list("item__dataset__provider_id", flat=True).distinct())


def divisions(application: Application) -> list[str]:
    """The ministry divisions responsible for the programmes of the requested items (소관부서)."""
    return sorted(
        set(
            application.items.filter(item__programme__isnull=False).values_list(
                "item__programme__ministry_division", flat=True
            )
        )
    )


def is_own(user: Any, application: Application) -> bool:
    """Whether ``user`` wrote or co-researches the application."""
    return (
        application.author_id == user.pk
        or application.co_researchers.filter(user_id=user.pk).exists()
    )


def parties_of(user: Any, application: Application) -> set[str]:
    """The parties ``user`` is in ``application`` (empty: none)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if is_own(user, application):
        return {Party.APPLICANT} if application.author_id == user.pk else set()
    if application.submitted_at is None:
        return set()
    org = organisation_id(user)
    if org is None:
        return set()
    found: set[str] = set()
    providers = provider_ids(application)
    places = {
        Party.MINISTRY: application.ministry_id == org,
        Party.PROVIDER: org in providers,
        Party.ADEQUACY: org in providers,
        Party.AGENCY: application.agency_id == org,
        Party.EXPORT_COMMITTEE: application.agency_id == org,
    }
    for party, here in places.items():
        if here and user.has_perm(STAFF_PERMISSIONS[party]):
            found.add(party)
    combination = application.combination
    if (
        combination is not None
        and combination.key_agency_id == org
        and user.has_perm("combination.view_combination")
    ):
        found.add(Party.KEY_AGENCY)
    return found


def can_view(user: Any, application: Application) -> bool:
    return bool(parties_of(user, application)) or (
        getattr(user, "is_authenticated", False) and is_own(user, application)
    )


def visible_to(user: Any) -> QuerySet[Application]:
    """The applications ``user`` may see (their own, and submitted ones of their organisation's
    part in the procedure)."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    own = Q(author_id=user.pk) | Q(
        Exists(CoResearcher.objects.filter(application=OuterRef("pk"), user_id=user.pk))
    )
    org = organisation_id(user)
    staff = Q(pk__in=[])
    if org is not None:
        if user.has_perm(STAFF_PERMISSIONS[Party.MINISTRY]):
            staff |= Q(ministry_id=org)
        if user.has_perm(STAFF_PERMISSIONS[Party.PROVIDER]) or user.has_perm(
            STAFF_PERMISSIONS[Party.ADEQUACY]
        ):
            staff |= Q(
                Exists(
                    ApplicationItem.objects.filter(
                        application=OuterRef("pk"), item__dataset__provider_id=org
                    )
                )
            )
        if user.has_perm(STAFF_PERMISSIONS[Party.AGENCY]) or user.has_perm(
            STAFF_PERMISSIONS[Party.EXPORT_COMMITTEE]
        ):
            staff |= Q(agency_id=org)
        if user.has_perm("combination.view_combination"):
            staff |= Q(combination__key_agency_id=org)
        staff &= Q(submitted_at__isnull=False)
    return (
        Application.objects.filter(own | staff)
        .select_related("author", "organisation", "ministry", "agency")
        .order_by("-created_at")
    )


def can_take(user: Any, application: Application, action: Action) -> bool:
    if action.party == Party.APPLICANT:
        return application.author_id == user.pk and bool(user.has_perm("applications.apply"))
    return action.party in parties_of(user, application)


def check_take(user: Any, application: Application, action: Action) -> None:
    if not can_take(user, application, action):
        raise PermissionDenied(f"{user} may not {action.code} {application.reference}")


def manual_actions(user: Any, application: Application) -> list[Action]:
    """The buttons ``user`` gets on the application now."""
    return [
        action
        for action in application.flow.actions_from(application.state)
        if action.manual and can_take(user, application, action)
    ]
