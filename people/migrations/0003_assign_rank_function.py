"""``people_assign_rank(category, parent, site, role, round_robin)``: the statement each
filing runs to choose its engineer (``people.assignment.pick``), as a PL/pgSQL function so
that PostgreSQL keeps its plan for the connection's life (``plan_cache_mode =
force_generic_plan``): planning it on every filing cost about 1 ms of the database's CPU,
more than running it.

It returns, per calendar of the eligible engineers (``NULL``: the desk's default), the one
the mode would choose among them and the first expert, with how many engineers and experts
work by that calendar; Python then keeps the calendars that are on shift (business hours
are ``servicedesk.lib.business_hours``'s) and takes the best of their firsts.

Eligible, as ``people.assignment.eligible_now`` decides it row by row (a test holds the two
to the same answers): a skill at level 2 or more in the category or its parent (the higher
of the two counts), active, a group of theirs granting ``role`` (``work_ticket``:
``tickets.selectors.engineers``), on automatic assignment (no profile: on), covering the
site (no sites: every site; a ticket without a site: anyone) and allowed to see it (not
limited to sites, limited to this one, or a superuser). Order: ``least_loaded`` the
weighted open load, the higher level, who waited longest (never assigned first), the
username; ``round_robin`` who waited longest, the username (byte order, as Python's).

Reversing drops the function.
"""

from django.db import migrations

# The SQL below is this file's constants only (no input): S608 does not apply.
# ruff: noqa: S608

ELIGIBLE = """
    SELECT u.id, u.username, s.level, p.calendar_id, p.last_assigned_at,
        coalesce(l.open_tickets, 0) AS open_tickets, coalesce(l.weighted, 0) AS weighted
    FROM (
        SELECT engineer_id, max(level) AS level FROM people_skill
        WHERE category_id IN (p_category, p_parent) AND level >= 2
        GROUP BY engineer_id
    ) s
    JOIN accounts_user u ON u.id = s.engineer_id AND u.is_active
    LEFT JOIN people_engineerprofile p ON p.user_id = u.id
    LEFT JOIN people_engineerload l ON l.engineer_id = u.id
    WHERE p.auto_assign IS NOT FALSE
        AND EXISTS (
            SELECT 1 FROM accounts_user_groups ug
            JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
            JOIN auth_permission ap ON ap.id = gp.permission_id
            WHERE ug.user_id = u.id AND ap.codename = p_role
        )
        AND (
            p_site IS NULL
            OR NOT EXISTS (
                SELECT 1 FROM people_engineerprofile_sites c WHERE c.engineerprofile_id = p.id
            )
            OR EXISTS (
                SELECT 1 FROM people_engineerprofile_sites c
                WHERE c.engineerprofile_id = p.id AND c.site_id = p_site
            )
        )
        AND (
            u.is_superuser
            OR NOT EXISTS (SELECT 1 FROM accounts_user_limited_to_sites x WHERE x.user_id = u.id)
            OR EXISTS (
                SELECT 1 FROM accounts_user_limited_to_sites x
                WHERE x.user_id = u.id AND x.site_id = p_site
            )
        )
"""

ORDER = {
    "least_loaded": 'weighted, level DESC, last_assigned_at NULLS FIRST, username COLLATE "C"',
    "round_robin": 'last_assigned_at NULLS FIRST, username COLLATE "C"',
}


def _ranked(order: str) -> str:
    return f"""
    SELECT id, username, level, calendar_id, last_assigned_at, open_tickets, weighted,
        n, experts, pos = 1, level >= 3 AND expert_pos = 1
    FROM (
        SELECT e.*, count(*) OVER by_calendar AS n,
            count(*) FILTER (WHERE level >= 3) OVER by_calendar AS experts,
            row_number() OVER (by_calendar ORDER BY {order}) AS pos,
            row_number() OVER (PARTITION BY calendar_id, level >= 3 ORDER BY {order})
                AS expert_pos
        FROM ({ELIGIBLE}) e
        WINDOW by_calendar AS (PARTITION BY calendar_id)
    ) ranked
    WHERE pos = 1 OR (level >= 3 AND expert_pos = 1)
    """


FORWARD = f"""
CREATE FUNCTION people_assign_rank(
    p_category bigint, p_parent bigint, p_site bigint, p_role text, p_round_robin boolean
)
RETURNS TABLE (
    id bigint,
    username varchar,
    level smallint,
    calendar_id bigint,
    last_assigned_at timestamptz,
    open_tickets integer,
    weighted integer,
    n bigint,
    experts bigint,
    first boolean,
    first_expert boolean
)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    IF p_round_robin THEN
        RETURN QUERY {_ranked(ORDER["round_robin"])};
    ELSE
        RETURN QUERY {_ranked(ORDER["least_loaded"])};
    END IF;
END
$$
"""

BACKWARD = "DROP FUNCTION IF EXISTS people_assign_rank(bigint, bigint, bigint, text, boolean)"


class Migration(migrations.Migration):
    dependencies = [("people", "0002_engineer_load")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
