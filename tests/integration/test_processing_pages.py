"""The pseudonymization pages as provider staff, a combination-agency reviewer and a researcher
use them: the home page, the policy editor, the policy page, the run page and its review."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from gamyeong.accounts.models import Organisation
from gamyeong.accounts.services import NewUser
from gamyeong.catalog.models import Dataset
from gamyeong.catalog.services import load_manifest
from gamyeong.processing import services
from gamyeong.processing.checklist import CHECKLIST_CODES
from gamyeong.processing.models import AdequacyReview, Policy, Run
from tests.integration.helpers import login, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def prepare_data(settings: Any, tmp_path: Path, synth_dir: Path) -> Dataset:
    """A data directory in tmp with the session's synthetic files, the catalog loaded from
    their manifest, and background jobs run at once (the immediate backend)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.PROVIDER_VAULT = tmp_path / "vault"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "synth").symlink_to(synth_dir)
    load_manifest(settings.DATA_DIR / "synth" / "manifest.json", data_dir=settings.DATA_DIR)
    settings.TASKS = IMMEDIATE
    return Dataset.objects.get(name="ssis_persons")


@pytest.fixture
def data(settings: Any, tmp_path: Path, synth_dir: Path) -> Dataset:
    return prepare_data(settings, tmp_path, synth_dir)


SSIS = "한국사회보장정보원"  # the provider of ssis_persons (the synthetic manifest)


def staff(name: str, role: str = "provider_data_manager", org: str = SSIS) -> NewUser:
    """A member of ``org``'s staff: by default the dataset's provider, whose data managers and
    adequacy reviewers (적정성 검토) see its processing."""
    kind = (
        Organisation.Kind.COMBINATION_AGENCY
        if role == "combination_agency_staff"
        else Organisation.Kind.PROVIDER
    )
    return make_user(name, roles=(role,), kind=kind, org=org)


def signed_in(new: NewUser) -> Client:
    client = Client()
    response = login(client, new)
    assert response.status_code == 302, "the one-time code step failed"
    return client


def example() -> str:
    return (ROOT / "examples" / "policies" / "ssis_persons.yaml").read_text(encoding="utf-8")


def text(response: Any) -> str:
    return str(response.content.decode("utf-8"))


def finished_run(data: Dataset, user: Any) -> Run:
    policy = services.create_policy(data, example(), title="", user=user)
    return services.execute_run(services.request_run(policy, user=user).pk)


def all_ok() -> dict[str, str]:
    form = {f"ok_{code}": "on" for code in CHECKLIST_CODES}
    return form | {"decision": "adequate", "reason": "", "required_action": ""}


def page_urls(run: Run) -> list[str]:
    policy = run.policy
    return [
        reverse("processing:home"),
        reverse("processing:policy_new", args=[policy.dataset.name]),
        reverse("processing:policy", args=[policy.pk]),
        reverse("processing:run", args=[run.pk]),
        reverse("processing:run_status", args=[run.pk]),
        reverse("processing:report_html", args=[run.pk]),
    ]


# ---- who may see the pages ----------------------------------------------------------------------


def test_the_pages_answer_for_provider_staff(data: Dataset) -> None:
    alice = staff("alice")
    run = finished_run(data, alice.user)
    client = signed_in(alice)
    for url in page_urls(run):
        assert client.get(url).status_code == 200, url
    assert reverse("processing:home") in text(client.get(reverse("web:dashboard")))


def test_anonymous_visitors_are_sent_to_the_login(client: Client, data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    for url in [*page_urls(run), reverse("processing:report_pdf", args=[run.pk])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_researchers_are_refused(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    researcher = make_user("bob")
    client = signed_in(researcher)
    for url in [*page_urls(run), reverse("processing:report_pdf", args=[run.pk])]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("processing:policy_run", args=[run.policy.pk])).status_code == 403
    assert client.post(reverse("processing:run", args=[run.pk]), all_ok()).status_code == 403
    assert reverse("processing:home") not in text(client.get(reverse("web:dashboard")))
    assert Run.objects.count() == 1 and not AdequacyReview.objects.exists()


def test_the_adequacy_reviewer_reads_but_does_not_write_or_run(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    client = signed_in(staff("carol", "adequacy_reviewer"))
    assert client.get(reverse("processing:run", args=[run.pk])).status_code == 200
    assert client.get(reverse("processing:policy", args=[run.policy.pk])).status_code == 200
    new = reverse("processing:policy_new", args=[data.name])
    assert client.get(new).status_code == 403
    assert client.post(reverse("processing:policy_run", args=[run.policy.pk])).status_code == 403


def test_another_institution_sees_nothing_of_the_processing(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    keis = staff("kim", org="한국고용정보원")
    agency = staff("lee", "combination_agency_staff", org="결합전문기관")
    clients = {other.user.username: signed_in(other) for other in (keis, agency)}
    for other in (keis, agency):
        client = clients[other.user.username]
        home = text(client.get(reverse("processing:home")))
        assert "ssis_persons" not in home and run.policy.title not in home
        pages = [u for u in page_urls(run) if u != reverse("processing:home")]
        for url in [*pages, reverse("processing:report_pdf", args=[run.pk])]:
            # 404, or 403 where the role lacks the permission altogether (the agency's editor)
            assert client.get(url).status_code in (403, 404), (other.user.username, url)
        assert client.post(reverse("processing:run", args=[run.pk]), all_ok()).status_code in (
            403,
            404,
        )
    client = clients["kim"]  # a data manager elsewhere: no policy, no run on SSIS data
    new = reverse("processing:policy_new", args=[data.name])
    assert client.get(new).status_code == 404
    assert client.post(reverse("processing:policy_run", args=[run.policy.pk])).status_code == 404
    assert Run.objects.count() == 1 and not AdequacyReview.objects.exists()


def test_a_combination_agency_reviews_the_runs_of_its_applications(data: Dataset) -> None:
    from django.utils import timezone

    from gamyeong.applications.models import Application

    run = finished_run(data, staff("alice").user)
    carol = staff("carol", "combination_agency_staff", org="결합전문기관")
    client = signed_in(carol)
    assert client.get(reverse("processing:run", args=[run.pk])).status_code == 404
    author = make_user("res").user
    application = Application.objects.create(
        workflow="combination",
        title="결합 과제",
        author=author,
        organisation=author.organisation,
        agency=carol.user.organisation,
        state="adequacy_review",
        state_entered_at=timezone.now(),
    )
    application.runs.add(run)
    assert client.get(reverse("processing:run", args=[run.pk])).status_code == 200
    assert client.get(reverse("processing:policy", args=[run.policy.pk])).status_code == 200
    assert client.post(reverse("processing:policy_run", args=[run.policy.pk])).status_code == 403


# ---- the policy editor --------------------------------------------------------------------------


def test_the_editor_starts_from_the_example_then_from_the_latest_version(data: Dataset) -> None:
    alice = staff("alice")
    client = signed_in(alice)
    url = reverse("processing:policy_new", args=[data.name])
    page = text(client.get(url))
    assert "dataset: ssis_persons" in page and "technique: band" in page
    assert "delete_records" in page and "generalization (범주화)" in page  # the help panel
    assert "rrn" in page and "식별정보" in page  # the dataset's items with their class
    services.create_policy(data, example() + "\n# v1 marker\n", title="first", user=alice.user)
    assert "# v1 marker" in text(client.get(url))


def test_a_bad_policy_shows_its_line_and_saves_nothing(data: Dataset) -> None:
    client = signed_in(staff("alice"))
    bad = example().replace("technique: band", "technique: bend")
    url = reverse("processing:policy_new", args=[data.name])
    response = client.post(url, {"title": "t", "yaml": bad})
    assert response.status_code == 400
    page = text(response)
    assert "31행" in page and "bend" in page and 'aria-invalid="true"' in page
    assert re.search(r'class="is-error"><span class="gy-line-no">31</span>', page)
    assert "technique: bend" in page  # the text is kept for fixing
    client.cookies["django_language"] = "en"
    assert "line 31" in text(client.post(url, {"title": "t", "yaml": bad}))
    assert not Policy.objects.exists()


def test_saving_a_good_policy_makes_the_next_version(data: Dataset) -> None:
    alice = staff("alice")
    services.create_policy(data, example(), title="first", user=alice.user)
    client = signed_in(alice)
    url = reverse("processing:policy_new", args=[data.name])
    response = client.post(url, {"title": "second", "yaml": example()})
    policy = Policy.objects.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("processing:policy", args=[policy.pk])
    assert (policy.title, policy.created_by) == ("second", alice.user)
    page = text(client.get(response["Location"]))
    assert "technique: band" in page and "band(width=5" in page  # the YAML and the item table
    assert "v1" in page and "v2" in page  # the version history


def upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/yaml")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.txt", b"items: {}", ".yaml"),
        ("policy.yaml", "dataset: ssis_persons\n# 가명".encode("euc-kr"), "UTF-8"),
        ("policy.yaml", b"# " + b"x" * (256 * 1024), "256"),
    ],
)
def test_an_unusable_upload_is_refused_clearly(
    data: Dataset, name: str, content: bytes, message: str
) -> None:
    client = signed_in(staff("alice"))
    url = reverse("processing:policy_new", args=[data.name])
    response = client.post(url, {"title": "", "yaml": "", "upload": upload(name, content)})
    assert response.status_code == 400
    assert 'id="upload-error"' in text(response) and message in text(response)
    assert not Policy.objects.exists()


def test_an_uploaded_policy_is_saved(data: Dataset) -> None:
    client = signed_in(staff("alice"))
    url = reverse("processing:policy_new", args=[data.name])
    file = upload("ssis_persons.yaml", example().encode("utf-8"))
    response = client.post(url, {"title": "", "yaml": "ignored", "upload": file})
    assert response.status_code == 302
    assert Policy.objects.get().yaml == example()


# ---- running ------------------------------------------------------------------------------------


def test_running_reaches_succeeded_and_the_run_page_shows_the_results(
    data: Dataset, django_capture_on_commit_callbacks: Any
) -> None:
    alice = staff("alice")
    policy = services.create_policy(data, example(), title="", user=alice.user)
    client = signed_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("processing:policy_run", args=[policy.pk]))
    run = Run.objects.get()
    assert response["Location"] == reverse("processing:run", args=[run.pk])
    assert run.status == Run.Status.SUCCEEDED, run.error_en
    page = text(client.get(response["Location"]))
    assert "k_min" in page and f"<dd>{run.risk['k_min']}</dd>" in page
    assert run.output_sha256 in page and "<svg" in page and "KS" in page
    assert 'hx-trigger="every 2s"' not in page
    assert "krds/htmx/htmx.min.js" in page and "<script>" not in page and "style=" not in page


def test_the_status_fragment_polls_until_the_run_is_finished(data: Dataset) -> None:
    alice = staff("alice")
    policy = services.create_policy(data, example(), title="", user=alice.user)
    run = Run.objects.create(policy=policy, requested_by=alice.user)  # queued: no worker here
    client = signed_in(alice)
    url = reverse("processing:run_status", args=[run.pk])
    queued = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in text(queued) and "HX-Refresh" not in queued
    assert f'hx-get="{url}"' in text(queued) and 'value="0"' in text(queued)
    services.execute_run(run.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in text(done) and "hx-get" not in text(done)
    assert done["HX-Refresh"] == "true" and 'value="100"' in text(done)


def test_a_failed_run_shows_both_messages(data: Dataset, settings: Any) -> None:
    alice = staff("alice")
    policy = services.create_policy(data, example(), title="", user=alice.user)
    run = services.request_run(policy, user=alice.user)
    settings.PROVIDER_VAULT = Path(settings.DATA_DIR) / "processed" / "ssis_persons"
    run = services.execute_run(run.pk)
    page = text(signed_in(alice).get(reverse("processing:run", args=[run.pk])))
    assert run.status == Run.Status.FAILED
    assert run.error_ko in page and run.error_en.replace("'", "&#x27;") in page


def test_no_url_serves_the_output_file(data: Dataset, settings: Any) -> None:
    alice = staff("alice")
    run = finished_run(data, alice.user)
    client = signed_in(alice)
    output = run.output_file  # processed/ssis_persons/run-N.parquet
    assert (Path(settings.DATA_DIR) / output).read_bytes()[:4] == b"PAR1"
    tries = [
        f"/static/{output}",
        f"/static/data/{output}",
        f"/static/../data/{output}",
        f"/static/../../var/data/{output}",
        f"/processing/{output}",
        f"/processing/runs/{run.pk}/{Path(output).name}",
        f"/processing/runs/{run.pk}/output/",
        f"/processing/runs/{run.pk}/download/",
        f"/processing/runs/{run.pk}/output.parquet",
    ]
    for url in tries:
        response = client.get(url)
        assert response.status_code == 404, url
        body = b"".join(response) if response.streaming else response.content  # type: ignore[arg-type]
        assert b"PAR1" not in body, url
    for url in page_urls(run):
        assert b"PAR1" not in client.get(url).content, url


# ---- the adequacy review ------------------------------------------------------------------------


def test_the_person_who_ran_it_cannot_review(data: Dataset) -> None:
    alice = staff("alice")
    run = finished_run(data, alice.user)
    client = signed_in(alice)
    url = reverse("processing:run", args=[run.pk])
    page = text(client.get(url))
    assert 'name="decision"' not in page and "다른 사람이 적정성을 검토해야" in page
    response = client.post(url, all_ok())
    assert response.status_code == 400
    assert "가명처리를 실행한 사람은 적정성 검토를 할 수 없습니다" in text(response)
    assert not AdequacyReview.objects.exists()


def test_another_staff_member_reviews_and_the_page_shows_the_decision(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    carol = staff("carol", "adequacy_reviewer")
    client = signed_in(carol)
    url = reverse("processing:run", args=[run.pk])
    form = text(client.get(url))
    assert 'name="decision"' in form
    assert re.search(r'name="ok_risk_within_threshold" value="on" checked', form)  # k met
    assert re.search(r'name="ok_additional_info_separated" value="on" checked', form)
    assert not re.search(r'name="ok_purpose_achievable" value="on" checked', form)
    response = client.post(url, all_ok() | {"note_outliers_handled": "100세 이상 삭제"})
    assert response.status_code == 302
    review = AdequacyReview.objects.get()
    assert (review.reviewer, review.decision) == (carol.user, "adequate")
    assert review.checklist["outliers_handled"] == {"ok": True, "note": "100세 이상 삭제"}
    page = text(client.get(url))
    assert "적정성 검토 결과를 저장했습니다" in page and "100세 이상 삭제" in page
    assert 'name="decision"' not in page and carol.user.full_name in page
    assert localtime(review.decided_at).strftime("%Y-%m-%d %H:%M") in page


def test_an_inadequate_decision_without_a_reason_is_refused(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    client = signed_in(staff("carol", "adequacy_reviewer"))
    url = reverse("processing:run", args=[run.pk])
    refused = client.post(url, all_ok() | {"decision": "inadequate"})
    assert refused.status_code == 400
    assert "부적정 결정에는 사유와 필요한 조치가 있어야 합니다" in text(refused)
    assert not AdequacyReview.objects.exists()
    accepted = client.post(
        url,
        all_ok()
        | {
            "decision": "inadequate",
            "reason": "85세 이상 범주가 작음",
            "required_action": "additional_processing",
        },
    )
    assert accepted.status_code == 302
    assert AdequacyReview.objects.get().required_action == "additional_processing"
    assert "추가 가명처리" in text(client.get(url))


def test_adequate_with_an_unmet_item_is_refused(data: Dataset) -> None:
    run = finished_run(data, staff("alice").user)
    client = signed_in(staff("carol", "adequacy_reviewer"))
    form = all_ok()
    del form["ok_items_minimized"]
    response = client.post(reverse("processing:run", args=[run.pk]), form)
    assert response.status_code == 400
    assert "충족되지 않은 항목이 있으면 적정으로 결정할 수 없습니다" in text(response)
    assert not AdequacyReview.objects.exists()
