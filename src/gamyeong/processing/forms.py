"""Forms of the pseudonymization pages: a policy (typed or uploaded) and an adequacy review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from gamyeong.processing.checklist import CHECKLIST
from gamyeong.processing.models import AdequacyReview, Run

MAX_POLICY_BYTES = 256 * 1024
POLICY_SUFFIXES = (".yaml", ".yml")


def read_policy_upload(upload: UploadedFile) -> str:
    """The uploaded policy as text: a .yaml file of at most 256 KB in UTF-8."""
    name = (upload.name or "").lower()
    if not name.endswith(POLICY_SUFFIXES):
        raise forms.ValidationError(_("Upload a file whose name ends in .yaml or .yml."))
    if (upload.size or 0) > MAX_POLICY_BYTES:
        raise forms.ValidationError(_("The file is larger than 256 KB."))
    raw: bytes = upload.read(MAX_POLICY_BYTES + 1)
    if len(raw) > MAX_POLICY_BYTES:
        raise forms.ValidationError(_("The file is larger than 256 KB."))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
        ) from None
    if "\x00" in text:
        raise forms.ValidationError(_("The file is not a text file."))
    return text.removeprefix("\ufeff")


class PolicyForm(forms.Form):
    """A new policy version: the YAML typed in the text area, or a file that replaces it."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    yaml = forms.CharField(
        label=_("Policy (YAML)"),
        required=False,
        strip=False,
        max_length=MAX_POLICY_BYTES,
        widget=forms.Textarea,
    )
    upload = forms.FileField(label=_("Or upload a .yaml file"), required=False)

    def clean_yaml(self) -> str:
        text: str = self.cleaned_data.get("yaml") or ""
        if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
            raise forms.ValidationError(_("The policy is larger than 256 KB."))
        return text

    def clean_upload(self) -> str:
        upload = self.cleaned_data.get("upload")
        return read_policy_upload(upload) if upload else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("upload"):
            cleaned["text"], cleaned["source_field"] = cleaned["upload"], "upload"
        elif (cleaned.get("yaml") or "").strip():
            cleaned["text"], cleaned["source_field"] = cleaned["yaml"], "yaml"
        else:
            self.add_error("yaml", _("Write the policy here or upload a .yaml file."))
        return cleaned


def _action_choices() -> list[tuple[str, Any]]:
    return [("", _("None (adequate)")), *AdequacyReview.Action.choices]


class ReviewForm(forms.Form):
    """The adequacy review of one run: the §7 checklist, the decision and what must change."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=AdequacyReview.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea
    )
    required_action = forms.ChoiceField(
        label=_("Required action"), required=False, choices=_action_choices
    )

    def __init__(self, *args: Any, run: Run, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefilled = {"risk_within_threshold": bool(run.k_met), "additional_info_separated": True}
        for code, label in CHECKLIST:
            self.fields[f"ok_{code}"] = forms.BooleanField(
                label=str(label), required=False, initial=prefilled.get(code, False)
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note"), required=False, max_length=500
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(code, the "met" check box, the note) for each checklist item, in order."""
        return [(code, self[f"ok_{code}"], self[f"note_{code}"]) for code, _label in CHECKLIST]

    def checklist(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            code: {"ok": bool(data.get(f"ok_{code}")), "note": (data.get(f"note_{code}") or "")}
            for code, _label in CHECKLIST
        }
