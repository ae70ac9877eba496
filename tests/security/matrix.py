"""Shared by the security tests: what routes and API operations exist, and the world they
are tried against (the personas, alice's ticket in a given state, path parameters)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator

from assets.csv_import import ImportJob
from assets.models import Asset
from fieldwork.models import FunctionalCheck, RemoteConsent, SiteVisit
from incidents import review as incident_review
from incidents import services as incident_services
from incidents.models import MajorIncident
from knowledge.models import Article, ArticleFile, Script
from knowledge.services import articles as kb_articles
from knowledge.services import files as kb_files
from knowledge.services import scripts as kb_scripts
from notifications import outbox
from notifications.email import unsubscribe
from notifications.models import Notification
from reports.models import (
    AuditCheck,
    AuditedTicket,
    ImprovementAction,
    ProblemReview,
    ProcessAudit,
)
from reports.review import audits, checklist
from reports.review import services as review_services
from reports.review.periods import desk_today, previous_month, previous_week
from tests.security import access_table as table
from tickets import notify, services
from tickets.choices import TicketNotice
from tickets.models import CannedReply, SavedView, Watcher
from tickets.tests.factories import make_ticket, move_to
from training.models import Attendance, Drill, Material, TrainingSession
from vendors.models import Vendor, VendorCase

PAGE_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# --- what exists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # as written in the URLconf, prefixes joined
    name: str | None  # namespaced, e.g. "tickets:detail"
    params: tuple[str, ...]


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            ns = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            regex = entry.pattern.regex
            yield Route(prefix + str(entry.pattern), name, tuple(regex.groupindex))


def as_openapi_path(route: str) -> str:
    """``api/v1/^tickets/(?P<number>[A-Za-z0-9-]+)/$`` -> ``/api/v1/tickets/{number}/``."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "/" + path.replace("^", "").replace("$", "")


ALL_ROUTES = list(walk(get_resolver().url_patterns))
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    (method.upper(), path)
    for path, item in SCHEMA["paths"].items()
    for method in item
    if method.upper() in API_METHODS
]


def exemption(route: Route) -> str | None:
    for prefix, reason in table.EXEMPT_PREFIXES.items():
        if route.route.startswith(prefix):
            return reason
    if "format" in route.params:
        return table.EXEMPT_FORMAT_SUFFIX
    return None


def page_routes() -> list[Route]:
    """Routes the page matrix checks: not exempt, not an operation of the OpenAPI schema."""
    return [
        r
        for r in ALL_ROUTES
        if exemption(r) is None and as_openapi_path(r.route) not in SCHEMA["paths"]
    ]


# --- the people and the ticket -------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    category: Any
    password: str
    ticket: Any = None
    attachments: dict[str, Any] | None = None
    notification: Any = None


def setup_ticket(world: World, case: table.Case) -> None:
    """alice's ticket in ``case.state``, with a public file and an internal note with a file."""
    owner, engineer = world.users["owner"], world.users["engineer"]
    ticket = make_ticket(requester=owner, title="Printer prints blank pages 7f3a")
    [public] = services.add_attachments(
        ticket.pk, actor=owner, files=[SimpleUploadedFile("photo.png", b"\x89PNG tray")]
    )
    note = services.add_message(
        ticket.pk,
        actor=engineer,
        body="Internal: vendor contract 4711 expired",
        internal=True,
        files=[SimpleUploadedFile("vendor.txt", b"contract terms")],
    )
    world.ticket = move_to(ticket, case.state, engineer=engineer)
    world.attachments = {"public": public, "internal": note.attachments.get()}
    world.notification = owners_notification(world.ticket)


def owners_notification(ticket: Any) -> Notification:
    """One in-app notification of alice's about her ticket: hers to open, nobody else's."""
    with transaction.atomic():
        outbox.save_and_dispatch(
            notify.rows_about(
                ticket,
                recipients=[ticket.requester],
                kind=TicketNotice.REPLY,
                cause=f"matrix:{ticket.pk}",
                now=timezone.now(),
            )
        )
    return Notification.objects.get(dedupe_key=f"matrix:{ticket.pk}:{ticket.requester.pk}:in_app")


def canned_reply(world: World, case: table.Case) -> int:
    """A canned reply for the case: shared (written by tom), or ``extra={"reply":
    "personal"}`` bob's own."""
    owner = world.users["engineer"] if case.extra.get("reply") == "personal" else None
    now = timezone.now()
    return CannedReply.objects.create(
        owner=owner,
        title="Toner",
        body="Swap the toner, {requester_name}.",
        created_by=owner or world.users["lead"],
        created_at=now,
        updated_at=now,
    ).pk


def erin_follows(world: World, case: table.Case) -> str:
    """erin (other_engineer) follows alice's ticket; her username names the follower."""
    erin = world.users["other_engineer"]
    Watcher.objects.get_or_create(
        ticket=world.ticket, user=erin, defaults={"created_at": timezone.now()}
    )
    return str(erin.username)


def bobs_saved_view(world: World, case: table.Case) -> int:
    """A saved view (queue tab) of bob's (the engineer): his alone."""
    return SavedView.objects.create(
        owner=world.users["engineer"],
        name="High, unassigned",
        query="priority=high&unassigned=true",
        created_at=timezone.now(),
    ).pk


def remote_consent(world: World, case: table.Case) -> int:
    """bob's request for remote access to alice's computer, waiting for her answer, or with
    ``extra={"consent": "granted"}`` granted by her and still running."""
    now = timezone.now()
    granted = case.extra.get("consent") == "granted"
    return RemoteConsent.objects.create(
        ticket=world.ticket,
        requested_by=world.users["engineer"],
        tool="TeamViewer",
        purpose="Reset the network adapter",
        duration_minutes=30,
        state="granted" if granted else "requested",
        requested_at=now,
        answered_by=world.users["owner"] if granted else None,
        answered_at=now if granted else None,
        granted_at=now if granted else None,
        expires_at=now + dt.timedelta(minutes=30) if granted else None,
    ).pk


def alices_laptop(world: World) -> Asset:
    """A device alice owns (a requester sees her own devices, read-only)."""
    found, _created = Asset.objects.get_or_create(
        tag="MATRIX-LT-0001", defaults={"kind": "laptop", "owner": world.users["owner"]}
    )
    return found


def site_visit(world: World, case: table.Case) -> int:
    """bob's visit to alice tomorrow, waiting for her confirmation, or with
    ``extra={"visit": "completed"}`` already done."""
    now = timezone.now()
    done = case.extra.get("visit") == "completed"
    return SiteVisit.objects.create(
        ticket=world.ticket,
        engineer=world.users["engineer"],
        scheduled_at=now + dt.timedelta(days=1),
        state="completed" if done else "scheduled",
        bring="Fuser unit",
        created_by=world.users["engineer"],
        created_at=now,
        work_done="Replaced the fuser" if done else "",
        site_cleaned=True if done else None,
        completed_at=now if done else None,
    ).pk


def toms_import(world: World, case: table.Case) -> str:
    """A CSV import tom (the tech lead) ran: his alone to follow."""
    job = ImportJob.new(actor_id=world.users["lead"].pk, file_name="devices.csv", total=1)
    job.state, job.checked, job.written, job.created = "done", 1, 1, 1
    job.save()
    return job.id


def vendor(world: World, case: table.Case) -> int:
    """A vendor in the desk's list."""
    found, _created = Vendor.objects.get_or_create(
        name="Lenovo Service", defaults={"contacts": "400-990-8888"}
    )
    return found.pk


def vendor_case(world: World, case: table.Case) -> int:
    """bob's open case with a vendor on alice's ticket, or with ``extra={"case": "closed"}``
    one already closed."""
    now = timezone.now()
    closed = case.extra.get("case") == "closed"
    return VendorCase.objects.create(
        ticket=world.ticket,
        vendor_id=vendor(world, case),
        vendor_reference="RMA-55012",
        summary="No power after the BIOS update",
        status="closed" if closed else "open",
        opened_by=world.users["engineer"],
        opened_at=now,
        closed_by=world.users["engineer"] if closed else None,
        closed_at=now if closed else None,
        last_update_at=now,
        next_update_due_at=None if closed else now + dt.timedelta(hours=2),
        next_check_at=None if closed else now + dt.timedelta(hours=2),
    ).pk


def number(world: World, case: table.Case) -> str:
    """``<number>``: alice's ticket; under ``incidents/`` (a case with ``extra={"incident":
    status}``, see ``access_table.INCIDENT``) a major incident's ``MI-…`` number instead."""
    status = case.extra.get("incident")
    return major_incident(world, status).number if status else world.ticket.number


def major_incident(world: World, status: str) -> Any:
    """tom's (the tech lead's) incident, declared from scratch with nobody else on its task
    force, moved to ``status`` through the services (in the request's savepoint)."""
    lead = world.users["lead"]
    incident = incident_services.declare(
        actor=lead, title="Matrix: ERP down", impact="Nobody can post orders."
    )
    if status != "investigating":
        incident_services.post_status(incident.pk, actor=lead, status=status, note="Matrix")
    return incident


def review_action(world: World, case: table.Case) -> int:
    """bob's action, due in a week, on the review tom wrote of the incident just made for
    ``<number>`` (the latest one; in the request's savepoint). Without one (a ``<number>``
    that is alice's ticket, as the 405 walk fills it) no action: the id of none."""
    incident = MajorIncident.objects.order_by("-pk").first()
    if incident is None:
        return 0
    lead = world.users["lead"]
    incident_review.write_review(incident.pk, actor=lead, root_cause="Disk full")
    return incident_review.add_action(
        incident.pk,
        actor=lead,
        description="Alert at 80 %",
        owner=world.users["engineer"],
        due_on=timezone.localdate() + dt.timedelta(days=7),
    ).pk


def problem_review(world: World, case: table.Case) -> int:
    """Last week's problem review, generated in the request's savepoint; with
    ``extra={"review": "closed"}`` closed by tom (the tech lead)."""
    review = review_services.generate_review(previous_week(), actor=None)
    if case.extra.get("review") == "closed" and review.is_open:
        review_services.close_review(review.pk, actor=world.users["lead"])
    return review.pk


def improvement_action(world: World, case: table.Case) -> int:
    """bob's improvement action, due in a week, on the review made for ``<review_id>``."""
    review = ProblemReview.objects.order_by("-week_start").first()
    if review is None:
        review = ProblemReview.objects.get(pk=problem_review(world, case))
    now = timezone.now()
    return ImprovementAction.objects.create(
        review=review,
        description="Warn before the drum wears out",
        owner=world.users["engineer"],
        due_on=timezone.localdate() + dt.timedelta(days=7),
        created_by=world.users["lead"],
        created_at=now,
        updated_at=now,
    ).pk


def process_audit(world: World, case: table.Case) -> int:
    """Last month's audit whose sample is alice's ticket, its checklist as the data says;
    with ``extra={"audit": "confirmed"}`` the ticket confirmed by dave, with ``"closed"`` the
    audit closed by him too."""
    now, ticket, manager = timezone.now(), world.ticket, world.users["manager"]
    audit = ProcessAudit.objects.create(
        month=previous_month(desk_today()),
        seed=7,
        sample_size=1,
        population={ticket.priority: 1},
        drawn_at=now,
    )
    item = AuditedTicket.objects.create(
        audit=audit, ticket=ticket, priority=ticket.priority, position=0
    )
    AuditCheck.objects.bulk_create(
        AuditCheck(item=item, key=key, data_result=result, detail=detail, result=result)
        for key, (result, detail) in checklist.prefill([ticket.pk])[ticket.pk].items()
    )
    if case.extra.get("audit") in ("confirmed", "closed"):
        AuditedTicket.objects.filter(pk=item.pk).update(confirmed_at=now, confirmed_by=manager)
    if case.extra.get("audit") == "closed":
        audits.close_audit(audit.pk, actor=manager)
    return audit.pk


# A PNG's first bytes: enough for the knowledge base to take the file for a screenshot.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def knowledge_article(world: World, case: table.Case) -> int:
    """``<article_id>``: tom's (the tech lead's) published public article with one screenshot
    (``<file_id>``); ``extra={"article": "internal"}`` makes it staff only, ``"draft"`` bob's
    internal draft (in the request's savepoint)."""
    kind = case.extra.get("article", "public")
    author = world.users["engineer"] if kind == "draft" else world.users["lead"]
    article = kb_articles.create_article(
        by=author,
        title="Printer prints blank pages",
        symptom="Pages come out **blank**.",
        steps=["Replace the toner"],
        scenarios=["HP LaserJet M404dn"],
        audience="public" if kind == "public" else "internal",
        status="draft" if kind == "draft" else "published",
    )
    kb_files.add_files(
        article.pk, by=author, files=[SimpleUploadedFile("tray.png", PNG, "image/png")]
    )
    return article.pk


def knowledge_file(world: World, case: table.Case) -> int:
    """The screenshot of the article just made for ``<article_id>``."""
    article = Article.objects.order_by("-pk").first()
    found = ArticleFile.objects.filter(article=article).first() if article else None
    return found.pk if found else 0


def knowledge_script(world: World, case: table.Case) -> int:
    """bob's diagnostic script in the library."""
    found = Script.objects.filter(name="Ping the gateway").first()
    if found is None:
        found = kb_scripts.create_script(
            by=world.users["engineer"],
            name="Ping the gateway",
            language="batch",
            body="ping -n 4 10.0.0.1",
        )
    return found.pk


def training_session(world: World, case: table.Case) -> int:
    """tom's (the tech lead's) session with bob invited, begun an hour ago; with
    ``extra={"session": "upcoming"}`` starting tomorrow, ``"cancelled"`` cancelled by tom."""
    now = timezone.now()
    upcoming = case.extra.get("session") == "upcoming"
    cancelled = case.extra.get("session") == "cancelled"
    session = TrainingSession.objects.create(
        title="Deploying the new OS",
        kind="technical",
        starts_at=now + (dt.timedelta(days=1) if upcoming else dt.timedelta(hours=-1)),
        trainer=world.users["lead"],
        created_by=world.users["lead"],
        created_at=now,
        updated_at=now,
        cancelled_at=now if cancelled else None,
        cancelled_by=world.users["lead"] if cancelled else None,
    )
    Attendance.objects.create(session=session, engineer=world.users["engineer"])
    return session.pk


def training_material(world: World, case: table.Case) -> int:
    """A file of the session just made for ``<session_id>``."""
    session = TrainingSession.objects.order_by("-pk").first()
    if session is None:
        return 0
    row = Material(
        session=session,
        original_name="slides.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=world.users["lead"],
        created_at=timezone.now(),
    )
    row.file.save("slides.pdf", SimpleUploadedFile("slides.pdf", b"%PDF-1.4"), save=False)
    row.save()
    return row.pk


def drill(world: World, case: table.Case) -> int:
    """tom's drill for bob from alice's ticket (its public file shown), not started; with
    ``extra={"drill": "started"}`` started a minute ago, ``"answered"`` answered too."""
    now = timezone.now()
    stage = case.extra.get("drill", "assigned")
    started = stage in ("started", "answered")
    made = Drill.objects.create(
        ticket=world.ticket,
        engineer=world.users["engineer"],
        status=stage,
        title="Printer prints blank pages",
        symptom="Every page comes out blank.",
        created_by=world.users["lead"],
        created_at=now,
        started_at=now - dt.timedelta(minutes=1) if started else None,
        deadline_at=now + dt.timedelta(minutes=29) if started else None,
        diagnosis="Worn fuser" if stage == "answered" else "",
        plan="Replace the fuser" if stage == "answered" else "",
        answered_at=now if stage == "answered" else None,
    )
    if world.attachments:
        made.attachments.set([world.attachments["public"]])
    return made.pk


PATH_PARAMETERS: dict[str, Callable[[World, table.Case], Any]] = {
    "number": number,
    # /knowledge/articles/{article_id}/…: a published article (extra: internal, draft); its file
    "article_id": knowledge_article,
    "file_id": knowledge_file,
    "script_id": knowledge_script,  # /knowledge/scripts/{script_id}/…: bob's script
    "attachment_id": lambda w, c: w.attachments[c.attachment].pk,
    "uidb64": lambda w, c: urlsafe_base64_encode(force_bytes(w.users["owner"].pk)),
    "token": lambda w, c: default_token_generator.make_token(w.users["owner"]),
    "slug": lambda w, c: w.category.slug,
    "pk": lambda w, c: w.notification.pk,  # notifications:open
    "id": lambda w, c: w.notification.pk,  # /api/v1/notifications/{id}/read/
    "kind": lambda w, c: w.notification.kind,  # notifications:read_kind
    # notifications:unsubscribe: alice's genuine link for e-mails about replies
    "unsubscribe_token": lambda w, c: unsubscribe.token(w.users["owner"].pk, "reply"),
    "reply_id": canned_reply,  # canned replies, pages and API
    "view_id": bobs_saved_view,  # the queue's saved views
    "username": erin_follows,  # /api/v1/tickets/{number}/watchers/{username}/
    # /api/v1/tickets/{number}/links/{other_number}/: a ticket linked to alice's
    "other_number": lambda w, c: table.linked_ticket(w, "")["ticket"],
    # /tickets/{number}/consents/{consent_id}/grant/ …: a consent on alice's ticket
    "consent_id": remote_consent,
    # /api/v1/vendors/{vendor_id}/ and a vendor case on alice's ticket
    "vendor_id": vendor,
    "case_id": vendor_case,
    # /tickets/{number}/checks/{check_id}/: a functional check on alice's ticket
    "check_id": lambda w, c: (
        FunctionalCheck.objects.create(ticket=w.ticket, label="Print a test page").pk
    ),
    # /assets/{asset_id}/ and /api/v1/assets/{asset_id}/: alice's laptop
    "asset_id": lambda w, c: alices_laptop(w).pk,
    # /tickets/{number}/visits/{visit_id}/…: bob's visit to alice
    "visit_id": site_visit,
    # /assets/import/{job_id}/: tom's (the tech lead's) finished import
    "job_id": toms_import,
    # /incidents/{number}/review/actions/{action_id}/…: bob's action on the incident's review
    "action_id": review_action,
    # /reports/reviews/{review_id}/…: last week's problem review; {review_action_id} an action
    "review_id": problem_review,
    "review_action_id": improvement_action,
    # /reports/audits/{audit_id}/…: last month's audit of alice's ticket, {audit_item_id} it
    "audit_id": process_audit,
    "audit_item_id": lambda w, c: (
        AuditedTicket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ),
    # /training/{session_id}/…: tom's session with bob; {material_id} a file of it
    "session_id": training_session,
    "material_id": training_material,
    # /training/drills/{drill_id}/…: tom's drill for bob from alice's ticket
    "drill_id": drill,
    # /api/v1/intake/im/{provider}/: the IM provider the case names (extra={"provider": …})
    "provider": lambda w, c: c.extra.get("provider", "slack"),
}


def fill(params: list[str] | tuple[str, ...], world: World, case: table.Case) -> dict[str, Any]:
    missing = [p for p in params if p not in PATH_PARAMETERS]
    if missing:
        pytest.fail(
            f"No value for path parameter(s) {missing}: add a filler to PATH_PARAMETERS in "
            "tests/security/matrix.py"
        )
    return {p: PATH_PARAMETERS[p](world, case) for p in params}


def body(case: table.Case, world: World, role: str) -> dict[str, Any]:
    data = case.body(world, role) if callable(case.body) else dict(case.body or {})
    if case.files:
        data["file"] = SimpleUploadedFile("log.txt", b"log line\n")
    return data
