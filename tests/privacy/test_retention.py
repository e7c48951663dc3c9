"""Retention (A-2.1 s. 73): canary strings written everywhere a closed pairing and an
inactive profile reach (training records and the participant's page history included), the
clock moved past the period, the command run, every table of the database scanned: zero
hits, while a pairing under legal hold survives. Training records and page history in
detail: ``test_retention_training.py``."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from tests.mentorat_settings import set_mentorat
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    Meeting,
    MemberRole,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
)
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.privacy import consent, retention
from wagtail_mentorat.privacy.audit import log_read
from wagtail_mentorat.privacy.models import LegalHold, ReadAccess
from wagtail_mentorat.privacy.purposes import Purpose

from .conftest import activate, hours_ago, person

pytestmark = pytest.mark.django_db(transaction=False)

CANARY = "CANARI-7f3a"
HELD = "GARDE-LEGALE-19c2"


def closed(pairing, when):
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.CLOSED, closed_at=when)


def fill(pairing, cast, mark, mentee, mentor):
    """Write ``mark`` in every text the pair and programme staff can reach."""
    Pairing.objects.filter(pk=pairing.pk).update(assigned_at=hours_ago(72))
    pairing.refresh_from_db()
    lifecycle.log_meeting(pairing, mentee, hours_ago(3), summary=mark, private_note=mark)
    help_request = lifecycle.ask_for_help(pairing, mentee, mark)
    lifecycle.answer_help_request(help_request, mentor, mark)
    lifecycle.raise_disagreement(pairing, mentee, mark)
    lifecycle.report_safety_concern(pairing, mentor, mark)
    lifecycle.record_checkin(
        pairing, cast["coordinator"], with_role="mentee", held_on=timezone.localdate(),
        relationship_quality=4, activities=mark, notes=mark,
    )  # fmt: skip
    lifecycle.submit_review(
        pairing, mentee, kind="midterm", satisfaction=4, what_helped=mark, next_steps=mark
    )
    lifecycle.request_extension(
        pairing, mentee, pairing.planned_end + datetime.timedelta(days=30), mark
    )
    PairingMember.objects.filter(pairing=pairing, role=MemberRole.PRIMARY_MENTOR).update(
        contribution=mark
    )
    Pairing.objects.filter(pk=pairing.pk).update(cross_discipline_reason=mark)
    request = lifecycle.open_request(pairing.programme, mentee, mentee, mark)
    Pairing.objects.filter(pk=pairing.pk).update(request=request)
    request.status = "matched"
    request.save()
    Notification.objects.create(
        recipient=mentee, to_email=f"{mark}@example.org", kind="pairing_approved",
        pairing=pairing, idempotency_key=f"{mark}-{pairing.pk}", data={"note": mark},
        last_error=mark, status=Notification.Status.SENT,
    )  # fmt: skip
    log(instance=pairing, action="wagtail_mentorat.meeting_logged", user=mentee,
        data={"note": mark})  # fmt: skip
    ParticipantProfile.objects.filter(user__in=[mentee, mentor]).update(goals=mark)
    for user in (mentee, mentor):  # a search index entry holding the mark
        profile = ParticipantProfile.objects.get(user=user)
        profile.site = f"{mark} site"
        profile.availability = mark
        profile.save()
    consent.record_registration(mentee, mark[:20])
    log_read(cast["manager"], pairing.safety_concerns.first(), "manager space")


def write_agreement(pairing, cast, mark, mentee, mentor):
    """The agreement with the mark in its objectives (its revisions keep each text)."""
    agreement = pairing.agreement
    lifecycle.update_agreement(
        agreement, mentee, objectives=[(mark, mark)], confidentiality_clause=mark
    )


def login_attempts(username, mark, when):
    if not apps.is_installed("axes"):
        return
    from axes.models import AccessAttempt, AccessLog

    attempt = AccessAttempt.objects.create(
        username=username, user_agent=mark, ip_address="10.0.0.1", http_accept=mark,
        path_info="/connexion/", get_data=mark, post_data=mark, failures_since_start=1,
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)
    AccessLog.objects.create(
        username=username, user_agent=mark, ip_address="10.0.0.1", http_accept=mark,
        path_info="/connexion/",
    )  # fmt: skip


def scan(mark):
    """Every text-like cell of every table (the raw rows, not only our models')."""
    hits = []
    needle = mark.lower()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            quoted = connection.ops.quote_name(table)
            try:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608  (table names only)
            except Exception:  # a virtual table that cannot be read directly
                continue
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, (bytes, memoryview)):
                        cell = bytes(cell).decode("utf-8", "ignore")
                    if isinstance(cell, str) and needle in cell.lower():
                        hits.append(table)
    return sorted(set(hits))


def scan_models(mark):
    """The same through the ORM, model by model and field by field."""
    from django.db import models
    from django.db.models.functions import Cast

    hits = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.JSONField):
                qs = model._base_manager.annotate(_t=Cast(f.name, models.TextField())).filter(
                    _t__icontains=mark
                )
            elif isinstance(f, (models.CharField, models.TextField)):
                qs = model._base_manager.filter(**{f"{f.name}__icontains": mark})
            else:
                continue
            if qs.exists():
                hits.append(f"{model._meta.label}.{f.name}")
    return hits


@pytest.fixture
def two_pairings(cast, programme):
    """One pairing to be forgotten, one under legal hold, both closed a while ago."""
    mentee, mentor = cast["mentee"], cast["mentor"]
    gone = lifecycle.approve_pairing(
        lifecycle.propose_pairing(programme, [mentee], [mentor], cast["manager"]), cast["manager"]
    )
    gone = activate(gone, cast)
    write_agreement(gone, cast, CANARY, mentee, mentor)
    fill(gone, cast, CANARY, mentee, mentor)

    held_mentee = person("mentore2", superior=cast["manager"], years_experience=1)
    held = lifecycle.approve_pairing(
        lifecycle.propose_pairing(programme, [held_mentee], [cast["mentor2"]], cast["manager"]),
        cast["manager"],
    )
    lifecycle.record_first_contact(held, cast["mentor2"])
    Pairing.objects.filter(pk=held.pk).update(assigned_at=hours_ago(72))
    held.refresh_from_db()
    lifecycle.log_meeting(held, held_mentee, hours_ago(3), summary=HELD, private_note=HELD)
    LegalHold.objects.create(
        pairing=held, reason="Grievance in progress", placed_by=cast["coordinator"]
    )

    # Training records and page history (only code writes a participant's) with the marks.
    from .test_retention_training import module_page, participant_page_history, trained

    module = module_page()
    trained(mentee, module, CANARY, coordinator=cast["coordinator"])
    participant_page_history(mentee, module, CANARY)
    trained(held_mentee, module, HELD)

    now = timezone.now()
    closed(gone, now)
    closed(held, now)
    login_attempts(mentee.username, CANARY, now)
    return gone, held


def test_canaries_are_gone_everywhere_and_the_held_pairing_survives(two_pairings, cast, settings):
    gone, held = two_pairings
    set_mentorat(settings, RETENTION_DAYS=365)
    written = scan(CANARY)
    for table in ("wagtailcore_modellogentry", "wagtailcore_revision", "wagtailsearch_indexentry",
                  "mentorat_notifications_notification", "wagtail_mentorat_meetingnote",
                  "wagtail_mentorat_disagreement", "mentorat_privacy_consent",
                  "mentorat_training_moduleprogress", "mentorat_training_quizattempt",
                  "mentorat_training_completion", "mentorat_training_trainingrequest",
                  "wagtailcore_pagelogentry"):  # fmt: skip
        assert table in written, table
    if apps.is_installed("axes"):
        assert "axes_accessattempt" in written
    assert ModelLogEntry.objects.filter(data__icontains=CANARY).exists()

    # Before the period: nothing moves.
    early = retention.run()
    assert early.pairings == 0 and early.profiles == 0 and early.training == 0
    assert early.page_log_entries == early.page_revisions == 0
    assert scan(CANARY)

    later = timezone.now() + datetime.timedelta(days=366)
    result = retention.run(now=later)
    assert result.pairings == 1 and result.profiles >= 1 and result.training >= 1
    assert result.page_log_entries >= 2 and result.page_revisions >= 1
    assert scan(CANARY) == []
    assert scan_models(CANARY) == []

    # The anonymised pairing keeps its states and dates for the indicators.
    gone.refresh_from_db()
    assert gone.state == PairingState.CLOSED and gone.programme_id is not None
    assert not gone.members.exists() and gone.request_id is None
    assert not ParticipantProfile.objects.filter(user=cast["mentee"]).exists()
    # The intranet account stays: it is the intranet's.
    assert type(cast["mentee"]).objects.filter(pk=cast["mentee"].pk).exists()

    # The held pairing, its people and their words survive.
    held.refresh_from_db()
    assert held.members.count() == 2
    assert Meeting.objects.filter(pairing=held, summary=HELD).exists()
    assert ParticipantProfile.objects.filter(user=cast["mentor2"]).exists()
    assert HELD.lower() in " ".join(scan(HELD)) or scan(HELD)
    assert "mentorat_training_quizattempt" in scan(HELD)  # the held mentee's training records too

    # Run again: nothing left to do.
    again = retention.run(now=later)
    assert again.pairings == 0 and again.profiles == 0 and again.training == 0
    assert again.page_log_entries == again.page_revisions == 0 and not again.rows


def test_lifting_the_hold_lets_retention_proceed(two_pairings, settings):
    gone, held = two_pairings
    set_mentorat(settings, RETENTION_DAYS=30)
    later = timezone.now() + datetime.timedelta(days=31)
    retention.run(now=later)
    assert scan(HELD)
    LegalHold.objects.update(lifted_at=timezone.now())
    retention.run(now=later)
    assert scan(HELD) == []


def test_a_legal_hold_on_a_person_keeps_their_profile_and_pairings(two_pairings, cast, settings):
    gone, _held = two_pairings
    LegalHold.objects.create(user=cast["mentee"], reason="Access request being processed")
    set_mentorat(settings, RETENTION_DAYS=30)
    result = retention.run(now=timezone.now() + datetime.timedelta(days=31))
    assert result.pairings == 0
    assert gone.members.exists()
    assert ParticipantProfile.objects.filter(user=cast["mentee"]).exists()


def test_dry_run_changes_nothing_and_says_what_would_be_done(two_pairings, settings, capsys):
    set_mentorat(settings, RETENTION={"pairings": 0, "profiles": 0})
    before = scan(CANARY)
    result = retention.run(now=timezone.now() + datetime.timedelta(days=1), dry_run=True)
    assert result.pairings == 1 and result.dry_run
    assert scan(CANARY) == before
    call_command("mentorat_retention", "--dry-run")
    assert '"pairings": 1' in capsys.readouterr().out
    assert scan(CANARY) == before


def test_open_pairings_and_recent_people_are_kept(active, cast, settings):
    set_mentorat(settings, RETENTION_DAYS=30)
    result = retention.run(now=timezone.now() + datetime.timedelta(days=400))
    assert result.pairings == 0
    assert active.members.count() == 2
    # The managers and director are recorded superiors: their profiles stay.
    for who in ("manager", "director", "mentee", "mentor"):
        assert ParticipantProfile.objects.filter(user=cast[who]).exists(), who


def test_old_outbox_rows_and_read_audit_rows_are_purged(cast, settings):
    set_mentorat(settings, RETENTION={"outbox": 10, "read_audit": 10})
    old = timezone.now() - datetime.timedelta(days=11)
    Notification.objects.create(
        recipient=cast["director"], kind="pairing_approved", idempotency_key="old",
        status=Notification.Status.SENT, created_at=old,
    )  # fmt: skip
    Notification.objects.create(
        recipient=cast["director"], kind="pairing_approved", idempotency_key="new",
        status=Notification.Status.SENT,
    )  # fmt: skip
    row = log_read(cast["coordinator"], cast["director"].mentorat_profile, "test")[0]
    ReadAccess.objects.filter(pk=row.pk).update(accessed_at=old)
    result = retention.run()
    assert result.outbox == 1 and result.read_audit == 1
    assert list(Notification.objects.values_list("idempotency_key", flat=True)) == ["new"]


def test_withdrawn_consent_does_not_block_retention(two_pairings, cast, settings):
    consent.withdraw(cast["mentee"], Purpose.EMAIL)
    set_mentorat(settings, RETENTION_DAYS=1)
    retention.run(now=timezone.now() + datetime.timedelta(days=2))
    assert not ParticipantProfile.objects.filter(user=cast["mentee"]).exists()
