"""The engine work of each step, in the stores of the party that does it.

Each function runs one step for one party and returns an :class:`Outcome`: a summary for the step
record and the files handed to other parties. A hand-over is always the same two moves: the
sender's artifact is delivered into the receiver's inbox by ``receiver.admit`` (manifest checked
and screened before a byte is copied, the copy verified after), and recorded as a transfer.
Nothing here checks permissions or changes the database: :mod:`.services` does both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from gamyeong.accounts.models import Organisation
from gamyeong.combination import stores
from gamyeong.combination.models import Combination, CombinationProvider, Transfer
from gamyeong.engine.linkage import kma
from gamyeong.engine.linkage.agency_checks import check_linking, screen_payload
from gamyeong.engine.linkage.artifacts import KEYS, LINKING, MATCHED, PAYLOAD, SALT, Manifest
from gamyeong.engine.linkage.extraction import restrict_payload
from gamyeong.engine.linkage.keys import KeySpec
from gamyeong.engine.linkage.kma_inputs import screen_key_file
from gamyeong.engine.linkage.provider import Parties, make_combination_files
from gamyeong.engine.linkage.salt import receive_salt
from gamyeong.engine.linkage.stores import PartyStore
from gamyeong.engine.policy import Policy, load_policy

MAIN_KEY_SET = "main"


@dataclass(frozen=True)
class Sent:
    """One artifact delivered into another party's inbox."""

    kind: str
    sender: Organisation
    receiver: Organisation
    path: Path  # the delivered copy, in the receiver's store
    manifest: Manifest


@dataclass
class Outcome:
    detail: dict[str, Any] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)


def hand_over(
    source: Path,
    kind: str,
    *,
    sender: Organisation,
    receiver: tuple[Organisation, PartyStore],
    combination: Combination,
    screen: Callable[[Manifest], object] | None = None,
) -> Sent:
    organisation, store = receiver
    path, manifest = store.admit(source, kind, combination_id=combination.slug, screen=screen)
    return Sent(kind, sender, organisation, path, manifest)


def parse_policy(text: str, source: str) -> Policy:
    thresholds = {
        "closed_room": settings.GAMYEONG_K_CLOSED_ROOM,
        "third_party": settings.GAMYEONG_K_THIRD_PARTY,
    }
    return load_policy(
        text=text, source=source, default_k=thresholds, search_dirs=[Path(settings.HIERARCHY_DIR)]
    )


def key_spec(combination: Combination) -> KeySpec:
    return KeySpec(MAIN_KEY_SET, tuple(combination.key_items), combination.algorithm)


def received(combination: Combination, kind: str, receiver: Organisation) -> list[Transfer]:
    return list(combination.transfers.filter(kind=kind, receiver=receiver, deleted_at__isnull=True))


# ---- key-management agency ----------------------------------------------------------------------


def issue_salt(combination: Combination) -> Outcome:
    store = stores.kma_store(combination)
    parts = list(combination.parts.select_related("organisation"))
    issued = kma.issue_salt(
        store, combination.slug, [stores.provider_store(p).party for p in parts]
    )
    sent = [
        hand_over(
            issued.paths[stores.provider_store(part).party],
            SALT,
            sender=combination.key_agency,
            receiver=(part.organisation, stores.provider_store(part)),
            combination=combination,
        )
        for part in parts
    ]
    return Outcome({"salt_id": issued.salt_id}, sent)


def _key_files(combination: Combination) -> list[Path]:
    return [
        stores.absolute(t.path)
        for t in received(combination, Transfer.Kind.KEYS, combination.key_agency)
    ]


def match(combination: Combination) -> Outcome:
    store = stores.kma_store(combination)
    report = kma.match_report(
        store, _key_files(combination), key_set=MAIN_KEY_SET, combination_id=combination.slug
    )
    return Outcome({"report": report.to_dict()})


def mock(combination: Combination, fraction: float) -> Outcome:
    store = stores.kma_store(combination)
    report = kma.mock_combination(
        store,
        _key_files(combination),
        fraction,
        key_set=MAIN_KEY_SET,
        combination_id=combination.slug,
    )
    return Outcome({"report": report.to_dict(), "fraction": fraction})


def link(combination: Combination, extract: bool) -> Outcome:
    store = stores.kma_store(combination)
    folder = stores.outbox(store, combination)
    inputs, result = kma.run(
        store, _key_files(combination), key_set=MAIN_KEY_SET, combination_id=combination.slug
    )
    linked = kma.write_linking(
        store,
        inputs,
        result,
        out=folder / f"{combination.slug}.linking.parquet",
        agency=stores.agency_store(combination).party,
    )
    agency = (combination.agency, stores.agency_store(combination))
    sent = [
        hand_over(
            linked.path,
            LINKING,
            sender=combination.key_agency,
            receiver=agency,
            combination=combination,
            screen=check_linking,
        )
    ]
    if extract:
        paths = kma.write_extraction(store, inputs, result, folder)
        for part in combination.parts.select_related("organisation"):
            target = (part.organisation, stores.provider_store(part))
            sent.append(
                hand_over(
                    paths[target[1].party],
                    MATCHED,
                    sender=combination.key_agency,
                    receiver=target,
                    combination=combination,
                )
            )
    return Outcome({"report": result.report.to_dict(), "extract": extract}, sent)


# ---- providers ----------------------------------------------------------------------------------


def _file_names(combination: Combination) -> tuple[str, str]:
    return f"{combination.slug}.keys.parquet", f"{combination.slug}.payload.parquet"


def make_keys(combination: Combination, part: CombinationProvider) -> Outcome:
    """결합키 생성 (4-1) and the payload (4-2): keys to the KMA now; the payload stays in the
    provider's outbox until the KMA has linked (and, with extraction, sent the matched serials)."""
    store = stores.provider_store(part)
    salt_transfer = received(combination, Transfer.Kind.SALT, part.organisation)[0]
    salt = receive_salt(
        stores.absolute(salt_transfer.path), provider=store.party, combination_id=combination.slug
    ).salt
    policy = (
        parse_policy(part.payload_policy, f"{part.dataset.name}.payload.yaml")
        if (part.payload_policy.strip())
        else None
    )
    keys_name, payload_name = _file_names(combination)
    folder = stores.outbox(store, combination)
    made = make_combination_files(
        stores.data_path(part),
        part.items,
        salt=salt,
        vault=store.vault,
        out_keys=folder / keys_name,
        out_payload=folder / payload_name,
        parties=Parties(
            store.party,
            stores.kma_store(combination).party,
            stores.agency_store(combination).party,
        ),
        combination_id=combination.slug,
        specs=[key_spec(combination)],
        policy=policy,
    )
    sent = hand_over(
        Path(made.keys),
        KEYS,
        sender=part.organisation,
        receiver=(combination.key_agency, stores.kma_store(combination)),
        combination=combination,
        screen=screen_key_file,
    )
    summary = made.to_dict()
    return Outcome(
        {
            "key_report": summary.pop("report"),
            "payload": {
                "sha256": made.payload_sha256,
                "rows": made.payload_rows,
                "columns": made.payload_columns,
                "policy_sha256": made.policy_sha256,
                "records_removed_by_policy": made.records_removed_by_policy,
            },
        },
        [sent],
    )


def send_payload(combination: Combination, part: CombinationProvider) -> Outcome:
    """결합대상정보 전송 (4-3): the payload (only the matched rows after extraction) to the
    combination agency, screened there for key and identifier columns before it is copied."""
    store = stores.provider_store(part)
    source = stores.outbox(store, combination) / _file_names(combination)[1]
    matched = received(combination, Transfer.Kind.MATCHED, part.organisation)
    detail: dict[str, Any] = {"restricted_to_matched": bool(matched)}
    if matched:
        out = source.with_name(f"{combination.slug}.payload.matched.parquet")
        restricted = restrict_payload(stores.absolute(matched[0].path), source, out)
        detail["rows_before_extraction"] = restricted.extra.get("rows_before_extraction")
        source = out
    items = list(combination.key_items)
    sent = hand_over(
        source,
        PAYLOAD,
        sender=part.organisation,
        receiver=(combination.agency, stores.agency_store(combination)),
        combination=combination,
        screen=lambda manifest: screen_payload(manifest, items),
    )
    return Outcome(detail, [sent])
