"""Retention (A-2.1 s. 73): once their purpose is fulfilled, closed pairings are
anonymised and inactive profiles destroyed, with everything that points at them: Wagtail
log entries and revisions, search index entries, outbox rows, read-access audit rows and
login-attempt records. A legal hold suspends it for a person or a pairing.

* A **closed or cancelled pairing** ended more than ``pairings`` days ago keeps only its
  programme, kind, state, dates and closure reason (for the quality indicators): its members,
  agreement, meetings, notes, help requests, reviews, disagreements, messages and every other
  row that points at it are destroyed, its free text and links to people emptied, its
  history deleted.
* A **profile** is inactive when the person is in no pairing any more, has no open request,
  is nobody's recorded superior, and did nothing (login, registration, request, offer,
  consent) for ``profiles`` days. Their rows in the mentoring apps are destroyed, and their
  login-attempt records with them. Their intranet account is the intranet's: it stays.
* **Outbox rows** older than ``outbox`` days, **read-access rows** older than
  ``read_audit`` days and **login-attempt records** older than ``login_records`` days are
  deleted.

Never purged: the incident register (kept at least five years, Regulation s. 7: purge it
by hand), training records (the organisation's training-records schedule), pages.

Settings (days; every one has a default): ``MENTORAT_RETENTION_DAYS`` (730, the default of
all), and ``MENTORAT_RETENTION = {"pairings": …, "profiles": …, "outbox": …,
"read_audit": …, "login_records": …}`` to set each.
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

DEFAULT_DAYS = 730
KINDS = ("pairings", "profiles", "outbox", "read_audit", "login_records")
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


def period(kind):
    """Days a kind of record is kept after its purpose ends."""
    overrides = getattr(settings, "MENTORAT_RETENTION", {}) or {}
    days = overrides.get(kind, getattr(settings, "MENTORAT_RETENTION_DAYS", DEFAULT_DAYS))
    return datetime.timedelta(days=int(days))


@dataclass
class Result:
    dry_run: bool = False
    pairings: int = 0
    profiles: int = 0
    outbox: int = 0
    read_audit: int = 0
    login_records: int = 0
    log_entries: int = 0
    revisions: int = 0
    index_entries: int = 0
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
    entries and read-access rows (which point at them by content type and id)."""
    collector = Collector(using=DEFAULT_DB_ALIAS)
    for qs in querysets:
        collector.collect(qs)
    targets = defaultdict(set)
    for model, instances in collector.data.items():
        targets[model].update(obj.pk for obj in instances)
    for qs in collector.fast_deletes:
        targets[qs.model].update(qs.values_list("pk", flat=True))
    _forget(targets, result)
    _count, per_model = collector.delete()
    for label, count in per_model.items():
        if count:
            result.rows[label] += count
    return targets


def _forget(targets, result):
    """Log entries, revisions, index entries and read-access rows of these rows."""
    from wagtail.models import ModelLogEntry, Revision
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
        _purge_old(now, held_users, held_pairings, result)
        if dry_run:
            transaction.set_rollback(True)
    return result
