"""A session moved to another time or cancelled: its attendees and its trainer are told (in
the app and by e-mail, each in their own language), never the tech lead who did it; a
cancelled session stays (a state, never a delete), shown cancelled, and takes nothing more.
On the pages and the API (``POST /api/v1/trainings/{id}/cancel/``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.email.render import render
from notifications.models import Notification
from tickets.errors import ActionForbidden, InvalidTransition
from training.choices import TrainingNotice
from training.models import TrainingSession
from training.services import assessments as assessment_services
from training.services import materials as material_services
from training.services import sessions as services
from training.tests.factories import make_session

pytestmark = pytest.mark.django_db


def told(kind: str) -> dict[str, set[str]]:
    """``{username: {channels}}`` of the notifications of ``kind``."""
    found: dict[str, set[str]] = {}
    for username, channel in Notification.objects.filter(kind=kind).values_list(
        "recipient__username", "channel"
    ):
        found.setdefault(username, set()).add(channel)
    return found


@pytest.fixture
def session(tom, bob, erin, dave):
    """Planned by tom, given by dave (a manager may train), bob and erin invited."""
    return make_session(tom, [bob, erin], trainer=dave)


# --- moving -----------------------------------------------------------------------------------


def test_moving_a_session_tells_its_attendees_and_trainer(session, tom):
    # given
    later = session.starts_at + dt.timedelta(days=2)

    # when
    services.update_session(session.pk, actor=tom, changes={"starts_at": later})

    # then: in the app and by e-mail, with the new time; not tom, who moved it
    both = {"in_app", "email"}
    assert told(TrainingNotice.MOVED) == {"bob": both, "erin": both, "dave": both}
    note = Notification.objects.filter(kind=TrainingNotice.MOVED).first()
    assert note.payload["when_at"] == later.isoformat()
    assert note.link == f"/training/{session.pk}/"


def test_other_changes_move_nothing_and_the_newly_invited_get_their_invitation(
    session, tom, bob, erin
):
    # given: carl joins in the same change that moves the session
    carl = make_user("carl", Role.ENGINEER)
    services.update_session(session.pk, actor=tom, changes={"location": "Room 9"})
    assert told(TrainingNotice.MOVED) == {}

    # when
    later = session.starts_at + dt.timedelta(hours=3)
    services.update_session(
        session.pk, actor=tom, changes={"starts_at": later, "attendees": [bob, erin, carl]}
    )

    # then
    assert set(told(TrainingNotice.MOVED)) == {"bob", "erin", "dave"}
    assert "carl" in told(TrainingNotice.INVITED)


def test_each_move_is_news(session, tom):
    for days in (1, 2):
        services.update_session(
            session.pk,
            actor=tom,
            changes={"starts_at": session.starts_at + dt.timedelta(days=days)},
        )
    moves = Notification.objects.filter(kind=TrainingNotice.MOVED, channel="in_app")
    assert moves.filter(recipient__username="bob").count() == 2


# --- cancelling -------------------------------------------------------------------------------


def test_cancelling_keeps_the_session_marked_and_tells_everyone_in_their_language(
    session, tom, bob, erin
):
    # given: bob reads Chinese, erin English
    for person, language in ((bob, "zh-hans"), (erin, "en")):
        person.language = language
        person.save(update_fields=["language"])

    # when
    services.cancel_session(session.pk, actor=tom, reason="The trainer is ill")

    # then: the session is kept, cancelled
    kept = TrainingSession.objects.get(pk=session.pk)
    assert kept.is_cancelled and kept.cancelled_by == tom
    assert kept.cancel_reason == "The trainer is ill"
    both = {"in_app", "email"}
    assert told(TrainingNotice.CANCELLED) == {"bob": both, "erin": both, "dave": both}
    mails = Notification.objects.filter(kind=TrainingNotice.CANCELLED, channel="email")
    subject = {
        n.recipient.username: render(n, unsubscribe_url="", reply=False).subject
        for n in mails.select_related("recipient")
    }
    assert "cancelled" in subject["erin"]
    assert "取消" in subject["bob"]


def test_a_cancelled_session_takes_nothing_more(session, tom, bob):
    # given
    services.cancel_session(session.pk, actor=tom)

    # then
    with pytest.raises(InvalidTransition):
        services.cancel_session(session.pk, actor=tom)
    with pytest.raises(InvalidTransition):
        services.update_session(session.pk, actor=tom, changes={"title": "Again"})
    with pytest.raises(InvalidTransition):
        services.record_attendance(session.pk, actor=tom, marks={"bob": "attended"})
    with pytest.raises(ValidationError) as refused:
        assessment_services.record_assessment(actor=tom, engineer=bob, score=80, session=session)
    assert "session" in refused.value.message_dict
    upload = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides", content_type="application/pdf")
    with pytest.raises(ValidationError) as no_files:
        material_services.add_files(session.pk, actor=tom, files=[upload])
    assert "This training is cancelled." in str(no_files.value)
    assert not session.files.exists()


def test_a_session_that_took_place_is_not_cancelled(tom, bob, erin):
    begun = make_session(tom, [bob, erin], starts_at=timezone.now() - dt.timedelta(hours=1))
    services.record_attendance(begun.pk, actor=tom, marks={"bob": "attended"})

    with pytest.raises(InvalidTransition):
        services.cancel_session(begun.pk, actor=tom)


def test_only_tech_leads_cancel(session, bob, dave):
    for who in (bob, dave):  # an attendee, the trainer (a manager)
        with pytest.raises(ActionForbidden):
            services.cancel_session(session.pk, actor=who)


def test_a_reason_too_long_names_the_field(session, tom):
    with pytest.raises(ValidationError) as refused:
        services.cancel_session(session.pk, actor=tom, reason="x" * 20_001)
    assert list(refused.value.message_dict) == ["reason"]


# --- pages ------------------------------------------------------------------------------------


def test_the_page_cancels_and_shows_it(web, session, tom, bob):
    page = web(tom).get(f"/training/{session.pk}/").content.decode()
    assert 'id="session-cancel"' in page
    assert 'id="session-cancel"' not in web(bob).get(f"/training/{session.pk}/").content.decode()

    # when
    answer = web(tom).post(f"/training/{session.pk}/cancel/", {"reason": "Room flooded"})

    # then
    assert answer.status_code == 302
    shown = web(bob).get(f"/training/{session.pk}/").content.decode()
    assert 'id="session-cancelled"' in shown and "Room flooded" in shown
    assert "data-cancelled" in web(bob).get("/training/").content.decode()
    lead_page = web(tom).get(f"/training/{session.pk}/").content.decode()
    assert 'id="session-cancel"' not in lead_page  # nothing more to do
    assert f'href="/training/{session.pk}/edit/"' not in lead_page
    assert web(tom).get(f"/training/{session.pk}/edit/").status_code == 409
    again = web(tom).post(f"/training/{session.pk}/cancel/", {"reason": ""})
    assert again.status_code == 409


def test_the_page_refuses_the_cancel_of_an_engineer(web, session, bob):
    assert web(bob).post(f"/training/{session.pk}/cancel/", {}).status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_the_api_cancels_once(api, session, tom, bob):
    url = f"/api/v1/trainings/{session.pk}/cancel/"

    by_engineer = api(bob).post(url, {}, format="json")
    too_long = api(tom).post(url, {"reason": "x" * 20_001}, format="json")
    done = api(tom).post(url, {"reason": "Trainer ill"}, format="json")
    again = api(tom).post(url, {}, format="json")

    assert by_engineer.status_code == 403
    assert (too_long.status_code, list(too_long.json())) == (400, ["reason"])
    assert done.status_code == 200
    body = done.json()
    assert body["cancelled_by"] == "tom" and body["cancel_reason"] == "Trainer ill"
    assert body["cancelled_at"] is not None
    assert again.status_code == 409
    shown = api(bob).get(f"/api/v1/trainings/{session.pk}/").json()
    assert shown["cancelled_at"] == body["cancelled_at"]


def test_the_api_tells_of_a_move(api, session, tom):
    later = (session.starts_at + dt.timedelta(days=1)).isoformat()
    answer = api(tom).patch(f"/api/v1/trainings/{session.pk}/", {"starts_at": later}, format="json")
    assert answer.status_code == 200
    assert set(told(TrainingNotice.MOVED)) == {"bob", "erin", "dave"}
