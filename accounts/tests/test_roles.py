"""Roles are groups of permissions; every check asks for a permission, never a group name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from accounts.models import User
from accounts.permissions import Capabilities, capabilities
from accounts.roles import Role, ensure_role_groups, role_permissions
from accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

EXPECTED = {
    "alice": Capabilities(file_ticket=True),
    "carol": Capabilities(file_ticket=True),
    "bob": Capabilities(
        file_ticket=True,
        work_queue=True,
        view_all=True,
        view_internal=True,
        log_call=True,
        view_vendors=True,
        view_incidents=True,
        work_incidents=True,
        view_assets=True,
        add_assets=True,
        edit_assets=True,
        read_internal_articles=True,
        use_scripts=True,
        write_articles=True,
        attend_training=True,
    ),
    "erin": Capabilities(
        file_ticket=True,
        work_queue=True,
        view_all=True,
        view_internal=True,
        log_call=True,
        view_vendors=True,
        view_incidents=True,
        work_incidents=True,
        view_assets=True,
        add_assets=True,
        edit_assets=True,
        read_internal_articles=True,
        use_scripts=True,
        write_articles=True,
        attend_training=True,
    ),
    "tom": Capabilities(
        file_ticket=True,
        work_queue=True,
        view_all=True,
        view_internal=True,
        log_call=True,
        assign=True,
        lead=True,
        view_reports=True,
        view_surveys=True,
        view_vendors=True,
        manage_vendors=True,
        view_incidents=True,
        work_incidents=True,
        view_assets=True,
        add_assets=True,
        edit_assets=True,
        import_assets=True,
        read_internal_articles=True,
        use_scripts=True,
        write_articles=True,
        review_articles=True,
        view_team=True,
        edit_team=True,
        attend_training=True,
        view_training=True,
        manage_training=True,
    ),
    "dave": Capabilities(
        view_all=True,
        view_internal=True,
        view_reports=True,
        view_surveys=True,
        view_vendors=True,
        view_incidents=True,
        view_assets=True,
        read_internal_articles=True,
        use_scripts=True,
        view_team=True,
        view_training=True,
    ),
    # A superuser: every capability, though the admin role grants no queue work (see below).
    "admin": Capabilities(
        file_ticket=True,
        work_queue=True,
        view_all=True,
        view_internal=True,
        log_call=True,
        assign=True,
        lead=True,
        view_reports=True,
        view_surveys=True,
        view_vendors=True,
        manage_vendors=True,
        view_incidents=True,
        work_incidents=True,
        view_assets=True,
        add_assets=True,
        edit_assets=True,
        import_assets=True,
        admin=True,
        read_internal_articles=True,
        use_scripts=True,
        write_articles=True,
        review_articles=True,
        manage_glossary=True,
        view_team=True,
        edit_team=True,
        attend_training=True,
        view_training=True,
        manage_training=True,
    ),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_persona_has_the_capabilities_of_its_role(request, persona):
    # given
    user = request.getfixturevalue(persona)

    # when
    caps = capabilities(user)

    # then
    assert caps == EXPECTED[persona]


def test_role_groups_are_created_idempotently():
    # given
    ensure_role_groups()
    first = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }

    # when
    ensure_role_groups()

    # then
    second = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert first == second
    assert set(first) >= set(Role.values)
    for role, perms in role_permissions().items():
        assert first[role] == {p.split(".")[1] for p in perms}


def test_admin_role_makes_staff_and_superuser(admin):
    # then
    assert admin.is_staff
    assert admin.is_superuser


def test_admin_role_alone_does_not_put_a_person_in_the_queue(admin):
    # given: the admin role's own grants (its holders are superusers and pass every check)
    grants = set(Group.objects.get(name=Role.ADMIN).permissions.values_list("codename", flat=True))

    # then: not an assignee, a tech lead or an SLA-alert recipient by that role alone
    assert not grants & {"work_ticket", "lead_ticket", "assign_ticket"}
    assert {"view_all_tickets", "view_internal"} <= grants
    assert capabilities(admin).work_queue and capabilities(admin).assign


def test_custom_group_with_the_same_permissions_works_like_the_role():
    # given: an admin-built role, not named like any built-in one
    group = Group.objects.create(name="night shift")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="tickets", codename__in=["work_ticket", "view_all_tickets"]
        )
    )
    user = User.objects.create_user("nina", password=PASSWORD)
    user.groups.add(group)
    user = User.objects.get(pk=user.pk)

    # when
    caps = capabilities(user)

    # then
    assert caps.work_queue
    assert caps.view_all
    assert not caps.file_ticket
    assert not caps.lead


def test_inactive_user_has_no_capabilities():
    # given
    user = make_user("gone", Role.ENGINEER, is_active=False)

    # when / then
    assert capabilities(user) == Capabilities()


def test_anonymous_user_has_no_capabilities():
    assert capabilities(AnonymousUser()) == Capabilities()


def test_user_name_falls_back_from_display_name_to_full_name_to_username():
    # given
    plain = User.objects.create_user("li.wei")
    full = User.objects.create_user("zhang", first_name="San", last_name="Zhang")
    shown = User.objects.create_user("wang", display_name="王五")

    # then
    assert plain.name == "li.wei"
    assert full.name == "San Zhang"
    assert shown.name == "王五"


def test_api_token_login_and_use(bob, api):
    # given
    anonymous = api(None)

    # when
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 200
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert anonymous.get("/api/v1/tickets/").status_code == 200


def test_api_token_with_wrong_password_is_refused(bob, api):
    # when
    response = api(None).post(
        "/api/v1/auth/token/", {"username": "bob", "password": "wrong"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "token" not in response.json()


def test_api_without_credentials_is_refused(api):
    # when
    response = api(None).get("/api/v1/tickets/")

    # then
    assert response.status_code in (401, 403)
