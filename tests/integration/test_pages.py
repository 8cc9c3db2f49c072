"""The portal's pages as a visitor, a researcher and a security officer use them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from gamyeong.accounts.services import NewUser
from gamyeong.accounts.totp import current_code
from gamyeong.governance import audit
from gamyeong.governance.models import AuditEvent

if TYPE_CHECKING:
    from tests.integration.conftest_pages import Catalog, MakeUser

pytest_plugins = ["tests.integration.conftest_pages"]

pytestmark = pytest.mark.django_db


def text(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def h1(response: object) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", text(response), re.S)
    assert match, "the page has no <h1>"
    return re.sub(r"\s+", " ", match.group(1)).strip()


# ---- public pages, Korean first -----------------------------------------------------------------

PUBLIC_PAGES = [
    ("web:home", (), "가명: 연구를 위한 사회보장 가명정보"),
    ("web:procedures", (), "가명정보 활용(분석) 절차 안내"),
    ("catalog:index", (), "데이터 카탈로그"),
    ("catalog:dataset", ("recipients",), "자격 수급자 현황"),
    ("workspace:rooms", (), "폐쇄형 분석 공간"),
    ("governance:cases", (), "가명정보 제공 및 결합 사례"),
]


@pytest.mark.parametrize(("name", "args", "heading"), PUBLIC_PAGES)
def test_public_page_answers_without_login_in_korean(
    client: Client, catalog: Catalog, name: str, args: tuple[str, ...], heading: str
) -> None:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert '<html lang="ko">' in text(response)
    assert h1(response) == heading


ENGLISH_HEADINGS = [
    ("web:home", (), "gamyeong: pseudonymized social-security data for research"),
    ("web:procedures", (), "Procedures for using pseudonymized data"),
    ("catalog:index", (), "Data catalog"),
    ("catalog:dataset", ("recipients",), "Eligibility recipients"),
    ("workspace:rooms", (), "Closed analysis rooms"),
    ("governance:cases", (), "Pseudonymized-data provision and combination cases"),
]


@pytest.mark.parametrize(("name", "args", "heading"), ENGLISH_HEADINGS)
def test_english_is_used_when_the_language_cookie_says_so(
    client: Client, catalog: Catalog, name: str, args: tuple[str, ...], heading: str
) -> None:
    client.cookies["django_language"] = "en"
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert '<html lang="en">' in text(response)
    assert h1(response) == heading


def test_language_switcher_posts_to_set_language_and_comes_back(client: Client) -> None:
    page = text(client.get(reverse("catalog:index")))
    assert f'action="{reverse("set_language")}" method="post"' in page
    assert '<input type="hidden" name="next" value="/catalog/">' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": "/catalog/"})
    assert response.status_code == 302
    assert response["Location"] == "/catalog/"
    assert h1(client.get("/catalog/")) == "Data catalog"


def test_every_page_has_the_krds_frame_and_no_inline_code(client: Client, catalog: Catalog) -> None:
    for name, args, _heading in PUBLIC_PAGES:
        page = text(client.get(reverse(name, args=args)))
        assert '<div id="krds-skip-link">' in page
        assert '<a href="#content">본문 바로가기</a>' in page
        assert '<main id="content"' in page
        assert 'id="krds-masthead"' in page and 'id="krds-header"' in page
        assert 'id="krds-footer"' in page
        # The content-security policy allows no inline script or style.
        assert "<style" not in page
        assert 'style="' not in page
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None


def test_home_says_it_is_a_synthetic_demo_with_live_counts(
    client: Client, catalog: Catalog
) -> None:
    page = text(client.get(reverse("web:home")))
    assert "합성 데이터" in page
    assert "정부 공식 누리집이 아니며" in page
    assert "대한민국 공식 전자정부 누리집입니다" not in page
    counts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    # One published dataset (the unpublished one is not counted), its 4 items, 2 programmes,
    # the 10 source systems of the seed.
    assert counts == {"데이터셋": "1", "항목": "4", "자격정보": "2", "원천 시스템": "10"}
    for name in ("catalog:index", "web:procedures", "workspace:rooms", "governance:cases"):
        assert f'href="{reverse(name)}"' in page


# ---- catalog ----------------------------------------------------------------------------------------


def test_catalog_lists_published_datasets_programmes_and_systems(
    client: Client, catalog: Catalog
) -> None:
    page = text(client.get(reverse("catalog:index")))
    assert 'data-trigger="gnb" aria-current="page">데이터 카탈로그</a>' in page
    assert "자격 수급자 현황" in page
    assert "비공개 데이터셋" not in page
    assert "사회보장정보시스템(행복이음·범정부)" in page
    assert "1,234" in page
    assert "자격정보 중 소득재산조사를 수행하지 않는 자격은 소득재산정보가 없습니다." in page
    assert "있음(소득재산조사 수행)" in page and "없음(소득재산조사 미수행)" in page
    assert "기초생활보장과" in page
    assert page.count('<th scope="row">') >= 1 + 2 + 10


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"q": "소득인정"}, True),
        ({"q": "recognized income"}, True),
        ({"q": "없는말"}, False),
        ({"source": "haengbok"}, True),
        ({"source": "phis"}, False),
        ({"programme": "livelihood"}, True),
        ({"programme": "child-allowance"}, False),
        ({"item_class": "sensitive"}, True),
    ],
)
def test_catalog_filters(
    client: Client, catalog: Catalog, query: dict[str, str], found: bool
) -> None:
    page = text(client.get(reverse("catalog:index"), query))
    assert ("자격 수급자 현황" in page) is found
    assert ("데이터셋 1개" if found else "데이터셋 0개") in page


def test_catalog_filter_form_is_labelled_and_reports_a_bad_value(
    client: Client, catalog: Catalog
) -> None:
    page = text(client.get(reverse("catalog:index"), {"source": "nope"}))
    for field in ("q", "source", "programme", "item_class"):
        assert f'<label for="id_{field}">' in page
    assert 'method="get"' in page
    assert 'aria-describedby="id_source-error"' in page
    assert 'id="id_source-error" role="alert"' in page
    assert "자격 수급자 현황" in page  # the bad filter is left out


def test_dataset_page_lists_items_with_their_classes_and_never_data_rows(
    client: Client, catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    (tmp_path / "recipients.csv").write_text(
        "name,age,income,benefit\n김하늘,47,1200000,713000\n", encoding="utf-8"
    )
    page = text(client.get(reverse("catalog:dataset", args=["recipients"])))
    for name, ko, en in [
        ("name", "성명", "Name"),
        ("age", "나이", "Age"),
        ("income", "소득인정액", "Recognized income"),
        ("benefit", "지급금액", "Payment amount"),
    ]:
        assert f'<span class="gy-code">{name}</span>' in page
        assert f'<td lang="ko">{ko}</td>' in page
        assert f'<td lang="en">{en}</td>' in page
    assert '<span class="krds-badge bg-light-danger">식별정보</span>' in page
    assert '<span class="krds-badge bg-light-warning">식별가능정보</span>' in page
    assert '<span class="krds-badge bg-light-point">민감정보</span>' in page
    assert '<span class="krds-badge bg-light-gray">기타</span>' in page
    assert "생계급여" in page
    for value in ("김하늘", "1200000", "713000"):
        assert value not in page


def test_unpublished_dataset_is_not_found(client: Client, catalog: Catalog) -> None:
    assert client.get(reverse("catalog:dataset", args=["unpublished"])).status_code == 404


# ---- procedures, rooms, cases ------------------------------------------------------------------------

SUB_STEPS = [
    "1-1", "1-2", "1-3", "1-4", "1-5", "1-6",
    "2-1", "2-2", "2-3", "2-4", "2-5", "2-6",
    "3-1", "3-2",
    "4-1", "4-2", "4-3", "4-4", "4-5", "4-6",
    "5-1", "5-2", "5-3", "5-4",
    "6-1", "6-2",
]  # fmt: skip


def test_procedures_follow_the_seed(client: Client) -> None:
    page = text(client.get(reverse("web:procedures")))
    assert "복지부 사업과별 승인 후 가명처리 및 제공 가능(근거: 보건복지부 통계 예규 7호)" in page
    numbers = re.findall(r'<th scope="row" class="gy-nowrap">(\d-\d)</th>', page)
    assert numbers == SUB_STEPS
    for seed_text in (
        "가명정보 결합 사전준비",
        "결합정보 이용기관 결합 신청서류 작성",
        "가명처리 적합성 검토 및 식별 위험성 검토",
        "결합신청서 검토 (필요시, 서류 보관)",
        "결합키 생성",
        "결합정보 확인 및 반출여부 결정",
        "반출신청서 제출 (필요시, 서류 보관)",
        "목적 달성 후 관련 정보 파기",
        "결합신청 전 사전준비 단계",
        "가명정보 결합 및 반출 진행 단계",
    ):
        assert seed_text in page
    for party in ("결합정보 이용기관", "가명정보 제공기관", "결합전문기관", "결합키관리기관"):
        assert f">{party}</span>" in page
    assert "<caption>" in page and '<th scope="rowgroup" rowspan="6">' in page


def test_rooms_show_both_rooms_and_the_export_rule(client: Client) -> None:
    page = text(client.get(reverse("workspace:rooms")))
    for expected in ("가명정보 분석실", "개인정보 이노베이션 존", "6석", "4석", "14층"):
        assert expected in page
    assert "GPU (GeForce RTX 4070)" in page and "GPU (GeForce RTX 4090)" in page
    assert "SAS, SPSS, STATA, Anaconda (Python), R" in page
    assert "가명정보만" in page and "가명정보 및 개인정보" in page
    assert "승인된 분석결과물만 반출할 수 있으며, 데이터는 반출할 수 없습니다." in page


def test_cases_are_grouped_by_year_with_counts(client: Client) -> None:
    page = text(client.get(reverse("governance:cases")))
    provision, combination = page.split('id="combination"')
    for year, count in (("2023", 2), ("2024", 9), ("2025", 10)):
        assert f'rowspan="{count}">{year} ({count}건)</th>' in provision
    for year, count in (("2023", 4), ("2024", 4), ("2025", 3)):
        assert f'rowspan="{count}">{year} ({count}건)</th>' in combination
    assert "총 21건" in provision and "총 11건" in combination
    assert "폭염 무더위쉼터 위치 적정성 평가 연구 (2)" in provision
    assert "한국고용정보원, 한국사회보장정보원" in combination


# ---- accounts pages ------------------------------------------------------------------------------


def test_login_form_is_labelled_posts_next_and_announces_errors(
    client: Client, officer: NewUser
) -> None:
    page = text(client.get(reverse("accounts:login"), {"next": "/dashboard/"}))
    assert '<label for="id_username">아이디</label>' in page
    assert '<label for="id_password">비밀번호</label>' in page
    assert '<input type="hidden" name="next" value="/dashboard/">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(
        reverse("accounts:login"), {"username": "officer", "password": "wrong", "next": "/x/"}
    )
    assert response.status_code == 200
    assert 'class="gy-notice is-danger" role="alert"' in text(response)


def test_wrong_code_is_shown_next_to_the_field(client: Client, officer: NewUser) -> None:
    client.post(reverse("accounts:login"), {"username": "officer", "password": officer.password})
    response = client.post(reverse("accounts:verify"), {"code": "12345"})
    page = text(response)
    assert 'aria-describedby="id_code-hint id_code-error"' in page
    assert 'aria-invalid="true"' in page
    assert 'id="id_code-error" role="alert"' in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page


def test_totp_setup_shows_the_qr_code_and_the_key(client: Client, make_user: MakeUser) -> None:
    new = make_user("newcomer", ["researcher"], organisation="university", with_totp=False)
    response = client.post(
        reverse("accounts:login"), {"username": "newcomer", "password": new.password}
    )
    page = text(client.get(response["Location"]))
    assert "<h1>인증 앱 등록</h1>" in page
    assert "<svg" in page and 'role="img"' in page
    assert re.search(r'<code class="gy-secret">[A-Z2-7]{16,}</code>', page)


def test_repeated_failures_show_the_lockout_page(client: Client, officer: NewUser) -> None:
    for _attempt in range(5):
        response = client.post(
            reverse("accounts:login"), {"username": "officer", "password": "wrong"}
        )
    assert response.status_code == 403
    page = text(response)
    assert "<h1>계정 잠금</h1>" in page
    assert "로그인에 5번 실패하여 계정이 잠겼습니다." in page
    assert "30분 뒤에 다시 시도하세요." in page


# ---- private pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["web:dashboard", "governance:audit"])
def test_private_pages_send_anonymous_users_to_login(client: Client, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_dashboard_shows_the_user_the_roles_and_fitting_links(officer_client: Client) -> None:
    page = text(officer_client.get(reverse("web:dashboard")))
    assert "<h1>나의 화면</h1>" in page
    assert "officer 님" in page and "한국사회보장정보원" in page
    assert "개인정보 보호책임자(감사)" in page
    assert "감사 기록과 처리 기록을 점검하고 파기를 확인합니다." in page
    assert f'href="{reverse("governance:audit")}"' in page
    assert f'href="{reverse("admin:index")}"' in page
    assert 'action="/accounts/logout/"' in page  # logout is a POST form


def test_researcher_dashboard_has_no_audit_or_admin_link(researcher_client: Client) -> None:
    page = text(researcher_client.get(reverse("web:dashboard")))
    assert "연구자(가명정보 이용자)" in page
    assert f'href="{reverse("governance:audit")}"' not in page
    assert f'href="{reverse("admin:index")}"' not in page


def test_audit_trail_needs_the_permission(researcher_client: Client) -> None:
    assert researcher_client.get(reverse("governance:audit")).status_code == 403
    assert researcher_client.post(reverse("governance:audit")).status_code == 403


def test_audit_trail_lists_and_filters_events_50_a_page(officer_client: Client) -> None:
    for number in range(60):
        audit.record("synth.generated", actor="system:test", summary=f"run {number}")
    url = reverse("governance:audit")
    page = text(officer_client.get(url))
    assert "<h1>감사 기록</h1>" in page
    assert page.count("<tr>") == 1 + 50
    assert 'href="?page=2"' in page
    filtered = text(officer_client.get(url, {"action": "auth.login"}))
    assert "auth.login" in filtered and "synth.generated</span>" not in filtered
    by_actor = text(officer_client.get(url, {"actor": "system:test", "page": 2}))
    assert "기록 60건" in by_actor and by_actor.count("<tr>") == 1 + 10
    assert 'href="?actor=system%3Atest&amp;page=1"' in by_actor


def test_verify_now_reports_an_intact_chain_and_records_the_check(officer_client: Client) -> None:
    response = officer_client.post(reverse("governance:audit"))
    assert response.status_code == 302
    page = text(officer_client.get(response["Location"]))
    assert "감사 기록에 이상이 없습니다." in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "audit.verified"
    assert '"ok":true' in event.detail_json
    # The result is shown once.
    assert "감사 기록에 이상이 없습니다." not in text(
        officer_client.get(reverse("governance:audit"))
    )


def test_verify_now_reports_tampering_in_korean_and_english(officer_client: Client) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE governance_auditevent SET summary = %s WHERE seq = 1", ["forged"])
    response = officer_client.post(reverse("governance:audit"))
    page = text(officer_client.get(response["Location"]))
    assert 'class="gy-notice is-danger" role="alert"' in page
    assert "감사 기록이 변조되었습니다." in page
    assert '<p lang="ko">#1 기록이 수정되었습니다</p>' in page
    assert '<p lang="en">event #1 was edited</p>' in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "audit.verified"
    assert '"ok":false' in event.detail_json


def test_signing_in_returns_to_the_page_asked_for(client: Client, officer: NewUser) -> None:
    response = client.post(
        reverse("accounts:login"),
        {"username": "officer", "password": officer.password, "next": "/governance/audit/"},
    )
    assert response.status_code == 302
    assert officer.totp_device is not None
    response = client.post(response["Location"], {"code": current_code(officer.totp_device)})
    assert response.status_code == 302
    assert response["Location"] == "/governance/audit/"


def test_browser_language_does_not_override_korean(client: Client) -> None:
    response = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="ko"' in response.content.decode()
