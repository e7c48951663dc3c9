"""A programme's mentors as numpy arrays, scored for many mentees at once.

:class:`Pool` keeps, one entry per mentor: the id, the discipline and the site as integer
codes, the areas of expertise, the stems of their names and the languages as bit masks,
the years, the capacity, the places taken, the availability and the training. It is
built in a fixed number of queries (:mod:`.adapter`), cached per programme in Django's
cache (:data:`wagtail_mentorat.caching.MATCHING`, dropped by a signal when a profile, an
offer, a pairing, a completion or a consent changes) and scored without a Python loop
over mentors.

The rules are those of :func:`.scoring.exclusion` and :func:`.scoring.components`, which
stay the reference: the arrays compute the same values bit for bit (the same float64
operations in the same order; tests compare them on random cases), so the order of the
suggestions and the totals of a cohort are those the pair-by-pair rules give. Mentor
objects (names, areas, explanations) are made only for the mentors shown.
"""

from collections.abc import Sequence

import numpy as np

# Exclusion codes, in the order :func:`.scoring.exclusion` checks them (0: eligible).
CODES = (None, "self", "superior", "experience", "discipline", "capacity", "training")
CODES += ("poor_fit", "declined")
_SELF, _SUPERIOR, _EXPERIENCE, _DISCIPLINE, _CAPACITY, _TRAINING, _POOR_FIT, _DECLINED = range(1, 9)


def _words(count):
    return max((count + 63) // 64, 1)


def bits(sets, index):
    """One row of uint64 words per set: bit ``index[x]`` set for each known ``x``."""
    width = _words(len(index))
    masks = []
    for values in sets:
        mask = 0
        for value in values:
            position = index.get(value)
            if position is not None:
                mask |= 1 << position
        masks.append(mask)
    out = np.zeros((len(masks), width), dtype=np.uint64)
    for word in range(width):
        shift = 64 * word
        out[:, word] = np.array([(mask >> shift) & 0xFFFFFFFFFFFFFFFF for mask in masks], np.uint64)
    return out


def _common(a, b):
    """Bits ``a`` (words on the last axis) shares with ``b``, counted: popcounts summed."""
    return np.bitwise_count(a & b).sum(axis=-1, dtype=np.int64)


class Pool:
    """The mentors of one programme as arrays (see the module's docstring)."""

    def __init__(self, rows, area_info=None, originals=None):
        """``rows``: per mentor a dict with the fields of :class:`.scoring.Mentor`
        (``expertise`` as area ids, ``languages`` as a set of codes); ``area_info``:
        {area id: (name, stems)} for the explanations and the stems of the areas."""
        from .scoring import Mentor  # noqa: F401 (the objects this pool stands for)

        self.area_info = dict(area_info or {})
        self._originals = originals  # Mentor objects given by the caller, if any
        n = len(rows)
        self.ids = np.array([r["id"] for r in rows], dtype=np.int64)
        self.names = [r.get("name", "") for r in rows]
        self.discipline_vocab = list(dict.fromkeys(r.get("discipline", "") for r in rows))
        disc = {v: k for k, v in enumerate(self.discipline_vocab)}
        self.discipline = np.array([disc[r.get("discipline", "")] for r in rows], dtype=np.int32)
        self.site_vocab = list(dict.fromkeys(r.get("site", "") for r in rows))
        site = {v: k for k, v in enumerate(self.site_vocab)}
        self.site = np.array([site[r.get("site", "")] for r in rows], dtype=np.int32)
        self.languages_of = [frozenset(r.get("languages", ())) for r in rows]
        self.language_index = {}
        for langs in self.languages_of:
            for code in langs:
                self.language_index.setdefault(code, len(self.language_index))
        self.language_bits = bits(self.languages_of, self.language_index)
        self.years = np.array([r.get("years", 0) for r in rows], dtype=np.int64)
        self.capacity = np.array([r.get("capacity", 1) for r in rows], dtype=np.int64)
        self.taken = np.array([r.get("taken", 0) for r in rows], dtype=np.int64)
        self.free = np.maximum(self.capacity - self.taken, 0)
        self.available = np.array([bool(r.get("available", True)) for r in rows], dtype=bool)
        self.trained = np.array([bool(r.get("trained", True)) for r in rows], dtype=bool)
        expertise = [frozenset(r.get("expertise", ())) for r in rows]
        self.expertise_of = expertise
        self.area_index = {}
        for areas in expertise:
            for a in sorted(areas):
                self.area_index.setdefault(a, len(self.area_index))
        self.area_bits = bits(expertise, self.area_index)
        stems_of = [
            frozenset(r["expertise_stems"])
            if "expertise_stems" in r
            else frozenset().union(*(self.area_info.get(a, ("", ()))[1] for a in areas))
            for r, areas in zip(rows, expertise, strict=True)
        ]
        self.stems_of = stems_of
        self.stem_index = {}
        for stems in stems_of:
            for s in sorted(stems):
                self.stem_index.setdefault(s, len(self.stem_index))
        self.stem_bits = bits(stems_of, self.stem_index)
        self.has_stems = np.array([bool(s) for s in stems_of], dtype=bool)
        self.expertise_names_of = [r.get("expertise_names") for r in rows]
        self._empty_discipline = disc.get("", -1)
        self._empty_site = site.get("", -1)
        self._column = None
        self._mentors = [None] * n if originals is None else list(originals)

    # -- the pool as Mentor objects, made on demand -----------------------------------------

    def __len__(self):
        return len(self.ids)

    def __getstate__(self):  # the cache keeps the arrays, not what is made from them
        state = dict(self.__dict__)
        state["_column"] = None
        if state["_originals"] is None:
            state["_mentors"] = [None] * len(self.ids)
        return state

    @classmethod
    def from_mentors(cls, mentors):
        """A pool of :class:`.scoring.Mentor` objects (tests, callers holding a list)."""
        mentors = list(mentors)
        rows = [
            {
                "id": y.id,
                "name": y.name,
                "discipline": y.discipline,
                "site": y.site,
                "languages": y.languages,
                "years": y.years,
                "available": y.available,
                "capacity": y.capacity,
                "taken": y.taken,
                "expertise": y.expertise,
                "expertise_stems": y.expertise_stems,
                "expertise_names": y.expertise_names,
                "trained": y.trained,
            }
            for y in mentors
        ]
        return cls(rows, originals=mentors)

    @property
    def column(self):
        """{mentor id: column}."""
        if self._column is None:
            self._column = {int(i): j for j, i in enumerate(self.ids.tolist())}
        return self._column

    def mentor(self, j):
        """Mentor ``j`` as a :class:`.scoring.Mentor` (made once)."""
        made = self._mentors[j]
        if made is None:
            from .scoring import Mentor

            areas = self.expertise_of[j]
            names = self.expertise_names_of[j]
            if names is None:
                names = tuple(self.area_info[a] for a in sorted(areas) if a in self.area_info)
            made = self._mentors[j] = Mentor(
                id=int(self.ids[j]),
                name=self.names[j],
                discipline=self.discipline_vocab[self.discipline[j]],
                site=self.site_vocab[self.site[j]],
                languages=self.languages_of[j],
                years=int(self.years[j]),
                available=bool(self.available[j]),
                capacity=int(self.capacity[j]),
                taken=int(self.taken[j]),
                expertise=areas,
                expertise_stems=self.stems_of[j],
                expertise_names=names,
                trained=bool(self.trained[j]),
            )
        return made

    @property
    def mentors(self):
        """Every mentor as a :class:`.scoring.Mentor`, in the pool's order."""
        return [self.mentor(j) for j in range(len(self))]

    # -- scoring -----------------------------------------------------------------------------

    def encode(self, mentees):
        """The mentees' side of the scoring, in this pool's codes."""
        return Encoded(self, list(mentees))

    def constant(self, rules, weights):
        """The per-mentor part of the weighted sum that does not depend on the mentee
        (experience, availability, room), and the masks of the global constraints."""
        target_years = max(rules.min_years * 2, 10)
        experience = np.minimum(self.years / target_years, 1.0)
        availability = self.available.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(self.capacity > 0, self.free / np.maximum(self.capacity, 1), 0.0)
        return experience, availability, room

    def scores(self, enc, rows, rules, weights):
        """(scores, codes) for the mentees ``rows`` of ``enc`` (a slice or index array)
        against every mentor: scores as :func:`.scoring.fit` computes them (float64,
        the same operations in the same order), codes the first constraint that
        excludes the pair (0: eligible), as :func:`.scoring.exclusion`."""
        from .scoring import DEFAULT_WEIGHTS

        weights = weights or DEFAULT_WEIGHTS
        total = sum(weights.get(k, 0) for k in DEFAULT_WEIGHTS)
        rows = np.arange(len(enc.mentees))[rows]
        d = enc.discipline[rows][:, None]
        s = enc.site[rows][:, None]
        # Expertise: share of the areas asked for, and goal stems against the mentor's.
        area_overlap = _common(enc.wanted_bits[rows][:, None, :], self.area_bits[None, :, :])
        wanted = enc.wanted_count[rows][:, None]
        by_area = np.where(wanted > 0, area_overlap / np.maximum(wanted, 1), -1.0)
        covered = _common(enc.goal_bits[rows][:, None, :], self.stem_bits[None, :, :])
        goal_count = enc.goal_count[rows][:, None]
        by_goal = np.where(
            (goal_count > 0) & self.has_stems[None, :],
            np.minimum(covered / np.maximum(goal_count, 1), 1.0),
            -1.0,
        )
        expertise = np.maximum(np.maximum(by_area, by_goal), 0.0)
        same_discipline = (d == self.discipline[None, :]) & (
            self.discipline[None, :] != self._empty_discipline
        )
        same_site = (s == self.site[None, :]) & (self.site[None, :] != self._empty_site)
        language = (
            _common(enc.language_bits[rows][:, None, :], self.language_bits[None, :, :]) > 0
        ) | ~enc.has_languages[rows][:, None]
        experience, availability, room = self.constant(rules, weights)
        if total:
            # 0 + w·v + ... left to right, as sum([...]) in scoring.weighted.
            acc = weights.get("expertise", 0) * expertise
            acc = acc + weights.get("discipline", 0) * same_discipline.astype(np.float64)
            acc = acc + weights.get("site", 0) * same_site.astype(np.float64)
            acc = acc + weights.get("language", 0) * language.astype(np.float64)
            acc = acc + (weights.get("experience", 0) * experience)[None, :]
            acc = acc + (weights.get("availability", 0) * availability)[None, :]
            acc = acc + (weights.get("capacity", 0) * room)[None, :]
            score = 100.0 * acc / total
        else:
            score = np.zeros(expertise.shape)

        # Hard constraints, the last checked first so that the first one wins.
        codes = np.zeros(score.shape, dtype=np.int8)
        personal = enc.personal
        for code in (_DECLINED, _POOR_FIT):
            for k, i in enumerate(rows):
                cols = personal[code][i]
                if len(cols):
                    codes[k, cols] = code
        codes[:, ~self.trained] = _TRAINING
        codes[:, self.free < 1] = _CAPACITY
        if rules.discipline in ("required", "preferred"):
            other = d != self.discipline[None, :]
            if rules.discipline == "preferred":
                other &= area_overlap == 0
            codes[other] = _DISCIPLINE
        codes[:, self.years < rules.min_years] = _EXPERIENCE
        for code in (_SUPERIOR, _SELF):
            for k, i in enumerate(rows):
                cols = personal[code][i]
                if len(cols):
                    codes[k, cols] = code
        return score, codes


class Encoded:
    """Mentees in a pool's codes (areas, stems and languages as bit masks)."""

    def __init__(self, pool, mentees):
        self.mentees = mentees
        disc = {v: k for k, v in enumerate(pool.discipline_vocab)}
        site = {v: k for k, v in enumerate(pool.site_vocab) if v}
        self.discipline = np.array([disc.get(x.discipline, -2) for x in mentees], dtype=np.int32)
        self.site = np.array([site.get(x.site, -2) for x in mentees], dtype=np.int32)
        self.wanted_bits = bits([x.wanted for x in mentees], pool.area_index)
        self.wanted_count = np.array([len(x.wanted) for x in mentees], dtype=np.int64)
        self.goal_bits = bits([x.goal_stems for x in mentees], pool.stem_index)
        self.goal_count = np.array([min(len(x.goal_stems), 3) for x in mentees], dtype=np.int64)
        self.language_bits = bits([x.languages for x in mentees], pool.language_index)
        self.has_languages = np.array([bool(x.languages) for x in mentees], dtype=bool)
        column = pool.column

        def cols(ids):
            return np.array(sorted({column[i] for i in ids if i in column}), dtype=np.int64)

        self.personal = {
            _SELF: [cols((x.id,)) for x in mentees],
            _SUPERIOR: [cols(x.superiors) for x in mentees],
            _POOR_FIT: [cols(x.poor_fit) for x in mentees],
            _DECLINED: [cols(x.declined) for x in mentees],
        }


def as_pool(mentors):
    return mentors if isinstance(mentors, Pool) else Pool.from_mentors(mentors)


class Excluded(Sequence):
    """The excluded mentors of one mentee as ``(Mentor, code)`` pairs, made when read:
    a page shows their number, and the mentors only when asked."""

    def __init__(self, pool, columns, codes):
        self.pool, self.columns, self.codes = pool, columns, codes

    def __len__(self):
        return len(self.columns)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        return self.pool.mentor(int(self.columns[k])), CODES[int(self.codes[k])]

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return f"Excluded({list(self)!r})"
