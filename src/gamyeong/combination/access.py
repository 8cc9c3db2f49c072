"""Who a user is in a combination, and what each party may do and know.

A user acts for their organisation. In one combination that organisation may be a provider, the
key-management agency, the combination agency or the applicant (the requesting user
organisation); a user of any other organisation is no party and sees nothing of it (404). Each
step belongs to one party and needs its permission (roles.py gives it to that party's role):

========== ===================== ===========================================
step       party                 permission
========== ===================== ===========================================
salt       key-management agency ``combination.issue_salt``
match      key-management agency ``combination.match_keys``
mock       key-management agency ``combination.match_keys``
link       key-management agency ``combination.match_keys``
keys       the provider itself   ``combination.make_keys``
payload    the provider itself   ``combination.make_keys``
combine    combination agency    ``combination.combine_data``
process    combination agency    ``combination.combine_data``
========== ===================== ===========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gamyeong.combination.models import Combination, CombinationProvider, Status, Step

PROVIDER, KMA, AGENCY, APPLICANT = "provider", "key_agency", "agency", "applicant"
Code = Step.Code


@dataclass(frozen=True)
class Rule:
    permission: str
    party: str
    statuses: frozenset[str]


RULES: dict[str, Rule] = {
    Code.SALT: Rule("combination.issue_salt", KMA, frozenset({Status.CREATED})),
    Code.KEYS: Rule("combination.make_keys", PROVIDER, frozenset({Status.SALT_ISSUED})),
    Code.MATCH: Rule(
        "combination.match_keys",
        KMA,
        frozenset({Status.KEYS_RECEIVED, Status.MATCHED, Status.MOCKED}),
    ),
    Code.MOCK: Rule("combination.match_keys", KMA, frozenset({Status.MATCHED, Status.MOCKED})),
    Code.LINK: Rule("combination.match_keys", KMA, frozenset({Status.MATCHED, Status.MOCKED})),
    Code.PAYLOAD: Rule("combination.make_keys", PROVIDER, frozenset({Status.LINKED})),
    Code.COMBINE: Rule("combination.combine_data", AGENCY, frozenset({Status.PAYLOADS_RECEIVED})),
    Code.PROCESS: Rule(
        "combination.combine_data", AGENCY, frozenset({Status.COMBINED, Status.PROCESSED})
    ),
}


def organisation_id(user: Any) -> int | None:
    value = getattr(user, "organisation_id", None)
    return int(value) if value is not None else None


def parties_of(user: Any, combination: Combination) -> set[str]:
    """The parties ``user``'s organisation is in ``combination`` (empty: none)."""
    org = organisation_id(user)
    if org is None:
        return set()
    found = set()
    if combination.parts.filter(organisation_id=org).exists():
        found.add(PROVIDER)
    if combination.key_agency_id == org:
        found.add(KMA)
    if combination.agency_id == org:
        found.add(AGENCY)
    if combination.applicant_id == org:
        found.add(APPLICANT)
    return found


def visible_to(user: Any) -> QuerySet[Combination]:
    """The combinations in which the user's organisation is a party."""
    org = organisation_id(user)
    if org is None or not user.has_perm("combination.view_combination"):
        return Combination.objects.none()
    return (
        Combination.objects.filter(
            Q(parts__organisation_id=org)
            | Q(key_agency_id=org)
            | Q(agency_id=org)
            | Q(applicant_id=org)
        )
        .distinct()
        .select_related("applicant", "key_agency", "agency")
    )


def own_part(user: Any, combination: Combination) -> CombinationProvider | None:
    """The provider entry of the user's own organisation, if it is a provider here."""
    org = organisation_id(user)
    if org is None:
        return None
    return (
        combination.parts.select_related("organisation", "dataset")
        .filter(organisation_id=org)
        .first()
    )


def may_do(user: Any, combination: Combination, code: str) -> bool:
    """Whether ``user`` holds the step's permission and is the party of that step (state aside)."""
    rule = RULES[code]
    return user.has_perm(rule.permission) and rule.party in parties_of(user, combination)
