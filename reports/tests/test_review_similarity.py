"""Recurring faults are found from the words of the symptoms, Chinese included (no database)."""

from __future__ import annotations

import random

from reports.review.similarity import Doc, group, keywords, similar_pairs, vectors

JAMS = [
    Doc(1, "printer", "三楼打印机卡纸", "打印的时候一直卡纸，取出来还是卡"),
    Doc(4, "printer", "打印机又卡纸了", "HP 打印机每打几张就卡纸，硒鼓附近有纸屑"),
    Doc(6, "printer", "打印机频繁卡纸", "财务部打印机今天卡纸三次"),
]
OTHERS = [
    Doc(2, "printer", "打印机提示缺纸", "打印机提示缺纸但纸仓已满"),
    Doc(3, "network", "三楼网络断了", "三楼无法上网，网线灯不亮"),
    Doc(5, "printer", "打印机无法连接", "电脑找不到打印机，打印任务一直排队"),
    Doc(7, "network", "VPN 连接失败", "在家连不上公司 VPN"),
]


def test_printer_jams_worded_three_ways_make_one_group_and_nothing_else_joins():
    # when
    groups = group(JAMS + OTHERS)

    # then
    assert groups == [[1, 4, 6]]


def test_alike_words_in_another_category_do_not_join_the_group():
    # given: the same words, filed as a network fault
    stray = Doc(8, "network", "打印机卡纸", "共享打印机卡纸")

    # when
    groups = group([*JAMS, stray])

    # then
    assert groups == [[1, 4, 6]]


def test_one_ticket_alone_is_no_group():
    assert group([JAMS[0], *OTHERS]) == []


def test_english_symptoms_group_too():
    docs = [
        Doc(1, "mail", "Outlook keeps asking for the password", ""),
        Doc(2, "mail", "Outlook asks for my password again and again", ""),
        Doc(3, "mail", "Shared mailbox missing in Outlook", ""),
    ]
    assert group(docs) == [[1, 2]]


def test_groups_are_the_same_whatever_the_order_given():
    docs = JAMS + OTHERS
    assert group(list(reversed(docs))) == group(docs)


def test_keywords_are_the_words_most_of_the_group_shares():
    assert keywords(JAMS)[:2] == ["打印机", "卡纸"]


def test_the_indexed_grouping_finds_what_comparing_every_pair_finds():
    # given: 300 tickets of 4 categories worded from a few symptoms and phrases
    rng = random.Random(13)
    symptoms = ["打印机卡纸", "打印机提示缺纸", "VPN 连接失败", "显示器不亮", "OA 登录报错账号锁定"]
    phrases = ["今天早上开始", "重启以后还是不行", "同事也遇到了", "急需处理", "更新系统之后"]
    docs = [
        Doc(i, i % 4, rng.choice(symptoms), "，".join(rng.sample(phrases, rng.randint(1, 4))))
        for i in range(300)
    ]

    # when: every pair compared, joined by union-find
    vecs = vectors(docs)
    parent = {d.id: d.id for d in docs}

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b, _score in similar_pairs(docs, vecs):
        parent[max(root(a), root(b))] = min(root(a), root(b))
    members: dict[int, list[int]] = {}
    for d in docs:
        members.setdefault(root(d.id), []).append(d.id)
    expected = sorted(
        (sorted(ids) for ids in members.values() if len(ids) >= 2), key=lambda i: (-len(i), i[0])
    )

    # then
    assert group(docs) == expected
    assert len(expected) >= 10
