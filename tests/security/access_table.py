"""The declared access policy: what every role gets from every page and every API operation.

``tests/security/test_access_matrix.py`` walks the URL resolver and the OpenAPI schema and
checks each route and operation against this file. A route or an operation missing here
fails the suite: a new feature declares who may use it, in this one place.

How to read an entry: the key is a URL name (pages) or ``"METHOD /path"`` from the OpenAPI
schema (API); the value maps a method (pages) to one or more ``Case``s. A ``Case`` sets up
alice's ticket in ``state`` (with one public attachment and one internal note with an
internal attachment), sends ``body`` as each role in turn, and expects the role's outcome.
A second ``Case`` in a wrong state declares the 409 ("not allowed in this state").

Roles (the conftest personas):

    anonymous        nobody signed in
    owner            alice, requester, files the ticket
    stranger         carol, another requester
    engineer         bob, the ticket's assignee once it is accepted
    other_engineer   erin, an engineer who is not the assignee
    lead             tom, tech lead
    manager          dave, reads everything, changes nothing
    admin            admin (staff, superuser, all roles)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assets.models import Asset
from fieldwork.models import WorkPlan
from incidents import review as incident_review
from incidents import services as incident_services
from incidents.models import MajorIncident
from knowledge.models import ArticleLink, SuggestionSession
from knowledge.services.articles import create_article
from reports.models import AuditedTicket
from tickets.choices import TicketState as S
from tickets.models import TicketLink, Watcher
from tickets.tests.factories import DIAGNOSIS, make_ticket
from vendors.models import Vendor

ROLES = (
    "anonymous",
    "owner",
    "stranger",
    "engineer",
    "other_engineer",
    "lead",
    "manager",
    "admin",
)
PERSONAS = {
    "owner": "alice",
    "stranger": "carol",
    "engineer": "bob",
    "other_engineer": "erin",
    "lead": "tom",
    "manager": "dave",
    "admin": "admin",
}
LOGIN_PATH = "/accounts/login/"


@dataclass(frozen=True)
class Outcome:
    """What a person notices: a page (2xx), a redirect, or a refusal with a given status."""

    name: str
    statuses: frozenset[int]
    to_login: bool | None = None  # a redirect that must (True) / must not (False) go to login

    def matches(self, status: int, location: str) -> bool:
        if status not in self.statuses:
            return False
        if status in (301, 302, 303) and self.to_login is not None:
            goes_to_login = location.startswith(LOGIN_PATH) and "next=" in location
            return goes_to_login == self.to_login
        return True

    def __repr__(self) -> str:
        return self.name


ALLOW = Outcome("ALLOW", frozenset({200, 201, 204, 302}), to_login=False)
LOGIN_302 = Outcome("LOGIN_302", frozenset({302}), to_login=True)
DENY_403 = Outcome("DENY_403", frozenset({403}))
HIDE_404 = Outcome("HIDE_404", frozenset({404}))
CONFLICT_409 = Outcome("CONFLICT_409", frozenset({409}))
METHOD_405 = Outcome("METHOD_405", frozenset({405}))
# The API without credentials: DRF answers 403 (session auth first) or 401 (token first).
NO_AUTH_401 = Outcome("NO_AUTH_401", frozenset({401, 403}))
# Signed in, but a required query parameter is missing (the matrix sends none): 400.
INVALID_400 = Outcome("INVALID_400", frozenset({400}))


def who(default: Outcome, **roles: Outcome) -> dict[str, Outcome]:
    """Every role gets ``default`` unless named; a misspelt role is an error, not a gap."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; use {ROLES}")
    return {role: roles.get(role, default) for role in ROLES}


# A body is a dict, or a function of the context (users, ticket …) and the role.
Body = Mapping[str, Any] | Callable[[Any, str], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Case:
    expect: Mapping[str, Outcome]
    state: str = S.SUBMITTED
    body: Body = None
    attachment: str = "public"  # which of alice's attachments fills <attachment_id>
    note: str = ""
    files: bool = False  # send the body as multipart with a small file in "file"
    extra: dict[str, Any] = field(default_factory=dict)


# --- recurring shapes ----------------------------------------------------------------------

EVERYONE = who(ALLOW)
SIGNED_IN = who(ALLOW, anonymous=LOGIN_302)
# alice's ticket: she and everyone who reads all tickets see it; to carol it does not exist.
TICKET_READERS = who(ALLOW, anonymous=LOGIN_302, stranger=HIDE_404)
GET_ONLY = who(METHOD_405, anonymous=LOGIN_302)  # POST to a signed-in, read-only page
POST_ONLY = who(METHOD_405, anonymous=LOGIN_302)  # GET to a signed-in action
NOBODY_405 = who(METHOD_405)
# Ticket actions by role; anonymous is sent to log in, carol never learns the ticket exists.
_ACT = {"anonymous": LOGIN_302, "stranger": HIDE_404}
ENGINEERS = {"engineer": ALLOW, "other_engineer": ALLOW, "lead": ALLOW, "admin": ALLOW}
HANDLERS = {"engineer": ALLOW, "lead": ALLOW, "admin": ALLOW}  # assignee or tech lead
LEADS = {"lead": ALLOW, "admin": ALLOW}


def acting(allowed: Mapping[str, Outcome], api: bool = False) -> dict[str, Outcome]:
    """Everyone not in ``allowed`` is refused (403), but carol gets 404 and anonymous login."""
    base = {**_ACT, **allowed}
    if api:
        base["anonymous"] = NO_AUTH_401
    return who(DENY_403, **base)


def conflict(allowed: Mapping[str, Outcome], api: bool = False) -> dict[str, Outcome]:
    """The same people as ``acting`` but in a state that forbids the action: 409 for them."""
    return acting(dict.fromkeys(allowed, CONFLICT_409), api=api)


# --- bodies ------------------------------------------------------------------------------------


def _ticket_form(ctx: Any, role: str) -> dict[str, Any]:
    return {
        "title": "Monitor flickers",
        "description": "The screen flickers every few seconds.",
        "impact": "single",
        "urgency": "experience",
        "category": str(ctx.category.pk),
    }


def _call_form(ctx: Any, role: str) -> dict[str, Any]:
    return {**_ticket_form(ctx, role), "requester": str(ctx.users["owner"].pk)}


def _api_ticket(ctx: Any, role: str) -> dict[str, Any]:
    return {**_ticket_form(ctx, role), "category": ctx.category.slug}


def _assign_form(ctx: Any, role: str) -> dict[str, Any]:
    return {"assignee": str(ctx.users["other_engineer"].pk), "reason": "Bob is on leave"}


def _assign_api(ctx: Any, role: str) -> dict[str, Any]:
    return {"assignee": ctx.users["other_engineer"].username, "reason": "Erin knows printers"}


def _credentials(ctx: Any, role: str) -> dict[str, Any]:
    user = ctx.users.get(role) or ctx.users["owner"]
    return {"username": user.username, "password": ctx.password}


RESOLVE = {"solution": "Replaced the fuser unit"}
VERIFY = {"verification_note": "Confirmed by phone: prints fine"}
REASON = {"reason": "Still prints blank pages"}
CANCEL = {"reason": "Solved itself"}
QUESTION = {"question": "Which printer exactly?"}
REPLY = {"body": "Any news?"}
PRIORITY = {"priority": "high", "reason": "The whole floor depends on it"}
CANNED = {"title": "Toner", "body": "Swap the toner, {requester_name}."}
# Followers: erin (other_engineer) is the one added or removed; adding herself is "follow".


def _erin(ctx: Any, role: str) -> dict[str, Any]:
    return {"user": ctx.users["other_engineer"].username}


def _erin_follows(ctx: Any, role: str) -> dict[str, Any]:
    """erin follows alice's ticket before the request (in the request's savepoint)."""
    erin = ctx.users["other_engineer"]
    Watcher.objects.get_or_create(
        ticket=ctx.ticket, user=erin, defaults={"created_at": timezone.now()}
    )
    return {"user": erin.username}


# Canned replies belong to no ticket: a requester is refused (403), not hidden (404).
CANNED_USERS = who(DENY_403, anonymous=LOGIN_302, **ENGINEERS)
# A shared reply: every engineer reads it, tech leads change it. A personal one (bob's):
# his alone; to other engineers, leads and the admin it does not exist.
SHARED_EDITORS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
BOBS_OWN = who(
    DENY_403,
    anonymous=LOGIN_302,
    engineer=ALLOW,
    other_engineer=HIDE_404,
    lead=HIDE_404,
    admin=HIDE_404,
)
# Adding erin: the requester and engineers may, erin herself follows; the manager may only
# follow, so naming erin is refused. Removing erin: the same people.
WATCHERS = {**ENGINEERS, "owner": ALLOW}


# Related tickets and merging: another open ticket of alice's, made in the request's
# savepoint (the other end of a link, or the survivor of a merge).
def _other_ticket(ctx: Any, role: str) -> dict[str, Any]:
    return {"ticket": make_ticket(requester=ctx.users["owner"], title="Same fault").number}


def linked_ticket(ctx: Any, role: str) -> dict[str, Any]:
    """A ticket already linked to alice's (the link row only: her timeline is untouched)."""
    other = make_ticket(requester=ctx.users["owner"], title="Linked fault")
    TicketLink.objects.create(
        from_ticket=ctx.ticket,
        to_ticket=other,
        created_by=ctx.users["engineer"],
        created_at=timezone.now(),
    )
    return {"ticket": other.number}


def _merge_into(ctx: Any, role: str) -> dict[str, Any]:
    return {"into": _other_ticket(ctx, role)["ticket"], "confirm": "1"}


def _merge_check(ctx: Any, role: str) -> dict[str, Any]:
    return {"into": _other_ticket(ctx, role)["ticket"]}


# The queue: bulk actions (whoever works it) and saved views (whoever reads it).
QUEUE_WORKERS = who(DENY_403, anonymous=LOGIN_302, **ENGINEERS)
QUEUE_READERS = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)
# bob's saved view (the path's ``view_id``): his to rename or delete; to every other
# reader of the queue it does not exist.
BOBS_TAB = who(HIDE_404, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403, engineer=ALLOW)


def _bulk_priority(ctx: Any, role: str) -> dict[str, Any]:
    return {"action": "priority", "tickets": [ctx.ticket.number], **PRIORITY}


def _bulk_assign(ctx: Any, role: str) -> dict[str, Any]:
    return {"action": "assign", "tickets": [ctx.ticket.number], **_assign_form(ctx, role)}


REOPEN = {"reason": "Blank pages again"}
# Reopening: the requester, or a tech lead for her (admins pass every check).
REOPENERS = {"owner": ALLOW, "lead": ALLOW, "admin": ALLOW}

# Remote-session consent (fieldwork): the engineer handling the ticket asks; alice alone
# decides (staff get 403 even as admin). ``<consent_id>`` is a request waiting for her
# answer, or with ``extra={"consent": "granted"}`` a grant still running (matrix.py).
CONSENT = {"tool": "TeamViewer", "purpose": "Reset the network adapter", "duration_minutes": 30}
REFUSE = {"reason": "In a meeting until 15:00"}
REQUESTER_ONLY = {"owner": ALLOW}
GRANTED = {"consent": "granted"}
# The work log: every engineer logs their part; the page and API take the same fields.
WORK = {"body": "Replaced the toner", "minutes": 10, "mode": "onsite", "is_public": True}
# Time per engineer: the desk (an engineer sees their own); requesters are refused.
DESK_ONLY = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)

# Vendors (vendors/): the desk reads the vendor list, tech leads (and admins) keep it. A
# ticket's vendor cases are worked by the engineer handling it and tech leads; the
# requester reads none of them (403). ``<case_id>`` is an open case on alice's ticket, or
# with ``extra=CLOSED_CASE`` a closed one (matrix.py); ``<vendor_id>`` a vendor.
VENDOR_READERS = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)
VENDOR_KEEPERS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
CASE_READERS = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=HIDE_404)
CLOSED_CASE = {"case": "closed"}
VENDOR_NEWS = {"body": "Part ships tomorrow", "share": False}


def _vendor_case(ctx: Any, role: str) -> dict[str, Any]:
    """A case with a vendor made in the request's savepoint."""
    vendor, _ = Vendor.objects.get_or_create(name="Matrix Hotline")
    return {"vendor": vendor.pk, "vendor_reference": "RMA-1", "summary": "No power"}


def _api_only(outcomes: Mapping[str, Outcome]) -> dict[str, Outcome]:
    """The same outcomes over the API: anonymous is refused (401/403), not sent to log in."""
    return {**outcomes, "anonymous": NO_AUTH_401}


# The plan and its window, functional checks (fieldwork): the engineer handling the ticket
# records them; alice alone confirms the window (staff get 403, even as admin). The 409s:
# a resolved ticket, and a confirmation with no window proposed. ``<check_id>`` is a check
# on alice's ticket (matrix.py).
PLAN_FORM = {"approach": "restart", "risk": "Unsaved drafts are lost"}
CHECK_LABEL = {"label": "Print a test page"}
CHECK_RESULT = {"result": "passed", "note": "Prints fine"}


def checklist_result(world: Any, role: str) -> dict[str, str]:
    """The checklist's one form: a check on the world's ticket, recorded as passed."""
    from fieldwork.models import FunctionalCheck

    check = FunctionalCheck.objects.create(ticket=world.ticket, label="Print a test page")
    return {f"result-{check.pk}": "passed", f"note-{check.pk}": "Prints fine"}


def _tonight() -> dict[str, str]:
    start = timezone.now() + dt.timedelta(hours=8)
    return {
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(),
    }


def _api_plan(ctx: Any, role: str) -> dict[str, Any]:
    return {**PLAN_FORM, **_tonight()}


def _window_proposed(ctx: Any, role: str) -> dict[str, Any]:
    """bob's plan on alice's ticket with a window waiting for her (in the savepoint)."""
    now = timezone.now()
    # Once per ticket, however often a test asks for the body (the CSRF test asks thrice).
    WorkPlan.objects.update_or_create(
        ticket=ctx.ticket,
        defaults={
            "approach": "restart",
            "window_start": now + dt.timedelta(hours=8),
            "window_end": now + dt.timedelta(hours=9),
            "confirmed_at": None,
            "created_by": ctx.users["engineer"],
            "created_at": now,
            "updated_at": now,
        },
    )
    return {}


# Devices (assets/): everyone signed in reads the devices they may see (a requester her
# own: ``<asset_id>`` is alice's laptop, which carol never sees); engineers, tech leads and
# admins add and change them, managers only read; a CSV import is for tech leads and
# admins, and its job (``<job_id>``, tom's) is tom's alone: the admin does not learn of it.
DEVICE_READERS = who(ALLOW, anonymous=LOGIN_302, stranger=HIDE_404)
DEVICE_KEEPERS = who(DENY_403, anonymous=LOGIN_302, **ENGINEERS)
DEVICE_EDITORS = who(DENY_403, anonymous=LOGIN_302, stranger=HIDE_404, **ENGINEERS)
IMPORTERS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
TOMS_JOB = who(DENY_403, anonymous=LOGIN_302, lead=ALLOW, admin=HIDE_404)
DEVICE = {"tag": "MATRIX-LT-0001", "kind": "laptop", "model": "ThinkPad T14"}


def _csv_file(ctx: Any, role: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("devices.csv", b"tag,kind\nMATRIX-PC-0002,desktop\n")}


USER_ADMINS = who(DENY_403, anonymous=LOGIN_302, admin=ALLOW)


def _im_ids_file(ctx: Any, role: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("ids.csv", b"username,wecom_id\nalice,MatrixW1\n")}


# On-site visits (fieldwork/views/visits.py): the engineer handling the ticket arranges,
# moves, cancels and records them; alice alone confirms or proposes a time (staff get 403,
# even as admin). ``<visit_id>`` is bob's visit waiting for alice, or with
# ``extra=VISIT_DONE`` one already recorded (matrix.py). The 409s: a resolved ticket, a
# visit already done.
VISIT_DONE = {"visit": "completed"}
VISIT_REPORT = {"work_done": "Replaced the fuser unit", "site_cleaned": "yes"}
VISIT_REPORT_API = {"work_done": "Replaced the fuser unit", "site_cleaned": True}


def _tomorrow(ctx: Any, role: str) -> dict[str, str]:
    """A visit time to come, as the page's datetime-local field sends it."""
    at = timezone.localtime() + dt.timedelta(days=1)
    return {"scheduled_at": at.strftime("%Y-%m-%dT%H:%M"), "bring": "Fuser unit"}


def _tomorrow_api(ctx: Any, role: str) -> dict[str, str]:
    return {"scheduled_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}


def _proposal(ctx: Any, role: str) -> dict[str, str]:
    at = timezone.localtime() + dt.timedelta(days=2)
    return {"proposed_at": at.strftime("%Y-%m-%dT%H:%M"), "note": "After 14:00 please"}


def _proposal_api(ctx: Any, role: str) -> dict[str, str]:
    return {"proposed_at": (timezone.now() + dt.timedelta(days=2)).isoformat(), "note": "PM"}


def _printer_tag(ctx: Any, role: str) -> dict[str, str]:
    """The tag of a shared printer (made in the request's savepoint)."""
    Asset.objects.get_or_create(tag="MATRIX-PRN-0001", defaults={"kind": "printer"})
    return {"asset": "MATRIX-PRN-0001"}


# Reports (reports/): managers and tech leads (view_reports) and admins; 403 for the rest.
REPORT_READERS = who(DENY_403, anonymous=LOGIN_302, lead=ALLOW, manager=ALLOW, admin=ALLOW)

# Major incidents (incidents/): the desk and management read them, requesters are refused
# (403: they hear of an incident through their own tickets). Engineers and tech leads declare
# (an engineer names the commander: tom) and link tickets; the commander (tom, who declared
# it) and tech leads add people, change details, write status notes and restore; an engineer
# may add only herself (erin joins). A case with ``extra=INCIDENT`` fills ``<number>`` with
# the ``MI-…`` number of tom's incident in that status (matrix.py), not alice's ticket.
INCIDENT = {"incident": "investigating"}
RESTORED_INCIDENT = {"incident": "restored"}
RESOLVED_INCIDENT = {"incident": "resolved"}
INCIDENT_READERS = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)
INCIDENT_WORKERS = who(DENY_403, anonymous=LOGIN_302, **ENGINEERS)
INCIDENT_STEERERS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
# Adding erin to the task force: tom and the admin may, and erin herself (she joins).
INCIDENT_ADDERS = who(DENY_403, anonymous=LOGIN_302, other_engineer=ALLOW, **LEADS)
STATUS_NOTE = {"status": "identified", "note": "Disk array failed", "next_steps": "Fail over"}
RESTORATION = {"restoration": "Switched to the standby server"}


def _declaration(ctx: Any, role: str) -> dict[str, Any]:
    return {"title": "ERP down", "impact": "No orders", "commander": ctx.users["lead"].pk}


def _api_declaration(ctx: Any, role: str) -> dict[str, Any]:
    return {"title": "ERP down", "impact": "No orders", "commander": ctx.users["lead"].username}


def _erin_joins(ctx: Any, role: str) -> dict[str, Any]:
    return {"user": ctx.users["other_engineer"].pk, "role": "engineer"}


def _api_erin_joins(ctx: Any, role: str) -> dict[str, Any]:
    return {"user": ctx.users["other_engineer"].username, "role": "engineer"}


def _alices_ticket(ctx: Any, role: str) -> dict[str, Any]:
    return {"tickets": ctx.ticket.number}


def _api_alices_ticket(ctx: Any, role: str) -> dict[str, Any]:
    return {"tickets": [ctx.ticket.number]}


# "Link to the ongoing incident" (incidents/views_link.py): whoever links tickets, from the
# queue (the ticked numbers) or the ticket's work view (``<number>`` is alice's ticket there:
# carol does not learn it exists). The incident is tom's, declared in the request's savepoint.
INCIDENT_LINKERS_LATE = who(DENY_403, anonymous=LOGIN_302, **dict.fromkeys(ENGINEERS, CONFLICT_409))


def _toms_incident(ctx: Any, status: str = "investigating") -> str:
    lead = ctx.users["lead"]
    incident = incident_services.declare(actor=lead, title="Matrix: mail down", impact="No mail")
    if status != "investigating":
        incident_services.post_status(incident.pk, actor=lead, status=status, note="Matrix")
    return str(incident.number)


def _link_selection(ctx: Any, role: str) -> dict[str, Any]:
    return {"incident": _toms_incident(ctx), "tickets": [ctx.ticket.number]}


def _link_selection_late(ctx: Any, role: str) -> dict[str, Any]:
    return {"incident": _toms_incident(ctx, "resolved"), "tickets": [ctx.ticket.number]}


def _link_this(ctx: Any, role: str) -> dict[str, Any]:
    return {"incident": _toms_incident(ctx)}


def _link_this_late(ctx: Any, role: str) -> dict[str, Any]:
    return {"incident": _toms_incident(ctx, "resolved")}


# The post-incident review (incidents/views_review.py, incidents/api/review.py): every reader
# of incidents reads it; the commander (tom) and tech leads write it and its actions once the
# incident is resolved (409 before; actions: 409 before the root cause is written); an
# action's owner (bob) marks it done. ``<action_id>`` is bob's action on the review of the
# incident just made for ``<number>`` (matrix.py).
REVIEW = {"root_cause": "Log rotation was off: the disk filled up", "summary": "Alert at 80 %"}
ACTION_OWNER_TOO = who(DENY_403, anonymous=LOGIN_302, engineer=ALLOW, **LEADS)


def _reviewed(ctx: Any) -> None:
    """The root cause of the incident made for ``<number>`` written (in the savepoint)."""
    incident = MajorIncident.objects.latest("pk")
    incident_review.write_review(incident.pk, actor=ctx.users["lead"], root_cause="Disk full")


def _action_form(ctx: Any, role: str) -> dict[str, Any]:
    due = timezone.localdate() + dt.timedelta(days=7)
    return {"description": "Alert", "owner": ctx.users["engineer"].pk, "due_on": due.isoformat()}


def _api_action(ctx: Any, role: str) -> dict[str, Any]:
    return {**_action_form(ctx, role), "owner": ctx.users["engineer"].username}


def _action_after_review(ctx: Any, role: str) -> dict[str, Any]:
    _reviewed(ctx)
    return _action_form(ctx, role)


def _api_action_after_review(ctx: Any, role: str) -> dict[str, Any]:
    _reviewed(ctx)
    return _api_action(ctx, role)


# The satisfaction survey (feedback/): alice alone answers it (staff get 403, even as admin)
# once her fix is verified (409 before: no survey yet); her survey is read by her and the
# desk; the list of every survey is for tech leads, managers and admins.
SURVEY = {"speed": 4, "quality": 5, "attitude": 5, "comment": "Quick and friendly"}
SURVEY_FORM = {**SURVEY, "suggestions": ""}
SURVEY_LIST_READERS = who(
    ALLOW,
    anonymous=NO_AUTH_401,
    owner=DENY_403,
    stranger=DENY_403,
    engineer=DENY_403,
    other_engineer=DENY_403,
)


# Training, assessments and drills (training/): the desk's staff; requesters are refused
# (403). ``<session_id>`` is tom's session with bob invited (begun an hour ago; with
# ``extra=UPCOMING`` tomorrow), ``<material_id>`` a file of it; ``<drill_id>`` tom's drill
# for bob from alice's ticket, ``extra={"drill": "started" | "answered"}`` further on
# (matrix.py). bob reads his session and drill, erin (not invited) finds neither (404);
# tech leads plan, assess, build and score; the trainer (tom) or a lead records attendance;
# bob alone starts and answers his drill, never scores it.
STAFF = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)
TRAINING_LEADS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
BOBS = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403, other_engineer=HIDE_404)
BOBS_LEADS = who(DENY_403, anonymous=LOGIN_302, other_engineer=HIDE_404, **LEADS)
BOB_ALONE = who(DENY_403, anonymous=LOGIN_302, other_engineer=HIDE_404, engineer=ALLOW)
# The same people, in a state that forbids it now (409): a session not begun, a drill
# started already or not yet, answered or not yet.
LEADS_NOT_NOW = who(
    DENY_403, anonymous=LOGIN_302, other_engineer=HIDE_404, **dict.fromkeys(LEADS, CONFLICT_409)
)
BOB_NOT_NOW = who(DENY_403, anonymous=LOGIN_302, other_engineer=HIDE_404, engineer=CONFLICT_409)
# A lead-only page (erin is refused before the session is looked up) in a state forbidding it.
TRAINING_LEADS_NOT_NOW = who(DENY_403, anonymous=LOGIN_302, **dict.fromkeys(LEADS, CONFLICT_409))
UPCOMING = {"session": "upcoming"}
CANCELLED = {"session": "cancelled"}
CANCEL = {"reason": "The trainer is ill"}
STARTED = {"drill": "started"}
ANSWERED = {"drill": "answered"}
ASSESS = {"engineer": "bob", "kind": "technical", "score": 80, "notes": "Solid"}
DRILL_ANSWER = {"diagnosis": "Worn fuser", "plan": "Replace the fuser"}
DRILL_SCORE = {"score": 80, "notes": "Close"}
ABSENT = {"attendance": [{"engineer": "bob", "status": "absent"}]}


def _in_a_day() -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def _session_form(ctx: Any, role: str) -> dict[str, Any]:
    return {
        "title": "Deploying the new OS",
        "kind": "technical",
        "starts_at": _in_a_day(),
        "duration_minutes": "60",
        "trainer": str(ctx.users["lead"].pk),
        "attendees": [str(ctx.users["engineer"].pk)],
        "pass_mark": "60",
    }


def _session_api(ctx: Any, role: str) -> dict[str, Any]:
    starts = timezone.now() + dt.timedelta(days=1)
    return {
        "title": "Talking to users",
        "kind": "service",
        "starts_at": starts.isoformat(),
        "trainer": "tom",
        "attendees": ["bob"],
    }


def _slides(ctx: Any, role: str) -> dict[str, Any]:
    return {"attachments": SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides")}


def _drill_form(ctx: Any, role: str) -> dict[str, Any]:
    """A drill of alice's resolved ticket (bob fixed it) for erin."""
    return {
        "ticket": ctx.ticket.number,
        "engineer": "erin",
        "time_limit_minutes": "30",
        "title": "Blank pages",
        "symptom": "Every page comes out blank.",
    }


def _drill_api(ctx: Any, role: str) -> dict[str, Any]:
    return {"ticket": ctx.ticket.number, "engineer": "erin"}


# The weekly problem review (reports/views/review.py): the desk and management read it,
# requesters are refused; tech leads and admins generate and write it. ``<review_id>`` is last
# week's review, generated in the request's savepoint (closed by tom with
# ``extra=CLOSED_REVIEW``), ``<review_action_id>`` bob's action on it (matrix.py). The 409s:
# anything but an action's change on a closed review.
REVIEW_READERS = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)
REVIEW_WRITERS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
REVIEW_WRITERS_LATE = who(DENY_403, anonymous=LOGIN_302, **dict.fromkeys(LEADS, CONFLICT_409))
CLOSED_REVIEW = {"review": "closed"}
REVIEW_NOTES = {"root_causes": "Ageing toner drums", "kb_updates": "Drum guide: jams section"}


def _improvement(ctx: Any, role: str) -> dict[str, Any]:
    due = timezone.localdate() + dt.timedelta(days=7)
    return {
        "description": "Warn before the drum wears out",
        "owner": ctx.users["engineer"].pk,
        "due_on": due.isoformat(),
        "status": "open",
    }


# The monthly process audit (reports/views/audit.py): auditors only (tech leads, managers,
# admins); engineers and requesters get 403. ``<audit_id>`` is last month's audit with alice's
# ticket as its sample, ``<audit_item_id>`` that ticket (matrix.py); with
# ``extra=CONFIRMED_AUDIT`` the ticket is confirmed, with ``extra=CLOSED_AUDIT`` the audit is
# closed. The 409s: closing while a ticket is still to check, anything on a closed audit.
AUDITORS = who(DENY_403, anonymous=LOGIN_302, lead=ALLOW, manager=ALLOW, admin=ALLOW)
AUDITORS_LATE = who(
    DENY_403, anonymous=LOGIN_302, lead=CONFLICT_409, manager=CONFLICT_409, admin=CONFLICT_409
)
CONFIRMED_AUDIT = {"audit": "confirmed"}
CLOSED_AUDIT = {"audit": "closed"}
AUDIT_ACTIONS = {"improvement_actions": "Attach the call recording to a phone verification"}


def _last_month(ctx: Any, role: str) -> dict[str, Any]:
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return {"month": f"{last:%Y-%m}", "size": "5", "seed": "7"}


def _checklist(ctx: Any, role: str) -> dict[str, Any]:
    """The sampled ticket's checklist as the data says (the audit made for the path)."""
    item = AuditedTicket.objects.order_by("-pk").first()
    checks = item.checks.all() if item is not None else []
    return {f"result_{c.key}": c.data_result for c in checks}


# The knowledge base (knowledge/views/articles.py, review.py, files.py, scripts.py and the API).
# ``<article_id>`` is tom's published public article with a screenshot (``<file_id>``); with
# ``extra=KB_INTERNAL`` it is staff only (requesters: 404, as if it did not exist), with
# ``extra=KB_DRAFT`` bob's internal draft. Everyone signed in reads published public articles;
# staff read everything; engineers and tech leads write (the manager reads only); tech leads
# review. The scripts library is the staff's: requesters get 403.
KB_INTERNAL = {"article": "internal"}
KB_DRAFT = {"article": "draft"}
KB_READERS_INTERNAL = who(ALLOW, anonymous=LOGIN_302, owner=HIDE_404, stranger=HIDE_404)
KB_WRITERS = who(DENY_403, anonymous=LOGIN_302, **ENGINEERS)
KB_WRITERS_INTERNAL = who(
    DENY_403, anonymous=LOGIN_302, owner=HIDE_404, stranger=HIDE_404, **ENGINEERS
)
KB_STAFF = who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)
KB_REVIEWERS = who(DENY_403, anonymous=LOGIN_302, **LEADS)
# Creating an article as published: tech leads may; engineers are told why (400 on status).
KB_PUBLISHERS = who(
    DENY_403, anonymous=LOGIN_302, engineer=INVALID_400, other_engineer=INVALID_400, **LEADS
)
KB_ARTICLE_FORM = {
    "title": "Printer prints blank pages",
    "symptom": "Pages come out blank.",
    "steps": ["Replace the toner", "Print a test page"],
    "scenarios": "HP LaserJet M404dn",
    "audience": "public",
    "status": "draft",
    "note": "",
}
KB_ARTICLE_API = {
    "title": "VPN drops every few minutes",
    "symptom": "The VPN disconnects every 3–5 minutes.",
    "steps": ["Update the VPN client"],
    "scenarios": ["Windows 11 23H2"],
    "audience": "internal",
}
KB_SCRIPT = {"name": "Ping test", "kind": "script", "language": "batch", "body": "ping 10.0.0.1"}


def _kb_screenshot(ctx: Any, role: str) -> dict[str, Any]:
    return {"attachments": SimpleUploadedFile("tray.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)}


# The knowledge base from a ticket (knowledge/views/ticket.py): engineers and tech leads link
# and unlink articles in any state, find one to link, and turn a resolved ticket into a draft
# (409 before the fix); requesters and the manager are refused, carol does not see the
# ticket. The articles are made in the request's savepoint. Suggestions on the new-ticket
# form (knowledge/views/suggest.py) are everyone's; accepting one needs the person's own
# form session (made in the savepoint); the deflection numbers are for report readers.
KB_WRITE_UP = {"title": "Blank", "symptom": "Blank", "steps": "1. Fuser", "audience": "internal"}


def _kb_article(ctx: Any, role: str) -> dict[str, Any]:
    """tom's published public article, made in the request's savepoint."""
    found = create_article(
        by=ctx.users["lead"],
        title="Printer prints blank pages",
        symptom="Blank pages",
        steps=["Replace the fuser unit"],
        status="published",
        audience="public",
    )
    return {"article": found.pk}


def _kb_linked(ctx: Any, role: str) -> dict[str, Any]:
    """The same article, already linked to alice's ticket as "solved with" by bob."""
    body = _kb_article(ctx, role)
    ArticleLink.objects.create(
        article_id=body["article"],
        ticket=ctx.ticket,
        kind="solved_with",
        linked_by=ctx.users["engineer"],
        linked_at=timezone.now(),
    )
    return body


def _kb_shown(ctx: Any, role: str) -> dict[str, Any]:
    """A new-ticket form of the caller's that was shown tom's article."""
    body = _kb_article(ctx, role)
    token = uuid.uuid4()
    SuggestionSession.objects.create(
        token=token,
        user=ctx.users.get(role) or ctx.users["owner"],
        started_at=timezone.now(),
        shown=[body["article"]],
    )
    return {**body, "suggest_token": str(token)}


# --- pages -------------------------------------------------------------------------------------

# The IM providers' callbacks (channels/<provider>/intake.py, ``<provider>`` filled from
# ``extra``): a provider signs its requests instead of signing in, and the matrix signs none,
# so everyone is refused, signed in or not (401 or 403, nothing filed). Only WeCom GETs
# (its signed URL handshake); a GET to the others is a 405.
IM_PROVIDERS = ("wecom", "dingtalk", "feishu", "slack")
UNSIGNED_401 = Outcome("UNSIGNED_401", frozenset({401, 403}))
IM_UNSIGNED = who(UNSIGNED_401)


PAGES: dict[str, dict[str, Case | list[Case]]] = {
    "home": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    # Accounts: open to everyone (a signed-in user is sent on from the login page).
    "accounts:login": {"GET": Case(EVERYONE), "POST": Case(EVERYONE, body={})},
    "accounts:logout": {"GET": Case(NOBODY_405), "POST": Case(EVERYONE)},
    "accounts:password_reset": {
        "GET": Case(EVERYONE),
        # An address per role: requests are throttled per address (and per client).
        "POST": Case(EVERYONE, body=lambda ctx, role: {"email": f"nobody-{role}@example.com"}),
    },
    "accounts:password_reset_done": {"GET": Case(EVERYONE), "POST": Case(NOBODY_405)},
    "accounts:password_reset_confirm": {
        "GET": Case(EVERYONE, note="a valid link redirects to the set-password form"),
        "POST": Case(EVERYONE),
    },
    "accounts:language": {"GET": Case(NOBODY_405), "POST": Case(EVERYONE, body={"language": "en"})},
    # Each person's own account page; its actions touch only the caller's token and sessions.
    "accounts:profile": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    "accounts:revoke_token": {"GET": Case(POST_ONLY), "POST": Case(SIGNED_IN)},
    # Linking one's IM account (the signed link the desk sends an unknown IM sender); a bad
    # or missing link is a message on the profile page, nothing linked.
    "accounts:link_im": {"GET": Case(POST_ONLY), "POST": Case(SIGNED_IN, body={"link": "x"})},
    "accounts:unlink_im": {
        "GET": Case(POST_ONLY),
        "POST": Case(SIGNED_IN, body={"provider": "slack"}),
    },
    "accounts:log_out_everywhere": {
        "GET": Case(POST_ONLY),
        "POST": Case(SIGNED_IN, note="ends the caller's sessions; goes to the login page"),
    },
    # Filing: everyone with add_ticket (the manager reads, never files).
    "tickets:new": {
        "GET": Case(who(ALLOW, anonymous=LOGIN_302, manager=DENY_403)),
        "POST": Case(who(ALLOW, anonymous=LOGIN_302, manager=DENY_403), body=_ticket_form),
    },
    "tickets:call": {
        "GET": Case(acting(ENGINEERS) | {"stranger": DENY_403}),
        "POST": Case(acting(ENGINEERS) | {"stranger": DENY_403}, body=_call_form),
    },
    # The log-a-call form's caller look-up (tickets/views/callers.py): whoever logs calls.
    "tickets:call_callers": {
        "GET": Case(acting(ENGINEERS) | {"stranger": DENY_403}),
        "POST": Case(GET_ONLY),
    },
    "tickets:mine": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    # Search: everyone signed in, over the tickets each may see (tickets/tests/test_search.py).
    "tickets:search": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    "tickets:queue": {
        "GET": Case(who(ALLOW, anonymous=LOGIN_302, owner=DENY_403, stranger=DENY_403)),
        "POST": Case(GET_ONLY),
    },
    # The queue's bulk actions: whoever works the queue (assigning: tech leads); a ticket that
    # refuses is named in the result message, the request itself still succeeds (302).
    "tickets:bulk": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(QUEUE_WORKERS, body=_bulk_priority, note="change priority"),
            Case(who(DENY_403, anonymous=LOGIN_302, **LEADS), body=_bulk_assign, note="assign"),
        ],
    },
    # Saved views: the queue's readers keep tabs of their own; bob's tab is his alone.
    "tickets:save_view": {
        "GET": Case(POST_ONLY),
        "POST": Case(QUEUE_READERS, body={"name": "High", "query": "priority=high"}),
    },
    "tickets:rename_view": {
        "GET": Case(POST_ONLY),
        "POST": Case(BOBS_TAB, body={"name": "Renamed"}),
    },
    "tickets:delete_view": {"GET": Case(POST_ONLY), "POST": Case(BOBS_TAB)},
    # One ticket.
    "tickets:detail": {"GET": Case(TICKET_READERS), "POST": Case(GET_ONLY)},
    "tickets:report": {"GET": Case(TICKET_READERS), "POST": Case(GET_ONLY)},
    "tickets:attachment": {
        "GET": [
            Case(TICKET_READERS),
            Case(
                who(ALLOW, anonymous=LOGIN_302, owner=HIDE_404, stranger=HIDE_404),
                attachment="internal",
                note="a file on an internal note: staff only",
            ),
        ],
        "POST": Case(GET_ONLY),
    },
    # Actions: the right state, then a wrong one (409 for the people who may act).
    "tickets:accept": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.SUBMITTED),
            Case(conflict(ENGINEERS), state=S.ACCEPTED),
        ],
    },
    "tickets:diagnose": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body=DIAGNOSIS),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=DIAGNOSIS),
        ],
    },
    "tickets:resolve": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.DIAGNOSED, body=RESOLVE),
            Case(conflict(HANDLERS), state=S.ACCEPTED, body=RESOLVE),
        ],
    },
    "tickets:verify": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting({**HANDLERS, "owner": ALLOW}), state=S.RESOLVED, body=VERIFY),
            Case(conflict({**HANDLERS, "owner": ALLOW}), state=S.DIAGNOSED, body=VERIFY),
        ],
    },
    "tickets:reject": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting({"owner": ALLOW}), state=S.RESOLVED, body=REASON),
            Case(conflict({"owner": ALLOW}), state=S.ACCEPTED, body=REASON),
        ],
    },
    "tickets:close": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.VERIFIED),
            Case(conflict(ENGINEERS), state=S.RESOLVED),
        ],
    },
    "tickets:cancel": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting({**ENGINEERS, "owner": ALLOW}), state=S.SUBMITTED, body=CANCEL),
            Case(conflict({**ENGINEERS, "owner": ALLOW}), state=S.DIAGNOSED, body=CANCEL),
        ],
    },
    "tickets:request_info": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.ACCEPTED, body=QUESTION),
            Case(conflict(ENGINEERS), state=S.SUBMITTED, body=QUESTION),
        ],
    },
    "tickets:reply": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting({**ENGINEERS, "owner": ALLOW}), state=S.ACCEPTED, body=REPLY),
            Case(conflict({**ENGINEERS, "owner": ALLOW}), state=S.CLOSED, body=REPLY),
        ],
    },
    "tickets:priority": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.SUBMITTED, body=PRIORITY),
            Case(conflict(ENGINEERS), state=S.CLOSED, body=PRIORITY),
        ],
    },
    # The priority form's preview (read-only): whoever may change the priority may look.
    "tickets:priority_preview": {
        "GET": [
            Case(acting(ENGINEERS), state=S.SUBMITTED, note="no ?priority=: an empty preview"),
            Case(conflict(ENGINEERS), state=S.CLOSED),
        ],
        "POST": Case(GET_ONLY),
    },
    "tickets:assign": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(LEADS), state=S.ACCEPTED, body=_assign_form),
            Case(acting(LEADS), state=S.SUBMITTED, body=_assign_form, note="dispatch (派单)"),
            Case(conflict(LEADS), state=S.CLOSED, body=_assign_form),
        ],
    },
    # Related tickets (tickets/views/links.py): engineers link in every state.
    "tickets:link": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.SUBMITTED, body=_other_ticket),
            Case(acting(ENGINEERS), state=S.CLOSED, body=_other_ticket, note="closed too"),
        ],
    },
    "tickets:unlink": {
        "GET": Case(POST_ONLY),
        "POST": Case(acting(ENGINEERS), body=linked_ticket),
    },
    # Merging: the first POST shows the confirmation page, the second (confirm) merges.
    "tickets:merge": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.SUBMITTED, body=_merge_check, note="confirmation"),
            Case(acting(ENGINEERS), state=S.ACCEPTED, body=_merge_into),
            Case(conflict(ENGINEERS), state=S.CLOSED, body=_merge_into),
        ],
    },
    "tickets:reopen": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REOPENERS), state=S.CLOSED, body=REOPEN),
            Case(conflict(REOPENERS), state=S.DIAGNOSED, body=REOPEN),
        ],
    },
    # Canned replies: the engineers' own page (tickets/views/canned.py).
    "tickets:canned_replies": {"GET": Case(CANNED_USERS), "POST": Case(GET_ONLY)},
    "tickets:canned_new": {
        "GET": Case(CANNED_USERS),
        "POST": Case(CANNED_USERS, body=CANNED),
    },
    "tickets:canned_edit": {
        "GET": [
            Case(SHARED_EDITORS, note="a shared reply"),
            Case(BOBS_OWN, extra={"reply": "personal"}, note="bob's personal reply"),
        ],
        "POST": [
            Case(SHARED_EDITORS, body=CANNED, note="a shared reply"),
            Case(BOBS_OWN, body=CANNED, extra={"reply": "personal"}, note="bob's personal reply"),
        ],
    },
    "tickets:canned_delete": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(SHARED_EDITORS, note="a shared reply"),
            Case(BOBS_OWN, extra={"reply": "personal"}, note="bob's personal reply"),
        ],
    },
    # The reply filled in for alice's ticket (carol does not learn the ticket exists).
    "tickets:canned_render": {
        "GET": [
            Case(acting(ENGINEERS), note="a shared reply"),
            Case(
                acting(
                    {
                        "engineer": ALLOW,
                        "other_engineer": HIDE_404,
                        "lead": HIDE_404,
                        "admin": HIDE_404,
                    }
                ),
                extra={"reply": "personal"},
                note="bob's personal reply",
            ),
        ],
        "POST": Case(GET_ONLY),
    },
    # Followers (CC) of alice's ticket, in any state.
    "tickets:watcher_add": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(WATCHERS), body=_erin),
            Case(acting(WATCHERS), state=S.CLOSED, body=_erin, note="closed: still allowed"),
        ],
    },
    "tickets:watcher_remove": {
        "GET": Case(POST_ONLY),
        "POST": Case(acting(WATCHERS), body=_erin_follows),
    },
    "tickets:watcher_candidates": {"GET": Case(acting(WATCHERS)), "POST": Case(GET_ONLY)},
    # Remote-session consent and the work log (fieldwork/views/consents.py, worklogs.py).
    "fieldwork:consent_request": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body=CONSENT),
            Case(conflict(HANDLERS), state=S.CLOSED, body=CONSENT),
        ],
    },
    "fieldwork:consent_grant": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.ACCEPTED),
            Case(conflict(REQUESTER_ONLY), state=S.CLOSED),
        ],
    },
    "fieldwork:consent_refuse": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.DIAGNOSED, body=REFUSE),
            Case(conflict(REQUESTER_ONLY), state=S.RESOLVED, body=REFUSE),
        ],
    },
    "fieldwork:consent_revoke": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.ACCEPTED, extra=GRANTED),
            Case(acting(REQUESTER_ONLY), state=S.CLOSED, extra=GRANTED, note="closed too"),
            Case(conflict(REQUESTER_ONLY), state=S.ACCEPTED, note="nothing granted yet"),
        ],
    },
    "fieldwork:worklog_add": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.ACCEPTED, body=WORK),
            Case(acting(ENGINEERS), state=S.RESOLVED, body=WORK, note="after the fix too"),
            Case(conflict(ENGINEERS), state=S.CLOSED, body=WORK),
        ],
    },
    "fieldwork:worklog_progress": {"GET": Case(TICKET_READERS), "POST": Case(GET_ONLY)},
    "fieldwork:worklog_engineers": {"GET": Case(DESK_ONLY), "POST": Case(GET_ONLY)},
    # The plan and its window, functional checks (fieldwork/views/plans.py, checks.py).
    "fieldwork:plan": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.DIAGNOSED, body=PLAN_FORM),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=PLAN_FORM),
        ],
    },
    "fieldwork:plan_confirm": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.DIAGNOSED, body=_window_proposed),
            Case(conflict(REQUESTER_ONLY), state=S.DIAGNOSED, note="no window proposed"),
        ],
    },
    # Training, assessments and drills (training/views/): see STAFF above.
    "training:list": {"GET": Case(STAFF), "POST": Case(GET_ONLY)},
    "training:new": {
        "GET": Case(TRAINING_LEADS),
        "POST": Case(TRAINING_LEADS, body=_session_form),
    },
    "training:session": {"GET": Case(BOBS), "POST": Case(GET_ONLY)},
    "training:edit": {
        "GET": Case(TRAINING_LEADS),
        "POST": Case(TRAINING_LEADS, body=_session_form),
    },
    "training:attendance": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(BOBS_LEADS, body={"status-bob": "attended"}),
            Case(
                LEADS_NOT_NOW,
                body={"status-bob": "attended"},
                extra=UPCOMING,
                note="the session has not begun",
            ),
        ],
    },
    "training:cancel": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(TRAINING_LEADS, body=CANCEL),
            Case(TRAINING_LEADS_NOT_NOW, body=CANCEL, extra=CANCELLED, note="cancelled already"),
        ],
    },
    "training:session_assess": {
        "GET": Case(POST_ONLY),
        "POST": Case(TRAINING_LEADS, body=ASSESS),
    },
    "training:files_add": {"GET": Case(POST_ONLY), "POST": Case(TRAINING_LEADS, body=_slides)},
    "training:file": {"GET": Case(BOBS), "POST": Case(GET_ONLY)},
    "training:file_delete": {"GET": Case(POST_ONLY), "POST": Case(TRAINING_LEADS)},
    "training:assessments": {"GET": Case(STAFF), "POST": Case(TRAINING_LEADS, body=ASSESS)},
    "training:drills": {"GET": Case(STAFF), "POST": Case(GET_ONLY)},
    "training:drill_new": {
        "GET": Case(TRAINING_LEADS),
        "POST": Case(TRAINING_LEADS, state=S.RESOLVED, body=_drill_form),
    },
    "training:drill": {"GET": Case(BOBS), "POST": Case(GET_ONLY)},
    "training:drill_start": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(BOB_ALONE),
            Case(
                BOB_NOT_NOW,
                extra=STARTED,
            ),
        ],
    },
    "training:drill_answer": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(BOB_ALONE, body=DRILL_ANSWER, extra=STARTED),
            Case(
                BOB_NOT_NOW,
                body=DRILL_ANSWER,
                note="not started",
            ),
        ],
    },
    "training:drill_score": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(BOBS_LEADS, body=DRILL_SCORE, extra=ANSWERED),
            Case(
                LEADS_NOT_NOW,
                body=DRILL_SCORE,
                extra=STARTED,
                note="not answered",
            ),
        ],
    },
    "training:drill_withdraw": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(BOBS_LEADS),
            Case(LEADS_NOT_NOW, extra=ANSWERED, note="answered already"),
        ],
    },
    "training:drill_file": {"GET": Case(BOBS, extra=STARTED), "POST": Case(GET_ONLY)},
    # The satisfaction survey (feedback/views.py): see SURVEY above.
    "feedback:answer": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.VERIFIED, body=SURVEY_FORM),
            Case(conflict(REQUESTER_ONLY), state=S.RESOLVED, body=SURVEY_FORM, note="no survey"),
        ],
    },
    "fieldwork:check_add": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.DIAGNOSED, body=CHECK_LABEL),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=CHECK_LABEL),
        ],
    },
    "fieldwork:check_record": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.DIAGNOSED, body=CHECK_RESULT),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=CHECK_RESULT),
        ],
    },
    "fieldwork:check_record_all": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.DIAGNOSED, body=checklist_result),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=checklist_result),
        ],
    },
    # Vendors and vendor cases (vendors/views/).
    "vendors:list": {
        "GET": Case(VENDOR_READERS),
        "POST": Case(VENDOR_KEEPERS, body={"name": "Acme Hotline"}),
    },
    "vendors:edit": {
        "GET": Case(VENDOR_KEEPERS),
        "POST": Case(VENDOR_KEEPERS, body={"name": "Lenovo 售后", "contacts": "400-990-8888"}),
    },
    "vendors:case_open": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body=_vendor_case),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=_vendor_case),
        ],
    },
    "vendors:case_update": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body=VENDOR_NEWS),
            Case(conflict(HANDLERS), state=S.ACCEPTED, body=VENDOR_NEWS, extra=CLOSED_CASE),
        ],
    },
    "vendors:case_close": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body={"outcome": "Board replaced"}),
            Case(conflict(HANDLERS), state=S.ACCEPTED, body={}, extra=CLOSED_CASE),
        ],
    },
    # The team's skills (people/views.py): the matrix for tech leads and managers (and
    # admins); editing someone (``<username>`` is erin) for tech leads and admins; "my
    # skills" for whoever works the queue (the admin is in no queue: 403).
    "people:matrix": {
        "GET": Case(who(DENY_403, anonymous=LOGIN_302, lead=ALLOW, manager=ALLOW, admin=ALLOW)),
        "POST": Case(GET_ONLY),
    },
    "people:edit": {
        "GET": Case(who(DENY_403, anonymous=LOGIN_302, **LEADS)),
        "POST": Case(
            who(DENY_403, anonymous=LOGIN_302, **LEADS),
            body={"skill_hardware-printer": "2", "auto_assign": "on"},
        ),
    },
    "people:mine": {
        "GET": Case(
            who(DENY_403, anonymous=LOGIN_302, engineer=ALLOW, other_engineer=ALLOW, lead=ALLOW)
        ),
        "POST": Case(GET_ONLY),
    },
    # Devices (assets/views.py).
    "assets:list": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    "assets:new": {"GET": Case(DEVICE_KEEPERS), "POST": Case(DEVICE_KEEPERS, body=DEVICE)},
    "assets:detail": {"GET": Case(DEVICE_READERS), "POST": Case(GET_ONLY)},
    "assets:edit": {"GET": Case(DEVICE_EDITORS), "POST": Case(DEVICE_EDITORS, body=DEVICE)},
    "assets:import": {"GET": Case(IMPORTERS), "POST": Case(IMPORTERS, body=_csv_file)},
    "assets:import_example": {"GET": Case(IMPORTERS), "POST": Case(GET_ONLY)},
    "assets:import_job": {"GET": Case(TOMS_JOB), "POST": Case(GET_ONLY)},
    "assets:import_progress": {"GET": Case(TOMS_JOB), "POST": Case(GET_ONLY)},
    # People's IM ids in bulk (channels/views.py): those who may change users (the admins).
    "channels:import_im_ids": {
        "GET": Case(USER_ADMINS),
        "POST": Case(USER_ADMINS, body=_im_ids_file),
    },
    "channels:import_im_ids_example": {"GET": Case(USER_ADMINS), "POST": Case(GET_ONLY)},
    # The IM connections page (channels/connections.py): settings masked, read-only.
    "channels:connections": {"GET": Case(USER_ADMINS), "POST": Case(GET_ONLY)},
    # On-site visits and the ticket's device (fieldwork/views/visits.py).
    "fieldwork:visit_schedule": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body=_tomorrow),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=_tomorrow),
        ],
    },
    "fieldwork:visit_confirm": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.ACCEPTED),
            Case(conflict(REQUESTER_ONLY), state=S.RESOLVED),
        ],
    },
    "fieldwork:visit_propose": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(REQUESTER_ONLY), state=S.DIAGNOSED, body=_proposal),
            Case(conflict(REQUESTER_ONLY), state=S.ACCEPTED, body=_proposal, extra=VISIT_DONE),
        ],
    },
    "fieldwork:visit_reschedule": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body=_tomorrow),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=_tomorrow),
        ],
    },
    "fieldwork:visit_cancel": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.ACCEPTED, body={"reason": "Fixed remotely"}),
            Case(acting(HANDLERS), state=S.RESOLVED, body={}, note="after the fix too"),
            Case(conflict(HANDLERS), state=S.ACCEPTED, body={}, extra=VISIT_DONE),
        ],
    },
    "fieldwork:visit_complete": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(HANDLERS), state=S.DIAGNOSED, body=VISIT_REPORT),
            Case(conflict(HANDLERS), state=S.RESOLVED, body=VISIT_REPORT),
        ],
    },
    "fieldwork:ticket_device": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), state=S.SUBMITTED, body=_printer_tag),
            Case(conflict(ENGINEERS), state=S.CLOSED, body=_printer_tag),
        ],
    },
    # Notifications: each person's own.
    "notifications:inbox": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    "notifications:read": {"GET": Case(POST_ONLY), "POST": Case(SIGNED_IN)},
    # All of one kind of one's own news read ("all the breaches"): nobody else's rows exist here.
    "notifications:read_kind": {"GET": Case(POST_ONLY), "POST": Case(SIGNED_IN)},
    # Each person's own channels per kind of news (a POST saves what was ticked).
    "notifications:preferences": {"GET": Case(SIGNED_IN), "POST": Case(SIGNED_IN)},
    # The one-click unsubscribe link of alice's notification e-mails about replies: no login
    # (a mail provider POSTs it without cookies), its signature is the proof; a forged one is
    # a 404 for everyone (notifications/tests/test_email_unsubscribe.py).
    "notifications:unsubscribe": {"GET": Case(EVERYONE), "POST": Case(EVERYONE)},
    # alice's own notification: opening it marks it read and goes to her ticket.
    "notifications:open": {
        "GET": Case(POST_ONLY),
        "POST": Case(who(HIDE_404, anonymous=LOGIN_302, owner=ALLOW)),
    },
    # The API's browsable root and its description (the schema documents shapes, no data).
    "api:api-root": {
        "GET": Case(who(ALLOW, anonymous=NO_AUTH_401)),
        "POST": Case(who(METHOD_405, anonymous=NO_AUTH_401)),
    },
    "api-schema": {"GET": Case(EVERYONE), "POST": Case(NOBODY_405)},
    "api-docs": {"GET": Case(EVERYONE), "POST": Case(NOBODY_405)},
    # Major incidents (incidents/views.py); see INCIDENT above.
    "incidents:list": {"GET": Case(INCIDENT_READERS), "POST": Case(GET_ONLY)},
    "incidents:new": {
        "GET": Case(INCIDENT_WORKERS),
        "POST": Case(INCIDENT_WORKERS, body=_declaration),
    },
    "incidents:live": {
        "GET": Case(INCIDENT_READERS, extra=INCIDENT),
        "POST": Case(GET_ONLY, extra=INCIDENT),
    },
    "incidents:add_member": {
        "GET": Case(POST_ONLY, extra=INCIDENT),
        "POST": [
            Case(INCIDENT_ADDERS, body=_erin_joins, extra=INCIDENT),
            Case(
                who(
                    DENY_403,
                    anonymous=LOGIN_302,
                    other_engineer=CONFLICT_409,
                    lead=CONFLICT_409,
                    admin=CONFLICT_409,
                ),
                body=_erin_joins,
                extra=RESOLVED_INCIDENT,
            ),
        ],
    },
    "incidents:post_status": {
        "GET": Case(POST_ONLY, extra=INCIDENT),
        "POST": [
            Case(INCIDENT_STEERERS, body=STATUS_NOTE, extra=INCIDENT),
            Case(
                conflict(LEADS) | {"stranger": DENY_403}, body=STATUS_NOTE, extra=RESOLVED_INCIDENT
            ),
        ],
    },
    "incidents:restore": {
        "GET": Case(POST_ONLY, extra=INCIDENT),
        "POST": [
            Case(INCIDENT_STEERERS, body=RESTORATION, extra=INCIDENT),
            Case(
                conflict(LEADS) | {"stranger": DENY_403}, body=RESTORATION, extra=RESTORED_INCIDENT
            ),
        ],
    },
    "incidents:link": {
        "GET": Case(POST_ONLY, extra=INCIDENT),
        "POST": [
            Case(INCIDENT_WORKERS, body=_alices_ticket, extra=INCIDENT),
            Case(
                conflict(ENGINEERS) | {"stranger": DENY_403},
                body=_alices_ticket,
                extra=RESOLVED_INCIDENT,
            ),
        ],
    },
    # "Link to the ongoing incident" from the queue and the work view (incidents/views_link.py).
    "incidents:link_from_queue": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(INCIDENT_WORKERS, body=_link_selection),
            Case(INCIDENT_LINKERS_LATE, body=_link_selection_late, note="incident over"),
        ],
    },
    "incidents:link_ticket": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), body=_link_this),
            Case(conflict(ENGINEERS), body=_link_this_late, note="incident over"),
        ],
    },
    # The post-incident review (incidents/views_review.py); see REVIEW above.
    "incidents:review": {
        "GET": Case(INCIDENT_READERS, extra=RESOLVED_INCIDENT),
        "POST": [
            Case(INCIDENT_STEERERS, body=REVIEW, extra=RESOLVED_INCIDENT),
            Case(conflict(LEADS) | {"stranger": DENY_403}, body=REVIEW, extra=INCIDENT),
        ],
    },
    "incidents:review_action_add": {
        "GET": Case(POST_ONLY, extra=RESOLVED_INCIDENT),
        "POST": [
            Case(INCIDENT_STEERERS, body=_action_after_review, extra=RESOLVED_INCIDENT),
            Case(
                conflict(LEADS) | {"stranger": DENY_403},
                body=_action_form,
                extra=RESOLVED_INCIDENT,
                note="no root cause yet",
            ),
        ],
    },
    "incidents:review_action_edit": {
        "GET": Case(POST_ONLY, extra=RESOLVED_INCIDENT),
        "POST": Case(INCIDENT_STEERERS, body=_action_form, extra=RESOLVED_INCIDENT),
    },
    "incidents:review_action_done": {
        "GET": Case(POST_ONLY, extra=RESOLVED_INCIDENT),
        "POST": Case(ACTION_OWNER_TOO, body={"done": "1"}, extra=RESOLVED_INCIDENT),
    },
    # The report pages and the managers' dashboard (reports/views/pages.py, dashboard.py):
    # managers and tech leads (view_reports) and admins read them; requesters and engineers
    # get 403. Read-only: a POST is a 405.
    **{
        f"reports:{name}": {"GET": Case(REPORT_READERS), "POST": Case(GET_ONLY)}
        for name in ("dashboard", "sla", "times", "volume", "backlog", "satisfaction", "engineers")
    },
    # The weekly problem review and the monthly process audit (reports/views/review.py,
    # audit.py); see REVIEW_READERS and AUDITORS above.
    "reports:review_list": {"GET": Case(REVIEW_READERS), "POST": Case(GET_ONLY)},
    "reports:review_generate": {
        "GET": Case(POST_ONLY),
        "POST": Case(REVIEW_WRITERS, body={"week": "previous"}),
    },
    "reports:review_detail": {
        "GET": Case(REVIEW_READERS),
        "POST": [
            Case(REVIEW_WRITERS, body=REVIEW_NOTES),
            Case(REVIEW_WRITERS_LATE, body=REVIEW_NOTES, extra=CLOSED_REVIEW),
        ],
    },
    "reports:review_close": {
        "GET": Case(POST_ONLY),
        "POST": [Case(REVIEW_WRITERS), Case(REVIEW_WRITERS_LATE, extra=CLOSED_REVIEW)],
    },
    "reports:review_action_add": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(REVIEW_WRITERS, body=_improvement),
            Case(REVIEW_WRITERS_LATE, body=_improvement, extra=CLOSED_REVIEW),
        ],
    },
    "reports:review_action_edit": {
        "GET": Case(POST_ONLY),
        "POST": Case(REVIEW_WRITERS, body=_improvement),
    },
    "reports:audit_list": {"GET": Case(AUDITORS), "POST": Case(GET_ONLY)},
    "reports:audit_draw": {"GET": Case(POST_ONLY), "POST": Case(AUDITORS, body=_last_month)},
    "reports:audit_detail": {
        "GET": Case(AUDITORS),
        "POST": [
            Case(AUDITORS, body=AUDIT_ACTIONS),
            Case(AUDITORS_LATE, body=AUDIT_ACTIONS, extra=CLOSED_AUDIT),
        ],
    },
    "reports:audit_print": {"GET": Case(AUDITORS), "POST": Case(GET_ONLY)},
    "reports:audit_confirm": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(AUDITORS, body=_checklist),
            Case(AUDITORS_LATE, body=_checklist, extra=CLOSED_AUDIT),
        ],
    },
    "reports:audit_close": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(AUDITORS, extra=CONFIRMED_AUDIT),
            Case(AUDITORS_LATE, note="a ticket still to check"),
        ],
    },
    # The knowledge base: see KB_* above.
    "knowledge:browse": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    "knowledge:review": {"GET": Case(KB_REVIEWERS), "POST": Case(GET_ONLY)},
    "knowledge:article_new": {
        "GET": Case(KB_WRITERS),
        "POST": Case(KB_WRITERS, body=KB_ARTICLE_FORM),
    },
    "knowledge:article": {
        "GET": [
            Case(SIGNED_IN),
            Case(KB_READERS_INTERNAL, extra=KB_INTERNAL, note="staff only"),
            Case(KB_READERS_INTERNAL, extra=KB_DRAFT, note="a draft"),
        ],
        "POST": Case(GET_ONLY),
    },
    "knowledge:article_edit": {
        "GET": [Case(KB_WRITERS), Case(KB_WRITERS_INTERNAL, extra=KB_INTERNAL)],
        "POST": [
            Case(KB_WRITERS, body=KB_ARTICLE_FORM),
            Case(KB_WRITERS_INTERNAL, body=KB_ARTICLE_FORM, extra=KB_DRAFT, note="a draft"),
        ],
    },
    "knowledge:article_status": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(KB_REVIEWERS, body={"action": "archive"}),
            Case(
                who(DENY_403, anonymous=LOGIN_302, owner=HIDE_404, stranger=HIDE_404, **LEADS),
                body={"action": "publish"},
                extra=KB_DRAFT,
                note="a draft published",
            ),
            Case(
                who(DENY_403, anonymous=LOGIN_302, lead=CONFLICT_409, admin=CONFLICT_409),
                body={"action": "review"},
                note="already published",
            ),
        ],
    },
    "knowledge:article_feedback": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(SIGNED_IN, body={"helpful": "yes", "comment": "Worked"}),
            Case(KB_READERS_INTERNAL, body={"helpful": "no"}, extra=KB_INTERNAL),
            Case(
                who(CONFLICT_409, anonymous=LOGIN_302, owner=HIDE_404, stranger=HIDE_404),
                body={"helpful": "yes"},
                extra=KB_DRAFT,
                note="drafts take no feedback",
            ),
        ],
    },
    "knowledge:article_revisions": {
        "GET": [Case(KB_STAFF), Case(KB_READERS_INTERNAL, extra=KB_INTERNAL)],
        "POST": Case(GET_ONLY),
    },
    "knowledge:article_diff": {
        "GET": [Case(KB_STAFF), Case(KB_READERS_INTERNAL, extra=KB_INTERNAL)],
        "POST": Case(GET_ONLY),
    },
    "knowledge:article_file_add": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(KB_WRITERS, body=_kb_screenshot),
            Case(KB_WRITERS_INTERNAL, body=_kb_screenshot, extra=KB_INTERNAL),
        ],
    },
    "knowledge:article_file": {
        "GET": [Case(SIGNED_IN), Case(KB_READERS_INTERNAL, extra=KB_INTERNAL)],
        "POST": Case(GET_ONLY),
    },
    "knowledge:article_file_delete": {
        "GET": Case(POST_ONLY),
        "POST": [Case(KB_WRITERS), Case(KB_WRITERS_INTERNAL, extra=KB_INTERNAL)],
    },
    "knowledge:scripts": {"GET": Case(KB_STAFF), "POST": Case(GET_ONLY)},
    "knowledge:script_new": {"GET": Case(KB_WRITERS), "POST": Case(KB_WRITERS, body=KB_SCRIPT)},
    "knowledge:script": {"GET": Case(KB_STAFF), "POST": Case(GET_ONLY)},
    "knowledge:script_edit": {
        "GET": Case(KB_WRITERS),
        "POST": Case(KB_WRITERS, body=KB_SCRIPT),
    },
    "knowledge:script_download": {"GET": Case(KB_STAFF), "POST": Case(GET_ONLY)},
    # The knowledge base from a ticket and while filing: see KB_WRITE_UP above.
    "knowledge:ticket_link": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), body=_kb_article),
            Case(acting(ENGINEERS), state=S.CLOSED, body=_kb_article, note="closed too"),
            Case(conflict(ENGINEERS), body=_kb_linked, note="already linked"),
        ],
    },
    "knowledge:ticket_unlink": {
        "GET": Case(POST_ONLY),
        "POST": [
            Case(acting(ENGINEERS), body=_kb_linked),
            Case(conflict(ENGINEERS), body=_kb_article, note="not linked"),
        ],
    },
    "knowledge:ticket_find": {"GET": Case(acting(ENGINEERS)), "POST": Case(GET_ONLY)},
    "knowledge:ticket_similar": {"GET": Case(KB_STAFF), "POST": Case(GET_ONLY)},
    "knowledge:ticket_write_up": {
        "GET": [
            Case(acting(ENGINEERS), state=S.RESOLVED),
            Case(conflict(ENGINEERS), state=S.DIAGNOSED),
        ],
        "POST": [
            Case(acting(ENGINEERS), state=S.VERIFIED, body=KB_WRITE_UP),
            Case(conflict(ENGINEERS), state=S.ACCEPTED, body=KB_WRITE_UP),
        ],
    },
    "knowledge:suggest": {"GET": Case(SIGNED_IN), "POST": Case(GET_ONLY)},
    "knowledge:suggest_accept": {"GET": Case(POST_ONLY), "POST": Case(SIGNED_IN, body=_kb_shown)},
    "knowledge:deflection": {"GET": Case(REPORT_READERS), "POST": Case(GET_ONLY)},
    # IM intake: see IM_UNSIGNED above.
    "channels-api:intake": {
        "GET": [
            Case(IM_UNSIGNED if p == "wecom" else NOBODY_405, extra={"provider": p}, note=p)
            for p in IM_PROVIDERS
        ],
        "POST": [Case(IM_UNSIGNED, extra={"provider": p}, note=p) for p in IM_PROVIDERS],
    },
}

# Routes the matrix does not walk, each with the reason and the test that covers it instead.
EXEMPT_PREFIXES = {
    "admin/": "Django admin: its own login and staff check (test_admin_needs_staff)",
    "static/": "static files (WhiteNoise or staticfiles in DEBUG): public assets, no data",
}
# DRF's format-suffix twins (``/tickets.json``) are the same views as the declared routes.
EXEMPT_FORMAT_SUFFIX = "DRF format-suffix twin of a declared API route"


# --- API ---------------------------------------------------------------------------------------

API_READERS = who(ALLOW, anonymous=NO_AUTH_401)
API_TICKET_READERS = who(ALLOW, anonymous=NO_AUTH_401, stranger=HIDE_404)

API: dict[str, Case | list[Case]] = {
    "POST /api/v1/auth/token/": Case(
        EVERYONE, body=_credentials, note="anonymous sends alice's password"
    ),
    # Revokes the caller's own token; there is no way to name someone else's.
    "DELETE /api/v1/auth/token/": Case(API_READERS),
    "GET /api/v1/categories/": Case(API_READERS),
    # Knowledge suggestions: everyone signed in (what each may read is tested in knowledge).
    "GET /api/v1/knowledge/suggest/": Case(
        who(INVALID_400, anonymous=NO_AUTH_401), note="without q: 400 naming q"
    ),
    "GET /api/v1/categories/{slug}/": Case(API_READERS),
    "GET /api/v1/tickets/": Case(API_READERS),
    "POST /api/v1/tickets/": Case(
        who(ALLOW, anonymous=NO_AUTH_401, manager=DENY_403), body=_api_ticket
    ),
    "GET /api/v1/tickets/{number}/": Case(API_TICKET_READERS),
    "PATCH /api/v1/tickets/{number}/": [
        Case(acting({**ENGINEERS, "owner": ALLOW}, api=True), body={"title": "Printer is dead"}),
        Case(
            conflict({**ENGINEERS, "owner": ALLOW}, api=True),
            state=S.CLOSED,
            body={"title": "Printer is dead"},
        ),
    ],
    "POST /api/v1/tickets/{number}/accept/": [
        Case(acting(ENGINEERS, api=True), state=S.SUBMITTED, body={}),
        Case(conflict(ENGINEERS, api=True), state=S.ACCEPTED, body={}),
    ],
    "POST /api/v1/tickets/{number}/diagnose/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body=DIAGNOSIS),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=DIAGNOSIS),
    ],
    "POST /api/v1/tickets/{number}/resolve/": [
        Case(acting(HANDLERS, api=True), state=S.DIAGNOSED, body=RESOLVE),
        Case(conflict(HANDLERS, api=True), state=S.ACCEPTED, body=RESOLVE),
    ],
    "POST /api/v1/tickets/{number}/verify/": [
        Case(acting({**HANDLERS, "owner": ALLOW}, api=True), state=S.RESOLVED, body=VERIFY),
        Case(conflict({**HANDLERS, "owner": ALLOW}, api=True), state=S.DIAGNOSED, body=VERIFY),
    ],
    "POST /api/v1/tickets/{number}/reject_fix/": [
        Case(acting({"owner": ALLOW}, api=True), state=S.RESOLVED, body=REASON),
        Case(conflict({"owner": ALLOW}, api=True), state=S.ACCEPTED, body=REASON),
    ],
    "POST /api/v1/tickets/{number}/close/": [
        Case(acting(ENGINEERS, api=True), state=S.VERIFIED, body={}),
        Case(conflict(ENGINEERS, api=True), state=S.RESOLVED, body={}),
    ],
    "POST /api/v1/tickets/{number}/cancel/": [
        Case(acting({**ENGINEERS, "owner": ALLOW}, api=True), state=S.SUBMITTED, body=CANCEL),
        Case(conflict({**ENGINEERS, "owner": ALLOW}, api=True), state=S.DIAGNOSED, body=CANCEL),
    ],
    "POST /api/v1/tickets/{number}/request_info/": [
        Case(acting(ENGINEERS, api=True), state=S.ACCEPTED, body=QUESTION),
        Case(conflict(ENGINEERS, api=True), state=S.SUBMITTED, body=QUESTION),
    ],
    "POST /api/v1/tickets/{number}/priority/": [
        Case(acting(ENGINEERS, api=True), state=S.SUBMITTED, body=PRIORITY),
        Case(conflict(ENGINEERS, api=True), state=S.CLOSED, body=PRIORITY),
    ],
    "POST /api/v1/tickets/{number}/assign/": [
        Case(acting(LEADS, api=True), state=S.SUBMITTED, body=_assign_api, note="dispatch"),
        Case(acting(LEADS, api=True), state=S.DIAGNOSED, body=_assign_api, note="reassign"),
        Case(conflict(LEADS, api=True), state=S.VERIFIED, body=_assign_api),
    ],
    "GET /api/v1/tickets/{number}/messages/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/messages/": [
        Case(acting({**ENGINEERS, "owner": ALLOW}, api=True), state=S.ACCEPTED, body=REPLY),
        Case(conflict({**ENGINEERS, "owner": ALLOW}, api=True), state=S.CLOSED, body=REPLY),
    ],
    "GET /api/v1/tickets/{number}/attachments/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/attachments/": [
        Case(acting({**ENGINEERS, "owner": ALLOW}, api=True), state=S.ACCEPTED, files=True),
        Case(
            conflict({**ENGINEERS, "owner": ALLOW}, api=True),
            state=S.CLOSED,
            files=True,
        ),
    ],
    "GET /api/v1/tickets/{number}/events/": Case(API_TICKET_READERS),
    "GET /api/v1/tickets/{number}/watchers/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/watchers/": [
        Case(acting(WATCHERS, api=True), body=_erin),
        Case(acting(WATCHERS, api=True), state=S.CLOSED, body=_erin, note="closed too"),
    ],
    "DELETE /api/v1/tickets/{number}/watchers/{username}/": Case(
        acting(WATCHERS, api=True), note="erin follows (PATH_PARAMETERS)"
    ),
    # Related tickets, merging, reopening (tickets/api/links.py); see the pages above.
    "GET /api/v1/tickets/{number}/links/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/links/": [
        Case(acting(ENGINEERS, api=True), body=_other_ticket),
        Case(acting(ENGINEERS, api=True), state=S.CLOSED, body=_other_ticket, note="closed too"),
    ],
    "DELETE /api/v1/tickets/{number}/links/{other_number}/": Case(
        acting(ENGINEERS, api=True), note="a linked ticket (PATH_PARAMETERS)"
    ),
    "POST /api/v1/tickets/{number}/merge/": [
        Case(acting(ENGINEERS, api=True), state=S.ACCEPTED, body=_merge_check),
        Case(conflict(ENGINEERS, api=True), state=S.CLOSED, body=_merge_check),
    ],
    "POST /api/v1/tickets/{number}/reopen/": [
        Case(acting(REOPENERS, api=True), state=S.CLOSED, body=REOPEN),
        Case(conflict(REOPENERS, api=True), state=S.DIAGNOSED, body=REOPEN),
    ],
    # Canned replies (tickets/api/canned.py): engineers only; see the pages above.
    "GET /api/v1/canned-replies/": Case(who(DENY_403, anonymous=NO_AUTH_401, **ENGINEERS)),
    "POST /api/v1/canned-replies/": Case(
        who(DENY_403, anonymous=NO_AUTH_401, **ENGINEERS), body=CANNED
    ),
    "GET /api/v1/canned-replies/{reply_id}/": [
        Case(who(DENY_403, anonymous=NO_AUTH_401, **ENGINEERS), note="shared"),
        Case(BOBS_OWN | {"anonymous": NO_AUTH_401}, extra={"reply": "personal"}),
    ],
    "PATCH /api/v1/canned-replies/{reply_id}/": [
        Case(SHARED_EDITORS | {"anonymous": NO_AUTH_401}, body={"body": "x"}, note="shared"),
        Case(
            BOBS_OWN | {"anonymous": NO_AUTH_401}, body={"body": "x"}, extra={"reply": "personal"}
        ),
    ],
    "DELETE /api/v1/canned-replies/{reply_id}/": [
        Case(SHARED_EDITORS | {"anonymous": NO_AUTH_401}, note="shared"),
        Case(BOBS_OWN | {"anonymous": NO_AUTH_401}, extra={"reply": "personal"}),
    ],
    # Remote-session consent and the work log (fieldwork/api/); see the pages above.
    "GET /api/v1/tickets/{number}/consents/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/consents/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body=CONSENT),
        Case(conflict(HANDLERS, api=True), state=S.CLOSED, body=CONSENT),
    ],
    "POST /api/v1/tickets/{number}/consents/{consent_id}/grant/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.ACCEPTED, body={}),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.CLOSED, body={}),
    ],
    "POST /api/v1/tickets/{number}/consents/{consent_id}/refuse/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.DIAGNOSED, body=REFUSE),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.RESOLVED, body=REFUSE),
    ],
    "POST /api/v1/tickets/{number}/consents/{consent_id}/revoke/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.ACCEPTED, body={}, extra=GRANTED),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.ACCEPTED, body={}, note="not granted"),
    ],
    "GET /api/v1/tickets/{number}/worklogs/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/worklogs/": [
        Case(acting(ENGINEERS, api=True), state=S.ACCEPTED, body=WORK),
        Case(conflict(ENGINEERS, api=True), state=S.CLOSED, body=WORK),
    ],
    # The plan and its window, functional checks (fieldwork/api/); see the pages above.
    "GET /api/v1/tickets/{number}/plan/": Case(API_TICKET_READERS),
    "PUT /api/v1/tickets/{number}/plan/": [
        Case(acting(HANDLERS, api=True), state=S.DIAGNOSED, body=_api_plan),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=_api_plan),
    ],
    "POST /api/v1/tickets/{number}/plan/confirm/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.DIAGNOSED, body=_window_proposed),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.DIAGNOSED, body={}, note="no window"),
    ],
    # Training, assessments and drills (training/api/); see STAFF above.
    "GET /api/v1/trainings/": Case(_api_only(STAFF)),
    "POST /api/v1/trainings/": Case(_api_only(TRAINING_LEADS), body=_session_api),
    "GET /api/v1/trainings/{session_id}/": Case(_api_only(BOBS)),
    "PATCH /api/v1/trainings/{session_id}/": Case(
        _api_only(BOBS_LEADS), body={"location": "Room 3"}
    ),
    "POST /api/v1/trainings/{session_id}/attendance/": [
        Case(_api_only(BOBS_LEADS), body=ABSENT),
        Case(
            _api_only(LEADS_NOT_NOW),
            body=ABSENT,
            extra=UPCOMING,
            note="the session has not begun",
        ),
    ],
    "POST /api/v1/trainings/{session_id}/cancel/": [
        Case(_api_only(BOBS_LEADS), body=CANCEL),
        Case(_api_only(LEADS_NOT_NOW), body=CANCEL, extra=CANCELLED, note="cancelled already"),
    ],
    "GET /api/v1/assessments/": Case(_api_only(STAFF)),
    "POST /api/v1/assessments/": Case(_api_only(TRAINING_LEADS), body=ASSESS),
    "GET /api/v1/drills/": Case(_api_only(STAFF)),
    "POST /api/v1/drills/": Case(_api_only(TRAINING_LEADS), state=S.RESOLVED, body=_drill_api),
    "GET /api/v1/drills/{drill_id}/": Case(_api_only(BOBS)),
    "POST /api/v1/drills/{drill_id}/start/": [
        Case(_api_only(BOB_ALONE)),
        Case(
            _api_only(BOB_NOT_NOW),
            extra=STARTED,
        ),
    ],
    "POST /api/v1/drills/{drill_id}/answer/": [
        Case(_api_only(BOB_ALONE), body=DRILL_ANSWER, extra=STARTED),
        Case(
            _api_only(BOB_NOT_NOW),
            body=DRILL_ANSWER,
            note="not started",
        ),
    ],
    "POST /api/v1/drills/{drill_id}/score/": [
        Case(_api_only(BOBS_LEADS), body=DRILL_SCORE, extra=ANSWERED),
        Case(
            _api_only(LEADS_NOT_NOW),
            body=DRILL_SCORE,
            extra=STARTED,
            note="not answered",
        ),
    ],
    "POST /api/v1/drills/{drill_id}/withdraw/": [
        Case(_api_only(BOBS_LEADS)),
        Case(_api_only(LEADS_NOT_NOW), extra=ANSWERED, note="answered already"),
    ],
    # The satisfaction survey (feedback/api/); see SURVEY above.
    "GET /api/v1/tickets/{number}/survey/": Case(API_TICKET_READERS, state=S.VERIFIED),
    "POST /api/v1/tickets/{number}/survey/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.VERIFIED, body=SURVEY),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.RESOLVED, body=SURVEY, note="no survey"),
    ],
    "GET /api/v1/surveys/": Case(SURVEY_LIST_READERS),
    "GET /api/v1/tickets/{number}/checks/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/checks/": [
        Case(acting(HANDLERS, api=True), state=S.DIAGNOSED, body=CHECK_LABEL),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=CHECK_LABEL),
    ],
    "PATCH /api/v1/tickets/{number}/checks/{check_id}/": [
        Case(acting(HANDLERS, api=True), state=S.DIAGNOSED, body=CHECK_RESULT),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=CHECK_RESULT),
    ],
    # Vendors and a ticket's vendor cases (vendors/api/); see the pages above.
    "GET /api/v1/vendors/": Case(_api_only(VENDOR_READERS)),
    "POST /api/v1/vendors/": Case(_api_only(VENDOR_KEEPERS), body={"name": "Acme Hotline"}),
    "GET /api/v1/vendors/{vendor_id}/": Case(_api_only(VENDOR_READERS)),
    "PATCH /api/v1/vendors/{vendor_id}/": Case(
        _api_only(VENDOR_KEEPERS), body={"contacts": "400-990-8888"}
    ),
    "GET /api/v1/tickets/{number}/vendor-cases/": Case(_api_only(CASE_READERS)),
    "POST /api/v1/tickets/{number}/vendor-cases/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body=_vendor_case),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=_vendor_case),
    ],
    "POST /api/v1/tickets/{number}/vendor-cases/{case_id}/close/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body={"outcome": "Board replaced"}),
        Case(conflict(HANDLERS, api=True), state=S.ACCEPTED, body={}, extra=CLOSED_CASE),
    ],
    "POST /api/v1/tickets/{number}/vendor-cases/{case_id}/updates/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body=VENDOR_NEWS),
        Case(conflict(HANDLERS, api=True), state=S.ACCEPTED, body=VENDOR_NEWS, extra=CLOSED_CASE),
    ],
    # Devices (assets/api/); see the pages above.
    # Engineers, their skills and load (people/api/views.py): the list for tech leads and
    # managers; one (erin) for those and erin herself; her skill set replaced by tech leads.
    "GET /api/v1/engineers/": Case(
        who(DENY_403, anonymous=NO_AUTH_401, lead=ALLOW, manager=ALLOW, admin=ALLOW)
    ),
    "GET /api/v1/engineers/{username}/": Case(
        who(
            DENY_403,
            anonymous=NO_AUTH_401,
            other_engineer=ALLOW,
            lead=ALLOW,
            manager=ALLOW,
            admin=ALLOW,
        )
    ),
    "PUT /api/v1/engineers/{username}/skills/": Case(
        who(DENY_403, anonymous=NO_AUTH_401, lead=ALLOW, admin=ALLOW),
        body=lambda ctx, role: [{"category": "hardware-printer", "level": 2}],
    ),
    "GET /api/v1/assets/": Case(API_READERS),
    "POST /api/v1/assets/": Case(_api_only(DEVICE_KEEPERS), body=DEVICE | {"tag": "MX-API-1"}),
    "GET /api/v1/assets/{asset_id}/": Case(_api_only(DEVICE_READERS)),
    "PATCH /api/v1/assets/{asset_id}/": Case(_api_only(DEVICE_EDITORS), body={"model": "T16"}),
    # On-site visits and the ticket's device (fieldwork/api/visits.py); see the pages above.
    "GET /api/v1/tickets/{number}/visits/": Case(API_TICKET_READERS),
    "POST /api/v1/tickets/{number}/visits/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body=_tomorrow_api),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=_tomorrow_api),
    ],
    "POST /api/v1/tickets/{number}/visits/{visit_id}/confirm/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.ACCEPTED, body={}),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.RESOLVED, body={}),
    ],
    "POST /api/v1/tickets/{number}/visits/{visit_id}/propose/": [
        Case(acting(REQUESTER_ONLY, api=True), state=S.ACCEPTED, body=_proposal_api),
        Case(conflict(REQUESTER_ONLY, api=True), state=S.RESOLVED, body=_proposal_api),
    ],
    "POST /api/v1/tickets/{number}/visits/{visit_id}/reschedule/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body=_tomorrow_api),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=_tomorrow_api),
    ],
    "POST /api/v1/tickets/{number}/visits/{visit_id}/cancel/": [
        Case(acting(HANDLERS, api=True), state=S.ACCEPTED, body={}),
        Case(conflict(HANDLERS, api=True), state=S.ACCEPTED, body={}, extra=VISIT_DONE),
    ],
    "POST /api/v1/tickets/{number}/visits/{visit_id}/complete/": [
        Case(acting(HANDLERS, api=True), state=S.DIAGNOSED, body=VISIT_REPORT_API),
        Case(conflict(HANDLERS, api=True), state=S.RESOLVED, body=VISIT_REPORT_API),
    ],
    "POST /api/v1/tickets/{number}/asset/": [
        Case(acting(ENGINEERS, api=True), state=S.SUBMITTED, body=_printer_tag),
        Case(conflict(ENGINEERS, api=True), state=S.CLOSED, body=_printer_tag),
    ],
    # Each person's own inbox; alice's notification is nobody else's to mark.
    "GET /api/v1/notifications/": Case(API_READERS),
    "POST /api/v1/notifications/{id}/read/": Case(
        who(HIDE_404, anonymous=NO_AUTH_401, owner=ALLOW), body={}
    ),
    # Major incidents (incidents/api/); see INCIDENT and the pages above.
    "GET /api/v1/incidents/": Case(_api_only(INCIDENT_READERS)),
    "POST /api/v1/incidents/": Case(_api_only(INCIDENT_WORKERS), body=_api_declaration),
    "GET /api/v1/incidents/{number}/": Case(_api_only(INCIDENT_READERS), extra=INCIDENT),
    "PATCH /api/v1/incidents/{number}/": [
        Case(_api_only(INCIDENT_STEERERS), body={"title": "ERP and mail down"}, extra=INCIDENT),
    ],
    "POST /api/v1/incidents/{number}/members/": [
        Case(_api_only(INCIDENT_ADDERS), body=_api_erin_joins, extra=INCIDENT),
        Case(
            _api_only(
                who(DENY_403, other_engineer=CONFLICT_409, lead=CONFLICT_409, admin=CONFLICT_409)
            ),
            body=_api_erin_joins,
            extra=RESOLVED_INCIDENT,
        ),
    ],
    "POST /api/v1/incidents/{number}/status/": [
        Case(_api_only(INCIDENT_STEERERS), body=STATUS_NOTE, extra=INCIDENT),
        Case(
            _api_only(who(DENY_403, lead=CONFLICT_409, admin=CONFLICT_409)),
            body=STATUS_NOTE,
            extra=RESOLVED_INCIDENT,
        ),
    ],
    "POST /api/v1/incidents/{number}/restore/": [
        Case(_api_only(INCIDENT_STEERERS), body=RESTORATION, extra=INCIDENT),
        Case(
            _api_only(who(DENY_403, lead=CONFLICT_409, admin=CONFLICT_409)),
            body=RESTORATION,
            extra=RESTORED_INCIDENT,
        ),
    ],
    "POST /api/v1/incidents/{number}/link/": [
        Case(_api_only(INCIDENT_WORKERS), body=_api_alices_ticket, extra=INCIDENT),
        Case(
            _api_only(who(DENY_403, **dict.fromkeys(ENGINEERS, CONFLICT_409))),
            body=_api_alices_ticket,
            extra=RESOLVED_INCIDENT,
        ),
    ],
    "GET /api/v1/incidents/{number}/reports/": Case(_api_only(INCIDENT_READERS), extra=INCIDENT),
    # The post-incident review (incidents/api/review.py); see REVIEW above.
    "GET /api/v1/incidents/{number}/review/": Case(
        _api_only(INCIDENT_READERS), extra=RESOLVED_INCIDENT
    ),
    "PUT /api/v1/incidents/{number}/review/": [
        Case(_api_only(INCIDENT_STEERERS), body=REVIEW, extra=RESOLVED_INCIDENT),
        Case(
            _api_only(who(DENY_403, lead=CONFLICT_409, admin=CONFLICT_409)),
            body=REVIEW,
            extra=INCIDENT,
        ),
    ],
    "POST /api/v1/incidents/{number}/review/actions/": [
        Case(_api_only(INCIDENT_STEERERS), body=_api_action_after_review, extra=RESOLVED_INCIDENT),
        Case(
            _api_only(who(DENY_403, lead=CONFLICT_409, admin=CONFLICT_409)),
            body=_api_action,
            extra=RESOLVED_INCIDENT,
            note="no root cause yet",
        ),
    ],
    "PATCH /api/v1/incidents/{number}/review/actions/{action_id}/": [
        Case(_api_only(INCIDENT_STEERERS), body={"description": "Alert"}, extra=RESOLVED_INCIDENT),
        Case(
            _api_only(ACTION_OWNER_TOO),
            body={"done": True},
            extra=RESOLVED_INCIDENT,
            note="bob owns the action",
        ),
    ],
    # The report API (reports/api/reports.py): the same readers as the report pages.
    **{
        f"GET /api/v1/reports/{name}/": Case(_api_only(REPORT_READERS))
        for name in ("sla", "volume", "backlog", "satisfaction", "engineers")
    },
    # The knowledge base's API; see KB_* above (a requester never learns of an internal one).
    "GET /api/v1/knowledge/articles/": Case(API_READERS),
    "POST /api/v1/knowledge/articles/": [
        Case(_api_only(KB_WRITERS), body=KB_ARTICLE_API),
        Case(
            _api_only(KB_PUBLISHERS),
            body={**KB_ARTICLE_API, "status": "published"},
            note="engineers may not publish: 400 naming status",
        ),
    ],
    "GET /api/v1/knowledge/articles/{article_id}/": [
        Case(API_READERS),
        Case(_api_only(KB_READERS_INTERNAL), extra=KB_INTERNAL),
    ],
    "PATCH /api/v1/knowledge/articles/{article_id}/": [
        Case(_api_only(KB_WRITERS), body={"title": "Blank pages"}),
        Case(_api_only(KB_WRITERS_INTERNAL), body={"title": "Blank pages"}, extra=KB_INTERNAL),
    ],
    "GET /api/v1/knowledge/scripts/": Case(_api_only(KB_STAFF)),
    "POST /api/v1/knowledge/scripts/": Case(_api_only(KB_WRITERS), body=KB_SCRIPT),
    "GET /api/v1/knowledge/scripts/{script_id}/": Case(_api_only(KB_STAFF)),
    "GET /api/v1/knowledge/scripts/{script_id}/download/": Case(_api_only(KB_STAFF)),
}
