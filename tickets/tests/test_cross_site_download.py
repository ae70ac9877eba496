"""Files shared across sites (R7.2): they leave only through the permission-checked download,
and each download of a ticket's file by someone outside its site is an internal entry on the
ticket's timeline (who, which file, from which site)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from tickets import services
from tickets.choices import EventKind
from tickets.services.watchers import add_watcher
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(alice, bob):
    """alice works at the Beijing branch; bob, the engineer, at Shanghai HQ."""
    hq = Site.objects.create(code="sh", name="Shanghai HQ")
    branch = Site.objects.create(code="bj", name="Beijing branch")
    alice.site, bob.site = branch, hq
    alice.save(update_fields=["site"])
    bob.save(update_fields=["site"])
    return hq, branch


@pytest.fixture
def shared(sites, alice):
    """alice's ticket at the branch with a photo of the fault."""
    ticket = make_ticket(requester=alice)
    [photo] = services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("fault.png", b"\x89PNG fault")]
    )
    return ticket, photo


def _download(client, ticket, attachment):
    return client.get(reverse("tickets:attachment", args=[ticket.number, attachment.pk]))


def _logged(ticket):
    return list(ticket.events.filter(kind=EventKind.ATTACHMENT_DOWNLOADED).order_by("pk"))


def test_download_from_another_site_is_logged_internally_once_per_download(web, bob, shared):
    # given
    ticket, photo = shared
    client = web(bob)

    # when: bob at HQ downloads the branch's file twice
    first = _download(client, ticket, photo)
    second = _download(client, ticket, photo)

    # then: two internal entries naming him, the file and both sites
    assert first.status_code == second.status_code == 200
    assert b"".join(first.streaming_content) == b"\x89PNG fault"
    logged = _logged(ticket)
    assert len(logged) == 2
    entry = logged[0]
    assert entry.is_internal and entry.actor == bob
    assert entry.data["files"] == ["fault.png"] and entry.data["attachment"] == photo.pk
    assert entry.data["ticket_site"] == "Beijing branch"
    assert entry.data["downloader_site"] == "Shanghai HQ"


def test_download_by_people_of_the_site_is_not_logged(web, alice, shared, sites):
    # given: the requester (at the branch), an engineer based there, and a local IT contact
    # of the branch based at HQ
    ticket, photo = shared
    hq, branch = sites
    local = make_user("kai", Role.ENGINEER, site=branch)
    contact = make_user("lin", Role.ENGINEER, site=hq)
    branch.local_contacts.add(contact)

    # when
    statuses = [_download(web(p), ticket, photo).status_code for p in (alice, local, contact)]

    # then
    assert statuses == [200, 200, 200]
    assert _logged(ticket) == []


def test_download_of_a_ticket_without_a_site_is_not_logged(web, bob, carol):
    # given: carol has no site, so neither has her ticket
    ticket = make_ticket(requester=carol)
    [photo] = services.add_attachments(
        ticket.pk, actor=carol, files=[SimpleUploadedFile("a.png", b"\x89PNG")]
    )

    # when
    response = _download(web(bob), ticket, photo)

    # then
    assert response.status_code == 200 and _logged(ticket) == []


def test_a_refused_download_is_not_logged(web, carol, shared):
    # given: carol, a requester elsewhere, may not see alice's ticket
    ticket, photo = shared

    # when
    response = _download(web(carol), ticket, photo)

    # then
    assert response.status_code == 404 and _logged(ticket) == []


def test_the_entry_is_on_the_engineers_timeline_and_not_the_requesters(
    web, api, alice, bob, shared
):
    # given
    ticket, photo = shared
    _download(web(bob), ticket, photo)
    [entry] = _logged(ticket)

    # when
    staff_page = web(bob).get(f"/tickets/{ticket.number}/").content.decode()
    own_page = web(alice).get(f"/tickets/{ticket.number}/").content.decode()
    api_events = api(alice).get(f"/api/v1/tickets/{ticket.number}/events/").json()

    # then
    assert 'data-kind="attachment_downloaded"' in staff_page and "Shanghai HQ" in staff_page
    assert 'data-kind="attachment_downloaded"' not in own_page
    assert EventKind.ATTACHMENT_DOWNLOADED not in {e["kind"] for e in api_events}
    assert entry.is_internal


def test_a_follower_from_another_site_downloading_is_logged(web, shared, sites):
    # given: a colleague at HQ alice added as a follower
    ticket, photo = shared
    hq, _branch = sites
    colleague = make_user("mia", Role.REQUESTER, site=hq)
    add_watcher(ticket.pk, actor=ticket.requester, user=colleague)

    # when
    response = _download(web(colleague), ticket, photo)

    # then
    assert response.status_code == 200
    [entry] = _logged(ticket)
    assert entry.actor == colleague and entry.is_internal
