"""Automatic disclosure checks of outputs for export review (반출심사 자동 점검).

Per output and per cell, with the reason: minimum frequency (distinct persons by default),
(n,k) dominance and the p% rule, zeros (structural zeros can be declared), negative and missing
values (to review), totals that reveal a suppressed cell, single-unit values (min, max),
regressions' residual degrees of freedom, graphs only with their counts, differencing against
earlier releases, and suggested remedies (secondary suppression, rounding, recoding)::

    from gamyeong import disclosure as gd

    report = gd.check_table(df, "gamyeong", rows=["sido", "age_band"], cols="sex", unit="person_id")
    report.status, report.summary()          # "fail", {"threshold": 12, …}
    report.to_json()                         # {"summary": …, "cells": [{"keys", "count", "failed"}, …]}
    reports = gd.check_results_json("outputs/results.json", "acro")
    findings = gd.differencing(report, earlier_reports)
    remedies = gd.suggest(report)

The cell flags are those of ``gamyeong.analysis`` (ACRO 1.x's definitions); with the ``acro``
profile the cells flagged are the cells ACRO flags. See docs/disclosure-checks.md.
"""

from gamyeong.disclosure.checks import CHECKS, Check
from gamyeong.disclosure.differencing import Finding, differencing, with_findings
from gamyeong.disclosure.errors import DisclosureError
from gamyeong.disclosure.outputs import check_folder, check_outputs, check_results_json
from gamyeong.disclosure.profiles import PROFILES, Profile, get_profile
from gamyeong.disclosure.remedies import Recode, Remedies, suggest
from gamyeong.disclosure.report import CheckReport
from gamyeong.disclosure.tables import check_table

__all__ = [
    "CHECKS",
    "PROFILES",
    "Check",
    "CheckReport",
    "DisclosureError",
    "Finding",
    "Profile",
    "Recode",
    "Remedies",
    "check_folder",
    "check_outputs",
    "check_results_json",
    "check_table",
    "differencing",
    "get_profile",
    "suggest",
    "with_findings",
]
