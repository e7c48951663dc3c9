"""“Mon espace mentorat”: the dashboard, the pairing page and its actions."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import caching, lifecycle, registration, scheduling, space
from ..auth import login_required
from ..exceptions import RuleViolation
from ..forms import (
    AnswerForm,
    ClosureForm,
    DeclineForm,
    DisagreementForm,
    ExtensionForm,
    FirstContactForm,
    FitCheckForm,
    HelpRequestForm,
    MeetingForm,
    ObjectivesForm,
    ProposalForm,
    RescheduleForm,
    ReviewForm,
    SafetyConcernForm,
)
from ..ids import parse_id
from ..matching import fallback
from ..models import (
    MeetingMode,
    MentoringKind,
    MentoringRequest,
    MentorOffer,
    Pairing,
    PairingState,
    ParticipantProfile,
)
from ..privacy import consent
from ..templating import render


@login_required
def dashboard(request):
    """One page that says what to do next, with deadlines. A fixed number of queries
    whatever the number of pairings, meetings, messages and requests (nine; ten while a
    pairing waits for its members' closure confirmations, or while the person awaits
    confirmation); the registration page comes from the cache."""
    user = request.user
    # Programmes come from the cache (space.programmes), read once here, not from joins.
    known = space.programmes()
    pairings = space.pairings_for(user, known)
    open_requests = space.attach_programmes(
        MentoringRequest.objects.filter(
            mentee=user, status=MentoringRequest.Status.OPEN
        ).select_related("opened_by"),
        known,
    )
    offers = space.attach_programmes(  # retired offers are no longer the person's (the pool)
        MentorOffer.objects.filter(mentor=user).exclude(status=MentorOffer.Status.RETIRED),
        known,
    )
    context = {
        "items": space.pairings_summary(pairings, user),
        "open_requests": open_requests,
        "offers": offers,
        # Training still to take before being matched (prerequisites set by each
        # programme), each module in the visitor's language.
        "training_to_take": sorted(
            space.training_to_take(user, open_requests, offers, known=known),
            key=lambda module: module.title,
        ),
        "registration_page": registration.notice_page(),
        "is_manager": space.is_manager(user),
        # Registered by their manager: the person confirms (or declines) here, themself.
        # Only a request someone else opened for them can await their confirmation.
        "awaiting": registration.awaiting(user, open_requests)
        if any(r.opened_by_id != user.pk for r in open_requests)
        else None,
    }
    return render(request, "wagtail_mentorat/space/dashboard.html", context)


@login_required
@require_POST
def confirm_registration(request):
    """The person confirms, or declines, the registration their manager made for them (404
    for anyone their manager never registered). A second click changes nothing."""
    if not ParticipantProfile.objects.filter(
        user=request.user, registered_by__isnull=False
    ).exists():
        raise Http404
    decision = request.POST.get("decision")
    if decision == "confirm":
        # From the database, not the cache: the version consented to is the current one.
        version = registration.notice_version(registration.notice_page(cached=False))
        if not consent.is_awaiting(request.user):
            messages.info(request, _("Your registration is already confirmed."))
        elif request.POST.get("notice_version") != version:
            caching.PAGES.bump()  # this process's cache showed an older notice (locmem)
            messages.error(
                request,
                _("The privacy notice has changed since you opened this page: read it again."),
            )
        elif registration.confirm(request.user, version):
            messages.success(
                request,
                _(
                    "Thank you: your registration is confirmed. Your request now waits for "
                    "a mentor."
                ),
            )
    elif decision == "decline":
        try:
            declined = registration.decline(request.user)
        except RuleViolation as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if declined:
                messages.success(
                    request,
                    _(
                        "You declined: the request is withdrawn and you will not be matched. "
                        "You can register yourself at any time."
                    ),
                )
            else:
                messages.info(request, _("There is nothing left to decline."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("wagtail_mentorat:space")


def _not_changed(request, form):
    """The meeting form's errors in one message, each with its field's label (the page
    redirects, so the form is not shown again)."""
    problems = " ".join(
        f"{form.fields[name].label}: {' '.join(errors)}"
        if name in form.fields
        else " ".join(errors)
        for name, errors in form.errors.items()
    )
    messages.error(request, _("The meeting was not changed: %(problems)s") % {"problems": problems})


def _forms(pairing, user, data=None, action=None):
    """The pairing page's forms; the one that was posted is bound to ``data``."""
    objectives = list(pairing.agreement.objectives.all()) if hasattr(pairing, "agreement") else []

    def bound(name):
        return data if action == name else None

    initial_objectives = "\n".join(
        f"{o.text} | {o.success_measure}" if o.success_measure else o.text for o in objectives
    )
    return {
        "first_contact": FirstContactForm(bound("first_contact")),
        "decline": DeclineForm(bound("decline")),
        "objectives": ObjectivesForm(
            bound("objectives"), initial={"objectives": initial_objectives}
        ),
        "meeting": MeetingForm(bound("meeting")),
        "fit_check": FitCheckForm(bound("fit_check")),
        "help": HelpRequestForm(bound("help")),
        "answer": AnswerForm(bound("answer")),
        "review": ReviewForm(bound("review"), objectives=objectives),
        "extension": ExtensionForm(bound("extension")),
        "closure": ClosureForm(bound("closure")),
        "disagreement": DisagreementForm(bound("disagreement")),
        "safety": SafetyConcernForm(bound("safety")),
        "match_review": DisagreementForm(bound("match_review")),
        "propose_meeting": ProposalForm(bound("propose_meeting")),
    }


def _do(action, pairing, user, form):
    """Call the lifecycle for the posted action; returns the success message."""
    data = form.cleaned_data if form is not None else {}
    agreement = getattr(pairing, "agreement", None)
    if action == "first_contact":
        lifecycle.record_first_contact(pairing, user, data.get("when"))
        return _("First contact recorded.")
    if action == "accept_assignment":
        lifecycle.accept_assignment(pairing, user)
        return _("Thank you: you accepted this assignment. Make the first contact soon.")
    if action == "decline":
        fallback.decline(pairing, user, data["reason"], data["note"])
        return _("You declined this assignment: programme staff will find another mentor.")
    if action == "objectives":
        lifecycle.update_agreement(agreement, user, objectives=data["objectives"])
        return _("Objectives saved. Each of you now accepts this version.")
    if action == "accept":
        lifecycle.accept_agreement(agreement, user)
        return _("You accepted the agreement.")
    if action == "meeting":
        lifecycle.log_meeting(
            pairing,
            user,
            data["held_at"],
            data["duration_minutes"],
            data["mode"],
            data["summary"],
            data["private_note"],
            data["rating"],
        )
        return _("Meeting logged.")
    if action == "propose_meeting":
        scheduling.propose_meeting(pairing, user, form.slots())
        return _("Your proposal was sent: the other members choose a time, or say none suits.")
    if action == "fit_check":
        lifecycle.answer_fit_check(pairing, user, data["fit"], data["wants_rematch"])
        return _("Thank you for your answer.")
    if action == "help":
        lifecycle.ask_for_help(
            pairing, user, data["question"], client_waiting=data["client_waiting"]
        )
        return _("Your request was sent to your mentor.")
    if action == "answer":
        help_request = pairing.help_requests.filter(pk=data["help_request"]).first()
        if help_request is None:
            raise RuleViolation(_("This help request does not belong to this pairing."))
        lifecycle.answer_help_request(help_request, user, data["answer"])
        return _("Answer sent.")
    if action == "review":
        lifecycle.submit_review(
            pairing,
            user,
            data["kind"],
            data["satisfaction"],
            data["what_helped"],
            data["next_steps"],
            form.attainments(),
        )
        return _("Review submitted.")
    if action == "extension":
        lifecycle.request_extension(pairing, user, data["new_end"], data["reason"])
        return _("Extension requested: the manager decides.")
    if action == "confirm_closure":
        lifecycle.confirm_closure(pairing, user)
        return _("Thank you: the manager can now approve the closure.")
    if action == "closure":
        lifecycle.request_closure(
            pairing,
            user,
            kind=data["kind"],
            reason=data["reason"],
            contact_after=data["contact_after"],
            rematch_wanted=data["rematch_wanted"],
            exit_questions_done=data["exit_questions_done"],
        )
        return _("Closure requested: the manager approves it.")
    if action == "disagreement":
        lifecycle.raise_disagreement(pairing, user, data["description"])
        return _("Programme staff received your message; they will contact you confidentially.")
    if action == "match_review":
        lifecycle.raise_disagreement(pairing, user, data["description"], topic="matching")
        return _("A coordinator will review how you were matched and contact you.")
    if action == "safety":
        lifecycle.report_safety_concern(pairing, user, data["description"])
        return _("The manager received your report.")
    raise RuleViolation(_("Unknown action."))


NO_FORM_ACTIONS = {"accept", "accept_assignment", "confirm_closure"}


def _failed_answer(pairing, form):
    """The id of the open help request a refused answer was for, if it is one of this
    pairing's (else None: the error is shown above the list)."""
    pk = parse_id(form.data.get("help_request"))
    if form.errors and any(h.pk == pk for h in pairing.open_help_requests):
        return pk
    return None


@login_required
def pairing_page(request, pk):
    """The pairing's page, for its members only (404 for anyone else, whatever the id).

    What it shows and which actions it takes come from one place, :func:`space.plan_for`:
    an action the plan does not offer this person now is refused. After an action that
    worked, the page is reloaded with its message, which takes the focus; after a refused
    one, it is shown again (400) with the failing form's panel open and its error summary
    on top, which takes the focus."""
    pairing = space.pairing_detail(pk, request.user)
    if pairing is None:
        raise Http404
    if pairing.kind == MentoringKind.CIRCLE:  # a circle of equals has its own page
        return redirect("wagtail_mentorat:circle", pk=pairing.pk)
    plan = space.plan_for(pairing, request.user)
    # Scheduling the next meeting (issue 21) adds its own actions to the plan's.
    schedule = scheduling.for_pairing_page(pairing, request.user)
    offered = plan.actions | scheduling.page_actions(schedule)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(pairing, request.user, request.POST, action)
    if action:
        form = None if action in NO_FORM_ACTIONS else forms.get(action)
        if form is None and action not in NO_FORM_ACTIONS:
            messages.error(request, _("Unknown action."))
            return redirect("wagtail_mentorat:pairing", pk=pairing.pk)
        if action not in offered:
            messages.error(
                request,
                _("This action is not available now: the page shows what you can do."),
            )
            return redirect("wagtail_mentorat:pairing", pk=pairing.pk)
        if (
            action == "review"
            and form.is_valid()
            and form.cleaned_data["kind"] not in plan.review_kinds
        ):
            form.add_error(None, _("This review is not expected now."))
        if form is None or form.is_valid():
            try:
                messages.success(request, _do(action, pairing, request.user, form))
                return redirect("wagtail_mentorat:pairing", pk=pairing.pk)
            except RuleViolation as error:
                if form is None:
                    for message in error.messages:
                        messages.error(request, message)
                else:
                    form.add_error(None, error)
    role = space.role_of(pairing, request.user)
    context = {
        "pairing": pairing,
        "role": role,
        "is_mentor": space.is_mentor_role(role),
        "plan": plan,
        "steps": plan.steps,
        "actions": offered,
        "schedule": schedule,
        "time_zone": settings.TIME_ZONE,
        "forms": forms,
        "posted": action,
        "others": [m for m in pairing.members.all() if m.user_id != request.user.pk],
        "acceptances": pairing.agreement.current_acceptances()
        if hasattr(pairing, "agreement")
        else [],
        "pending_reviews": space.pending_reviews(pairing),
        # The open help request whose answer was refused: its form shows the errors.
        "failed_answer": _failed_answer(pairing, forms["answer"]) if action == "answer" else None,
        "S": PairingState,
        "meeting_modes": MeetingMode.choices,
    }
    status = 400 if action and request.method == "POST" else 200
    return render(request, "wagtail_mentorat/space/pairing.html", context, status=status)


@login_required
@require_POST
def edit_meeting(request, pk, meeting_pk):
    pairing = space.pairing_detail(pk, request.user)
    meeting = pairing and next((m for m in pairing.meetings.all() if m.pk == meeting_pk), None)
    if meeting is None:
        raise Http404
    if not space.plan_for(pairing, request.user).offers("meeting"):
        messages.error(
            request, _("This action is not available now: the page shows what you can do.")
        )
        return redirect("wagtail_mentorat:pairing", pk=pairing.pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.update_meeting(
                meeting,
                request.user,
                private_note=data["private_note"],
                held_at=data["held_at"],
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                summary=data["summary"],
                rating=data["rating"],
            )
            messages.success(request, _("Meeting updated."))
        except RuleViolation as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        _not_changed(request, form)
    return redirect("wagtail_mentorat:pairing", pk=pairing.pk)


def _member_pairing(pk, user):
    """The pairing ``pk`` if ``user`` is one of its members (else None: a 404)."""
    return Pairing.objects.filter(pk=pk, members__user=user).first()


def _report(request, error):
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def answer_proposal(request, pk, proposal_pk):
    """Accept one slot of a proposal, decline them all, or (its author) withdraw it. 404
    for anyone outside the pairing and for a proposal or slot of another pairing; a
    refused answer (already answered, one's own proposal) is said and changes nothing."""
    pairing = _member_pairing(pk, request.user)
    proposal = pairing and pairing.meeting_proposals.filter(pk=proposal_pk).first()
    if proposal is None:
        raise Http404
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            slot_pk = parse_id(request.POST.get("slot"))
            slot = proposal.slots.filter(pk=slot_pk).first() if slot_pk else None
            if slot is None:
                raise Http404
            scheduling.accept_slot(slot, request.user)
            messages.success(
                request,
                _(
                    "The meeting is planned. You and the person who proposed it receive the "
                    "invitation by email, to add to your calendars."
                ),
            )
        elif decision == "decline":
            scheduling.decline_proposal(proposal, request.user)
            messages.success(request, _("The person who proposed these times is told."))
        elif decision == "withdraw":
            scheduling.withdraw_proposal(proposal, request.user)
            messages.success(request, _("Your proposal is withdrawn."))
        else:
            messages.error(request, _("Unknown action."))
    except RuleViolation as error:
        _report(request, error)
    return redirect(reverse("wagtail_mentorat:pairing", args=[pairing.pk]) + "#planning")


@login_required
@require_POST
def planned_meeting(request, pk, planned_pk):
    """Log a planned meeting as held (one click, once its time has come), change it or
    cancel it. 404 outside the pairing."""
    pairing = _member_pairing(pk, request.user)
    planned = pairing and pairing.planned_meetings.filter(pk=planned_pk).first()
    if planned is None:
        raise Http404
    what = request.POST.get("what")
    anchor = "#planning"
    try:
        if what == "log":
            scheduling.log_planned(planned, request.user)
            messages.success(
                request,
                _(
                    "Meeting logged. Add the shared summary and your private note with "
                    "“Change this meeting”."
                ),
            )
            anchor = "#meetings"
        elif what == "cancel":
            scheduling.cancel_planned(planned, request.user)
            messages.success(request, _("The meeting is cancelled; both of you are told."))
        elif what == "reschedule":
            form = RescheduleForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                scheduling.reschedule(
                    planned,
                    request.user,
                    data["starts_at"],
                    data["duration_minutes"],
                    data["mode"],
                    data["place"],
                )
                messages.success(
                    request, _("The meeting is changed; both of you receive the new invitation.")
                )
            else:
                _not_changed(request, form)
        else:
            messages.error(request, _("Unknown action."))
    except RuleViolation as error:
        _report(request, error)
    return redirect(reverse("wagtail_mentorat:pairing", args=[pairing.pk]) + anchor)
