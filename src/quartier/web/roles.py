"""The roles of quartier's users, each a Django group named once here.

- Planung (planners): the people the internal view is for, every value as computed.
- Datenpflege (data stewards): they keep the data (areas, observations, computations).
- Administration (admins): they manage users, groups and settings in the Django admin.

A role is a group, so a user may have several. The groups carry no permissions yet: the pages
for planners and data stewards, which will check `has_role`, are still to come. Django's admin
admits only staff, so an admin also needs staff status (`is_staff`); planners and data stewards
have none. The migration `web.0001_roles` calls `ensure_roles`, so the groups exist from the
first `migrate` on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, User

__all__ = ["ADMIN", "DATA_STEWARD", "PLANNER", "ROLES", "Role", "ensure_roles", "has_role"]


@dataclass(frozen=True)
class Role:
    """A role: `group` is the name of its Django group (German, as users see it)."""

    group: str


PLANNER = Role("Planung")
DATA_STEWARD = Role("Datenpflege")
ADMIN = Role("Administration")
ROLES = (PLANNER, DATA_STEWARD, ADMIN)


def ensure_roles(group_model: Any = Group) -> list[Group]:
    """Create the group of every role that has none; return the groups in the order of ROLES.

    Running it again changes nothing. `group_model` is the Group model to use; a migration
    passes the historical one.
    """
    return [group_model.objects.get_or_create(name=role.group)[0] for role in ROLES]


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    """Whether a user is in the group of a role; an anonymous visitor has no role."""
    return user.groups.filter(name=role.group).exists()
