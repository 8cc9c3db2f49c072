"""Who sees which pseudonymization work (가명처리): the staff of the dataset's provider — its data
managers and adequacy reviewers — and administrators; and the adequacy reviewers of a
combination agency for the runs of the applications it handles (the agency may do the adequacy
review for an applicant: korea-process §7). Anyone else gets 404: a KEIS manager never sees
SSIS policies, runs, risk figures or reports, nor starts a run on them.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from gamyeong.catalog.models import Dataset
from gamyeong.processing.models import Policy, Run


def datasets_of(user: Any) -> QuerySet[Dataset]:
    """The datasets whose processing ``user`` may see: their own organisation's."""
    if getattr(user, "is_superuser", False):
        return Dataset.objects.all()
    organisation = getattr(user, "organisation_id", None)
    if organisation is None:
        return Dataset.objects.none()
    return Dataset.objects.filter(provider_id=organisation)


def runs_of(user: Any) -> QuerySet[Run]:
    """Runs of the user's organisation's datasets, and for a combination agency's adequacy
    reviewer the runs chosen for the applications the agency handles."""
    visible = Q(policy__dataset__in=datasets_of(user))
    organisation = getattr(user, "organisation_id", None)
    if organisation is not None and user.has_perm("processing.review_adequacy"):
        chosen = apps.get_model("applications", "Application").runs.through.objects.filter(
            application__agency_id=organisation
        )
        visible |= Q(pk__in=chosen.values("run_id"))
    return Run.objects.filter(visible)


def policies_of(user: Any) -> QuerySet[Policy]:
    """Policies of the user's datasets, and those of the runs they may see."""
    return Policy.objects.filter(
        Q(dataset__in=datasets_of(user)) | Q(pk__in=runs_of(user).values("policy_id"))
    )
