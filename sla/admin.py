"""Admin pages for the SLA engine: business calendars, their days and sites, and the policies.

A calendar whose holidays are not known for next year is flagged ("holidays
unknown after 2026") in the list and on its page: dates after that year follow
the weekly pattern until someone adds the year here, uploads a CSV or ICS file
on the calendar's "Import holidays" page, or runs ``manage.py import_calendar``
(the page and the command call the same service).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sla.models import BusinessCalendar, CalendarDay, SiteCalendar, SlaPolicy
from sla.services import CalendarImportError, import_calendar_days

MAX_IMPORT_BYTES = 1024 * 1024  # a calendar file is a few kilobytes


def coverage_warning(calendar: BusinessCalendar, today: dt.date | None = None) -> str | None:
    """The flag text when next year's holidays are unknown, else ``None``."""
    year = (today or timezone.localdate()).year
    if calendar.covered_through is None:
        return gettext("Holidays unknown: every date follows the weekly pattern.")
    if calendar.covered_through < year + 1:
        return gettext("Holidays unknown after %(year)s.") % {"year": calendar.covered_through}
    return None


class CalendarDayInline(admin.TabularInline[CalendarDay, BusinessCalendar]):
    """This year's and later days; older ones are under "Calendar days"."""

    model = CalendarDay
    extra = 0
    fields = ("date", "kind", "name", "hours")
    ordering = ("date",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarDay]:
        return super().get_queryset(request).filter(date__year__gte=timezone.localdate().year)


class SiteCalendarInline(admin.TabularInline[SiteCalendar, BusinessCalendar]):
    model = SiteCalendar
    fk_name = "calendar"
    extra = 0
    fields = ("site",)
    verbose_name = _("site using this calendar")
    verbose_name_plural = _("sites using this calendar")


class CalendarFileForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file"),
        help_text=_(
            "CSV lines date,kind,name (kind: holiday or workday), or an ICS calendar of "
            "all-day events (a summary with 班 or “workday” marks a worked day)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.ics,text/csv,text/calendar"}),
    )

    def clean_file(self) -> tuple[str, str]:
        """The file's name (it tells CSV from ICS) and its text."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("A calendar file is at most 1 MB."))
        try:
            text: str = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Not a UTF-8 text file.")) from None
        return upload.name or "calendar.csv", text


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ("name", "time_zone", "is_default", "covered_through", "coverage")
    fields = ("name", "time_zone", "weekly_hours", "is_default", "covered_through", "coverage")
    readonly_fields = ("coverage",)
    inlines = [CalendarDayInline, SiteCalendarInline]

    @admin.display(description=_("holidays"))
    def coverage(self, obj: BusinessCalendar) -> str:
        warning = coverage_warning(obj)
        if warning:
            return format_html('<strong class="errornote sla-coverage">⚠ {}</strong>', warning)
        return gettext("Known through %(year)s.") % {"year": obj.covered_through}

    def get_form(
        self,
        request: HttpRequest,
        obj: BusinessCalendar | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[BusinessCalendar]]:
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["weekly_hours"].help_text = gettext(
            'Seven lists, Monday first, of "HH:MM-HH:MM" intervals; two intervals make a '
            'lunch break. Example: [["09:00-12:00", "13:00-18:00"], … , [], []]'
        )
        return form

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="sla_businesscalendar_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Upload a year of holidays into this calendar (``sla.services.import_calendar_days``)."""
        calendar = self.get_object(request, object_id)
        if calendar is None:
            raise Http404
        if not self.has_change_permission(request, calendar):
            raise PermissionDenied
        form = CalendarFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            name, text = form.cleaned_data["file"]
            try:
                result = import_calendar_days(name, text, calendar_name=calendar.name)
            except CalendarImportError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    gettext(
                        "%(days)d days loaded: %(holidays)d holidays, %(workdays)d adjusted "
                        "working days (%(new)d new, %(updated)d updated); holidays known "
                        "through %(year)s."
                    )
                    % {
                        "days": result.days,
                        "holidays": result.holidays,
                        "workdays": result.workdays,
                        "new": result.new,
                        "updated": result.updated,
                        "year": result.covered_through,
                    },
                )
                return HttpResponseRedirect(
                    reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": calendar,
            "title": gettext("Import holidays into %(name)s") % {"name": calendar.name},
            "form": form,
        }
        status = 400 if form.errors else 200
        return TemplateResponse(
            request, "admin/sla/businesscalendar/import.html", context, status=status
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        calendar = self.get_object(request, object_id)
        if request.method == "GET" and calendar is not None:
            warning = coverage_warning(calendar)
            if warning:
                messages.warning(
                    request,
                    warning
                    + " "
                    + gettext(
                        "Add the holidays and adjusted working days below, import a file with "
                        "“Import holidays”, or run manage.py import_calendar FILE."
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "kind", "name", "calendar")
    list_filter = ("calendar", "kind")
    date_hierarchy = "date"
    search_fields = ("name",)
    list_select_related = ("calendar",)


RETRIAGE_HELP = _(
    "Applies when a ticket is moved to this priority. Restart (the default): a clock not yet "
    "met (no response yet, not yet resolved) starts again at the change with this priority's "
    "budget, on the ticket's calendar; the time already spent stays in the SLA explanation, a "
    "lower priority never makes a deadline earlier than the one already promised, and the "
    "change itself never makes the ticket overdue. Recalculate from the filing time: both "
    "deadlines are worked out as if the ticket had been filed with this priority, so it can be "
    "overdue at once; the next SLA sweep records and announces the breach."
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = (
        "priority",
        "respond_minutes",
        "respond_24x7",
        "resolve_minutes",
        "resolve_24x7",
        "warn_percent",
        "retriage_rule",
    )

    def get_form(
        self,
        request: HttpRequest,
        obj: SlaPolicy | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[SlaPolicy]]:
        kwargs.setdefault("help_texts", {})["retriage_rule"] = RETRIAGE_HELP
        return super().get_form(request, obj, change, **kwargs)
