"""The person's own data in a structured, common format: JSON and CSV (A-2.1 s. 84, in force
since 2024-09-22; art. 20 GDPR).

Every model of our apps that relates to a person (directly or through their pairings) is a
:data:`SECTIONS` entry or is in :data:`EXCLUDED` with the reason; a test fails on any other.
A section exports every concrete field of its model (a new field is exported without
further work) except the ones listed in ``omit``: secrets and internal bookkeeping.
Other people's private notes are never exported: only the person's own.
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass, field

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

FORMAT = "wagtail-mentorat-export"
VERSION = 1


@dataclass(frozen=True)
class Section:
    name: str
    model: str  # "app_label.ModelName"
    rows: object  # callable(user, ctx) -> Q or dict of filters
    omit: tuple = ()
    extra: object = None  # callable(instances) -> {pk: {field: value}}
    description: str = ""
    m2m: tuple = field(default=())


def _mine(*fields):
    """Rows where any of ``fields`` is the person."""

    def rows(user, ctx):
        q = Q()
        for name in fields:
            q |= Q(**{name: user})
        return q

    return rows


def _in_my_pairings(path="pairing_id"):
    def rows(user, ctx):
        return Q(**{f"{path}__in": ctx["pairing_ids"]})

    return rows


SECTIONS = [
    Section("profile", "wagtail_mentorat.ParticipantProfile", _mine("user"),
            omit=("calendar_token",), m2m=("expertise",)),
    Section("requests", "wagtail_mentorat.MentoringRequest", _mine("mentee", "opened_by"),
            m2m=("expertise",)),
    Section("offers", "wagtail_mentorat.MentorOffer", _mine("mentor")),
    # Programme staff: the programmes the person coordinates (never the other coordinators).
    Section("programmes_i_coordinate", "wagtail_mentorat.Programme", _mine("coordinators")),
    Section("mentor_preferences", "wagtail_mentorat.MentorPreference", _mine("request__mentee")),
    Section("declined_assignments", "wagtail_mentorat.MentorDecline", _mine("mentor")),
    Section("pairings", "wagtail_mentorat.Pairing", _in_my_pairings("id")),
    Section("pairing_members", "wagtail_mentorat.PairingMember", _in_my_pairings()),
    Section("extensions", "wagtail_mentorat.Extension", _in_my_pairings()),
    Section("transfers", "wagtail_mentorat.Transfer", _in_my_pairings()),
    Section("agreements", "wagtail_mentorat.Agreement", _in_my_pairings(),
            omit=("latest_revision",)),
    Section("agreement_objectives", "wagtail_mentorat.AgreementObjective",
            _in_my_pairings("agreement__pairing_id")),
    Section("agreement_acceptances", "wagtail_mentorat.AgreementAcceptance", _mine("user")),
    Section("meetings", "wagtail_mentorat.Meeting", _in_my_pairings(), m2m=("attendees",)),
    Section("my_private_notes", "wagtail_mentorat.MeetingNote", _mine("author")),
    Section("meeting_proposals", "wagtail_mentorat.MeetingProposal", _in_my_pairings()),
    Section("proposed_slots", "wagtail_mentorat.ProposedSlot",
            _in_my_pairings("proposal__pairing_id")),
    Section("planned_meetings", "wagtail_mentorat.PlannedMeeting", _in_my_pairings()),
    Section("help_requests", "wagtail_mentorat.HelpRequest", _in_my_pairings()),
    Section("reviews", "wagtail_mentorat.ProgressReview", _mine("submitted_by")),
    Section("objective_attainments", "wagtail_mentorat.ObjectiveAttainment",
            _mine("review__submitted_by")),
    # The resolution note is programme staff's working note (issue 17); a formal access
    # request for it is answered by the privacy officer, not by the self-service export.
    Section("disagreements", "wagtail_mentorat.Disagreement", _mine("raised_by"),
            omit=("resolution_note",)),
    Section("checkins_i_recorded", "wagtail_mentorat.CheckIn", _mine("coordinator")),
    Section("fit_checks", "wagtail_mentorat.FitCheck", _mine("user")),
    Section("closure_confirmations", "wagtail_mentorat.ClosureConfirmation", _mine("user")),
    Section("safety_concerns_i_reported", "wagtail_mentorat.SafetyConcern", _mine("reported_by")),
    Section("circles", "wagtail_mentorat.Circle", _in_my_pairings()),
    Section("circle_join_requests", "wagtail_mentorat.CircleJoinRequest", _mine("user")),
    Section("charter_acceptances", "wagtail_mentorat.CharterAcceptance", _mine("user")),
    Section("messages", "wagtail_mentorat.Message", _mine("author")),
    Section("message_read_markers", "wagtail_mentorat.ThreadReadMarker", _mine("user")),
    Section("emails", "mentorat_notifications.Notification", _mine("recipient"),
            omit=("run", "idempotency_key")),
    Section("email_settings", "mentorat_notifications.NotificationSettings", _mine("user")),
    Section("training_progress", "mentorat_training.ModuleProgress", _mine("user")),
    Section("quiz_attempts", "mentorat_training.QuizAttempt", _mine("user"), omit=("token",)),
    Section("training_completions", "mentorat_training.Completion", _mine("user")),
    Section("training_requests", "mentorat_training.TrainingRequest", _mine("requester")),
    Section(
        "training_session_registrations", "mentorat_training.SessionRegistration", _mine("user")
    ),
    Section("consents", "mentorat_privacy.Consent", _mine("user")),
    Section("confidential_records_i_opened", "mentorat_privacy.ReadAccess", _mine("user")),
]  # fmt: skip

# Models that relate to a person but are not the person's to download, and why.
EXCLUDED = {
    "mentorat_privacy.Incident": "the organisation's register of confidentiality incidents "
    "(A-2.1 s. 63.11); a person concerned is notified separately",
    "mentorat_privacy.IncidentFollowUp": "part of the organisation's incident register",
    "mentorat_privacy.LegalHold": "decided by the organisation for litigation or an "
    "investigation; disclosed on an access request through the privacy officer",
    "mentorat_indicators.SelfAssessment": "the programme's self-assessment against the "
    "quality standards, by programme staff: about the programme, not about a person "
    "(the author is only named)",
    "mentorat_indicators.AssessmentAnswer": "part of the programme's self-assessment",
    "mentorat_notifications.ReminderSchedule": "a programme's reminder settings (which "
    "reminders are sent and when), set by programme staff: no personal data",
}


def _label(model):
    return f"{model._meta.app_label}.{model._meta.object_name}"


def _value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return value


def _section_rows(section, user, ctx):
    try:
        model = apps.get_model(section.model)
    except LookupError:  # an optional app that is not installed
        return None
    q = section.rows(user, ctx)
    fields = [f for f in model._meta.concrete_fields if f.name not in section.omit]
    qs = model._default_manager.filter(q).distinct().order_by("pk")
    for name in section.m2m:
        qs = qs.prefetch_related(name)
    rows = []
    for obj in qs:
        row = {f.attname: _value(getattr(obj, f.attname)) for f in fields}
        for name in section.m2m:
            row[name] = [str(o) for o in getattr(obj, name).all()]
        rows.append(row)
    return rows


def collect(user):
    """Everything held about ``user`` in our apps, as plain JSON-ready data."""
    from wagtail_mentorat.models import PairingMember

    ctx = {
        "pairing_ids": list(
            PairingMember.objects.filter(user=user).values_list("pairing_id", flat=True)
        )
    }
    data = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": timezone.now().isoformat(),
        "user": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        },
    }
    for section in SECTIONS:
        rows = _section_rows(section, user, ctx)
        if rows is not None:
            data[section.name] = rows
    return data


def as_json(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def as_csv(data):
    """One CSV table in the long format every spreadsheet opens: section, record, field,
    value (lists and objects as JSON)."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(out)
    writer.writerow(["section", "record", "field", "value"])
    for name, value in data.items():
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            writer.writerow([name, "", "", value])
            continue
        for index, row in enumerate(value, start=1):
            record = row.get("id", index) if isinstance(row, dict) else index
            for key, cell in row.items() if isinstance(row, dict) else [("", row)]:
                if isinstance(cell, (list, dict)):
                    cell = json.dumps(cell, cls=DjangoJSONEncoder, ensure_ascii=False)
                writer.writerow([name, record, key, "" if cell is None else cell])
    return out.getvalue()


def covered_models():
    return {s.model for s in SECTIONS}
