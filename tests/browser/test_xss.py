"""Stored and reflected XSS: every free-text field, rendered by real Chromium.

The payloads (``tests/xss_payloads.py``) go into every free-text field a
person can fill: ticket fields, messages, internal notes, the question to the
requester, diagnosis, solution, verification note, reject / cancel / priority
reasons, attachment file names and display names. The data is written through
``tickets.services`` (fast, and exactly what the pages and the API write),
then the pages that show it are opened as the requester, the engineer and the
tech lead. On every page:

* no dialog opened, no console error, no page error, no CSP violation report
  (an injected inline script or handler that CSP blocked is still a finding);
* the served HTML does not contain any payload in its raw form;
* the DOM has no inline script, no dangerous element (iframe, svg, img, style,
  base, object …), no ``on*`` / ``srcdoc`` / ``formaction`` attribute, no
  ``javascript:`` / ``data:`` URL and no htmx attribute outside the known ones;
* the requester's pages never contain internal-note text.

Across all pages every stored text must have shown up, verbatim, as text.
The notification e-mails the same data produced are rendered too: plain text,
payloads verbatim (not HTML-escaped), one-line subjects, no internal text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Department, Site, User
from accounts.services import im_link_token
from feedback import services as survey_services
from fieldwork.models import CheckTemplate
from fieldwork.services import checks, consents, plans, worklogs
from incidents import review as incident_review
from incidents import services as incident_services
from incidents.obligations import sweep_incidents
from knowledge.models import SuggestionSession
from knowledge.services import articles as kb_articles
from knowledge.services import feedback as kb_feedback
from knowledge.services import files as kb_files
from knowledge.services import links as kb_links
from knowledge.services import scripts as kb_scripts
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.transports.email import render as render_email
from people.services import profiles as people_profiles
from people.services import skills as people_skills
from reports.models import AuditCheck, AuditedTicket, ProcessAudit
from reports.review import audits as review_audits
from reports.review import checklist as review_checklist
from reports.review import services as review_services
from reports.review.periods import current_week, desk_today
from sla.models import BusinessCalendar
from tests.browser.conftest import Session
from tests.xss_payloads import ESCAPABLE, MARKDOWN_PAYLOADS, PAYLOADS
from tickets import services
from tickets.attachments import clean_filename
from tickets.choices import Impact, Priority, RootCauseType, Urgency
from tickets.models import CannedReply, Ticket
from tickets.services import canned, saved_views, watchers
from tickets.services.saved_views import MAX_SAVED_VIEWS
from tickets.tests.factories import make_category
from training.services import assessments as training_assessments
from training.services import drills as training_drills
from training.services import materials as training_materials
from training.services import sessions as training_sessions
from vendors import services as vendor_services
from vendors.models import Vendor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERNAL = "INTERNAL-ONLY-内部"
ALL = "\n".join(PAYLOADS)  # every payload at once, for the long text fields

# Inspects the live DOM; returns a list of findings (empty when clean).
DOM_SCAN = r"""
() => {
  const found = [];
  const dangerous = new Set(["iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "style", "base", "img", "image", "video", "audio", "source", "marquee", "xss"]);
  const urlAttrs = new Set(["href", "src", "action", "formaction", "data", "xlink:href",
    "background", "poster", "srcset", "ping"]);
  const badScheme = /^[\s\u0000-\u001f]*(javascript|vbscript|data|livescript)\s*:/i;
  const htmxAllowed = (el) => el.localName === "body" ||
    ["queue-filters", "queue-refresh", "priority-choice", "work-progress-refresh",
     "incident-summary", "incident-body", "kb-suggest", "kb-find",
     "kb-similar-box", "caller-q"].includes(el.id) ||
    /^kb-accept-\d+$/.test(el.id);
  const describe = (el) => el.outerHTML.slice(0, 120);
  // A knowledge article's own screenshot (knowledge/markdown.py); its alt holds text as typed.
  const ownImage = (el) => el.localName === "img" &&
    /^\/knowledge\/articles\/\d+\/files\/\d+\/$/.test(el.getAttribute("src") || "");
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (dangerous.has(tag) && !ownImage(el)) found.push("element: " + describe(el));
    if (tag === "script" && !/^\/static\//.test(el.getAttribute("src") || ""))
      found.push("script: " + describe(el));
    if ((tag === "meta" || tag === "link") && el.parentElement.localName !== "head")
      found.push("head element in body: " + describe(el));
    if (tag === "meta" && el.hasAttribute("http-equiv")) found.push("meta: " + describe(el));
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith("on") || name === "srcdoc" || name === "formaction")
        found.push("attribute " + name + ": " + describe(el));
      if ((name.startsWith("hx-") || name.startsWith("data-hx-")) && !htmxAllowed(el))
        found.push("htmx attribute " + name + ": " + describe(el));
      // A report chart (reports.js) is ECharts' canvas, sized and placed through the CSSOM
      // (which the CSP allows); any other style attribute came from text.
      if (name === "style" && !el.closest("[data-chart]"))
        found.push("style attribute: " + describe(el));
      if (urlAttrs.has(name) && badScheme.test(value) &&
          !(tag === "link" && el.rel === "icon" && value === "data:,"))
        found.push("url " + name + "=" + value.slice(0, 60) + ": " + describe(el));
      // value and title hold text as typed (the queue's clamped titles carry the whole
      // title on hover), and so does a report chart's data-spec (its labels, as JSON for
      // reports.js, drawn on a canvas); that they are escaped is checked on the raw HTML.
      if (name !== "value" && name !== "title" && name !== "data-spec" &&
          !(name === "alt" && ownImage(el)) && /alert\s*\(/.test(value))
        found.push("alert( in attribute " + name + ": " + describe(el));
    }
  }
  for (const form of document.forms) {
    if (new URL(form.action, location.href).origin !== location.origin)
      found.push("form posts elsewhere: " + form.action);
  }
  return found;
}
"""

PAGE_TEXT = """
() => [document.documentElement.textContent,
       ...Array.from(document.querySelectorAll("input, textarea, select")).map(e => e.value)]
      .join("\\n")
"""


def one_line(text: str) -> str:
    """Titles are one line: a line break is refused at input (tests/security/
    test_small_leaks.py), so the header-injection payload reaches titles as one line."""
    return " ".join(text.splitlines())


def _normal(text: str) -> str:
    """What the browser keeps of a text: the HTML parser turns CR LF into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Corpus:
    """The tickets built with payloads, and every text placed (text -> where)."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    placed: dict[str, str] = field(default_factory=dict)
    internal: list[str] = field(default_factory=list)

    def put(self, where: str, text: str) -> str:
        self.placed.setdefault(text, where)
        return text


def _upload(name: str, body: bytes = b"payload file\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="text/plain")


def _rename(user: User, display_name: str) -> User:
    User.objects.filter(pk=user.pk).update(display_name=display_name)
    return User.objects.get(pk=user.pk)


def build_corpus(
    *, alice: User, carol: User, bob: User, erin: User, tom: User
) -> tuple[Corpus, dict[str, User]]:
    """Tickets in every state, every free-text field full of payloads, through services."""
    corpus = Corpus()
    short = itertools.cycle(PAYLOADS)
    people = {
        "alice": _rename(alice, corpus.put("display_name alice", "申报人" + PAYLOADS[4])),
        "bob": _rename(bob, corpus.put("display_name bob", PAYLOADS[21])),
        "erin": _rename(erin, corpus.put("display_name erin", PAYLOADS[22])),
        "tom": _rename(tom, corpus.put("display_name tom", PAYLOADS[13])),
        "carol": carol,
    }
    User.objects.filter(pk=alice.pk).update(language="zh-hans")
    User.objects.filter(pk__in=[bob.pk, erin.pk, tom.pk]).update(language="en")
    alice, bob = people["alice"], people["bob"]
    category = make_category("browser-printer", name="打印机", name_en="Printer")

    def submit(key: str, requester: User, **extra: Any) -> Ticket:
        fields: dict[str, Any] = {
            "title": corpus.put(f"{key}.title", one_line(next(short))),
            "description": corpus.put(f"{key}.description", f"{key} 描述\n{ALL}"),
            "affected_system": corpus.put(f"{key}.affected_system", next(short)),
            "scenario": corpus.put(f"{key}.scenario", "打印时 " + next(short)),
            "contact": corpus.put(f"{key}.contact", "分机 8008 " + next(short)),
            "category": category,
            "impact": Impact.SINGLE,
            "urgency": Urgency.ABNORMAL,
            **extra,
        }
        ticket = services.submit_ticket(actor=requester, **fields)
        corpus.tickets[key] = ticket
        return ticket

    def diagnose(ticket: Ticket, key: str) -> None:
        services.diagnose_ticket(
            ticket.pk,
            actor=bob,
            root_cause_type=RootCauseType.SOFTWARE,
            root_cause=corpus.put(f"{key}.root_cause", f"根因 {ALL}"),
            impact_scope=corpus.put(f"{key}.impact_scope", "财务部 " + next(short)),
            solution_plan=corpus.put(f"{key}.solution_plan", f"方案 {ALL}"),
        )

    def note(ticket: Ticket, key: str, files: list[SimpleUploadedFile] = ()) -> None:
        text = f"{INTERNAL} {key} {ALL}"
        corpus.internal.append(text)
        corpus.put(f"{key}.internal_note", text)
        services.add_message(ticket.pk, actor=bob, body=text, internal=True, files=files)

    # A: the whole story, ending verified by the requester.
    raw_names = ["<img src=x onerror=alert(1)>.png", '"><svg onload=alert(1)>截图.txt']
    a = submit("A", alice, files=[_upload(name) for name in raw_names])
    for name in raw_names:
        corpus.put("A.attachment", clean_filename(name))
    services.accept_ticket(a.pk, actor=bob)
    services.request_info(a.pk, actor=bob, question=corpus.put("A.question", f"问题 {ALL}"))
    answer_file = "'><script>alert(1)</script>日志.log"
    services.add_message(
        a.pk,
        actor=alice,
        body=corpus.put("A.answer", f"回答 {ALL}"),
        files=[_upload(answer_file)],
    )
    corpus.put("A.answer_attachment", clean_filename(answer_file))
    services.add_message(a.pk, actor=bob, body=corpus.put("A.reply", f"回复 {ALL}"))
    internal_file = f"{INTERNAL}<iframe srcdoc=x>.txt"
    note(a, "A", files=[_upload(internal_file)])
    corpus.internal.append(clean_filename(internal_file))
    services.change_priority(
        a.pk,
        actor=bob,
        priority=Priority.HIGH if a.priority != Priority.HIGH else Priority.LOW,
        reason=corpus.put("A.priority_reason", "领导要求 " + next(short)),
    )
    diagnose(a, "A")
    services.resolve_ticket(a.pk, actor=bob, solution=f"first solution {ALL}")  # overwritten
    services.reject_fix(a.pk, actor=alice, reason=corpus.put("A.reject_reason", f"仍然不行 {ALL}"))
    services.resolve_ticket(a.pk, actor=bob, solution=corpus.put("A.solution", f"解决 {ALL}"))
    services.verify_ticket(
        a.pk, actor=alice, verification_note=corpus.put("A.verification_note", f"好了 {ALL}")
    )

    # B: cancelled by the requester.
    b = submit("B", alice)
    services.cancel_ticket(b.pk, actor=alice, reason=corpus.put("B.cancel_reason", next(short)))

    # C: high priority, still waiting in the queue (engineers are notified).
    submit("C", alice, impact=Impact.NETWORK, urgency=Urgency.INTERRUPTED)

    # D: diagnosed, waiting on the requester's answer, with an internal note.
    d = submit("D", alice)
    services.accept_ticket(d.pk, actor=bob)
    note(d, "D")
    diagnose(d, "D")
    services.request_info(d.pk, actor=bob, question=corpus.put("D.question", f"请提供 {ALL}"))
    services.change_priority(
        d.pk,
        actor=bob,
        priority=Priority.LOW if d.priority != Priority.LOW else Priority.MEDIUM,
        reason=corpus.put("D.priority_reason", next(short)),
    )

    # E: resolved, waiting for the requester to verify or reject.
    e = submit("E", alice)
    services.accept_ticket(e.pk, actor=bob)
    diagnose(e, "E")
    services.add_message(e.pk, actor=alice, body=corpus.put("E.message", f"补充 {ALL}"))
    services.resolve_ticket(e.pk, actor=bob, solution=corpus.put("E.solution", f"更换 {ALL}"))

    # F: the engineer records the requester's confirmation by phone, then closes.
    f = submit("F", alice)
    services.accept_ticket(f.pk, actor=bob)
    diagnose(f, "F")
    services.resolve_ticket(f.pk, actor=bob, solution=corpus.put("F.solution", f"已修 {ALL}"))
    services.verify_ticket(
        f.pk, actor=bob, verification_note=corpus.put("F.verification_note", f"电话确认 {ALL}")
    )
    services.close_ticket(f.pk, actor=bob)
    # The satisfaction survey (feedback) of F, answered afterwards with a low rating (the tech
    # leads are told): her comment and suggestions on her page, the work view and the report.
    survey_services.answer_survey(
        f.pk,
        actor=alice,
        speed=1,
        quality=2,
        attitude=3,
        comment=corpus.put("F.survey_comment", f"评价 {ALL}"),
        suggestions=corpus.put("F.survey_suggestions", f"建议 {ALL}"),
    )

    # G: closed, then reopened by the requester with a reason; linked to E.
    g = submit("G", alice)
    services.accept_ticket(g.pk, actor=bob)
    diagnose(g, "G")
    services.resolve_ticket(g.pk, actor=bob, solution=corpus.put("G.solution", f"修好 {ALL}"))
    services.verify_ticket(g.pk, actor=alice)
    services.close_ticket(g.pk, actor=bob)
    services.reopen_ticket(g.pk, actor=alice, reason=corpus.put("G.reopen_reason", f"又坏了 {ALL}"))
    services.link_tickets(g.pk, actor=bob, other=e.number)

    # H: a duplicate with a reply, merged into C (its title, text and reply show on C).
    h = submit("H", alice)
    services.add_message(h.pk, actor=alice, body=corpus.put("H.message", f"重复 {ALL}"))
    services.merge_ticket(h.pk, actor=bob, into=corpus.tickets["C"].number)

    # Followers: erin (payload name) follows A, listed on its page to the requester too.
    watchers.add_watcher(a.pk, actor=alice, user="erin")
    # Canned replies: titles in the ticket page's picker and the list, texts on the edit page.
    for key, author, shared in (("canned.shared", people["tom"], True), ("canned.bob", bob, False)):
        canned.create_canned_reply(
            actor=author,
            title=corpus.put(f"{key}.title", one_line(next(short))),
            body=corpus.put(f"{key}.body", f"{{requester_name}} {ALL}"),
            shared=shared,
        )

    # Saved views: bob's queue tabs named with payloads (a name is at most 60 characters).
    names = [one_line(p) for p in PAYLOADS if len(one_line(p)) <= 60]
    for index, name in enumerate(names[:MAX_SAVED_VIEWS]):
        saved_views.save_view(
            actor=bob, name=corpus.put(f"saved_view#{index}", name), query=f"q=view{index}"
        )

    # W: remote consent and the work log. A refused request (tool, purpose, reason), a grant
    # still running, a request waiting for alice's buttons; public and internal work entries
    # with parts (the public one is alice's live progress, the internal one never reaches her).
    w = submit("W", alice)
    services.accept_ticket(w.pk, actor=bob)
    for index, answer in enumerate(("refuse", "grant", None)):
        consent = consents.request_consent(
            w.pk,
            actor=bob,
            tool=corpus.put(f"W.tool#{index}", one_line(next(short))),
            purpose=corpus.put(f"W.purpose#{index}", next(short)),
            duration_minutes=60,
        )
        if answer == "refuse":
            why = corpus.put("W.refusal_reason", next(short))
            consents.refuse_consent(w.pk, consent.pk, actor=alice, reason=why)
        elif answer == "grant":
            consents.grant_consent(w.pk, consent.pk, actor=alice)
    worklogs.log_work(
        w.pk,
        actor=bob,
        body=corpus.put("W.work_public", f"进度 {ALL}"),
        minutes=5,
        mode="remote",
        is_public=True,
        parts_used=corpus.put("W.parts_public", next(short)),
    )
    internal_work = f"{INTERNAL} W.work {ALL}"
    corpus.internal.append(internal_work)
    worklogs.log_work(
        w.pk,
        actor=bob,
        body=corpus.put("W.work_internal", internal_work),
        minutes=7,
        mode="onsite",
        parts_used=corpus.put("W.parts_internal", f"{INTERNAL} {next(short)}"),
    )

    # V: vendor cases. Vendors named with payloads (tom keeps the list); a case closed with
    # its outcome and one still open with the vendor's news, one piece shared with alice.
    # The requester reads only the vendor's name: summary, reference and news are internal.
    v = submit("V", alice)
    services.accept_ticket(v.pk, actor=bob)
    for index in range(2):
        vendor = vendor_services.create_vendor(
            actor=people["tom"],
            name=corpus.put(f"vendor#{index}.name", one_line(next(short))),
            contacts=corpus.put(f"vendor#{index}.contacts", next(short)),
            contract_reference=corpus.put(f"vendor#{index}.contract", one_line(next(short))),
            warranty_reference=corpus.put(f"vendor#{index}.warranty", one_line(next(short))),
        )
        secret = {key: f"{INTERNAL} V.{key}#{index} {ALL}" for key in ("summary", "news")}
        secret["reference"] = f"{INTERNAL} {one_line(next(short))}"[:100]
        corpus.internal.extend(secret.values())
        case = vendor_services.open_case(
            v.pk,
            actor=bob,
            vendor=vendor.pk,
            vendor_reference=corpus.put(f"V.reference#{index}", secret["reference"]),
            summary=corpus.put(f"V.summary#{index}", secret["summary"]),
        )
        vendor_services.record_update(
            v.pk, case.pk, actor=bob, body=corpus.put(f"V.news#{index}", secret["news"])
        )
        if index == 0:
            outcome = f"{INTERNAL} {next(short)}"
            corpus.internal.append(outcome)
            vendor_services.close_case(
                v.pk, case.pk, actor=bob, outcome=corpus.put("V.outcome", outcome)
            )
        else:
            vendor_services.record_update(
                v.pk, case.pk, actor=bob, body=corpus.put("V.shared", f"已寄出 {ALL}"), share=True
            )

    # P, Q: the plan and functional checks (fieldwork). A default check named with payloads
    # (admin text, both languages), one of bob's own, each with a note; P keeps its plan with a
    # window waiting for alice, Q is resolved (alice sees the checks to verify). The plan's
    # evidence (log references, related operation) is staff-only: marked internal here.
    oa = make_category("browser-oa", name="OA 系统", name_en="OA system")
    CheckTemplate.objects.create(
        category=oa,
        label=corpus.put("check_template.label", one_line(next(short))),
        label_en=corpus.put("check_template.label_en", one_line(next(short))),
    )
    for key in ("P", "Q"):
        planned = submit(key, alice, category=oa)
        services.accept_ticket(planned.pk, actor=bob)
        diagnose(planned, key)
        evidence = {f: f"{INTERNAL} {key}.{f} {ALL}" for f in ("logs", "operation")}
        evidence["operation"] = evidence["operation"][:500]
        corpus.internal.extend(evidence.values())
        start = timezone.now() + dt.timedelta(days=1)
        plans.record_plan(
            planned.pk,
            actor=bob,
            approach="rollback",
            risk=corpus.put(f"{key}.plan_risk", next(short)),
            log_references=corpus.put(f"{key}.plan_logs", evidence["logs"]),
            related_operation=corpus.put(f"{key}.plan_operation", evidence["operation"]),
            window_start=start,
            window_end=start + dt.timedelta(hours=1),
        )
        rows = checks.ensure_checks(planned.pk, actor=bob)
        label = corpus.put(f"{key}.check_label", one_line(next(short)))
        for index, row in enumerate([*rows, checks.add_check(planned.pk, actor=bob, label=label)]):
            note = corpus.put(f"{key}.check_note#{index}", next(short))
            checks.record_check(planned.pk, row.pk, actor=bob, result="na", note=note)
        if key == "Q":
            services.resolve_ticket(planned.pk, actor=bob, solution=f"解决 {ALL}")

    # One ticket per payload as its title, so every payload shows in lists and inboxes.
    for index, text in enumerate(PAYLOADS):
        ticket = services.submit_ticket(
            actor=people["carol"],
            title=corpus.put(f"title#{index}", one_line(text)),
            description="见标题",
            category=category,
            impact=Impact.SINGLE,
            urgency=Urgency.EXPERIENCE,
        )
        corpus.tickets[f"title#{index}"] = ticket
    return corpus, people


def build_incident_review_corpus(corpus: Corpus, people: dict[str, User]) -> list[str]:
    """Major incidents (incidents/): one resolved and reviewed, its root cause, summary and
    action (incidents/review.py) full of payloads for the review page; one still open, whose
    title the staff banner shows on every page and the queue's "link to" button carries.
    The review page numbers first, then the open one's."""
    short = itertools.cycle(reversed(PAYLOADS))
    tom, bob = people["tom"], people["bob"]
    reviewed = incident_services.declare(
        actor=tom,
        title=corpus.put("I.title#0", one_line(next(short))),
        impact=corpus.put("I.impact#0", f"影响 {ALL}"),
    )
    incident_services.post_status(
        reviewed.pk, actor=tom, status="resolved", note=corpus.put("I.note#0", f"已解决 {ALL}")
    )
    incident_review.write_review(
        reviewed.pk,
        actor=tom,
        root_cause=corpus.put("I.root_cause", f"根因 {ALL}"),
        summary=corpus.put("I.summary", f"总结 {ALL}"),
    )
    incident_review.add_action(
        reviewed.pk,
        actor=tom,
        description=corpus.put("I.action", one_line(next(short))),
        owner=bob,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    ongoing = incident_services.declare(
        actor=tom, title=corpus.put("I.title#1", one_line(next(short))), impact="见标题"
    )
    return [reviewed.number, ongoing.number]


def build_incident_corpus(corpus: Corpus, people: dict[str, User]) -> str:
    """A major incident declared from alice's open ticket C (incidents/services): its
    title, impact, affected services, a status note with next steps, a management report
    (the sweep, 31 minutes on) and the restoration full of payloads, for the list, the live
    page and the notice on alice's ticket. Its number."""
    short = itertools.cycle(PAYLOADS[3:])
    tom = people["tom"]
    incident = incident_services.declare(
        actor=tom,
        title=corpus.put("MI.title", one_line(next(short))),
        impact=corpus.put("MI.impact", f"影响 {ALL}"),
        affected_services=corpus.put("MI.affected_services", next(short)),
        ticket=corpus.tickets["C"],
    )
    incident_services.post_status(
        incident.pk,
        actor=tom,
        status="identified",
        note=corpus.put("MI.note", f"进展 {ALL}"),
        next_steps=corpus.put("MI.next_steps", f"下一步 {ALL}"),
    )
    sweep_incidents(now=timezone.now() + dt.timedelta(minutes=31))  # the 30-minute report
    incident_services.record_restoration(
        incident.pk, actor=tom, restoration=corpus.put("MI.restoration", f"恢复 {ALL}")
    )
    return incident.number


@dataclass
class Findings:
    """Everything seen while visiting pages; asserted once at the end for a full report."""

    problems: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    pages: int = 0

    def check(self, session: Session, path: str, *, requester: bool = False, **kw: Any) -> None:
        response = session.page.goto(path)
        assert response is not None
        status = kw.get("status", 200)
        assert response.status == status, f"{session.user.username} {path}: {response.status}"
        self.inspect(session, path, response.text(), requester=requester)

    def inspect(self, session: Session, where: str, html: str, *, requester: bool) -> None:
        page = session.page
        page.wait_for_load_state("load")
        label = f"{session.user.username if session.user else 'anonymous'} {where}"
        self.pages += 1
        for text in ESCAPABLE:
            if text in html or _normal(text) in html:
                self.problems.append(f"{label}: raw payload in HTML: {text!r}")
        self.problems.extend(f"{label}: {found}" for found in page.evaluate(DOM_SCAN))
        self.problems.extend(f"{label}: {problem}" for problem in session.problems())
        session.dialogs.clear()
        session.console_errors.clear()
        session.page_errors.clear()
        text = page.evaluate(PAGE_TEXT)
        self.texts.append(text)
        if requester and (INTERNAL in html or INTERNAL in text):
            self.problems.append(f"{label}: internal note text shown to the requester")


def test_stored_payloads_render_as_text(open_as, alice, carol, bob, erin, tom, settings) -> None:
    settings.TICKETS_QUEUE_PAGE_SIZE = 200
    corpus, people = build_corpus(alice=alice, carol=carol, bob=bob, erin=erin, tom=tom)
    reviewed, _ongoing = build_incident_review_corpus(corpus, people)
    incident = build_incident_corpus(corpus, people)
    findings = Findings()
    own = {k: t for k, t in corpus.tickets.items() if not k.startswith("title#")}

    requester = open_as(people["alice"])
    for path in ("/tickets/mine/", "/notifications/"):
        findings.check(requester, path, requester=True)
    for ticket in own.values():
        findings.check(requester, f"/tickets/{ticket.number}/", requester=True)
        findings.check(requester, f"/tickets/{ticket.number}/report/", requester=True)

    engineer = open_as(people["bob"])
    findings.check(engineer, "/tickets/queue/")
    findings.check(engineer, f"/tickets/search/?q={quote('见标题')}")  # payload titles, ranked
    findings.check(engineer, "/tickets/queue/?q=view0")  # a saved view shown: its edit form
    partial = engineer.page.request.get("/tickets/queue/", headers={"HX-Request": "true"})
    for text in ESCAPABLE:
        if text in partial.text():
            findings.problems.append(f"bob queue partial: raw payload {text!r}")
    findings.check(engineer, "/notifications/")
    for ticket in [*own.values(), corpus.tickets["title#0"]]:
        findings.check(engineer, f"/tickets/{ticket.number}/")
        findings.check(engineer, f"/tickets/{ticket.number}/report/")

    lead = open_as(people["tom"])  # sees the reassign form: engineers' names as <option>s
    findings.check(lead, f"/tickets/{corpus.tickets['D'].number}/")
    findings.check(lead, "/tickets/queue/?mine=true")
    findings.check(lead, "/tickets/worklog/engineers/")  # time per engineer: payload names
    # The live-progress partial alice's page polls (its markup is on her page above too).
    progress = f"/tickets/{corpus.tickets['W'].number}/worklog/progress/"
    polled = requester.page.request.get(progress, headers={"HX-Request": "true"}).text()
    for text in ESCAPABLE:
        if text in polled:
            findings.problems.append(f"alice progress partial: raw payload {text!r}")
    if INTERNAL in polled:
        findings.problems.append("alice progress partial: internal work shown")
    # Vendors: the list (names, contacts, references) and each edit form, as tom keeps them.
    findings.check(lead, "/vendors/")
    for vendor in Vendor.objects.all():
        findings.check(lead, f"/vendors/{vendor.pk}/")
    # Canned replies: the list (titles, shortened texts) and each edit form (the whole text).
    findings.check(engineer, "/tickets/canned-replies/")
    for reply in CannedReply.objects.all():
        findings.check(engineer if reply.owner_id else lead, f"/tickets/canned-replies/{reply.pk}/")

    # The post-incident review (its writers' form and the readers' view); every staff page
    # above carried the open incident's banner, and bob's queue its "link to" button.
    findings.check(lead, f"/incidents/{reviewed}/review/")
    findings.check(engineer, f"/incidents/{reviewed}/review/")
    # Major incidents: the list, the live page (and its self-refreshing parts), the form
    # declaring from a ticket whose title is a payload; alice read the notice on ticket C.
    findings.check(lead, "/incidents/")
    findings.check(lead, f"/incidents/{incident}/")
    findings.check(engineer, f"/incidents/{incident}/")
    for part in ("summary", "body"):
        fragment = lead.page.request.get(
            f"/incidents/{incident}/?part={part}", headers={"HX-Request": "true"}
        )
        for text in ESCAPABLE:
            if text in fragment.text():
                findings.problems.append(f"tom incident {part}: raw payload {text!r}")
    findings.check(lead, f"/incidents/new/?ticket={corpus.tickets['title#0'].number}")

    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    missing = {where: text for text, where in corpus.placed.items() if _normal(text) not in seen}
    assert missing == {}, f"stored text never shown verbatim: {missing}"
    assert findings.pages >= 25


@pytest.mark.django_db(transaction=False)
def test_notification_emails_are_plain_text(alice, carol, bob, erin, tom) -> None:
    corpus, people = build_corpus(alice=alice, carol=carol, bob=bob, erin=erin, tom=tom)
    rows = list(
        Notification.objects.filter(channel=NotificationChannel.EMAIL).select_related("recipient")
    )
    kinds = {row.kind for row in rows}
    assert {"ticket_submitted", "ticket_accepted", "info_requested", "reply"} <= kinds
    assert {"info_provided", "ticket_resolved", "fix_rejected"} <= kinds
    requesters = {people["alice"].pk, people["carol"].pk}
    problems = []
    for row in rows:
        subject, body = render_email(row)
        title = Ticket.objects.get(number=row.number).title
        where = f"{row.kind} to {row.recipient.username}"
        if "\n" in subject or "\r" in subject:
            problems.append(f"{where}: multi-line subject {subject!r}")
        if " ".join(title.split()) not in subject:
            problems.append(f"{where}: title not verbatim in subject {subject!r}")
        if title not in body:
            problems.append(f"{where}: title not verbatim in body {body!r}")
        if people["alice"].pk == row.recipient_id and people["alice"].name not in body:
            problems.append(f"{where}: name not verbatim in greeting {body!r}")
        for text in (subject, body):
            problems.extend(
                f"{where}: HTML entity {entity} in plain text {text!r}"
                for entity in ("&lt;", "&gt;", "&quot;", "&#x27;", "&#39;", "&amp;")
                if entity in text and entity not in title and entity not in row.recipient.name
            )
        if row.recipient_id in requesters and any(
            INTERNAL in text for text in (subject, body, str(row.payload))
        ):
            problems.append(f"{where}: internal note text in a requester's e-mail")
    assert problems == [], "\n".join(problems)


def _submit_and_inspect(
    findings: Findings, session: Session, button: Any, where: str, status: int
) -> None:
    """Click a submit button, then inspect the page the POST answered with."""
    with session.page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    response = answer.value
    assert response.status == status, f"{where}: {response.status}"
    session.page.wait_for_load_state("load")
    if status >= 400:  # Chromium logs the expected error status of the page itself
        expected = f"the server responded with a status of {status}"
        session.console_errors[:] = [c for c in session.console_errors if expected not in c]
    findings.inspect(session, where, response.text(), requester=False)


def test_reflected_input_is_escaped(open_as, alice, bob) -> None:
    """What a person typed comes back in forms with errors, the login page and the search."""
    findings = Findings()
    breakers = [p for p in PAYLOADS if '"' in p or "'" in p or "</" in p][:8]

    anonymous = open_as(None)
    for text in breakers[:3]:
        findings.check(anonymous, f"/accounts/login/?next={quote(text)}")
    page = anonymous.page
    page.locator("#id_username").fill(breakers[3])
    page.locator("#id_password").fill("wrong password")
    _submit_and_inspect(
        findings,
        anonymous,
        page.locator("form:has(#id_password) button[type=submit]"),
        "failed login",
        200,
    )
    assert page.locator("#id_username").input_value() == breakers[3]

    make_category("browser-printer", name="打印机", name_en="Printer")
    requester = open_as(alice)
    findings.check(requester, f"/tickets/new/?related={quote(breakers[0])}")
    page = requester.goto("/tickets/new/")
    typed = {
        "#id_title": breakers[4],
        "#id_description": ALL,
        "#id_affected_system": breakers[5],
        "#id_scenario": breakers[6],
    }
    for selector, text in typed.items():
        page.locator(selector).fill(text)
    submit = page.locator("form.card button[type=submit]")  # impact, urgency, category missing
    _submit_and_inspect(findings, requester, submit, "report form with errors", 400)
    for selector, text in typed.items():
        assert _normal(page.locator(selector).input_value()) == _normal(text), selector

    ticket = services.submit_ticket(
        actor=alice,
        title="网络时断时续",
        description="VPN 每隔几分钟断开",
        category="browser-printer",
        impact=Impact.SINGLE,
        urgency=Urgency.ABNORMAL,
    )
    services.accept_ticket(ticket.pk, actor=bob)
    engineer = open_as(bob)
    for text in breakers[:4]:
        findings.check(engineer, f"/tickets/queue/?q={quote(text)}")
        assert engineer.page.locator("#global-search").input_value() == text
    for session in (engineer, requester):  # the search echoes the query: form, title, answer
        for text in breakers[:4]:
            findings.check(session, f"/tickets/search/?q={quote(text)}")
            assert session.page.locator("#id_q").input_value() == text
    page = engineer.goto(f"/tickets/{ticket.number}/")
    page.locator("#diag_root_cause").fill(breakers[7])
    page.locator("#diag_solution_plan").fill(ALL)  # impact scope left empty:
    page.locator("#work-panel form").evaluate(
        "form => { form.noValidate = true; }"
    )  # the server says
    _submit_and_inspect(
        findings, engineer, page.locator("#work-panel button[type=submit]"), "diagnose errors", 400
    )
    assert page.locator("#diag_root_cause").input_value() == breakers[7]
    assert _normal(page.locator("#diag_solution_plan").input_value()) == _normal(ALL)

    assert findings.problems == [], "\n".join(findings.problems)


def build_review_audit_corpus(
    corpus: Corpus, people: dict[str, User], dave: User, audited: Ticket
) -> tuple[int, int]:
    """The weekly problem review and the monthly audit (reports/): this week's review (its pack
    shows the corpus's titles, the rejected fix's reason and the low rating's comment) with
    its root causes, knowledge-base updates and an improvement action full of payloads; an
    audit whose sample is ``audited`` (the closed ticket F), its checklist overridden with
    payload notes, and its improvement actions. The review's and the audit's ids."""
    short = itertools.cycle(PAYLOADS[5:])
    tom, bob = people["tom"], people["bob"]
    review = review_services.generate_review(current_week(), actor=tom)
    review_services.write_review(
        review.pk,
        actor=tom,
        root_causes=corpus.put("R.root_causes", f"根因 {ALL}"),
        kb_updates=corpus.put("R.kb_updates", f"知识库 {ALL}"),
    )
    review_services.add_action(
        review.pk,
        actor=tom,
        description=corpus.put("R.action", one_line(next(short))),
        owner=bob,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    # The audit is written directly (its month, this one, has not ended: no draw yet).
    ticket = audited
    audit = ProcessAudit.objects.create(
        month=desk_today().replace(day=1),
        seed=1,
        sample_size=1,
        population={ticket.priority: 1},
        drawn_at=timezone.now(),
    )
    item = AuditedTicket.objects.create(
        audit=audit, ticket=ticket, priority=ticket.priority, position=0
    )
    AuditCheck.objects.bulk_create(
        AuditCheck(item=item, key=key, data_result=result, detail=detail, result=result)
        for key, (result, detail) in review_checklist.prefill([ticket.pk])[ticket.pk].items()
    )
    answers = {
        check.key: ("na", corpus.put(f"A.note.{check.key}", one_line(next(short))))
        for check in item.checks.all()
    }
    review_audits.confirm_ticket(audit.pk, item.pk, actor=dave, answers=answers)
    review_audits.write_actions(
        audit.pk, actor=dave, improvement_actions=corpus.put("A.actions", f"改进 {ALL}")
    )
    return review.pk, audit.pk


def test_review_and_audit_payloads_render_as_text(
    open_as, alice, carol, bob, erin, tom, dave
) -> None:
    # given: the corpus, then this week's review and an audit written with payloads
    corpus, people = build_corpus(alice=alice, carol=carol, bob=bob, erin=erin, tom=tom)
    mine = Corpus()
    review_id, audit_id = build_review_audit_corpus(mine, people, dave, corpus.tickets["F"])
    findings = Findings()

    # when: the tech lead (forms), an engineer (read-only) and the manager (the audit) read
    lead, engineer, manager = open_as(people["tom"]), open_as(people["bob"]), open_as(dave)
    for session in (lead, engineer):
        findings.check(session, "/reports/reviews/")
        findings.check(session, f"/reports/reviews/{review_id}/")
    findings.check(manager, f"/reports/reviews/{review_id}/")
    for path in ("/reports/audits/", f"/reports/audits/{audit_id}/"):
        findings.check(manager, path)
    findings.check(manager, f"/reports/audits/{audit_id}/print/")

    # then: nothing ran, and every text came back verbatim
    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    missing = {where: text for text, where in mine.placed.items() if _normal(text) not in seen}
    assert missing == {}, f"stored text never shown verbatim: {missing}"
    # the pack's snapshot: A's fix was rejected this week, its title is on the review
    assert _normal(one_line(corpus.tickets["A"].title)) in seen


def build_knowledge_corpus(people: dict[str, User]) -> tuple[dict[str, int], dict[str, str]]:
    """Knowledge articles and scripts written with payloads (knowledge/): a published public
    article whose Markdown fields hold every payload and every Markdown trick, with a
    screenshot named by the text, edited once (a revision to compare), rated with a comment;
    bob's internal draft (never shown to alice); a script and a guide. Plain-text fields are
    placed in the corpus (they must come back verbatim); Markdown is checked for being inert."""
    corpus = Corpus()
    tom, bob, alice = people["tom"], people["bob"], people["alice"]
    short = itertools.cycle(PAYLOADS[1:])
    markdown = "\n\n".join(MARKDOWN_PAYLOADS)
    article = kb_articles.create_article(
        by=tom,
        title=corpus.put("KB.title", one_line(PAYLOADS[4])),
        symptom=f"现象 {ALL}",
        cause=f"原因 {markdown}",
        steps=[next(short) for _ in range(4)] + MARKDOWN_PAYLOADS[:4],
        scenarios=[corpus.put("KB.scenario", PAYLOADS[13]), PAYLOADS[0]],
        category=make_category("browser-kb", name="知识", name_en="Knowledge"),
        audience="public",
        status="published",
    )
    [shot] = kb_files.add_files(
        article.pk,
        by=tom,
        files=[_upload("<img src=x onerror=alert(1)>.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32)],
    )
    kb_articles.update_article(
        article,
        by=bob,
        note=corpus.put("KB.note", one_line(PAYLOADS[22])),
        symptom=f"现象 {ALL}\n\n" + markdown.replace("file:1", f"file:{shot.pk}"),
    )
    kb_feedback.give_feedback(
        article.pk, by=alice, helpful=False, comment=corpus.put("KB.comment", f"意见 {ALL}")
    )
    draft = kb_articles.create_article(
        by=bob, title=f"{INTERNAL} 草稿", symptom=f"{INTERNAL} {ALL}", audience="public"
    )
    script = kb_scripts.create_script(
        by=bob,
        name=corpus.put("KB.script_name", one_line(PAYLOADS[21])),
        language="batch",
        body=corpus.put("KB.script_body", f"@echo off\n{ALL}"),
        usage=f"用法 {ALL}\n\n{markdown}",
        platforms=[corpus.put("KB.platform", PAYLOADS[5])],
        version=corpus.put("KB.version", PAYLOADS[0]),
    )
    guide = kb_scripts.create_script(
        by=tom, name="远程指南", kind="guide", language="text", body=f"{ALL}\n\n{markdown}"
    )
    ids = {"article": article.pk, "draft": draft.pk, "script": script.pk, "guide": guide.pk}
    return ids, corpus.placed


def test_knowledge_payloads_render_as_text(open_as, alice, carol, bob, erin, tom) -> None:
    # given: articles and scripts full of payloads and Markdown tricks
    people = {
        "alice": _rename(alice, "申报人" + PAYLOADS[4]),
        "bob": _rename(bob, PAYLOADS[21]),
        "tom": _rename(tom, PAYLOADS[13]),
    }
    ids, placed = build_knowledge_corpus(people)
    article, findings = ids["article"], Findings()

    # when: the requester reads and searches; an engineer edits and compares; the lead reviews
    requester = open_as(people["alice"])
    searched = f"/knowledge/?q={quote('现象')}"
    for path in ("/knowledge/", f"/knowledge/articles/{article}/", searched):
        findings.check(requester, path, requester=True)
    for text in PAYLOADS[:6]:  # the search box and its answer echo the query
        findings.check(requester, f"/knowledge/?q={quote(text)}", requester=True)
        assert requester.page.locator("#kb-q").input_value() == text
    engineer = open_as(people["bob"])
    for path in (
        "/knowledge/",
        f"/knowledge/articles/{article}/",
        f"/knowledge/articles/{article}/edit/",
        f"/knowledge/articles/{article}/revisions/",
        f"/knowledge/articles/{article}/diff/?old=1&new=2",
        f"/knowledge/articles/{ids['draft']}/",
        "/knowledge/scripts/",
        f"/knowledge/scripts/{ids['script']}/",
        f"/knowledge/scripts/{ids['script']}/edit/",
        f"/knowledge/scripts/{ids['guide']}/",
    ):
        findings.check(engineer, path)
    lead = open_as(people["tom"])
    findings.check(lead, "/knowledge/review/")
    findings.check(lead, f"/knowledge/articles/{article}/")
    # the screenshot is shown, from the article's own files, and nothing else is an image
    images = lead.page.locator("#kb-symptom img")
    assert images.count() == 1
    assert images.first.get_attribute("alt") == "<img src=x onerror=alert(1)>"

    # then: nothing ran, the draft never reached alice, plain texts came back verbatim
    assert findings.problems == [], "\n".join(findings.problems)
    alice_saw = _normal("\n".join(findings.texts[: 3 + 6]))
    assert INTERNAL not in alice_saw
    seen = _normal("\n".join(findings.texts))
    missing = {where: text for text, where in placed.items() if _normal(text) not in seen}
    assert missing == {}, f"stored text never shown verbatim: {missing}"


def _kb_resolved(alice: User, bob: User, title: str, solution: str) -> Ticket:
    """alice's ticket with payloads in its text, resolved by bob with ``solution``."""
    ticket = services.submit_ticket(
        actor=alice,
        title=title,
        description=f"打印机 {ALL}",
        affected_system=PAYLOADS[23],
        category=make_category("browser-kb-ticket", name="打印", name_en="Printing"),
        impact=Impact.SINGLE,
        urgency=Urgency.ABNORMAL,
    )
    services.accept_ticket(ticket.pk, actor=bob)
    services.diagnose_ticket(
        ticket.pk,
        actor=bob,
        root_cause_type=RootCauseType.HARDWARE,
        root_cause=PAYLOADS[24],
        impact_scope=one_line(PAYLOADS[25]),
        solution_plan=PAYLOADS[26],
    )
    return services.resolve_ticket(ticket.pk, actor=bob, solution=solution)


def test_knowledge_on_tickets_renders_payloads_as_text(open_as, alice, bob, tom) -> None:
    """The knowledge base on tickets (knowledge/views/ticket.py, suggest.py, deflection.py):
    article titles in the work view's panel and the timeline, a ticket's text pre-filled into
    "turn into article", the suggestions on the new-ticket form, the find box's echo, the
    deflection page's list."""
    # given: a public article and a staff-only one, a resolved ticket with the public one
    # linked, a similar resolved ticket, a form that the public article solved
    corpus, findings = Corpus(), Findings()
    public = kb_articles.create_article(
        by=tom,
        title=corpus.put("KB.ticket.article", one_line(PAYLOADS[1])),
        symptom=f"打印机 {ALL}",
        steps=[PAYLOADS[20], PAYLOADS[21], *MARKDOWN_PAYLOADS[:2]],
        status="published",
        audience="public",
    )
    kb_articles.create_article(
        by=tom, title=f"打印机 {INTERNAL}", symptom=f"打印机 {INTERNAL}", status="published"
    )
    title = corpus.put("KB.ticket.title", one_line(PAYLOADS[22]) + " 打印机")
    ticket = _kb_resolved(alice, bob, title, f"1. {PAYLOADS[20]}\n2. {PAYLOADS[21]}")
    similar = _kb_resolved(alice, bob, one_line(PAYLOADS[21]) + " 打印机", PAYLOADS[27])
    kb_links.link_article(ticket.pk, actor=bob, article=public.pk)
    now = timezone.now()
    SuggestionSession.objects.create(
        token=uuid.uuid4(),
        user=alice,
        started_at=now,
        shown=[public.pk],
        accepted_article=public,
        accepted_at=now,
    )

    # when: bob works the ticket, alice reads hers and files a new one, tom reads the numbers
    engineer = open_as(bob)
    findings.check(engineer, f"/tickets/{ticket.number}/")
    # the similar tickets load after the page (htmx): the page is scanned again with them
    expect(engineer.page.locator(f'#kb-similar [data-number="{similar.number}"]')).to_have_count(1)
    fragment = engineer.page.request.get(f"/knowledge/tickets/{ticket.number}/similar/").text()
    findings.inspect(engineer, f"/tickets/{ticket.number}/ + similar", fragment, requester=False)
    findings.check(engineer, f"/knowledge/tickets/{ticket.number}/write-up/")
    assert engineer.page.locator("#writeup_title").input_value() == title
    find = f"/knowledge/tickets/{ticket.number}/articles/find/"
    for text in [*PAYLOADS[20:24], "打印机"]:  # the box's answer echoes the query
        findings.check(engineer, f"{find}?q={quote(text)}")
    requester = open_as(alice)
    findings.check(requester, f"/tickets/{ticket.number}/", requester=True)
    page = requester.goto("/tickets/new/")
    with page.expect_response(lambda r: "/knowledge/suggest/?" in r.url) as answer:
        page.locator("#id_title").press_sequentially("打印机", delay=30)
    page.locator("#kb-suggestions .kb-suggestion").first.wait_for()
    page.locator("#kb-suggestions summary").first.click()
    findings.inspect(requester, "suggestions", answer.value.text(), requester=True)
    # the fragment on its own (no page around it: fetched, so the browser asks for no icon)
    fragment = page.request.get(f"/knowledge/suggest/?title={quote('打印机')}").text()
    findings.inspect(requester, "/knowledge/suggest/", fragment, requester=True)
    findings.check(open_as(tom), "/knowledge/deflection/")

    # then: nothing ran, the staff-only article never reached alice, titles came back as text
    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    missing = {where: text for text, where in corpus.placed.items() if _normal(text) not in seen}
    assert missing == {}, f"stored text never shown verbatim: {missing}"


def test_im_ids_render_as_text(open_as, alice, admin) -> None:
    """IM ids are free text where an admin types them (the Django admin): shown on the
    profile page (linked ones, and the one a link from the desk names) and in the admins'
    CSV check (what people have now, before the change)."""
    short = [p for p in PAYLOADS if len(p) <= 64]
    User.objects.filter(pk=alice.pk).update(slack_id=short[0], feishu_id=short[1])
    findings = Findings()

    requester = open_as(alice)
    token = im_link_token("wecom", short[2])
    findings.check(requester, f"/accounts/profile/?link={quote(token)}", requester=True)

    keeper = open_as(admin)
    page = keeper.goto("/channels/im-ids/import/")
    page.locator("#id_file").set_input_files(
        {
            "name": "ids.csv",
            "mimeType": "text/csv",
            "buffer": b"username,slack_id,feishu_id\nalice,U0ALICE,-\n",
        }
    )
    button = page.locator("#im-ids-form button[type=submit]")
    _submit_and_inspect(findings, keeper, button, "IM ids check", 200)

    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    assert [text for text in short[:3] if _normal(text) not in seen] == []


def test_caller_lookup_renders_payloads_as_text(open_as, alice, bob) -> None:
    """The log-a-call form's caller look-up (tickets/views/callers.py): names, phone numbers,
    employee IDs, departments and sites as typed in the admin, in the matches (the fragment
    alone, and in the page), in the chosen caller's card and the call-back number the
    script fills in; the query echoed when nobody matches."""
    short = [p for p in PAYLOADS if len(p) <= 32]
    site = Site.objects.create(code="xss-site", name=one_line(PAYLOADS[23]))
    department = Department.objects.create(name=one_line(PAYLOADS[22]), site=site)
    User.objects.filter(pk=alice.pk).update(
        display_name="申报人" + PAYLOADS[4],
        phone=short[1],
        employee_id=short[2],
        site=site,
        department=department,
    )
    corpus, findings = Corpus(), Findings()
    for where, text in (
        ("display_name", "申报人" + PAYLOADS[4]),
        ("phone", short[1]),
        ("employee_id", short[2]),
        ("department", one_line(PAYLOADS[22])),
        ("site", one_line(PAYLOADS[23])),
    ):
        corpus.put(f"caller.{where}", text)

    engineer = open_as(bob)
    page = engineer.page
    fragment = page.request.get(f"/tickets/call/callers/?q={quote('申报人')}").text()
    assert 'name="pick"' in fragment
    findings.inspect(engineer, "/tickets/call/callers/", fragment, requester=False)
    for text in PAYLOADS[20:24]:  # the query itself, echoed by "no one matches"
        echo = page.request.get(f"/tickets/call/callers/?q={quote(text)}").text()
        findings.inspect(engineer, "/tickets/call/callers/ (no match)", echo, requester=False)
        findings.check(engineer, f"/tickets/call/?q={quote(text)}")
    findings.check(engineer, f"/tickets/call/?q={quote('申报人')}")  # the matches in the page

    # chosen by the script: her card cloned into the form, her phone as the call-back number
    page.locator("#caller-results .caller-option").first.click()
    expect(page.locator("#caller-chosen")).to_be_visible()
    expect(page.locator("#id_contact")).to_have_value(short[1])
    findings.inspect(engineer, "/tickets/call/ (caller chosen)", page.content(), requester=False)

    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    missing = {where: text for text, where in corpus.placed.items() if _normal(text) not in seen}
    assert missing == {}, f"stored text never shown verbatim: {missing}"


def build_training_corpus(
    people: dict[str, User], alice: User, bob: User
) -> tuple[dict[str, int], dict[str, str]]:
    """Training (training/) written with payloads: a session (title, place, agenda) with a
    file named by the text and an assessment's notes; drills of a ticket whose symptom is a
    payload — one scored (the engineer's diagnosis and plan, the lead's notes), one
    answered (the lead's score form), one started (the engineer's answer form); a session
    cancelled with a payload for its reason."""
    corpus = Corpus()
    tom, erin = people["tom"], people["erin"]
    short = itertools.cycle(PAYLOADS[1:])
    session = training_sessions.create_session(
        actor=tom,
        title=corpus.put("TR.title", one_line(next(short))),
        kind="technical",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        location=corpus.put("TR.location", one_line(next(short))),
        description=corpus.put("TR.description", f"议程 {ALL}"),
        trainer=tom,
        attendees=[bob, erin],
    )
    training_materials.add_files(
        session.pk, actor=tom, files=[_upload("<img src=x onerror=alert(1)>.pdf")]
    )
    training_assessments.record_assessment(
        actor=tom,
        engineer=erin,
        score=77,
        notes=corpus.put("TR.assessment_notes", f"评语 {ALL}"),
        session=session.pk,
    )
    ticket = _kb_resolved(alice, bob, one_line(next(short)) + " 打印机", PAYLOADS[27])
    drills = {}
    for stage in ("scored", "answered", "started"):
        drill = training_drills.create_drill(
            actor=tom,
            ticket=ticket.number,
            engineer=erin,
            title=corpus.put(f"DR.title.{stage}", one_line(next(short))),
            symptom=f"现象 {ALL}",
            scenario=corpus.put(f"DR.scenario.{stage}", f"场景 {next(short)}"),
        )
        training_drills.start_drill(drill.pk, actor=erin)
        if stage != "started":
            training_drills.answer_drill(
                drill.pk,
                actor=erin,
                diagnosis=corpus.put(f"DR.diagnosis.{stage}", f"诊断 {ALL}"),
                plan=corpus.put(f"DR.plan.{stage}", f"方案 {next(short)}"),
            )
        if stage == "scored":
            training_drills.score_drill(
                drill.pk, actor=tom, score=66, notes=corpus.put("DR.notes", f"点评 {ALL}")
            )
        drills[stage] = drill.pk
    called_off = training_sessions.create_session(
        actor=tom,
        title=corpus.put("TR.cancelled_title", one_line(next(short))),
        kind="service",
        starts_at=timezone.now() + dt.timedelta(days=2),
        trainer=tom,
        attendees=[bob, erin],
    )
    training_sessions.cancel_session(
        called_off.pk, actor=tom, reason=corpus.put("TR.cancel_reason", f"取消 {ALL}")
    )
    return {"session": session.pk, "cancelled": called_off.pk, **drills}, corpus.placed


def test_training_payloads_render_as_text(open_as, alice, bob, erin, tom) -> None:
    # given: a session, an assessment and drills full of payloads, by people named by them
    people = {"tom": _rename(tom, PAYLOADS[13]), "erin": _rename(erin, PAYLOADS[21])}
    ids, placed = build_training_corpus(people, alice, bob)
    findings = Findings()

    # when: the lead plans, reads, scores; the engineer reads her trainings and drills
    lead = open_as(people["tom"])
    for path in (
        "/training/",
        f"/training/{ids['session']}/",
        f"/training/{ids['session']}/edit/",
        f"/training/{ids['cancelled']}/",
        "/training/assessments/",
        "/training/drills/",
        "/training/drills/?tab=scored",
        f"/training/drills/{ids['answered']}/",
        f"/training/drills/{ids['scored']}/",
    ):
        findings.check(lead, path)
    engineer = open_as(people["erin"])
    for path in (
        "/training/",
        f"/training/{ids['session']}/",
        f"/training/{ids['cancelled']}/",
        "/training/assessments/",
        "/training/drills/?tab=mine_scored",
        f"/training/drills/{ids['started']}/",
        f"/training/drills/{ids['scored']}/",
        "/notifications/",
    ):
        findings.check(engineer, path)

    # then: nothing ran, every text came back verbatim
    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    missing = {where: text for text, where in placed.items() if _normal(text) not in seen}
    assert missing == {}, f"stored text never shown verbatim: {missing}"
    assert clean_filename("<img src=x onerror=alert(1)>.pdf") in seen  # the file's name


def test_people_pages_render_payloads_as_text(open_as, bob, erin, tom) -> None:
    """The team skills matrix, an engineer's edit page and "my skills" (people/): people's
    names, sites, calendars and categories as typed in the admin, a skill's source (a
    training's title, written by ``grant``), and the matrix's name filter echoed back."""
    short = [p for p in PAYLOADS if len(p) <= 64]
    people = {"tom": _rename(tom, short[0]), "erin": _rename(erin, short[1])}
    site = Site.objects.create(code="xss-site", name=short[2])
    calendar = BusinessCalendar.objects.create(name=short[3])
    category = make_category("xss-printer", name=short[4], name_en=short[4])
    people_skills.grant(people["erin"], category, 2, actor=people["tom"], source=short[5])
    people_profiles.update_profile(
        people["erin"], actor=people["tom"], sites=[site], calendar=calendar, auto_assign=True
    )
    findings = Findings()

    lead = open_as(people["tom"])
    for path in ("/people/skills/", "/people/skills/erin/"):
        findings.check(lead, path)
    findings.check(lead, f"/people/skills/?q={quote(short[6])}")
    assert lead.page.locator("#id_q").input_value() == short[6]
    findings.check(open_as(people["erin"]), "/people/me/")

    assert findings.problems == [], "\n".join(findings.problems)
    seen = _normal("\n".join(findings.texts))
    assert [text for text in short[:6] if _normal(text) not in seen] == []
