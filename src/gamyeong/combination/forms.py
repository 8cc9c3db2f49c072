"""The parameters a party gives with a step: the mock sample, extraction, the risk review of the
combined data and the additional-processing policy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_POLICY_CHARS = 256 * 1024


def split_names(text: str) -> list[str]:
    return [name.strip() for name in text.replace("\n", ",").split(",") if name.strip()]


class MockForm(forms.Form):
    fraction = forms.FloatField(
        label=_("Sample of the keys (0–1)"), min_value=0.01, max_value=0.99, initial=0.1
    )

    def params(self) -> dict[str, Any]:
        return {"fraction": self.cleaned_data["fraction"]}


class LinkForm(forms.Form):
    extract = forms.BooleanField(
        label=_("Extraction: send each provider its matched serials, so it sends only those rows"),
        required=False,
        initial=True,
    )

    def params(self) -> dict[str, Any]:
        return {"extract": self.cleaned_data["extract"]}


class CombineForm(forms.Form):
    qi = forms.CharField(label=_("Quasi-identifiers (comma-separated)"), max_length=1000)
    sensitive = forms.CharField(
        label=_("Sensitive attributes (comma-separated)"), max_length=1000, required=False
    )
    k = forms.IntegerField(label=_("k"), min_value=2, max_value=100)

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "qi": split_names(data["qi"]),
            "sensitive": split_names(data.get("sensitive") or ""),
            "k": data["k"],
        }


class ProcessForm(forms.Form):
    policy = forms.CharField(
        label=_("Additional-processing policy (YAML)"),
        max_length=MAX_POLICY_CHARS,
        strip=False,
        widget=forms.Textarea,
    )

    def params(self) -> dict[str, Any]:
        return {"policy": self.cleaned_data["policy"]}


STEP_FORMS: dict[str, type[MockForm | LinkForm | CombineForm | ProcessForm]] = {
    "mock": MockForm,
    "link": LinkForm,
    "combine": CombineForm,
    "process": ProcessForm,
}
