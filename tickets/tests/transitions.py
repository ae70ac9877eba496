"""The state machine as test data (DESIGN.md "State machine"), shared by API and page tests."""

from __future__ import annotations

from tickets.choices import TicketState as S
from tickets.tests.factories import DIAGNOSIS

# A valid body for each transition, under the model's field names.
BODIES = {
    "accept": {},
    "diagnose": DIAGNOSIS,
    "resolve": {"solution": "Replaced the cable"},
    "verify": {"verification_note": "Works again"},
    "reject_fix": {"reason": "Still broken"},
    "close": {},
    "cancel": {"reason": "Duplicate of another ticket"},
    "request_info": {"question": "Which floor are you on?"},
}
LEGAL_SOURCES = {
    "accept": {S.SUBMITTED},
    "diagnose": {S.ACCEPTED},
    "resolve": {S.DIAGNOSED},
    "verify": {S.RESOLVED},
    "reject_fix": {S.RESOLVED},
    "close": {S.VERIFIED},
    "cancel": {S.SUBMITTED, S.ACCEPTED},
    "request_info": {S.ACCEPTED, S.DIAGNOSED},
}
# Someone who holds the role for the transition, so only the state can refuse it.
ENTITLED = {
    "accept": "tom",
    "diagnose": "tom",
    "resolve": "tom",
    "verify": "alice",
    "reject_fix": "alice",
    "close": "tom",
    "cancel": "tom",
    "request_info": "tom",
}
# (state, transition) for every transition its state does not allow.
ILLEGAL = [
    (state, name)
    for name, sources in LEGAL_SOURCES.items()
    for state in S.values
    if state not in sources
]
# The page URL of each transition (/tickets/<number>/<path>/).
PAGE_PATHS = {
    "accept": "accept",
    "diagnose": "diagnose",
    "resolve": "resolve",
    "verify": "verify",
    "reject_fix": "reject",
    "close": "close",
    "cancel": "cancel",
    "request_info": "request-info",
}
