"""Group robots: the notifications of some kinds, posted once per cause to a group chat.

Writing: ``on_notifications`` is the outbox's save hook (``notifications.outbox.on_save``),
run in the transaction that writes a cause's notification rows. Which kinds any active
robot posts is kept in the cache (rewritten whenever a robot is saved or deleted, and by
the minute's ``dispatch_pending``), so a cause no robot posts costs no query; one that
some robot posts costs one ``INSERT … SELECT`` that picks the robots (active, posting the
kind, for every site or the site of the ticket the payload names) and skips a cause
already posted (unique ``dedupe_key``). The new posts go to a worker after commit.

Sending: claimed by compare-and-set like the outbox's rows, rendered in the desk's
language and the robot's site's time zone, posted by the provider's ``robot.py``. A rate
limit keeps the post claimed until its wait is over; another failure lets it be retried,
up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import logging
import zoneinfo
from collections.abc import Sequence
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.middleware import site_time_zone
from channels.models import Robot, RobotPost
from channels.transports import message
from notifications.models import Notification
from notifications.outbox import Outgoing
from notifications.transports import RetryLater, Undeliverable
from tickets.models import Ticket

log = logging.getLogger(__name__)

CACHE_KEY = "channels:robot_kinds"
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
RETRY_MAX_SECONDS = 3600.0


# --- which kinds robots post ----------------------------------------------------------------


def refresh_kinds() -> set[str]:
    """Read the kinds active robots post and keep them in the cache (no expiry: a robot
    saved or deleted rewrites it, and ``dispatch_pending`` every minute)."""
    found: set[str] = set()
    for kinds in Robot.objects.filter(is_active=True).values_list("kinds", flat=True):
        found.update(kinds)
    try:
        cache.set(CACHE_KEY, sorted(found), timeout=None)
    except Exception:  # a cache that is down: the next write reads the table itself
        log.warning("could not cache the group robots' kinds")
    return found


def posted_kinds() -> set[str]:
    """The kinds some active robot posts; an empty cache means none (see ``refresh_kinds``)."""
    try:
        kinds = cache.get(CACHE_KEY)
    except Exception:
        return refresh_kinds()
    return set(kinds or ())


def robot_saved(**kwargs: Any) -> None:
    refresh_kinds()


# --- writing posts ---------------------------------------------------------------------------


def _cause(dedupe_key: str) -> str:
    """The cause of a row keyed ``<cause>:<recipient>:<channel>``."""
    parts = dedupe_key.rsplit(":", 2)
    return parts[0] if len(parts) == 3 else dedupe_key


def on_notifications(rows: Sequence[Outgoing | Notification]) -> None:
    """The outbox's save hook: write one post per robot for each new cause of a kind a
    robot posts (in the caller's transaction) and hand them to a worker after commit."""
    wanted = posted_kinds()
    if not wanted:
        return
    events: dict[tuple[str, str], Outgoing | Notification] = {}
    for row in rows:
        if row.kind in wanted:
            events.setdefault((_cause(row.dedupe_key), row.kind), row)
    if not events:
        return
    now = timezone.now()
    causes = [cause for cause, _kind in events]
    kinds = [kind for _cause, kind in events]
    links = [row.link for row in events.values()]
    dumps = functools.partial(json.dumps, cls=RobotPost._meta.get_field("payload").encoder)
    payloads = [dumps(row.payload or {}) for row in events.values()]
    numbers = [str((row.payload or {}).get("number", "")) for row in events.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RobotPost._meta.db_table} "  # noqa: S608 (table names only)
            "(robot_id, kind, link, payload, dedupe_key, created_at, attempts, last_error) "
            "SELECT r.id, e.kind, e.link, e.payload::jsonb, "
            "e.cause || ':' || e.kind || ':robot:' || r.id, %s, 0, '' "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS e (cause, kind, link, payload, number) "
            f"JOIN {Robot._meta.db_table} r ON r.is_active AND e.kind = ANY(r.kinds) "
            "WHERE r.site_id IS NULL OR r.site_id = ("
            f"SELECT t.site_id FROM {Ticket._meta.db_table} t WHERE t.number = e.number) "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            [now, causes, kinds, links, payloads, numbers],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))


def enqueue(ids: list[int]) -> None:
    """Hand posts to a worker; never raises (``dispatch_pending`` sends what is left).
    By the task's name: ``channels.tasks`` imports this module."""
    try:
        current_app.send_task("channels.send_robot_posts", args=(ids,), retry=False)
    except Exception:
        log.warning("broker unavailable; %d robot posts left for dispatch_pending", len(ids))


# --- sending ---------------------------------------------------------------------------------


def _claim(post_id: int, now: dt.datetime) -> bool:
    stale = now - CLAIM_TIMEOUT
    return bool(
        RobotPost.objects.filter(pk=post_id, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def _zone(robot: Robot) -> zoneinfo.ZoneInfo:
    name = site_time_zone(robot.site_id) if robot.site_id else ""
    try:
        return zoneinfo.ZoneInfo(name or str(timezone.get_default_timezone()))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(str(timezone.get_default_timezone()))


def compose(post: RobotPost) -> message.Message:
    return message.compose(
        kind=post.kind,
        payload=post.payload,
        link=post.link,
        language=settings.LANGUAGE_CODE,
        zone=_zone(post.robot),
    )


def sender(provider: str) -> Any:
    """The provider's robot module (``channels/<provider>/robot.py``)."""
    return importlib.import_module(f"channels.{provider}.robot")


def send_post(post_id: int) -> bool:
    """Post one pending message; ``False`` if another worker has it, it is sent, or failed."""
    now = timezone.now()
    if not _claim(post_id, now):
        return False
    post = RobotPost.objects.select_related("robot").get(pk=post_id)
    robot = post.robot
    if not robot.is_active:  # switched off since: dropped, not sent
        RobotPost.objects.filter(pk=post_id).update(
            attempts=MAX_ATTEMPTS, last_error="robot inactive"
        )
        return False
    try:
        sender(robot.provider).post(
            robot.webhook_url, robot.secret, compose(post), target=f"robot:{robot.pk}"
        )
    except RetryLater as exc:
        wait = dt.timedelta(seconds=min(max(exc.after, 1.0), RETRY_MAX_SECONDS))
        RobotPost.objects.filter(pk=post_id).update(
            claimed_at=now + wait - CLAIM_TIMEOUT,
            attempts=F("attempts") - 1,
            last_error=str(exc)[:2000],
        )
        return False
    except Undeliverable as exc:  # the webhook's address is refused: no retry helps
        RobotPost.objects.filter(pk=post_id).update(
            attempts=MAX_ATTEMPTS, last_error=str(exc)[:2000]
        )
        log.warning("robot post %s given up: %s", post_id, exc)
        return False
    except Exception as exc:
        RobotPost.objects.filter(pk=post_id).update(claimed_at=None, last_error=str(exc)[:2000])
        log.warning("robot post %s failed: %s", post_id, exc)
        return False
    RobotPost.objects.filter(pk=post_id).update(sent_at=timezone.now(), last_error="")
    return True


def pending_ids(limit: int = 1000) -> list[int]:
    stale = timezone.now() - CLAIM_TIMEOUT
    return list(
        RobotPost.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("attempts", "created_at")
        .values_list("pk", flat=True)[:limit]
    )
