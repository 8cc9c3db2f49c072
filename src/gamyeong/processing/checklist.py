"""The adequacy-review checklist (적정성 검토 항목, korea-process §7), as data."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CHECKLIST: tuple[tuple[str, Promise], ...] = (
    ("purpose_achievable", _("The purpose can still be achieved with the processed data")),
    ("items_minimized", _("Only the items the purpose needs are kept")),
    ("methods_as_defined", _("Each item is processed by the defined method and level")),
    ("identifiers_removed", _("Direct identifiers are removed or replaced")),
    ("outliers_handled", _("Outliers (rare values, extreme amounts) are handled")),
    (
        "risk_within_threshold",
        _("The measured re-identification risk meets the threshold for the environment"),
    ),
    (
        "additional_info_separated",
        _("Additional information (keys, token tables) is stored separately"),
    ),
    ("environment_as_assumed", _("The environment of use is as assumed")),
)
CHECKLIST_CODES = tuple(code for code, _label in CHECKLIST)
