"""The post-incident review's page and API: who reads, who writes, what bad input says."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import review, services
from incidents.choices import IncidentStatus, MemberRole
from incidents.models import ReviewAction
from incidents.tests.factories_ui import declare, resolved
from tests.clock import sh

pytestmark = pytest.mark.django_db


def _page(number: str) -> str:
    return reverse("incidents:review", kwargs={"number": number})


def _api(number: str, tail: str = "") -> str:
    return f"/api/v1/incidents/{number}/review/{tail}"


# --- the page -------------------------------------------------------------------------------


def test_staff_read_the_review_page_with_its_timeline(web, tom, bob, dave, admin):
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(by=tom, title="ERP down <b>now</b>")
    with time_machine.travel(sh(2026, 3, 2, 11, 40), tick=False):
        services.record_restoration(incident.pk, actor=tom, restoration="Standby server")
    with time_machine.travel(sh(2026, 3, 2, 12, 10), tick=False):
        services.post_status(incident.pk, actor=tom, status="resolved", note="Disk replaced")

    for person in (bob, dave, admin, tom):
        page = web(person).get(_page(incident.number), HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        body = page.content.decode()
        assert "ERP down &lt;b&gt;now&lt;/b&gt;" in body
        assert 'data-kind="restored"' in body
        assert "Standby server" in body
        assert 'data-duration="restore">1 h 40 min' in body
        assert 'data-duration="resolve">2 h 10 min' in body
    # the form is for the commander and tech leads only
    assert 'id="review-form"' in web(tom).get(_page(incident.number)).content.decode()
    assert 'id="review-form"' not in web(bob).get(_page(incident.number)).content.decode()


def test_a_requester_is_refused_and_an_unknown_incident_is_404(web, alice, tom, bob):
    incident = resolved(by=tom)

    assert web(alice).get(_page(incident.number)).status_code == 403
    assert web(bob).get(_page("MI-20990101-01")).status_code == 404


def test_writing_the_review_on_the_page_marks_it_reviewed(web, tom):
    incident = resolved(by=tom)

    answer = web(tom).post(_page(incident.number), {"root_cause": "Disk full", "summary": ""})

    assert answer.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REVIEWED
    page = web(tom).get(answer["Location"]).content.decode()
    assert "Disk full" in page


def test_the_page_names_a_missing_root_cause(web, tom):
    incident = resolved(by=tom)

    answer = web(tom).post(_page(incident.number), {"root_cause": "  ", "summary": "x"})

    assert answer.status_code == 400
    assert answer.context["review_form"].errors.keys() == {"root_cause"}


def test_before_resolution_the_page_refuses_with_409(web, tom):
    incident = declare(by=tom)

    answer = web(tom).post(
        _page(incident.number), {"root_cause": "Disk full"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert answer.status_code == 409
    assert "once the incident is resolved" in answer.content.decode()


def test_an_engineer_may_not_post_the_review(web, tom, bob):
    incident = resolved(by=tom)

    assert web(bob).post(_page(incident.number), {"root_cause": "x"}).status_code == 403


def test_actions_are_added_changed_and_marked_done_on_the_page(web, tom, bob, erin):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()

    added = web(tom).post(
        reverse("incidents:review_action_add", kwargs={"number": incident.number}),
        {"description": "Alert at 80 %", "owner": str(bob.pk), "due_on": due},
    )
    assert added.status_code == 302
    action = ReviewAction.objects.get()
    assert (action.description, action.owner) == ("Alert at 80 %", bob)

    changed = web(tom).post(
        reverse(
            "incidents:review_action_edit",
            kwargs={"number": incident.number, "action_id": action.pk},
        ),
        {"description": "Alert at 70 %", "owner": str(erin.pk), "due_on": due},
    )
    assert changed.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.owner) == ("Alert at 70 %", erin)

    done_url = reverse(
        "incidents:review_action_done", kwargs={"number": incident.number, "action_id": action.pk}
    )
    assert web(bob).post(done_url, {"done": "1"}).status_code == 403  # not his any more
    assert web(erin).post(done_url, {"done": "1"}).status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None
    page = web(erin).get(_page(incident.number)).content.decode()
    assert f'id="action-{action.pk}" data-action="{action.pk}" data-done="1"' in page


def test_a_bad_action_is_shown_beside_its_field(web, tom, bob):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")

    answer = web(tom).post(
        reverse("incidents:review_action_add", kwargs={"number": incident.number}),
        {"description": "Alert", "owner": str(bob.pk), "due_on": "2000-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 400
    assert answer.context["add_form"].errors.keys() == {"due_on"}
    assert "The due date is already past." in answer.content.decode()


def test_an_unknown_action_is_404(web, tom):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")

    url = reverse(
        "incidents:review_action_done", kwargs={"number": incident.number, "action_id": 999999}
    )
    assert web(tom).post(url, {"done": "1"}).status_code == 404


def test_the_page_runs_the_same_queries_for_a_long_incident(
    web, tom, bob, alice, django_assert_num_queries
):
    incident = declare(by=tom)
    services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    incident = resolved(by=tom, title="Second")  # a short one to compare with
    long_one = declare(by=tom, title="Long")
    for i in range(5):
        services.post_status(long_one.pk, actor=tom, status="investigating", note=f"Update {i}")
    services.post_status(long_one.pk, actor=tom, status="resolved", note="Done")
    for one in (incident, long_one):
        review.write_review(one.pk, actor=tom, root_cause="Disk full")
    client = web(tom)
    client.get(_page(incident.number))  # warm the session and the banner's cache

    with CaptureQueriesContext(connection) as short:
        client.get(_page(incident.number))
    with django_assert_num_queries(len(short.captured_queries)):
        client.get(_page(long_one.number))


# --- the API --------------------------------------------------------------------------------


def test_api_reads_the_review_with_its_timeline(api, tom, dave):
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(by=tom)
    with time_machine.travel(sh(2026, 3, 2, 12, 10), tick=False):
        services.post_status(incident.pk, actor=tom, status="resolved", note="Disk replaced")

    answer = api(dave).get(_api(incident.number))

    assert answer.status_code == 200
    body = answer.json()
    assert body["incident"] == incident.number
    assert body["root_cause"] == ""
    assert body["time_to_resolve_seconds"] == 2 * 3600 + 600
    assert [e["kind"] for e in body["timeline"]] == [
        "declared",
        "member_joined",
        "status_note",
        "restored",  # resolving restores service at the same moment when nobody had
        "resolved",
    ]


def test_api_writes_the_review_and_its_actions(api, tom, bob):
    incident = resolved(by=tom)
    client = api(tom)

    written = client.put(_api(incident.number), {"root_cause": "Disk full"}, format="json")
    assert written.status_code == 200
    assert (written.json()["root_cause"], written.json()["status"]) == ("Disk full", "reviewed")

    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    added = client.post(
        _api(incident.number, "actions/"),
        {"description": "Alert", "owner": bob.username, "due_on": due},
        format="json",
    )
    assert added.status_code == 201
    assert (added.json()["owner"], added.json()["done"]) == (bob.username, False)

    done = api(bob).patch(
        _api(incident.number, f"actions/{added.json()['id']}/"), {"done": True}, format="json"
    )
    assert (done.status_code, done.json()["done"]) == (200, True)
    assert api(bob).get(_api(incident.number)).json()["actions"][0]["done"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "Alert", "owner": "nobody", "due_on": "2099-01-01"}, "owner"),
        ({"description": "Alert", "owner": "bob", "due_on": "soon"}, "due_on"),
        ({"description": "Alert", "owner": "bob", "due_on": "2000-01-01"}, "due_on"),
        ({"description": "", "owner": "bob", "due_on": "2099-01-01"}, "description"),
        ({"owner": "bob", "due_on": "2099-01-01"}, "description"),
    ],
)
def test_api_bad_action_input_is_400_naming_the_field(api, tom, bob, body, field):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")

    answer = api(tom).post(_api(incident.number, "actions/"), body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()


def test_api_review_refusals(api, alice, bob, tom):
    open_one = declare(by=tom)
    done = resolved(by=tom, title="Other")

    assert api(alice).get(_api(done.number)).status_code == 403
    assert api(bob).get(_api("MI-20990101-01")).status_code == 404
    assert api(bob).put(_api(done.number), {"root_cause": "x"}, format="json").status_code == 403
    assert (
        api(tom).put(_api(open_one.number), {"root_cause": "x"}, format="json").status_code == 409
    )
    missing = api(tom).put(_api(done.number), {"summary": "x"}, format="json")
    assert (missing.status_code, list(missing.json())) == (400, ["root_cause"])
    early = api(tom).post(
        _api(done.number, "actions/"),
        {"description": "x", "owner": "bob", "due_on": "2099-01-01"},
        format="json",
    )
    assert early.status_code == 409  # the root cause first


@pytest.mark.parametrize("value", ["a\x00b", "x" * 100_001, {"$gt": ""}, ["x"]], ids=repr)
@pytest.mark.parametrize(
    ("tail", "field"),
    [
        ("", "root_cause"),
        ("", "summary"),
        ("actions/", "description"),
        ("actions/", "owner"),
        ("actions/", "due_on"),
    ],
)
def test_api_hostile_values_are_400_naming_the_field(api, tom, bob, tail, field, value):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")
    valid = (
        {"root_cause": "Disk full", "summary": ""}
        if not tail
        else {"description": "Alert", "owner": bob.username, "due_on": "2099-01-01"}
    )
    send = api(tom).put if not tail else api(tom).post

    answer = send(_api(incident.number, tail), {**valid, field: value}, format="json")

    assert answer.status_code == 400
    assert field in answer.json()


def test_the_live_page_leads_to_the_review_once_resolved(web, tom, bob):
    open_one = declare(by=tom)
    done = resolved(by=tom, title="Over")

    live = lambda mi: web(bob).get(reverse("incidents:live", kwargs={"number": mi.number}))  # noqa: E731

    assert 'id="review-link"' not in live(open_one).content.decode()
    assert f'href="{_page(done.number)}"' in live(done).content.decode()
