"""``/api/v1/knowledge/articles/``: what each reader gets, what writers may send."""

from __future__ import annotations

import pytest

from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article
from knowledge.services import articles as services
from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db

S = ArticleStatus
LIST = "/api/v1/knowledge/articles/"


def _one(article):
    return f"{LIST}{article.pk}/"


def _article(by, title, *, status=S.PUBLISHED, audience=Audience.PUBLIC, **extra):
    return services.create_article(
        by=by,
        title=title,
        symptom=extra.pop("symptom", f"{title} 的现象"),
        status=status,
        audience=audience,
        **extra,
    )


@pytest.fixture
def library(tom, bob):
    printers = make_category("printers", name="打印机", name_en="Printers")
    return {
        "public": _article(tom, "公开 PUB1", category=printers, scenarios=["HP M404dn"]),
        "internal": _article(tom, "内部 INT1", audience=Audience.INTERNAL),
        "draft": _article(bob, "草稿 DRF1", status=S.DRAFT, audience=Audience.PUBLIC),
    }


def _titles(response):
    return sorted(row["title"] for row in response.json()["results"])


def test_requesters_list_only_published_public_articles(library, api, alice):
    # when
    response = api(alice).get(LIST)

    # then
    assert response.status_code == 200
    assert _titles(response) == ["公开 PUB1"]
    assert response.json()["count"] == 1


def test_requesters_get_404_for_internal_and_unpublished_articles(library, api, alice):
    client = api(alice)
    assert client.get(_one(library["public"])).status_code == 200
    for key in ("internal", "draft"):
        response = client.get(_one(library[key]))
        assert response.status_code == 404
        assert library[key].title not in response.content.decode()
        assert client.patch(_one(library[key]), {"title": "x"}, format="json").status_code == 404


def test_requesters_asking_for_internal_ones_find_none(library, api, alice):
    response = api(alice).get(LIST, {"audience": "internal", "status": "draft"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_staff_filter_by_category_tag_status_and_audience(library, api, bob):
    client = api(bob)
    assert _titles(client.get(LIST)) == ["公开 PUB1", "内部 INT1", "草稿 DRF1"]
    assert _titles(client.get(LIST, {"category": "printers"})) == ["公开 PUB1"]
    assert _titles(client.get(LIST, {"tag": "HP M404dn"})) == ["公开 PUB1"]
    assert _titles(client.get(LIST, {"status": "draft"})) == ["草稿 DRF1"]
    assert _titles(client.get(LIST, {"audience": "internal"})) == ["内部 INT1"]


def test_q_searches_and_each_hit_carries_its_snippet(library, api, bob):
    # when
    response = api(bob).get(LIST, {"q": "INT1"})

    # then
    [row] = response.json()["results"]
    assert row["title"] == "内部 INT1" and row["snippet"] is not None


@pytest.mark.parametrize("param", [{"status": "deleted"}, {"audience": "all"}, {"q": "x" * 201}])
def test_a_bad_filter_is_a_400_naming_it(library, api, bob, param):
    response = api(bob).get(LIST, param)
    assert response.status_code == 400
    assert set(response.json()) == set(param)


def test_an_engineer_posts_a_draft(api, bob):
    # given
    make_category("printers", name="打印机", name_en="Printers")

    # when
    response = api(bob).post(
        LIST,
        {
            "title": "打印机卡纸",
            "symptom": "每 10 页卡纸",
            "cause": "搓纸轮老化",
            "steps": ["取出卡纸", "更换搓纸轮"],
            "scenarios": ["HP LaserJet M404dn", "Windows 10 22H2"],
            "category": "printers",
            "audience": "public",
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["category"] == "printers"
    assert body["steps"] == ["取出卡纸", "更换搓纸轮"]
    assert body["scenarios"] == ["HP LaserJet M404dn", "Windows 10 22H2"]
    assert body["author"]["username"] == "bob" and body["revision"] == 1


def test_an_engineer_may_not_post_it_published_a_tech_lead_may(api, bob, tom):
    # given
    body = {"title": "VPN 断开", "symptom": "每几分钟断开", "status": "published"}

    # when
    refused = api(bob).post(LIST, body, format="json")
    created = api(tom).post(LIST, body, format="json")

    # then
    assert refused.status_code == 400 and "status" in refused.json()
    assert created.status_code == 201
    assert created.json()["status"] == "published"
    assert created.json()["reviewed_by"]["username"] == "tom"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"symptom": "x"}, "title"),
        ({"title": "x"}, "symptom"),
        ({"title": "x", "symptom": "x", "steps": "一步"}, "steps"),
        ({"title": "x", "symptom": "x", "steps": [1, {"a": 2}]}, "steps"),
        ({"title": "x", "symptom": "x", "scenarios": ["x" * 101]}, "scenarios"),
        ({"title": "x", "symptom": "x", "category": "no-such"}, "category"),
        ({"title": "x", "symptom": "x", "audience": "world"}, "audience"),
        ({"title": "两行\n标题", "symptom": "x"}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, bob, body, field):
    response = api(bob).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Article.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_requesters_and_managers_may_not_post(api, persona, request):
    response = api(request.getfixturevalue(persona)).post(
        LIST, {"title": "x", "symptom": "y"}, format="json"
    )
    assert response.status_code == 403


def test_patch_changes_the_fields_given_in_a_new_revision(library, api, erin):
    # given
    article = library["draft"]

    # when
    response = api(erin).patch(
        _one(article),
        {"cause": "纸张尺寸不对", "scenarios": ["Windows 11"], "note": "补充"},
        format="json",
    )

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["cause"] == "纸张尺寸不对"
    assert response.json()["scenarios"] == ["Windows 11"]
    assert response.json()["revision"] == 2
    assert article.revisions.get(number=2).note == "补充"


def test_patching_the_status_follows_the_review_rules(library, api, bob, tom):
    # when
    refused = api(bob).patch(_one(library["draft"]), {"status": "published"}, format="json")
    published = api(tom).patch(_one(library["draft"]), {"status": "published"}, format="json")
    wrong = api(tom).patch(_one(library["draft"]), {"status": "reviewed"}, format="json")

    # then
    assert refused.status_code == 400 and "status" in refused.json()
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert wrong.status_code == 400 and "status" in wrong.json()


def test_a_requester_reading_a_public_article_may_not_change_it(library, api, alice):
    response = api(alice).patch(_one(library["public"]), {"title": "改了"}, format="json")
    assert response.status_code == 403


def test_the_source_ticket_is_named_only_to_who_may_see_it(api, tom, alice, carol):
    # given
    ticket = make_ticket(requester=alice, title="打印机问题")
    article = _article(tom, "由工单写成", source_ticket=ticket)

    # when
    as_alice = api(alice).get(_one(article)).json()
    as_carol = api(carol).get(_one(article)).json()

    # then
    assert as_alice["source_ticket"] == ticket.number
    assert as_carol["source_ticket"] is None


def test_the_list_runs_a_fixed_number_of_queries(api, tom, alice, django_assert_num_queries):
    # given: more than a page
    for n in range(55):
        ticket = make_ticket(requester=alice, title=f"工单 {n}") if n % 5 == 0 else None
        _article(tom, f"文章 {n}", scenarios=[f"OS {n}", "Windows 10"], source_ticket=ticket)
    client = api(alice)
    client.get(LIST)  # her permissions are read once per user object

    # when / then: the page, its scenarios, the source tickets she may see, the count
    with django_assert_num_queries(4):
        response = client.get(LIST, {"page": 1})
    assert len(response.json()["results"]) == 50 and response.json()["count"] == 55
    shown = [row["source_ticket"] for row in response.json()["results"]]
    assert sum(1 for number in shown if number) == 10
