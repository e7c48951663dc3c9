"""The outbox: rows written with the event, sent once, retried, failed visibly."""

import datetime
from collections import Counter

import pytest
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.db import transaction
from django.utils import formats, timezone, translation

from tests.mentorat_settings import set_mentorat
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Pairing
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification, NotificationSettings

from .conftest import CrashAfterSendBackend

pytestmark = pytest.mark.django_db
S = Notification.Status


def rows(**filters):
    return list(Notification.objects.filter(**filters).order_by("pk"))


def test_approval_writes_one_row_per_person_and_sends_it(approved, cast):
    mentor_row = Notification.objects.get(kind=Kind.ASSIGNED_MENTOR)
    mentee_row = Notification.objects.get(kind=Kind.ASSIGNED_MENTEE)
    assert mentor_row.recipient == cast["mentor"] and mentee_row.recipient == cast["mentee"]
    assert mentor_row.status == S.SENT and mentor_row.attempts == 1
    assert mentor_row.message_id != ""
    assert mentor_row.pairing_id == approved.pk and mentor_row.about == approved
    sent_to = sorted(m.to[0] for m in mail.outbox)
    assert "mentor@example.org" in sent_to and "mentore@example.org" in sent_to
    # The manager was asked to approve the proposal (it was their own, so: not asked).
    assert not Notification.objects.filter(kind=Kind.APPROVAL_NEEDED).exists()


def test_assignment_email_gives_the_mentor_the_first_contact_deadline(approved, cast):
    message = next(m for m in mail.outbox if m.to == ["mentor@example.org"])
    with translation.override("fr"):
        due = formats.date_format(timezone.localtime(approved.first_contact_due), "DATETIME_FORMAT")
    assert f"Veuillez communiquer avec la personne mentorée d’ici le {due}." in message.body
    html = message.alternatives[0][0]
    assert "http://testserver/" in html and "<p>" in html


def test_mentee_is_told_who_the_mentor_is(approved, cast):
    message = next(m for m in mail.outbox if m.to == ["mentore@example.org"])
    assert cast["mentor"].get_full_name() in message.body


def test_emails_go_out_in_french_unless_the_person_chose_english(
    cast, programme, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=cast["mentee"], language="en")
    with django_capture_on_commit_callbacks(execute=True):
        pairing = lifecycle.propose_pairing(
            programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
        )
        lifecycle.approve_pairing(pairing, cast["manager"])
    to_mentor = next(m for m in mail.outbox if m.to == ["mentor@example.org"])
    to_mentee = next(m for m in mail.outbox if m.to == ["mentore@example.org"])
    assert to_mentor.subject == "Une personne mentorée vous est confiée"
    assert "Bonjour" in to_mentor.body
    assert to_mentee.subject == "Your mentor has been assigned"


def test_a_rolled_back_event_leaves_no_row_and_sends_nothing(cast, programme):
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.approve_pairing(pairing, cast["manager"])
        assert Notification.objects.filter(kind=Kind.ASSIGNED_MENTOR).exists()
        raise RuntimeError("something after the event failed")
    assert not Notification.objects.filter(kind=Kind.ASSIGNED_MENTOR).exists()
    assert mail.outbox == []


def test_help_request_email_never_contains_the_question(
    active, cast, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ask_for_help(
            active, cast["mentee"], "Mon client M. Tremblay refuse son plan", client_waiting=True
        )
    (message,) = [m for m in mail.outbox if m.to == ["mentor@example.org"]]
    assert message.subject == "Urgent : la personne mentorée demande de l’aide"
    everything = message.subject + message.body + message.alternatives[0][0]
    assert "Tremblay" not in everything and "refuse" not in everything
    assert "Veuillez répondre d’ici le" in message.body


def test_the_manager_is_asked_to_approve_an_extension(
    active, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.request_extension(
            active,
            cast["mentee"],
            active.planned_end + datetime.timedelta(days=30),
            "Objectif presque atteint",
        )
    row = Notification.objects.get(kind=Kind.APPROVAL_NEEDED)
    assert row.recipient == cast["manager"] and row.status == S.SENT
    (message,) = [m for m in mail.outbox if "prolongation" in m.subject]
    assert message.to == ["gestionnaire@example.org"]
    assert message.subject == "Une prolongation attend votre approbation"
    assert "presque" not in message.body


def test_a_transfer_tells_the_mentor_and_the_new_manager(
    active, cast, django_capture_on_commit_callbacks
):
    from tests.mentorat.conftest import person

    new_manager = person("nouvelle", discipline="Gestion")
    new_manager.email = "nouvelle@example.org"
    new_manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transfer_mentee(active, cast["manager"], superior=new_manager, unit="Urgence")
    recipients = {r.recipient for r in rows(kind=Kind.TRANSFERRED)}
    assert recipients == {cast["mentor"], new_manager}  # the previous manager did it


def test_a_transfer_by_staff_tells_both_managers(active, cast, django_capture_on_commit_callbacks):
    from tests.mentorat.conftest import person

    new_manager = person("nouveau", discipline="Gestion")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transfer_mentee(active, cast["coordinator"], superior=new_manager)
    sent = {r.recipient: r.data["role"] for r in rows(kind=Kind.TRANSFERRED)}
    assert sent == {
        cast["mentor"]: "mentor",
        new_manager: "manager",
        cast["manager"]: "previous_manager",
    }
    previous = Notification.objects.get(kind=Kind.TRANSFERRED, recipient=cast["manager"])
    subject, text, _html = outbox.render(previous)
    assert "new manager" in text or "nouveau gestionnaire" in text


def test_a_transient_failure_is_retried_later_then_sent(cast, approved, settings):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "test:retry", pairing_id=approved.pk)
    (pk,) = outbox.insert([row], "run1")[0][:1]
    message_count = len(mail.outbox)
    original = outbox.render_message

    def failing(notification):
        message = original(notification)
        from anymail.exceptions import AnymailAPIError

        message.anymail_test_response = AnymailAPIError("502 Bad Gateway")
        return message

    outbox.render_message = failing
    try:
        assert outbox.send_one(pk) == S.PENDING
    finally:
        outbox.render_message = original
    row = Notification.objects.get(pk=pk)
    assert row.attempts == 1 and "502" in row.last_error
    assert row.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert outbox.send_one(pk) is None  # not due yet: nobody may send it now
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert outbox.send_one(pk, now=later) == S.SENT
    row.refresh_from_db()
    assert row.status == S.SENT and row.attempts == 2
    assert len(mail.outbox) == message_count + 2  # the failed try reached the test provider


def test_backoff_doubles_and_is_capped(settings):
    set_mentorat(settings, NOTIFICATIONS_RETRY_BASE_SECONDS=60, NOTIFICATIONS_RETRY_MAX_SECONDS=600)
    assert [outbox.backoff(n) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 600]


def test_a_refused_recipient_is_a_permanent_failure_shown_to_coordinators(cast, approved):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "test:refused", pairing_id=approved.pk)
    ((pk, _status),) = outbox.insert([row], "run2")
    original = outbox.render_message

    def refused(notification):
        message = original(notification)
        message.anymail_test_response = {
            "recipient_status": {
                notification.to_email: AnymailRecipientStatus(message_id=None, status="rejected")
            }
        }
        return message

    outbox.render_message = refused
    try:
        assert outbox.send_one(pk) == S.FAILED
    finally:
        outbox.render_message = original
    row = Notification.objects.get(pk=pk)
    assert row.status == S.FAILED and "AnymailRecipientsRefused" in row.last_error
    assert outbox.flush(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_too_many_transient_failures_end_as_failed(cast, approved, settings):
    set_mentorat(settings, NOTIFICATIONS_MAX_ATTEMPTS=3)
    settings.EMAIL_BACKEND = "tests.notifications.conftest.FlakyBackend"
    from .conftest import FlakyBackend

    FlakyBackend.failure_rate = 1.0
    try:
        row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "t:max", pairing_id=approved.pk)
        ((pk, _s),) = outbox.insert([row], "run3")
        now = timezone.now()
        statuses = [outbox.send_one(pk, now=now + datetime.timedelta(hours=i)) for i in range(4)]
    finally:
        FlakyBackend.failure_rate = 1 / 3
    assert statuses == [S.PENDING, S.PENDING, S.FAILED, None]
    assert Notification.objects.get(pk=pk).attempts == 3


def test_500_notifications_through_a_flaky_provider_are_each_sent_exactly_once(
    cast, approved, settings
):
    """A third of the sends fail (AnymailAPIError); the outbox retries until all are out."""
    settings.EMAIL_BACKEND = "tests.notifications.conftest.FlakyBackend"
    set_mentorat(settings, NOTIFICATIONS_MAX_ATTEMPTS=20)
    from .conftest import FlakyBackend

    FlakyBackend.rng.seed(6)
    mail.outbox = []
    batch = [
        outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, f"flaky:{i}", pairing_id=approved.pk)
        for i in range(500)
    ]
    ids = [pk for pk, _s in outbox.insert(batch, "flaky")]
    assert len(ids) == 500
    from wagtail_mentorat.notifications.tasks import send_notifications

    now = timezone.now()
    send_notifications.enqueue(ids)  # the immediate backend runs it here
    failures_seen = Notification.objects.filter(status=S.PENDING).count()
    assert 100 < failures_seen < 250  # about a third failed the first time
    rounds = 0
    while Notification.objects.filter(status=S.PENDING).exists():
        rounds += 1
        assert rounds < 30
        now += datetime.timedelta(hours=2)
        for pk in outbox.due_ids(now, grace=datetime.timedelta(0)):
            outbox.send_one(pk, now=now)
    assert Notification.objects.filter(pk__in=ids, status=S.SENT).count() == 500
    delivered = Counter(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert len(delivered) == 500 and set(delivered.values()) == {1}
    assert max(Notification.objects.values_list("attempts", flat=True)) > 1


def test_a_worker_killed_after_sending_never_leads_to_a_second_email(cast, approved, settings):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "t:crash", pairing_id=approved.pk)
    ((pk, _s),) = outbox.insert([row], "crash")
    settings.EMAIL_BACKEND = "tests.notifications.conftest.CrashAfterSendBackend"
    mail.outbox = []
    with pytest.raises(SystemExit):
        outbox.send_one(pk)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=pk).status == S.SENDING
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    # Every automatic path: a retry, the flush, the sweep a day later.
    assert outbox.send_one(pk) is None
    assert outbox.flush(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
    assert Notification.objects.get(pk=pk).status == S.SENDING
    later = timezone.now() + datetime.timedelta(minutes=20)
    assert outbox.flush(now=later) == 0
    assert outbox.send_one(pk, now=later) is None
    row = Notification.objects.get(pk=pk)
    assert row.status == S.STUCK and "Check before resending" in row.last_error
    assert len(mail.outbox) == 1
    assert issubclass(CrashAfterSendBackend, object)


def test_only_a_person_resends_an_interrupted_email(
    cast, approved, django_capture_on_commit_callbacks
):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "t:stuck", pairing_id=approved.pk)
    ((pk, _s),) = outbox.insert([row], "stuck")
    Notification.objects.filter(pk=pk).update(status=S.STUCK)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend([pk]) == [pk]
    assert Notification.objects.get(pk=pk).status == S.SENT
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend([pk]) == []  # a sent row is never resent


def test_two_workers_claiming_the_same_row_send_it_once(cast, approved):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "t:claim", pairing_id=approved.pk)
    ((pk, _s),) = outbox.insert([row], "claim")
    assert outbox.claim(pk) is True
    assert outbox.claim(pk) is False
    assert outbox.send_one(pk) is None


def test_a_person_can_mute_an_optional_reminder_but_not_a_deadline_of_their_role(cast, approved):
    prefs = NotificationSettings.objects.create(
        user=cast["mentor"], muted_kinds=[Kind.NO_MEETING, Kind.FIRST_CONTACT_OVERDUE]
    )
    assert outbox.build(cast["mentor"], Kind.NO_MEETING, "m1", prefs=prefs) is None
    row = outbox.build(cast["mentor"], Kind.FIRST_CONTACT_OVERDUE, "m2", prefs=prefs)
    assert row is not None and row.status == S.PENDING


def test_a_bounced_address_is_not_mailed_again_and_the_row_says_why(cast):
    prefs = NotificationSettings.objects.create(user=cast["mentor"], email_bounced=True)
    row = outbox.build(cast["mentor"], Kind.FIRST_CONTACT_OVERDUE, "b1", prefs=prefs)
    assert row.status == S.SKIPPED and row.last_error == "address bounced"


def test_one_event_never_writes_two_rows_for_one_person(cast, approved):
    first = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "dup:1", pairing_id=approved.pk)
    second = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "dup:1", pairing_id=approved.pk)
    assert len(outbox.insert([first], "a")) == 1
    assert outbox.insert([second], "b") == []
    assert Notification.objects.filter(idempotency_key="dup:1").count() == 1


def test_every_kind_renders_in_both_languages_without_confidential_fields(active, cast):
    Pairing.objects.filter(pk=active.pk).update(state="active")
    for kind in Kind:
        for language in ("fr", "en"):
            row = Notification(
                recipient=cast["manager"] if kind == Kind.MANAGER_DIGEST else cast["mentor"],
                to_email="x@example.org",
                kind=kind,
                language=language,
                pairing=active,
                idempotency_key=f"r:{kind}:{language}",
                data={"due": "2026-05-01T12:00:00+00:00", "role": "mentor", "since": "2026-04-01"},
            )
            subject, text, html = outbox.render(row)
            assert subject.strip() and text.strip() and "<p>" in html, kind
            assert "{{" not in text and "{%" not in html
