"""Training sessions: planned by tech leads, seen by their attendees and trainer, attendees
told; attendance recorded per attendee by the trainer (or a lead) once the session began;
bad input refused with the field named, on the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from knowledge.services.articles import create_article
from notifications.models import Notification
from tests.clock import sh
from tickets.errors import ActionForbidden, InvalidTransition
from training.choices import AttendanceStatus
from training.errors import SessionNotFound
from training.models import Attendance, Material, TrainingSession
from training.services import sessions as services
from training.tests.factories import make_session

pytestmark = pytest.mark.django_db

TODAY = sh(2026, 11, 26, 10, 0)


def statuses(session) -> dict[str, str]:
    return {
        a.engineer.username: a.status
        for a in Attendance.objects.filter(session=session).select_related("engineer")
    }


def test_a_lead_plans_a_session_and_the_attendees_are_told(tom, bob, erin):
    # when
    session = make_session(
        tom,
        [bob, erin],
        skills=[{"category": "hardware-printer", "level": 2}],
        location="Room 3",
    )

    # then
    assert statuses(session) == {"bob": "invited", "erin": "invited"}
    assert [(s.category.slug, s.level) for s in session.skills.all()] == [("hardware-printer", 2)]
    told = Notification.objects.filter(kind="training_invited", channel="in_app")
    assert sorted(n.recipient.username for n in told) == ["bob", "erin"]
    assert told.first().payload["when_at"] == session.starts_at.isoformat()


def test_engineers_and_managers_do_not_plan(bob, erin, dave):
    for who in (bob, dave):
        with pytest.raises(ActionForbidden):
            make_session(who, [erin])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "two\nlines"),
        ("kind", "cooking"),
        ("duration_minutes", 5),
        ("pass_mark", 101),
        ("attendees", ["nobody"]),
        ("attendees", []),
        ("trainer", "nobody"),
        ("articles", [999999]),
        ("skills", [{"category": "no-such", "level": 2}]),
        ("skills", [{"category": "hardware-printer", "level": 4}]),
        ("starts_at", dt.datetime(1999, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_bad_input_names_the_field(tom, bob, field, value):
    fields = {"attendees": [bob], field: value}
    with pytest.raises(ValidationError) as refused:
        make_session(tom, fields.pop("attendees"), **fields)
    assert list(refused.value.message_dict) == [field]


def test_requesters_cannot_be_attendees(tom, alice):
    with pytest.raises(ValidationError) as refused:
        make_session(tom, [alice])
    assert "alice" in refused.value.message_dict["attendees"][0]


def test_an_engineer_sees_only_sessions_they_attend_or_give(web, tom, bob, erin):
    # given
    mine = make_session(tom, [bob], title="Printer basics")
    other = make_session(tom, [erin], title="Talking to users", kind="service")

    # when
    page = web(bob).get("/training/").content.decode()

    # then
    assert "Printer basics" in page and "Talking to users" not in page
    assert web(bob).get(f"/training/{other.pk}/").status_code == 404
    assert web(bob).get(f"/training/{mine.pk}/").status_code == 200
    with pytest.raises(SessionNotFound):
        services.record_attendance(other.pk, actor=bob, marks={"erin": "attended"})


def test_the_calendar_groups_upcoming_and_past_by_month(web, tom, bob):
    # given
    now = timezone.now()
    make_session(tom, [bob], title="Next week", starts_at=now + dt.timedelta(days=7))
    make_session(tom, [bob], title="Long ago", starts_at=now - dt.timedelta(days=400))

    # when
    page = web(tom).get("/training/").content.decode()

    # then
    assert page.index("Next week") < page.index("Long ago")
    assert page.count('data-month="') == 2


def test_attendance_is_recorded_by_the_trainer_once_begun(tom, bob, erin):
    # given: erin trains bob, tomorrow
    start = timezone.now() + dt.timedelta(days=1)
    session = make_session(tom, [bob], trainer=erin, starts_at=start)

    # when: before it begins
    with pytest.raises(InvalidTransition):
        services.record_attendance(session.pk, actor=erin, marks={"bob": "attended"})

    # when: after
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        services.record_attendance(session.pk, actor=erin, marks={"bob": "attended"})

    # then
    row = Attendance.objects.get(session=session)
    assert (row.status, row.recorded_by) == (AttendanceStatus.ATTENDED, erin)


def test_an_attendee_does_not_record_attendance(tom, bob, erin):
    session = make_session(tom, [bob, erin], starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ActionForbidden):
        services.record_attendance(session.pk, actor=bob, marks={"bob": "attended"})


def test_attendance_names_only_attendees_and_known_marks(tom, bob, erin):
    session = make_session(tom, [bob], starts_at=timezone.now() - dt.timedelta(hours=1))
    for marks in ({"erin": "attended"}, {"bob": "invited"}, {}):
        with pytest.raises(ValidationError) as refused:
            services.record_attendance(session.pk, actor=tom, marks=marks)
        assert list(refused.value.message_dict) == ["attendance"]


def test_the_attendance_page_form_records_each_attendee(web, tom, bob, erin):
    # given
    session = make_session(tom, [bob, erin], starts_at=timezone.now() - dt.timedelta(hours=1))

    # when
    page = web(tom).get(f"/training/{session.pk}/").content.decode()
    answer = web(tom).post(
        f"/training/{session.pk}/attendance/", {"status-bob": "attended", "status-erin": "absent"}
    )

    # then
    assert 'name="status-bob"' in page
    assert answer.status_code == 302
    assert statuses(session) == {"bob": "attended", "erin": "absent"}


def test_an_attendee_with_a_record_stays_on_the_list(tom, bob, erin):
    # given
    session = make_session(tom, [bob, erin], starts_at=timezone.now() - dt.timedelta(hours=1))
    services.record_attendance(session.pk, actor=tom, marks={"bob": "absent"})

    # when / then: erin (only invited) may go; bob may not
    services.update_session(session.pk, actor=tom, changes={"attendees": [bob]})
    with pytest.raises(ValidationError) as refused:
        services.update_session(session.pk, actor=tom, changes={"attendees": [erin]})
    assert "bob" in refused.value.message_dict["attendees"][0]


def test_new_attendees_are_told_once(tom, bob, erin):
    session = make_session(tom, [bob])
    services.update_session(session.pk, actor=tom, changes={"attendees": [bob, erin]})
    services.update_session(session.pk, actor=tom, changes={"title": "Renamed"})
    told = Notification.objects.filter(kind="training_invited", channel="in_app")
    assert sorted(n.recipient.username for n in told) == ["bob", "erin"]


@time_machine.travel(TODAY, tick=False)
def test_the_page_form_plans_a_session_in_the_readers_zone(web, tom, bob):
    # given: tom reads in Shanghai (the desk's zone)
    data = {
        "title": "New OS rollout",
        "kind": "technical",
        "starts_at": "2027-03-02T09:30",
        "duration_minutes": "90",
        "trainer": str(tom.pk),
        "attendees": [str(bob.pk)],
        "pass_mark": "70",
        "skill_1_category": "hardware-printer",
        "skill_1_level": "2",
    }

    # when
    answer = web(tom).post("/training/new/", data)

    # then
    assert answer.status_code == 302, answer.context["form"].errors
    session = TrainingSession.objects.get(title="New OS rollout")
    assert session.starts_at == dt.datetime(2027, 3, 2, 1, 30, tzinfo=dt.UTC)
    assert session.pass_mark == 70
    assert session.skills.get().level == 2


def test_the_page_form_shows_errors_beside_fields(web, tom, bob):
    answer = web(tom).post(
        "/training/new/",
        {"title": "X", "kind": "technical", "starts_at": "soon", "trainer": str(tom.pk)},
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'id="session_starts_at"' in page and "is-invalid" in page


@time_machine.travel(TODAY, tick=False)
def test_the_api_plans_lists_and_refuses_bad_input(api, tom, bob, erin):
    # given
    body = {
        "title": "Talking to users",
        "kind": "service",
        "starts_at": "2027-01-10T02:00:00Z",
        "trainer": "tom",
        "attendees": ["bob", "erin"],
        "skills": [{"category": "hardware-printer", "level": 1}],
    }

    # when
    created = api(tom).post("/api/v1/trainings/", body, format="json")
    bad = api(tom).post("/api/v1/trainings/", {**body, "attendees": ["ghost"]}, format="json")
    bad_kind = api(tom).post("/api/v1/trainings/", {**body, "kind": "x"}, format="json")
    listed = api(bob).get("/api/v1/trainings/?when=upcoming").json()
    by_engineer = api(bob).post("/api/v1/trainings/", body, format="json")

    # then
    assert created.status_code == 201
    assert [a["username"] for a in created.json()["attendees"]] == ["bob", "erin"]
    assert (bad.status_code, list(bad.json())) == (400, ["attendees"])
    assert (bad_kind.status_code, list(bad_kind.json())) == (400, ["kind"])
    assert [s["title"] for s in listed["results"]] == ["Talking to users"]
    assert by_engineer.status_code == 403
    assert api(bob).get("/api/v1/trainings/?when=soon").status_code == 400


def test_the_api_records_attendance(api, tom, bob):
    session = make_session(tom, [bob], starts_at=timezone.now() - dt.timedelta(hours=1))
    answer = api(tom).post(
        f"/api/v1/trainings/{session.pk}/attendance/",
        {"attendance": [{"engineer": "bob", "status": "attended"}]},
        format="json",
    )
    bad = api(tom).post(
        f"/api/v1/trainings/{session.pk}/attendance/",
        {"attendance": [{"engineer": "bob", "status": "maybe"}]},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["attendees"][0]["status"] == "attended"
    assert bad.status_code == 400 and "attendance" in bad.json()


def test_materials_only_articles_the_reader_may_read_and_safe_files(web, tom, bob):
    # given: a published article and a session using it, a file uploaded
    article = create_article(
        by=tom, title="Fuser guide", symptom="Smears", status="published", audience="public"
    )
    session = make_session(tom, [bob], articles=[article.pk])
    web(tom).post(
        f"/training/{session.pk}/files/",
        {"attachments": [SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides")]},
    )
    refused = web(tom).post(
        f"/training/{session.pk}/files/",
        {"attachments": [SimpleUploadedFile("setup.exe", b"MZ\x90\x00")]},
    )

    # when
    page = web(bob).get(f"/training/{session.pk}/").content.decode()
    material = Material.objects.get(session=session)
    download = web(bob).get(f"/training/{session.pk}/files/{material.pk}/")

    # then
    assert refused.status_code == 302 and Material.objects.count() == 1
    assert "Fuser guide" in page and "slides.pdf" in page
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"].startswith("sandbox")


def test_requesters_are_refused_the_training_pages(web, api, alice):
    assert web(alice).get("/training/").status_code == 403
    assert web(alice).get("/training/drills/").status_code == 403
    assert api(alice).get("/api/v1/trainings/").status_code == 403
