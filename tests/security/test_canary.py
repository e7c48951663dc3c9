"""Canary (seed 001: "La relation de mentorat revêt un caractère confidentiel").

Unique strings are written, through the lifecycle, in a private meeting note, a shared
meeting summary, a help request and a review answer of the demo pairing of ``mentore1``
and ``mentor1``. Then every other role — the participants of another pairing, the
mentee's manager, the manager of another unit, the coordinator, the content editor, a
superuser — opens everything they can reach: the participant and manager spaces, their
own calendar feed and data exports, search results, and in the admin every listing,
inspection, history, export and report of the mentoring app. Emails, Wagtail's log
entries and the application's log lines are searched too. Zero hits.
"""

import json
import logging

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    Agreement,
    Meeting,
    MeetingNote,
    MentoringRequest,
    Pairing,
    ParticipantProfile,
    ProgressReview,
)
from wagtail_mentorat.notifications.models import Notification

from .test_url_access import PRIVACY_OFFICER, PROGRAMME_STAFF, access_of, walk

pytestmark = pytest.mark.django_db
STAFF_ONLY = (PROGRAMME_STAFF, PRIVACY_OFFICER)

NOTE = "CANARY-PRIVATE-NOTE-7f3a9c"
SUMMARY = "CANARY-SHARED-SUMMARY-2b8e41"
HELP = "CANARY-HELP-REQUEST-5d1c77"
REVIEW = "CANARY-REVIEW-ANSWER-9e0f23"
CANARIES = {NOTE, SUMMARY, HELP, REVIEW}
# Searches ask for each canary's last word: a search box that shows the query back shows
# that word, never the whole canary, which only a leaked record would bring.
SEARCH_TOKENS = [canary.rsplit("-", 1)[1] for canary in sorted(CANARIES)]

OUTSIDERS = [
    "mentore2",
    "mentor2",
    "gestionnaire",
    "gestionnaire2",
    "coordination",
    "redaction",
    "confidentialite",  # the privacy officer: registers and audit, never the content
    "superuser",
]


@pytest.fixture
def written(demo_users, pairing_of, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    pairing = pairing_of("mentore1")
    mentee, mentor = demo_users["mentore1"], demo_users["mentor1"]
    with django_capture_on_commit_callbacks(execute=True):  # the emails go out
        lifecycle.log_meeting(
            pairing,
            mentor,
            timezone.now() - timezone.timedelta(days=1),
            summary=SUMMARY,
            private_note=NOTE,
        )
        lifecycle.ask_for_help(pairing, mentee, HELP, urgent=True, client_waiting=True)
        lifecycle.submit_review(
            pairing,
            mentee,
            ProgressReview.Kind.MIDTERM,
            4,
            what_helped=REVIEW,
            next_steps=REVIEW,
        )
    for user in demo_users.values():  # everyone gets a calendar address
        ParticipantProfile.objects.filter(user=user).update(calendar_token=f"tok-{user.pk:0>24}")
    return pairing


def _hits(text, allowed=()):
    return sorted(c for c in CANARIES - set(allowed) if c in text)


def _front_end_paths(role, demo_users):
    user = demo_users.get(role)
    paths = [
        "/",
        "/mentorat/",
        "/mentorat/gestion/",
        "/mentorat/calendrier/",
        "/mentorat/mes-donnees/",
        "/mentorat/cercles/",
        "/mentorat/courriels/reglages/",
        reverse("wagtail_mentorat:privacy:page"),
        reverse("wagtail_mentorat:privacy:export_json"),
        reverse("wagtail_mentorat:privacy:export_csv"),
    ]
    paths += [f"/recherche/?query={token}" for token in SEARCH_TOKENS]
    if user is not None:
        token = ParticipantProfile.objects.filter(user=user).values_list(
            "calendar_token", flat=True
        )
        paths += [reverse("wagtail_mentorat:calendar", args=[t]) for t in token if t]
    return paths


def _admin_paths(pairing):
    """Every programme-staff page with no argument (listings, reports, dashboards, with
    their CSV exports), and the inspection and history of every record of the pairing."""
    paths = []
    for route, _pattern in walk():
        if access_of(route) not in STAFF_ONLY or "<" in route or "(?P" in route:
            continue
        if route.endswith(("/add/", "/new/", "/create/", "/create/$", "chosen-multiple/")):
            continue
        path = "/" + route.replace("^", "").replace("$", "")
        paths += [path, path + "?export=csv"] + [f"{path}?q={token}" for token in SEARCH_TOKENS]
    records = {
        "pairing": [pairing.pk],
        "agreement": list(Agreement.objects.filter(pairing=pairing).values_list("pk", flat=True)),
        "mentoringrequest": list(
            MentoringRequest.objects.filter(mentee__in=pairing.mentees).values_list("pk", flat=True)
        ),
        "participantprofile": list(
            ParticipantProfile.objects.filter(
                user__mentorat_memberships__pairing=pairing
            ).values_list("pk", flat=True)
        ),
    }
    for model, pks in records.items():
        for pk in pks:
            for view in ("inspect", "history", "edit"):
                paths.append(f"/admin/snippets/wagtail_mentorat/{model}/{view}/{pk}/")
    paths += [f"/admin/wagtail_mentorat/pairing/{v}/{pairing.pk}/" for v in ("inspect", "history")]
    paths += [
        f"/admin/mentorat/courriels/inspect/{pk}/"
        for pk in Notification.objects.values_list("pk", flat=True)
    ]
    return paths


def test_no_other_role_ever_sees_the_confidential_text(written, login_as, demo_users):
    leaks = []
    for role in OUTSIDERS:
        client = login_as(role)
        paths = _front_end_paths(role, demo_users)
        if role in ("coordination", "redaction", "confidentialite", "superuser"):
            paths += _admin_paths(written)
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                continue
            body = b"".join(response) if response.streaming else response.content
            found = _hits(body.decode("utf-8", "replace"))
            if found:
                leaks.append(f"{role:14} {path}: {found}")
    assert not leaks, "\n".join(leaks)


def test_the_pair_sees_its_own_text_and_nothing_more(written, login_as):
    pairing_url = reverse("wagtail_mentorat:pairing", args=[written.pk])
    mentor_page = login_as("mentor1").get(pairing_url).content.decode()
    mentee_page = login_as("mentore1").get(pairing_url).content.decode()
    assert NOTE in mentor_page  # the author sees their private note
    assert NOTE not in mentee_page  # and nobody else, the mentee included
    assert SUMMARY in mentee_page and HELP in mentor_page


def test_feeds_exports_of_the_pair_hold_no_confidential_text(written, login_as, demo_users):
    """Even the members' own calendar feeds (a secret address that may leak) hold dates and
    titles only; the private note is in its author's data export only."""
    for role in ("mentore1", "mentor1"):
        token = ParticipantProfile.objects.get(user=demo_users[role]).calendar_token
        feed = login_as(None).get(reverse("wagtail_mentorat:calendar", args=[token]))
        assert feed.status_code == 200
        assert _hits(feed.content.decode()) == [], role
    mentee_export = login_as("mentore1").get(reverse("wagtail_mentorat:my_data")).content
    assert NOTE not in mentee_export.decode()


def test_no_email_carries_the_confidential_text(written):
    assert mail.outbox, "the help request notifies the mentor"
    for message in mail.outbox:
        text = message.subject + message.body
        text += "".join(content for content, _type in getattr(message, "alternatives", []))
        assert _hits(text) == [], (message.to, message.subject)
    for notification in Notification.objects.all():
        fields = json.dumps(
            {f.name: str(getattr(notification, f.attname)) for f in Notification._meta.fields}
        )
        assert _hits(fields) == [], notification.pk


def test_no_log_entry_keeps_the_confidential_text(written):
    for model in (ModelLogEntry, PageLogEntry):
        for entry in model.objects.all():
            text = f"{entry.label} {json.dumps(entry.data, default=str)} {entry.message}"
            assert _hits(text) == [], (entry.action, entry.label)


def test_no_log_line_keeps_the_confidential_text(written, login_as, caplog):
    login_as("mentore2").get(reverse("wagtail_mentorat:pairing", args=[written.pk]))
    for record in caplog.records:
        assert _hits(record.getMessage()) == [], record.name


def test_the_stored_records_are_where_the_text_should_be(written):
    """Guard: the canaries were written (else the searches above prove nothing)."""
    assert Meeting.objects.filter(summary=SUMMARY).exists()
    assert MeetingNote.objects.filter(text=NOTE).exists()
    assert written.help_requests.filter(question=HELP).exists()
    assert Pairing.objects.filter(pk=written.pk, reviews__what_helped=REVIEW).exists()
