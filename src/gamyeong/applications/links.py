"""Where applications meet the engine's apps: the approved items become the starting point of the
pseudonymization policy, an accepted combination application registers the combination, and a
provisioned project gets its workspace record (the closed environment itself is the workspace
app's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gamyeong.accounts.models import Organisation
from gamyeong.applications.models import Application
from gamyeong.catalog.models import Dataset, Item
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.models import Combination
from gamyeong.combination.registration import NewCombination, ProviderEntry, create_combination
from gamyeong.engine.linkage.normalize import ITEM_KINDS
from gamyeong.processing.models import Environment
from gamyeong.workspace.models import Workspace

EXAMPLE_POLICIES = Path(settings.PROJECT_DIR) / "examples" / "policies"
PAYLOAD_POLICIES = Path(__file__).resolve().parent.parent / "combination" / "policies"
PREFERRED_KEY_ITEMS = ("name", "birth_date", "sex", "phone")


def _example_items(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = loaded.get("items") or {}
    return dict(items) if isinstance(items, dict) else {}


def _technique(rule: Any) -> str:
    if isinstance(rule, str):
        return rule
    if isinstance(rule, dict):
        return str(rule.get("technique", ""))
    if isinstance(rule, list) and rule:
        return _technique(rule[0])
    return ""


def _items_for(
    application: Application, dataset: Dataset, leave_out: set[str], *, payload: bool = False
) -> dict[str, Any]:
    """One rule per column: not approved → delete; approved → the example policy's rule (for a
    combination's payload, the example payload policy's); a direct identifier is never kept as
    it is."""
    approved = set(
        application.items.filter(item__dataset=dataset, approved=True).values_list(
            "item__name", flat=True
        )
    )
    example = _example_items(EXAMPLE_POLICIES / f"{dataset.name}.yaml")
    if payload:
        example.update(_example_items(PAYLOAD_POLICIES / f"{dataset.name}.payload.yaml"))
    rules: dict[str, Any] = {}
    for item in dataset.items.order_by("position"):
        if item.name in leave_out:
            continue
        rule = example.get(item.name, "keep")
        direct = item.item_class == Item.ItemClass.DIRECT_IDENTIFIER
        if item.name not in approved or (direct and _technique(rule) == "keep"):
            rule = "delete"
        rules[item.name] = rule
    return rules


def _example(dataset: Dataset) -> dict[str, Any]:
    path = EXAMPLE_POLICIES / f"{dataset.name}.yaml"
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(loaded) if isinstance(loaded, dict) else {}


def policy_from_items(application: Application, dataset: Dataset) -> str:
    """A pseudonymization policy (YAML) for ``dataset`` that keeps only the approved items —
    the provider's starting point in the policy editor. It starts from the dataset's example
    policy (its record rules and local suppression) when there is one."""
    rules = _items_for(application, dataset, set())
    kept = [name for name, rule in rules.items() if rule != "delete"]
    classes = dict(dataset.items.values_list("name", "item_class"))
    document = _example(dataset)
    qi = [n for n in document.get("quasi_identifiers") or [] if n in kept] or [
        n for n in kept if classes.get(n) == Item.ItemClass.QUASI_IDENTIFIER
    ]
    sensitive = [n for n in document.get("sensitive") or [] if n in kept] or [
        n for n in kept if classes.get(n) == Item.ItemClass.SENSITIVE
    ]
    document.update(
        {
            "dataset": dataset.name,
            "purpose": f"{application.reference} {application.title}"[:200],
            "environment": Environment.CLOSED_ROOM.value,
            "quasi_identifiers": qi,
            "sensitive": sensitive,
            "items": rules,
        }
    )
    order = ["dataset", "purpose", "environment", "quasi_identifiers", "sensitive"]
    document = {key: document[key] for key in order} | {
        key: value for key, value in document.items() if key not in order
    }
    if not document["sensitive"]:
        del document["sensitive"]
    header = (
        f"# {application.reference}: 승인된 항목만 남기는 가명처리 정책 초안\n"
        f"# Draft policy that keeps only the items approved for {application.reference}\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _combination_dataset(application: Application, provider_id: int) -> Dataset:
    """The provider's dataset to combine: the one with approved items that holds the key items."""
    datasets = Dataset.objects.filter(
        pk__in=application.items.filter(
            item__dataset__provider_id=provider_id, approved=True
        ).values("item__dataset_id")
    )
    for dataset in datasets:
        columns = set(dataset.items.values_list("name", flat=True))
        if {"name", "birth_date", "sex"} <= columns:
            return dataset
    provider = Organisation.objects.get(pk=provider_id)
    raise CombinationError(
        f"{provider}의 승인된 항목에 결합키 항목(성명·생년월일·성별)을 가진 데이터셋이 없습니다",
        f"no approved dataset of {provider} holds the key items (name, birth date, sex)",
    )


def register_combination(application: Application, user: Any) -> Combination:
    """Register the combination of an application under review by the agency (3.2)."""
    if application.combination_id is not None:
        assert application.combination is not None
        return application.combination
    datasets = [
        _combination_dataset(application, provider_id)
        for provider_id in sorted(
            set(application.items.values_list("item__dataset__provider_id", flat=True))
        )
    ]
    columns = [set(d.items.values_list("name", flat=True)) for d in datasets]
    key_items = tuple(k for k in PREFERRED_KEY_ITEMS if all(k in c for c in columns))
    mapping = {kind: kind for kind in key_items if kind in ITEM_KINDS}
    providers = []
    qi: list[str] = []
    sensitive: list[str] = []
    for dataset in datasets:
        rules = _items_for(application, dataset, set(mapping.values()), payload=True)
        classes = dict(dataset.items.values_list("name", "item_class"))
        kept = [n for n, r in rules.items() if r != "delete"]
        qi += [n for n in kept if classes.get(n) == Item.ItemClass.QUASI_IDENTIFIER]
        sensitive += [n for n in kept if classes.get(n) == Item.ItemClass.SENSITIVE]
        policy = yaml.safe_dump(
            {
                "dataset": dataset.name,
                "purpose": f"{application.reference} 결합 (combination)",
                "environment": Environment.CLOSED_ROOM.value,
                "items": rules,
            },
            allow_unicode=True,
            sort_keys=False,
        )
        providers.append(ProviderEntry(dataset.provider, dataset, mapping, policy))
    key_agency = Organisation.objects.filter(kind=Organisation.Kind.KEY_AGENCY).first()
    if key_agency is None:
        raise CombinationError("결합키관리기관이 없습니다", "there is no key-management agency")
    new = NewCombination(
        title=application.title,
        purpose=f"{application.get_purpose_category_display()}: {application.purpose}"[:2000],
        applicant=application.organisation,
        key_agency=key_agency,
        providers=providers,
        key_items=key_items,
        qi=qi,
        sensitive=sensitive,
    )
    combination = create_combination(new, user=user)
    Application.objects.filter(pk=application.pk).update(combination=combination)
    application.combination = combination
    return combination


def provision_workspace(application: Application) -> Workspace:
    """The project's workspace record, with its period and what it holds."""
    sources: list[dict[str, Any]] = []
    for run in application.runs.select_related("policy__dataset"):
        sources.append(
            {
                "kind": "run",
                "run": run.pk,
                "dataset": run.policy.dataset.name,
                "file": run.output_file,
                "sha256": run.output_sha256,
                "rows": run.rows_out,
            }
        )
    if application.combination is not None:
        combined = application.combination.combined or {}
        sources.append(
            {
                "kind": "combination",
                "combination": application.combination.slug,
                "rows": combined.get("rows"),
                "sha256": combined.get("sha256", ""),
            }
        )
    today = timezone.localdate()
    workspace, created = Workspace.objects.get_or_create(
        application=application,
        defaults={
            "code": f"W-{application.reference}",
            "period_start": max(application.period_start or today, today),
            "period_end": application.period_end or today,
            "sources": sources,
        },
    )
    if created:  # the data files in every format, made by the worker
        transaction.on_commit(lambda: _make_files(workspace.pk))
    return workspace


def _make_files(workspace_id: int) -> None:
    from gamyeong.workspace.tasks import make_workspace_files

    make_workspace_files.enqueue(workspace_id)


def close_workspace(application: Application) -> None:
    Workspace.objects.filter(application=application, status=Workspace.Status.ACTIVE).update(
        status=Workspace.Status.CLOSED, closed_at=timezone.now()
    )
