"""The data inventory: every field of every model of our apps with its purpose, retention
and who may see it (A-2.1 s. 63.5: the material of the privacy impact assessment).

A test fails naming each field that is not classified here; the documentation's
inventory page is generated from this module (``manage.py mentorat_privacy_inventory
--write docs/fr/privacy/inventory.md docs/en/privacy/inventory.md``).

Each model lists its fields in groups: ``"field field ...": ACCESS_KEY``. A model's
purpose and retention apply to all its fields.
"""

from dataclasses import dataclass

from django.apps import apps

# Who may see a field.
ACCESS = {
    "pair": "the pairing's members (mentee and mentors)",
    "author": "its author only",
    "author_staff": "its author and the staff of its programme (each reading audited); the "
    "privacy officer only with a recorded reason (break-glass), which the programme's staff "
    "see",
    "pair_staff": "the pairing's members and programme staff",
    "status": "the pairing's members, the mentee's manager and programme staff (states "
    "and dates, never content)",
    "person_staff": "the person and programme staff",
    "person": "the person (and the software, to send or compute)",
    "manager": "the mentor who wrote it and the mentee's manager",
    "staff": "programme staff (coordinators)",
    "officer": "the privacy officer",
    "officer_staff": "the privacy officer; a break-glass reading also the staff of the "
    "record's programme",
    "pair_staff_officer": "the pairing's members, programme staff and the privacy officer "
    "(states and dates)",
    "everyone": "every staff member of the intranet (published content)",
    "system": "nobody: technical value used by the software",
}

# How long a field is kept (the periods are keys of the WAGTAIL_MENTORAT setting, see
# retention.py).
RETENTION = {
    "pairing": "until the pairing is closed plus RETENTION['pairings'] days, then destroyed",
    "pairing_kept": "states and dates kept anonymised for the quality indicators; links to "
    "people and text emptied after the pairings period",
    "profile": "while the person takes part; destroyed after RETENTION['profiles'] "
    "days of inactivity",
    "outbox": "RETENTION['outbox'] days, or with the person or the pairing",
    "read_audit": "RETENTION['read_audit'] days",
    "register": "at least 5 years after the incident is known; never purged automatically",
    "hold": "until the hold is lifted, then with the person or pairing it holds",
    "training": "while the person has a mentoring profile or any training activity (a "
    "completion counts until it expires, a registration until its session ends); destroyed "
    "after RETENTION['training'] days without either",
    "content": "while the page or setting exists (no personal information)",
    "config": "while the programme exists (no personal information)",
    "programme": "while the programme exists; a coordinator stays named on it until an "
    "administrator removes them or their account is deleted",
}


@dataclass(frozen=True)
class Entry:
    purpose: str
    retention: str
    fields: dict  # "name name ...": access key
    personal: bool = True


def _e(purpose, retention, fields, personal=True):
    return Entry(purpose, retention, fields, personal)


_PAGE = ("Published intranet content, written by content editors", "content")

INVENTORY = {
    # --- wagtail_mentorat: the mentoring core ---
    "wagtail_mentorat.ParticipantProfile": _e(
        "Match people and check the pairing rules (discipline, experience, hierarchy)",
        "profile",
        {
            "id user superior discipline site unit years_experience expertise languages "
            "is_mentor mentor_capacity": "person_staff",
            "goals availability": "person_staff",
            "consent_version consent_at": "person_staff",
            # The manager who registered the person; with consent_at empty, the person is
            # out of matching and email until they confirm (A-2.1: their own consent).
            "registered_by": "person_staff",
            "calendar_token": "person",
        },
    ),
    "wagtail_mentorat.MentoringRequest": _e(
        "Record a need for mentoring (seed 001) and match it",
        "pairing",
        {"id programme mentee opened_by urgency kind status created_at expertise": "status",
         "need": "person_staff"},
    ),
    "wagtail_mentorat.MentorOffer": _e(
        "Record an offer to mentor and the coordinator's decision (the mentor pool)", "profile",
        {"id programme mentor status unavailable_until decided_at created_at": "person_staff",
         "decided_by": "person_staff", "note": "person_staff"},
    ),
    "wagtail_mentorat.MentorPreference": _e(
        "The mentors a mentee would prefer; a person still decides", "pairing",
        {"id request mentor rank created_at": "person_staff"},
    ),
    "wagtail_mentorat.MentorDecline": _e(
        "A mentor's refusal, so they are not suggested again for the same request", "pairing",
        {"id request mentor pairing reason created_at": "person_staff", "note": "person_staff"},
    ),
    "wagtail_mentorat.Pairing": _e(
        "Run the mentoring relationship through its lifecycle (seeds 001, 002, 004)",
        "pairing_kept",
        {
            "id programme kind state proposed_at assigned_at mentor_accepted_at "
            "first_contact_due first_contact_at start_date planned_end original_end "
            "midterm_review_due closure_requested_at closure_kind closure_reason "
            "exit_questions_done rematch_wanted closed_at premature": "status",
            "request proposed_by approved_by closed_by": "status",
            "contact_after_closure": "pair_staff",
            "cross_discipline_reason staff_reason score_breakdown scoring_version": "pair_staff",
        },
    ),
    "wagtail_mentorat.PairingMember": _e(
        "Who is in a pairing and each mentor's contribution (seed 004)", "pairing",
        {"id pairing user role": "status", "contribution": "pair_staff"},
    ),
    "wagtail_mentorat.Extension": _e(
        "Ask and decide an extension (seed 001)", "pairing",
        {"id pairing requested_by requested_at new_end status decided_by decided_at": "status",
         "reason": "status"},
    ),
    "wagtail_mentorat.Transfer": _e(
        "Keep a pairing through a change of unit, site or manager (seed 002)", "pairing",
        {"id pairing moved_by moved_at from_site to_site from_unit to_unit from_superior "
         "to_superior": "status"},
    ),
    "wagtail_mentorat.Agreement": _e(
        "The mentoring agreement (seeds 001, 004): for the pair alone", "pairing",
        {
            "id pairing version start_date end_date manager_approved_version "
            "manager_approved_by manager_approved_at updated_at latest_revision": "status",
            "mentee_responsibilities mentor_responsibilities meeting_frequency meeting_mode "
            "confidentiality_clause": "pair",
        },
    ),
    "wagtail_mentorat.AgreementObjective": _e(
        "The development objectives of the agreement", "pairing",
        {"id agreement sort_order": "pair", "text success_measure": "pair"},
    ),
    "wagtail_mentorat.AgreementAcceptance": _e(
        "Each member's acceptance of a version of the agreement", "pairing",
        {"id agreement user version accepted_at": "status"},
    ),
    "wagtail_mentorat.Meeting": _e(
        "Meetings held and their shared summary (cadence, seed 001)", "pairing",
        {"id pairing held_at duration_minutes mode logged_by created_at attendees": "pair_staff",
         "summary rating": "pair"},
    ),
    "wagtail_mentorat.MeetingNote": _e(
        "A private note on a meeting", "pairing", {"id meeting author text": "author"}
    ),
    # Scheduling the next meeting (issue 21). The place or video link is the pair's: the
    # mentee's manager sees a planned meeting's date and state only (manager space).
    "wagtail_mentorat.MeetingProposal": _e(
        "Propose times for the next meeting and answer", "pairing",
        {"id pairing proposed_by created_at status answered_by answered_at": "pair"},
    ),
    "wagtail_mentorat.ProposedSlot": _e(
        "A proposed time slot: date, length, mode, place or video link", "pairing",
        {"id proposal starts_at duration_minutes mode": "pair", "place": "pair"},
    ),
    "wagtail_mentorat.PlannedMeeting": _e(
        "A planned meeting and its calendar invitation (fixed UID, SEQUENCE)", "pairing",
        {"id pairing starts_at duration_minutes status": "status",
         "proposal uid sequence mode organizer attendee meeting created_at updated_at": "pair",
         "place": "pair"},
    ),
    "wagtail_mentorat.HelpRequest": _e(
        "Help asked of the mentor and its deadline (seed 004)", "pairing",
        {"id pairing asked_by urgent client_waiting created_at due_at answered_at "
         "answered_by": "pair_staff", "question answer": "pair"},
    ),
    "wagtail_mentorat.ProgressReview": _e(
        "Mid-term and final reviews (seed 001)", "pairing",
        {"id pairing kind submitted_by submitted_at manager_approved_by "
         "manager_approved_at": "status", "satisfaction what_helped next_steps": "pair_staff"},
    ),
    "wagtail_mentorat.ObjectiveAttainment": _e(
        "How far each objective was attained, in a review", "pairing",
        {"id review objective level": "pair_staff"},
    ),
    "wagtail_mentorat.Disagreement": _e(
        "A disagreement raised confidentially to programme staff (seed 001)", "pairing",
        {"id pairing topic raised_by created_at status handled_by resolved_at":
         "pair_staff_officer", "description": "author_staff", "resolution_note": "staff"},
    ),
    "wagtail_mentorat.CheckIn": _e(
        "Programme staff's follow-up of a pairing (MENTOR standard 5)", "pairing",
        {"id pairing coordinator with_role held_on relationship_quality "
         "safety_concern": "staff", "activities notes": "staff"},
    ),
    "wagtail_mentorat.ClosureConfirmation": _e(
        "Each member's word that the objectives are attained, before the manager approves "
        "the closure (seed 001)", "pairing",
        {"id pairing user confirmed_at": "status"},
    ),
    "wagtail_mentorat.FitCheck": _e(
        "Whether the fit is right after the first meeting", "pairing",
        {"id pairing user fit wants_rematch answered_at": "pair_staff"},
    ),
    "wagtail_mentorat.SafetyConcern": _e(
        "The one exception to confidentiality: safe, quality service (seed 001)", "pairing",
        {"id pairing reported_by manager created_at acknowledged_at": "manager",
         "description": "manager"},
    ),
    "wagtail_mentorat.Circle": _e(
        "A peer support circle's description and charter (seeds 000, 002)", "pairing",
        {"id pairing title theme description career_stage site capacity is_open created_at":
         "everyone", "purpose frequency confidentiality charter_version": "pair_staff"},
    ),
    "wagtail_mentorat.CircleJoinRequest": _e(
        "A request to join a circle", "pairing",
        {"id circle user status created_at decided_by decided_at": "pair_staff",
         "note": "pair_staff"},
    ),
    "wagtail_mentorat.CharterAcceptance": _e(
        "A member's acceptance of the circle's charter", "pairing",
        {"id circle user version accepted_at": "pair_staff"},
    ),
    "wagtail_mentorat.Message": _e(
        "Messages between the members of a pairing", "pairing",
        {"id pairing author urgent help_request created_at": "pair", "body": "pair"},
    ),
    "wagtail_mentorat.ThreadReadMarker": _e(
        "What a member has read in the thread", "pairing",
        {"id pairing user last_read_id read_at": "person"},
    ),
    "wagtail_mentorat.Programme": _e(
        "A programme's rules (seeds 001, 004), published; and its administration: the "
        "programme staff who coordinate it (staff data)", "programme",
        {"id name description audience is_active duration_basis max_duration_months "
         "midterm_review_required final_review_required extension_needs_manager "
         "agreement_needs_manager min_meetings meeting_cadence_weeks first_contact_hours "
         "mentor_response_hours urgent_response_hours who_pairs mentor_capacity "
         "mentor_min_years discipline_rule checkins_first_month checkin_interval_weeks "
         "matching_weights mentee_responsibilities mentor_responsibilities "
         "confidentiality_clause mentor_training mentee_training starts_on ends_on "
         "recruitment_opens_on recruitment_closes_on mentor_training_hours "
         "mentee_training_hours staff_pair_without_manager": "everyone",
         "coordinators": "staff"},
    ),
    "wagtail_mentorat.ExpertiseArea": _e(
        "The vocabulary of areas of expertise (seed 004)", "config",
        {"id name description": "everyone"}, personal=False,
    ),
    "wagtail_mentorat.RegistrationPage": _e(
        *_PAGE, {"page_ptr intro privacy_notice privacy_notice_version thank_you": "everyone"},
        personal=False,
    ),
    # --- notifications ---
    "mentorat_notifications.Notification": _e(
        "The email outbox: what was sent to whom, when, and its delivery", "outbox",
        {"id recipient to_email kind language content_type object_id pairing status "
         "attempts next_attempt_at sending_started_at created_at sent_at message_id "
         "delivery_status delivery_updated_at": "person_staff",
         "data last_error": "staff",
         # A copy of the programme's wording (templates, not the sent text) when queued.
         "idempotency_key run wording": "system"},
    ),
    "mentorat_notifications.NotificationSettings": _e(
        "A person's email settings and bounce flag", "profile",
        {"id user language muted_kinds": "person",
         "email_bounced bounced_at bounce_reason complained": "person_staff"},
    ),
    "mentorat_notifications.EmailWording": _e(
        "The programme's own wording of its emails, written by programme staff (seed 004)",
        "content",
        {"id kind language subject body": "staff", "latest_revision updated_at": "system"},
        personal=False,
    ),
    "mentorat_notifications.ReminderSchedule": _e(
        "A programme's reminder schedule: which reminders are sent, and when", "config",
        {"id programme first_contact help_requests escalate_after_hours reviews "
         "review_reminder_days end end_reminder_days no_meeting": "staff"},
        personal=False,
    ),
    # --- privacy ---
    "mentorat_privacy.Consent": _e(
        "The consent ledger per purpose (A-2.1 s. 53.1)", "profile",
        {"id user purpose notice_version given_at withdrawn_at": "person_staff"},
    ),
    "mentorat_privacy.Incident": _e(
        "The confidentiality-incident register (A-2.1 s. 63.11)", "register",
        {"id information_involved circumstances occurred_on occurred_until discovered_on "
         "people_affected people_affected_approximate risk_assessment serious_injury_risk "
         "commission_notified_on people_notified_on public_notice measures_taken "
         "recorded_by recorded_at": "officer"},
    ),
    "mentorat_privacy.IncidentFollowUp": _e(
        "Later entries on an incident (notices, measures)", "register",
        {"id incident commission_notified_on people_notified_on measures_taken note "
         "recorded_by recorded_at": "officer"},
    ),
    "mentorat_privacy.ReadAccess": _e(
        "Who opened a confidential record they did not write, and when (never its content)",
        "read_audit",
        {"id user accessed_at content_type object_id reason break_glass programme":
         "officer_staff"},
    ),
    "mentorat_privacy.LegalHold": _e(
        "Suspend retention for litigation or an investigation", "hold",
        {"id user pairing reason placed_by placed_at lifted_at": "officer"},
    ),
    # --- indicators ---
    "mentorat_indicators.IndicatorReferences": _e(
        "Reference values of the quality indicators, with their sources", "content",
        {"id match_rate match_rate_source premature_share premature_share_source "
         "commitment_share commitment_share_source first_contact_on_time "
         "first_contact_on_time_source agreements_signed agreements_signed_source "
         "meetings_min_share meetings_min_share_source reviews_on_time reviews_on_time_source "
         "objectives_attained objectives_attained_source help_on_time help_on_time_source "
         "mentors_trained mentors_trained_source": "staff"},
        personal=False,
    ),
    "mentorat_indicators.SelfAssessment": _e(
        "The programme's self-assessment against the quality standards (seed 003)", "config",
        {"id programme period_start period_end created_by created_at updated_by "
         "updated_at": "staff"},
    ),
    "mentorat_indicators.AssessmentAnswer": _e(
        "An answer of the self-assessment", "config",
        {"id assessment item status evidence action measured": "staff"}, personal=False,
    ),
    # --- training ---
    "mentorat_training.ModuleProgress": _e(
        "Where a person is in a training module (seeds 002, 003)", "training",
        {"id user module started_at updated_at draft_answers": "person"},
    ),
    "mentorat_training.QuizAttempt": _e(
        "A quiz attempt and its grade", "training",
        {"id user module submitted_at points question_count score pass_mark passed":
         "person_staff", "answers": "person", "token": "system"},
    ),
    "mentorat_training.Completion": _e(
        "Required training completed, and its expiry (matching prerequisite)", "training",
        {"id user module completed_on expires_on score source attempt registration reference "
         "recorded_at": "person_staff"},
    ),
    "mentorat_training.TrainingRequest": _e(
        "A training activity requested (seed 004)", "training",
        {"id requester topic details module created_at status session": "person_staff"},
    ),
    "mentorat_training.SessionRegistration": _e(
        "A registration to a training session", "training",
        {"id session user status registered_at attended": "person_staff"},
    ),
    "mentorat_training.TrainingSession": _e(
        "A scheduled training session", "content",
        {"id title description module counts_as_completion starts_at ends_at place video_url "
         "capacity": "everyone"},
        personal=False,
    ),
    "mentorat_training.LearningPathModule": _e(
        "A module's place in a learning path", "content",
        {"id sort_order path module": "everyone"}, personal=False,
    ),
    "mentorat_training.TrainingIndexPage": _e(
        *_PAGE, {"page_ptr intro": "everyone"}, personal=False
    ),
    "mentorat_training.LearningPathPage": _e(
        *_PAGE, {"page_ptr intro": "everyone"}, personal=False
    ),
    "mentorat_training.TrainingModulePage": _e(
        *_PAGE,
        {"page_ptr summary estimated_minutes for_mentors for_mentees for_staff for_managers "
         "pass_mark validity_months body": "everyone"},
        personal=False,
    ),
    # --- guides ---
    "mentorat_guides.GuideIndexPage": _e(*_PAGE, {"page_ptr intro": "everyone"}, personal=False),
    "mentorat_guides.GuidePage": _e(*_PAGE, {"page_ptr intro body": "everyone"}, personal=False),
    "mentorat_guides.ProgrammePage": _e(
        *_PAGE,
        {"page_ptr programme purpose audience context_of_use important_information body "
         "registration_page registration_url registration_label": "everyone"},
        personal=False,
    ),
}  # fmt: skip

# Visibility and sharing options (privacy by default, art. 25 GDPR): each must default to
# its most restrictive value, listed here. A test finds the candidates by name.
SHARING_OPTIONS = {
    # Not chosen yet, or "no further contact": nobody is put in touch by default.
    "wagtail_mentorat.Pairing.contact_after_closure": ("", "none"),
    "wagtail_mentorat.ParticipantProfile.is_mentor": (False,),
}
# Fields whose name looks like a sharing option but that share no one's information.
NOT_SHARING_OPTIONS = {
    "wagtail_mentorat.Circle.is_open": "whether a circle takes requests to join; the circle's "
    "description is public by design, its members are not listed",
    "wagtail_mentorat.Programme.is_active": "a programme taking requests; no personal data",
    "mentorat_privacy.Incident.public_notice": "the register's record of a public notice",
}
SHARING_NAME_HINTS = (
    "visib", "public", "sharing", "share_with", "shared_with", "show_", "publish", "directory",
    "listed", "contact_after", "is_open", "is_mentor", "is_active", "searchable", "opt_in",
    "expose",
)  # fmt: skip

PACKAGE = "wagtail_mentorat"


def is_ours(model):
    """A model of the package's own apps (the core and every ``wagtail_mentorat.*`` app),
    never the host's: the inventory is the same in every intranet."""
    name = model._meta.app_config.name
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def own_fields(model):
    """The model's own concrete and many-to-many fields (a page's are its own, not
    Wagtail's)."""
    return [*model._meta.local_concrete_fields, *model._meta.local_many_to_many]


def classification(label, field_name):
    """(purpose, retention, access key) of a field, or None."""
    entry = INVENTORY.get(label)
    if entry is None:
        return None
    for names, access in entry.fields.items():
        if field_name in names.split():
            return entry.purpose, entry.retention, access
    return None


def unclassified():
    """["app_label.Model.field", ...] of every field the inventory does not classify."""
    missing = []
    for model in apps.get_models():
        if not is_ours(model):
            continue
        label = f"{model._meta.app_label}.{model._meta.object_name}"
        for f in own_fields(model):
            if classification(label, f.name) is None:
                missing.append(f"{label}.{f.name}")
    return sorted(missing)


def stale():
    """Inventory lines naming a field or model that no longer exists (installed apps)."""
    installed = {c.label for c in apps.get_app_configs()}
    result = []
    for label, entry in INVENTORY.items():
        if label.split(".")[0] not in installed:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            result.append(label)
            continue
        names = {f.name for f in own_fields(model)}
        for group in entry.fields:
            result += [f"{label}.{n}" for n in group.split() if n not in names]
    return sorted(result)


def markdown():
    """The privacy section of the documentation (docs/*/privacy/inventory.md): one table
    per app, one row per access group."""
    lines = [
        "The app `wagtail_mentorat.privacy` (label `mentorat_privacy`; add it to "
        "`INSTALLED_APPS` after `wagtail_mentorat.guides`) implements the privacy findings "
        "of Quebec's Access Act (A-2.1, as amended 2021–2024):",
        "",
        "- **Consent ledger** per purpose (matching, email, indicators) with the privacy "
        "notice's version, given at registration and withdrawn at `/mentorat/confidentialite/`. "
        "After a withdrawal the person is left out of matching (mentors and waiting requests) "
        "and gets no further email (waiting emails are not sent).",
        "- **Registered by their manager**: consent is the person's own, never the manager's. "
        "A staff member registered by their manager who has not accepted the notice yet "
        "(`ParticipantProfile.registered_by` set, `consent_at` empty) gets no ledger line and "
        "is *awaiting confirmation*: out of matching (suggestions, waiting requests, any "
        "pairing refused with its own message) and of every email except one invitation to "
        "visit their space. There, under the notice, *I confirm* records the consent as a "
        "self-registration does; *I decline* withdraws the request and records a withdrawal "
        "of the consent to matching. The manager's space and the matching workbench show the "
        "request as awaiting the person's confirmation. The rule holds without this app too "
        "(it reads the core's profile); the ledger lines are then not written.",
        "- **Access and portability** (s. 84): the same page downloads everything the person "
        "provided as JSON or CSV (`/mentorat/mes-donnees/` stays, as JSON). A test fails when "
        "a model related to a person is neither exported nor excluded with a reason.",
        "- **Retention** (s. 73): `python manage.py mentorat_retention [--dry-run]`, daily. "
        "Closed pairings are anonymised and inactive profiles destroyed after "
        "`RETENTION_DAYS` (730), with their log entries, revisions, search index "
        "entries, outbox rows, read-access rows and login-attempt records. A person's "
        "training records (progress, quiz answers, completions, requests, registrations) "
        "are destroyed together once they have no mentoring profile and no training "
        "activity for the period (a completion counts until it expires), so a completion a "
        "mentor or mentee relies on to be matched stays while their profile does. Page log "
        "entries and page revisions are the intranet's editorial trail and stay, except "
        "those in the name of a destroyed person who is not an intranet editor (only code "
        "writes those): deleted, or kept without the author for a page's live version. "
        "Never purged: the confidentiality-incident register (at least five years: purge "
        "it by hand), legal holds, pages, intranet accounts. Per kind with "
        '`RETENTION = {"pairings", "profiles", "training", "outbox", "read_audit", '
        '"login_records"}`; both are keys of the `WAGTAIL_MENTORAT` setting. A **legal hold** '
        "(admin, Privacy) suspends it for a person or a pairing.",
        "- **Confidentiality-incident register** (s. 63.11 and its regulation): append-only, "
        "create, inspect and export only, for users with the `mentorat_privacy.privacy_officer` "
        "permission (admin, Privacy).",
        "- **Read-access audit**: a manager reading a safety concern, a coordinator opening a "
        "disagreement or a request in the admin is logged (who, when, which record, why; "
        "never the content), for the privacy officer.",
        "- **Break-glass** (data minimisation, s. 62): the privacy officer sees the registers "
        "and the metadata (a disagreement's states and dates), never a confidential text by "
        "default. To read one (a disagreement's description) outside the staff of its "
        "programme, they give a reason (at least 20 characters): the text is shown once, in "
        "the answer to that request (`Cache-Control: no-store`), and the reading is written "
        "to the read-access audit with the reason, the reader and the record. The coordinators "
        "of that programme see every such reading in the admin (Mentoring > Break-glass "
        "readings); they read their programme's texts directly, each opening audited.",
        "- **Data inventory** (s. 63.5), below: every field's purpose, retention and who may "
        "see it; a test fails on an unclassified field.",
        "",
        "Generated from `wagtail_mentorat/privacy/inventory.py` by "
        "`python manage.py mentorat_privacy_inventory --markdown` (a test checks it is up to "
        "date). For the organisation's privacy impact assessment (A-2.1 s. 63.5); findings "
        "from public sources, not legal advice.",
        "",
        "**Who may see it**: " + "; ".join(f"*{k}*: {v}" for k, v in ACCESS.items()) + ".",
        "",
        "**Retention**: " + "; ".join(f"*{k}*: {v}" for k, v in RETENTION.items()) + ".",
        "",
    ]
    by_app = {}
    for label, entry in INVENTORY.items():
        by_app.setdefault(label.split(".")[0], []).append((label, entry))
    for app_label, entries in by_app.items():
        lines += [f"#### `{app_label}`", ""]
        lines += [
            "| model | fields | purpose | retention | who may see it |",
            "|---|---|---|---|---|",
        ]
        for label, entry in entries:
            model = label.split(".")[1]
            if not entry.personal:
                model += " (no personal information)"
            for names, access in entry.fields.items():
                fields = ", ".join(f"`{n}`" for n in names.split())
                lines.append(
                    f"| {model} | {fields} | {entry.purpose} | *{entry.retention}* | *{access}* |"
                )
        lines.append("")
    lines += ["Visibility and sharing options and their default (privacy by default):", ""]
    for label, values in SHARING_OPTIONS.items():
        shown = " or ".join(repr(v) for v in values)
        lines.append(f"- `{label}`: {shown}")
    return "\n".join(lines).rstrip() + "\n"


START = "<!-- inventory:start -->"
END = "<!-- inventory:end -->"
HEADING = "### Privacy (A-2.1)"


def readme_with_inventory(text):
    """A Markdown page's text (the docs' inventory page, a host's README) with the
    generated block inserted or replaced: between the markers, under the privacy heading if
    there is one, otherwise at the end."""
    block = f"{START}\n{markdown()}{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _old, after = rest.split(END, 1)
        if HEADING not in text or HEADING in before:
            return before + block + after
        # The privacy heading was written after the block: move the block under it.
        text = before.rstrip("\n") + "\n" + after
    if HEADING in text:
        head, tail = text.split(HEADING, 1)
        # After the heading's own paragraph lines, before the next heading.
        lines = tail.split("\n")
        index = 1
        while index < len(lines) and not lines[index].startswith("#"):
            index += 1
        body = "\n".join(lines[:index]).rstrip("\n")
        rest = "\n".join(lines[index:])
        return head + HEADING + body + "\n\n" + block + "\n\n" + rest
    return text.rstrip("\n") + "\n\n" + block + "\n"
