"""The knowledge pages as people use them: requesters see published public articles only
(in lists, counts, tags and linked tickets), engineers write, tech leads review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from knowledge.choices import ArticleStatus, Audience, LinkKind
from knowledge.models import Article, ArticleFile, ArticleLink, Scenario
from knowledge.services import articles as services
from knowledge.services import feedback, files
from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db

S = ArticleStatus
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _article(by, title, *, status=S.PUBLISHED, audience=Audience.PUBLIC, **extra):
    fields = {
        "symptom": f"{title} 的现象",
        "steps": ["第一步"],
        "scenarios": ["Windows 10 22H2"],
        **extra,
    }
    return services.create_article(by=by, title=title, status=status, audience=audience, **fields)


@pytest.fixture
def library(tom, bob):
    """One article of each kind a requester must or must not see."""
    printers = make_category("printers", name="打印机", name_en="Printers")
    return {
        "public": _article(tom, "公开已发布 PUB1", category=printers, scenarios=["HP M404dn"]),
        "internal": _article(tom, "内部已发布 INT1", audience=Audience.INTERNAL,
                             category=printers, scenarios=["Secret Router X1"]),
        "draft": _article(bob, "公开草稿 DRF1", status=S.DRAFT, category=printers,
                          scenarios=["Draft Only OS"]),
        "archived": _article(tom, "已归档 ARC1", status=S.PUBLISHED, category=printers),
    }  # fmt: skip


def _page(client, url, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    return response, response.content.decode()


def test_requesters_browse_only_published_public_articles(library, tom, alice, web):
    # given
    services.archive_article(library["archived"].pk, by=tom)

    # when
    _response, page = _page(web(alice), reverse("knowledge:browse"))

    # then: one article, one in the category count, its tags only
    assert "PUB1" in page
    for hidden in ("INT1", "DRF1", "ARC1", "Secret Router X1", "Draft Only OS"):
        assert hidden not in page
    assert page.count('data-article="') == 1
    assert '<span class="badge bg-secondary-lt ms-auto">1</span>' in page


def test_requesters_filtering_for_drafts_find_nothing(library, alice, web):
    _response, page = _page(web(alice), reverse("knowledge:browse"), status="draft")
    assert "DRF1" not in page and "PUB1" in page  # the filter is not theirs: ignored


def test_staff_browse_everything_but_archived_unless_asked(library, tom, bob, web):
    # given
    services.archive_article(library["archived"].pk, by=tom)
    client = web(bob)

    # when
    _r, page = _page(client, reverse("knowledge:browse"))
    _r, archived = _page(client, reverse("knowledge:browse"), status="archived")

    # then
    assert all(key in page for key in ("PUB1", "INT1", "DRF1")) and "ARC1" not in page
    assert "ARC1" in archived and "PUB1" not in archived


def test_browse_by_category_tag_and_search(library, bob, web):
    # given
    other = make_category("network", name="网络", name_en="Network")
    _article(bob, "VPN 断开 VPN1", status=S.DRAFT, category=other, scenarios=["FortiClient 7.2"])
    client = web(bob)

    # when
    _r, by_category = _page(client, reverse("knowledge:browse"), category="network")
    _r, by_tag = _page(client, reverse("knowledge:browse"), tag="hp m404dn")
    _r, searched = _page(client, reverse("knowledge:browse"), q="VPN")

    # then
    assert "VPN1" in by_category and "PUB1" not in by_category
    assert "PUB1" in by_tag and "VPN1" not in by_tag
    assert "VPN1" in searched and "PUB1" not in searched


def _rows(page):
    return page.count('data-article="')


@pytest.fixture
def toner(tom, bob):
    """28 articles on toner code KBX42 (26 printers, 2 network), an archived one, and one
    network article without the code."""
    hardware = make_category("kb-hardware", name="硬件", name_en="Hardware")
    printers = make_category("kb-printers", name="打印机", name_en="Printers", parent=hardware)
    network = make_category("kb-network", name="网络", name_en="Network")
    for n in range(26):
        _article(tom, f"碳粉 KBX42 第{n}台", category=printers, scenarios=["HP M404dn"])
    for n in range(2):
        _article(
            bob,
            f"网络打印 KBX42 第{n}台",
            status=S.DRAFT,
            category=network,
            scenarios=["FortiClient 7.2"],
        )
    old = _article(tom, "旧碳粉 KBX42 ARC9", category=printers, scenarios=["Old Printer OS"])
    services.archive_article(old.pk, by=tom)
    _article(tom, "无关 OTHER1", category=network, scenarios=["FortiClient 7.2"])
    return old


def test_a_search_pages_its_hits_and_counts_them_in_the_side_bar(toner, bob, web):
    # given
    client = web(bob)

    # when
    _r, first = _page(client, reverse("knowledge:browse"), q="KBX42")
    _r, second = _page(client, reverse("knowledge:browse"), q="KBX42", page=2)
    _r, archived = _page(client, reverse("knowledge:browse"), q="KBX42", status="archived")

    # then: 28 hits over two pages, the archived one only when asked for
    assert "28 articles match" in first
    assert _rows(first) == 25 and _rows(second) == 3 and "2 / 2" in second
    assert "ARC9" not in first + second and "OTHER1" not in first + second
    assert _rows(archived) == 1 and "ARC9" in archived
    # the side bar counts the hits, and its links narrow the search
    categories = first[first.index('id="kb-categories"') :]
    assert (
        '<span class="text-break">Hardware</span><span class="badge bg-secondary-lt ms-auto">26'
        in categories
    )
    assert (
        '<span class="text-break">Network</span><span class="badge bg-secondary-lt ms-auto">2<'
        in categories
    )
    assert 'href="/knowledge/?q=KBX42&amp;category=kb-printers"' in categories
    assert 'HP M404dn <span class="kb-tag-count">26</span>' in categories
    assert 'FortiClient 7.2 <span class="kb-tag-count">2</span>' in categories
    assert "Old Printer OS" not in categories
    assert 'href="/knowledge/?q=KBX42&amp;tag=HP%20M404dn"' in categories


def test_a_search_in_a_category_names_it_even_without_hits(toner, bob, web):
    _r, page = _page(web(bob), reverse("knowledge:browse"), q="zzzzqqq", category="kb-printers")
    assert 'id="kb-empty"' in page and "Category: Printers" in page
    assert 'id="kb-categories"' not in page  # nothing to count


def test_a_requesters_search_counts_only_what_she_may_read(library, tom, alice, web):
    # given
    services.archive_article(library["archived"].pk, by=tom)

    # when: every article of the library holds 现象
    _response, page = _page(web(alice), reverse("knowledge:browse"), q="现象")

    # then
    assert "PUB1" in page and _rows(page) == 1 and "1 article matches" in page
    for hidden in ("INT1", "DRF1", "ARC1", "Secret Router X1", "Draft Only OS"):
        assert hidden not in page
    assert '<span class="badge bg-secondary-lt ms-auto">1</span>' in page
    assert 'HP M404dn <span class="kb-tag-count">1</span>' in page


def test_a_requester_meets_a_404_for_internal_and_unpublished_articles(library, alice, web):
    client = web(alice)
    assert client.get(reverse("knowledge:article", args=[library["public"].pk])).status_code == 200
    for key in ("internal", "draft"):
        response = client.get(reverse("knowledge:article", args=[library[key].pk]))
        assert response.status_code == 404
        assert library[key].title not in response.content.decode()


def test_the_article_page_lists_only_tickets_the_reader_may_see(library, alice, carol, bob, web):
    # given
    article = library["public"]
    mine = make_ticket(requester=alice, title="alice 的打印机 T-ALICE")
    theirs = make_ticket(requester=carol, title="carol 的打印机 T-CAROL")
    now = timezone.now()
    for ticket in (mine, theirs):
        ArticleLink.objects.create(
            article=article, ticket=ticket, kind=LinkKind.SOLVED_WITH, linked_by=bob, linked_at=now
        )
    url = reverse("knowledge:article", args=[article.pk])

    # when
    _r, as_alice = _page(web(alice), url)
    _r, as_bob = _page(web(bob), url)

    # then
    assert "T-ALICE" in as_alice and "T-CAROL" not in as_alice
    assert theirs.number not in as_alice
    assert "T-ALICE" in as_bob and "T-CAROL" in as_bob


def test_the_article_page_renders_markdown_inert_and_shows_its_own_screenshot(tom, alice, web):
    # given
    article = _article(tom, "截图文章", symptom="见下图")
    [shot] = files.add_files(
        article.pk, by=tom, files=[SimpleUploadedFile("tray.png", PNG, "image/png")]
    )
    services.update_article(
        article,
        by=tom,
        symptom=f"![托盘](file:{shot.pk}) <script>alert(1)</script> [x](javascript:alert(1))",
        steps=["**粗体** <img src=x onerror=alert(1)>"],
    )

    # when
    _r, page = _page(web(alice), reverse("knowledge:article", args=[article.pk]))

    # then
    url = reverse("knowledge:article_file", args=[article.pk, shot.pk])
    assert f'<img src="{url}" alt="托盘">' in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert 'href="javascript' not in page
    assert "<strong>粗体</strong>" in page


def test_a_screenshot_is_served_inline_other_files_as_downloads_never_sniffed(tom, alice, web):
    # given
    article = _article(tom, "附件文章")
    shot, log = files.add_files(
        article.pk,
        by=tom,
        files=[
            SimpleUploadedFile("tray.png", PNG, "image/png"),
            # named like an image, but its bytes are not one
            SimpleUploadedFile("fake.png", b"<svg onload=alert(1)>", "image/png"),
        ],
    )
    client = web(alice)

    # when
    image = client.get(reverse("knowledge:article_file", args=[article.pk, shot.pk]))
    other = client.get(reverse("knowledge:article_file", args=[article.pk, log.pk]))

    # then
    assert shot.is_image and not log.is_image
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")
    assert other["Content-Type"] == "application/octet-stream"
    assert other["Content-Disposition"].startswith("attachment")
    for response in (image, other):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_files_of_an_internal_article_are_hidden_from_requesters(tom, alice, web):
    # given
    article = _article(tom, "内部附件", audience=Audience.INTERNAL)
    [shot] = files.add_files(article.pk, by=tom, files=[SimpleUploadedFile("a.png", PNG)])

    # when
    response = web(alice).get(reverse("knowledge:article_file", args=[article.pk, shot.pk]))

    # then
    assert response.status_code == 404


def test_an_engineer_uploads_and_removes_a_screenshot_but_no_program(bob, web):
    # given
    article = _article(bob, "上传测试", status=S.DRAFT)
    client = web(bob)
    url = reverse("knowledge:article_file_add", args=[article.pk])

    # when
    client.post(url, {"attachments": [SimpleUploadedFile("shot.png", PNG)]})
    client.post(url, {"attachments": [SimpleUploadedFile("fix.exe", b"MZ\x90")]})

    # then
    [stored] = ArticleFile.objects.filter(article=article)
    assert stored.original_name == "shot.png" and stored.is_image
    client.post(reverse("knowledge:article_file_delete", args=[article.pk, stored.pk]))
    assert not ArticleFile.objects.filter(article=article).exists()


def test_an_engineer_writes_an_article_on_the_page(bob, web):
    # given
    category = make_category("printers", name="打印机", name_en="Printers")

    # when
    response = web(bob).post(
        reverse("knowledge:article_new"),
        {
            "title": "打印机卡纸",
            "symptom": "每打印 10 页卡纸一次。",
            "cause": "搓纸轮老化",
            "steps": ["打开后盖取出卡纸", "", "更换搓纸轮"],
            "scenarios": "HP LaserJet M404dn\nWindows 10 22H2，Windows 11",
            "category": str(category.pk),
            "audience": "public",
            "status": "draft",
            "note": "首版",
        },
    )

    # then
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:article", args=[article.pk])
    assert article.steps == ["打开后盖取出卡纸", "更换搓纸轮"]
    assert sorted(s.name for s in article.scenarios.all()) == [
        "HP LaserJet M404dn",
        "Windows 10 22H2",
        "Windows 11",
    ]
    assert article.status == S.DRAFT and article.category == category


def test_an_engineer_cannot_publish_from_the_page(bob, web):
    # when: publishing is not offered to engineers; a forged post is refused on the field
    response = web(bob).post(
        reverse("knowledge:article_new"),
        {"title": "T", "symptom": "S", "audience": "public", "status": "published"},
    )

    # then
    assert response.status_code == 400
    assert 'name="status"' in response.content.decode()
    assert not Article.objects.exists()


def test_a_bad_article_form_comes_back_with_the_steps_typed(bob, web):
    # when
    response = web(bob).post(
        reverse("knowledge:article_new"),
        {"title": "", "symptom": "", "steps": ["保留这一步"], "audience": "internal",
         "status": "draft"},
    )  # fmt: skip

    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "保留这一步" in page and "is-invalid" in page
    assert not Article.objects.exists()


def test_add_a_step_keeps_what_was_typed_and_saves_nothing(bob, web):
    response = web(bob).post(
        reverse("knowledge:article_new"),
        {"title": "T", "symptom": "S", "steps": ["一", "二"], "more_steps": "1",
         "audience": "internal", "status": "draft"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and not Article.objects.exists()
    assert page.count('name="steps"') == 5  # two typed, three empty


def test_a_tech_lead_reviews_and_publishes_on_the_page(bob, tom, alice, web):
    # given
    article = _article(bob, "待审 REV1", status=S.DRAFT)
    lead = web(tom)
    url = reverse("knowledge:article_status", args=[article.pk])

    # when
    lead.post(url, {"action": "review", "note": "内容准确"})
    conflict = lead.post(url, {"action": "review"})
    lead.post(url, {"action": "publish"})

    # then
    article.refresh_from_db()
    assert conflict.status_code == 409
    assert article.status == S.PUBLISHED and article.reviewed_by == tom
    assert web(alice).get(reverse("knowledge:article", args=[article.pk])).status_code == 200


def test_an_engineer_is_offered_no_review_buttons_and_is_refused(bob, web):
    # given
    article = _article(bob, "草稿", status=S.DRAFT)
    client = web(bob)

    # when
    page = client.get(reverse("knowledge:article", args=[article.pk])).content.decode()
    refused = client.post(
        reverse("knowledge:article_status", args=[article.pk]), {"action": "publish"}
    )

    # then
    assert 'name="action"' not in page
    assert refused.status_code == 403


def test_revisions_and_their_diff_show_typed_markup_as_text(bob, erin, web):
    # given
    article = _article(bob, "历史", status=S.DRAFT, cause="旧原因")
    services.update_article(article, by=erin, cause="<script>alert('diff')</script> 新原因")
    client = web(bob)

    # when
    _r, history = _page(client, reverse("knowledge:article_revisions", args=[article.pk]))
    _r, diff = _page(client, reverse("knowledge:article_diff", args=[article.pk]), old=1, new=2)
    _r, latest = _page(client, reverse("knowledge:article_diff", args=[article.pk]))
    changes = diff[diff.index('id="diff-cause"') : diff.index('id="diff-unchanged"')]

    # then
    assert history.count('data-revision="') == 2
    assert "&lt;script&gt;alert(&#x27;diff&#x27;)&lt;/script&gt; 新原因" in diff
    assert "<script>alert('diff')" not in diff
    assert "kb-diff-removed" in diff and "旧原因" in diff
    assert changes in latest  # without numbers: the latest change


def test_a_missing_revision_is_a_404(bob, web):
    article = _article(bob, "历史", status=S.DRAFT)
    response = web(bob).get(
        reverse("knowledge:article_diff", args=[article.pk]), {"old": 1, "new": 9}
    )
    assert response.status_code == 404


def _review_set(tom, bob, readers):
    """An article for each list of the review page, and one that needs nothing."""
    draft = _article(bob, "草稿 D-1", status=S.DRAFT)
    reviewed = _article(tom, "已审 V-1", status=S.REVIEWED)
    poor = _article(tom, "差评 P-1")
    for reader in readers:
        feedback.give_feedback(poor.pk, by=reader, helpful=False)
    stale = _article(tom, "陈旧 S-1")
    Article.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    retired = _article(tom, "退役 R-1", scenarios=["Windows 7 SP1"])
    Scenario.objects.filter(name="Windows 7 SP1").update(retired_at=timezone.localdate())
    fine = _article(tom, "正常 F-1")
    return {
        "drafts": draft,
        "reviewed": reviewed,
        "poor": poor,
        "stale": stale,
        "retired": retired,
    }, fine


@override_settings(KNOWLEDGE_STALE_DAYS=30)
def test_the_review_page_lists_what_tech_leads_must_look_at(tom, bob, alice, carol, web):
    # given
    sections, fine = _review_set(tom, bob, [alice, carol])

    # when
    _r, page = _page(web(tom), reverse("knowledge:review"))

    # then
    for key, article in sections.items():
        start = page.index(f'id="kb-review-{key}"')
        end = page.index("</section>", start)
        assert f'data-article="{article.pk}"' in page[start:end], key
    assert f'data-article="{fine.pk}"' not in page


def test_only_tech_leads_open_the_review_page(bob, web):
    assert web(bob).get(reverse("knowledge:review")).status_code == 403


def test_browse_runs_a_fixed_number_of_queries(tom, bob, web, django_assert_num_queries):
    # given
    printers = make_category("printers", name="打印机", name_en="Printers")
    for n in range(15):
        _article(tom, f"文章 {n}", category=printers, scenarios=[f"OS {n}", "Windows 10 22H2"])
    client = web(bob)
    client.get(reverse("knowledge:browse"))

    # when / then: session, user, permissions (2), bell, category counts, categories, tags,
    # count, page, its scenarios
    with django_assert_num_queries(11):
        response = client.get(reverse("knowledge:browse"))
    assert response.content.decode().count('data-article="') == 15


def test_a_search_runs_a_fixed_number_of_queries_whatever_it_finds(
    toner, tom, bob, web, django_assert_num_queries
):
    # given
    client = web(bob)
    client.get(reverse("knowledge:browse"), {"q": "KBX42"})

    # when / then: session, user, permissions (2), bell, word frequencies, ranked ids, the
    # page's articles, their scenarios, hits by category, categories, hits by scenario
    for q, page, rows in (("KBX42", 1, 25), ("KBX42", 2, 3), ("OTHER1", 1, 1)):
        with django_assert_num_queries(12):
            response = client.get(reverse("knowledge:browse"), {"q": q, "page": page})
        assert _rows(response.content.decode()) == rows


@override_settings(KNOWLEDGE_STALE_DAYS=30)
def test_the_review_page_runs_a_fixed_number_of_queries(
    tom, bob, alice, carol, web, django_assert_num_queries
):
    # given: every list holds something, then more of each
    _review_set(tom, bob, [alice, carol])
    _review_set(tom, bob, [alice, carol])
    client = web(tom)
    client.get(reverse("knowledge:review"))

    # when / then: session, user, permissions (2), bell, and two per list (rows, scenarios)
    with django_assert_num_queries(5 + 2 * 5):
        response = client.get(reverse("knowledge:review"))
    assert response.content.decode().count('data-article="') == 10
