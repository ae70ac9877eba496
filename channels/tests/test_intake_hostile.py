"""What every provider's intake at /api/v1/intake/im/<provider>/ does with the same hostile
requests: a forged, stale or unsigned request, a provider not configured, an unknown or
empty sender, an unreadable body, ids of the wrong kind, an identical replay and a freshly
signed redelivery. Each runs for Slack, Feishu, DingTalk and WeCom, with the builders and
per-provider tables of ``deliveries``; what only one provider has (its challenge or
handshake, its published vectors, its time window, Feishu's token, WeCom's CorpID, Slack's
retries, DingTalk's unlogged headers) is tested in that provider's module."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from accounts.services import IM_ID_FIELDS
from accounts.tests.factories import make_user
from channels.choices import InboundOutcome
from channels.models import InboundMessage
from channels.tests import deliveries as d
from tickets.choices import Channel
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PROVIDERS = pytest.mark.parametrize("provider", d.PROVIDERS)
# A timestamp of the providers' own samples (2014): like one two days ahead (``FORGED``),
# outside every provider's window (each provider's module tests its window's edges).
LONG_AGO = 1409659813
WRONG_SECRET = {
    "slack": "not-the-secret",
    "feishu": "another encrypt key",
    "dingtalk": "not the secret",
    "wecom": "another-token",
}


@pytest.fixture(autouse=True)
def _secrets(settings):
    d.configure(settings)


@pytest.fixture
def alice(db, provider):
    """alice, who linked this provider's account to her desk account."""
    return make_user("alice", Role.REQUESTER, **{IM_ID_FIELDS[provider]: d.SENDER[provider]})


def _nothing_recorded() -> None:
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.count() == 0


@PROVIDERS
def test_a_signed_message_from_a_linked_user_files_one_ticket(client, provider, alice):
    # when
    response = d.send(client, provider, sender=d.SENDER[provider], text="打印机卡纸了，每页都卡")

    # then
    assert response.status_code == 200
    [ticket] = Ticket.objects.all()
    assert (ticket.requester, ticket.channel) == (alice, Channel.IM)
    assert "打印机卡纸了" in ticket.description


@PROVIDERS
def test_an_identical_replay_and_a_freshly_signed_redelivery_file_nothing_more(
    client, provider, alice, django_capture_on_commit_callbacks, sent
):
    # given: the first delivery, filed and answered
    event_id = d.unique("4242")
    payload = d.message(provider, sender=d.SENDER[provider], text="显示器闪烁", event_id=event_id)
    first = d.request(provider, payload)
    with django_capture_on_commit_callbacks(execute=True):
        assert d.post(client, first).status_code == 200

        # when: the same bytes again, then the same event sealed and signed 90 s later
        replay = d.post(client, first)
        later = d.post(client, d.request(provider, payload, timestamp=d.now_seconds() + 90))

    # then: answered 200, and nothing more: one ticket, one record, one answer
    assert (replay.status_code, later.status_code) == (200, 200)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get().event_id == event_id
    assert len(sent) == 1


@PROVIDERS
def test_a_replay_and_a_redelivery_reach_the_core_with_the_same_event_id(
    client, provider, delivered
):
    # given
    payload = d.message(provider, sender=d.SENDER[provider])
    first = d.request(provider, payload)

    # when: the same bytes twice, then sealed and signed afresh
    d.post(client, first)
    d.post(client, first)
    d.post(client, d.request(provider, payload, timestamp=d.now_seconds() + 60))

    # then: the intake hands each on; the core (which de-duplicates) sees one event id
    assert len(delivered) == 3
    assert len({x.event_id for x in delivered}) == 1


FORGED = [
    ("wrong-secret", lambda p: {"secret": WRONG_SECRET[p]}, "bad_signature"),
    ("wrong-signature", lambda p: {"signature": d.WRONG_SIGNATURE[p]}, "bad_signature"),
    ("unsigned", lambda p: {"unsigned": True}, "missing_signature"),
    ("bad-timestamp", lambda p: {"timestamp": "yesterday"}, "bad_timestamp"),
    ("stale", lambda p: {"timestamp": LONG_AGO}, "stale_timestamp"),
    ("future", lambda p: {"timestamp": d.now_seconds() + 2 * 24 * 3600}, "stale_timestamp"),
]


@PROVIDERS
@pytest.mark.parametrize(
    ("overrides", "error"), [c[1:] for c in FORGED], ids=[c[0] for c in FORGED]
)
def test_a_forged_stale_or_unsigned_request_is_a_401_and_files_nothing(
    client, provider, alice, overrides, error
):
    # given
    payload = d.message(provider, sender=d.SENDER[provider], text="打印机卡纸了")

    # when
    response = d.post(client, d.request(provider, payload, **overrides(provider)))

    # then
    assert response.status_code == 401
    assert response.json() == {"error": error}
    _nothing_recorded()


@pytest.mark.parametrize(
    ("provider", "setting"),
    [(p, name) for p in d.PROVIDERS for name in d.SECRET_SETTINGS[p]],
)
def test_without_its_secrets_every_request_is_refused(client, provider, alice, setting, settings):
    # given
    setattr(settings, setting, "")

    # when
    response = d.send(client, provider, sender=d.SENDER[provider])

    # then
    assert response.status_code == 403
    assert response.json() == {"error": "not_configured"}
    _nothing_recorded()


@PROVIDERS
@pytest.mark.parametrize(
    "sender",
    ["nobody01", None, ""],
    ids=["unknown", "absent", "empty"],
)
def test_a_message_from_an_unknown_absent_or_empty_sender_files_nothing(
    client, provider, alice, sender
):
    # when
    response = d.send(client, provider, sender=sender, text="打印机卡纸了")

    # then: 200 (the provider would retry anything else), recorded, nothing filed
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.get().outcome == InboundOutcome.UNKNOWN_SENDER


def _unreadable(provider: str) -> list[tuple[str, bytes]]:
    whole = d.request(provider, d.message(provider, sender=d.SENDER[provider])).body
    nested = b"<xml>" + b"<a>" * 5000 if provider == "wecom" else b"[" * 5000
    cases = [
        ("garbage", b"not json, not xml"),
        ("empty", b""),
        ("truncated", whole[: len(whole) // 2]),
        ("nested", nested),
    ]
    if provider != "wecom":
        cases += [("array", b"[1, 2]"), ("string", b'"text"')]
    return cases


@pytest.mark.parametrize(
    ("provider", "body"),
    [(p, body) for p in d.PROVIDERS for _, body in _unreadable(p)],
    ids=[f"{p}-{name}" for p in d.PROVIDERS for name, _ in _unreadable(p)],
)
def test_an_unreadable_signed_body_is_a_400(client, provider, alice, body):
    # when
    response = d.post(client, d.request(provider, body=body))

    # then
    assert response.status_code == 400
    assert response.json() == {"error": d.NOT_READABLE[provider]}
    _nothing_recorded()


def _wrong_ids(provider: str) -> list[tuple[str, str, Any, str]]:
    """(case, field, value, refusal) for ids that are missing or not an id."""
    cases: list[tuple[str, str, Any, str]] = [
        ("event-id-absent", "event_id", d.ABSENT, "missing"),
        ("event-id-empty", "event_id", "", "missing"),
        ("event-id-long", "event_id", "E" * 129, "bad"),
        ("event-id-tab", "event_id", "45\t61", "bad"),
        ("sender-long", "sender", "u" * 129, "bad"),
        ("sender-newline", "sender", "u\n1", "bad"),
    ]
    if provider != "wecom":  # JSON carries what XML's text cannot
        cases += [
            ("event-id-nul", "event_id", "Ev\x00", "bad"),
            ("event-id-list", "event_id", ["Ev1"], "bad"),
            ("event-id-object", "event_id", {"id": 1}, "bad"),
            ("event-id-true", "event_id", True, "bad"),
            ("sender-object", "sender", {"id": "U1"}, "bad"),
            ("sender-list", "sender", ["U1"], "bad"),
        ]
    return cases


@pytest.mark.parametrize(
    ("provider", "field", "value", "refusal"),
    [(p, *case[1:]) for p in d.PROVIDERS for case in _wrong_ids(p)],
    ids=[f"{p}-{case[0]}" for p in d.PROVIDERS for case in _wrong_ids(p)],
)
def test_a_missing_or_malformed_id_is_a_400_naming_the_field(
    client, provider, alice, field, value, refusal
):
    # given
    fields = {"sender": d.SENDER[provider], field: value}

    # when
    response = d.send(client, provider, **fields)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": f"{refusal}_{d.ERROR_FIELD[provider][field]}"}
    _nothing_recorded()


HOSTILE = ["a\x00b", "a\ud800b", "x" * 100_001, 10**40, {"$gt": ""}, ["a"], True, None]


@pytest.mark.parametrize(
    ("provider", "field"),
    [(p, name) for p, fields in d.JSON_FIELDS.items() for name in fields],
)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:12])
def test_hostile_values_in_any_field_never_give_a_500(client, provider, alice, field, value):
    # when
    response = d.post(client, d.request(provider, d.JSON_FIELDS[provider][field](value)))

    # then: a 400 naming the field, or taken in (an odd text is cleaned or dropped)
    assert response.status_code in (200, 400), response.content[:200]
    if response.status_code == 400:
        assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("provider", "method"),
    [("slack", "GET"), ("feishu", "GET"), ("dingtalk", "GET")] + [(p, "PUT") for p in d.PROVIDERS],
)
def test_another_method_is_not_allowed(client, provider, method):
    # when
    response = client.generic(method, d.URL.format(provider))

    # then
    assert response.status_code == 405
