"""The mentor pool as arrays (issue 20): the same answers as the pair-by-pair rules, a
fixed number of queries, a cache dropped by every change it is read from (in every
process), and the sparse cohort solver against the dense one and cases solved by hand."""

import random

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.demo_mentoring import SERVICE
from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat import caching, lifecycle
from wagtail_mentorat.matching import adapter, scoring
from wagtail_mentorat.matching.pool import CODES, Pool
from wagtail_mentorat.matching.scoring import Mentee, Mentor, Rules
from wagtail_mentorat.models import ExpertiseArea, MentorOffer, Programme

DISCIPLINES = ["TS", "Inf", ""]
STEMS = ["crise", "sant", "evalu", "soin", "famil"]


def random_people(rng, n_mentors, n_mentees):
    mentors = [
        Mentor(
            id=100 + j,
            name=f"M{j}",
            discipline=rng.choice(DISCIPLINES),
            site=rng.choice(["A", "B", ""]),
            languages=frozenset(rng.sample(["fr", "en", "es"], rng.randint(0, 2))),
            years=rng.randint(0, 20),
            available=rng.random() > 0.3,
            capacity=rng.randint(0, 3),
            taken=rng.randint(0, 2),
            expertise=frozenset(rng.sample(range(70), rng.randint(0, 3))),  # > 64 areas
            expertise_stems=frozenset(rng.sample(STEMS, rng.randint(0, 2))),
            trained=rng.random() > 0.1,
        )
        for j in range(n_mentors)
    ]
    ids = [y.id for y in mentors]
    mentees = [
        Mentee(
            id=rng.choice([i, *ids[:2]]),  # sometimes a mentor of the pool themself
            discipline=rng.choice(DISCIPLINES + ["Autre"]),
            site=rng.choice(["A", "B", "", "C"]),
            languages=frozenset(rng.sample(["fr", "en", "de"], rng.randint(0, 2))),
            wanted=frozenset(rng.sample(range(72), rng.randint(0, 3))),
            goal_stems=frozenset(rng.sample(STEMS + ["autre"], rng.randint(0, 4))),
            superiors=frozenset(rng.sample(ids, rng.randint(0, 2))),
            poor_fit=frozenset(rng.sample(ids, rng.randint(0, 1))),
            declined=frozenset(rng.sample(ids, rng.randint(0, 1))),
        )
        for i in range(n_mentees)
    ]
    return mentees, mentors


RULE_SETS = [
    Rules(min_years=3, discipline="preferred"),
    Rules(min_years=0, discipline="required"),
    Rules(min_years=5, discipline="any"),
]
WEIGHT_SETS = [None, {"expertise": 1, "site": 7, "language": 0, "capacity": 3}]


@pytest.mark.parametrize("seed", range(6))
def test_the_arrays_exclude_and_score_exactly_as_the_pair_by_pair_rules(seed):
    """The vectorised rules re-implement scoring.exclusion and scoring.fit: compared on
    many random cases, every code and every score is the same (scores bit for bit)."""
    rng = random.Random(seed)
    mentees, mentors = random_people(rng, 40, 25)
    pool = Pool.from_mentors(mentors)
    for rules in RULE_SETS:
        for weights in WEIGHT_SETS:
            score, codes = pool.scores(pool.encode(mentees), slice(None), rules, weights)
            for i, x in enumerate(mentees):
                for j, y in enumerate(mentors):
                    assert CODES[codes[i, j]] == scoring.exclusion(x, y, rules)
                    if codes[i, j] == 0:
                        assert score[i, j] == scoring.fit(x, y, rules, weights).score


@pytest.mark.parametrize("seed", range(4))
def test_suggestions_on_arrays_equal_the_pair_by_pair_ranking(seed):
    rng = random.Random(100 + seed)
    mentees, mentors = random_people(rng, 60, 10)
    rules = RULE_SETS[seed % 3]
    for x in mentees:
        best, excluded = scoring.suggest(x, mentors, rules, limit=7)
        expected = sorted(
            (-scoring.fit(x, y, rules).score, y.id)
            for y in mentors
            if not scoring.exclusion(x, y, rules)
        )[:7]
        assert [(f.mentor.id, f.score) for f in best] == [(i, -s) for s, i in expected]
        assert [(y.id, code) for y, code in excluded] == [
            (y.id, scoring.exclusion(x, y, rules))
            for y in mentors
            if scoring.exclusion(x, y, rules)
        ]
        assert all(f.reasons for f in best)  # explained, for the shown mentors


def test_the_dense_score_matrix_is_the_pair_by_pair_score_with_nan_for_the_excluded():
    mentees, mentors = random_people(random.Random(9), 30, 20)
    matrix = scoring.score_matrix(mentees, mentors, RULE_SETS[0])
    for i, x in enumerate(mentees):
        for j, y in enumerate(mentors):
            if scoring.exclusion(x, y, RULE_SETS[0]):
                assert np.isnan(matrix[i, j])
            else:
                assert matrix[i, j] == scoring.fit(x, y, RULE_SETS[0]).score


# --- the cohort: solved by hand, sparse against dense ------------------------------------


def _people(n_mentees, capacities):
    mentees = [Mentee(id=i + 1) for i in range(n_mentees)]
    mentors = [Mentor(id=100 + j, capacity=c, years=10) for j, c in enumerate(capacities)]
    return mentees, mentors


def test_an_optimal_total_solved_by_hand_with_capacities():
    # M1 has 2 places, M2 one. Greedy: A→M1 (9), B→M1 (8), C→M2 (1): 18.
    # Optimum: A→M2 (7), B→M1 (8), C→M1 (6): 21.
    mentees, mentors = _people(3, [2, 1])
    scores = np.array([[9.0, 7.0], [8.0, 2.0], [6.0, 1.0]])
    rules = Rules()
    for all_places in (False, True):
        best = scoring.cohort(mentees, mentors, rules, scores=scores, all_places=all_places)
        assert best.total == 21
        assert {(x.id, y.id) for x, y, _s in best.pairs} == {(1, 101), (2, 100), (3, 100)}
    assert scoring.cohort_dense(mentees, mentors, rules, scores=scores).total == 21
    assert scoring.greedy(mentees, mentors, rules, scores=scores).total == 18


def test_one_more_mentee_placed_comes_before_a_higher_total():
    # A alone: M1 (90). A and B: A→M2 (1), B→M1 (5): two placed beat one at 90.
    mentees, mentors = _people(2, [1, 1])
    scores = np.array([[90.0, 1.0], [5.0, np.nan]])
    best = scoring.cohort(mentees, mentors, Rules(), scores=scores)
    assert best.total == 6 and len(best.pairs) == 2 and best.unmatched == []


def test_nobody_eligible_and_no_place_left_say_why():
    mentees, mentors = _people(3, [1])
    scores = np.array([[3.0], [4.0], [np.nan]])
    best = scoring.cohort(mentees, mentors, Rules(), scores=scores)
    assert [(x.id, y.id, s) for x, y, s in best.pairs] == [(2, 100, 4.0)]
    assert dict((x.id, why) for x, why in best.unmatched) == {
        1: "capacity",
        3: "no_eligible_mentor",
    }


@pytest.mark.parametrize("seed", range(12))
def test_the_sparse_and_dense_solvers_agree_and_beat_greedy(seed):
    rng = random.Random(1000 + seed)
    mentees, mentors = random_people(rng, rng.randint(1, 25), rng.randint(1, 40))
    rules = RULE_SETS[seed % 3]
    sparse = scoring.cohort(mentees, mentors, rules)
    every = scoring.cohort(mentees, mentors, rules, all_places=True)
    dense = scoring.cohort_dense(mentees, mentors, rules)
    naive = scoring.greedy(mentees, mentors, rules)
    assert len(sparse.pairs) == len(dense.pairs) == len(every.pairs) >= len(naive.pairs)
    assert sparse.total == pytest.approx(dense.total, abs=1e-9)
    assert every.total == pytest.approx(dense.total, abs=1e-9)
    assert sparse.total >= naive.total - 1e-9 or len(sparse.pairs) > len(naive.pairs)
    used = {}
    for x, y, s in sparse.pairs:
        assert scoring.exclusion(x, y, rules) is None
        assert s == scoring.fit(x, y, rules).score
        used[y.id] = used.get(y.id, 0) + 1
    assert all(used.get(y.id, 0) <= y.free for y in mentors)
    assert sparse.size.get("eligible_pairs", 0) == int(
        (~np.isnan(scoring.score_matrix(mentees, mentors, rules))).sum()
    )


def test_later_places_are_offered_only_where_they_can_matter_and_nothing_is_lost():
    # 2 mentees, 6 mentors of 3 places: a mentee's best mentor alone has enough places
    # (k = 1), so only that mentor's places are edges; the optimum is the same.
    rng = random.Random(5)
    mentees = [Mentee(id=i, wanted=frozenset({1})) for i in (1, 2)]
    mentors = [
        Mentor(id=10 + j, capacity=3, years=rng.randint(3, 20), expertise=frozenset({1}))
        for j in range(6)
    ]
    sparse = scoring.cohort(mentees, mentors, RULE_SETS[0])
    every = scoring.cohort(mentees, mentors, RULE_SETS[0], all_places=True)
    assert sparse.size["eligible_pairs"] == 12
    assert sparse.size["edges"] < every.size["edges"] == 36
    assert sparse.total == pytest.approx(every.total)


# --- the database: queries, cache and its invalidation -------------------------------------


@pytest.fixture
def programme(db):
    return ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH)


def _mentors(count, start=0):
    area = ExpertiseArea.objects.get_or_create(name="Intervention de crise")[0]
    people = []
    for i in range(start, start + count):
        user = person(f"mentor{i}", years_experience=5 + i % 10, is_mentor=True)
        user.mentorat_profile.expertise.add(area)
        people.append(user)
    return people


def _build_queries(programme):
    with CaptureQueriesContext(connection) as ctx:
        pool = adapter.build_pool(programme)
    return len(ctx), pool


def test_building_the_pool_takes_the_same_queries_whatever_the_number_of_mentors(programme):
    _mentors(2)
    few, pool = _build_queries(programme)
    assert len(pool) == 2
    _mentors(15, start=2)
    many, pool = _build_queries(programme)
    assert len(pool) == 17
    assert many == few <= 6


def test_a_warm_pool_costs_no_query(programme, django_assert_num_queries):
    _mentors(3)
    adapter.mentor_pool(programme)
    with django_assert_num_queries(0):
        assert len(adapter.mentor_pool(programme)) == 3


def _rebuilt(programme):
    """True when the next read of the pool is built again from the database."""
    with CaptureQueriesContext(connection) as ctx:
        adapter.mentor_pool(programme)
    return len(ctx) > 0


def test_a_profile_change_drops_the_cached_pool(programme):
    (mentor,) = _mentors(1)
    assert adapter.mentor_pool(programme).mentor(0).years == 5
    profile = mentor.mentorat_profile
    profile.years_experience = 25
    profile.save()
    assert adapter.mentor_pool(programme).mentor(0).years == 25


def test_an_area_added_to_a_profile_drops_the_cached_pool(programme):
    (mentor,) = _mentors(1)
    adapter.mentor_pool(programme)
    mentor.mentorat_profile.expertise.add(ExpertiseArea.objects.create(name="Gérontologie"))
    assert len(adapter.mentor_pool(programme).mentor(0).expertise) == 2


def test_an_offer_change_drops_the_cached_pool(programme):
    (mentor,) = _mentors(1)
    assert len(adapter.mentor_pool(programme)) == 1
    offer = MentorOffer.objects.get(programme=programme, mentor=mentor)
    offer.status = MentorOffer.Status.PAUSED
    offer.save()
    assert len(adapter.mentor_pool(programme)) == 0


def test_a_pairing_drops_the_cached_pool(programme):
    (mentor,) = _mentors(1)
    coordinator = make_coordinator(person("coordo", discipline="Gestion"))
    mentee = person("mentoree", years_experience=1)
    assert adapter.mentor_pool(programme).mentor(0).taken == 0
    pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], coordinator)
    lifecycle.approve_pairing(pairing, coordinator)
    assert adapter.mentor_pool(programme).mentor(0).taken == 1


def test_a_training_completion_drops_the_cached_pool(demo_site):
    from wagtail_mentorat.training.models import TrainingModulePage
    from wagtail_mentorat.training.services import record_completion

    programme = Programme.objects.get(name=SERVICE)
    module = TrainingModulePage.objects.live().first()
    programme.mentor_training.add(module)
    mentor = demo_site["users"]["mentor2"]
    pool = adapter.mentor_pool(programme)
    assert not pool.mentor(pool.column[mentor.pk]).trained
    record_completion(mentor, module)
    pool = adapter.mentor_pool(programme)
    assert pool.mentor(pool.column[mentor.pk]).trained


def test_another_process_sees_the_change(programme):
    """The generation marker lives in the shared cache, not in a process: a process that
    read the pool before a change made by another one (here: its copy set aside, the
    change made, the copy put back as if it had stayed in that other process's memory)
    builds the pool again on its next read."""
    (mentor,) = _mentors(1)
    adapter.mentor_pool(programme)
    marker = caching.MATCHING.current_token()
    other_process = dict(adapter._pools)
    profile = mentor.mentorat_profile
    profile.years_experience = 30
    profile.save()  # in "this" process: the signal writes a new marker in the cache
    assert caching.MATCHING.current_token() != marker
    adapter._pools.clear()
    adapter._pools.update(other_process)  # the other process's memory, read before
    assert _rebuilt(programme)
    assert adapter.mentor_pool(programme).mentor(0).years == 30
    assert not _rebuilt(programme)  # and warm again


def test_suggestions_and_cohort_on_the_cached_pool_keep_their_results(programme):
    _mentors(4)
    mentee = person("mentoree", years_experience=1)
    area = ExpertiseArea.objects.get(name="Intervention de crise")
    request = lifecycle.open_request(programme, mentee, mentee, "Crise", expertise=[area])
    best, excluded = adapter.suggestions(request)
    again, excluded_again = adapter.suggestions(request)
    assert [f.mentor.id for f in best] == [f.mentor.id for f in again]
    assert len(best) == 4 and len(excluded) == len(excluded_again) == 0
    result, by_mentee, pool = adapter.propose_cohort(programme)
    assert len(result.pairs) == 1 and result.pairs[0][1].id == best[0].mentor.id
    assert result.size["mentors"] == len(pool) == 4


# --- the k best mentors of each mentee: the pruning keeps the optimum ---------------------


def test_only_the_k_best_mentors_are_edges_and_the_optimum_is_the_same_solved_by_hand():
    # 2 mentees, 4 mentors of 2 places: k = 1 (one mentor's places reach 2 mentees).
    # A: 9, 8, 8, 1; B: 9, 2, 7, 7. Each keeps its best (M1), which holds both: 18.
    mentees, mentors = _people(2, [2, 2, 2, 2])
    scores = np.array([[9.0, 8.0, 8.0, 1.0], [9.0, 2.0, 7.0, 7.0]])
    matrix, _places, _has, size = scoring.place_matrix(
        mentees, Pool.from_mentors(mentors), Rules(), scores=scores
    )
    assert size["eligible_pairs"] == 8 and size["edges"] == 4  # 2 mentees × 2 places of M1
    best = scoring.cohort(mentees, mentors, Rules(), scores=scores)
    assert best.total == 18 == scoring.cohort_dense(mentees, mentors, Rules(), scores=scores).total
    # One place each: k = 2, ties at the 2nd score broken by the column (M2 before M3).
    mentees, mentors = _people(2, [1, 1, 1, 1])
    _m, _p, _h, size = scoring.place_matrix(
        mentees, Pool.from_mentors(mentors), Rules(), scores=scores
    )
    assert size["edges"] == 4
    best = scoring.cohort(mentees, mentors, Rules(), scores=scores)
    assert best.total == 17  # A→M2 (8) and B→M1 (9), better than A→M1 and B→M3 (16)
    assert best.total == scoring.cohort_dense(mentees, mentors, Rules(), scores=scores).total


@pytest.mark.parametrize("seed", range(10))
def test_the_ranked_top_k_is_the_float_top_k(seed):
    """The histogram of ranks (the cohort's path) keeps exactly the pairs the partition
    of the scores keeps, ties included."""
    rng = np.random.default_rng(seed)
    values = np.round(rng.random(7) * 10, 1)
    rank = rng.integers(-1, len(values), size=(rng.integers(1, 9), rng.integers(1, 30)))
    distinct = np.unique(values)
    score = np.where(rank >= 0, distinct[np.clip(rank, 0, None) % len(distinct)], -np.inf)
    rank = np.where(rank >= 0, np.clip(rank, 0, None) % len(distinct), -1).astype(np.int32)
    for k in range(1, rank.shape[1] + 2):
        r1, c1, eligible = scoring._top_ranked(rank, k, len(distinct))
        assert eligible.tolist() == (rank >= 0).sum(axis=1).tolist()
        r2, c2 = scoring._top(score, k)
        keep = rank[r2, c2] >= 0
        assert sorted(zip(r1.tolist(), c1.tolist(), strict=True)) == sorted(
            zip(r2[keep].tolist(), c2[keep].tolist(), strict=True)
        )


@pytest.mark.parametrize("seed", range(12))
def test_few_mentees_many_places_the_pruned_solver_equals_the_dense_one(seed):
    """Where the pruning bites (many places for few mentees), the totals of the pruned
    sparse solver, the every-place sparse solver and the dense solver are equal."""
    rng = random.Random(5000 + seed)
    mentees, mentors = random_people(rng, rng.randint(20, 60), rng.randint(2, 8))
    mentors = [Mentor(**{**y.__dict__, "capacity": rng.randint(1, 4), "taken": 0}) for y in mentors]
    rules = RULE_SETS[seed % 3]
    weights = WEIGHT_SETS[seed % 2]
    sparse = scoring.cohort(mentees, mentors, rules, weights)
    every = scoring.cohort(mentees, mentors, rules, weights, all_places=True)
    dense = scoring.cohort_dense(mentees, mentors, rules, weights)
    assert sparse.size["edges"] <= every.size["edges"]
    assert len(sparse.pairs) == len(dense.pairs) == len(every.pairs)
    assert sparse.total == pytest.approx(dense.total, abs=1e-9)
    assert every.total == pytest.approx(dense.total, abs=1e-9)
    # And with ties everywhere (scores rounded to a few values).
    scores = np.round(scoring.score_matrix(mentees, mentors, rules, weights) / 25) * 25
    scores[scores == 0] = 1.0
    tied = scoring.cohort(mentees, mentors, rules, weights, scores=scores)
    assert tied.total == pytest.approx(
        scoring.cohort_dense(mentees, mentors, rules, weights, scores=scores).total, abs=1e-9
    )
