"""The people pages: the team skills matrix (tech leads, managers), one engineer's skills,
sites, calendar and automatic assignment (tech leads edit), and "my skills" (engineers).

Adapters: parse, call a service or selector, render. 403 for a page one may not open, 404
for a username that is no engineer, form errors (400) for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Site, User
from people import permissions, selectors
from people.forms import EngineerForm, MatrixFilterForm
from people.models import EngineerProfile, Skill
from people.services import profiles, skills
from tickets import selectors as ticket_selectors
from tickets.models import Category
from tickets.views.common import run_form, signed_in_user

PAGE_SIZE = 50


@dataclass(frozen=True)
class MatrixRow:
    """One engineer's line of the matrix: a cell (their skill or ``None``) per category."""

    engineer: User
    cells: list[tuple[Category, Skill | None]]
    load: selectors.Load
    sites: list[Site]
    profile: EngineerProfile | None


def _categories() -> list[Category]:
    return list(ticket_selectors.categories_in_tree_order())


def _rows(people: list[User], categories: list[Category]) -> list[MatrixRow]:
    rows = []
    for person in people:
        held = {skill.category_id: skill for skill in person.skills.all()}
        rows.append(
            MatrixRow(
                engineer=person,
                cells=[(category, held.get(category.pk)) for category in categories],
                load=selectors.load_of(person),
                sites=selectors.covered_sites(person),
                profile=selectors.profile_of(person),
            )
        )
    return rows


@login_required
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    """Engineers × categories with each one's level, load, sites and calendar; filtered by
    name, a site they cover, a category they have."""
    user = signed_in_user(request)
    if not permissions.can_view_team(user):
        raise PermissionDenied
    categories = _categories()
    form = MatrixFilterForm(request.GET, categories=categories)
    params = form.cleaned_data if form.is_valid() else {}
    people = selectors.team(
        site=params.get("site"), category=params.get("category"), q=params.get("q", "")
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        {
            key: value
            for key, value in {
                "q": params.get("q", ""),
                "site": getattr(params.get("site"), "code", ""),
                "category": getattr(params.get("category"), "slug", ""),
            }.items()
            if value
        }
    )
    return render(
        request,
        "people/matrix.html",
        {
            "form": form,
            "categories": categories,
            "rows": _rows(list(page.object_list), categories),
            "page": page,
            "query": query,
            "filtered": bool(query),
            "can_edit": permissions.can_edit_team(user),
            "nav": "team",
            "people_tab": "matrix",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def engineer_edit(request: HttpRequest, username: str) -> HttpResponse:
    """A tech lead sets an engineer's skills, sites, calendar and automatic assignment."""
    user = signed_in_user(request)
    if not permissions.can_edit_team(user):
        raise PermissionDenied
    try:
        engineer = selectors.get_engineer(username[:150])
    except User.DoesNotExist:
        raise Http404 from None
    categories = _categories()
    profile = selectors.profile_of(engineer)
    status = 200
    if request.method == "POST":
        form = EngineerForm(request.POST, categories=categories)

        def save(data: dict[str, Any]) -> None:
            with transaction.atomic():
                skills.set_skills(engineer, form.skills(), actor=user)
                profiles.update_profile(
                    engineer,
                    actor=user,
                    sites=data["sites"],
                    calendar=data["calendar"],
                    auto_assign=data["auto_assign"],
                )

        refused = run_form(form, save)
        if refused is None:
            messages.success(
                request, _("Saved %(name)s's skills and working hours.") % {"name": engineer.name}
            )
            return redirect("people:matrix")
        status = refused.status
    else:
        initial: dict[str, Any] = {
            EngineerForm.skill_field(skill.category): str(skill.level)
            for skill in engineer.skills.all()
        }
        initial.update(
            sites=selectors.covered_sites(engineer),
            calendar=profile.calendar if profile else None,
            auto_assign=profile.auto_assign if profile else True,
        )
        form = EngineerForm(initial=initial, categories=categories)
    return render(
        request,
        "people/edit.html",
        {
            "form": form,
            "engineer": engineer,
            "load": selectors.load_of(engineer),
            "nav": "team",
            "people_tab": "matrix",
        },
        status=status,
    )


@login_required
@require_GET
def my_skills(request: HttpRequest) -> HttpResponse:
    """An engineer's own skills (and where each came from: a lead, a training passed), the
    sites and working hours they cover, whether automatic assignment picks them."""
    user = signed_in_user(request)
    if not permissions.has_own_skills(user):
        raise PermissionDenied
    try:
        me = selectors.get_engineer(user.username)
    except User.DoesNotExist:  # a custom role that works the queue without the group
        raise PermissionDenied from None
    profile = selectors.profile_of(me)
    return render(
        request,
        "people/mine.html",
        {
            "me": me,
            "skills": list(me.skills.all()),
            "sites": selectors.covered_sites(me),
            "profile": profile,
            "load": selectors.load_of(me),
            "nav": "team" if permissions.can_view_team(user) else "my_skills",
            "people_tab": "mine",
        },
    )
