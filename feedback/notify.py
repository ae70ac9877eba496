"""Who hears about surveys. The outbox (``notifications``) only delivers.

* A ticket verified (by anyone, or by the system): its requester is invited to rate the
  service, in the app and by e-mail (``survey_invited``, rendered in her language), with the
  ticket's page as the link and the last day before it closes by itself.
* A rating of 2 or less in any dimension: the tech leads who may see the ticket (R7.2 site
  limits), once per survey (``survey_low_rating``).

Rows are written inside the transaction that causes them; each names its cause, so a cause
written twice notifies once.
"""

from __future__ import annotations

import datetime as dt

from feedback.choices import DIMENSIONS, SurveyNotice
from feedback.models import Survey
from notifications import outbox
from tickets.models import Ticket
from tickets.notify import ticket_link
from tickets.selectors import serving, tech_leads


def invite(ticket: Ticket, survey: Survey, *, answer_by: dt.date, now: dt.datetime) -> None:
    """Ask the requester to rate the service of ``ticket`` (one invitation per verification:
    a ticket verified again after a reopen asks again)."""
    outbox.save_and_dispatch(
        outbox.build(
            recipients=[survey.requester],
            kind=SurveyNotice.INVITED,
            cause=f"survey:{survey.pk}:invited:{now.isoformat()}",
            now=now,
            link=ticket_link(ticket),
            payload={
                "number": ticket.number,
                "title": ticket.title,
                "answer_by_day": answer_by.isoformat(),
            },
        )
    )


def low_rating(ticket: Ticket, survey: Survey, *, now: dt.datetime) -> None:
    """Tell the tech leads who may see the ticket that its requester rated 2 or less."""
    outbox.save_and_dispatch(
        outbox.build(
            recipients=serving(tech_leads(), ticket.site_id),
            kind=SurveyNotice.LOW_RATING,
            cause=f"survey:{survey.pk}:low_rating",
            now=now,
            link=ticket_link(ticket),
            payload={
                "number": ticket.number,
                "title": ticket.title,
                "requester": ticket.requester.name,
                "assignee": ticket.assignee.name if ticket.assignee else "",
                **{name: getattr(survey, name) for name in DIMENSIONS},
            },
        )
    )
