"""Scanners that run with the suite: schemathesis over the OpenAPI schema, bandit over the code.

schemathesis loads ``/api/schema/`` from the WSGI application itself and sends generated
requests through it, in this process and inside the test's transaction. Path parameters are
drawn both at random and from real tickets and categories, so the operations are reached in
every state, not only answered with 404. Any 5xx, undocumented status code, wrong content
type or response body that does not match the schema fails the test with the request to
reproduce it.

Examples are derandomised (the same requests every run) and bounded, so this stays a
regression check of a few seconds per operation, not an open-ended fuzzing session. Each
test is split into ``SHARDS`` slices of the operations (sorted by label, every ``SHARDS``-th
one), so that pytest-xdist spreads them over its workers; one more test checks that the
slices together cover every operation of the schema. For a longer hunt by hand:
``FUZZ_RANDOM=1 FUZZ_EXAMPLES=200 pytest tests/security/test_scanners.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servicedesk.wsgi import application
from tests.security.world import drill, training_session
from tickets.choices import TicketState
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)
APPS = [
    "accounts",
    "sla",
    "notifications",
    "assets",
    "tickets",
    "fieldwork",
    "vendors",
    "incidents",
    "channels",
    "people",
    "servicedesk",
    "knowledge",
    "feedback",
    "training",
    "reports",
    "demo",
]

# Every built-in check about the response, for generated *valid* requests. Not used:
# `negative_data_rejection` / `positive_data_acceptance` (they judge what the API accepts, and
# this API ignores unknown fields on purpose: see architecture.md, "PATCH accepts only
# descriptive fields … anything else in the body is ignored"), and the stateful checks
# (`use_after_free`, `ensure_resource_availability`: nothing here is ever deleted).
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# For deliberately malformed requests only the absence of server errors is asserted: the
# status code may be a framework's own (405, 415) that no schema lists.
NO_SERVER_ERROR = [not_a_server_error]
SHARDS = 6


@pytest.fixture
def wsgi_in_test_transaction():
    """Let requests through the raw WSGI handler share the test's connection.

    Django's test client disconnects ``close_old_connections`` for the same reason: the
    handler would otherwise close the connection (and the test's transaction) after each
    request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def targets(alice, carol, bob, tom):
    """Real things for path parameters: alice's tickets in each open state, a category."""
    tickets = [make_ticket(requester=alice), make_ticket(requester=carol)] + [
        make_ticket_in(state, requester=alice, engineer=bob)
        for state in (
            TicketState.ACCEPTED,
            TicketState.DIAGNOSED,
            TicketState.RESOLVED,
            TicketState.VERIFIED,
        )
    ]
    # The feature apps' own things (issues 10-12), so their operations also succeed.
    from assets.models import Asset  # here: only this fixture needs the feature models
    from incidents.services import declare
    from knowledge.services import articles as kb_articles
    from knowledge.services import scripts as kb_scripts
    from tickets.models import CannedReply
    from vendors.models import Vendor

    now = timezone.now()
    ids = {
        "reply_id": CannedReply.objects.create(
            owner=tom,
            title="Restart",
            body="Please restart.",
            created_by=tom,
            created_at=now,
            updated_at=now,
        ).pk,
        "asset_id": Asset.objects.create(tag="FUZZ-0001", kind="laptop", owner=alice).pk,
        "vendor_id": Vendor.objects.create(name="Fuzz Vendor").pk,
        "article_id": kb_articles.create_article(by=bob, title="Toner", symptom="Blank").pk,
        "script_id": kb_scripts.create_script(by=bob, name="Ping", body="ping 10.0.0.1").pk,
        "session_id": training_session(bob),
        "drill_id": drill(tickets[3], bob),
        "username": "bob",
    }
    incident = declare(actor=tom, title="Core network down", impact="Nobody can work")
    return {
        "numbers": [t.number for t in tickets],
        "slug": make_category().slug,
        "ids": ids,
        "incident": incident.number,
    }


def _with_real_category(case: Any, slug: str) -> Any:
    if isinstance(case.body, dict) and "category" in case.body:
        case.body["category"] = slug
    return case


def _runner(label: str, cases: Any, examples: int, send: Any) -> Any:
    """A Hypothesis test sending ``examples`` generated cases (failures are collected by
    ``send``, not raised, so one run reports every operation's problems without shrinking)."""

    @given(case=cases)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=os.environ.get("FUZZ_RANDOM") is None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        send(label, case)

    return run


def _fuzz(
    app: Any,
    *,
    user: Any,
    targets: dict[str, Any],
    mode: GenerationMode,
    checks: list[Any],
    examples: int,
    shard: int,
) -> tuple[list[tuple[str, str]], dict[str, Counter[int]]]:
    """Run every operation of slice ``shard`` ``examples`` times as ``user``; return
    (failures, statuses)."""
    token = Token.objects.get_or_create(user=user)[0].key
    operations = _operations(app)[shard::SHARDS]
    failures: list[tuple[str, str]] = []
    statuses: dict[str, Counter[int]] = {}

    def send(label: str, case: Any) -> None:
        # DELETE /api/v1/auth/token/ revokes the token: put it back before every case.
        Token.objects.get_or_create(user=user, defaults={"key": token})
        response = case.call(app=app, headers={"Authorization": f"Token {token}"})
        statuses[label][response.status_code] += 1
        try:
            case.validate_response(response, checks=checks)
        except BaseExceptionGroup as exc:  # schemathesis' FailureGroup
            failures.append((label, str(exc)))

    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        strategies = [operation.as_strategy(generation_mode=mode)]
        if "number" in names:
            strategies += [
                operation.as_strategy(generation_mode=mode, path_parameters={"number": number})
                for number in targets["numbers"]
            ]
        if operation.path.startswith("/api/v1/incidents/{number}"):
            strategies.append(
                operation.as_strategy(
                    generation_mode=mode, path_parameters={"number": targets["incident"]}
                )
            )
        known = {name: targets["ids"][name] for name in names if name in targets["ids"]}
        if known:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=known))
        if "slug" in names:
            slug = {"slug": targets["slug"]}
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=slug))
        if operation.method.upper() == "POST" and operation.path == "/api/v1/tickets/":
            strategies.append(
                operation.as_strategy(generation_mode=mode).map(
                    lambda case: _with_real_category(case, targets["slug"])
                )
            )
        statuses[operation.label] = Counter()
        try:
            _runner(operation.label, st.one_of(strategies), examples, send)()
        except Unsatisfiable:
            # Negative mode only: an operation with no parameter or body has nothing that
            # can be made invalid (GET /categories/).
            if mode is GenerationMode.POSITIVE:
                raise
            del statuses[operation.label]
    return failures, statuses


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    return sorted((result.ok() for result in schema.get_all_operations()), key=_label)


def _label(operation: Any) -> str:
    return str(operation.label)


def test_the_slices_cover_every_operation_once(wsgi_in_test_transaction):
    # when
    operations = _operations(wsgi_in_test_transaction)
    slices = [operations[shard::SHARDS] for shard in range(SHARDS)]

    # then
    labels = [_label(operation) for part in slices for operation in part]
    assert sorted(labels) == sorted(_label(operation) for operation in operations)
    assert len(set(labels)) == len(labels) > 100
    assert all(len(part) >= 10 for part in slices)  # no slice left nearly empty


def _report(failures: list[tuple[str, str]]) -> str:
    distinct: dict[tuple[str, str], str] = {}
    for label, message in failures:
        lines = [line for line in message.splitlines() if line.strip()]
        distinct.setdefault((label, lines[1] if len(lines) > 1 else message), message)
    return "\n\n".join(f"{label}\n{message}" for (label, _), message in distinct.items())


@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_as_tech_lead_gives_no_5xx_and_every_response_matches_the_schema(
    wsgi_in_test_transaction, targets, shard, tom
):
    # when
    failures, statuses = _fuzz(
        wsgi_in_test_transaction,
        user=tom,
        targets=targets,
        mode=GenerationMode.POSITIVE,
        checks=CONFORMANCE,
        examples=int(os.environ.get("FUZZ_EXAMPLES", 15)),
        shard=shard,
    )

    # then
    assert not failures, _report(failures)
    assert all(sum(codes.values()) for codes in statuses.values()), statuses
    succeeded = {label for label, codes in statuses.items() if any(c < 300 for c in codes)}
    # The real path parameters make most operations succeed at least once (not only 404/409).
    assert len(succeeded) >= len(statuses) // 2, statuses


@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_as_requester_gives_no_5xx_and_every_response_matches_the_schema(
    wsgi_in_test_transaction, targets, shard, alice
):
    # when
    failures, statuses = _fuzz(
        wsgi_in_test_transaction,
        user=alice,
        targets=targets,
        mode=GenerationMode.POSITIVE,
        checks=CONFORMANCE,
        examples=int(os.environ.get("FUZZ_EXAMPLES", 8)),
        shard=shard,
    )

    # then
    assert not failures, _report(failures)
    assert all(sum(codes.values()) for codes in statuses.values()), statuses


@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_answers_malformed_requests_without_a_server_error(
    wsgi_in_test_transaction, targets, shard, bob
):
    # when
    failures, statuses = _fuzz(
        wsgi_in_test_transaction,
        user=bob,
        targets=targets,
        mode=GenerationMode.NEGATIVE,
        checks=NO_SERVER_ERROR,
        examples=int(os.environ.get("FUZZ_EXAMPLES", 8)),
        shard=shard,
    )

    # then
    assert not failures, _report(failures)
    # Nearly every operation had something to break (GET /categories/ has nothing).
    operations = _operations(wsgi_in_test_transaction)[shard::SHARDS]
    assert len(statuses) >= len(operations) * 3 // 4, statuses
    assert all(sum(codes.values()) for codes in statuses.values()), statuses


# --- bandit ----------------------------------------------------------------------------------


def _bandit(*targets: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """bandit with the project's configuration (pyproject's [tool.bandit]), high severity only."""
    return subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        [
            sys.executable,
            "-m",
            "bandit",
            "-c",
            str(ROOT / "pyproject.toml"),
            "-r",
            *targets,
            "-lll",
            "-q",
            "-f",
            "json",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bandit_finds_no_high_severity_issue_in_the_app_code():
    # when
    result = _bandit(*APPS)

    # then
    report = json.loads(result.stdout)
    assert report["results"] == [], json.dumps(report["results"], indent=1)
    assert result.returncode == 0, result.stderr
    assert report["metrics"]["_totals"]["loc"] > 1000  # it did read the code


def test_bandit_as_configured_does_report_a_high_severity_issue(tmp_path):
    # given: code bandit must flag at high severity (a shell command built from input)
    (tmp_path / "views.py").write_text(
        "import subprocess\n\n\ndef run(name):\n"
        "    return subprocess.call('ls ' + name, shell=True)\n"
    )

    # when
    result = _bandit(str(tmp_path))

    # then
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert [r["test_id"] for r in report["results"]] == ["B602"]
