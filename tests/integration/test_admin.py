"""The administration site: one-time code required, our login page, every change audited."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from gamyeong.accounts.services import NewUser
from gamyeong.catalog.models import Dataset, Item
from gamyeong.governance.models import AuditEvent

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.integration.conftest_pages import Catalog, MakeUser

    Signer = Callable[[Client, NewUser], None]

pytest_plugins = ["tests.integration.conftest_pages"]

pytestmark = pytest.mark.django_db


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def manager_client(client: Client, make_user: MakeUser, signer: Signer) -> Client:
    """A provider data manager: staff, may add and change datasets and items."""
    signer(client, make_user("manager", ["provider_data_manager"]))
    return client


@pytest.fixture
def superuser_client(client: Client, make_user: MakeUser, signer: Signer) -> Client:
    new = make_user("root", ["provider_data_manager"])
    new.user.is_superuser = True
    new.user.save(update_fields=["is_superuser"])
    signer(client, new)
    return client


# ---- access -------------------------------------------------------------------------------------------


def test_admin_site_requires_a_one_time_code() -> None:
    assert isinstance(admin.site, OTPAdminSite)


def test_admin_login_page_redirects_to_the_portal_login(client: Client) -> None:
    response = client.get("/admin/login/", {"next": "/admin/catalog/dataset/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/catalog/dataset/"


def test_anonymous_admin_visit_ends_on_the_portal_login(client: Client) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")
    assert response.status_code == 200


def test_password_only_session_is_sent_to_the_code_step(
    client: Client, make_user: MakeUser
) -> None:
    new = make_user("halfway", ["provider_data_manager"])
    client.post(reverse("accounts:login"), {"username": "halfway", "password": new.password})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/")


def test_verified_user_without_admin_access_is_refused_not_looped(
    researcher_client: Client,
) -> None:
    response = researcher_client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_verified_staff_user_reaches_the_admin(manager_client: Client) -> None:
    response = manager_client.get("/admin/")
    assert response.status_code == 200
    assert "가명" in response.content.decode()


# ---- audit events are read-only ------------------------------------------------------------------------


def test_audit_events_are_read_only_for_the_security_officer(officer_client: Client) -> None:
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    assert officer_client.get("/admin/governance/auditevent/").status_code == 200
    assert officer_client.get("/admin/governance/auditevent/add/").status_code == 403
    change_url = f"/admin/governance/auditevent/{event.pk}/change/"
    page = officer_client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert officer_client.post(change_url, {"summary": "forged"}).status_code == 403
    delete_url = f"/admin/governance/auditevent/{event.pk}/delete/"
    assert officer_client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.summary != "forged"


def test_audit_events_are_hidden_without_the_permission(manager_client: Client) -> None:
    assert manager_client.get("/admin/governance/auditevent/").status_code == 403


# ---- catalog saves and deletes are audited ------------------------------------------------------------


def _dataset_form(dataset: Dataset, **changes: Any) -> dict[str, Any]:
    """The POST data of the dataset change form, with its items inline."""
    data: dict[str, Any] = {
        "name": dataset.name,
        "title_ko": dataset.title_ko,
        "title_en": dataset.title_en,
        "description_ko": dataset.description_ko,
        "description_en": dataset.description_en,
        "provider": dataset.provider_id,
        "source_system": dataset.source_system_id or "",
        "programmes": [p.pk for p in dataset.programmes.all()],
        "unit_ko": dataset.unit_ko,
        "unit_en": dataset.unit_en,
        "rows": dataset.rows,
        "published": "on" if dataset.published else "",
    }
    items = list(dataset.items.order_by("position"))
    data.update(
        {
            "items-TOTAL_FORMS": len(items),
            "items-INITIAL_FORMS": len(items),
            "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000,
        }
    )
    for index, item in enumerate(items):
        prefix = f"items-{index}-"
        data.update(
            {
                f"{prefix}id": item.pk,
                f"{prefix}dataset": dataset.pk,
                f"{prefix}position": item.position,
                f"{prefix}name": item.name,
                f"{prefix}label_ko": item.label_ko,
                f"{prefix}label_en": item.label_en,
                f"{prefix}item_class": item.item_class,
                f"{prefix}data_type": item.data_type,
                f"{prefix}programme": item.programme_id or "",
            }
        )
    data.update(changes)
    return data


def test_dataset_and_inline_item_changes_are_audited(
    manager_client: Client, catalog: Catalog
) -> None:
    dataset = catalog.dataset
    url = f"/admin/catalog/dataset/{dataset.pk}/change/"
    data = _dataset_form(dataset, title_ko="자격 수급자 현황(수정)", **{"items-1-label_ko": "연령"})
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = events("catalog.changed")
    assert [(e.object_type, e.object_id) for e in changed] == [
        ("catalog.dataset", str(dataset.pk)),
        ("catalog.item", str(Item.objects.get(dataset=dataset, name="age").pk)),
    ]
    assert json.loads(changed[0].detail_json) == {"fields": ["title_ko"], "operation": "changed"}
    assert json.loads(changed[1].detail_json) == {"fields": ["label_ko"], "operation": "changed"}
    assert changed[0].actor == "manager"
    assert changed[0].actor_roles == "provider_data_manager"


def test_item_added_through_the_admin_is_audited(manager_client: Client, catalog: Catalog) -> None:
    response = manager_client.post(
        "/admin/catalog/item/add/",
        {
            "dataset": catalog.dataset.pk,
            "position": 9,
            "name": "region",
            "label_ko": "시도",
            "label_en": "Province",
            "item_class": "quasi_identifier",
            "data_type": "category",
            "description_ko": "",
            "description_en": "",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(name="region")
    (event,) = events("catalog.changed")
    assert (event.object_type, event.object_id) == ("catalog.item", str(item.pk))
    assert json.loads(event.detail_json)["operation"] == "added"


def test_deletes_are_audited_one_event_per_object(
    superuser_client: Client, catalog: Catalog
) -> None:
    item = Item.objects.get(dataset=catalog.dataset, name="benefit")
    response = superuser_client.post(f"/admin/catalog/item/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    others = list(Item.objects.filter(dataset=catalog.dataset, name__in=["name", "age"]))
    response = superuser_client.post(
        "/admin/catalog/item/",
        {
            "action": "delete_selected",
            "_selected_action": [o.pk for o in others],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    deleted = events("catalog.deleted")
    assert sorted(e.object_id for e in deleted) == sorted(
        [str(item.pk)] + [str(o.pk) for o in others]
    )
    assert all(e.object_type == "catalog.item" for e in deleted)
    assert "recipients.benefit" in [e.summary for e in deleted]


def test_analysis_room_change_is_audited(superuser_client: Client) -> None:
    from gamyeong.workspace.models import AnalysisRoom

    room = AnalysisRoom.objects.get(code="analysis-room")
    data = {
        "code": room.code,
        "order": room.order,
        "name_ko": room.name_ko,
        "name_en": room.name_en,
        "floor": room.floor,
        "seats": 8,
        "purpose_ko": room.purpose_ko,
        "purpose_en": room.purpose_en,
        "data_classes": room.data_classes,
        "workstation": room.workstation,
        "software": room.software,
        "hardware": room.hardware,
    }
    response = superuser_client.post(f"/admin/workspace/analysisroom/{room.pk}/change/", data)
    assert response.status_code == 302
    (event,) = events("catalog.changed")
    assert event.object_type == "workspace.analysisroom"
    assert json.loads(event.detail_json)["fields"] == ["seats"]


# ---- users -------------------------------------------------------------------------------------------------


def _user_form(new: NewUser, **changes: Any) -> dict[str, Any]:
    user = new.user
    data: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "organisation": user.organisation_id or "",
        "department": user.department,
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(changes)
    return data


def test_user_and_role_changes_are_audited(superuser_client: Client, make_user: MakeUser) -> None:
    target = make_user("subject", ["researcher"], organisation="provider")
    export_reviewer = Group.objects.get(name="export_reviewer")
    researcher = Group.objects.get(name="researcher")
    data = _user_form(target, full_name="새 이름", groups=[researcher.pk, export_reviewer.pk])
    response = superuser_client.post(f"/admin/accounts/user/{target.user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (changed,) = events("accounts.user_changed")
    assert changed.object_id == str(target.user.pk)
    assert "full_name" in json.loads(changed.detail_json)["fields"]
    (roles,) = events("accounts.roles_changed")
    assert json.loads(roles.detail_json) == {
        "before": ["researcher"],
        "after": ["export_reviewer", "researcher"],
    }


def test_a_role_the_organisation_may_not_hold_is_refused(
    superuser_client: Client, make_user: MakeUser
) -> None:
    target = make_user("student", ["researcher"], organisation="university")
    manager = Group.objects.get(name="provider_data_manager")
    data = _user_form(target, groups=[manager.pk])
    response = superuser_client.post(f"/admin/accounts/user/{target.user.pk}/change/", data)
    assert response.status_code == 200  # the form is shown again with the error
    assert events("accounts.roles_changed") == []
    assert target.user.role_codes == ["researcher"]


def test_users_are_never_deleted_through_the_admin(
    superuser_client: Client, make_user: MakeUser
) -> None:
    target = make_user("keeper", ["researcher"], organisation="university")
    response = superuser_client.post(
        f"/admin/accounts/user/{target.user.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403


def test_password_set_by_an_administrator_is_audited(
    superuser_client: Client, make_user: MakeUser
) -> None:
    target = make_user("forgetful", ["researcher"], organisation="university")
    response = superuser_client.post(
        f"/admin/accounts/user/{target.user.pk}/password/",
        {
            "password1": "Fresh-pass-2026!x",
            "password2": "Fresh-pass-2026!x",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (event,) = events("accounts.password_reset")
    assert event.object_id == str(target.user.pk) and event.actor == "root"
    assert "Fresh-pass" not in event.detail_json + event.summary
