"""The zh↔en glossary: the seed, admins' edits re-expanding articles (inline or by a task),
every process picking up the change, and rebuilding everything by command."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from knowledge import search
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, GlossaryTerm
from knowledge.search import glossary
from knowledge.services import glossary as glossary_services
from knowledge.services.articles import create_article

ADD = "/admin/knowledge/glossaryterm/add/"


def scanner_article(lead, title="扫码枪无法读取条码") -> Article:
    return create_article(
        by=lead,
        title=title,
        symptom="仓库的扫码枪扫描时没有反应，蜂鸣器不响。",
        steps=["重新插拔扫码枪的 USB 线。"],
        status=ArticleStatus.PUBLISHED,
        audience=Audience.PUBLIC,
    )


def found(user, q: str) -> list[int]:
    return [hit.article.pk for hit in search.search(user, q)]


def test_the_seed_has_a_few_hundred_it_terms(db):
    # then
    pairs = set(GlossaryTerm.objects.values_list("zh", "en"))
    assert len(pairs) >= 300
    assert {
        ("打印机", "printer"),
        ("蓝屏", "blue screen"),
        ("卡纸", "paper jam"),
        ("激活", "activation"),
    } <= pairs


def test_an_admin_adds_a_pair_and_the_article_is_found_in_the_other_language(
    web, admin, tom, bob, django_capture_on_commit_callbacks
):
    # given a Chinese article nobody finds in English yet
    article = scanner_article(tom)
    assert found(bob, "barcode scanner") == []

    # when an admin adds the pair in the Django admin
    with django_capture_on_commit_callbacks(execute=True):
        response = web(admin).post(ADD, {"zh": "扫码枪", "en": "Barcode  scanner"})

    # then
    assert response.status_code == 302
    term = GlossaryTerm.objects.get(zh="扫码枪")
    assert term.en == "Barcode scanner"
    assert term.updated_at is not None
    assert found(bob, "barcode scanner") == [article.pk]
    assert found(bob, "barcode scanners") == [article.pk]


def test_changing_and_deleting_a_pair_re_expands_the_articles(
    tom, bob, django_capture_on_commit_callbacks
):
    # given
    article = scanner_article(tom)
    with django_capture_on_commit_callbacks(execute=True):
        term = glossary_services.add_term(zh="扫码枪", en="barcode scanner")

    # when the English side changes
    with django_capture_on_commit_callbacks(execute=True):
        glossary_services.change_term(term.pk, zh="扫码枪", en="barcode reader")

    # then the new word finds the article, the old one no longer does
    assert found(bob, "barcode reader") == [article.pk]
    assert found(bob, "barcode scanner") == []

    # when the pair is deleted
    with django_capture_on_commit_callbacks(execute=True):
        glossary_services.delete_terms([term.pk])

    # then
    assert found(bob, "barcode reader") == []
    assert found(bob, "扫码枪") == [article.pk]


def test_many_articles_are_re_expanded_by_a_task_after_the_commit(
    tom, bob, monkeypatch, django_capture_on_commit_callbacks
):
    # given more articles holding the word than are re-expanded inline
    from knowledge import tasks

    monkeypatch.setattr(glossary_services, "REINDEX_INLINE", 1)
    articles = [scanner_article(tom, title=f"扫码枪故障 {n}") for n in range(3)]
    sent: list[list[int]] = []

    def apply_async(args, retry):
        sent.append(list(args[0]))
        tasks.reindex_articles(*args)  # as the worker would

    monkeypatch.setattr(tasks.reindex_articles, "apply_async", apply_async)

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        glossary_services.add_term(zh="扫码枪", en="barcode scanner")

    # then nothing is handed over before the commit
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [sorted(a.pk for a in articles)]
    assert sorted(found(bob, "barcode scanner")) == sorted(a.pk for a in articles)


def test_without_a_broker_the_articles_are_re_expanded_after_the_commit_anyway(
    tom, bob, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    from knowledge import tasks

    monkeypatch.setattr(glossary_services, "REINDEX_INLINE", 0)
    article = scanner_article(tom)

    def broker_down(args, retry):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.reindex_articles, "apply_async", broker_down)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        glossary_services.add_term(zh="扫码枪", en="barcode scanner")

    # then
    assert found(bob, "barcode scanner") == [article.pk]


def test_the_admin_refuses_a_pair_twice_and_blank_words(web, admin):
    # when
    twice = web(admin).post(ADD, {"zh": "打印机", "en": "printer"})
    blank = web(admin).post(ADD, {"zh": "  ", "en": "printer"})

    # then the form says why, nothing is added
    assert twice.status_code == 200
    assert blank.status_code == 200
    assert GlossaryTerm.objects.filter(zh="打印机", en="printer").count() == 1
    assert twice.context["adminform"].form.errors
    assert "zh" in blank.context["adminform"].form.errors


def test_service_refuses_bad_words(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as empty:
        glossary_services.add_term(zh="", en="printer")
    with pytest.raises(ValidationError) as long:
        glossary_services.add_term(zh="打印机", en="p" * 101)
    with pytest.raises(ValidationError) as twice:
        glossary_services.add_term(zh="打印机", en="printer")
    assert "zh" in empty.value.message_dict
    assert "en" in long.value.message_dict
    assert "en" in twice.value.message_dict


def test_another_process_rebuilds_its_snapshot_when_the_version_changes(db):
    # given a snapshot in use
    before = glossary.current()
    assert glossary.current() is before

    # when another process commits an edit (the shared version changes)
    GlossaryTerm.objects.create(zh="扫码枪", en="barcode scanner", updated_at=timezone.now())
    cache.set(glossary.CACHE_KEY, "another-version")

    # then
    after = glossary.current()
    assert after is not before
    assert after.partners("扫码枪") == ("barcod scanner",)


def test_reindex_knowledge_rebuilds_every_article(tom, bob):
    # given articles whose search columns were lost
    article = scanner_article(tom)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE knowledge_article SET search_vector = NULL, search_text = ''")
    assert found(bob, "扫码枪") == []

    # when
    out = io.StringIO()
    call_command("reindex_knowledge", "--batch-size", "1", stdout=out)

    # then
    assert "Reindexed 1 knowledge articles." in out.getvalue()
    assert found(bob, "扫码枪") == [article.pk]
