"""The daily sweep: each due reminder once, whatever the number of runs or missed days."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.mentorat.conftest import ProgrammeFactory, UserFactory
from tests.mentorat_settings import set_mentorat
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import MemberRole, Pairing, PairingMember, ProgressReview
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.notifications.reminders import sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def do(now=None, today=None):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(now=now, today=today)

    return do


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_an_overdue_first_contact_reminds_the_mentor_then_programme_staff(approved, cast, run):
    due = approved.first_contact_due
    run(now=due - datetime.timedelta(hours=1))
    assert Kind.FIRST_CONTACT_OVERDUE not in kinds_for(cast["mentor"])
    run(now=due + datetime.timedelta(hours=1))
    assert kinds_for(cast["mentor"]).count(Kind.FIRST_CONTACT_OVERDUE) == 1
    assert Kind.FIRST_CONTACT_ESCALATED not in kinds_for(cast["coordinator"])
    digests = Notification.objects.filter(kind=Kind.MANAGER_DIGEST)
    digests_before = digests.count()
    result = run(now=due + datetime.timedelta(hours=30))
    assert kinds_for(cast["mentor"]).count(Kind.FIRST_CONTACT_OVERDUE) == 1
    assert kinds_for(cast["coordinator"]) == [Kind.FIRST_CONTACT_ESCALATED]
    # The escalation, and the manager's weekly digest when this run is its first on or
    # after the digest's weekday (the overdue contact is its first item): any day passes.
    assert result.created == 1 + digests.count() - digests_before


def test_the_sweep_run_twice_writes_and_sends_each_reminder_once(approved, cast, run):
    later = approved.first_contact_due + 2 * DAY
    first = run(now=later)
    sent = len(mail.outbox)
    second = run(now=later)
    # The mentor, programme staff, and the manager's weekly digest.
    assert first.created == 3 and first.enqueued == 3
    assert second.created == 0 and second.enqueued == 0
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == (
        Notification.objects.count()
    )


def test_after_missed_days_the_end_reminder_comes_once_at_the_tightest_threshold(active, run):
    end = active.planned_end
    Pairing.objects.filter(pk=active.pk).update(midterm_review_due=None)
    ProgressReview.objects.create(
        pairing=active, kind="final", submitted_at=timezone.now(), satisfaction=4
    )
    # The sweep did not run 30 days before the end; it runs again 5 days before it.
    for days_before in (5, 4, 3):
        today = end - datetime.timedelta(days=days_before)
        run(now=timezone.now(), today=today)
    rows = Notification.objects.filter(kind=Kind.END_APPROACHING)
    assert rows.count() == 2  # one per member, not per missed day nor per threshold
    assert {r.data["days"] for r in rows} == {7}


def test_the_end_reminders_come_at_30_then_7_days(active, run):
    end = active.planned_end
    Pairing.objects.filter(pk=active.pk).update(midterm_review_due=None)
    for days_before in (31, 30, 29, 8, 7, 6):
        run(now=timezone.now(), today=end - datetime.timedelta(days=days_before))
    days = sorted(
        Notification.objects.filter(kind=Kind.END_APPROACHING).values_list("data__days", flat=True)
    )
    assert days == [7, 7, 30, 30]


def test_midterm_review_due_then_overdue_then_nothing_once_submitted(active, cast, run):
    due = active.midterm_review_due
    run(now=timezone.now(), today=due - datetime.timedelta(days=3))
    assert kinds_for(cast["mentee"]).count(Kind.REVIEW_DUE) == 1
    run(now=timezone.now(), today=due + DAY)
    assert kinds_for(cast["mentee"]).count(Kind.REVIEW_OVERDUE) == 1
    lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.MIDTERM, satisfaction=4)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    run(now=timezone.now(), today=due + 10 * DAY)
    assert not Notification.objects.filter(pk__gt=before, kind__startswith="review").exists()


def test_a_quiet_pairing_reminds_its_members_once_per_cadence_period(active, cast, run):
    weeks = active.programme.meeting_cadence_weeks
    start = active.first_contact_at
    run(now=start + datetime.timedelta(weeks=weeks) - DAY)
    assert Kind.NO_MEETING not in kinds_for(cast["mentor"])
    run(now=start + datetime.timedelta(weeks=weeks) + DAY)
    run(now=start + datetime.timedelta(weeks=weeks) + 2 * DAY)
    assert kinds_for(cast["mentor"]).count(Kind.NO_MEETING) == 1
    run(now=start + datetime.timedelta(weeks=2 * weeks) + DAY)
    assert kinds_for(cast["mentor"]).count(Kind.NO_MEETING) == 2


def test_an_unanswered_help_request_reminds_the_mentor_then_programme_staff(
    active, cast, run, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        help_request = lifecycle.ask_for_help(active, cast["mentee"], "Question", urgent=True)
    run(now=help_request.due_at + datetime.timedelta(hours=1))
    run(now=help_request.due_at + datetime.timedelta(hours=2))
    assert kinds_for(cast["mentor"]).count(Kind.HELP_OVERDUE) == 1
    run(now=help_request.due_at + datetime.timedelta(hours=25))
    assert kinds_for(cast["coordinator"]).count(Kind.HELP_ESCALATED) == 1
    assert kinds_for(cast["mentor"]).count(Kind.HELP_OVERDUE) == 1


def test_the_weekly_digest_lists_states_and_dates_never_content(
    active, cast, run, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.log_meeting(
            active,
            cast["mentee"],
            timezone.now() - DAY,
            summary="Discussion sur le deuil d'un client",
            private_note="Note privée",
        )
        lifecycle.request_extension(
            active, cast["mentee"], active.planned_end + 30 * DAY, "Raison confidentielle"
        )
    monday = datetime.date(2026, 6, 1)
    mail.outbox = []
    run(now=timezone.now(), today=monday)
    run(now=timezone.now(), today=monday + 2 * DAY)  # same week: nothing more
    digests = [m for m in mail.outbox if m.to == ["gestionnaire@example.org"]]
    (digest,) = [m for m in digests if "Mentorat cette semaine" in m.subject]
    assert "1 décision vous attend" in digest.subject
    assert "Attend votre approbation : une prolongation" in digest.body
    assert cast["mentee"].get_full_name() in digest.body
    for secret in ("deuil", "Note privée", "confidentielle"):
        assert secret not in digest.body and secret not in digest.alternatives[0][0]
    run(now=timezone.now(), today=monday + 7 * DAY)
    assert Notification.objects.filter(kind=Kind.MANAGER_DIGEST).count() == 2


def _bulk_quiet_pairings(programme, mentor, count):
    long_ago = timezone.now() - datetime.timedelta(weeks=20)
    pairings = Pairing.objects.bulk_create(
        Pairing(
            programme=programme,
            state="active",
            assigned_at=long_ago,
            first_contact_at=long_ago,
            start_date=long_ago.date(),
            planned_end=(timezone.now() + datetime.timedelta(weeks=20)).date(),
        )
        for _ in range(count)
    )
    mentees = [UserFactory(email=f"m{i}-{count}@example.org") for i in range(count)]
    PairingMember.objects.bulk_create(
        [
            PairingMember(pairing=p, user=m, role=MemberRole.MENTEE)
            for p, m in zip(pairings, mentees, strict=True)
        ]
        + [PairingMember(pairing=p, user=mentor, role=MemberRole.PRIMARY_MENTOR) for p in pairings]
    )


def test_the_number_of_queries_grows_with_batches_not_with_pairings(cast, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    set_mentorat(settings, NOTIFICATIONS_DIGEST_WEEKDAY=7)  # no digest here
    programme = ProgrammeFactory(final_review_required=False)
    counts = {}
    for size in (10, 40):
        Notification.objects.all().delete()
        Pairing.objects.all().delete()
        _bulk_quiet_pairings(programme, cast["mentor"], size)
        set_mentorat(settings, NOTIFICATIONS_BATCH_SIZE=size)
        with CaptureQueriesContext(connection) as queries:
            result = sweep()
        assert result.batches == 1 and result.created == 2 * size
        sql = [q["sql"] for q in queries.captured_queries]
        inserts = [q for q in sql if q.startswith("INSERT")]
        # PostgreSQL inserts a batch at once; SQLite splits it by its variable limit.
        assert len(inserts) == 1 or connection.vendor == "sqlite"
        counts[size] = len(sql) - len(inserts)
    assert counts[10] == counts[40]
    set_mentorat(settings, NOTIFICATIONS_BATCH_SIZE=10)
    with CaptureQueriesContext(connection) as queries:
        assert sweep().created == 0
    assert len(queries) < 4 * counts[40]
