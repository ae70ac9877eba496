"""The priority matrix (R2.4): urgency x impact, and security incidents always high."""

from __future__ import annotations

import pytest

from tickets.choices import Impact, Priority, Urgency
from tickets.models import Ticket
from tickets.priority import PRIORITY_MATRIX, derive_priority
from tickets.tests.factories import make_category, make_ticket

# DESIGN.md, "Priority matrix", copied cell by cell (urgency, impact, priority).
DESIGN_TABLE = [
    ("interrupted", "single", "medium"),
    ("interrupted", "multiple", "high"),
    ("interrupted", "network", "high"),
    ("abnormal", "single", "medium"),
    ("abnormal", "multiple", "medium"),
    ("abnormal", "network", "high"),
    ("experience", "single", "low"),
    ("experience", "multiple", "low"),
    ("experience", "network", "medium"),
]
ALL_CELLS = [(urgency, impact) for urgency, impact, _priority in DESIGN_TABLE]


def test_matrix_has_exactly_the_nine_cells_of_the_design():
    # given
    expected_cells = {(u, i) for u in Urgency.values for i in Impact.values}

    # when
    cells = set(PRIORITY_MATRIX)

    # then
    assert cells == expected_cells
    assert set(ALL_CELLS) == expected_cells


@pytest.mark.parametrize(("urgency", "impact", "expected"), DESIGN_TABLE)
def test_matrix_cell_matches_design_table(urgency, impact, expected):
    # given / when
    cell = PRIORITY_MATRIX[(urgency, impact)]
    derived = derive_priority(impact=impact, urgency=urgency)

    # then
    assert cell == expected
    assert derived == expected


@pytest.mark.parametrize(("urgency", "impact"), ALL_CELLS)
def test_security_incident_is_always_high(urgency, impact):
    # given / when
    priority = derive_priority(impact=impact, urgency=urgency, is_security=True)

    # then
    assert priority == "high"


@pytest.mark.django_db
@pytest.mark.parametrize(("urgency", "impact", "expected"), DESIGN_TABLE)
def test_submit_stores_derived_priority(alice, api, urgency, impact, expected):
    # given
    make_category("hardware-printer")
    body = {
        "title": "Printer jammed",
        "description": "Paper jam on every job",
        "category": "hardware-printer",
        "impact": impact,
        "urgency": urgency,
    }

    # when
    response = api(alice).post("/api/v1/tickets/", body, format="json")

    # then
    assert response.status_code == 201, response.json()
    assert response.json()["priority"] == expected
    assert Ticket.objects.get(number=response.json()["number"]).priority == expected


@pytest.mark.django_db
def test_submit_in_security_category_stores_high_even_for_the_mildest_cell(alice):
    # given
    category = make_category("security-phishing", is_security=True)

    # when
    ticket = make_ticket(
        requester=alice, category=category, impact=Impact.SINGLE, urgency=Urgency.EXPERIENCE
    )

    # then
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.HIGH


@pytest.mark.django_db
def test_submit_in_child_of_security_category_stores_high(alice):
    # given
    parent = make_category("security", is_security=True)
    child = make_category("security-odd-popups", parent=parent, is_security=False)

    # when
    ticket = make_ticket(
        requester=alice, category=child, impact=Impact.SINGLE, urgency=Urgency.EXPERIENCE
    )

    # then
    assert ticket.priority == Priority.HIGH
