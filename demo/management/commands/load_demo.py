"""``manage.py load_demo [--if-empty]``: load the demo offices, people, devices and tickets once.

The data is in ``tickets/demo_data.py``. Tickets are filed and moved along only
through ``tickets.services``, as the named demo users, so they look exactly like
tickets made on the screens. Everything is loaded in one transaction: either all
of it is there or none. The presence of the site ``sh-hq`` means "already loaded".
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Department, Site, User
from accounts.roles import Role, assign_role
from assets.models import Asset
from demo.clock import DemoClock, stopped_at
from tickets import demo_data as demo
from tickets import services
from tickets.choices import STATE_STEPS, ClosedAs, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket

DEMO_SPACING = dt.timedelta(minutes=50)
DEMO_STEP = dt.timedelta(minutes=7)

# What a service raises when the demo data and the rules disagree: named in the error.
SERVICE_ERRORS = (ActionForbidden, InvalidTransition, TicketNotFound, ValidationError)


class Command(BaseCommand):
    help = (
        "Load demo data (sites, users, assets, tickets in every state) once, then print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Load only into an empty database (no users, no tickets); when the demo data "
                "is already there, just print the logins. Never fails on a non-empty database."
            ),
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if self._loaded():
            if not if_empty:
                self.stdout.write("demo data already loaded")
            self._print_logins()
            return
        if if_empty and (User.objects.exists() or Ticket.objects.exists()):
            self.stdout.write(
                self.style.WARNING(
                    "The database already has users or tickets; demo data not loaded "
                    "(run load_demo without --if-empty to add it anyway)."
                )
            )
            return
        self._check_conflicts()
        try:
            with transaction.atomic():
                tickets = self._load()
        except IntegrityError:
            if self._loaded():  # another process loaded it at the same moment
                self.stdout.write("demo data already loaded")
                self._print_logins()
                return
            raise
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded demo data: {len(demo.SITES)} sites, {len(demo.DEPARTMENTS)} departments, "
                f"{len(demo.USERS)} users, {len(demo.ASSETS)} assets, {len(tickets)} tickets."
            )
        )
        self._print_states(tickets)
        self._print_logins()

    # --- checks ----------------------------------------------------------------------

    def _loaded(self) -> bool:
        return Site.objects.filter(code=demo.MARKER_SITE).exists()

    def _check_conflicts(self) -> None:
        """Refuse to touch accounts or devices that someone else created under a demo name."""
        users = sorted(
            User.objects.filter(username__in=[u.username for u in demo.USERS]).values_list(
                "username", flat=True
            )
        )
        tags = sorted(
            Asset.objects.filter(tag__in=[a.tag for a in demo.ASSETS]).values_list("tag", flat=True)
        )
        problems = []
        if users:
            problems.append(f"users already exist: {', '.join(users)}")
        if tags:
            problems.append(f"asset tags already exist: {', '.join(tags)}")
        if problems:
            raise CommandError(
                "Cannot load the demo data: " + "; ".join(problems) + ". Use an empty database."
            )

    # --- loading ----------------------------------------------------------------------

    def _load(self) -> list[Ticket]:
        sites = {spec.code: self._site(spec) for spec in demo.SITES}
        departments = {
            name: Department.objects.get_or_create(name=name, site=sites[code])[0]
            for name, code in demo.DEPARTMENTS
        }
        users = {spec.username: self._user(spec, sites, departments) for spec in demo.USERS}
        assets = {
            spec.tag: Asset.objects.create(
                tag=spec.tag,
                kind=spec.kind,
                vendor=spec.vendor,
                model=spec.model,
                os_version=spec.os_version,
                site=sites[spec.site],
                owner=users[spec.owner] if spec.owner else None,
                warranty_end=spec.warranty_end,
            )
            for spec in demo.ASSETS
        }
        # Spread the tickets over the last working days so the queue, the SLA clocks and
        # the breaches look like a real desk's: the last ticket was filed minutes ago.
        now = timezone.now()
        count = len(demo.TICKETS)
        return [
            self._ticket(spec, users, assets, filed_at=now - DEMO_SPACING * (count - index))
            for index, spec in enumerate(demo.TICKETS)
        ]

    def _site(self, spec: demo.SiteSpec) -> Site:
        fields = {
            "name": spec.name,
            "city": spec.city,
            "time_zone": spec.time_zone,
            "local_it_contacts": spec.local_it_contacts,
        }
        if spec.code == demo.MARKER_SITE:
            # Created, never reused: a concurrent loader fails here and rolls back.
            return Site.objects.create(code=spec.code, **fields)
        return Site.objects.get_or_create(code=spec.code, defaults=fields)[0]

    def _user(
        self,
        spec: demo.UserSpec,
        sites: dict[str, Site],
        departments: dict[str, Department],
    ) -> User:
        user = User.objects.create_user(
            username=spec.username,
            email=spec.email,
            password=demo.DEMO_PASSWORD,
            display_name=spec.display_name,
            phone=spec.phone,
            site=sites[spec.site],
            department=departments[spec.department],
            language=spec.language,
        )
        assign_role(user, spec.role)
        return user

    def _ticket(
        self,
        spec: demo.TicketSpec,
        users: dict[str, User],
        assets: dict[str, Asset],
        *,
        filed_at: dt.datetime,
    ) -> Ticket:
        """File and move one ticket, each step a few minutes after the previous one.

        The services read the clock; the demo moves it back (``demo.clock``) so the
        history has realistic times. No timestamp is written by hand.
        """
        with stopped_at(filed_at) as clock:
            return self._ticket_at(spec, users, assets, clock)

    def _ticket_at(
        self,
        spec: demo.TicketSpec,
        users: dict[str, User],
        assets: dict[str, Asset],
        clock: DemoClock,
    ) -> Ticket:
        requester = users[spec.requester]
        try:
            ticket = services.submit_ticket(
                actor=users[spec.logged_by] if spec.logged_by else requester,
                requester=requester,
                title=spec.title,
                description=spec.description,
                category=spec.category,
                impact=spec.impact,
                urgency=spec.urgency,
                channel=spec.channel,
                affected_system=spec.affected_system,
                scenario=spec.scenario,
                contact=spec.contact,
                asset=assets[spec.asset] if spec.asset else None,
            )
        except SERVICE_ERRORS as exc:
            raise CommandError(f"Demo ticket “{spec.title}”: submit failed: {exc!r}") from exc
        for step in spec.steps:
            clock.shift(DEMO_STEP)
            try:
                self._step(ticket.pk, step, users)
            except SERVICE_ERRORS as exc:
                raise CommandError(
                    f"Demo ticket “{spec.title}”: {type(step).__name__} by {step.by} "
                    f"failed: {exc!r}"
                ) from exc
        ticket.refresh_from_db()
        return ticket

    def _step(self, pk: int, step: demo.Step, users: dict[str, User]) -> None:
        """One step of a ticket's life: one service call by the named user."""
        actor = users[step.by]
        match step:
            case demo.Accept():
                services.accept_ticket(pk, actor=actor)
            case demo.Reply(body=body):
                services.add_message(pk, actor=actor, body=body, internal=False)
            case demo.Note(body=body):
                services.add_message(pk, actor=actor, body=body, internal=True)
            case demo.AskInfo(question=question):
                services.request_info(pk, actor=actor, question=question)
            case demo.Diagnose():
                services.diagnose_ticket(
                    pk,
                    actor=actor,
                    root_cause_type=step.root_cause_type,
                    root_cause=step.root_cause,
                    impact_scope=step.impact_scope,
                    solution_plan=step.solution_plan,
                )
            case demo.Resolve(solution=solution):
                services.resolve_ticket(pk, actor=actor, solution=solution)
            case demo.RejectFix(reason=reason):
                services.reject_fix(pk, actor=actor, reason=reason)
            case demo.Verify(note=note):
                services.verify_ticket(pk, actor=actor, verification_note=note)
            case demo.Close():
                services.close_ticket(pk, actor=actor)
            case demo.Cancel(reason=reason):
                services.cancel_ticket(pk, actor=actor, reason=reason)
            case _:
                raise CommandError(f"Unknown demo step: {step!r}")

    # --- output -----------------------------------------------------------------------

    def _print_states(self, tickets: list[Ticket]) -> None:
        ids = [t.pk for t in tickets]
        rows = (
            Ticket.objects.filter(pk__in=ids)
            .values("state", "closed_as")
            .annotate(n=Count("pk"))
            .order_by()
        )
        order = {state: index for index, state in enumerate(STATE_STEPS)}
        rows = sorted(rows, key=lambda r: (order[r["state"]], r["closed_as"]))
        self.stdout.write("Tickets by state:")
        for row in rows:
            label = str(TicketState(row["state"]).label)
            if row["closed_as"]:
                label = f"{label} ({ClosedAs(row['closed_as']).label})"
            self.stdout.write(f"  {label:<24} {row['n']}")

    def _print_logins(self) -> None:
        rows = [("username", "name", "role", "password")]
        rows += [
            (u.username, u.display_name, str(Role(u.role).label), demo.DEMO_PASSWORD)
            for u in demo.USERS
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        for index, row in enumerate(rows):
            line = "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            self.stdout.write(f"  {line}")
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(f"Open {demo.DEMO_URL} and sign in with one of the accounts above.")


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
