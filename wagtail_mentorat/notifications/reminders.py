"""The daily sweep: every reminder that is due, written to the outbox once.

Each reminder's idempotency key names the deadline it is about (the pairing, the due date,
the threshold), never the day of the sweep. So the sweep run twice, or by two workers at
once, writes each reminder once (the unique key decides), and after missed days it catches
up once: only the tightest threshold reached is written (7 days before the end, not 30 and
then 7).

The pairings are read in batches by primary key; each batch costs a fixed number of
queries (pairings, members, people, settings, insert, ids), whatever its size.
"""

import datetime
import uuid
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from wagtail_mentorat.models import (
    HelpRequest,
    Meeting,
    MemberRole,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
    Programme,
    ProgressReview,
)

from . import conf, outbox
from .kinds import Kind
from .models import Notification, ReminderSchedule, parse_days

S = PairingState
SWEPT_STATES = [S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING]


@dataclass
class SweepResult:
    batches: int = 0
    pairings: int = 0
    created: int = 0
    enqueued: int = 0
    stuck: int = 0
    retried: int = 0
    fallbacks: int = 0
    programme_closures: int = 0

    def as_dict(self):
        return asdict(self)


# --- each programme's schedule -------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """Which reminders a programme sends, and when (``ReminderSchedule``; without one, the
    intranet's ``NOTIFICATIONS_*`` settings, whose defaults come from the seeds)."""

    first_contact: bool = True
    help_requests: bool = True
    escalate_after: datetime.timedelta | None = None
    reviews: bool = True
    review_days: int | None = None
    end: bool = True
    end_days: tuple = ()
    no_meeting: bool = True

    @classmethod
    def default(cls):
        return cls(
            escalate_after=conf.escalate_after(),
            review_days=conf.review_reminder_days(),
            end_days=tuple(conf.end_reminder_days()),
        )

    @classmethod
    def from_row(cls, row):
        return cls(
            first_contact=row["first_contact"],
            help_requests=row["help_requests"],
            escalate_after=datetime.timedelta(hours=row["escalate_after_hours"]),
            reviews=row["reviews"],
            review_days=row["review_reminder_days"],
            end=row["end"],
            end_days=tuple(parse_days(row["end_reminder_days"])),
            no_meeting=row["no_meeting"],
        )


def schedules():
    """{programme id: Schedule} of the programmes that have their own (one query)."""
    return {
        row["programme_id"]: Schedule.from_row(row)
        for row in ReminderSchedule.objects.values(
            "programme_id",
            "first_contact",
            "help_requests",
            "escalate_after_hours",
            "reviews",
            "review_reminder_days",
            "end",
            "end_reminder_days",
            "no_meeting",
        )
    }


# --- what is due (pure: rows in, reminders out) --------------------------------------------


def due_for_pairing(row, programme, today, now):
    """[(kind, audience, key part, data)] due for one pairing row. ``audience`` is
    "mentors", "members" or "coordinators"."""
    due = []
    state = row["state"]
    pk = row["pk"]
    schedule = programme.get("schedule") or Schedule.default()
    if (
        schedule.first_contact
        and state == S.APPROVED
        and row["first_contact_due"]
        and row["first_contact_due"] < now
    ):
        stamp = row["first_contact_due"].isoformat()
        data = {"due": stamp}
        due.append((Kind.FIRST_CONTACT_OVERDUE, "mentors", f"fc:{pk}:{stamp}", data))
        if now - row["first_contact_due"] >= schedule.escalate_after:
            due.append((Kind.FIRST_CONTACT_ESCALATED, "coordinators", f"fce:{pk}:{stamp}", data))
    reviews = []
    if not schedule.reviews:
        pass
    elif state == S.ACTIVE and row["midterm_review_due"] and not row["has_midterm"]:
        reviews.append(("midterm", row["midterm_review_due"]))
    if (
        schedule.reviews
        and state in (S.ACTIVE, S.CLOSING)
        and programme["final_review_required"]
        and row["planned_end"]
        and not row["has_final"]
    ):
        reviews.append(("final", row["planned_end"]))
    for review, date in reviews:
        data = {"review": review, "due": date.isoformat()}
        if today > date:
            due.append((Kind.REVIEW_OVERDUE, "members", f"rvo:{review}:{pk}:{date}", data))
        elif (date - today).days <= schedule.review_days:
            due.append((Kind.REVIEW_DUE, "members", f"rvd:{review}:{pk}:{date}", data))
    end_days = schedule.end_days if schedule.end else ()
    if state == S.ACTIVE and row["planned_end"] and row["planned_end"] != programme.get("ends_on"):
        days_left = (row["planned_end"] - today).days
        reached = [d for d in end_days if 0 <= days_left <= d]
        if reached:
            threshold = min(reached)
            data = {"due": row["planned_end"].isoformat(), "days": threshold}
            key = f"end:{pk}:{row['planned_end']}:{threshold}"
            due.append((Kind.END_APPROACHING, "members", key, data))
    ends_on = programme.get("ends_on")
    if ends_on and (row["planned_end"] is None or ends_on <= row["planned_end"]):
        # The programme's end closes the pairing (lifecycle.close_ended_programmes).
        days_left = (ends_on - today).days
        reached = [d for d in end_days if 0 <= days_left <= d]
        if reached:
            threshold = min(reached)
            data = {"due": ends_on.isoformat(), "days": threshold}
            key = f"pe:{pk}:{ends_on}:{threshold}"
            due.append((Kind.PROGRAMME_ENDING, "members", key, data))
    if schedule.no_meeting and state == S.ACTIVE:
        since = row["last_meeting"] or row["first_contact_at"] or row["assigned_at"]
        cadence = datetime.timedelta(weeks=programme["meeting_cadence_weeks"] or 6)
        if since and now - since > cadence:
            periods = (now - since) // cadence
            data = {"since": since.isoformat(), "weeks": programme["meeting_cadence_weeks"]}
            key = f"nm:{pk}:{since.date()}:{periods}"
            due.append((Kind.NO_MEETING, "members", key, data))
    return due


# --- the sweep -----------------------------------------------------------------------------


def _pairing_rows(after_pk, limit):
    reviews = ProgressReview.objects.filter(pairing=OuterRef("pk"))
    last_meeting = (
        Meeting.objects.filter(pairing=OuterRef("pk")).order_by("-held_at").values("held_at")[:1]
    )
    # Subqueries, not a GROUP BY: the database reads one batch by primary key, not every
    # remaining pairing each time.
    return list(
        Pairing.objects.filter(state__in=SWEPT_STATES, pk__gt=after_pk)
        .annotate(
            last_meeting=Subquery(last_meeting),
            has_midterm=Exists(reviews.filter(kind=ProgressReview.Kind.MIDTERM)),
            has_final=Exists(reviews.filter(kind=ProgressReview.Kind.FINAL)),
        )
        .order_by("pk")
        .values(
            "pk",
            "state",
            "programme_id",
            "first_contact_due",
            "first_contact_at",
            "assigned_at",
            "planned_end",
            "midterm_review_due",
            "last_meeting",
            "has_midterm",
            "has_final",
        )[:limit]
    )


class _Writer:
    """Builds rows for a batch with a fixed number of queries."""

    def __init__(self, run):
        self.run = run
        self.coordinators = {}  # pairing pk -> the coordinators of its programme
        self.pairing_ct = ContentType.objects.get_for_model(Pairing).pk
        self.enqueued = 0

    def insert(self, rows):
        with transaction.atomic():
            inserted = outbox.insert(rows, self.run)
            pending = [pk for pk, status in inserted if status == outbox.Status.PENDING]
            if pending:
                transaction.on_commit(lambda: outbox.enqueue_sending(pending))
        self.enqueued += len(pending)
        return [pk for pk, _status in inserted]

    def _load_coordinators(self, pairing_pks):
        """The coordinators of these pairings' programmes (three queries, only when a
        reminder goes to programme staff)."""
        missing = pairing_pks - self.coordinators.keys()
        if not missing:
            return
        programme_of = dict(
            Pairing.objects.filter(pk__in=missing).values_list("pk", "programme_id")
        )
        people = outbox.coordinators_by_programme(set(programme_of.values()))
        for pairing_pk, programme_pk in programme_of.items():
            self.coordinators[pairing_pk] = people[programme_pk]

    def _targets(self, pairing_pk, audience, members):
        if audience == "coordinators":
            return [(c.pk, "coordinator") for c in self.coordinators[pairing_pk]]
        return [
            (uid, "mentee" if role == MemberRole.MENTEE else "mentor")
            for uid, role in members.get(pairing_pk, [])
            if audience == "members" or role != MemberRole.MENTEE
        ]

    def write(self, wanted, members):
        """``wanted``: [(pairing_pk, kind, audience, key, data)]; ``members``: pairing_pk ->
        [(user_id, role)]. Reminders already in the outbox are left out before anything is
        built (one query), so a second run costs little."""
        self._load_coordinators({w[0] for w in wanted if w[2] == "coordinators"})
        planned = [
            (pairing_pk, kind, f"{key}:{kind}:{uid}", {**data, "role": role}, uid)
            for pairing_pk, kind, audience, key, data in wanted
            for uid, role in self._targets(pairing_pk, audience, members)
            if uid != data.get("asked_by")
        ]
        existing = set(
            Notification.objects.filter(idempotency_key__in=[p[2] for p in planned]).values_list(
                "idempotency_key", flat=True
            )
        )
        planned = [p for p in planned if p[2] not in existing]
        if not planned:
            return []
        user_ids = {p[4] for p in planned}
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids, is_active=True)}
        prefs = outbox.settings_for(user_ids)
        languages = outbox.wagtail_languages(user_ids)
        rows = [
            outbox.build(
                users[uid],
                kind,
                full_key,
                pairing_id=pairing_pk,
                content_type_id=self.pairing_ct,
                object_id=pairing_pk,
                data=data,
                prefs=prefs.get(uid),
                language=outbox.language_for(users[uid], prefs.get(uid), languages.get(uid)),
                run=self.run,
            )
            for pairing_pk, kind, full_key, data, uid in planned
            if uid in users
        ]
        return self.insert(rows)


def _members_of(pairing_ids):
    members = {}
    for pairing_id, user_id, role in PairingMember.objects.filter(
        pairing_id__in=pairing_ids
    ).values_list("pairing_id", "user_id", "role"):
        members.setdefault(pairing_id, []).append((user_id, role))
    return members


def sweep(now=None, today=None):
    """Write and enqueue every reminder due now. Safe to run twice or concurrently."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    result = SweepResult()
    result.stuck = outbox.release_stuck(now)
    # Assignments left unanswered past the programme's delay: the next suggestion is
    # proposed and the coordinator told (their emails go out with this sweep's).
    from wagtail_mentorat.matching.fallback import expire_unanswered

    result.fallbacks = expire_unanswered(now)
    run = uuid.uuid4().hex
    writer = _Writer(run)
    own = schedules()
    programmes = {
        p["pk"]: {**p, "schedule": own.get(p["pk"])}
        for p in Programme.objects.values(
            "pk", "meeting_cadence_weeks", "final_review_required", "ends_on"
        )
    }
    # Programme cycles: the day after a programme's end its open pairings are closed.
    from wagtail_mentorat.lifecycle import close_ended_programmes

    result.programme_closures = close_ended_programmes(today)
    created = []
    after, size = 0, conf.batch_size()
    while True:
        rows = _pairing_rows(after, size)
        if not rows:
            break
        after = rows[-1]["pk"]
        result.batches += 1
        result.pairings += len(rows)
        wanted = [
            (row["pk"], *reminder)
            for row in rows
            for reminder in due_for_pairing(row, programmes[row["programme_id"]], today, now)
        ]
        if wanted:
            created += writer.write(wanted, _members_of([w[0] for w in wanted]))
        if len(rows) < size:
            break
    created += _help_requests(writer, now, own)
    created += _digests(writer, today)
    result.created = len(created)
    result.enqueued = writer.enqueued
    # Retries whose time has come and rows whose task was lost (not the ones just created:
    # their task is already queued).
    fresh = set(created)
    retry = [pk for pk in outbox.due_ids(now) if pk not in fresh]
    outbox.enqueue_sending(retry)
    result.retried = len(retry)
    return result


def _help_requests(writer, now, own=None):
    """Unanswered help requests past their due time: the mentors, then programme staff
    (each as the programme's schedule says)."""
    own = {} if own is None else own
    default = Schedule.default()
    created = []
    rows = list(
        HelpRequest.objects.filter(
            answered_at__isnull=True,
            due_at__lt=now,
            pairing__state__in=[S.CONTACTED, S.ACTIVE, S.CLOSING],
        )
        .order_by("pk")
        .values_list("pk", "pairing_id", "due_at", "asked_by_id", "pairing__programme_id")
    )
    size = conf.batch_size()
    for start in range(0, len(rows), size):
        wanted = []
        for pk, pairing_id, due_at, asked_by, programme_id in rows[start : start + size]:
            schedule = own.get(programme_id) or default
            if not schedule.help_requests:
                continue
            # In a circle every peer may answer, but the one who asked is not reminded.
            data = {"due": due_at.isoformat(), "help_request": pk, "asked_by": asked_by}
            wanted.append((pairing_id, Kind.HELP_OVERDUE, "mentors", f"hr:{pk}", data))
            if now - due_at >= schedule.escalate_after:
                wanted.append((pairing_id, Kind.HELP_ESCALATED, "coordinators", f"hre:{pk}", data))
        created += writer.write(wanted, _members_of([w[0] for w in wanted]))
    return created


def _digests(writer, today):
    """The managers' weekly digest: on the set weekday, or the first sweep after it."""
    if today.weekday() < conf.digest_weekday():
        return []
    year, week, _day = today.isocalendar()
    mentee_ids = PairingMember.objects.filter(
        role=MemberRole.MENTEE, pairing__state__in=[S.PROPOSED, *SWEPT_STATES]
    ).values("user_id")
    manager_ids = sorted(
        set(
            ParticipantProfile.objects.filter(
                user_id__in=mentee_ids, superior__isnull=False
            ).values_list("superior_id", flat=True)
        )
    )
    created = []
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=manager_ids, is_active=True)}
    size = conf.batch_size()
    for start in range(0, len(manager_ids), size):
        chunk = manager_ids[start : start + size]
        prefs = outbox.settings_for(chunk)
        languages = outbox.wagtail_languages(chunk)
        rows = [
            outbox.build(
                users[uid],
                Kind.MANAGER_DIGEST,
                f"dg:{year}-W{week:02d}:{uid}",
                data={"role": "manager", "week": f"{year}-W{week:02d}"},
                prefs=prefs.get(uid),
                language=outbox.language_for(users[uid], prefs.get(uid), languages.get(uid)),
                run=writer.run,
            )
            for uid in chunk
            if uid in users
        ]
        created += writer.insert(rows)
    return created
