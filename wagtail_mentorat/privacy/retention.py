"""Retention (A-2.1 s. 73): once their purpose is fulfilled, closed pairings are
anonymised, inactive profiles and training records destroyed, with everything that points
at them: Wagtail log entries and revisions, search and reference index entries, outbox
rows, read-access audit rows and login-attempt records. A legal hold suspends it for a
person or a pairing.

* A **closed or cancelled pairing** ended more than ``pairings`` days ago keeps only its
  programme, kind, state, dates and closure reason (for the quality indicators): its members,
  agreement, meetings, notes, help requests, reviews, disagreements, messages and every other
  row that points at it are destroyed, its free text and links to people emptied, its
  history deleted.
* A **profile** is inactive when the person is in no pairing any more, has no open request,
  is nobody's recorded superior, and did nothing (login, registration, request, offer,
  consent) for ``profiles`` days. Their rows in the mentoring apps are destroyed, and their
  login-attempt records with them. Their intranet account is the intranet's: it stays.
* A person's **training records** (the ``training`` app: module progress and saved answers,
  quiz attempts and their answers, completions, training requests and their details,
  session registrations) are destroyed together, in one rule: the person has **no
  mentoring profile** (never had one, or it was destroyed above) and **no training
  activity for ``training`` days**. Their latest training activity is the latest date on
  any of their training records, where a completion counts until it expires (continuing
  training) and a session registration until the session ends. So a completion that a
  mentor or mentee relies on to be matched (``Programme.mentor_training`` /
  ``mentee_training``, checked by ``rules.training_errors``) is never destroyed while
  their profile exists, and a completion that still counts is kept ``training`` days past
  its expiry. Quiz answers go with the rest (one rule, no earlier purge). A training
  request whose requester's account was deleted (``requester`` emptied) is destroyed
  ``training`` days after it was made.
* **Wagtail page history.** No page of this project is about a participant (guides,
  programme, registration and training pages are the intranet's published content) and
  the apps never log a participant's action on a page nor save a page revision for one,
  so page log entries and page revisions are the intranet's editorial trail: who edited
  and published what, kept with the intranet account and with the page. What would tie a
  participant to a page is a page log entry, page revision or page ownership in the name
  of a person who is **not an intranet editor** (cannot use the Wagtail admin): only code
  can write one, and it would be about their participation. When a person is destroyed
  above (profile or training records) and is not an editor, their page log entries are
  deleted (their ``data`` may hold anything), their page revisions deleted (a revision
  that is a page's live or scheduled version is kept, without its author: the published
  page is the organisation's), and pages lose them as owner or lock holder. An editor's
  page history stays: it is the intranet's, under the intranet's own schedule.
* **Outbox rows** older than ``outbox`` days, **read-access rows** older than
  ``read_audit`` days and **login-attempt records** older than ``login_records`` days are
  deleted.

Never purged: the incident register (kept at least five years, Regulation s. 7: purge it
by hand), legal holds, pages and the editorial history of intranet editors, training
sessions (the catalogue), intranet accounts.

Settings (days; every one has a default), keys of the host's ``WAGTAIL_MENTORAT`` dict:
``RETENTION_DAYS`` (730, the default of all: training follows it too, as nothing in the
seeds or the code sets training records a different period), and ``RETENTION =
{"pairings": …, "profiles": …, "training": …, "outbox": …, "read_audit": …,
"login_records": …}`` to set each.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.utils import timezone

from wagtail_mentorat import conf

KINDS = ("pairings", "profiles", "training", "outbox", "read_audit", "login_records")
# Apps whose rows about a person are destroyed with their profile.
PERSON_APPS = {
    "wagtail_mentorat",
    "mentorat_notifications",
    "mentorat_privacy",
    "mentorat_indicators",
}
# Never destroyed with a person: the organisation's registers.
KEEP = {"mentorat_privacy.incident", "mentorat_privacy.incidentfollowup",
        "mentorat_privacy.legalhold", "mentorat_privacy.readaccess"}  # fmt: skip
AXES_MODELS = ("AccessAttempt", "AccessLog", "AccessFailureLog")
TRAINING_APP = "mentorat_training"
# The dates that show a person's training activity on each record (a completion counts
# until it expires, a registration until its session ends). A training model not listed
# here counts by every date of its own.
TRAINING_ACTIVITY = {
    "mentorat_training.moduleprogress": ("started_at", "updated_at"),
    "mentorat_training.quizattempt": ("submitted_at",),
    "mentorat_training.completion": ("recorded_at", "completed_on", "expires_on"),
    "mentorat_training.trainingrequest": ("created_at",),
    "mentorat_training.sessionregistration": (
        "registered_at",
        "session__starts_at",
        "session__ends_at",
    ),
}


def period(kind):
    """Days a kind of record is kept after its purpose ends."""
    return datetime.timedelta(days=conf.retention_days(kind))


@dataclass
class Result:
    dry_run: bool = False
    pairings: int = 0
    profiles: int = 0
    training: int = 0
    outbox: int = 0
    read_audit: int = 0
    login_records: int = 0
    log_entries: int = 0
    revisions: int = 0
    index_entries: int = 0
    page_log_entries: int = 0
    page_revisions: int = 0
    page_revisions_anonymised: int = 0
    rows: dict = field(default_factory=lambda: defaultdict(int))
    held_pairings: int = 0
    held_people: int = 0

    def as_dict(self):
        data = {k: v for k, v in self.__dict__.items() if k != "rows"}
        data["rows"] = dict(sorted(self.rows.items()))
        return data


# --- holds ---------------------------------------------------------------------------------


def holds():
    """(user ids, pairing ids) under an active legal hold; the members of a held pairing
    are held too, and so are the pairings of a held person."""
    from wagtail_mentorat.models import PairingMember

    from .models import LegalHold

    active = LegalHold.objects.filter(lifted_at__isnull=True)
    users = set(active.exclude(user=None).values_list("user_id", flat=True))
    pairings = set(active.exclude(pairing=None).values_list("pairing_id", flat=True))
    pairings |= set(
        PairingMember.objects.filter(user_id__in=users).values_list("pairing_id", flat=True)
    )
    users |= set(
        PairingMember.objects.filter(pairing_id__in=pairings).values_list("user_id", flat=True)
    )
    return users, pairings


# --- destroying with everything that points at the rows ------------------------------------


def _destroy(querysets, result):
    """Delete the rows and their cascade, then their log entries, revisions, search index
    entries, reference index entries and read-access rows (which point at them by content
    type and id). Wagtail's reference index is cleaned in bulk by :func:`_forget`, not row
    by row by its signal handler, so the queries do not grow with the number of rows."""
    from wagtail.signal_handlers import disable_reference_index_auto_update

    collector = Collector(using=DEFAULT_DB_ALIAS)
    for qs in querysets:
        collector.collect(qs)
    targets = defaultdict(set)
    for model, instances in collector.data.items():
        targets[model].update(obj.pk for obj in instances)
    for qs in collector.fast_deletes:
        targets[qs.model].update(qs.values_list("pk", flat=True))
    _forget(targets, result)
    with disable_reference_index_auto_update():
        _count, per_model = collector.delete()
    for label, count in per_model.items():
        if count:
            result.rows[label] += count
    return targets


def _forget(targets, result):
    """Log entries, revisions, index entries, reference index entries and read-access rows
    of these rows."""
    from wagtail.models import ModelLogEntry, ReferenceIndex, Revision
    from wagtail.search.models import IndexEntry

    read_access = _model("mentorat_privacy.ReadAccess")
    for model, pks in targets.items():
        if not pks:
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        ids = [str(pk) for pk in pks]
        result.log_entries += ModelLogEntry.objects.filter(
            content_type_id__in={ct.pk, ContentType.objects.get_for_model(model).pk},
            object_id__in=ids,
        ).delete()[0]
        result.revisions += Revision.objects.filter(
            Q(content_type=ct) | Q(base_content_type=ct), object_id__in=ids
        ).delete()[0]
        result.index_entries += IndexEntry.objects.filter(
            content_type=ct, object_id__in=ids
        ).delete()[0]
        base_ct = ReferenceIndex._get_base_content_type(model)
        ReferenceIndex.objects.filter(base_content_type=base_ct, object_id__in=ids).delete()
        ReferenceIndex.objects.filter(to_content_type=base_ct, to_object_id__in=ids).delete()
        if read_access is not None:
            read_access.objects.filter(content_type=ct, object_id__in=ids).delete()


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- closed pairings -----------------------------------------------------------------------


def _anonymise_fields(model):
    """{field: emptied value} for the pairing's free text, scores and links to people."""
    user_model = get_user_model()
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.choices:
            continue
        if f.is_relation:
            if f.related_model is user_model or f.name == "request":
                values[f.attname] = None
        elif isinstance(f, models.JSONField):
            values[f.attname] = f.get_default()
        elif isinstance(f, (models.TextField, models.CharField)):
            values[f.attname] = ""
    return values


def expired_pairings(now, held_pairings):
    from wagtail_mentorat.models import Pairing, PairingState

    cutoff = now - period("pairings")
    return (
        Pairing.objects.filter(state__in=[PairingState.CLOSED, PairingState.CANCELLED])
        .filter(Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, proposed_at__lt=cutoff))
        .filter(members__isnull=False)  # not yet anonymised
        .exclude(pk__in=held_pairings)
        .distinct()
    )


def _purge_pairings(ids, result):
    from wagtail_mentorat.models import MentoringRequest, Pairing

    if not ids:
        return
    querysets = []
    for rel in Pairing._meta.related_objects:
        if rel.related_model._meta.label_lower in KEEP or rel.many_to_many:
            continue
        manager = rel.related_model._base_manager
        querysets.append(manager.filter(**{f"{rel.field.name}__in": ids}))
    # The requests these pairings answered, once nothing else waits on them.
    request_ids = set(
        Pairing.objects.filter(pk__in=ids)
        .exclude(request=None)
        .values_list("request_id", flat=True)
    )
    still_used = set(
        Pairing.objects.filter(request_id__in=request_ids)
        .exclude(pk__in=ids)
        .values_list("request_id", flat=True)
    )
    querysets.append(
        MentoringRequest.objects.filter(pk__in=request_ids - still_used).exclude(
            status=MentoringRequest.Status.OPEN
        )
    )
    Pairing.objects.filter(pk__in=ids).update(**_anonymise_fields(Pairing))
    _destroy(querysets, result)
    _forget({Pairing: set(ids)}, result)


# --- inactive profiles ---------------------------------------------------------------------


def _last_activity(user_ids):
    """Each person's latest sign of activity, by user id."""
    from wagtail_mentorat.models import MentoringRequest, MentorOffer, ParticipantProfile

    latest = defaultdict(lambda: None)

    def bump(uid, when):
        if when is not None and (latest[uid] is None or when > latest[uid]):
            latest[uid] = when

    for uid, last_login, joined in (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "last_login", "date_joined")
    ):
        bump(uid, last_login)
        bump(uid, joined)
    for uid, when in ParticipantProfile.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "consent_at"
    ):
        bump(uid, when)
    for uid, when in MentoringRequest.objects.filter(mentee_id__in=user_ids).values_list(
        "mentee_id", "created_at"
    ):
        bump(uid, when)
    for uid, when in MentorOffer.objects.filter(mentor_id__in=user_ids).values_list(
        "mentor_id", "created_at"
    ):
        bump(uid, when)
    consent = _model("mentorat_privacy.Consent")
    if consent is not None:
        for uid, given, withdrawn in consent.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "given_at", "withdrawn_at"
        ):
            bump(uid, given)
            bump(uid, withdrawn)
    return latest


def inactive_users(now, held_users):
    """Ids of people whose profile has served its purpose."""
    from wagtail_mentorat.models import MentoringRequest, PairingMember, ParticipantProfile

    cutoff = now - period("profiles")
    candidates = set(
        ParticipantProfile.objects.exclude(user_id__in=held_users)
        .exclude(user_id__in=PairingMember.objects.values("user_id"))
        .exclude(
            user_id__in=MentoringRequest.objects.filter(status=MentoringRequest.Status.OPEN).values(
                "mentee_id"
            )
        )
        .exclude(user_id__in=ParticipantProfile.objects.exclude(superior=None).values("superior"))
        .values_list("user_id", flat=True)
    )
    latest = _last_activity(candidates)
    return sorted(uid for uid in candidates if latest[uid] is None or latest[uid] < cutoff)


def _person_querysets(user_ids):
    """Every row of the mentoring apps that belongs to these people (a foreign key to them
    that deletes with them), and the emails written to them."""
    user_model = get_user_model()
    querysets = []
    for rel in user_model._meta.related_objects:
        model = rel.related_model
        if model._meta.app_label not in PERSON_APPS or model._meta.label_lower in KEEP:
            continue
        if rel.many_to_many:
            continue
        if rel.on_delete is models.CASCADE:
            querysets.append(model._base_manager.filter(**{f"{rel.field.name}__in": user_ids}))
    notification = _model("mentorat_notifications.Notification")
    if notification is not None:
        querysets.append(notification.objects.filter(recipient_id__in=user_ids))
    return querysets


def _purge_people(user_ids, result):
    if not user_ids:
        return
    usernames = list(
        get_user_model().objects.filter(pk__in=user_ids).values_list("username", flat=True)
    )
    _destroy(_person_querysets(user_ids), result)
    result.login_records += _purge_login_records(Q(username__in=usernames))


# --- training records ----------------------------------------------------------------------


def _training_links():
    """(model, field) of every training record that names a person, whatever its
    ``on_delete`` (a request keeps its requester's words when the account goes). Pages
    are content, not records: their ``owner`` (inherited from Wagtail's page) is not
    followed."""
    from wagtail.models import Page

    try:
        config = apps.get_app_config(TRAINING_APP)
    except LookupError:
        return []
    user_model = get_user_model()
    return [
        (model, f)
        for model in config.get_models()
        if not issubclass(model, Page)
        for f in model._meta.local_concrete_fields
        if f.is_relation and f.many_to_one and f.related_model is user_model
    ]


def _activity_fields(model):
    fields = TRAINING_ACTIVITY.get(model._meta.label_lower)
    if fields is None:
        fields = tuple(
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.DateField, models.DateTimeField))
        )
    return fields


def _as_datetime(value):
    """A date is the start of that day (local time), to compare with the cutoff."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    moment = datetime.datetime.combine(value, datetime.time.min)
    return timezone.make_aware(moment) if settings.USE_TZ else moment


def _training_activity(links, excluded):
    """{user id: latest training activity} of everyone with training records, except the
    ``excluded`` subquery/set. One query per training model, whatever the number of people."""
    latest = {}
    for model, f in links:
        fields = _activity_fields(model)
        rows = (
            model._base_manager.exclude(**{f"{f.name}__isnull": True})
            .exclude(**{f"{f.name}__in": excluded})
            .values(f.attname)
            .order_by()
            .annotate(**{f"_d{i}": models.Max(name) for i, name in enumerate(fields)})
        )
        for row in rows:
            uid = row.pop(f.attname)
            for value in map(_as_datetime, row.values()):
                if value is not None and (latest.get(uid) is None or value > latest[uid]):
                    latest[uid] = value
            latest.setdefault(uid, None)
    return latest


def expired_training(now, held_users):
    """Ids of the people whose training records have served their purpose: no mentoring
    profile, no training activity for the ``training`` period, no legal hold."""
    from wagtail_mentorat.models import ParticipantProfile

    links = _training_links()
    if not links:
        return []
    cutoff = now - period("training")
    with_profile = ParticipantProfile.objects.values("user_id")
    latest = _training_activity(links, with_profile)
    return sorted(
        uid
        for uid, when in latest.items()
        if uid not in held_users and (when is None or when < cutoff)
    )


def _purge_training(now, user_ids, result):
    links = _training_links()
    querysets = [
        model._base_manager.filter(**{f"{f.name}__in": user_ids}) for model, f in links if user_ids
    ]
    # Records whose person's account is gone (a request keeps its words): by their dates.
    cutoff = now - period("training")
    for model, f in links:
        if not f.null:
            continue
        orphans = model._base_manager.filter(**{f"{f.name}__isnull": True})
        for name in _activity_fields(model):
            orphans = orphans.filter(Q(**{f"{name}__lt": cutoff}) | Q(**{f"{name}__isnull": True}))
        querysets.append(orphans)
    if querysets:
        _destroy(querysets, result)


# --- Wagtail page history ------------------------------------------------------------------


def _editors(user_ids):
    """Those of ``user_ids`` who may use the Wagtail admin: intranet editors and staff,
    whose page history is the intranet's editorial trail."""
    from django.contrib.auth.models import Permission

    user_model = get_user_model()
    people = user_model._base_manager.filter(pk__in=user_ids)
    names = {f.name for f in user_model._meta.get_fields()}
    condition = Q(is_superuser=True) if "is_superuser" in names else Q(pk__in=[])
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    if "user_permissions" in names:
        condition |= Q(user_permissions__in=access)
    if "groups" in names:
        condition |= Q(groups__permissions__in=access)
    return set(people.filter(condition).values_list("pk", flat=True).distinct())


def _purge_page_history(user_ids, result):
    """The page log entries, page revisions and page ownership of people destroyed in
    this run who are not intranet editors."""
    from wagtail.models import Page, PageLogEntry, Revision

    if not user_ids:
        return
    people = sorted(set(user_ids) - _editors(user_ids))
    if not people:
        return
    revisions = Revision.objects.page_revisions().filter(user_id__in=people)
    in_use = Q(pk__in=Page.objects.exclude(live_revision=None).values("live_revision")) | Q(
        approved_go_live_at__isnull=False
    )
    result.page_revisions_anonymised += revisions.filter(in_use).update(user=None)
    doomed = list(revisions.exclude(in_use).values_list("pk", flat=True))
    result.page_log_entries += PageLogEntry.objects.filter(user_id__in=people).delete()[0]
    if doomed:
        # Other people's entries that named these revisions keep no dangling link.
        PageLogEntry.objects.filter(revision_id__in=doomed).update(revision=None)
        _count, per_model = Revision.objects.filter(pk__in=doomed).delete()
        for label, count in per_model.items():
            if label == Revision._meta.label:
                result.page_revisions += count
            elif count:
                result.rows[label] += count
    Page.objects.filter(owner_id__in=people).update(owner=None)
    Page.objects.filter(locked_by_id__in=people).update(
        locked=False, locked_by=None, locked_at=None
    )


# --- time-based purges ---------------------------------------------------------------------


def _purge_login_records(condition):
    if not apps.is_installed("axes"):
        return 0
    total = 0
    for name in AXES_MODELS:
        model = _model(f"axes.{name}")
        if model is not None:
            total += model.objects.filter(condition).delete()[0]
    return total


def _purge_old(now, held_users, held_pairings, result):
    notification = _model("mentorat_notifications.Notification")
    if notification is not None:
        old = (
            notification.objects.filter(created_at__lt=now - period("outbox"))
            .exclude(recipient_id__in=held_users)
            .exclude(pairing_id__in=held_pairings)
            .exclude(status__in=["pending", "sending"])
        )
        targets = _destroy([old], result)
        result.outbox += len(targets.get(notification, ()))
    read_access = _model("mentorat_privacy.ReadAccess")
    if read_access is not None:
        result.read_audit += read_access.objects.filter(
            accessed_at__lt=now - period("read_audit")
        ).delete()[0]
    result.login_records += _purge_login_records(Q(attempt_time__lt=now - period("login_records")))


# --- the run -------------------------------------------------------------------------------


def run(now=None, dry_run=False):
    """Apply the retention rules as of ``now``; with ``dry_run`` nothing is changed and the
    result says what would be. Returns a :class:`Result`."""
    now = now or timezone.now()
    result = Result(dry_run=dry_run)
    with transaction.atomic():
        held_users, held_pairings = holds()
        result.held_people, result.held_pairings = len(held_users), len(held_pairings)
        pairing_ids = list(expired_pairings(now, held_pairings).values_list("pk", flat=True))
        result.pairings = len(pairing_ids)
        _purge_pairings(pairing_ids, result)
        user_ids = inactive_users(now, held_users)
        result.profiles = len(user_ids)
        _purge_people(user_ids, result)
        trained_ids = expired_training(now, held_users)
        result.training = len(trained_ids)
        _purge_training(now, trained_ids, result)
        _purge_page_history(sorted(set(user_ids) | set(trained_ids)), result)
        _purge_old(now, held_users, held_pairings, result)
        if dry_run:
            transaction.set_rollback(True)
    return result
