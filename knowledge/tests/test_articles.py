"""Writing and reviewing articles: who may, what each status allows, every edit a revision."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from knowledge.choices import ArticleStatus, Audience
from knowledge.diff import diff_lines, diff_revisions
from knowledge.errors import ArticleNotFound
from knowledge.models import Article, Scenario
from knowledge.services import articles as services
from tickets.errors import InvalidTransition
from tickets.tests.factories import make_category

pytestmark = pytest.mark.django_db

S = ArticleStatus


def _draft(author, **overrides):
    fields = {
        "title": "打印机提示缺纸但纸仓已满",
        "symptom": "打印 PDF 时提示缺纸。",
        "steps": ["检查纸张尺寸", "重启 Print Spooler"],
        "scenarios": ["Windows 10 22H2", "HP LaserJet M404dn"],
        **overrides,
    }
    return services.create_article(by=author, **fields)


def test_an_engineer_writes_a_draft_with_its_first_revision(bob):
    # when
    article = _draft(bob, note="首版")

    # then
    assert article.status == S.DRAFT and article.audience == Audience.INTERNAL
    assert article.revision == 1 and article.author == bob
    [revision] = article.revisions.all()
    assert revision.number == 1 and revision.note == "首版" and revision.edited_by == bob
    assert revision.scenarios == ["HP LaserJet M404dn", "Windows 10 22H2"]
    assert revision.steps == ["检查纸张尺寸", "重启 Print Spooler"]


def test_an_engineer_may_not_create_a_published_article(bob):
    # when / then: the refusal names the field
    with pytest.raises(ValidationError) as refused:
        _draft(bob, status=S.PUBLISHED)
    assert "status" in refused.value.message_dict
    assert not Article.objects.exists()


def test_a_tech_lead_creates_it_published_and_is_its_reviewer(tom):
    # when
    article = _draft(tom, status=S.PUBLISHED, audience=Audience.PUBLIC)

    # then
    assert article.status == S.PUBLISHED
    assert article.reviewed_by == tom and article.reviewed_at is not None
    assert article.published_at is not None


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_requesters_and_managers_write_no_articles(persona, request):
    with pytest.raises(PermissionDenied):
        _draft(request.getfixturevalue(persona))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "两行\n标题"),
        ("title", "x" * 201),
        ("symptom", "   "),
        ("steps", "not a list"),
        ("steps", ["x" * 20_001]),
        ("scenarios", ["x" * 101]),
        ("audience", "everyone"),
        ("status", "deleted"),
        ("category", "hardware"),
    ],
)
def test_bad_input_is_refused_naming_the_field(bob, field, value):
    with pytest.raises(ValidationError) as refused:
        _draft(bob, **{field: value})
    assert field in refused.value.message_dict


def test_scenarios_are_reused_whatever_their_letter_case(bob):
    # given
    _draft(bob, scenarios=["Windows 10 22H2"])

    # when
    article = _draft(bob, scenarios=["windows 10 22h2", " Outlook  2019 ", "OUTLOOK 2019"])

    # then
    assert Scenario.objects.count() == 2  # Windows 10 22H2 and Outlook 2019, each once
    assert sorted(s.name for s in article.scenarios.all()) == ["Outlook 2019", "Windows 10 22H2"]


def test_every_edit_is_a_revision_and_the_diff_shows_what_changed(bob, erin):
    # given
    article = _draft(bob)

    # when
    services.update_article(article, by=erin, note="补充原因", cause="纸张尺寸设置为 Letter")
    services.update_article(
        article, by=bob, steps=["检查纸张尺寸", "改为 A4", "重启 Print Spooler"]
    )

    # then
    article.refresh_from_db()
    assert article.revision == 3
    first, second, third = article.revisions.order_by("number")
    assert second.edited_by == erin and second.note == "补充原因"
    changed = {d.name: d for d in diff_revisions(first, third)}
    assert {n for n, d in changed.items() if d.changed} == {"cause", "steps"}
    assert [(line.kind, line.text) for line in changed["steps"].lines] == [
        ("same", "1. 检查纸张尺寸"),
        ("removed", "2. 重启 Print Spooler"),
        ("added", "2. 改为 A4"),
        ("added", "3. 重启 Print Spooler"),
    ]


def test_an_edit_that_changes_nothing_writes_no_revision(bob):
    # given
    article = _draft(bob)

    # when
    services.update_article(article, by=bob, title=article.title, steps=list(article.steps))

    # then
    assert article.revisions.count() == 1


def test_a_writer_changing_a_reviewed_article_sends_it_back_to_draft(bob, tom):
    # given
    article = _draft(bob)
    services.review_article(article.pk, by=tom)

    # when
    services.update_article(article, by=bob, symptom="打印任何文件都提示缺纸。")

    # then
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_a_published_article_stays_published_but_only_a_lead_opens_it_to_requesters(bob, tom):
    # given
    article = _draft(bob)
    services.publish_article(article.pk, by=tom)

    # when / then
    services.update_article(article, by=bob, cause="驱动更新后纸张尺寸被重置")
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    with pytest.raises(ValidationError) as refused:
        services.update_article(article, by=bob, audience=Audience.PUBLIC)
    assert "audience" in refused.value.message_dict
    services.update_article(article, by=tom, audience=Audience.PUBLIC)
    article.refresh_from_db()
    assert article.audience == Audience.PUBLIC


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (S.DRAFT, "review", S.REVIEWED),
        (S.DRAFT, "publish", S.PUBLISHED),
        (S.REVIEWED, "publish", S.PUBLISHED),
        (S.PUBLISHED, "confirm", S.PUBLISHED),
        (S.PUBLISHED, "archive", S.ARCHIVED),
        (S.REVIEWED, "draft", S.DRAFT),
        (S.ARCHIVED, "draft", S.DRAFT),
    ],
)
def test_a_tech_lead_moves_the_status(tom, bob, start, action, end):
    # given
    article = _article_in(start, bob=bob, tom=tom)

    # when
    services.change_status(article.pk, by=tom, action=action, note="复核")

    # then
    article.refresh_from_db()
    assert article.status == end
    latest = article.revisions.order_by("-number").first()
    assert latest.status == end and latest.edited_by == tom and latest.note == "复核"
    if end in (S.REVIEWED, S.PUBLISHED):
        assert article.reviewed_by == tom


@pytest.mark.parametrize(
    ("start", "action"),
    [(S.PUBLISHED, "review"), (S.ARCHIVED, "publish"), (S.DRAFT, "draft"), (S.DRAFT, "confirm")],
)
def test_a_status_action_from_the_wrong_status_is_a_conflict(tom, bob, start, action):
    # given
    article = _article_in(start, bob=bob, tom=tom)

    # when / then
    with pytest.raises(InvalidTransition):
        services.change_status(article.pk, by=tom, action=action)
    article.refresh_from_db()
    assert article.status == start


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_only_tech_leads_review_publish_and_archive(persona, request, bob, tom):
    # given
    article = _article_in(S.DRAFT, bob=bob, tom=tom)

    # when / then
    for action in ("review", "publish", "archive"):
        with pytest.raises(PermissionDenied):
            services.change_status(article.pk, by=request.getfixturevalue(persona), action=action)
    article.refresh_from_db()
    assert article.status == S.DRAFT and article.revision == 1


def test_a_requester_cannot_even_find_an_internal_article_to_review(alice, bob, tom):
    article = _article_in(S.DRAFT, bob=bob, tom=tom)
    with pytest.raises(ArticleNotFound):
        services.change_status(article.pk, by=alice, action="publish")


def test_an_archived_article_is_edited_by_reviewers_only(bob, tom):
    # given
    article = _article_in(S.ARCHIVED, bob=bob, tom=tom)

    # when / then
    with pytest.raises(PermissionDenied):
        services.update_article(article, by=bob, title="新标题")
    services.update_article(article, by=tom, title="新标题")


def test_editing_the_status_follows_the_review_rules(bob, tom):
    # given
    article = _draft(bob)

    # when / then
    with pytest.raises(ValidationError) as refused:
        services.update_article(article, by=bob, status=S.PUBLISHED)
    assert "status" in refused.value.message_dict
    services.update_article(article, by=tom, status=S.PUBLISHED)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.published_at is not None
    with pytest.raises(ValidationError):
        services.update_article(article, by=tom, status=S.REVIEWED)


def test_category_and_revision_keep_the_slug(bob):
    # given
    category = make_category("printers", name="打印机", name_en="Printers")

    # when
    article = _draft(bob, category=category)

    # then
    assert article.revisions.get().category_slug == "printers"


def test_diff_lines_fold_long_unchanged_runs():
    # given
    old = "\n".join(f"line {n}" for n in range(20))
    new = old.replace("line 10", "line ten")

    # when
    lines = diff_lines(old, new)

    # then
    assert lines[0].kind == "gap" and lines[-1].kind == "gap"
    assert [(line.kind, line.text) for line in lines if line.kind in ("added", "removed")] == [
        ("removed", "line 10"),
        ("added", "line ten"),
    ]
    assert len(lines) == 2 + 6 + 2


def _article_in(status, *, bob, tom):
    article = _draft(bob)
    path = {
        S.DRAFT: [],
        S.REVIEWED: ["review"],
        S.PUBLISHED: ["publish"],
        S.ARCHIVED: ["publish", "archive"],
    }[status]
    for action in path:
        services.change_status(article.pk, by=tom, action=action)
    article.refresh_from_db()
    return article
