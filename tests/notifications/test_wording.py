"""Emails editors can word (issue 21, part 1): placeholders checked on saving, the wording
frozen into the outbox row, back to default, revisions, preview, test send, permissions,
and each programme's reminder schedule used by the sweep."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat.models import Pairing
from wagtail_mentorat.notifications import outbox, wording
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import (
    EmailWording,
    Notification,
    ReminderSchedule,
)
from wagtail_mentorat.notifications.reminders import sweep

pytestmark = pytest.mark.django_db
VIEWSET = "wagtailsnippets_mentorat_notifications_emailwording"
SCHEDULES = "wagtailsnippets_mentorat_notifications_reminderschedule"


def staff_client(user):
    perms = Permission.objects.filter(
        codename__in=[
            "access_admin",
            *(f"{a}_emailwording" for a in ("add", "change", "delete", "view")),
        ]
    )
    user.user_permissions.add(*perms)
    client = Client()
    client.force_login(user)
    return client


def url(name, *args, viewset=VIEWSET):
    return reverse(f"{viewset}:{name}", args=args)


def word(kind=Kind.PAIRING_ACTIVE, language="en", subject="", body="", user=None):
    instance = EmailWording(kind=kind, language=language, subject=subject, body=body)
    instance.full_clean()
    instance.save()
    instance.save_revision(user=user)
    return instance


def write_row(user, kind, key, pairing):
    """A row written to the outbox and left pending (not sent yet)."""
    row = outbox.build(user, kind, key, pairing_id=pairing.pk, language="en")
    ((pk, _status),) = outbox.insert([row], "t")
    return Notification.objects.get(pk=pk)


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


# --- placeholders checked on saving ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Hello {{ nickname }}", "is not a placeholder of this kind"),
        ("{{ due }}", "is not a placeholder of this kind"),  # not a date this kind has
        ("Your notes: {{ notes }}", "is confidential"),
        ("{{ pairing.agreement }}", "is confidential"),
        ("{{ recipient.email }}", "without dots"),
        ("{{ recipient_name|upper }}", "cannot be read"),  # no filter exists in the engine
        ('{% include "x.html" %}', "cannot be read"),
        ("{% load static %}", "cannot be read"),
        ("{{ recipient_name ", "left open"),
    ],
)
def test_an_unknown_confidential_or_malformed_placeholder_is_refused(text, reason):
    found = wording.problems(Kind.PAIRING_ACTIVE, text)
    assert found and reason in " ".join(found)


def test_the_kinds_placeholders_pass():
    text = "{{ recipient_name }}: pairing {{ pairing_number }} ({{ programme }}) {{ planned_end }}"
    assert wording.problems(Kind.PAIRING_ACTIVE, text) == []
    assert wording.problems(Kind.REVIEW_DUE, "The {{ review_name }} by {{ due }}") == []


def test_the_admin_form_refuses_a_confidential_placeholder_with_the_reason(cast):
    client = staff_client(cast["coordinator"])
    response = client.post(
        url("add"),
        {
            "kind": Kind.PAIRING_ACTIVE,
            "language": "en",
            "subject": "About {{ agreement }}",
            "body": "{% include 'secret.html' %}",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The admin speaks French to coordinators (their default language).
    assert "est confidentiel" in html and "ne peut pas être lu" in html
    assert not EmailWording.objects.exists()


def test_the_add_form_starts_from_the_shipped_wording(cast):
    client = staff_client(cast["coordinator"])
    response = client.get(url("add") + f"?kind={Kind.FIRST_CONTACT_OVERDUE}&language=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "First contact overdue" in html
    assert "The first contact with your mentee was due by {{ due }}" in html
    subject, body = wording.shipped(Kind.FIRST_CONTACT_OVERDUE, "en")
    assert wording.problems(Kind.FIRST_CONTACT_OVERDUE, subject) == []
    assert wording.problems(Kind.FIRST_CONTACT_OVERDUE, body) == []


def test_every_shipped_wording_is_a_valid_starting_point():
    for kind in Kind:
        for language in ("fr", "en"):
            subject, body = wording.shipped(kind, language)
            assert subject and body, kind
            assert wording.problems(kind, subject) == [], (kind, language, subject)
            assert wording.problems(kind, body) == [], (kind, language, body)


# --- the outbox: default, edited, frozen ----------------------------------------------------


def test_default_then_edited_wording_reaches_the_next_email(cast, approved):
    mentor = cast["mentor"]
    mail.outbox = []
    first = write_row(mentor, Kind.PAIRING_ACTIVE, "w:1", approved)
    assert first.wording == {}
    outbox.send_one(first.pk)
    assert sent_to(mentor.email)[-1].subject == "Your mentoring pairing is active"

    word(
        subject="Pairing {{ pairing_number }} starts, {{ recipient_name }}",
        body="<b>Welcome</b> to {{ programme }}.",
    )
    second = write_row(mentor, Kind.PAIRING_ACTIVE, "w:2", approved)
    outbox.send_one(second.pk)
    message = sent_to(mentor.email)[-1]
    assert message.subject == f"Pairing {approved.pk} starts, {mentor.get_full_name() or 'mentor'}"
    assert f"<b>Welcome</b> to {approved.programme.name}." in message.body  # plain text
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Welcome&lt;/b&gt;" in html  # escaped in the HTML version
    # The frame stays: the link to act and the confidentiality footer.
    assert "the details stay in the intranet" in message.body


def test_an_edit_never_changes_an_email_already_queued(cast, approved):
    mentor = cast["mentor"]
    mail.outbox = []
    # Queued with the shipped wording, then an editor words the kind: still the shipped one.
    shipped_row = write_row(mentor, Kind.PAIRING_ACTIVE, "f:1", approved)
    wording_ = word(subject="Version one")
    queued_row = write_row(mentor, Kind.PAIRING_ACTIVE, "f:2", approved)
    assert queued_row.wording["subject"] == "Version one"
    # Edited again while both wait in the outbox.
    wording_.subject = "Version two"
    wording_.save()
    wording_.save_revision()
    next_row = write_row(mentor, Kind.PAIRING_ACTIVE, "f:3", approved)
    for row in (shipped_row, queued_row, next_row):
        outbox.send_one(row.pk)
    subjects = [m.subject for m in sent_to(mentor.email)]
    assert subjects == ["Your mentoring pairing is active", "Version one", "Version two"]


def test_the_wording_is_per_language(cast, approved):
    word(language="fr", subject="Votre jumelage est actif, {{ recipient_name }}")
    row = write_row(cast["mentor"], Kind.PAIRING_ACTIVE, "l:1", approved)  # English
    assert row.wording == {}


# --- back to default, revisions -------------------------------------------------------------


def test_back_to_default_uses_the_shipped_wording_again_and_keeps_the_history(cast, approved):
    client = staff_client(cast["coordinator"])
    wording_ = word(subject="Edited {{ programme }}", user=cast["coordinator"])
    assert client.get(url("back_to_default", wording_.pk)).status_code == 200
    response = client.post(url("back_to_default", wording_.pk))
    assert response.status_code == 302
    wording_.refresh_from_db()
    assert wording_.is_default and wording_.revisions.count() == 2
    row = write_row(cast["mentor"], Kind.PAIRING_ACTIVE, "d:1", approved)
    assert row.wording == {}
    # The edited wording is in the history and can be restored.
    first = wording_.revisions.order_by("created_at", "pk").first()
    assert first.as_object().subject == "Edited {{ programme }}"


def test_a_revision_is_rolled_back_through_the_admin(cast, approved):
    client = staff_client(cast["coordinator"])
    response = client.post(
        url("add"),
        {"kind": Kind.PAIRING_ACTIVE, "language": "en", "subject": "First", "body": ""},
    )
    assert response.status_code == 302
    wording_ = EmailWording.objects.get()
    response = client.post(
        url("edit", wording_.pk),
        {"kind": Kind.PAIRING_ACTIVE, "language": "en", "subject": "Second", "body": ""},
    )
    assert response.status_code == 302
    first = wording_.revisions.order_by("created_at", "pk").first()
    revert = url("revisions_revert", wording_.pk, first.pk)
    assert 'value="First"' in client.get(revert).content.decode()
    response = client.post(
        revert, {"kind": Kind.PAIRING_ACTIVE, "language": "en", "subject": "First", "body": ""}
    )
    assert response.status_code == 302
    wording_.refresh_from_db()
    assert wording_.subject == "First" and wording_.revisions.count() == 3
    row = write_row(cast["mentor"], Kind.PAIRING_ACTIVE, "r:1", approved)
    assert row.wording["subject"] == "First"


# --- preview and test send ------------------------------------------------------------------


def test_the_preview_shows_a_real_pairings_data_and_the_unsaved_wording(cast, approved):
    client = staff_client(cast["coordinator"])
    wording_ = word(subject="Saved")
    preview = url("preview_on_edit", wording_.pk)
    data = {
        "kind": Kind.PAIRING_ACTIVE,
        "language": "en",
        "subject": "Draft for pairing {{ pairing_number }}",
        "body": "Ends on {{ planned_end }}.",
    }
    assert client.post(preview, data).json()["is_valid"]
    html = client.get(preview).content.decode()
    assert f"Draft for pairing {approved.pk}" in html
    assert "Ends on" in html


def test_the_preview_refuses_a_forbidden_placeholder(cast, approved):
    client = staff_client(cast["coordinator"])
    wording_ = word(subject="Saved")
    data = {"kind": Kind.PAIRING_ACTIVE, "language": "en", "subject": "{{ notes }}", "body": ""}
    assert not client.post(url("preview_on_edit", wording_.pk), data).json()["is_valid"]


def test_a_test_send_goes_to_oneself_only_and_not_through_the_outbox(cast, approved):
    coordinator = cast["coordinator"]
    client = staff_client(coordinator)
    wording_ = word(subject="Test of {{ programme }}")
    mail.outbox = []
    response = client.post(url("test_send", wording_.pk))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject == f"[Essai] Test of {approved.programme.name}"
    assert not Notification.objects.filter(kind=Kind.PAIRING_ACTIVE, recipient=coordinator)


# --- who sees it ----------------------------------------------------------------------------


def test_people_without_the_permission_do_not_reach_the_wordings(cast, approved):
    wording_ = word(subject="x")
    manager = staff_client(cast["manager"])  # model permissions, but not programme staff
    assert manager.get(url("list")).status_code in (302, 403)
    for name in ("edit", "history", "back_to_default", "test_send"):
        assert manager.get(url(name, wording_.pk)).status_code == 404, name
    mail.outbox = []
    assert manager.post(url("test_send", wording_.pk)).status_code == 404
    assert mail.outbox == []
    # A coordinator without the model permissions: the same answers.
    other = make_coordinator(person("autre_coordo"))
    client = Client()
    other.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(other)
    assert client.get(url("edit", wording_.pk)).status_code == 404


def test_a_coordinator_reaches_only_their_programmes_schedule(cast, programme):
    other_programme = ProgrammeFactory()
    theirs = ReminderSchedule.objects.create(programme=programme)
    not_theirs = ReminderSchedule.objects.create(programme=other_programme)
    outsider = make_coordinator(person("coordo_b"), programmes=[other_programme])
    client = staff_client(outsider)
    listing = client.get(url("list", viewset=SCHEDULES)).content.decode()
    assert url("edit", not_theirs.pk, viewset=SCHEDULES) in listing
    assert url("edit", theirs.pk, viewset=SCHEDULES) not in listing
    assert client.get(url("edit", theirs.pk, viewset=SCHEDULES)).status_code == 404
    assert client.get(url("edit", not_theirs.pk, viewset=SCHEDULES)).status_code == 200
    # Nor can they create one for a programme they do not coordinate.
    response = client.post(
        url("add", viewset=SCHEDULES),
        {
            "programme": programme.pk,
            "escalate_after_hours": 24,
            "review_reminder_days": 7,
            "end_reminder_days": "30, 7",
        },
    )
    assert response.status_code == 200
    assert ReminderSchedule.objects.filter(programme=programme).get() == theirs


def test_the_schedule_defaults_come_from_the_settings_and_days_are_checked(programme):
    schedule = ReminderSchedule(programme=programme)
    assert schedule.end_reminder_days == "30, 7"
    assert schedule.review_reminder_days == 7 and schedule.escalate_after_hours == 24
    schedule.end_reminder_days = "7; 14, 14"
    schedule.full_clean()
    assert schedule.end_reminder_days == "14, 7"
    schedule.end_reminder_days = "soon"
    with pytest.raises(Exception, match="whole numbers"):
        schedule.full_clean()


# --- the sweep follows each programme's schedule --------------------------------------------


def _run(now=None, today=None):
    return sweep(now=now, today=today)


def test_the_sweep_uses_the_programmes_end_reminder_days(
    active, django_capture_on_commit_callbacks
):
    Pairing.objects.filter(pk=active.pk).update(midterm_review_due=None)
    ReminderSchedule.objects.create(programme=active.programme, end_reminder_days="10")
    end = active.planned_end
    for days_before in (30, 11, 10):
        with django_capture_on_commit_callbacks(execute=True):
            _run(now=timezone.now(), today=end - datetime.timedelta(days=days_before))
    days = sorted(
        Notification.objects.filter(kind=Kind.END_APPROACHING).values_list("data__days", flat=True)
    )
    assert days == [10, 10]


def test_a_programme_can_turn_a_reminder_off(approved, cast, django_capture_on_commit_callbacks):
    ReminderSchedule.objects.create(
        programme=approved.programme, first_contact=False, escalate_after_hours=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        _run(now=approved.first_contact_due + datetime.timedelta(days=2))
    assert not Notification.objects.filter(
        kind__in=[Kind.FIRST_CONTACT_OVERDUE, Kind.FIRST_CONTACT_ESCALATED]
    ).exists()


# --- the schedule on the programme's page --------------------------------------------------


def test_the_programme_page_shows_its_schedule_and_links_to_it(cast, programme):
    """Issue 21: the reminder schedule is part of the programme's settings; its page says
    which reminders it sends and links to the schedule, started with that programme."""
    coordinator = make_coordinator(person("coordo_p"), programmes=[programme])
    client = staff_client(coordinator)
    page_url = reverse("wagtailsnippets_wagtail_mentorat_programme:edit", args=[programme.pk])
    add = f"{url('add', viewset=SCHEDULES)}?programme={programme.pk}"
    assert client.get(page_url).status_code == 404  # editing programmes is a permission
    coordinator.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_programme", "view_programme"])
    )
    page = client.get(page_url).content.decode()
    assert add in page and "30, 7" in page  # the intranet's end reminders

    form = client.get(add).context["form"]
    assert form.instance.programme_id == programme.pk
    other = ProgrammeFactory()  # not theirs, or no id at all: no programme chosen
    other.coordinators.clear()
    for value in (other.pk, "abc", "9" * 30, ""):
        response = client.get(url("add", viewset=SCHEDULES), {"programme": value})
        assert response.status_code == 200
        assert response.context["form"].instance.programme_id is None

    schedule = ReminderSchedule.objects.create(programme=programme, end_reminder_days="10")
    page = client.get(page_url).content.decode()
    assert url("edit", schedule.pk, viewset=SCHEDULES) in page and add not in page
    assert "30, 7" not in page and "10" in page


def test_a_new_programme_page_asks_to_save_before_the_schedule(cast):
    admin = person("admin_p")
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("wagtailsnippets_wagtail_mentorat_programme:add"))
    assert response.status_code == 200
    page = response.content.decode()
    assert url("add", viewset=SCHEDULES) not in page
    assert "mentorat-schedule-unsaved" in page
