"""Applications through the services: the single-source provision end to end, the combination's
first stages, guards, returns, conflicts, notifications and uploads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from gamyeong.applications import links, services
from gamyeong.applications.models import Application, Document, Notification, Transition
from gamyeong.governance.audit import verify_chain
from gamyeong.governance.models import AuditEvent
from gamyeong.processing import services as processing
from gamyeong.workspace.models import Workspace
from tests.integration.applications_helpers import (
    PDF,
    PERSON_ITEMS,
    World,
    all_ok,
    approved_run,
    build_world,
    draft_provision,
    items,
    provide,
    take,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any, tmp_path: Path, synth_dir: Path) -> World:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world(settings, tmp_path, synth_dir)


def test_a_single_source_application_reaches_the_workspace(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        app = provide(world)
    assert app.state == "in_use"
    workspace = Workspace.objects.get(application=app)
    assert workspace.period_end.isoformat() == "2027-11-30"
    assert [s["kind"] for s in workspace.sources] == ["run"]
    path = [t.target for t in Transition.objects.filter(application=app)]
    assert path == [
        "ministry_review",
        "item_review",
        "pseudonymization",
        "adequacy_review",
        "provision",
        "in_use",
    ]
    # each change of owner told the new owners and the applicant, in the inbox and by e-mail
    assert Notification.objects.filter(recipient=world.mohw).exists()
    assert Notification.objects.filter(recipient=world.ssis_review).exists()
    # the applicant hears of every move but their own submission
    assert Notification.objects.filter(recipient=world.researcher).count() == 5
    assert any("mohw@example.kr" in m.to for m in mail.outbox)
    moved = AuditEvent.objects.filter(action="applications.moved").count()
    assert moved == 6
    assert verify_chain().ok


def test_submission_lists_what_is_missing(world: World) -> None:
    app = services.create(world.researcher, workflow="provision", title="빈 신청")
    with pytest.raises(services.WorkflowError) as caught:
        take(world.researcher, app, "submit")
    english = " | ".join(e for _k, e in caught.value.problems)
    for expected in ("purpose category", "period", "pledge", "research plan", "no items"):
        assert expected in english
    app.refresh_from_db()
    assert app.state == "draft" and app.submitted_at is None


def test_a_return_goes_back_to_its_author_with_what_is_missing(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    with pytest.raises(services.WorkflowError):  # a return needs the missing list
        take(world.mohw, app, "return", reason="보완 필요")
    app = take(world.mohw, app, "return", reason="보완 필요", missing=["IRB 승인서", "기간 근거"])
    assert app.state == "supplement" and app.owner == "applicant"
    last = app.transitions.last()
    assert last is not None and last.missing == ["IRB 승인서", "기간 근거"]
    assert Notification.objects.filter(recipient=world.researcher).count() == 1
    # the author may edit again, then resubmit to the ministry
    services.update(world.researcher, app, purpose="보완한 목적")
    app = take(world.researcher, app, "resubmit")
    assert app.state == "ministry_review"


def test_nobody_else_can_decide_and_nobody_reviews_their_own(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    for user in (world.researcher, world.ssis, world.outsider, world.agency):
        with pytest.raises(PermissionDenied):
            take(user, app, "approve")
    # a ministry approver who co-researches the application is not its reviewer
    Application.objects.filter(pk=app.pk).update(state="draft", submitted_at=None)
    app.refresh_from_db()
    services.add_co_researcher(world.researcher, app, world.co_researcher.username)
    world.co_researcher.groups.add(*world.mohw.groups.all())
    world.co_researcher.organisation = world.mohw.organisation
    world.co_researcher.save()
    app = take(world.researcher, app, "submit")
    with pytest.raises(PermissionDenied):
        take(world.co_researcher, app, "approve")


def test_two_staff_deciding_at_once_one_wins(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    version = app.version
    services.take(world.mohw, app, "approve", version=version, reason="적합")
    # a second approver, deciding on the page they loaded before, is told someone was first
    other = type(world.mohw).objects.get(pk=world.mohw.pk)
    other.pk = None
    other.id = None
    other.username = "mohw2"
    other.save()
    other.groups.set(world.mohw.groups.all())
    with pytest.raises(services.ConflictError):
        services.take(other, app, "reject", version=version, reason="반려")
    # the same decision sent twice is recorded once
    again = services.take(world.mohw, app, "approve", version=version, reason="적합")
    assert again.duplicate and not again.moved
    app.refresh_from_db()
    assert app.state == "item_review"
    assert Transition.objects.filter(application=app).count() == 2


def test_a_run_that_keeps_unapproved_items_is_refused(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    app = take(world.mohw, app, "approve")
    # the provider approves fewer items than asked: disability is refused
    fewer = items("ssis_persons", tuple(n for n in PERSON_ITEMS if n != "disability"))
    app = take(world.ssis, app, "approve_items", approved_items=fewer)
    assert app.items.filter(approved=False).count() == 1
    dataset = app.items.first().item.dataset  # type: ignore[union-attr]
    text = (Path(__file__).resolve().parents[2] / "examples/policies/ssis_persons.yaml").read_text()
    policy = processing.create_policy(dataset, text, title="예시", user=world.ssis)
    run = processing.execute_run(processing.request_run(policy, user=world.ssis).pk)
    with pytest.raises(services.WorkflowError) as caught:
        take(world.ssis, app, "submit_run", runs=[run.pk])
    assert "disability" in caught.value.problems[0][1]
    # the policy started from the approved items fits
    assert "disability: delete" in links.policy_from_items(app, dataset)
    good = approved_run(world, app)
    app = take(world.ssis, app, "submit_run", runs=[good.pk])
    assert app.state == "adequacy_review"


def test_inadequate_sends_it_back_to_pseudonymization(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    app = take(world.mohw, app, "approve")
    app = take(world.ssis, app, "approve_items", approved_items=items("ssis_persons", PERSON_ITEMS))
    run = approved_run(world, app)
    app = take(world.ssis, app, "submit_run", runs=[run.pk])
    with pytest.raises(services.WorkflowError):  # provide needs an adequate review
        take(world.ssis, app, "provide")
    processing.decide_adequacy(
        run,
        reviewer=world.ssis_review,
        decision="inadequate",
        reason="지역 정보가 너무 상세함",
        required_action="additional_processing",
        checklist=all_ok(),
    )
    app.refresh_from_db()
    assert app.state == "pseudonymization"
    assert app.transitions.last().reason == "지역 정보가 너무 상세함"  # type: ignore[union-attr]


def test_withdrawal_and_its_limits(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    with pytest.raises(PermissionDenied):
        take(world.mohw, app, "withdraw", reason="x")
    app = take(world.researcher, app, "withdraw", reason="연구 중단")
    assert app.state == "withdrawn" and app.ended and app.owner is None
    with pytest.raises(services.WorkflowError):
        take(world.researcher, app, "submit")


def test_uploads_are_checked_and_stored_outside_the_web_root(world: World, settings: Any) -> None:
    app = services.create(world.researcher, workflow="provision", title="서류")

    def send(name: str, content: bytes) -> Document:
        return services.upload(
            world.researcher, app, kind="research_plan", name=name, stream=io.BytesIO(content)
        )

    with pytest.raises(services.WorkflowError, match="PDF"):
        send("plan.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(services.WorkflowError, match="allowed"):
        send("run.exe", b"MZ\x90\x00")
    with pytest.raises(services.WorkflowError, match="DOCX"):
        send("plan.docx", PDF)
    settings.GAMYEONG_UPLOAD_MAX_MB = 1
    with pytest.raises(services.WorkflowError, match="too large"):
        send("big.pdf", PDF + b"0" * (1024 * 1024))
    stored = send("../../etc/<b>passwd</b>계획서.pdf", PDF)
    assert stored.name == "b_계획서.pdf"  # the last path part, specials replaced
    assert "/" not in stored.name and ".." not in stored.name
    on_disk = Path(settings.DATA_DIR) / stored.stored
    assert on_disk.read_bytes() == PDF and on_disk.name != stored.name
    assert Document.objects.count() == 1  # the refused ones left no record
    assert sorted(p.name for p in on_disk.parent.iterdir()) == [on_disk.name]  # nor a file


def test_a_submitted_application_cannot_be_edited_by_anyone(world: World) -> None:
    app = take(world.researcher, draft_provision(world), "submit")
    with pytest.raises(services.WorkflowError):
        services.update(world.researcher, app, purpose="몰래 바꾸기")
    with pytest.raises(PermissionDenied):
        services.update(world.mohw, app, purpose="몰래 바꾸기")
    with pytest.raises(services.WorkflowError):
        upload(world.researcher, app, Document.Kind.RESEARCH_PLAN)


def test_the_responsible_division_is_told_first(world: World) -> None:
    from gamyeong.applications.access import divisions
    from tests.integration.helpers import make_user

    other = make_user("mohw-child", ("ministry_approver",), "ministry", "보건복지부").user
    other.department = "아동정책과"
    other.save()
    world.mohw.department = "기초생활보장과"
    world.mohw.save()
    app = draft_provision(world)
    services.set_items(
        world.researcher, app, items("ssis_persons", (*PERSON_ITEMS, "has_livelihood")), {}
    )
    assert divisions(app) == ["보건복지부 기초생활보장과"]
    take(world.researcher, app, "submit")
    assert Notification.objects.filter(recipient=world.mohw).count() == 1
    assert not Notification.objects.filter(recipient=other).exists()


def test_reloading_the_catalog_keeps_the_applications_items(world: World, settings: Any) -> None:
    """`make run` reloads the demo catalog every time: items asked for by an application keep
    their ids (updated in place), nothing fails."""
    from gamyeong.catalog.services import load_manifest

    app = draft_provision(world)
    before = sorted(app.items.values_list("item_id", flat=True))
    load_manifest(settings.DATA_DIR / "synth" / "manifest.json", data_dir=settings.DATA_DIR)
    assert sorted(app.items.values_list("item_id", flat=True)) == before
    assert app.items.count() == len(PERSON_ITEMS)
