"""A new user's first steps in the browser: the public portal, then a two-factor login."""

from __future__ import annotations

from typing import Any

import pytest

from gamyeong.accounts import totp
from tests.e2e.conftest import screenshot
from tests.integration.helpers import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_is_korean_and_styled_by_krds(live_server: Any, page: Any) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "홈" in page.title()  # Korean by default
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Pretendard" in font
    assert page.evaluate("document.fonts.check('16px \"Pretendard GOV\"')")
    assert not failed, failed
    screenshot(page, "home")


def test_two_factor_login_reaches_the_dashboard(live_server: Any, page: Any) -> None:
    new = make_user("e2e-user", roles=("researcher",))
    assert new.totp_device is not None
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("아이디").fill("e2e-user")
    page.get_by_label("비밀번호").fill(new.password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/accounts/verify/**")
    page.get_by_label("6자리", exact=False).fill(totp.current_code(new.totp_device))
    screenshot(page, "login-code")
    page.get_by_role("button", name="확인").click()
    page.wait_for_url("**/dashboard/")
    assert "테스트 사용자" in page.content()
    screenshot(page, "dashboard")
