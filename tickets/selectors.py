"""Every permission-scoped read of tickets and what hangs off them.

Views and API views never query ``Ticket.objects`` themselves: they start
from these functions, so a requester can only ever reach their own tickets
and never an internal note.
"""

from __future__ import annotations

from functools import partial

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import AnyUser, Site, User
from accounts.permissions import capabilities
from tickets.choices import OPEN_STATES, Priority
from tickets.errors import TicketNotFound
from tickets.models import (
    Attachment,
    CannedReply,
    Category,
    Message,
    Ticket,
    TicketEvent,
    Watcher,
)
from tickets.permissions import limited_sites
from tickets.selectors_prepared import Prepared

PRIORITY_RANK = Case(
    When(priority=Priority.HIGH, then=Value(0)),
    When(priority=Priority.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def tickets_visible_to(user: AnyUser) -> QuerySet[Ticket]:
    """Every list's rows (queue, search, the API, bulk actions): all tickets for staff who
    read every ticket, only their sites' for staff limited to some sites (R7.2), the
    requester's own and followed ones for everyone else.

    A limited engineer's own tickets filed at another site are not in their lists (an OR on
    the requester would cost the queue its index-only counts) but stay theirs: "my tickets"
    and a lookup by number (``get_ticket_for``) reach them, as ``permissions.can_view`` says.
    """
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if capabilities(user).view_all:
        sites = limited_sites(user)
        if sites is None:
            return Ticket.objects.all()
        # Staff limited to some sites (R7.2): those sites' tickets, through the indexes that
        # lead with the site. Tickets without a site are for the staff of every site.
        return Ticket.objects.filter(site_id__in=sorted(sites))
    return _own_and_followed(user.pk)


def _own_and_followed(user_id: int) -> QuerySet[Ticket]:
    """A requester's own tickets and the ones they follow. A union of two index scans, not
    an OR: ``requester = X OR id IN (…)`` cannot use the requester index and reads every
    ticket."""
    own = Ticket.objects.filter(requester_id=user_id).order_by().values("pk")
    followed = Watcher.objects.filter(user_id=user_id).order_by().values("ticket_id")
    return Ticket.objects.filter(pk__in=own.union(followed))


def ticket_list_for(user: AnyUser) -> QuerySet[Ticket]:
    """Rows for lists (queue, my tickets, API): the related names in one query.

    Every join counts: with seven tables PostgreSQL spends ~9 ms planning the
    queue's page query (it runs in under 1 ms); nothing on a list shows a
    category's parent, so it is not joined.
    """
    return tickets_visible_to(user).select_related(
        "requester", "assignee", "reported_by", "category", "site"
    )


QUEUE_UNUSED_FIELDS = (
    "description",
    "root_cause",
    "solution_plan",
    "solution",
    "verification_note",
    "scenario",
    "affected_system",
    "impact_scope",
    "cancel_reason",
    "priority_reason",
    "contact",
    "requester__password",
    "assignee__password",
)


def queue_for(user: AnyUser, *, include_finished: bool = False) -> QuerySet[Ticket]:
    """The engineer's queue: open tickets, nearest deadline first (paused ones last).

    Joins only what the queue table shows (five tables: planned in ~1 ms).
    """
    states = {} if include_finished else {"state__in": OPEN_STATES}
    return (
        tickets_visible_to(user)
        .select_related("requester", "assignee", "category", "site")
        # The long texts are never shown in the queue; leave them in the database.
        .defer(*QUEUE_UNUSED_FIELDS)
        .filter(**states)
        .annotate(priority_rank=PRIORITY_RANK)
        .order_by(F("next_due_at").asc(nulls_last=True), "submitted_at")
    )


def my_tickets(user: AnyUser) -> QuerySet[Ticket]:
    """A requester's own tickets, open first, newest first."""
    if not isinstance(user, User):
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(requester=user)  # one's own tickets, whatever one's site limits
        .select_related("requester", "assignee", "reported_by", "category", "site")
        .annotate(
            is_done=Case(
                When(state__in=OPEN_STATES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_done", "-submitted_at")
    )


# What the ticket page shows of the ticket's people, category, site and device, joined.
TICKET_RELATED = (
    "requester",
    "assignee",
    "reported_by",
    "category",
    "site",
    "asset",
    "asset__site",
)


def _ticket_by_number(scope: QuerySet[Ticket], number: str) -> QuerySet[Ticket]:
    return scope.select_related(*TICKET_RELATED).filter(number=number).order_by("pk")[:1]


# The lookup by number compiled once per process (``selectors_prepared``): staff who read
# every ticket, and everyone else (their own tickets and the ones they follow).
_TICKET_FOR_STAFF = Prepared(lambda number: _ticket_by_number(Ticket.objects.all(), number), str)
_TICKET_FOR_REQUESTER = Prepared(
    lambda user_id, number: _ticket_by_number(_own_and_followed(user_id), number), int, str
)


def get_ticket_for(user: AnyUser, number: str) -> Ticket:
    if "\x00" in number:  # PostgreSQL refuses NUL in text: no such ticket, not a 500
        raise TicketNotFound
    if not user.is_authenticated or not user.is_active:
        raise TicketNotFound
    ticket: Ticket | None
    if not capabilities(user).view_all:
        ticket = _TICKET_FOR_REQUESTER.first(user.pk, number)
    elif limited_sites(user) is None:
        ticket = _TICKET_FOR_STAFF.first(number)
    else:
        # Staff limited to some sites still open their own tickets filed elsewhere.
        scope = tickets_visible_to(user) | Ticket.objects.filter(requester=user)
        ticket = _ticket_by_number(scope, number).first()
    if ticket is None:
        raise TicketNotFound
    return ticket


def messages_for(user: AnyUser, ticket: Ticket) -> QuerySet[Message]:
    qs = Message.objects.filter(ticket=ticket).select_related("author")
    if not capabilities(user).view_internal:
        qs = qs.filter(kind="public")
    return qs.prefetch_related(Prefetch("attachments", queryset=attachments_for(user, ticket)))


def attachments_for(user: AnyUser, ticket: Ticket) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(ticket=ticket).select_related("uploaded_by", "ticket")
    if not capabilities(user).view_internal:
        qs = qs.filter(is_internal=False)
    return qs


def _files(ticket_id: int, *, internal: bool) -> QuerySet[Attachment]:
    rows = Attachment.objects.filter(ticket_id=ticket_id)
    return rows if internal else rows.filter(is_internal=False)


# Compiled once per process (``selectors_prepared``), per reader of internal files or not.
FILES = {internal: Prepared(partial(_files, internal=internal), int) for internal in (True, False)}


def files_shown(user: AnyUser, ticket: Ticket) -> list[Attachment]:
    """The ticket's files ``user`` may open, oldest first, without their uploader or ticket
    (a list of names, sizes and links): one query per ticket object, kept on it, since the
    page's file card and the panels that pick files from them (the plan's logs) show the
    same rows."""
    internal = capabilities(user).view_internal
    cached = getattr(ticket, "_files_shown", None)
    if cached is not None and cached[0] == internal:
        return list(cached[1])
    found = FILES[internal].objects(ticket.pk)
    ticket._files_shown = (internal, found)  # type: ignore[attr-defined]
    return list(found)


def events_for(user: AnyUser, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline. Messages come along; their files do not: the timeline names files
    from the event's data, and lists of files go through ``attachments_for`` (or
    ``messages_for``, which prefetches them filtered). Prefetching them here cost a
    query and ~5 ms on a ticket with a hundred messages, for nothing shown."""
    qs = TicketEvent.objects.filter(ticket=ticket).select_related("actor", "message")
    if not capabilities(user).view_internal:
        qs = qs.filter(is_internal=False)
    return qs


def get_attachment_for(user: AnyUser, number: str, attachment_id: int) -> Attachment:
    ticket = get_ticket_for(user, number)
    attachment = attachments_for(user, ticket).filter(pk=attachment_id).first()
    if attachment is None:
        raise TicketNotFound
    return attachment


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent")


def categories_in_tree_order() -> QuerySet[Category]:
    """Active categories as a list shows them: each parent, then its children, in order."""
    return active_categories().order_by(
        Coalesce(F("parent__sort_order"), F("sort_order")),
        Coalesce(F("parent__slug"), F("slug")),
        F("parent").asc(nulls_first=True),
        "sort_order",
        "slug",
    )


def users_with_permission(codename: str) -> QuerySet[User]:
    """Active users whose role (group) grants a tickets permission.

    Queue membership comes from roles: a superuser or a user granted a permission
    directly can act, but is not listed as an engineer for assignment and alerts.
    (An OR over direct grants made this a 5 ms scan of every user at 25,000 users.)
    """
    return (
        User.objects.filter(is_active=True, groups__permissions__codename=codename)
        .distinct()
        .order_by("username")
    )


def engineers() -> QuerySet[User]:
    return users_with_permission("work_ticket")


def serving(people: QuerySet[User], site_id: int | None) -> QuerySet[User]:
    """``people`` whose site limits let them see a ticket of ``site_id`` (R7.2): everyone not
    limited to some sites (superusers never are), and those limited to this one among
    theirs. A ticket without a site is for the people of every site."""
    limits = User.limited_to_sites.through.objects.filter(user_id=OuterRef("pk"))
    everywhere = ~Exists(limits) | Q(is_superuser=True)
    if site_id is None:
        return people.filter(everywhere)
    return people.filter(everywhere | Exists(limits.filter(site_id=site_id)))


def engineers_for_site(site_id: int | None) -> QuerySet[User]:
    """The engineers who may work a ticket of ``site_id``."""
    return serving(engineers(), site_id)


def dispatch_choices(site_id: int | None) -> QuerySet[User]:
    """Whom a ticket of ``site_id`` may be dispatched to: the engineers who may see it, the
    site's local IT contacts first (``is_local_contact``), then by username."""
    is_local: Exists | Value = Value(False)  # a ticket without a site has no local contacts
    if site_id is not None:
        contacts = Site.local_contacts.through.objects.filter(site_id=site_id)
        is_local = Exists(contacts.filter(user_id=OuterRef("pk")))
    return (
        engineers_for_site(site_id)
        .annotate(is_local_contact=is_local)
        .order_by("-is_local_contact", "username")
    )


def local_contacts_of(site_id: int | None) -> QuerySet[User]:
    """The site's local IT contacts who work the queue and may see its tickets, by name."""
    if site_id is None:
        return User.objects.none()
    return engineers_for_site(site_id).filter(sites_served=site_id)


def tech_leads() -> QuerySet[User]:
    return users_with_permission("lead_ticket")


# --- followers (CC) and canned replies ---------------------------------------------


def watchers_of(ticket: Ticket) -> QuerySet[Watcher]:
    """A ticket's followers with their names (whoever may see the ticket may see these)."""
    return Watcher.objects.filter(ticket=ticket).select_related("user", "added_by")


# What the ticket page's card shows of each follower and of who added them (``User.name``
# and the username): two user rows of a few columns instead of every column of both.
_PEOPLE = ("username", "display_name", "first_name", "last_name")
_WATCHER_SHOWN = (
    "ticket_id",
    "created_at",
    *(f"{who}__{column}" for who in ("user", "added_by") for column in _PEOPLE),
)
# Compiled once per process (``selectors_prepared``): every ticket page asks.
WATCHERS = Prepared(lambda ticket_id: watchers_of(Ticket(pk=ticket_id)).only(*_WATCHER_SHOWN), int)


def watchers_shown(ticket: Ticket) -> list[Watcher]:
    """``watchers_of`` with the names the ticket page shows (one query)."""
    return WATCHERS.objects(ticket.pk)


WATCHER_SUGGESTIONS = 20


def watcher_candidates(user: AnyUser, ticket: Ticket, query: str = "") -> list[User]:
    """Up to ``WATCHER_SUGGESTIONS`` active people ``user`` may add as followers of
    ``ticket`` whose name, username or e-mail matches ``query``.

    Engineers search everyone. A requester is offered only their own department: the
    pages give requesters no directory of the company (anyone else they name by username
    or e-mail, as they would address a CC). The requester and current followers are left out.
    """
    if not isinstance(user, User):
        return []
    text = query.strip()
    if len(text) > 100 or "\x00" in text:
        return []
    people = User.objects.filter(is_active=True).exclude(pk=ticket.requester_id)
    if not capabilities(user).work_queue:
        if user.department_id is None:
            return []
        people = people.filter(department_id=user.department_id)
    elif not text:
        return []
    if text:
        people = people.filter(
            Q(username__istartswith=text)
            | Q(email__istartswith=text)
            | Q(display_name__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
        )
    return list(
        people.exclude(pk__in=Watcher.objects.filter(ticket=ticket).values("user_id"))
        .select_related("department")
        .order_by("display_name", "username")[:WATCHER_SUGGESTIONS]
    )


def canned_replies_for(user: AnyUser) -> QuerySet[CannedReply]:
    """The replies ``user`` may insert: the shared ones first, then their own, by title.
    Nobody else's personal replies, and none at all for people who do not answer tickets."""
    if not isinstance(user, User) or not capabilities(user).work_queue:
        return CannedReply.objects.none()
    return _canned_replies(user.pk).select_related("owner", "created_by")


def _canned_replies(user_id: int) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(Q(owner_id=user_id) | Q(owner__isnull=True)).order_by(
        F("owner").asc(nulls_first=True), "title", "pk"
    )


# The reply form's picker lists titles (the text is fetched when one is inserted): no
# authors, no bodies. Compiled once per process: every ticket page an engineer opens asks.
CANNED_TITLES = Prepared(lambda user_id: _canned_replies(user_id).only("title", "owner"), int)


def canned_titles_for(user: AnyUser) -> list[CannedReply]:
    """``canned_replies_for`` with their titles and owners only (one query)."""
    if not isinstance(user, User) or not capabilities(user).work_queue:
        return []
    return CANNED_TITLES.objects(user.pk)
