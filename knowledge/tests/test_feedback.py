"""Readers' feedback: one answer each, changeable, the counters kept with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from knowledge.choices import ArticleStatus, Audience
from knowledge.errors import ArticleNotFound
from knowledge.models import ArticleFeedback
from knowledge.services import articles, feedback
from tickets.errors import InvalidTransition

pytestmark = pytest.mark.django_db


def _published(tom, audience=Audience.PUBLIC):
    return articles.create_article(
        by=tom,
        title="Outlook 无法连接",
        symptom="Outlook 一直显示正在连接。",
        audience=audience,
        status=ArticleStatus.PUBLISHED,
    )


def _counts(article):
    article.refresh_from_db()
    return article.helpful_count, article.unhelpful_count


def test_each_reader_answers_once_and_may_change_her_mind(tom, alice, carol):
    # given
    article = _published(tom)

    # when
    _row, first = feedback.give_feedback(article.pk, by=alice, helpful=True)
    feedback.give_feedback(article.pk, by=carol, helpful=True)
    _row, again = feedback.give_feedback(
        article.pk, by=alice, helpful=False, comment="第二步找不到"
    )

    # then
    assert first is True and again is False
    assert ArticleFeedback.objects.filter(article=article).count() == 2
    assert _counts(article) == (1, 1)
    assert ArticleFeedback.objects.get(user=alice).comment == "第二步找不到"


def test_the_same_answer_twice_counts_once(tom, alice):
    # given
    article = _published(tom)

    # when
    feedback.give_feedback(article.pk, by=alice, helpful=False)
    feedback.give_feedback(article.pk, by=alice, helpful=False, comment="还是不行")

    # then
    assert _counts(article) == (0, 1)


def test_a_requester_cannot_rate_an_internal_article(tom, alice):
    article = _published(tom, audience=Audience.INTERNAL)
    with pytest.raises(ArticleNotFound):
        feedback.give_feedback(article.pk, by=alice, helpful=True)
    assert _counts(article) == (0, 0)


def test_drafts_take_no_feedback(bob):
    article = articles.create_article(by=bob, title="草稿", symptom="x")
    with pytest.raises(InvalidTransition):
        feedback.give_feedback(article.pk, by=bob, helpful=True)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [("comment", {"helpful": True, "comment": "x" * 20_001}), ("helpful", {"helpful": "yes"})],
)
def test_bad_feedback_names_the_field(tom, alice, field, kwargs):
    article = _published(tom)
    with pytest.raises(ValidationError) as refused:
        feedback.give_feedback(article.pk, by=alice, **kwargs)
    assert field in refused.value.message_dict
    assert _counts(article) == (0, 0)


def test_the_page_takes_feedback_and_shows_the_readers_answer(tom, alice, web):
    # given
    article = _published(tom)
    client = web(alice)
    url = reverse("knowledge:article_feedback", args=[article.pk])

    # when
    response = client.post(url, {"helpful": "no", "comment": "截图看不清"})

    # then
    assert response.status_code == 302
    page = client.get(reverse("knowledge:article", args=[article.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "You said it did not help." in page.content.decode()
    assert "截图看不清" in page.content.decode()  # her comment, in the box to change it
    assert _counts(article) == (0, 1)


def test_a_feedback_form_without_an_answer_is_refused_on_the_page(tom, alice, web):
    # given
    article = _published(tom)

    # when
    response = web(alice).post(
        reverse("knowledge:article_feedback", args=[article.pk]), {"comment": "?"}
    )

    # then
    assert response.status_code == 400
    assert _counts(article) == (0, 0)


def test_staff_read_the_comments_requesters_do_not_read_each_others(tom, alice, carol, web):
    # given
    article = _published(tom)
    feedback.give_feedback(article.pk, by=alice, helpful=False, comment="alice 的意见 7f3a")
    url = reverse("knowledge:article", args=[article.pk])

    # when
    staff_page = web(tom).get(url).content.decode()
    other_page = web(carol).get(url).content.decode()

    # then
    assert "alice 的意见 7f3a" in staff_page
    assert "alice 的意见 7f3a" not in other_page
