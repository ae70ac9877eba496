"""The knowledge part of ``manage.py load_demo``: articles in both languages, the glossary."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from knowledge import demo, search
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, ArticleRevision, GlossaryTerm
from knowledge.search.segment import is_cjk

pytestmark = pytest.mark.usefixtures("seeded_calendar")


@pytest.mark.django_db
def test_load_demo_writes_published_articles_in_both_languages_and_the_glossary():
    # when
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    # then at least 30 published articles, Chinese and English, across the categories
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert published.count() >= 30
    titles = list(published.values_list("title", flat=True))
    assert sum(is_cjk(t) for t in titles) >= 10
    assert sum(not is_cjk(t) for t in titles) >= 10
    assert published.values("category__parent").distinct().count() >= 5
    assert published.filter(audience=Audience.INTERNAL).exists()
    assert Article.objects.filter(status=ArticleStatus.DRAFT).exists()
    # written through the service: a revision each, the search columns filled
    assert ArticleRevision.objects.count() == Article.objects.count() == len(demo.ARTICLES)
    assert not Article.objects.filter(search_vector__isnull=True).exists()
    # and the glossary: the seed and the company's own pairs
    assert GlossaryTerm.objects.count() >= 300
    assert GlossaryTerm.objects.filter(zh="泛微OA", en="Weaver OA").exists()
    assert f"{len(demo.ARTICLES)} knowledge articles" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_articles_are_found_as_a_requester_would_ask():
    # given
    call_command("load_demo", stdout=io.StringIO())
    from accounts.models import User

    alice = User.objects.get(username="alice")

    # when
    jam = search.suggest(alice, "打印机卡纸了")
    english = search.suggest(alice, "printer paper jam")
    colloquial = search.suggest(alice, "电脑蓝屏了一直重启进不去系统")
    raid = search.suggest(alice, "RAID 降级")

    # then
    assert jam[0].article.title == "HP LaserJet M404dn 卡纸（面板提示 13.B2.D1）"
    assert english[0].article.title == jam[0].article.title
    assert colloquial[0].article.title == "蓝屏代码 0x0000007B：开机后无法进入系统"
    assert all(hit.article.audience == Audience.PUBLIC for hit in raid)
