"""Fixtures of the security tests: every persona, by the role the access table names."""

from __future__ import annotations

import pytest

from accounts.tests.factories import PASSWORD
from tests.security import access_table as table
from tests.security.matrix import World
from tickets.tests.factories import make_category


@pytest.fixture
def world(alice, carol, bob, erin, tom, dave, admin) -> World:
    people = [alice, carol, bob, erin, tom, dave, admin]
    by_name = {person.username: person for person in people}
    users = {role: by_name[name] for role, name in table.PERSONAS.items()}
    users["anonymous"] = None
    return World(users=users, category=make_category(), password=PASSWORD)
