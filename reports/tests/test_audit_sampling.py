"""The audit's sample: reproducible from its seed, every priority in it, the size kept
(no database)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from reports.review.sampling import allocate, draw

STRATA = {"high": list(range(1, 11)), "medium": list(range(11, 91)), "low": list(range(91, 121))}


def test_the_same_seed_over_the_same_tickets_draws_the_same_sample():
    # when
    first = draw(STRATA, 20, seed=20261008)
    again = draw({p: list(reversed(ids)) for p, ids in STRATA.items()}, 20, seed=20261008)

    # then: the order the ids come in does not matter, the seed does
    assert first == again
    assert draw(STRATA, 20, seed=20261009) != first


def test_a_known_seed_draws_a_known_sample():
    # Worked by hand, so that a change of algorithm (or of Python's) shows: audits drawn
    # before must still be reproducible from their stored seed. Quotas 4×3/9 = 1.33 and
    # 4×6/9 = 2.67: high 1, medium 2 + the seat left (larger remainder) = 3. Random(42)
    # gives 0.639, 0.025, 0.275, 0.223: high picks index int(0.639×3) = 1 of [3, 5, 8];
    # medium [1, 2, 4, 6, 7, 9] picks int(0.025×6) = 0, then 1 + int(0.275×5) = 2 (swapped
    # with 2), then 2 + int(0.223×4) = 2 (now 2).
    assert draw({"high": [3, 5, 8], "medium": [1, 2, 4, 6, 7, 9]}, 4, seed=42) == [
        ("high", 5),
        ("medium", 1),
        ("medium", 4),
        ("medium", 2),
    ]


def test_every_priority_is_sampled_and_the_rest_is_proportional():
    # when: 10 high, 80 medium, 30 low; 12 asked
    counts = Counter(priority for priority, _id in draw(STRATA, 12, seed=7))

    # then: quotas 1.0, 8.0, 3.0
    assert counts == {"high": 1, "medium": 8, "low": 3}


def test_a_rare_priority_gets_one_ticket_within_the_size():
    # given: 1 high among 200
    assert allocate({"high": 1, "medium": 150, "low": 49}, 10) == {
        "high": 1,
        "medium": 7,
        "low": 2,
    }


def test_a_small_month_is_taken_whole():
    assert allocate({"high": 2, "low": 3}, 20) == {"high": 2, "low": 3}


def test_a_size_below_the_number_of_priorities_still_covers_each():
    assert allocate({"high": 5, "medium": 5, "low": 5}, 2) == {"high": 1, "medium": 1, "low": 1}


@given(
    sizes=st.dictionaries(
        st.sampled_from(["high", "medium", "low"]), st.integers(0, 400), min_size=1
    ),
    size=st.integers(1, 200),
    seed=st.integers(0, 2**63 - 1),
)
def test_any_month_any_size(sizes, size, seed):
    # given
    start, strata = 0, {}
    for priority, n in sizes.items():
        strata[priority] = list(range(start, start + n))
        start += n
    present = {p for p, n in sizes.items() if n}
    total = sum(sizes.values())

    # when
    sample = draw(strata, size, seed)

    # then: no ticket twice, each from its stratum, every priority present, the size kept
    ids = [ticket_id for _p, ticket_id in sample]
    assert len(ids) == len(set(ids))
    assert all(ticket_id in strata[p] for p, ticket_id in sample)
    assert {p for p, _id in sample} == present
    assert len(sample) == min(total, max(size, len(present)))
    assert sample == draw(strata, size, seed)
