"""Knowledge search: quality on a fixed set of articles and queries, who sees what, the
filters, snippets, query counts, and the suggestion API."""

from __future__ import annotations

import pytest
from django.db import connection

from knowledge import search
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article
from knowledge.search import index
from knowledge.services.articles import archive_article, create_article
from knowledge.tests.search_fixture import ARTICLES, QUERIES
from tickets.models import Category

TOP1_GOAL = 0.85
TOP3_GOAL = 0.95


@pytest.fixture
def library(tom) -> dict[str, Article]:
    """The fixture's articles, written by tom (a tech lead publishes directly), by key."""
    categories = {c.slug: c for c in Category.objects.all()}
    found = {}
    for spec in ARTICLES:
        found[spec.key] = create_article(
            by=tom,
            title=spec.title,
            symptom=spec.symptom,
            cause=spec.cause,
            steps=spec.steps,
            scenarios=spec.scenarios,
            category=categories[spec.category],
            audience=spec.audience,
            status=spec.status,
        )
    return found


def keys_of(hits: list[search.Hit], library: dict[str, Article]) -> list[str]:
    by_pk = {a.pk: key for key, a in library.items()}
    return [by_pk[hit.article.pk] for hit in hits]


def test_quality_expected_article_first_and_in_the_top_three(library, bob):
    # given the fixture's 36 articles and 43 queries (Chinese, English, mixed, colloquial,
    # across languages, error codes, pieces of words, near-duplicate articles)
    assert len(ARTICLES) >= 30 and len(QUERIES) >= 30

    # when an engineer asks each query
    misses = []
    top1 = top3 = 0
    for q, expected in QUERIES:
        got = keys_of(search.search(bob, q, limit=3), library)
        top1 += got[:1] == [expected]
        top3 += expected in got
        if got[:1] != [expected]:
            misses.append(f"{q!r}: expected {expected}, got {got}")

    # then
    rate1, rate3 = top1 / len(QUERIES), top3 / len(QUERIES)
    print(f"\nknowledge search quality over {len(QUERIES)} queries, {len(ARTICLES)} articles:")
    print(f"  top-1 hit rate {rate1:.1%} ({top1}/{len(QUERIES)}), goal {TOP1_GOAL:.0%}")
    print(f"  top-3 hit rate {rate3:.1%} ({top3}/{len(QUERIES)}), goal {TOP3_GOAL:.0%}")
    for miss in misses:
        print("  not first:", miss)
    assert rate1 >= TOP1_GOAL
    assert rate3 >= TOP3_GOAL


def test_error_codes_match_exactly(library, bob):
    # given two blue-screen articles with different codes and a 0x0000011b printer article

    # when
    seven_b = keys_of(search.search(bob, "0x0000007B"), library)
    eleven_b = keys_of(search.search(bob, "0x0000011B"), library)

    # then each code finds its own article and only it
    assert seven_b == ["bsod-7b"]
    assert eleven_b == ["printer-0x11b"]


def test_a_query_in_one_language_finds_the_article_in_the_other(library, alice):
    # when a requester asks in English for a Chinese article, and in Chinese for an English one
    jam = keys_of(search.suggest(alice, "printer paper jam"), library)
    usb = keys_of(search.suggest(alice, "U盘识别不了"), library)

    # then
    assert jam[0] == "printer-jam-m404"
    assert usb[0] == "usb-drive-en"


def test_requesters_never_get_internal_or_unpublished_articles(library, alice, bob):
    # given an internal RAID article and a draft about VPN certificates

    # when
    staff = keys_of(search.search(bob, "RAID 阵列降级"), library)
    requester = keys_of(search.search(alice, "RAID 阵列降级"), library)
    requester_asks_for_more = keys_of(
        search.search(alice, "VPN 证书过期", status=ArticleStatus.DRAFT), library
    )
    internal_on_request = keys_of(search.search(alice, "RAID", audience=Audience.INTERNAL), library)
    suggested = keys_of(search.suggest(alice, "VPN 证书过期"), library)

    # then
    assert staff[0] == "raid-internal"
    assert "raid-internal" not in requester
    assert requester_asks_for_more == []
    assert internal_on_request == []
    assert "vpn-draft" not in suggested
    assert all(library[key].audience == Audience.PUBLIC for key in requester + suggested)


def test_suggestions_are_published_articles_only_even_for_staff(library, bob):
    # when
    staff_search = keys_of(search.search(bob, "VPN 证书过期"), library)
    staff_suggest = keys_of(search.suggest(bob, "VPN 证书过期"), library)

    # then the draft is found by the search, never suggested; internal published ones are
    assert staff_search[0] == "vpn-draft"
    assert "vpn-draft" not in staff_suggest
    assert keys_of(search.suggest(bob, "RAID 降级"), library)[0] == "raid-internal"


def test_archived_articles_are_ranked_below_current_ones(library, bob, tom):
    # given the faded-print article archived
    archive_article(library["printer-faded"].pk, by=tom)

    # when
    found = keys_of(search.search(bob, "打印 模糊 黑条"), library)
    suggested = keys_of(search.suggest(bob, "打印 模糊 黑条"), library)

    # then the staff search still finds it; suggestions never offer it
    assert "printer-faded" in found
    assert "printer-faded" not in suggested


def test_filters_category_tag_status_audience(library, bob):
    # when
    printers = keys_of(search.search(bob, "错误", category="hardware-printer"), library)
    hardware = keys_of(search.search(bob, "无信号", category="hardware"), library)
    on_m404 = keys_of(search.search(bob, "纸", tag="HP LaserJet M404dn"), library)
    internal = keys_of(search.search(bob, "硬盘", audience=Audience.INTERNAL), library)
    drafts = keys_of(search.search(bob, "", status=ArticleStatus.DRAFT), library)

    # then
    assert printers and all(library[k].category.slug == "hardware-printer" for k in printers)
    assert set(hardware) >= {"monitor-no-signal", "projector-hdmi"}  # a parent: its children
    assert set(on_m404) == {"printer-jam-m404", "printer-feed-m404"}
    assert internal == ["raid-internal"]
    assert drafts == ["vpn-draft"]


def test_pieces_of_words_and_prefixes_match(library, bob):
    # when people type a piece of a word, or are still typing the last one
    piece = keys_of(search.search(bob, "aximum siz"), library)
    typing = keys_of(search.suggest(bob, "bitlo"), library)
    chinese_prefix = keys_of(search.suggest(bob, "投影"), library)

    # then
    assert piece[0] == "outlook-pst-en"
    assert typing[0] == "bitlocker-en"
    assert chinese_prefix[0] == "projector-hdmi"


def test_snippets_mark_the_words_and_escape_the_text(tom, bob):
    # given an article whose text holds markup
    create_article(
        by=tom,
        title="打印机 <b>卡纸</b>",
        symptom="面板提示 <script>alert(1)</script> 打印机卡纸，纸盒 2 不进纸。",
        status=ArticleStatus.PUBLISHED,
        audience=Audience.PUBLIC,
    )

    # when
    (hit,) = search.search(bob, "paper jam")

    # then the glossary partner is marked, the markup is text
    assert "<mark>卡纸</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet


def test_hits_come_with_category_and_scenarios_in_a_fixed_number_of_queries(
    library, bob, alice, django_assert_num_queries
):
    # given a warm glossary snapshot and capabilities
    search.search(bob, "打印机")
    search.suggest(alice, "打印机")

    # when / then: the frequencies, the ranked ids, the articles, their scenarios
    with django_assert_num_queries(4):
        hits = search.search(bob, "打印机 卡纸 0x0000011b printer offline")
        for hit in hits:
            assert hit.article.category is not None
            list(hit.article.scenarios.all())
    assert len(hits) > 5
    with django_assert_num_queries(4):
        suggested = search.suggest(alice, "蓝屏 重启")
        for hit in suggested:
            assert hit.article.category is not None
            list(hit.article.scenarios.all())
    assert 0 < len(suggested) <= 5
    with django_assert_num_queries(2):  # no words: the newest articles and their scenarios
        assert len(search.search(bob, "", category="hardware-printer")) == 6


def test_a_query_of_nothing_useful_finds_nothing(library, bob):
    assert search.search(bob, "的了吗") == []
    assert search.search(bob, "zzzzqqq") == []
    assert search.suggest(bob, "   ") == []


def test_reindex_writes_words_by_weight_with_glossary_partners(tom):
    # given
    article = create_article(
        by=tom,
        title="打印机卡纸",
        symptom="HP M404dn shows 13.B2.D1",
        cause="",
        steps=["Replace the **pickup roller**"],
    )

    # when
    index.reindex([article.pk])

    # then
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text, search_text FROM knowledge_article WHERE id = %s",
            [article.pk],
        )
        vector, text = cursor.fetchone()
    assert "'打印机':1A" in vector and "'卡纸':" in vector
    assert "'paper jam':" in vector and "'printer':" in vector  # partners, weight A
    assert "'13.b2.d1':" in vector and "'m404dn':" in vector
    assert "'pickup roller':" in vector  # the glossary phrase, one word
    assert text == "打印机卡纸 hp m404dn shows 13.b2.d1 replace the pickup roller"


# --- the suggestion API ---------------------------------------------------------------------


def test_suggest_api_lists_what_the_caller_may_read(library, api, alice, bob):
    # when
    response = api(alice).get("/api/v1/knowledge/suggest/", {"q": "RAID 降级 蓝屏"})
    staff = api(bob).get("/api/v1/knowledge/suggest/", {"q": "RAID 降级"})

    # then
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and 0 < len(rows) <= 5
    assert set(rows[0]) == {"id", "title", "snippet", "score"}
    assert library["raid-internal"].pk not in {row["id"] for row in rows}
    assert rows == sorted(rows, key=lambda r: -r["score"])
    assert staff.json()[0]["id"] == library["raid-internal"].pk


@pytest.mark.parametrize("params", [{}, {"q": "  "}, {"q": "x" * (search.QUERY_MAX + 1)}])
def test_suggest_api_names_q_when_it_is_missing_or_too_long(api, alice, params):
    # when
    response = api(alice).get("/api/v1/knowledge/suggest/", params)

    # then
    assert response.status_code == 400
    assert "q" in response.json()


def test_suggest_api_needs_a_login(api, db):
    assert api(None).get("/api/v1/knowledge/suggest/", {"q": "vpn"}).status_code in (401, 403)


def test_suggest_api_runs_a_fixed_number_of_queries(library, web, alice, django_assert_num_queries):
    # given a signed-in requester whose session and glossary are warm
    client = web(alice)
    client.get("/api/v1/knowledge/suggest/", {"q": "打印机"})

    # when / then: session, user, permissions, then the search's four
    with django_assert_num_queries(8):
        response = client.get("/api/v1/knowledge/suggest/", {"q": "打印机 卡纸 0x0000011b"})
    assert response.status_code == 200
    assert response.json()
