"""The accounts part of the demo data (``manage.py load_demo``): offices, departments, people.

``demo/registry.py`` finds this module and runs ``load`` first, since every
later part needs the offices and people made here. The site ``sh-hq`` is the
marker: its presence means the demo data is loaded. Every demo account has the
same published password, printed with the logins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.utils import translation

from accounts.models import Department, Site, User
from accounts.roles import Role, assign_role

# Every demo account has this password; the command prints it with the logins.
DEMO_PASSWORD = "demo12345"  # noqa: S105 (a published demo password, never a real one)
# The site whose presence means "the demo data is loaded".
MARKER_SITE = "sh-hq"


class Context(Protocol):
    """What this part fills in of the demo context, keyed by site code, name and username."""

    sites: dict[str, Site]
    departments: dict[str, Department]
    users: dict[str, User]


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    city: str
    local_it_contacts: str
    time_zone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    role: str
    site: str  # site code
    department: str  # department name
    phone: str
    employee_id: str  # 工号
    language: str = ""  # "" follows the browser; "zh-hans" or "en" is a saved choice

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


SITES = [
    SiteSpec(
        code=MARKER_SITE,
        name="上海总部",
        city="Shanghai",
        local_it_contacts=(
            "IT服务台 021-6088 8000（工作日 9:00-18:00）\n李强 分机 8011，bob@example.com"
        ),
    ),
    SiteSpec(
        code="bj",
        name="北京分公司",
        city="Beijing",
        local_it_contacts="驻场IT专员 赵敏 010-8566 2021，erin@example.com",
    ),
    SiteSpec(
        code="sz",
        name="深圳办公室",
        city="Shenzhen",
        local_it_contacts="无驻场IT，由上海总部远程支持；现场协助请联系前台 0755-8633 1000",
    ),
]

# (department name, site code): each department belongs to the office it sits in.
DEPARTMENTS = [
    ("财务部", "sh-hq"),
    ("人力资源部", "sh-hq"),
    ("销售部", "bj"),
    ("研发部", "sz"),
    ("IT部", "sh-hq"),
]

USERS = [
    UserSpec(
        "alice", "王丽", Role.REQUESTER, "sh-hq", "财务部", "138 0210 1001", "E10021", "zh-hans"
    ),
    UserSpec("carol", "陈晨", Role.REQUESTER, "bj", "销售部", "139 1010 2002", "E20045", "zh-hans"),
    UserSpec(
        "frank", "Frank Miller", Role.REQUESTER, "sz", "研发部", "+86 135 0755 3003", "E30012", "en"
    ),
    UserSpec("bob", "李强", Role.ENGINEER, "sh-hq", "IT部", "021-6088 8011", "E10008", "zh-hans"),
    UserSpec("erin", "赵敏", Role.ENGINEER, "bj", "IT部", "010-8566 2021", "E20003", "zh-hans"),
    UserSpec("tom", "张涛", Role.TECH_LEAD, "sh-hq", "IT部", "021-6088 8001", "E10002", "zh-hans"),
    UserSpec("dave", "刘洋", Role.MANAGER, "sh-hq", "IT部", "021-6088 8000", "E10001", "zh-hans"),
    UserSpec("admin", "系统管理员", Role.ADMIN, "sh-hq", "IT部", "021-6088 8099", "E10000"),
]


# --- the hooks demo/registry.py calls ---------------------------------------------


def is_loaded() -> bool:
    return Site.objects.filter(code=MARKER_SITE).exists()


def conflicts() -> list[str]:
    """Demo usernames someone else already took: the demo never touches their accounts."""
    taken = sorted(
        User.objects.filter(username__in=[u.username for u in USERS]).values_list(
            "username", flat=True
        )
    )
    return [f"users already exist: {', '.join(taken)}"] if taken else []


def load(context: Context) -> None:
    context.sites.update({spec.code: _site(spec) for spec in SITES})
    context.departments.update(
        {
            name: Department.objects.get_or_create(name=name, site=context.sites[code])[0]
            for name, code in DEPARTMENTS
        }
    )
    context.users.update({spec.username: _user(spec, context) for spec in USERS})


def summary(context: Context) -> list[str]:
    return [
        f"{len(context.sites)} sites",
        f"{len(context.departments)} departments",
        f"{len(context.users)} users",
    ]


def logins() -> list[tuple[str, str, str, str]]:
    """(username, name, role, password) of every demo account, for the logins table; the role
    in Chinese and English, for whoever reads the terminal."""

    def role(value: str) -> str:
        with translation.override("zh-hans"):
            chinese = str(Role(value).label)
        with translation.override("en"):
            english = str(Role(value).label)
        return f"{chinese} / {english}"

    return [(u.username, u.display_name, role(u.role), DEMO_PASSWORD) for u in USERS]


# --- loading ------------------------------------------------------------------------


def _site(spec: SiteSpec) -> Site:
    fields = {
        "name": spec.name,
        "city": spec.city,
        "time_zone": spec.time_zone,
        "local_it_contacts": spec.local_it_contacts,
    }
    if spec.code == MARKER_SITE:
        # Created, never reused: a concurrent loader fails here and rolls back.
        return Site.objects.create(code=spec.code, **fields)
    return Site.objects.get_or_create(code=spec.code, defaults=fields)[0]


def _user(spec: UserSpec, context: Context) -> User:
    user = User.objects.create_user(
        username=spec.username,
        email=spec.email,
        password=DEMO_PASSWORD,
        display_name=spec.display_name,
        phone=spec.phone,
        employee_id=spec.employee_id,
        site=context.sites[spec.site],
        department=context.departments[spec.department],
        language=spec.language,
    )
    assign_role(user, spec.role)
    return user
