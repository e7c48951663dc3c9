"""What a person sees in their mentoring space: their pairings, loaded in a fixed number
of queries, and, in one function (:func:`plan_for`), what each pairing asks of them now
and which actions its page offers them. Presentation only: the rules stay in
:mod:`wagtail_mentorat.lifecycle`, which checks them again on every action."""

import datetime
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.coreutils import get_supported_content_language_variant

from . import caching, formatting, lifecycle
from .circles.messaging import unread_counts
from .models import (
    AgreementAcceptance,
    AgreementObjective,
    ClosureKind,
    Extension,
    FitCheck,
    HelpRequest,
    Meeting,
    MeetingNote,
    MemberRole,
    MentoringKind,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
    Programme,
    ProgressReview,
)
from .notifications import conf as notification_conf

S = PairingState
Kind = ProgressReview.Kind

# States in which the pair meets, asks for help and may raise a concern (the lifecycle's
# FOLLOW_UP_STATES), and those in which the agreement is written and accepted.
FOLLOW_UP = (S.CONTACTED, S.ACTIVE, S.CLOSING)
AGREEING = (S.CONTACTED, S.ACTIVE)
# A review is announced as a next step this many days before it is due (or the members'
# reminder email's delay, when that is longer): the step and the email agree.
REVIEW_NOTICE_DAYS = 30
# The fit check follows the first meeting (FitCheck: "after the first meeting each side
# says whether the fit is right"): it is asked until the next meeting is due (one meeting
# cadence after the first) and while no more than this many meetings are logged. Past
# that the relationship has its answer; a poor fit is still raised through a
# disagreement, a matching review or the closure, which stay offered.
FIT_CHECK_MAX_MEETINGS = 2


@dataclass
class Step:
    """One thing a pairing asks of a person now; ``due`` is a date or a datetime."""

    text: str
    due: object = None
    overdue: bool = False

    @property
    def due_display(self):
        """The deadline in full, with the time when it is a moment (72 hours)."""
        if self.due is None:
            return ""
        return formatting.long_date(self.due, with_time=isinstance(self.due, datetime.datetime))


@dataclass
class Plan:
    """What a pairing asks of one person (``steps``, most urgent first) and what its page
    offers them (``actions``: the names the page posts as ``action``; ``review_kinds``:
    the reviews they may submit, in order)."""

    steps: list = field(default_factory=list)
    actions: frozenset = frozenset()
    review_kinds: tuple = ()

    def offers(self, action):
        return action in self.actions


# --- loading -------------------------------------------------------------------------------


def programmes():
    """{id: programme} of every programme, each with ``required_training``: {"mentee":
    [module ids], "mentor": [module ids]}. From the cache (:data:`caching.PROGRAMMES`,
    dropped when a programme or its required training changes): three queries on a miss,
    none otherwise."""
    return caching.PROGRAMMES.get_or_set(("all",), _load_programmes)


def _load_programmes():
    found = {programme.pk: programme for programme in Programme.objects.all()}
    for programme in found.values():
        programme.required_training = {"mentee": [], "mentor": []}
    for role in ("mentee", "mentor"):
        through = getattr(Programme, f"{role}_training").through
        for programme_id, module_id in through.objects.values_list(
            "programme_id", "trainingmodulepage_id"
        ).order_by("pk"):
            found[programme_id].required_training[role].append(module_id)
    return found


def attach_programmes(rows, known=None):
    """Give each of ``rows`` (anything with a ``programme`` foreign key) its programme from
    :func:`programmes` (or ``known``, what a caller already read from it: each read
    unpickles every programme) instead of a join; returns ``rows``."""
    known = programmes() if known is None else known
    for row in rows:
        programme = known.get(row.programme_id)
        if programme is None:  # created since the cache was filled
            caching.PROGRAMMES.bump()
            programme = row.programme
        row.programme = programme
    return rows


@functools.cache
def _dashboard_pairings():
    """The part of :func:`pairings_for`'s query that does not depend on the person, built
    once per process: resolving its subqueries is most of the cost of the request, and a
    queryset built once is only cloned afterwards (never evaluated here)."""
    meetings = Meeting.objects.filter(pairing=OuterRef("pk")).order_by().values("pairing_id")

    def of_meetings(aggregate):
        return Subquery(meetings.annotate(value=aggregate).values("value"))

    def reviewed(kind):
        return Exists(ProgressReview.objects.filter(pairing=OuterRef("pk"), kind=kind))

    members = PairingMember.objects.select_related("user").annotate(
        # Whether the member accepted their agreement's current version.
        accepted_current_version=Exists(
            AgreementAcceptance.objects.filter(
                agreement__pairing=OuterRef("pairing_id"),
                user=OuterRef("user_id"),
                version=F("agreement__version"),
            )
        ),
        # Whether the member answered the fit check: the same for every visitor, so the
        # person's own answer costs no query of its own.
        answered_fit_check=Exists(
            FitCheck.objects.filter(pairing=OuterRef("pairing_id"), user=OuterRef("user_id"))
        ),
    )
    return (
        Pairing.objects.exclude(state=S.CANCELLED)
        .select_related("agreement", "circle")
        .prefetch_related(
            Prefetch("members", queryset=members),
            Prefetch(
                "help_requests",
                queryset=HelpRequest.objects.filter(answered_at__isnull=True),
                to_attr="open_help_requests",
            ),
        )
        .annotate(
            has_objectives=Exists(
                AgreementObjective.objects.filter(agreement__pairing=OuterRef("pk"))
            ),
            extension_pending=Exists(
                Extension.objects.filter(pairing=OuterRef("pk"), status=Extension.Status.REQUESTED)
            ),
            midterm_reviewed=reviewed(Kind.MIDTERM),
            final_reviewed=reviewed(Kind.FINAL),
            meeting_count=Coalesce(of_meetings(Count("pk")), 0),
            first_meeting=of_meetings(Min("held_at")),
            last_meeting=of_meetings(Max("held_at")),
        )
        .order_by("state", "-proposed_at")
    )


def pairings_for(user, known=None):
    """The person's pairings (not cancelled), with what the dashboard shows, in four
    queries whatever the number of pairings, meetings, messages and help requests: the
    pairings, whose facts (meetings held, the reviews submitted and what :func:`plan_for`
    reads) are subqueries of the same query; their members, each with whether they
    accepted the agreement's current version and answered the fit check; their open help
    requests; the person's unread messages. A fifth only when a pairing is closing on
    attained objectives (its confirmations)."""
    pairings = list(_dashboard_pairings().filter(members__user=user))
    # Unread messages depend on the person: a simple query of its own rather than a
    # subquery of the one above (compiling that per request cost more than running it).
    unread = unread_counts(user, [pairing.pk for pairing in pairings])
    for pairing in pairings:
        pairing.unread_messages = unread.get(pairing.pk, 0)
        pairing.answered_fit_check = any(
            member.answered_fit_check
            for member in pairing.members.all()
            if member.user_id == user.pk
        )
    attach_programmes(pairings, known)
    for pairing in pairings:
        pairing.reviews_done = {Kind.MIDTERM} if pairing.midterm_reviewed else set()
        if pairing.final_reviewed:
            pairing.reviews_done.add(Kind.FINAL)
    # Only a closing pairing asks who confirmed the attained objectives (lifecycle's
    # closure_unconfirmed reads them): no query when none is closing.
    prefetch_related_objects([p for p in pairings if p.state == S.CLOSING], "closure_confirmations")
    return pairings


def is_manager(user):
    """Whether ``user`` is someone's superior (their space links to the manager space).
    From the cache (:data:`caching.PROFILES`, dropped when a profile changes)."""
    return caching.PROFILES.get_or_set(
        ("is_manager", user.pk),
        lambda: ParticipantProfile.objects.filter(superior=user.pk).exists(),
    )


def training_to_take(user, open_requests, offers, on=None, known=None):
    """The modules ``user`` must still complete before being matched: those the programmes
    of their ``open_requests`` require of a mentee and those of their ``offers`` require
    of a mentor (:func:`rules.missing_training` for every programme at once, from the
    requirements :func:`programmes` keeps), each module once, shown in the visitor's
    language when it is published in it (as ``Page.localized``). No query when those
    programmes require nothing, else one."""
    from .training.models import TrainingModulePage
    from .training.services import valid_completions

    known = programmes() if known is None else known
    required_ids = {
        module_id
        for role, rows in (("mentee", open_requests), ("mentor", offers))
        for row in rows
        for module_id in known[row.programme_id].required_training[role]
    }
    if not required_ids:
        return []
    done = valid_completions(on).filter(user=user).values("module__translation_key")
    missing = (
        TrainingModulePage.objects.filter(pk__in=required_ids)
        .exclude(translation_key__in=done)
        .values("translation_key")
    )
    language = _content_language()
    shown = Q(pk__in=required_ids)
    if language is not None:  # the translations in the visitor's language
        shown |= Q(locale__language_code=language, live=True)
    candidates = (
        TrainingModulePage.objects.filter(translation_key__in=missing)
        .filter(shown)
        .select_related("locale")
        .order_by("pk")
    )
    chosen = {}
    for module in candidates:
        here = language is not None and module.live and module.locale.language_code == language
        if module.translation_key not in chosen or (here and not chosen[module.translation_key][0]):
            chosen[module.translation_key] = (here, module)
    return [module for _here, module in chosen.values()]


def _content_language():
    """The active content language (``Locale.get_active``'s), or None without i18n."""
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    try:
        return get_supported_content_language_variant(translation.get_language())
    except LookupError:
        return None


def pairing_detail(pk, user):
    """One pairing, if ``user`` is in it, with meetings and the user's own private notes,
    and the same facts as :func:`pairings_for` (read from what is prefetched)."""
    pairing = (
        Pairing.objects.filter(pk=pk, members__user=user)
        .select_related("programme", "agreement")
        .prefetch_related(
            Prefetch("members", queryset=PairingMember.objects.select_related("user")),
            "agreement__objectives",
            Prefetch(
                "agreement__acceptances",
                queryset=AgreementAcceptance.objects.select_related("user"),
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("logged_by").prefetch_related(
                    Prefetch(
                        "private_notes",
                        queryset=MeetingNote.objects.filter(author=user),
                        to_attr="my_notes",
                    )
                ),
            ),
            Prefetch("help_requests", queryset=HelpRequest.objects.select_related("asked_by")),
            "reviews",
            "extensions",
            "fit_checks",
            "closure_confirmations",
        )
        .first()
    )
    if pairing is None:
        return None
    held = [m.held_at for m in pairing.meetings.all()]
    pairing.meeting_count = len(held)
    pairing.first_meeting = min(held, default=None)
    pairing.last_meeting = max(held, default=None)
    pairing.open_help_requests = [h for h in pairing.help_requests.all() if not h.answered_at]
    agreement = getattr(pairing, "agreement", None)
    pairing.has_objectives = bool(agreement and agreement.objectives.all())
    pairing.answered_fit_check = any(f.user_id == user.pk for f in pairing.fit_checks.all())
    pairing.extension_pending = any(
        e.status == Extension.Status.REQUESTED for e in pairing.extensions.all()
    )
    return pairing


def role_of(pairing, user):
    for member in pairing.members.all():
        if member.user_id == user.pk:
            return member.role
    return None


def is_mentor_role(role):
    return role in (MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR)


# --- what the pairing asks, what the page offers --------------------------------------------


def reviews_done(pairing):
    """The kinds of review ``pairing`` has had: from :func:`pairings_for`'s subqueries, else
    its prefetched reviews."""
    done = getattr(pairing, "reviews_done", None)
    return done if done is not None else {review.kind for review in pairing.reviews.all()}


def accepted_current_version(pairing, agreement):
    """The ids of the people who accepted ``agreement``'s current version: from the members
    :func:`pairings_for` loads (each says whether they did), else from its prefetched
    acceptances."""
    members = pairing.members.all()
    if all(hasattr(member, "accepted_current_version") for member in members):
        return {member.user_id for member in members if member.accepted_current_version}
    return {a.user_id for a in agreement.acceptances.all() if a.version == agreement.version}


def pending_reviews(pairing):
    """[(kind, due date)] of the reviews this pairing still expects, in order: none once
    it is closed or cancelled, none already submitted. Reads the prefetched reviews."""
    if pairing.state not in (S.ACTIVE, S.CLOSING):
        return []
    done = reviews_done(pairing)
    pending = []
    if (
        pairing.state == S.ACTIVE
        and pairing.midterm_review_due
        and Kind.MIDTERM not in done
        and Kind.FINAL not in done
    ):
        pending.append((Kind.MIDTERM, pairing.midterm_review_due))
    if pairing.programme.final_review_required and Kind.FINAL not in done:
        closing_without_it = (
            pairing.state == S.CLOSING
            and pairing.closure_kind == ClosureKind.UNPLANNED
            and pairing.exit_questions_done
        )
        if not closing_without_it and (pairing.planned_end or pairing.state == S.CLOSING):
            pending.append((Kind.FINAL, pairing.planned_end))
    return pending


def _sort_key(step):
    due = step.due
    if isinstance(due, datetime.datetime):
        due = timezone.localtime(due) if timezone.is_aware(due) else due
        moment = (due.date(), due.time())
    elif isinstance(due, datetime.date):
        moment = (due, datetime.time.max)
    else:
        moment = (datetime.date.max, datetime.time.max)
    return (not step.overdue, due is None, moment)


def plan_for(pairing, user, now=None):
    """What ``pairing`` asks of ``user`` now and which actions its page offers them, from
    the current data alone. The one place that decides both: the dashboard and the
    pairing page show its steps, the pairing page shows a form or button only for an
    action it offers, and the view refuses an action it does not offer.

    ``pairing`` comes from :func:`pairings_for` or :func:`pairing_detail` (they set
    ``meeting_count``, ``first_meeting``, ``last_meeting``, ``open_help_requests``,
    ``has_objectives``, ``answered_fit_check`` and ``extension_pending``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    state = pairing.state
    programme = pairing.programme
    role = role_of(pairing, user)
    mentor = is_mentor_role(role)
    circle = pairing.kind == MentoringKind.CIRCLE
    agreement = getattr(pairing, "agreement", None)
    steps, actions = [], set()

    if state == S.PROPOSED:
        steps.append(Step(_("This pairing waits for approval. You will be told when it is made.")))

    if state == S.APPROVED:
        if role == MemberRole.PRIMARY_MENTOR and not pairing.mentor_accepted_at:
            answer_due = pairing.assigned_at and pairing.assigned_at + datetime.timedelta(
                hours=programme.mentor_response_hours
            )
            steps.append(
                Step(
                    _("Accept this assignment, or decline it."),
                    answer_due,
                    bool(answer_due and answer_due < now),
                )
            )
            actions |= {"accept_assignment", "decline"}
        due = pairing.first_contact_due
        overdue = bool(due and due < now)
        if mentor:
            steps.append(Step(_("Contact your mentee and record the first contact."), due, overdue))
            actions.add("first_contact")
        else:
            steps.append(Step(_("Your mentor will contact you. Expect it by this time."), due))

    if state in AGREEING and agreement is not None:
        actions.add("objectives")
        accepted = accepted_current_version(pairing, agreement)
        if not pairing.has_objectives:
            steps.append(
                Step(_("Read the agreement, write your objectives together and accept it."))
            )
        elif user.pk not in accepted:
            steps.append(Step(_("Read this version of the agreement and accept it.")))
            actions.add("accept")
        else:
            waiting = [
                formatting.person_name(m.user)
                for m in pairing.members.all()
                if m.user_id not in accepted
            ]
            if waiting:
                steps.append(
                    Step(
                        ngettext(
                            "You accepted the agreement; %(names)s still has to accept it.",
                            "You accepted the agreement; %(names)s still have to accept it.",
                            len(waiting),
                        )
                        % {"names": get_text_list(waiting, _("and"))}
                    )
                )
            elif (
                state == S.CONTACTED
                and programme.agreement_needs_manager
                and agreement.manager_approved_version != agreement.version
            ):
                steps.append(Step(_("The agreement waits for the manager's approval.")))

    if state in FOLLOW_UP:
        actions |= {"meeting", "disagreement"}
        if mentor:
            actions.add("safety")
        elif role == MemberRole.MENTEE and not circle:
            actions.add("help")
        for help_request in pairing.open_help_requests:
            # Among a circle's equals, any other member answers; in a pairing, a mentor.
            answers = help_request.asked_by_id != user.pk if circle else mentor
            if answers:
                steps.append(
                    Step(
                        _("Answer the help request."),
                        help_request.due_at,
                        help_request.due_at < now,
                    )
                )
                actions.add("answer")
            elif help_request.asked_by_id == user.pk:
                steps.append(Step(_("Your help request awaits an answer."), help_request.due_at))

    cadence = datetime.timedelta(weeks=programme.meeting_cadence_weeks or 6)
    if (
        state in AGREEING
        and not circle
        and pairing.first_meeting
        and not pairing.answered_fit_check
        and pairing.meeting_count <= FIT_CHECK_MAX_MEETINGS
        and now < pairing.first_meeting + cadence
    ):
        steps.append(
            Step(
                _("After your first meeting, say whether this is the right fit."),
                pairing.first_meeting + cadence,
            )
        )
        actions.add("fit_check")

    review_kinds = tuple(kind for kind, _due in pending_reviews(pairing))
    if review_kinds:
        actions.add("review")
    notice = datetime.timedelta(
        days=max(REVIEW_NOTICE_DAYS, notification_conf.review_reminder_days())
    )
    for kind, due in pending_reviews(pairing):
        if due is None or due - today <= notice:
            text = (
                _("Fill in the mid-term review.")
                if kind == Kind.MIDTERM
                else _("Fill in the final review.")
            )
            steps.append(Step(text, due, bool(due and due < today)))

    if state == S.ACTIVE:
        actions.add("closure")
        if pairing.extension_pending:
            steps.append(Step(_("Your extension request waits for the manager's decision.")))
        else:
            actions.add("extension")
        # The last meeting held, read from the current meetings (a meeting is never logged
        # in the future); before any, the first contact or the assignment.
        since = pairing.last_meeting or pairing.first_contact_at or pairing.assigned_at
        if since and now - since > cadence:
            steps.append(
                Step(_("No meeting for a while: plan the next one."), since + cadence, True)
            )
    elif state == S.CONTACTED:
        actions.add("closure")

    if state == S.CLOSING:
        unconfirmed = lifecycle.closure_unconfirmed(pairing)
        if any(person.pk == user.pk for person in unconfirmed):
            steps.append(Step(_("Confirm that the objectives are attained, or say why not.")))
            actions.add("confirm_closure")
        elif unconfirmed:
            steps.append(
                Step(
                    _(
                        "The closure waits for %(names)s to confirm that the objectives "
                        "are attained."
                    )
                    % {
                        "names": get_text_list(
                            [formatting.person_name(p) for p in unconfirmed], _("and")
                        )
                    }
                )
            )
        else:
            steps.append(Step(_("The closure waits for the manager's approval.")))

    if state in (S.PROPOSED, S.APPROVED, *FOLLOW_UP) and (pairing.score_breakdown or {}).get(
        "reasons"
    ):
        actions.add("match_review")

    return Plan(sorted(steps, key=_sort_key), frozenset(actions), review_kinds)


def next_steps(pairing, user, now=None):
    """What this pairing asks of ``user`` now, most urgent first (:func:`plan_for`)."""
    return plan_for(pairing, user, now).steps


def pairings_summary(pairings, user, now=None):
    now = now or timezone.now()
    return [
        {
            "pairing": p,
            "role": role_of(p, user),
            "others": [m for m in p.members.all() if m.user_id != user.pk],
            "steps": next_steps(p, user, now),
        }
        for p in pairings
    ]


def managed_pairings(manager):
    """Pairings of the manager's direct reports: states and dates only, each with the
    reviews it still expects (``pending_reviews``: none on a closed pairing)."""
    pairings = list(
        Pairing.objects.filter(
            members__role=MemberRole.MENTEE, members__user__mentorat_profile__superior=manager
        )
        .exclude(state=S.CANCELLED)
        .select_related("programme", "agreement")
        .prefetch_related(
            Prefetch("members", queryset=PairingMember.objects.select_related("user")),
            Prefetch("extensions", to_attr="all_extensions"),
            Prefetch("reviews"),
            "closure_confirmations",
        )
        .annotate(meeting_count=Count("meetings", distinct=True))
        .order_by("state", "-proposed_at")
        .distinct()
    )
    for pairing in pairings:
        pairing.pending_reviews = pending_reviews(pairing)
        pairing.manager_asks = manager_asks(pairing)
    return pairings


def manager_asks(pairing):
    """What a pairing waits for from the mentee's manager now: ``"pairing"`` (approve the
    proposal), ``"agreement"`` (approve the accepted current version, when the programme
    asks for it) or ``"closure"``; extensions are listed with their own decision."""
    if pairing.state == S.PROPOSED:
        return {"pairing"}
    if pairing.state == S.CLOSING:
        # The members confirm attained objectives first (seed 001): until then the
        # manager's approval would be refused, so it is not asked.
        return set() if lifecycle.closure_unconfirmed(pairing) else {"closure"}
    agreement = getattr(pairing, "agreement", None)
    if (
        pairing.state == S.CONTACTED
        and agreement is not None
        and pairing.programme.agreement_needs_manager
        and agreement.manager_approved_version != agreement.version
    ):
        return {"agreement"}
    return set()
