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


def _narrow(a, b):
    """One-word masks as the narrowest unsigned integers that hold their bits."""
    top = int(max(a.max(initial=0), b.max(initial=0))).bit_length()
    dtype = np.uint8 if top <= 8 else np.uint16 if top <= 16 else np.uint32 if top <= 32 else None
    if dtype is None:
        return a[:, 0], b[:, 0]
    return a[:, 0].astype(dtype), b[:, 0].astype(dtype)


def _count(a, b):
    """(rows of ``a``) × (rows of ``b``): the bits they share, counted (small integers)."""
    if a.shape[1] == 1:
        a, b = _narrow(a, b)
        return np.bitwise_count(a[:, None] & b[None, :])
    return np.bitwise_count(a[:, None, :] & b[None, :, :]).sum(axis=-1, dtype=np.int32)


def _any(a, b):
    """(rows of ``a``) × (rows of ``b``): whether they share a bit."""
    if a.shape[1] == 1:
        a, b = _narrow(a, b)
        return (a[:, None] & b[None, :]) != 0
    return (a[:, None, :] & b[None, :, :]).any(axis=-1)


def _kinds(enc, rows):
    """(first row of each distinct (discipline, site, languages) among ``rows``, the
    kind of each row): the mentee's side of everything but the expertise."""
    key = np.concatenate(
        [
            enc.discipline[rows][:, None].astype(np.int64),
            enc.site[rows][:, None].astype(np.int64),
            enc.has_languages[rows][:, None].astype(np.int64),
            enc.language_bits[rows].view(np.int64),
        ],
        axis=1,
    )
    _values, first, kind = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return first, kind.reshape(-1)


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

    def _mentor_classes(self, rules, weights):
        """The mentor's part of the weighted sum (weighted experience, availability and
        room) as classes: (class of each mentor, the classes' three values); cached."""
        key = (rules.min_years, tuple(sorted(weights.items())))
        cache = self.__dict__.setdefault("_classes", {})
        if key not in cache:
            experience, availability, room = self.constant(rules, weights)
            parts = np.stack(
                [
                    weights.get("experience", 0) * experience,
                    weights.get("availability", 0) * availability,
                    weights.get("capacity", 0) * room,
                ],
                axis=1,
            )
            values, inverse = np.unique(parts, axis=0, return_inverse=True)
            cache[key] = (inverse.reshape(-1).astype(np.int32), values)
        return cache[key]

    def scores(self, enc, rows, rules, weights):
        """(scores, codes) for the mentees ``rows`` of ``enc`` (a slice or index array)
        against every mentor: scores as :func:`.scoring.fit` computes them (float64,
        the same operations in the same order), codes the first constraint that
        excludes the pair (0: eligible), as :func:`.scoring.exclusion`.

        A pair's score depends only on a few small numbers: the areas asked for that the
        mentor masters, the goal stems covered (at most 3 count), same discipline, same
        site, a common language, and the mentor's own part (experience, availability,
        room). So the scores are computed once per distinct combination, with the same
        float64 operations in the same order as :func:`.scoring.weighted`, in a small
        table, and each pair reads its entry: bit for bit the same values, with integer
        work only over the mentees × mentors pairs."""
        index, table, codes = self.indexed(enc, rows, rules, weights)
        score = np.zeros(codes.shape) if index is None else table[index]
        return score, codes

    def indexed(self, enc, rows, rules, weights):
        """(index, table, codes): the scores of :meth:`scores` as ``table[index]`` (index
        None when every weight is 0: every score is 0), and the codes."""
        from .scoring import DEFAULT_WEIGHTS

        weights = weights or DEFAULT_WEIGHTS
        total = sum(weights.get(k, 0) for k in DEFAULT_WEIGHTS)
        rows = np.arange(len(enc.mentees))[rows]
        b, n = len(rows), len(self)
        d = enc.discipline[rows][:, None]
        area_overlap = _count(enc.wanted_bits[rows], self.area_bits)
        if total:
            wanted = enc.wanted_count[rows]
            goals = enc.goal_count[rows]
            # Expertise: max(share of the areas asked for, share of the goal stems
            # covered (at most 1), 0), for every row and every possible count. A mentor
            # with no stems covers none: 0 there, where the rules say -1; both lose to 0.
            top_area, top_goal = int(area_overlap.max(initial=0)), int(goals.max(initial=0))
            ov = np.arange(top_area + 1)[None, :, None]
            cv = np.arange(top_goal + 1)[None, None, :]
            w, g = wanted[:, None, None], goals[:, None, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                by_area = np.where(w > 0, ov / np.maximum(w, 1), -1.0)
                share = np.minimum(cv, g) / np.maximum(g, 1)
                by_goal = np.where(g > 0, np.minimum(share, 1.0), -1.0)
            expertise = np.maximum(np.maximum(by_area, by_goal), 0.0)
            values, e_code = np.unique(expertise, return_inverse=True)
            # The part that depends on the pair: expertise, discipline, site, language.
            flags = np.array([(x >> 2 & 1, x >> 1 & 1, x & 1) for x in range(8)], np.float64)
            pair = weights.get("expertise", 0) * values[:, None]
            pair = pair + weights.get("discipline", 0) * flags[None, :, 0]
            pair = pair + weights.get("site", 0) * flags[None, :, 1]
            pair = pair + weights.get("language", 0) * flags[None, :, 2]
            classes, own = self._mentor_classes(rules, weights)
            acc = pair.reshape(-1)[:, None] + own[None, :, 0]
            acc = acc + own[None, :, 1]
            acc = acc + own[None, :, 2]
            table = (100.0 * acc / total).reshape(-1)
            c = len(own)
            # Each pair's entry: ((expertise code · 8 + flags) · classes + class).
            e_code = (e_code.reshape(b, top_area + 1, top_goal + 1) * (8 * c)).astype(np.int32)
            covered = np.minimum(_count(enc.goal_bits[rows], self.stem_bits), top_goal)
            start = np.arange(b, dtype=np.int32)[:, None] * ((top_area + 1) * (top_goal + 1))
            at = covered.astype(np.int32)
            at += start
            at += area_overlap.astype(np.int32) * (top_goal + 1)
            index = e_code.reshape(-1)[at]
            del at, covered
            # The rest depends on the mentee only through its discipline, site and
            # languages: one row per distinct kind of mentee in the block (same
            # discipline, same site, a common language or none asked, the mentor's
            # class), read by each mentee.
            kinds, kind = _kinds(enc, rows)
            first = rows[kinds]
            same_discipline = (enc.discipline[first][:, None] == self.discipline[None, :]) & (
                self.discipline[None, :] != self._empty_discipline
            )
            same_site = (enc.site[first][:, None] == self.site[None, :]) & (
                self.site[None, :] != self._empty_site
            )
            language = _any(enc.language_bits[first], self.language_bits)
            language |= ~enc.has_languages[first][:, None]
            rest = same_discipline * np.int32(4 * c) + same_site * np.int32(2 * c)
            rest += language * np.int32(c)
            rest += classes[None, :]
            index += rest[kind] if len(kinds) > 1 else rest
            del rest
        else:
            index, table = None, np.zeros(1)

        # Hard constraints, the last checked first so that the first one wins.
        codes = np.zeros((b, n), dtype=np.int8)
        personal = enc.personal
        for code in (_DECLINED, _POOR_FIT):
            for k, i in enumerate(rows):
                cols = personal[code][i]
                if len(cols):
                    codes[k, cols] = code
        mentor = np.where(self.free < 1, _CAPACITY, np.where(self.trained, 0, _TRAINING))
        if mentor.any():
            codes = np.where(mentor[None, :] != 0, mentor[None, :].astype(np.int8), codes)
        if rules.discipline in ("required", "preferred"):
            other = d != self.discipline[None, :]
            if rules.discipline == "preferred":
                other &= area_overlap == 0
            np.putmask(codes, other, _DISCIPLINE)
            del other
        short = self.years < rules.min_years
        if short.any():
            codes = np.where(short[None, :], np.int8(_EXPERIENCE), codes)
        for code in (_SUPERIOR, _SELF):
            for k, i in enumerate(rows):
                cols = personal[code][i]
                if len(cols):
                    codes[k, cols] = code
        return index, table, codes


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
