"""The training rules, in one place: views, admin, the demo and the mentoring core call them.

For the mentoring core (prerequisites before matching)::

    from wagtail_mentorat.training import services
    services.has_completed(user, module, on=date)          # -> bool
    services.missing_modules(user, modules, on=date)       # -> [module, ...] in the given order
    services.users_who_completed(modules, on=date)         # -> queryset of user ids
    services.record_completion(user, module, source=..., ...)  # external packages

``modules`` is any iterable of ``TrainingModulePage`` (or their ids). ``on`` defaults
to today (local date). A completion counts on a day when it was completed on or
before that day and has not expired by then (``expires_on`` is the first day it no
longer counts).

A module is the same module in every language: a completion of any translation of a
module (the pages share Wagtail's ``translation_key``) completes it. Every rule goes
through :func:`valid_completions_of`, the one query that says so.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from .grading import grade
from .models import (
    Completion,
    CompletionSource,
    ModuleProgress,
    QuizAttempt,
    SessionRegistration,
    TrainingModulePage,
    TrainingRequest,
    TrainingSession,
)

EXPIRY_WARNING_DAYS = 30


class TrainingError(Exception):
    """A training rule refused an action; ``message`` is translated and shown as is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _today(on=None):
    return on or timezone.localdate()


def _module_ids(modules):
    return [getattr(module, "pk", module) for module in modules]


# ------------------------------------------------------------------ completions


def valid_completions(on=None):
    """Completions that count on ``on`` (every person, every module)."""
    day = _today(on)
    return Completion.objects.filter(completed_on__lte=day).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day)
    )


def translation_keys(modules):
    """The translation keys of ``modules``: a list for pages, a subquery for ids (no query
    either way)."""
    modules = list(modules)
    if all(isinstance(module, Page) for module in modules):
        return sorted({module.translation_key for module in modules})
    return Page.objects.filter(pk__in=_module_ids(modules)).values("translation_key")


def completions_of(modules):
    """Completions (expired ones included) of ``modules`` in any of their languages."""
    return Completion.objects.filter(module__translation_key__in=translation_keys(modules))


def valid_completions_of(modules, on=None):
    """The completions of ``modules`` in any language that count on ``on``: the one place
    where "has this person completed this module" is decided (one query, or a subquery)."""
    return valid_completions(on).filter(module__translation_key__in=translation_keys(modules))


def _key_of(modules):
    """{module id: translation key} for pages (no query); one query for bare ids."""
    modules = list(modules)
    keys = {m.pk: m.translation_key for m in modules if isinstance(m, Page)}
    ids = [m for m in modules if not isinstance(m, Page)]
    if ids:
        keys.update(Page.objects.filter(pk__in=ids).values_list("pk", "translation_key"))
    return keys


def trained_minutes(users, on=None):
    """{user id: minutes of training validly completed on ``on``}, each module counted once
    whatever the languages it was taken in (its estimated duration); one query. People
    with no completion are absent (0)."""
    ids = [getattr(user, "pk", user) for user in users]
    rows = (
        valid_completions(on)
        .filter(user_id__in=ids)
        .values_list("user_id", "module__translation_key", "module__estimated_minutes")
    )
    modules = defaultdict(dict)
    for user_id, key, minutes in rows:
        modules[user_id][key] = max(minutes, modules[user_id].get(key, 0))
    return {user_id: sum(done.values()) for user_id, done in modules.items()}


def has_completed(user, module, on=None):
    """Whether ``user`` holds a completion of ``module`` (any language) that counts on
    ``on``."""
    if not getattr(user, "pk", None):
        return False
    return valid_completions_of([module], on).filter(user=user).exists()


def missing_modules(user, modules, on=None):
    """The modules of ``modules`` that ``user`` has not validly completed on ``on``, in
    any language.

    Keeps the order given (a programme's required training, in order). One query (two
    when given bare ids).
    """
    modules = list(modules)
    if not modules:
        return []
    key_of = _key_of(modules)
    done = set()
    if getattr(user, "pk", None):
        done = set(
            valid_completions_of(modules, on)
            .filter(user=user)
            .values_list("module__translation_key", flat=True)
        )
    return [module for module in modules if key_of.get(getattr(module, "pk", module)) not in done]


def users_who_completed(modules, on=None):
    """Ids of the people who validly completed every module of ``modules`` on ``on``, each
    in any of its languages.

    A queryset, to use in a filter: ``User.objects.filter(pk__in=users_who_completed(m))``.
    With no module, nobody is excluded: use it only when ``modules`` is not empty.
    """
    modules = list(modules)
    keys = translation_keys(modules)
    if isinstance(keys, list):
        required = len(keys)
    else:  # ids: how many distinct modules they are, counted in the same query
        required = Subquery(
            Page.objects.filter(pk__in=_module_ids(modules))
            .order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(n=Count("translation_key", distinct=True))
            .values("n")[:1]
        )
    return (
        valid_completions_of(modules, on)
        .values("user_id")
        .annotate(done=Count("module__translation_key", distinct=True))
        .filter(done=required)
        .values_list("user_id", flat=True)
    )


def current_completion(user, module, on=None):
    """The completion (any language) that counts on ``on`` and expires last, or None."""
    return (
        valid_completions_of([module], on)
        .filter(user=user)
        .order_by("expires_on", "completed_on", "id")
        .last()
    )


def latest_completions(user, modules):
    """{module id: the latest completion of that module in any language} for ``user``
    (expired ones included). One query."""
    latest = {}
    if not getattr(user, "pk", None):  # an anonymous visitor has none
        return latest
    modules = list(modules)
    key_of = _key_of(modules)
    by_key = {}
    rows = (
        completions_of(modules)
        .filter(user=user)
        .annotate(key=F("module__translation_key"))
        .order_by("completed_on", "id")
    )
    for completion in rows:
        by_key[completion.key] = completion
    for module_id, key in key_of.items():
        if key in by_key:
            latest[module_id] = by_key[key]
    return latest


@transaction.atomic
def record_completion(
    user,
    module,
    *,
    source=CompletionSource.MANUAL,
    completed_on=None,
    score=None,
    attempt=None,
    registration=None,
    reference="",
):
    """Record that ``user`` completed ``module``; the one way completions are made.

    Idempotent for one event: the same quiz attempt, session registration or external
    ``reference`` never yields a second completion. The expiry follows the module's
    validity period. Returns the completion.

    An external e-learning package (SCORM, H5P…) calls it with
    ``source=CompletionSource.EXTERNAL`` and its own record id as ``reference``.
    """
    if source not in CompletionSource.values:
        raise TrainingError(_("Unknown completion source."))
    module = (
        module
        if isinstance(module, TrainingModulePage)
        else TrainingModulePage.objects.get(pk=module)
    )
    completed_on = completed_on or timezone.localdate()
    if score is not None and not 0 <= score <= 100:
        raise TrainingError(_("A score is a percentage between 0 and 100."))
    lookup = None
    if attempt is not None:
        lookup = {"attempt": attempt}
    elif registration is not None:
        lookup = {"registration": registration}
    elif reference:
        lookup = {"user": user, "module": module, "source": source, "reference": reference}
    values = {
        "user": user,
        "module": module,
        "source": source,
        "completed_on": completed_on,
        "expires_on": module.expiry_for(completed_on),
        "score": score,
        "attempt": attempt,
        "registration": registration,
        "reference": reference,
    }
    if lookup is None:
        return Completion.objects.create(**values)
    try:
        completion, _created = Completion.objects.get_or_create(**lookup, defaults=values)
    except IntegrityError:  # a concurrent twin won the race
        completion = Completion.objects.get(**lookup)
    return completion


def expiring_completions(within_days=EXPIRY_WARNING_DAYS, on=None):
    """Current completions that stop counting within ``within_days`` days of ``on``.

    A completion already renewed (a later one expires later, or never) is left out.
    """
    day = _today(on)
    # Renewed in any language of the module.
    renewed = Completion.objects.filter(
        user=OuterRef("user"), module__translation_key=OuterRef("module__translation_key")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    return (
        valid_completions(day)
        .filter(expires_on__lte=day + timedelta(days=within_days))
        .exclude(Exists(renewed))
        .select_related("user", "module")
        .order_by("expires_on", "module__title", "user__last_name", "user__first_name", "id")
    )


# ------------------------------------------------------------------------ taking


def save_progress(user, module, draft_answers=None):
    """Note that ``user`` opened ``module``; keep their unsubmitted answers if given."""
    progress, _created = ModuleProgress.objects.get_or_create(user=user, module=module)
    if draft_answers is not None:
        progress.draft_answers = draft_answers
        progress.save(update_fields=["draft_answers", "updated_at"])
    return progress


@transaction.atomic
def submit_quiz(user, module, answers, token):
    """Grade ``answers`` on the server, record the attempt and, if passed, the completion.

    ``answers`` is {question id: [choice ids]} already checked by ``QuizForm``.
    ``token`` identifies the form: the same form submitted twice returns the first
    attempt and records nothing new. Returns ``(attempt, created)``.
    """
    existing = QuizAttempt.objects.filter(user=user, token=token).first()
    if existing is not None:
        if existing.module_id != module.pk:
            raise TrainingError(_("This form belongs to another module."))
        return existing, False
    questions = module.questions
    if not questions:
        raise TrainingError(_("This module has no quiz."))
    result = grade(questions, answers, module.pass_mark)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                module=module,
                token=token,
                answers={key: sorted(value) for key, value in answers.items()},
                points=result.points,
                question_count=result.question_count,
                score=result.score,
                pass_mark=module.pass_mark,
                passed=result.passed,
            )
    except IntegrityError:  # the twin request committed first
        return QuizAttempt.objects.get(user=user, token=token), False
    if attempt.passed:
        record_completion(
            user,
            module,
            source=CompletionSource.QUIZ,
            completed_on=timezone.localdate(attempt.submitted_at),
            score=attempt.score,
            attempt=attempt,
        )
    ModuleProgress.objects.filter(user=user, module=module).update(
        draft_answers={}, updated_at=timezone.now()
    )
    return attempt, True


def acknowledge_module(user, module):
    """Complete a module without a quiz (read to the end). Once a day at most."""
    if module.questions:
        raise TrainingError(_("This module is completed by passing its quiz."))
    today = timezone.localdate()
    return record_completion(
        user,
        module,
        source=CompletionSource.QUIZ,
        completed_on=today,
        reference=f"read:{today.isoformat()}",
    )


def grade_attempt(attempt):
    """The per-question result of a recorded attempt, against the module as it is now."""
    return grade(attempt.module.questions, attempt.answers, attempt.pass_mark)


# -------------------------------------------------------------- sessions on request


def request_training(user, topic, details="", module=None):
    """A participant asks for a training activity (seed 004)."""
    topic = (topic or "").strip()
    if not topic:
        raise TrainingError(_("Say which topic you would like training on."))
    return TrainingRequest.objects.create(
        requester=user, topic=topic[:200], details=(details or "").strip()[:2000], module=module
    )


def _locked_session(session):
    return TrainingSession.objects.select_for_update().get(pk=getattr(session, "pk", session))


def _taken_places(session):
    return session.registrations.filter(status=SessionRegistration.Status.REGISTERED).count()


@transaction.atomic
def register(user, session):
    """Give ``user`` a place at ``session``, or a rank on its waiting list when it is full.

    Registering again changes nothing (the same place or rank). Returns
    ``(registration, created)``. The session row is locked while places are counted, so
    two people never take the last place together.
    """
    session = _locked_session(session)
    if session.starts_at <= timezone.now():
        raise TrainingError(_("This session has already started."))
    registration = SessionRegistration.objects.filter(session=session, user=user).first()
    if registration is not None and registration.status != SessionRegistration.Status.CANCELLED:
        return registration, False
    status = (
        SessionRegistration.Status.REGISTERED
        if _taken_places(session) < session.capacity
        else SessionRegistration.Status.WAITLISTED
    )
    if registration is None:
        registration = SessionRegistration.objects.create(
            session=session, user=user, status=status, registered_at=timezone.now()
        )
    else:  # back after cancelling: at the end of the queue
        registration.status = status
        registration.registered_at = timezone.now()
        registration.attended = None
        registration.save(update_fields=["status", "registered_at", "attended"])
    return registration, True


@transaction.atomic
def cancel_registration(user, session):
    """Free ``user``'s place or waiting-list rank; the first person waiting takes a freed place.

    Returns the registration promoted from the waiting list, or None.
    """
    session = _locked_session(session)
    registration = (
        SessionRegistration.objects.select_for_update()
        .filter(session=session, user=user)
        .exclude(status=SessionRegistration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        raise TrainingError(_("You are not registered for this session."))
    registration.status = SessionRegistration.Status.CANCELLED
    registration.save(update_fields=["status"])
    return fill_places(session)


def fill_places(session):
    """Promote people from the waiting list, in order, while places are free.

    Call inside a transaction that holds the session's lock. Returns the last promoted
    registration, or None.
    """
    promoted = None
    free = session.capacity - _taken_places(session)
    if free <= 0:
        return None
    waiting = list(
        SessionRegistration.objects.select_for_update()
        .filter(session=session, status=SessionRegistration.Status.WAITLISTED)
        .order_by("registered_at", "id")[:free]
    )
    for registration in waiting:
        registration.status = SessionRegistration.Status.REGISTERED
        registration.save(update_fields=["status"])
        promoted = registration
    return promoted


def waiting_rank(registration):
    """1 for the first person waiting, and so on; None when not waiting."""
    if registration.status != SessionRegistration.Status.WAITLISTED:
        return None
    return (
        SessionRegistration.objects.filter(
            session_id=registration.session_id, status=SessionRegistration.Status.WAITLISTED
        )
        .filter(
            Q(registered_at__lt=registration.registered_at)
            | Q(registered_at=registration.registered_at, id__lt=registration.id)
        )
        .count()
        + 1
    )


@transaction.atomic
def record_attendance(session, attended_user_ids):
    """Record who attended ``session`` among the people registered.

    Each one attending completes the session's module when the session counts for one.
    Returns the number of completions recorded.
    """
    session = _locked_session(session)
    attended_user_ids = {int(pk) for pk in attended_user_ids}
    registrations = list(
        session.registrations.filter(status=SessionRegistration.Status.REGISTERED).select_related(
            "user"
        )
    )
    completions = 0
    for registration in registrations:
        registration.attended = registration.user_id in attended_user_ids
        registration.save(update_fields=["attended"])
        if registration.attended and session.module_id and session.counts_as_completion:
            record_completion(
                registration.user,
                session.module,
                source=CompletionSource.SESSION,
                completed_on=timezone.localdate(session.starts_at),
                registration=registration,
            )
            completions += 1
        elif not registration.attended:  # a correction: the completion it gave goes
            Completion.objects.filter(registration=registration).delete()
    return completions
