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
    """The ``limit`` best eligible mentors, best first (ties by mentor id), and every
    excluded mentor with the constraint that excluded them. ``mentors``: a list of
    :class:`Mentor` or a :class:`.pool.Pool`. Scored on arrays; the shown mentors' fit
    and reasons come from :func:`fit` (so they are worded for them only), the excluded
    ones are made when read."""
    from .pool import Excluded, as_pool

    weights = weights or DEFAULT_WEIGHTS
    pool = as_pool(mentors)
    if not len(pool):
        return [], []
    score, codes = pool.scores(pool.encode([mentee]), slice(0, 1), rules, weights)
    score, codes = score[0], codes[0]
    eligible = np.flatnonzero(codes == 0)
    excluded_columns = np.flatnonzero(codes != 0)
    shown = eligible
    if limit is not None and len(eligible) > limit:
        # The ``limit``-th best score, then every mentor at least that good (ties kept).
        kth = np.partition(-score[eligible], limit - 1)[limit - 1]
        shown = eligible[-score[eligible] <= kth]
    order = np.lexsort((pool.ids[shown], -score[shown]))
    best = [fit(mentee, pool.mentor(int(j)), rules, weights) for j in shown[order][:limit]]
    return best, Excluded(pool, excluded_columns, codes[excluded_columns])


# --- the cohort -----------------------------------------------------------------------------

# Mentees scored together: a block of rows against every mentor, never the whole matrix.
BLOCK = 128


def _blocks(count, size=BLOCK):
    for start in range(0, count, size):
        yield slice(start, min(start + size, count))


def score_matrix(mentees, mentors, rules, weights=None):
    """Fit of every mentee (rows) with every mentor (columns), vectorised; NaN where a
    hard constraint excludes the pair. Equal to :func:`fit` and :func:`exclusion`
    pair by pair (a test checks it). Dense: for small problems, tests and references."""
    from .pool import as_pool

    mentees = list(mentees)
    pool = as_pool(mentors)
    out = np.full((len(mentees), len(pool)), np.nan)
    if not mentees or not len(pool):
        return out
    enc = pool.encode(mentees)
    for rows in _blocks(len(mentees)):
        score, codes = pool.scores(enc, rows, rules, weights)
        out[rows] = np.where(codes == 0, score, np.nan)
    return out


@dataclass
class Cohort:
    pairs: list  # (mentee, mentor, score)
    unmatched: list  # (mentee, reason code: "no_eligible_mentor" | "capacity")
    size: dict = field(default_factory=dict)  # what was solved: mentees, places, edges...

    @property
    def total(self):
        return sum(score for _mentee, _mentor, score in self.pairs)


def _places_needed(free, mentees):
    """``k``: the fewest mentors whose free places, the smallest first, reach the number
    of mentees, so that any ``k`` mentors with a free place have at least that many
    places between them (every mentor with a place when they have fewer)."""
    sizes = np.sort(free[free > 0])
    reach = np.cumsum(sizes)
    k = int(np.searchsorted(reach, mentees)) + 1
    return min(k, len(sizes))


def _top(ranked, k):
    """(row, column) of the ``k`` largest entries of each row of ``ranked`` (every
    entry when a row has at most ``k``), rows in order, columns in order within a row;
    ties at the ``k``-th value broken by the column (the first ones kept)."""
    b, n = ranked.shape
    if k >= n:
        return np.nonzero(np.ones(ranked.shape, dtype=bool))
    # The k-th largest value of each row, then every larger one and the first ties.
    kth = np.partition(ranked, n - k, axis=1)[:, n - k]
    above = ranked > kth[:, None]
    tie = ranked == kth[:, None]
    need = k - np.count_nonzero(above, axis=1)
    keep = above | (tie & (np.cumsum(tie, axis=1, dtype=np.int32) <= need[:, None]))
    return np.nonzero(keep)


def _top_ranked(rank, k, values):
    """(row, column) as :func:`_top` for integer ranks (-1: not eligible, never kept;
    ``values`` distinct ranks), from a histogram of each row instead of a partition;
    and the number of eligible pairs of each row."""
    b = len(rank)
    counts = np.bincount(
        (rank + (np.arange(b, dtype=np.int32) * (values + 1) + 1)[:, None]).reshape(-1),
        minlength=b * (values + 1),
    ).reshape(b, values + 1)[:, :0:-1]  # per row, from the best rank down
    from_top = np.cumsum(counts, axis=1)
    enough = from_top[:, -1] >= k if values else np.zeros(b, dtype=bool)
    at = np.argmax(from_top >= k, axis=1)  # the k-th best rank, counted from the top
    kth = np.where(enough, values - 1 - at, 0)
    need = np.where(enough, k - (from_top[np.arange(b), at] - counts[np.arange(b), at]), k)
    r, c = np.nonzero(rank >= kth[:, None].astype(rank.dtype))  # rows in order
    tie = rank[r, c] == kth[r]
    ties = np.bincount(r[tie], minlength=b)
    first = np.cumsum(ties) - ties
    position = np.zeros(len(r), dtype=np.int64)
    position[tie] = np.arange(int(tie.sum())) - first[r[tie]]
    keep = ~tie | (position < need[r])  # the first ties, by column
    return r[keep], c[keep], from_top[:, -1]


def place_matrix(mentees, pool, rules, weights=None, scores=None, all_places=False):
    """The cohort's sparse place-level problem, built a block of rows at a time: a
    column per free place of each mentor, then one "left unmatched" column per mentee.

    Every eligible pair is scored; each mentee gets an edge to every free place of its
    ``k`` best eligible mentors (:func:`_places_needed`; ties broken by the mentor's
    column), which provably keeps an optimum of the whole problem, every eligible pair
    and every place (``all_places``: all of them are edges, the plain expansion that
    the tests and the bench compare with):

        Take any optimal assignment and a mentee ``x`` placed with a mentor outside its
        ``k`` best. Those ``k`` mentors have at least as many free places as there are
        mentees, and the other mentees hold at most one place each, so one of their
        places is empty; ``x`` is eligible there and scores there at least as much as
        where it is. Moving ``x`` keeps every capacity and every constraint, the number
        of mentees placed, and does not lower the total: still optimal. A moved mentee
        is never displaced by the next moves (they only fill empty places), so after at
        most one move per mentee every mentee is placed within its ``k`` best: an
        optimal assignment whose pairs are all edges here. The pairs left out are those
        an optimum never needs; the solver's optimum here is the optimum of all pairs.

    Weights, for a minimum-weight matching: minus (the fit plus a constant that makes
    one more pair worth more than any gain in fit), so the solver places as many
    mentees as possible, then maximises the total fit; the "unmatched" columns weigh -1.
    The CSR arrays are made directly (int32 indices, float64 weights).

    Returns (matrix, place → mentor column, {row: has an eligible mentor}, size)."""
    from scipy.sparse import csr_array

    m, n = len(mentees), len(pool)
    free = pool.free
    place_mentor = np.repeat(np.arange(n), free)
    first_place = np.cumsum(free) - free  # column of each mentor's first place
    places = len(place_mentor)
    offered = np.flatnonzero(free > 0)  # only mentors with a free place are columns
    k = len(offered) if all_places else _places_needed(free, m)
    bonus = 100.0 * (m + 1) + 1.0  # more than any total of fits
    enc = pool.encode(mentees) if scores is None else None
    counts = np.zeros(m, dtype=np.int64)
    chunks_idx, chunks_data, has_eligible = [], [], np.zeros(m, dtype=bool)
    eligible_pairs = 0
    everyone = len(offered) == n
    for rows in _blocks(m):
        if scores is None:
            index, table, codes = pool.indexed(enc, rows, rules, weights)
            if index is None:
                index, table = np.zeros(codes.shape, dtype=np.int32), np.zeros(1)
            if not everyone:
                index, codes = index[:, offered], codes[:, offered]
            # Ranks of the distinct scores, -1 for an excluded pair (a last entry of the
            # table): the k best by a histogram, unless the scores take so many values
            # that the histogram would be larger than the block.
            distinct, rank_of = np.unique(table, return_inverse=True)
            if len(distinct) < 2 * index.shape[1]:
                small = np.int16 if len(distinct) < 2**15 else np.int32
                rank_of = np.append(rank_of.astype(small), small(-1))
                np.putmask(index, codes != 0, len(table))
                del codes
                rank = rank_of[index]
                r, c, eligible = _top_ranked(rank, k, len(distinct))
                del rank
                eligible_pairs += int(eligible.sum())
                has_eligible[rows] = eligible > 0
            else:
                allowed = codes == 0
                r, c = _top(np.where(allowed, table[index], -np.inf), k)
                keep = allowed[r, c]
                r, c = r[keep], c[keep]
                eligible_pairs += int(np.count_nonzero(allowed))
                has_eligible[rows] = allowed.any(axis=1)
            pair_score = table[index[r, c]]
        else:
            score = np.asarray(scores[rows], dtype=np.float64)[:, offered]
            allowed = ~np.isnan(score)
            r, c = _top(np.where(allowed, score, -np.inf), k)
            keep = allowed[r, c]
            r, c = r[keep], c[keep]
            pair_score = score[r, c]
            eligible_pairs += int(np.count_nonzero(allowed))
            has_eligible[rows] = allowed.any(axis=1)
        b = rows.stop - rows.start
        j = offered[c]
        f = free[j]  # each pair: every free place of the mentor
        edge_start = np.cumsum(f) - f
        idx = (np.repeat(first_place[j] - edge_start, f) + np.arange(int(f.sum()))).astype(np.int32)
        data = np.repeat(-(pair_score + (bonus + 1.0)), f)
        row_places = np.bincount(r, weights=f, minlength=b).astype(np.int64)
        counts[rows] = row_places + 1  # + the "unmatched" column
        # Each row: its places, then its own "unmatched" column (weight -1).
        ends = np.cumsum(row_places)
        at = np.arange(len(idx)) + np.repeat(np.arange(b), row_places)
        size = len(idx) + b
        block_idx = np.empty(size, dtype=np.int32)
        block_data = np.empty(size, dtype=np.float64)
        block_idx[at] = idx
        block_data[at] = data
        dummy = ends + np.arange(b)
        block_idx[dummy] = places + np.arange(rows.start, rows.stop, dtype=np.int32)
        block_data[dummy] = -1.0
        chunks_idx.append(block_idx)
        chunks_data.append(block_data)
        del r, c, idx, data
    indptr = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(counts, out=indptr[1:])
    matrix = csr_array(
        (np.concatenate(chunks_data), np.concatenate(chunks_idx), indptr),
        shape=(m, places + m),
    )
    size = {
        "mentees": m,
        "mentors": n,
        "places": places,
        "eligible_pairs": eligible_pairs,
        "edges": matrix.nnz - m,
    }
    return matrix, place_mentor, has_eligible, size


def _result(mentees, pool, assigned, has_eligible, rules, weights, scores):
    """Cohort from {row: mentor column}: the pairs with their fit, the others with why."""
    pairs, placed = [], set()
    for i, j in assigned.items():
        x = mentees[i]
        if scores is not None:
            value = float(scores[i, j])
        else:
            value = weighted(components(x, pool.mentor(j), rules), weights)
        pairs.append((x, pool.mentor(j), value))
        placed.add(i)
    unmatched = [
        (x, "capacity" if has_eligible[i] else "no_eligible_mentor")
        for i, x in enumerate(mentees)
        if i not in placed
    ]
    return pairs, unmatched


def cohort(mentees, mentors, rules, weights=None, scores=None, all_places=False):
    """The assignment of ``mentees`` to ``mentors`` that maximises total fit, each mentor
    taking at most their free places, never breaking a hard constraint.

    Solved exactly as a minimum-weight full bipartite matching on the sparse place-level
    matrix of :func:`place_matrix` (scipy's LAPJVsp): every eligible pair is scored,
    the edges are those an optimum may need, and no dense mentees × places matrix is
    ever built. ``mentors``: a list of :class:`Mentor` or a :class:`.pool.Pool`;
    ``scores``: a dense matrix to use instead of the fit."""
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    from .pool import as_pool

    mentees = list(mentees)
    weights = weights or DEFAULT_WEIGHTS
    pool = as_pool(mentors)
    if not mentees or not len(pool):
        return Cohort([], [(x, "no_eligible_mentor") for x in mentees])
    if not pool.free.sum():
        return Cohort([], [(x, "capacity") for x in mentees])
    matrix, place_mentor, has_eligible, size = place_matrix(
        mentees, pool, rules, weights, scores, all_places
    )
    rows, cols = min_weight_full_bipartite_matching(matrix)  # weights already negated
    assigned = {
        int(i): int(place_mentor[c])
        for i, c in zip(rows, cols, strict=True)
        if c < len(place_mentor)
    }
    pairs, unmatched = _result(mentees, pool, assigned, has_eligible, rules, weights, scores)
    return Cohort(pairs, unmatched, size)


def cohort_dense(mentees, mentors, rules, weights=None, scores=None):
    """The reference solver: the same problem on the dense mentees × places matrix with
    scipy's linear_sum_assignment (the Hungarian method). Independent of
    :func:`place_matrix`; memory grows with mentees × places (tests, benchmarks)."""
    from scipy.optimize import linear_sum_assignment

    from .pool import as_pool

    mentees, mentors = list(mentees), as_pool(mentors).mentors
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
    del slot_scores
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
    from .pool import as_pool

    mentees, pool = list(mentees), as_pool(mentors)
    if not mentees or not len(pool):
        return Cohort([], [(x, "no_eligible_mentor") for x in mentees])
    scores = score_matrix(mentees, pool, rules, weights) if scores is None else scores
    free = pool.free.copy()
    pairs, unmatched = [], []
    for i, x in enumerate(mentees):
        row = np.where(free > 0, scores[i], np.nan)
        if np.isnan(row).all():
            unmatched.append((x, "no_eligible_mentor" if np.isnan(scores[i]).all() else "capacity"))
            continue
        j = int(np.nanargmax(row))
        free[j] -= 1
        pairs.append((x, pool.mentor(j), float(scores[i, j])))
    return Cohort(pairs, unmatched)
