"""The training pages read in English in these tests (the desk's default is Chinese)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import User


@pytest.fixture
def web() -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services called directly write their words (a skill's source) in English."""
    with translation.override("en"):
        yield
