"""``POST /combinations/{id}/keys``: a provider's key file (multipart: ``file`` + ``manifest``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router
from ninja.files import UploadedFile

from gamyeong.kma.auth import require_provider_of
from gamyeong.kma.endpoints.combinations import ERRORS
from gamyeong.kma.models import Combination, ReceivedKeyFile
from gamyeong.kma.schemas import KeysReceivedOut
from gamyeong.kma.services.combinations import get_combination
from gamyeong.kma.services.intake import Delivered, receive_keys
from gamyeong.kma.services.runs import missing_providers
from gamyeong.kma.store import absolute, kma_store, relative
from gamyeong.kma.trail import Outcome, audited

router = Router(tags=["keys"])


@router.post(
    "/combinations/{combination_id}/keys",
    response={201: KeysReceivedOut, **ERRORS},
    summary="결합키 보내기 / upload a key file (a provider of the combination)",
    description=(
        "multipart/form-data: `file` (the Parquet key file: `serial` and key columns only) and "
        "`manifest` (its `<file>.manifest.json`). Any other column — attribute data — is "
        "refused with 400 and nothing is kept. A provider may replace its key file until the "
        "combination is linked."
    ),
)
@audited("kma.keys_received")
def upload_keys(
    request: HttpRequest,
    combination_id: str,
    file: File[UploadedFile],
    manifest: File[UploadedFile],
) -> Outcome:
    combination = get_combination(combination_id)
    client = require_provider_of(request, combination)
    store = kma_store()
    delivered = receive_keys(store, combination, client, file, manifest)
    previous = combination.key_files.filter(provider=client.organisation).first()
    stored = relative(store, delivered.path)
    superseded = previous is not None and previous.path != stored

    def save() -> None:
        ReceivedKeyFile.objects.update_or_create(
            combination=combination,
            provider=client.organisation,
            defaults={
                "path": stored,
                "sha256": delivered.manifest.sha256,
                "rows": delivered.manifest.rows,
                "key_specs": delivered.manifest.extra.get("key_specs", []),
                "received_at": timezone.now(),
            },
        )
        _update_status(combination)

    def undo() -> None:
        if previous is None or previous.path != stored:
            store.remove(delivered.path)

    def after() -> None:
        if superseded and previous is not None:
            store.remove(absolute(store, previous.path))

    return Outcome(
        body=_body(combination, client.organisation, delivered, replaced=previous is not None),
        status=201,
        summary=f"{client.organisation}: {delivered.manifest.rows:,} rows",
        object_id=combination.id,
        detail={
            "provider": client.organisation,
            "sha256": delivered.manifest.sha256,
            "rows": delivered.manifest.rows,
            "columns": delivered.manifest.columns,
            "key_sets": delivered.key_sets,
            "replaced_sha256": previous.sha256 if previous is not None else None,
        },
        save=save,
        undo=undo,
        after=after,
    )


def _update_status(combination: Combination) -> None:
    if not missing_providers(combination):
        combination.status = Combination.Status.KEYS_COMPLETE
        combination.save(update_fields=["status"])


def _body(
    combination: Combination, provider: str, delivered: Delivered, *, replaced: bool
) -> dict[str, object]:
    missing = [p for p in missing_providers(combination) if p != provider]
    return {
        "combination_id": combination.id,
        "provider": provider,
        "sha256": delivered.manifest.sha256,
        "rows": delivered.manifest.rows,
        "key_sets": delivered.key_sets,
        "replaced": replaced,
        "status": Combination.Status.KEYS_COMPLETE if not missing else combination.status,
        "missing_providers": missing,
    }
