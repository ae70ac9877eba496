"""The admin home under a red banner while a sweep is stale."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings
from django.utils import timezone

from servicedesk import heartbeats
from sla import obligations
from tests.processes import free_port


def test_the_admin_home_shows_no_banner_while_the_sweeps_run(web, admin, swept):
    # when
    page = web(admin).get("/admin/")

    # then
    assert page.status_code == 200
    assert b'id="sweeps-stale"' not in page.content


def test_the_admin_home_shows_a_red_banner_naming_the_stale_sweeps(web, admin, swept):
    # given: three intervals and a little later, nothing swept
    later = timezone.now() + heartbeats.stale_after() + dt.timedelta(seconds=5)

    # when
    with time_machine.travel(later, tick=False):
        page = web(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    # then
    text = page.content.decode()
    assert 'class="errornote" role="alert" id="sweeps-stale"' in text
    assert "The SLA clocks are not being swept." in text
    for name in obligations.registered():
        assert f"<code>{name}</code>" in text
    assert "last finished" in text


def test_the_banner_names_sweeps_that_never_ran_and_says_so_in_chinese(web, admin, desk_state):
    # when
    page = web(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then
    text = page.content.decode()
    assert 'id="sweeps-stale"' in text
    assert "The SLA clocks are not being swept." not in text
    assert text.count("<code>") == len(obligations.registered())


def test_the_banner_says_nobody_can_tell_when_redis_is_down(web, admin, swept):
    # when
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        page = web(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert b'id="sweeps-stale"' in page.content
    assert b"Redis does not answer" in page.content
