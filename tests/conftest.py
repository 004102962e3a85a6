"""Shared fixtures.

Tests that need the real city files in ../shared/data or a service skip with a clear reason on a
developer's machine, but in CI (CI=true) a missing prerequisite is a failure, never a silent skip.

The personas, one for each role of `quartier.web.roles`, each with a client logged in as them:
`visitor` (anonymous), Petra of Planung (`planner`, `planner_client`), Dieter of Datenpflege
(`data_steward`, `data_steward_client`) and Anna of Administration (`administrator`,
`administrator_client`, staff and superuser).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from quartier.web.roles import ADMIN, DATA_STEWARD, PLANNER, Role, ensure_roles

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("QUARTIER_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip a test whose prerequisite is missing, but fail in CI where everything must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with the real city files (Berlin, Köln)."""
    require(SHARED_DATA.is_dir(), f"real city data not found at {SHARED_DATA}")
    return SHARED_DATA


def persona(username: str, name: str, role: Role, *, admin: bool = False) -> User:
    """A user in the group of a role; no password, as the tests log in without one."""
    first, last = name.split()
    user = User.objects.create_user(
        username, f"{username}@example.org", password=None, first_name=first, last_name=last
    )
    user.is_staff = user.is_superuser = admin
    user.save()
    groups = {group.name: group for group in ensure_roles()}
    user.groups.add(groups[role.group])
    return user


def logged_in(user: User) -> Client:
    """A new client with the user logged in, without the cost of hashing a password."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def visitor() -> Client:
    """Someone on the public pages who has not logged in."""
    return Client()


@pytest.fixture
def planner(db: None) -> User:
    """Petra, a planner (Planung), without staff status."""
    return persona("petra", "Petra Plan", PLANNER)


@pytest.fixture
def planner_client(planner: User) -> Client:
    return logged_in(planner)


@pytest.fixture
def data_steward(db: None) -> User:
    """Dieter, a data steward (Datenpflege), without staff status."""
    return persona("dieter", "Dieter Daten", DATA_STEWARD)


@pytest.fixture
def data_steward_client(data_steward: User) -> Client:
    return logged_in(data_steward)


@pytest.fixture
def administrator(db: None) -> User:
    """Anna, an admin (Administration), staff and superuser: she works in the Django admin."""
    return persona("anna", "Anna Admin", ADMIN, admin=True)


@pytest.fixture
def administrator_client(administrator: User) -> Client:
    return logged_in(administrator)
