"""The survey answered by IM (R5.3): ``1``–``5`` sent to the desk after the invitation.

Registered with ``channels.commands`` (``feedback.registration``). One number rates the
three dimensions alike (speed = quality = attitude = n); the comment and suggestions stay
empty — the survey's page takes them, and changes, within its window. Only a survey still
waiting for its first answer is answered: the newest of the sender's, whose ticket is
verified (closed surveys and answered ones are left alone, so a stray "3" changes nothing).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from accounts.models import User
from channels.commands import Answer, CommandCall
from feedback import services
from feedback.models import Survey
from tickets.choices import TicketState

RATING = re.compile(r"[1-5]")


def open_survey_of(user: User) -> Survey | None:
    """The sender's newest survey waiting for its first answer, on a verified ticket."""
    return (
        Survey.objects.filter(
            requester=user,
            answered_at__isnull=True,
            close_at__isnull=False,
            ticket__state=TicketState.VERIFIED,
        )
        .select_related("ticket")
        .order_by("-invited_at", "-pk")
        .first()
    )


def rate_by_im(call: CommandCall) -> Answer:
    survey = open_survey_of(call.user)
    if survey is None:
        return Answer(_("No satisfaction survey is waiting for your rating."))
    rating = int(call.match.group(0))
    services.answer_survey(
        survey.ticket_id, actor=call.user, speed=rating, quality=rating, attitude=rating
    )
    return Answer(
        _("Thank you for rating ticket %(number)s: %(rating)d of 5.")
        % {"number": survey.ticket.number, "rating": rating},
        ticket_id=survey.ticket_id,
    )
