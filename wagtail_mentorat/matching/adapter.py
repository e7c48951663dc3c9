"""The matching's ORM adapter: a programme's people as plain data, in a fixed number of
queries whatever their number, and proposals handed to the lifecycle."""

from collections import defaultdict
from functools import lru_cache

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import caching, lifecycle, rules
from ..models import (
    OPEN_STATES,
    ClosureReason,
    ExpertiseArea,
    MemberRole,
    MentorDecline,
    MentoringRequest,
    MentorOffer,
    MentorPreference,
    PairingMember,
    ParticipantProfile,
)
from ..privacy.consent import awaiting_users, exclude_withdrawn
from ..privacy.purposes import Purpose
from . import scoring
from .pool import Pool as MentorPool
from .text import stems


def rules_for(programme):
    return scoring.Rules(min_years=programme.mentor_min_years, discipline=programme.discipline_rule)


def weights_for(programme):
    weights = dict(scoring.DEFAULT_WEIGHTS)
    weights.update({k: v for k, v in (programme.matching_weights or {}).items() if k in weights})
    return weights


@lru_cache(maxsize=256)
def _languages(value):
    return frozenset(code.strip().lower() for code in (value or "").split(",") if code.strip())


def _poor_fits(mentee_ids):
    """Mentor ids each mentee already closed a pairing with as not the right fit."""
    rows = (
        PairingMember.objects.filter(
            pairing__closure_reason=ClosureReason.REMATCH,
            pairing__members__user_id__in=mentee_ids,
            pairing__members__role=MemberRole.MENTEE,
        )
        .exclude(role=MemberRole.MENTEE)
        .values_list("pairing__members__user_id", "user_id")
    )
    result = defaultdict(set)
    for mentee_id, mentor_id in rows:
        result[mentee_id].add(mentor_id)
    return result


def _by_request(model, request_ids, order):
    """{request id: [mentor ids]} of a request-level table, in one query."""
    result = defaultdict(list)
    rows = model.objects.filter(request_id__in=request_ids).order_by("request_id", order)
    for request_id, mentor_id in rows.values_list("request_id", "mentor_id"):
        result[request_id].append(mentor_id)
    return result


def _trained(programme, role, user_ids):
    """Ids of ``user_ids`` who meet the programme's training rules for ``role`` (the named
    modules and the minimum of hours, as :func:`rules.training_errors`); None when the
    programme asks for no training."""
    required = list(getattr(programme, f"{role}_training").all())
    hours = getattr(programme, f"{role}_training_hours", 0)
    if not required and not hours:
        return None  # nobody is blocked
    from wagtail_mentorat.training.services import users_who_completed

    trained = set(user_ids)
    if required:
        trained &= set(users_who_completed(required))  # a queryset of ids
    return trained - set(rules.minutes_short(programme, list(trained), role))


def _areas():
    """Each area's name and stems, from one query."""
    return {pk: (name, stems(name)) for pk, name in ExpertiseArea.objects.values_list("pk", "name")}


def build_pool(programme, today=None):
    """The programme's possible mentors as a :class:`.pool.Pool` of arrays: five queries
    whatever their number (profiles, their areas, the areas' names, the places taken, the
    training), with no model instances to build. Only its mentor pool counts: profiles
    willing to mentor whose offer in ``programme`` a coordinator approved, and who take
    mentees today (``unavailable_until`` empty or past; the same as
    :func:`rules.pool_errors`). A full mentor stays, excluded by the scoring with its
    reason."""
    today = today or timezone.localdate()
    in_pool = MentorOffer.objects.filter(
        Q(unavailable_until__isnull=True) | Q(unavailable_until__lt=today),
        programme=programme,
        mentor_id=OuterRef("user_id"),
        status=MentorOffer.Status.APPROVED,
    )
    # Privacy: people who withdrew their consent to matching are left out (a subquery).
    profiles = exclude_withdrawn(
        ParticipantProfile.objects.filter(Exists(in_pool), is_mentor=True, user__is_active=True),
        Purpose.MATCHING,
    )
    rows = list(
        profiles.order_by("user_id").values_list(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "discipline",
            "site",
            "languages",
            "years_experience",
            "availability",
            "mentor_capacity",
        )
    )
    ids = [row[0] for row in rows]
    expertise = defaultdict(set)
    for user_id, area_id in ParticipantProfile.expertise.through.objects.filter(
        participantprofile__in=profiles.values("pk")
    ).values_list("participantprofile__user_id", "expertisearea_id"):
        expertise[user_id].add(area_id)
    taken = rules.places_taken(None)
    trained = _trained(programme, "mentor", ids)
    data = [
        {
            "id": uid,
            "name": f"{first} {last}".strip() or username,
            "discipline": discipline,
            "site": site,
            "languages": _languages(languages),
            "years": years,
            "available": bool(available.strip()),
            "capacity": programme.mentor_capacity if cap is None else cap,
            "taken": taken.get(uid, 0),
            "expertise": frozenset(expertise.get(uid, ())),
            "trained": trained is None or uid in trained,
        }
        for uid, first, last, username, discipline, site, languages, years, available, cap in rows
    ]
    return MentorPool(data, area_info=_areas() if rows else {})


# This process's copy of the pools it last read, each with the generation it was read
# under: reused while that generation is the current one (one cache read), so a warm call
# does not unpickle the arrays again. A change anywhere starts a new generation in the
# shared cache, which every process sees on its next call.
_pools = {}


def mentor_pool(programme, today=None):
    """The programme's :class:`.pool.Pool`, from the cache while nothing it is read from
    changed (:data:`wagtail_mentorat.caching.MATCHING`, shared by every process that
    shares the cache); built by :func:`build_pool` otherwise."""
    today = today or timezone.localdate()
    key = (programme.pk, today.isoformat())
    token = caching.MATCHING.current_token()
    held = _pools.get(key)
    if token is not None and held is not None and held[0] == token:
        return held[1]
    pool = caching.MATCHING.get_or_set(key, lambda: build_pool(programme, today))
    if token is not None:
        if len(_pools) > 32:
            _pools.clear()
        _pools[key] = (token, pool)
    return pool


def load_mentors(programme, today=None):
    """The programme's possible mentors as :class:`.scoring.Mentor` objects (see
    :func:`build_pool`), from the cached pool."""
    return mentor_pool(programme, today).mentors


def _request_areas(requests):
    """{request id: area ids}: from the prefetched areas when every request has them,
    else from one query on the link table (no model instance, no queryset per request)."""
    if all("expertise" in getattr(r, "_prefetched_objects_cache", {}) for r in requests):
        return {r.pk: [a.pk for a in r.expertise.all()] for r in requests}
    result = defaultdict(list)
    Link = MentoringRequest.expertise.through
    rows = Link.objects.filter(mentoringrequest_id__in=[r.pk for r in requests])
    for request_id, area_id in rows.values_list("mentoringrequest_id", "expertisearea_id"):
        result[request_id].append(area_id)
    return result


def load_mentees(requests):
    """Waiting requests as mentees (needs, areas and goals), from a fixed number of queries."""
    requests = list(requests)
    ids = [r.mentee_id for r in requests]
    profiles = {
        row[0]: row
        for row in ParticipantProfile.objects.filter(user_id__in=ids).values_list(
            "user_id", "discipline", "site", "languages", "goals"
        )
    }
    chains, poor = rules.superior_chains(ids), _poor_fits(ids)
    request_ids = [r.pk for r in requests]
    declined = _by_request(MentorDecline, request_ids, "pk")
    preferred = _by_request(MentorPreference, request_ids, "rank")
    areas = _request_areas(requests)
    mentees = []
    empty = frozenset()
    for r in requests:
        _user, discipline, site, languages, goals = profiles.get(r.mentee_id) or (
            None,
            "",
            "",
            "",
            "",
        )
        text = " ".join([r.need or "", goals or ""])
        mentees.append(
            scoring.Mentee(
                id=r.mentee_id,
                name=r.mentee.get_full_name() or r.mentee.get_username(),
                discipline=discipline,
                site=site,
                languages=_languages(languages),
                wanted=frozenset(areas.get(r.pk, ())),
                goal_stems=stems(text),
                superiors=frozenset(chains[r.mentee_id]),
                poor_fit=frozenset(poor.get(r.mentee_id, empty)),
                declined=frozenset(declined.get(r.pk, empty)),
                preferred=tuple(preferred.get(r.pk, ())),
            )
        )
    return mentees


def waiting_requests(programme):
    """Open requests with no pairing in progress (a proposal already waits on the others)."""
    return (
        exclude_withdrawn(  # privacy: no request of someone who withdrew consent to matching
            MentoringRequest.objects.filter(
                programme=programme, status=MentoringRequest.Status.OPEN
            ),
            Purpose.MATCHING,
            field="mentee_id",
        )
        .exclude(pairings__state__in=OPEN_STATES)
        .select_related("mentee")
        .prefetch_related("expertise")
        .order_by("created_at", "pk")
    )


def awaiting_requests(programme):
    """Open requests left out of matching until the person confirms the registration their
    manager made (shown to programme staff, never suggested)."""
    return (
        MentoringRequest.objects.filter(
            programme=programme,
            status=MentoringRequest.Status.OPEN,
            mentee_id__in=awaiting_users(),
        )
        .select_related("mentee", "opened_by")
        .order_by("created_at", "pk")
    )


def suggestions(request, limit=5):
    """Best mentors for one request, and the excluded ones with their reason."""
    programme = request.programme
    mentee = load_mentees([request])[0]
    return scoring.suggest(
        mentee, mentor_pool(programme), rules_for(programme), weights_for(programme), limit
    )


def suggestions_for(requests, limit=5):
    """{request id: (best, excluded)} for many requests, loading each programme's mentors
    once: the query count grows with the programmes, not the requests or the mentors."""
    requests = list(requests)
    result = {}
    by_programme = defaultdict(list)
    for r in requests:
        by_programme[r.programme_id].append(r)
    for group in by_programme.values():
        programme = group[0].programme
        mentors = mentor_pool(programme)
        rule_set, weights = rules_for(programme), weights_for(programme)
        for r, mentee in zip(group, load_mentees(group), strict=True):
            result[r.pk] = scoring.suggest(mentee, mentors, rule_set, weights, limit)
    return result


def propose_cohort(programme):
    """The optimal proposal for every waiting request of ``programme``; nothing is
    assigned until a person accepts it (:func:`accept`)."""
    # The areas come with the mentees (one query): a prefetch would clone a queryset
    # per request.
    requests = list(waiting_requests(programme).prefetch_related(None))
    mentees, pool = load_mentees(requests), mentor_pool(programme)
    result = scoring.cohort(mentees, pool, rules_for(programme), weights_for(programme))
    by_mentee = {r.mentee_id: r for r in requests}
    return result, by_mentee, pool


def supply_and_demand(programme, mentors=None, requests=None):
    """Per area of expertise: places free among mentors who master it, and waiting
    requests that ask for it (seed 000: 8 requests for 4 mentors went unseen)."""
    mentors = load_mentors(programme) if mentors is None else mentors
    requests = list(waiting_requests(programme)) if requests is None else requests
    rows = []
    demand = defaultdict(int)
    for r in requests:
        for area in r.expertise.all():
            demand[area.pk] += 1
    for area in ExpertiseArea.objects.order_by("name"):
        supply = sum(m.free for m in mentors if area.pk in m.expertise)
        rows.append(
            {
                "area": area,
                "supply": supply,
                "demand": demand.get(area.pk, 0),
                "gap": demand.get(area.pk, 0) - supply,
            }
        )
    return rows


@transaction.atomic
def assign(request, mentor, actor, approve=True):
    """Propose (and, by default, approve in the same click) ``mentor`` for ``request``
    through the lifecycle, storing the score breakdown and the scoring version. The
    lifecycle re-checks every rule and takes the capacity lock."""
    mentee = load_mentees([request])[0]
    pool = mentor_pool(request.programme)
    column = pool.column.get(mentor.pk)
    mentor_data = None if column is None else pool.mentor(column)
    if mentor_data is None:
        raise lifecycle.RuleViolation(_("This person is not a mentor of this programme."))
    programme = request.programme
    code = scoring.exclusion(mentee, mentor_data, rules_for(programme))
    if code:
        raise lifecycle.RuleViolation(scoring.constraint_label(code))
    fit = scoring.fit(mentee, mentor_data, rules_for(programme), weights_for(programme))
    reason = ""
    if mentor_data.discipline != mentee.discipline:
        areas = ExpertiseArea.objects.filter(pk__in=scoring.skill_need(mentee, mentor_data))
        reason = _("Specific skill need: %(areas)s") % {"areas": ", ".join(a.name for a in areas)}
    pairing = lifecycle.propose_pairing(
        programme,
        [request.mentee],
        [mentor],
        actor,
        request=request,
        cross_discipline_reason=reason,
        score_breakdown=fit.breakdown(),
        scoring_version=scoring.SCORING_VERSION,
    )
    if approve:
        pairing = lifecycle.approve_pairing(pairing, actor)
    return pairing
