"""A small world for application tests: the demo's organisations, one user per role, the synthetic
catalog loaded, and helpers that walk an application through its procedure by the services."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gamyeong.accounts.models import Organisation
from gamyeong.applications import links, services
from gamyeong.applications.models import Application, Document
from gamyeong.catalog.models import Item
from gamyeong.catalog.services import load_manifest
from gamyeong.processing import services as processing
from gamyeong.processing.checklist import CHECKLIST_CODES
from tests.integration.helpers import make_user

K = Organisation.Kind
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PERSON_ITEMS = ("person_id", "sex", "age", "sido_code", "household_type", "disability")
KEIS_ITEMS = ("name", "birth_date", "sex", "phone", "industry", "firm_size", "monthly_wage_krw")
SSIS_COMBINE_ITEMS = ("name", "birth_date", "sex", "phone", "age", "sido_code", "household_type")


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@dataclass
class World:
    researcher: Any
    co_researcher: Any
    outsider: Any
    mohw: Any
    ssis: Any
    ssis_review: Any
    keis: Any
    agency: Any
    kma: Any
    export_reviewer: Any
    logins: dict[str, Any]

    def user(self, name: str) -> Any:
        return getattr(self, name)


def build_world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    settings.DATA_DIR = tmp_path / "data"
    settings.PROVIDER_VAULT = tmp_path / "vault"
    settings.DATA_DIR.mkdir(exist_ok=True)
    (settings.DATA_DIR / "synth").symlink_to(synth_dir)
    load_manifest(settings.DATA_DIR / "synth" / "manifest.json", data_dir=settings.DATA_DIR)
    ssis, keis = "한국사회보장정보원", "한국고용정보원"
    agency = "한국사회보장정보원 가명정보결합센터"
    people = {
        "researcher": ("res", "researcher", K.USER_ORG, "한국보건사회연구원"),
        "co_researcher": ("co", "researcher", K.USER_ORG, "한국보건사회연구원"),
        "outsider": ("other", "researcher", K.USER_ORG, "다른대학교"),
        "mohw": ("mohw", "ministry_approver", K.MINISTRY, "보건복지부"),
        "ssis": ("ssis", "provider_data_manager", K.PROVIDER, ssis),
        "ssis_review": ("ssisrev", "adequacy_reviewer", K.PROVIDER, ssis),
        "keis": ("keis", "provider_data_manager", K.PROVIDER, keis),
        "agency": ("agency", "combination_agency_staff", K.COMBINATION_AGENCY, agency),
        "kma": ("kma", "key_agency_staff", K.KEY_AGENCY, "한국인터넷진흥원"),
        "export_reviewer": ("exp", "export_reviewer", K.COMBINATION_AGENCY, agency),
    }
    logins = {
        field: make_user(username, (role,), kind, org)
        for field, (username, role, kind, org) in people.items()
    }
    world = World(**{field: new.user for field, new in logins.items()}, logins=logins)
    for name in people:
        user = getattr(world, name)
        user.email = f"{user.username}@example.kr"
        user.save(update_fields=["email"])
    return world


def items(dataset: str, names: tuple[str, ...]) -> list[int]:
    return list(
        Item.objects.filter(dataset__name=dataset, name__in=names).values_list("pk", flat=True)
    )


def upload(user: Any, application: Application, kind: str, name: str = "plan.pdf") -> Document:
    content = PDF if name.endswith(".pdf") else docx()
    return services.upload(user, application, kind=kind, name=name, stream=io.BytesIO(content))


def draft_provision(world: World) -> Application:
    """A complete single-source application, not yet submitted."""
    from datetime import date

    app = services.create(world.researcher, workflow="provision", title="수급 가구 연구")
    services.update(
        world.researcher,
        app,
        purpose_category="scientific_research",
        purpose="가구유형별 급여 수급 연구",
        period_start=date(2026, 12, 1),
        period_end=date(2027, 11, 30),
    )
    services.accept_pledge(world.researcher, app)
    services.set_items(world.researcher, app, items("ssis_persons", PERSON_ITEMS), {})
    upload(world.researcher, app, Document.Kind.RESEARCH_PLAN)
    app.refresh_from_db()
    return app


def take(user: Any, app: Application, code: str, **kwargs: Any) -> Application:
    """Take ``code`` on the current version, with a reason unless one is given."""
    app.refresh_from_db()
    kwargs.setdefault("reason", "검토 의견")
    services.take(user, app, code, version=app.version, **kwargs)
    app.refresh_from_db()
    return app


def approved_run(world: World, app: Application) -> Any:
    """The provider pseudonymizes the approved items and the reviewer finds it adequate."""
    dataset = app.items.first().item.dataset  # type: ignore[union-attr]
    text = links.policy_from_items(app, dataset)
    policy = processing.create_policy(dataset, text, title=app.title, user=world.ssis)
    run = processing.execute_run(processing.request_run(policy, user=world.ssis).pk)
    assert run.status == "succeeded", run.error_en
    return run


def all_ok() -> dict[str, dict[str, Any]]:
    return {code: {"ok": True, "note": ""} for code in CHECKLIST_CODES}


def provide(world: World) -> Application:
    """Walk a single-source application all the way to the workspace."""
    app = draft_provision(world)
    app = take(world.researcher, app, "submit")
    app = take(world.mohw, app, "approve")
    app = take(world.ssis, app, "approve_items", approved_items=items("ssis_persons", PERSON_ITEMS))
    run = approved_run(world, app)
    app = take(world.ssis, app, "submit_run", runs=[run.pk])
    run.refresh_from_db()
    processing.decide_adequacy(
        run,
        reviewer=world.ssis_review,
        decision="adequate",
        reason="",
        required_action="",
        checklist=all_ok(),
    )
    app.refresh_from_db()
    return take(world.ssis, app, "provide")
