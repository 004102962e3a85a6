"""The roles as Django groups, and what each persona (tests/conftest.py) may open today."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from quartier.web.roles import ADMIN, DATA_STEWARD, PLANNER, ROLES, ensure_roles, has_role

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def test_the_migration_creates_a_group_for_every_role() -> None:
    # Other tests flush the database, groups and all; the record of migrations stays.
    migration = importlib.import_module("quartier.web.migrations.0001_roles")
    Group.objects.all().delete()

    migration.create_roles(apps, None)

    assert ("web", "0001_roles") in MigrationRecorder(connection).applied_migrations()
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "Administration",
        "Datenpflege",
        "Planung",
    ]
    assert [role.group for role in ROLES] == ["Planung", "Datenpflege", "Administration"]


def test_ensure_roles_creates_the_missing_groups_once() -> None:
    Group.objects.filter(name=DATA_STEWARD.group).delete()

    first = ensure_roles()
    again = ensure_roles()

    assert [group.name for group in first] == [role.group for role in ROLES]
    assert [group.pk for group in again] == [group.pk for group in first]
    assert Group.objects.filter(name__in=[role.group for role in ROLES]).count() == len(ROLES)


def test_each_persona_has_its_own_role(
    planner: User, data_steward: User, administrator: User
) -> None:
    assert [has_role(planner, role) for role in ROLES] == [True, False, False]
    assert [has_role(data_steward, role) for role in ROLES] == [False, True, False]
    assert [has_role(administrator, role) for role in ROLES] == [False, False, True]
    assert not any(has_role(AnonymousUser(), role) for role in ROLES)
    assert (planner.is_staff, data_steward.is_staff, administrator.is_staff) == (False, False, True)


def test_a_user_may_have_several_roles(planner: User) -> None:
    planner.groups.add(Group.objects.get(name=DATA_STEWARD.group))

    assert has_role(planner, PLANNER)
    assert has_role(planner, DATA_STEWARD)
    assert not has_role(planner, ADMIN)


def test_the_admin_opens_the_admin_index(administrator_client: Client) -> None:
    response = administrator_client.get("/admin/")

    assert response.status_code == 200
    assert "<strong>Anna</strong>" in response.content.decode()


def test_the_admin_sees_the_groups_of_the_roles(administrator_client: Client) -> None:
    html = administrator_client.get("/admin/auth/group/").content.decode()

    for role in ROLES:
        assert role.group in html


def test_the_visitor_is_sent_to_the_login(visitor: Client) -> None:
    response = visitor.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN


@pytest.mark.parametrize(
    ("persona", "username"), [("planner_client", "petra"), ("data_steward_client", "dieter")]
)
def test_planner_and_data_steward_cannot_open_the_admin(
    persona: str, username: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(persona)

    response = client.get("/admin/")
    login = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    # Logged in, but without staff status: the login page says the account may not enter.
    assert login.status_code == 200
    assert f"Sie sind als {username} angemeldet, aber nicht autorisiert" in login.content.decode()


def test_every_persona_sees_the_public_start_page(
    visitor: Client,
    planner_client: Client,
    data_steward_client: Client,
    administrator_client: Client,
) -> None:
    for client in (visitor, planner_client, data_steward_client, administrator_client):
        assert client.get("/").status_code == 200
