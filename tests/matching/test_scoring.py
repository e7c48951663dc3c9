"""The pure matching maths: constraints, explanations, matrix, cohort against greedy."""

import math
import random

import pytest
from django.utils import translation

from wagtail_mentorat.matching import scoring
from wagtail_mentorat.matching.scoring import Mentee, Mentor, Rules
from wagtail_mentorat.matching.text import stems


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def mentee(**kw):
    base = dict(id=1, discipline="Travail social", site="Limoilou", languages=frozenset({"fr"}))
    base.update(kw)
    return Mentee(**base)


def mentor(**kw):
    base = dict(
        id=10,
        discipline="Travail social",
        site="Limoilou",
        languages=frozenset({"fr"}),
        years=10,
        capacity=2,
    )
    base.update(kw)
    return Mentor(**base)


RULES = Rules(min_years=3, discipline="preferred")


@pytest.mark.parametrize(
    "x,y,code",
    [
        (mentee(id=10), mentor(), scoring.SELF),
        (mentee(superiors=frozenset({10})), mentor(), scoring.SUPERIOR),  # seed 001
        (mentee(), mentor(years=2), scoring.EXPERIENCE),  # seed 001: experienced
        (mentee(), mentor(discipline="Soins infirmiers"), scoring.DISCIPLINE),  # seed 001
        (mentee(), mentor(capacity=1, taken=1), scoring.CAPACITY),
        (mentee(), mentor(trained=False), scoring.TRAINING),
        (mentee(poor_fit=frozenset({10})), mentor(), scoring.POOR_FIT),
    ],
)
def test_each_hard_constraint_excludes_the_right_mentor(x, y, code):
    assert scoring.exclusion(x, y, RULES) == code
    best, excluded = scoring.suggest(x, [y, mentor(id=11)], RULES)
    assert [f.mentor.id for f in best] == ([11] if x.id != 11 else [])
    assert excluded == [(y, code)]


def test_another_discipline_is_allowed_for_a_specific_skill_need():
    # Seed 001: another discipline "lorsqu'il est question d'un besoin ... spécifique".
    x = mentee(wanted=frozenset({7}))
    y = mentor(discipline="Soins infirmiers", expertise=frozenset({7}))
    assert scoring.exclusion(x, y, RULES) is None
    assert scoring.exclusion(x, y, Rules(min_years=3, discipline="required")) == scoring.DISCIPLINE
    assert "another discipline, for a specific skill" in scoring.fit(x, y, RULES).reasons


def test_explanations_match_the_score_components():
    x = mentee(wanted=frozenset({1, 2, 3, 4}))
    y = mentor(expertise=frozenset({1, 2, 3}), site="Charlesbourg", years=15, taken=1)
    result = scoring.fit(x, y, RULES)
    assert result.components["expertise"] == 0.75
    assert result.components["discipline"] == 1.0 and result.components["site"] == 0.0
    assert result.reasons[:2] == ["same discipline", "3 areas of expertise out of 4 covered"]
    assert "same site" not in result.reasons
    assert "1 place free" in result.reasons
    assert 0 < result.score < 100
    assert result.breakdown()["version"] == scoring.SCORING_VERSION


def test_goals_in_free_french_text_match_expertise_without_accents_or_inflections():
    assert stems("Évaluations en santé mentale") == stems("evaluation sante mentales")
    x = mentee(goal_stems=stems("Je veux mieux évaluer les situations de crise"))
    knows = mentor(id=10, expertise_stems=stems("Intervention de crise; évaluation"))
    other = mentor(id=11, expertise_stems=stems("Soins à domicile"))
    best, _ = scoring.suggest(x, [other, knows], RULES)
    assert best[0].mentor.id == 10
    assert best[0].components["expertise"] > 0 == best[1].components["expertise"]


def test_score_matrix_equals_the_pair_by_pair_score():
    rng = random.Random(4)
    disciplines, sites = ["TS", "Inf", ""], ["A", "B"]
    mentors = [
        mentor(
            id=100 + j,
            discipline=rng.choice(disciplines),
            site=rng.choice(sites),
            years=rng.randint(0, 20),
            capacity=rng.randint(1, 3),
            taken=rng.randint(0, 2),
            expertise=frozenset(rng.sample(range(6), 2)),
            expertise_stems=frozenset(rng.sample(["crise", "sant", "evalu", "soin"], 2)),
            languages=frozenset(rng.sample(["fr", "en"], 1)),
            trained=rng.random() > 0.1,
            available=rng.random() > 0.3,
        )
        for j in range(15)
    ]
    mentees = [
        mentee(
            id=i,
            discipline=rng.choice(disciplines),
            site=rng.choice(sites),
            wanted=frozenset(rng.sample(range(6), rng.randint(0, 3))),
            goal_stems=frozenset(rng.sample(["crise", "sant", "evalu", "famil"], 2)),
            superiors=frozenset(rng.sample([100, 101, 102], 1)),
            languages=frozenset(rng.sample(["fr", "en"], 1)),
        )
        for i in range(12)
    ]
    matrix = scoring.score_matrix(mentees, mentors, RULES)
    for i, x in enumerate(mentees):
        for j, y in enumerate(mentors):
            if scoring.exclusion(x, y, RULES):
                assert math.isnan(matrix[i, j])
            else:
                assert matrix[i, j] == pytest.approx(scoring.fit(x, y, RULES).score)


def test_cohort_beats_greedy_on_a_case_solved_by_hand():
    # Greedy gives A the best mentor M1 (90 vs 80) and leaves B with M2 (10): total 100.
    # The optimum gives A M2 (80) and B M1 (85): total 165.
    import numpy as np

    a, b = mentee(id=1), mentee(id=2)
    m1, m2 = mentor(id=10, capacity=1), mentor(id=11, capacity=1)
    scores = np.array([[90.0, 80.0], [85.0, 10.0]])
    best = scoring.cohort([a, b], [m1, m2], RULES, scores=scores)
    naive = scoring.greedy([a, b], [m1, m2], RULES, scores=scores)
    assert best.total == 165 and naive.total == 100
    assert {(x.id, y.id) for x, y, _s in best.pairs} == {(1, 11), (2, 10)}


def test_cohort_respects_capacities_and_constraints_and_says_why_someone_is_left():
    x1, x2, x3 = mentee(id=1), mentee(id=2), mentee(id=3, superiors=frozenset({10}))
    only = mentor(id=10, capacity=1)
    result = scoring.cohort([x1, x2, x3], [only], RULES)
    assert len(result.pairs) == 1 and result.pairs[0][0].id in (1, 2)
    reasons = dict((x.id, why) for x, why in result.unmatched)
    assert reasons[3] == "no_eligible_mentor"
    assert "capacity" in reasons.values()


def test_cohort_with_no_mentor_says_so():
    result = scoring.cohort([mentee()], [], RULES)
    assert result.pairs == [] and result.unmatched[0][1] == "no_eligible_mentor"


def test_cohort_total_is_at_least_greedy_on_random_data():
    rng = random.Random(7)
    mentors = [
        mentor(
            id=100 + j,
            capacity=rng.randint(1, 3),
            expertise=frozenset(rng.sample(range(8), 3)),
            site=rng.choice("ABC"),
        )
        for j in range(20)
    ]
    mentees = [
        mentee(id=i, wanted=frozenset(rng.sample(range(8), 2)), site=rng.choice("ABC"))
        for i in range(40)
    ]
    best = scoring.cohort(mentees, mentors, RULES)
    naive = scoring.greedy(mentees, mentors, RULES)
    assert best.total >= naive.total - 1e-9
    taken = {}
    for _x, y, _s in best.pairs:
        taken[y.id] = taken.get(y.id, 0) + 1
    assert all(taken[y.id] <= y.capacity for y in mentors if y.id in taken)
