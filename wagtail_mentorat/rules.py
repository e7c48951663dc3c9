"""The hard rules of pairing, in one place: who may pair whom, and who may decide.

The lifecycle and the matching both call these; nothing else reimplements them.
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .exceptions import RuleViolation
from .models import (
    OCCUPYING_STATES,
    ClosureReason,
    MemberRole,
    MentorOffer,
    PairingMember,
    ParticipantProfile,
    Programme,
)

MAX_CHAIN = 50


COORDINATE = "wagtail_mentorat.coordinate_programme"


def is_coordinator(user, programme=None):
    """Programme staff (*APPR*): the coordinate permission and, for a given programme, being
    one of its coordinators. A superuser coordinates every programme."""
    if not (user and user.is_authenticated and user.has_perm(COORDINATE)):
        return False
    if programme is None or user.is_superuser:
        return True
    return Programme.coordinators.through.objects.filter(
        user_id=user.pk, programme_id=getattr(programme, "pk", programme)
    ).exists()


def coordinated_programmes(user):
    """The programmes ``user`` coordinates, as a queryset (a subquery where it is used)."""
    if not (user and user.is_authenticated and user.has_perm(COORDINATE)):
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(coordinators=user)


def programme_staff():
    """Active people who hold the coordinate permission (directly, by group, or as
    superusers): those who may be named a programme's coordinators."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(
        codename="coordinate_programme", content_type__app_label="wagtail_mentorat"
    )
    holders = Q(is_superuser=True) | Q(user_permissions__in=perm) | Q(groups__permissions__in=perm)
    return get_user_model().objects.filter(holders, is_active=True).distinct()


def coordinated(queryset, user, field="programme"):
    """``queryset`` limited to the programmes ``user`` coordinates (``field`` leads from the
    rows to their programme): nothing for anyone else."""
    if user and user.is_authenticated and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{field}__in": coordinated_programmes(user)})


def superior_chains(user_ids):
    """Each person's superiors, direct first, up to the top, from one query (a cycle
    stops the walk)."""
    superior = dict(
        ParticipantProfile.objects.filter(superior__isnull=False).values_list(
            "user_id", "superior_id"
        )
    )
    chains = {}
    for user_id in user_ids:
        chain, current = [], user_id
        while len(chain) < MAX_CHAIN:
            current = superior.get(current)
            if current is None or current in chain or current == user_id:
                break
            chain.append(current)
        chains[user_id] = chain
    return chains


def superior_chain(user_id):
    """Ids of the person's superiors, direct first, up to the top."""
    return superior_chains([user_id])[user_id]


def is_manager_of(user, mentee):
    """The mentee's direct hierarchical superior."""
    return bool(user and mentee and superior_chain(mentee.pk)[:1] == [user.pk])


def mentor_capacity(programme, profile):
    """How many mentees the mentor accompanies at a time. The programme's default applies
    only when the mentor set nothing: 0 is a willing mentor who takes no new mentee now."""
    if profile.mentor_capacity is None:
        return programme.mentor_capacity
    return profile.mentor_capacity


def places_taken(mentor_ids, exclude_pairing=None):
    """How many mentees each mentor accompanies now, in every programme (for every
    mentor when ``mentor_ids`` is None).

    Each mentor's membership of an occupying pairing joined to that pairing's mentees
    (an inner join: a pairing with no mentee takes no place), so that PostgreSQL reads
    the occupying pairings first and hashes them, whatever the number of past pairings."""
    mentee_counts = {}
    members = PairingMember.objects.all()
    if mentor_ids is not None:
        members = members.filter(user_id__in=mentor_ids)
    rows = (
        members.filter(
            role__in=[MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR],
            pairing__state__in=OCCUPYING_STATES,
            pairing__members__role=MemberRole.MENTEE,
        )
        .exclude(pairing_id=getattr(exclude_pairing, "pk", None))
        .order_by()
        .values("user_id")
        .annotate(mentees=Count("*"))
    )
    for row in rows:
        mentee_counts[row["user_id"]] = mentee_counts.get(row["user_id"], 0) + row["mentees"]
    return mentee_counts


def check_can_pair(actor, programme, mentees, staff_reason=""):
    """Seed 001: paired by the manager; the programme may let programme staff pair too, or
    only people with no manager on file, with the reason written (``staff_reason``)."""
    if programme.who_pairs != Programme.WhoPairs.MANAGER and is_coordinator(actor, programme):
        return
    if programme.who_pairs != Programme.WhoPairs.COORDINATOR and all(
        is_manager_of(actor, mentee) for mentee in mentees
    ):
        return
    if (
        staff_pair_with_reason(actor, programme)
        and not ParticipantProfile.objects.filter(user__in=mentees, superior__isnull=False).exists()
    ):
        if staff_reason.strip():
            return
        raise RuleViolation(
            _(
                "Nobody is registered as this person's manager: write why programme staff make "
                "this pairing (the reason is kept with the pairing)."
            ),
            code="staff_reason_required",
        )
    raise RuleViolation(
        _("In this programme, pairings are made by %(who)s. Ask them to make this pairing.")
        % {"who": programme.get_who_pairs_display().lower()},
        code="not_allowed_to_pair",
    )


def pairing_errors(programme, mentees, mentors, cross_discipline_reason="", pairing=None):
    """Every hard constraint a proposed pairing breaks, as translated messages.

    Never scored away by the matching: not the mentee themself, not their superior up the
    chain (seed 001), the programme's experience and discipline rules (seed 001), the
    mentor's capacity, no mentor already closed with this mentee for a poor fit.
    """
    errors = []
    if not mentees:
        errors.append(_("Choose the mentee."))
    if not mentors:
        errors.append(_("Choose at least one mentor."))
    if not programme.is_active:
        errors.append(_("This programme is closed to new pairings."))
    elif programme.ends_on and timezone.localdate() >= programme.ends_on:
        errors.append(
            _("This programme ends on %(date)s: it takes no new pairing.")
            % {"date": date_format(programme.ends_on)}
        )
    profiles = {
        p.user_id: p
        for p in ParticipantProfile.objects.filter(user__in=[*mentees, *mentors]).select_related(
            "user"
        )
    }
    from .privacy.consent import WITHDRAWN, excluded_reasons
    from .privacy.purposes import Purpose

    # Consent ledger (Quebec's ): who withdrew from matching is never paired, nor who
    # was registered by their manager and has not confirmed themself yet (one query).
    people = {p.pk: p for p in (*mentees, *mentors)}
    for pk, reason in sorted(excluded_reasons(Purpose.MATCHING, among=people).items()):
        name = people[pk].get_full_name() or people[pk].get_username()
        if reason == WITHDRAWN:
            errors.append(_("%(name)s withdrew their consent to matching.") % {"name": name})
        else:
            errors.append(
                _(
                    "%(name)s has not yet confirmed their registration (the privacy notice): "
                    "they confirm it in their mentoring space."
                )
                % {"name": name}
            )
    errors.extend(pool_errors(programme, mentors))
    taken = places_taken([m.pk for m in mentors], exclude_pairing=pairing)
    for mentor in mentors:
        name = mentor.get_full_name() or mentor.get_username()
        profile = profiles.get(mentor.pk)
        if profile is None:
            errors.append(_("%(name)s has no mentoring profile yet.") % {"name": name})
            continue
        for mentee in mentees:
            if mentee.pk == mentor.pk:
                errors.append(_("A person cannot mentor themself."))
            elif mentor.pk in superior_chain(mentee.pk):
                errors.append(
                    _(
                        "%(name)s is in the mentee's line of management: the mentor is never "
                        "the mentee's hierarchical superior. Choose another mentor."
                    )
                    % {"name": name}
                )
            mentee_profile = profiles.get(mentee.pk)
            if mentee_profile and profile.discipline != mentee_profile.discipline:
                if programme.discipline_rule == Programme.DisciplineRule.REQUIRED:
                    errors.append(
                        _(
                            "%(name)s is not of the mentee's discipline, which this "
                            "programme requires."
                        )
                        % {"name": name}
                    )
                elif (
                    programme.discipline_rule == Programme.DisciplineRule.PREFERRED
                    and not cross_discipline_reason.strip()
                ):
                    errors.append(
                        _(
                            "%(name)s is of another discipline: describe the specific skill "
                            "need that justifies it."
                        )
                        % {"name": name}
                    )
        if profile.years_experience < programme.mentor_min_years:
            errors.append(_years_error(programme, name, profile.years_experience))
        capacity = mentor_capacity(programme, profile)
        if taken.get(mentor.pk, 0) + len(mentees) > capacity:
            errors.append(
                _(
                    "%(name)s already accompanies %(taken)s of %(capacity)s mentees: no place "
                    "is free. Choose another mentor or raise their capacity."
                )
                % {"name": name, "taken": taken.get(mentor.pk, 0), "capacity": capacity}
            )
    errors.extend(training_errors(programme, mentees, mentors))
    if mentees and mentors:
        poor_fit = PairingMember.objects.filter(
            pairing__closure_reason=ClosureReason.REMATCH,
            pairing__members__user__in=mentees,
            pairing__members__role=MemberRole.MENTEE,
            user__in=mentors,
        ).exclude(role=MemberRole.MENTEE)
        if poor_fit.exists():
            errors.append(
                _("This mentor and this mentee already ended a pairing as not the right fit.")
            )
    return errors


def _years_error(programme, name, years):
    return _(
        "%(name)s has %(years)s years of experience; this programme asks for at least %(min)s."
    ) % {"name": name, "years": years, "min": programme.mentor_min_years}


def pool_errors(programme, mentors, today=None):
    """Why each of ``mentors`` may take no new mentee in ``programme`` now (one query): only
    a mentor whose offer the programme's coordinators approved (the mentor pool), and not
    while they said they take none (``unavailable_until``, that day included)."""
    today = today or timezone.localdate()
    offers = {
        mentor_id: (status, until)
        for mentor_id, status, until in MentorOffer.objects.filter(
            programme=programme, mentor__in=[m.pk for m in mentors]
        ).values_list("mentor_id", "status", "unavailable_until")
    }
    pool = MentorOffer.Status
    errors = []
    for mentor in mentors:
        name = mentor.get_full_name() or mentor.get_username()
        status, until = offers.get(mentor.pk, (None, None))
        if status == pool.APPROVED:
            if until is not None and until >= today:
                errors.append(
                    _("%(name)s takes no new mentee until %(date)s.")
                    % {"name": name, "date": date_format(until)}
                )
        elif status == pool.APPLIED:
            errors.append(
                _(
                    "%(name)s applied to mentor in this programme: one of its coordinators "
                    "approves them first (the mentor pool)."
                )
                % {"name": name}
            )
        elif status == pool.TRAINING:
            errors.append(
                _(
                    "%(name)s was asked to train before mentoring in this programme: a "
                    "coordinator approves them afterwards."
                )
                % {"name": name}
            )
        elif status == pool.PAUSED:
            errors.append(_("%(name)s is paused in this programme's mentor pool.") % {"name": name})
        else:
            errors.append(
                _(
                    "%(name)s is not in this programme's mentor pool: they apply to mentor in "
                    "it and one of its coordinators approves them."
                )
                % {"name": name}
            )
    return errors


UNLOADED = object()  # a profile not read yet (None: the person has none)


def approval_errors(programme, user, profile=UNLOADED):
    """What stops approving ``user`` as a mentor of ``programme``: the programme's minimum
    years of experience (seed 001: an experienced mentor) and, where the programme requires
    the mentee's discipline, a discipline on the profile."""
    name = user.get_full_name() or user.get_username()
    if profile is UNLOADED:
        profile = ParticipantProfile.objects.filter(user=user).first()
    if profile is None:
        return [_("%(name)s has no mentoring profile yet.") % {"name": name}]
    errors = []
    if profile.years_experience < programme.mentor_min_years:
        errors.append(_years_error(programme, name, profile.years_experience))
    if (
        programme.discipline_rule == Programme.DisciplineRule.REQUIRED
        and not profile.discipline.strip()
    ):
        errors.append(
            _(
                "%(name)s has no discipline on their profile, and this programme pairs "
                "mentors of the mentee's discipline only."
            )
            % {"name": name}
        )
    return errors


def missing_training(programme, user, role):
    """Modules ``user`` must still complete before being matched in ``programme`` as
    ``role`` ("mentor" or "mentee")."""
    from wagtail_mentorat.training.services import missing_modules

    required = list(getattr(programme, f"{role}_training").all())
    return missing_modules(user, required) if required else []


def minutes_short(programme, users, role):
    """{user id: minutes of training still missing} for those of ``users`` below the
    programme's minimum for ``role`` (EEP standard 3); empty when there is no minimum."""
    minimum = 60 * getattr(programme, f"{role}_training_hours", 0)
    if not minimum:
        return {}
    from wagtail_mentorat.training.services import trained_minutes

    done = trained_minutes(users)
    short = {getattr(u, "pk", u): minimum - done.get(getattr(u, "pk", u), 0) for u in users}
    return {user_id: minutes for user_id, minutes in short.items() if minutes > 0}


def training_errors(programme, mentees, mentors):
    """Required training completed before matching (seed 002: staff well trained;
    MENTOR: at least two hours before a match): the named modules, then the minimum of
    hours."""
    errors = []
    for role, people in (("mentor", mentors), ("mentee", mentees)):
        short = minutes_short(programme, people, role)
        for person in people:
            name = person.get_full_name() or person.get_username()
            missing = missing_training(programme, person, role)
            if missing:
                errors.append(
                    _("%(name)s has not completed the required training: %(modules)s.")
                    % {"name": name, "modules": ", ".join(module.title for module in missing)}
                )
            if person.pk in short:
                errors.append(
                    _(
                        "%(name)s needs %(minutes)s more minutes of training: the programme "
                        "asks for %(hours)s hours of modules completed before matching."
                    )
                    % {
                        "name": name,
                        "minutes": short[person.pk],
                        "hours": getattr(programme, f"{role}_training_hours"),
                    }
                )
    return errors


def check_pairing(programme, mentees, mentors, cross_discipline_reason="", pairing=None):
    errors = pairing_errors(programme, mentees, mentors, cross_discipline_reason, pairing)
    if errors:
        raise RuleViolation(errors, code="pairing_rules")


# --- who may pair a waiting request (issue 17: no request reaches a dead end) ----------------


def only_managers_pair(programme):
    """The mentee's manager makes the pairing and nobody else (seed 001, the CISSS
    default): a mentee with no manager on file cannot be paired until one is registered."""
    return programme.who_pairs == Programme.WhoPairs.MANAGER


def staff_pair_with_reason(actor, programme):
    """Where the manager pairs, the programme may let its staff pair a person with no
    manager on file, with a written reason (issue 17: no request reaches a dead end)."""
    return (
        only_managers_pair(programme)
        and programme.staff_pair_without_manager
        and is_coordinator(actor, programme)
    )


def pairing_access(actor, programme, mentee_ids):
    """{mentee id: (may, reason, nobody)} for the screens that offer to pair: whether
    ``actor`` may pair each mentee alone in ``programme`` as :func:`check_can_pair` decides
    (the test suite holds both to the same verdicts), the sentence that says why not, and
    whether nobody at all can (the manager pairs and none is on file). Two queries whatever
    the number of mentees."""
    mentee_ids = list(mentee_ids)
    as_staff = programme.who_pairs != Programme.WhoPairs.MANAGER and is_coordinator(
        actor, programme
    )
    chains = superior_chains(mentee_ids) if not as_staff else {}
    managers_pair = programme.who_pairs != Programme.WhoPairs.COORDINATOR
    with_reason = not as_staff and staff_pair_with_reason(actor, programme)
    who = programme.get_who_pairs_display().lower()
    result = {}
    for mentee_id in mentee_ids:
        if as_staff:
            result[mentee_id] = (True, "", False)
            continue
        manager_id = (chains.get(mentee_id) or [None])[0]
        if managers_pair and manager_id is not None and manager_id == getattr(actor, "pk", None):
            result[mentee_id] = (True, "", False)
        elif with_reason and manager_id is None:
            reason = _(
                "Nobody is registered as this person's manager. This programme lets its staff "
                "pair them with a written reason: use the form “Pair with several mentors, or "
                "a group” below."
            )
            result[mentee_id] = (False, reason, False)
        elif only_managers_pair(programme) and manager_id is None:
            reason = _(
                "In this programme, pairings are made by the mentee's manager, and this "
                "person has no manager on file: nobody can pair this request until their "
                "manager is registered in their profile."
            )
            result[mentee_id] = (False, reason, True)
        else:
            reason = _(
                "In this programme, pairings are made by %(who)s. Ask them to make this pairing."
            ) % {"who": who}
            result[mentee_id] = (False, reason, False)
    return result
