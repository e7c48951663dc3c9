"""The pure maths of matching: no database here, so it is fast and testable on its own.

A mentor is *eligible* for a mentee when no hard constraint excludes them (the same
rules as :mod:`wagtail_mentorat.rules`); an eligible mentor's *fit* is a weighted mean of
components in [0, 1], each explained in words. ``cohort`` finds the assignment of a
whole cohort that maximises total fit under capacities (scipy's linear_sum_assignment,
the Hungarian method, on the mentors' places).
"""

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SCORING_VERSION = "2026.1"

DEFAULT_WEIGHTS = {
    "expertise": 5,
    "discipline": 3,
    "site": 2,
    "language": 2,
    "experience": 1,
    "availability": 1,
    "capacity": 1,
}

# Hard constraints, in the order they are checked; each is a reason a mentor is excluded.
SELF, SUPERIOR, EXPERIENCE, DISCIPLINE, CAPACITY, TRAINING, POOR_FIT, DECLINED = (
    "self",
    "superior",
    "experience",
    "discipline",
    "capacity",
    "training",
    "poor_fit",
    "declined",
)


def constraint_label(code):
    return {
        SELF: _("the mentee themself"),
        SUPERIOR: _("in the mentee's line of management"),
        EXPERIENCE: _("not enough years of experience"),
        DISCIPLINE: _("another discipline, and no specific skill need justifies it"),
        CAPACITY: _("no free place"),
        TRAINING: _("required training not completed"),
        POOR_FIT: _("already ended a pairing with this mentee as not the right fit"),
        DECLINED: _("declined this request, or did not answer in time"),
    }[code]


@dataclass(frozen=True)
class Mentor:
    id: int
    name: str = ""
    discipline: str = ""
    site: str = ""
    languages: frozenset = frozenset()
    years: int = 0
    available: bool = True
    capacity: int = 1
    taken: int = 0
    expertise: frozenset = frozenset()  # area ids
    expertise_stems: frozenset = frozenset()
    # (area name, its stems) for each area: reasons name the areas, never the stems.
    expertise_names: tuple = ()
    trained: bool = True

    @property
    def free(self):
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class Mentee:
    id: int
    name: str = ""
    discipline: str = ""
    site: str = ""
    languages: frozenset = frozenset()
    wanted: frozenset = frozenset()  # area ids asked for
    goal_stems: frozenset = frozenset()  # stems of goals and needs
    superiors: frozenset = frozenset()  # ids up the line of management
    poor_fit: frozenset = frozenset()  # mentor ids closed with this mentee as not the right fit
    trained: bool = True
    declined: frozenset = frozenset()  # mentor ids who declined this request
    preferred: tuple = ()  # mentor ids the mentee prefers, best first (shown, not scored)


@dataclass(frozen=True)
class Rules:
    min_years: int = 0
    discipline: str = "preferred"  # required | preferred | any


@dataclass
class Fit:
    mentor: Mentor
    score: float  # 0..100
    components: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)

    def breakdown(self):
        return {
            "version": SCORING_VERSION,
            "score": round(self.score, 1),
            "components": {k: round(v, 3) for k, v in self.components.items()},
            "reasons": self.reasons,
        }


def skill_need(mentee, mentor):
    """Areas the mentee asked for that this mentor masters: the specific skill need that
    lets a mentor of another discipline accompany them (seed 001)."""
    return mentee.wanted & mentor.expertise


def exclusion(mentee, mentor, rules):
    """The first hard constraint that excludes ``mentor`` for ``mentee``, or None."""
    if mentor.id == mentee.id:
        return SELF
    if mentor.id in mentee.superiors:
        return SUPERIOR
    if mentor.years < rules.min_years:
        return EXPERIENCE
    if mentor.discipline != mentee.discipline:
        if rules.discipline == "required":
            return DISCIPLINE
        if rules.discipline == "preferred" and not skill_need(mentee, mentor):
            return DISCIPLINE
    if mentor.free < 1:
        return CAPACITY
    if not mentor.trained:
        return TRAINING
    if mentor.id in mentee.poor_fit:
        return POOR_FIT
    if mentor.id in mentee.declined:
        return DECLINED
    return None


def _expertise(mentee, mentor):
    """Share of what the mentee needs that the mentor covers: the areas asked for, and
    the stems of the goals matched against the mentor's areas."""
    parts = []
    if mentee.wanted:
        parts.append(len(mentee.wanted & mentor.expertise) / len(mentee.wanted))
    if mentee.goal_stems and mentor.expertise_stems:
        covered = len(mentee.goal_stems & mentor.expertise_stems)
        parts.append(min(covered / min(len(mentee.goal_stems), 3), 1.0))
    return max(parts) if parts else 0.0


def components(mentee, mentor, rules):
    target_years = max(rules.min_years * 2, 10)
    return {
        "expertise": _expertise(mentee, mentor),
        "discipline": 1.0 if mentor.discipline and mentor.discipline == mentee.discipline else 0.0,
        "site": 1.0 if mentor.site and mentor.site == mentee.site else 0.0,
        "language": 1.0 if not mentee.languages or mentee.languages & mentor.languages else 0.0,
        "experience": min(mentor.years / target_years, 1.0),
        "availability": 1.0 if mentor.available else 0.0,
        "capacity": mentor.free / mentor.capacity if mentor.capacity else 0.0,
    }


def weighted(parts, weights, total=None):
    total = sum(weights.get(k, 0) for k in parts) if total is None else total
    if not total:
        return 0.0
    return 100.0 * sum([weights.get(k, 0) * v for k, v in parts.items()]) / total


def _expertise_reason(mentor, common):
    """The goals met by the mentor's expertise, named by the areas as written: stems are
    for comparing, a person reads words."""
    names = sorted({name for name, area_stems in mentor.expertise_names if area_stems & common})
    if not names:
        return _("goals match the mentor's expertise")
    return _("goals match the mentor's expertise (%(words)s)") % {"words": ", ".join(names)}


def reasons(mentee, mentor, parts):
    said = []
    if parts["discipline"]:
        said.append(_("same discipline"))
    elif skill_need(mentee, mentor):
        said.append(_("another discipline, for a specific skill"))
    if mentee.wanted:
        covered = len(mentee.wanted & mentor.expertise)
        said.append(
            ngettext(
                "%(covered)s area of expertise out of %(wanted)s covered",
                "%(covered)s areas of expertise out of %(wanted)s covered",
                covered,
            )
            % {"covered": covered, "wanted": len(mentee.wanted)}
        )
    common = mentee.goal_stems & mentor.expertise_stems
    if common:
        said.append(_expertise_reason(mentor, common))
    if parts["site"]:
        said.append(_("same site"))
    if parts["language"] and mentee.languages:
        said.append(_("a common language"))
    said.append(
        ngettext("%(years)s year of experience", "%(years)s years of experience", mentor.years)
        % {"years": mentor.years}
    )
    said.append(
        ngettext("%(free)s place free", "%(free)s places free", mentor.free) % {"free": mentor.free}
    )
    return said


def fit(mentee, mentor, rules, weights=None):
    weights = weights or DEFAULT_WEIGHTS
    parts = components(mentee, mentor, rules)
    return Fit(mentor, weighted(parts, weights), parts, reasons(mentee, mentor, parts))


def suggest(mentee, mentors, rules, weights=None, limit=5):
    """The ``limit`` best eligible mentors, best first, and every excluded mentor with
    the constraint that excluded them. Reasons are worded for the shown mentors only."""
    weights = weights or DEFAULT_WEIGHTS
    total = sum(weights.get(k, 0) for k in DEFAULT_WEIGHTS)
    scored, excluded = [], []
    for mentor in mentors:
        code = exclusion(mentee, mentor, rules)
        if code:
            excluded.append((mentor, code))
        else:
            parts = components(mentee, mentor, rules)
            scored.append((-weighted(parts, weights, total), mentor.id, mentor, parts))
    scored.sort(key=lambda row: row[:2])
    best = [
        Fit(mentor, -negative, parts, reasons(mentee, mentor, parts))
        for negative, _id, mentor, parts in scored[:limit]
    ]
    return best, excluded


# --- the cohort -----------------------------------------------------------------------------


def score_matrix(mentees, mentors, rules, weights=None):
    """Fit of every mentee (rows) with every mentor (columns), vectorised; NaN where a
    hard constraint excludes the pair. Equal to :func:`fit` and :func:`exclusion`
    pair by pair (a test checks it)."""
    weights = weights or DEFAULT_WEIGHTS
    m, n = len(mentees), len(mentors)
    total_weight = sum(weights.get(k, 0) for k in DEFAULT_WEIGHTS) or 1

    def codes(values):
        index = {}
        return np.array([index.setdefault(v, len(index)) if v else -1 for v in values])

    all_disciplines = [x.discipline for x in mentees] + [y.discipline for y in mentors]
    disc = codes(all_disciplines)
    d_mentee, d_mentor = disc[:m], disc[m:]
    sites = codes([x.site for x in mentees] + [y.site for y in mentors])
    s_mentee, s_mentor = sites[:m], sites[m:]
    same_discipline = (d_mentee[:, None] == d_mentor[None, :]) & (d_mentor[None, :] >= 0)
    raw_same_discipline = (
        np.array(all_disciplines[:m], dtype=object)[:, None]
        == np.array(all_disciplines[m:], dtype=object)[None, :]
    )
    same_site = (s_mentee[:, None] == s_mentor[None, :]) & (s_mentor[None, :] >= 0)

    # Expertise: areas asked for (share covered) and goal stems against expertise stems.
    area_index, stem_index = {}, {}
    for y in mentors:
        for a in y.expertise:
            area_index.setdefault(a, len(area_index))
        for s in y.expertise_stems:
            stem_index.setdefault(s, len(stem_index))
    wanted = np.zeros((m, max(len(area_index), 1)))
    offered = np.zeros((n, max(len(area_index), 1)))
    goals = np.zeros((m, max(len(stem_index), 1)))
    knows = np.zeros((n, max(len(stem_index), 1)))
    wanted_count = np.array([len(x.wanted) for x in mentees], dtype=float)
    goal_count = np.array([min(len(x.goal_stems), 3) for x in mentees], dtype=float)
    for i, x in enumerate(mentees):
        for a in x.wanted:
            if a in area_index:
                wanted[i, area_index[a]] = 1
        for s in x.goal_stems:
            if s in stem_index:
                goals[i, stem_index[s]] = 1
    for j, y in enumerate(mentors):
        for a in y.expertise:
            offered[j, area_index[a]] = 1
        for s in y.expertise_stems:
            knows[j, stem_index[s]] = 1
    area_overlap = wanted @ offered.T
    with np.errstate(divide="ignore", invalid="ignore"):
        by_area = np.where(wanted_count[:, None] > 0, area_overlap / wanted_count[:, None], -1)
        by_goal = np.where(
            (goal_count[:, None] > 0) & (knows.sum(axis=1)[None, :] > 0),
            np.minimum((goals @ knows.T) / goal_count[:, None], 1.0),
            -1,
        )
    expertise = np.maximum(np.maximum(by_area, by_goal), 0.0)

    # Languages as bit masks: a common language, or a mentee who named none.
    bits = {}
    for person in (*mentees, *mentors):
        for code in person.languages:
            bits.setdefault(code, 1 << min(len(bits), 62))
    mentee_mask = np.array([sum(bits[c] for c in x.languages) for x in mentees], dtype=np.int64)
    mentor_mask = np.array([sum(bits[c] for c in y.languages) for y in mentors], dtype=np.int64)
    language = (
        ((mentee_mask[:, None] & mentor_mask[None, :]) != 0) | (mentee_mask[:, None] == 0)
    ).astype(float)
    target_years = max(rules.min_years * 2, 10)
    years = np.array([y.years for y in mentors], dtype=float)
    free = np.array([y.free for y in mentors], dtype=float)
    capacity = np.array([y.capacity for y in mentors], dtype=float)
    experience = np.minimum(years / target_years, 1.0)
    availability = np.array([1.0 if y.available else 0.0 for y in mentors])
    room = np.where(capacity > 0, free / np.maximum(capacity, 1), 0.0)

    score = (
        weights.get("expertise", 0) * expertise
        + weights.get("discipline", 0) * same_discipline
        + weights.get("site", 0) * same_site
        + weights.get("language", 0) * language
        + (
            weights.get("experience", 0) * experience
            + weights.get("availability", 0) * availability
            + weights.get("capacity", 0) * room
        )[None, :]
    ) * (100.0 / total_weight)

    # Hard constraints.
    allowed = np.ones((m, n), dtype=bool)
    allowed &= (years >= rules.min_years)[None, :]
    allowed &= (free >= 1)[None, :]
    allowed &= np.array([y.trained for y in mentors])[None, :]
    if rules.discipline == "required":
        allowed &= raw_same_discipline
    elif rules.discipline == "preferred":
        allowed &= raw_same_discipline | (area_overlap > 0)
    column = {y.id: j for j, y in enumerate(mentors)}
    for i, x in enumerate(mentees):
        for mentor_id in (x.id, *x.superiors, *x.poor_fit, *x.declined):
            j = column.get(mentor_id)
            if j is not None:
                allowed[i, j] = False
    return np.where(allowed, score, np.nan)


@dataclass
class Cohort:
    pairs: list  # (mentee, mentor, score)
    unmatched: list  # (mentee, reason code: "no_eligible_mentor" | "capacity")

    @property
    def total(self):
        return sum(score for _mentee, _mentor, score in self.pairs)


def cohort(mentees, mentors, rules, weights=None, scores=None):
    """The assignment of ``mentees`` to ``mentors`` that maximises total fit, each mentor
    taking at most their free places, never breaking a hard constraint.

    Each free place of a mentor is a column; the Hungarian method
    (scipy.optimize.linear_sum_assignment) solves the rectangular problem exactly, with
    every eligible pair in it (no pruning, so no lost match)."""
    from scipy.optimize import linear_sum_assignment

    mentees, mentors = list(mentees), list(mentors)
    if not mentees or not mentors:
        return Cohort([], [(x, "no_eligible_mentor") for x in mentees])
    scores = score_matrix(mentees, mentors, rules, weights) if scores is None else scores
    slots = np.repeat(np.arange(len(mentors)), [y.free for y in mentors])
    if not len(slots):
        return Cohort([], [(x, "capacity") for x in mentees])
    eligible = ~np.isnan(scores)
    # An excluded pair costs more than any set of real pairs gains: it is never chosen
    # over a real match, and dropped afterwards if the solver had to fill with it.
    slot_scores = scores[:, slots]
    penalty = -(np.nanmax(scores) if eligible.any() else 0) * (len(mentees) + 1) - 1
    weights_matrix = np.where(np.isnan(slot_scores), penalty, slot_scores)
    rows, cols = linear_sum_assignment(weights_matrix, maximize=True)
    pairs, placed = [], set()
    for i, c in zip(rows, cols, strict=True):
        j = slots[c]
        if eligible[i, j]:
            pairs.append((mentees[i], mentors[j], float(scores[i, j])))
            placed.add(i)
    unmatched = [
        (x, "capacity" if eligible[i].any() else "no_eligible_mentor")
        for i, x in enumerate(mentees)
        if i not in placed
    ]
    return Cohort(pairs, unmatched)


def greedy(mentees, mentors, rules, weights=None, scores=None):
    """Best mentor first, mentee by mentee: the baseline the cohort must equal or beat."""
    mentees, mentors = list(mentees), list(mentors)
    if not mentees or not mentors:
        return Cohort([], [(x, "no_eligible_mentor") for x in mentees])
    scores = score_matrix(mentees, mentors, rules, weights) if scores is None else scores
    free = np.array([y.free for y in mentors])
    pairs, unmatched = [], []
    for i, x in enumerate(mentees):
        row = np.where(free > 0, scores[i], np.nan)
        if np.isnan(row).all():
            unmatched.append((x, "no_eligible_mentor" if np.isnan(scores[i]).all() else "capacity"))
            continue
        j = int(np.nanargmax(row))
        free[j] -= 1
        pairs.append((x, mentors[j], float(scores[i, j])))
    return Cohort(pairs, unmatched)
