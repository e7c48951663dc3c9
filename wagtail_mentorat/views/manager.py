"""The manager's space: their staff's requests and pairings, states and dates only, and
every decision that waits for them (seed 001) in one place."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import ids, lifecycle, rules, space
from ..auth import login_required
from ..exceptions import RuleViolation
from ..formatting import person_name
from ..forms import TransferForm
from ..matching import adapter, team
from ..models import (
    OPEN_STATES,
    Agreement,
    Extension,
    MentoringKind,
    MentoringRequest,
    MentorPreference,
    Pairing,
    PairingState,
    ParticipantProfile,
    PlannedMeeting,
    Programme,
    SafetyConcern,
)
from ..privacy.audit import log_reads
from ..privacy.consent import AWAITING, excluded_reasons
from ..privacy.purposes import Purpose
from ..templating import render

S = PairingState


@login_required
def manager_space(request):
    if not ParticipantProfile.objects.filter(superior=request.user).exists():
        return render(request, "wagtail_mentorat/space/manager_empty.html", {})
    pairings = list(space.managed_pairings(request.user))
    requests = list(
        MentoringRequest.objects.filter(
            mentee__mentorat_profile__superior=request.user, status=MentoringRequest.Status.OPEN
        )
        .exclude(pairings__state__in=OPEN_STATES)  # a proposal waits below
        .select_related("mentee", "programme")
        .prefetch_related("expertise")
    )
    # Registered by the manager, not yet confirmed by the person: shown, never paired.
    excluded = excluded_reasons(Purpose.MATCHING, among={r.mentee_id for r in requests})
    for r in requests:
        r.awaiting_confirmation = excluded.get(r.mentee_id) == AWAITING
    # Where the programme lets managers pair: explained suggestions and the preferences.
    pairable = [
        r
        for r in requests
        if r.programme.who_pairs != Programme.WhoPairs.COORDINATOR and not r.awaiting_confirmation
    ]
    suggested = adapter.suggestions_for(pairable, limit=3)
    preferred = {}
    for row in MentorPreference.objects.filter(request__in=pairable).select_related("mentor"):
        preferred.setdefault(row.request_id, {})[row.mentor_id] = row
    for r in requests:
        best = suggested.get(r.pk, ((), ()))[0]
        prefs = preferred.get(r.pk, {})
        r.can_pair = r.pk in suggested
        r.suggestions = [(fit, getattr(prefs.get(fit.mentor.id), "rank", None)) for fit in best]
        r.preferred_mentors = sorted(prefs.values(), key=lambda p: p.rank)
    # The next planned meeting's date (issue 21): a date only, never its place.
    next_planned = {}
    for pairing_id, starts_at in (
        PlannedMeeting.objects.filter(
            pairing__in=[p.pk for p in pairings],
            status=PlannedMeeting.Status.PLANNED,
            meeting__isnull=True,
            starts_at__gte=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .values_list("pairing_id", "starts_at")
    ):
        next_planned.setdefault(pairing_id, starts_at)
    for pairing in pairings:  # the link; the page says why when the rules refuse
        pairing.transferable = pairing.state in lifecycle.TRANSFERABLE_STATES
        pairing.next_planned = next_planned.get(pairing.pk)
    concerns = list(SafetyConcern.objects.filter(manager=request.user).select_related("pairing"))
    # Privacy: the manager reads concerns the mentor wrote; who and when is audited.
    log_reads(request.user, concerns, "manager space: safety concern")
    for concern in concerns:  # the button, or why not (a mentee since transferred)
        if concern.acknowledged_at is None:
            concern.ack_refusal = lifecycle.acknowledge_refusal(concern, request.user)
    return render(
        request,
        "wagtail_mentorat/space/manager.html",
        {
            "pairings": pairings,
            "requests": requests,
            "concerns": concerns,
            "pending_extensions": [
                e
                for p in pairings
                for e in p.all_extensions
                if e.status == Extension.Status.REQUESTED
            ],
            "S": S,
        },
    )


@login_required
def manager_decide(request, pk):
    """Approve or refuse one pending item of a pairing of the manager's staff."""
    if request.method != "POST":
        return redirect("wagtail_mentorat:manager")
    pairing = Pairing.objects.filter(pk=pk).first()
    if pairing is None or not rules.is_manager_of(request.user, pairing.mentee):
        raise Http404
    what, approve = request.POST.get("what"), request.POST.get("decision") == "approve"
    try:
        if what == "pairing":
            if approve:
                lifecycle.approve_pairing(pairing, request.user)
                messages.success(request, _("Pairing approved: the mentor has been assigned."))
            else:
                lifecycle.cancel_pairing(pairing, request.user)
                messages.success(
                    request, _("Pairing refused: the request waits for another mentor.")
                )
        elif what == "agreement":
            lifecycle.approve_agreement(Agreement.objects.get(pairing=pairing), request.user)
            messages.success(request, _("Agreement approved."))
        elif what == "extension":
            extension = ids.first_or_none(
                pairing.extensions,
                request.POST.get("extension"),
                status=Extension.Status.REQUESTED,
            )
            if extension is None:
                raise RuleViolation(_("This extension is not waiting for a decision."))
            lifecycle.decide_extension(extension, request.user, approve)
            messages.success(
                request, _("Extension approved.") if approve else _("Extension refused.")
            )
        elif what == "closure":
            lifecycle.close_pairing(pairing, request.user)
            messages.success(request, _("Pairing closed."))
        elif what == "concern":
            concern = ids.first_or_none(pairing.safety_concerns, request.POST.get("concern"))
            if concern is None:
                raise RuleViolation(_("This safety concern is not one of this pairing's."))
            lifecycle.acknowledge_safety_concern(concern, request.user)
            messages.success(request, _("The concern is marked as read and taken in hand."))
        else:
            raise RuleViolation(_("Unknown decision."))
    except (RuleViolation, Agreement.DoesNotExist) as error:
        for message in getattr(error, "messages", [_("Nothing to decide here.")]):
            messages.error(request, message)
    return redirect("wagtail_mentorat:manager")


def _staff_request(request, pk):
    """A waiting request of the manager's staff; 404 for anyone else's, as for none."""
    mentoring_request = (
        MentoringRequest.objects.filter(pk=pk, status=MentoringRequest.Status.OPEN)
        .select_related("mentee", "programme")
        .first()
    )
    if mentoring_request is None or not rules.is_manager_of(request.user, mentoring_request.mentee):
        raise Http404
    return mentoring_request


@login_required
def manager_assign(request, pk):
    """Assign a suggested mentor to a waiting request of the manager's staff, through the
    same rules and capacity lock as the workbench (404 for anyone else's request)."""
    if request.method != "POST":
        return redirect("wagtail_mentorat:manager")
    mentoring_request = _staff_request(request, pk)
    mentor = ids.first_or_none(
        ParticipantProfile.objects.select_related("user"),
        request.POST.get("mentor"),
        field="user_id",
        is_mentor=True,
    )
    if mentor is None:
        messages.error(request, _("Choose a suggested mentor."))
        return redirect("wagtail_mentorat:manager")
    try:
        adapter.assign(mentoring_request, mentor.user, request.user)
        messages.success(request, _("Pairing approved: the mentor has been assigned."))
    except RuleViolation as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("wagtail_mentorat:manager")


@login_required
def manager_team(request, pk):
    """Where managers pair: a pairing with several mentors, each with what they bring
    (seed 004), or a group of the manager's staff with one mentor (seed 002), through the
    same rules as programme staff's workbench (:mod:`..matching.team`)."""
    mentoring_request = _staff_request(request, pk)
    programme = mentoring_request.programme
    waiting = adapter.waiting_requests(programme)
    refusal = ""
    if not waiting.filter(pk=mentoring_request.pk).exists():
        refusal = _(
            "This request is not waiting to be paired now: a pairing is in progress, or the "
            "person has not confirmed their registration."
        )
    else:
        may, why, _nobody = rules.pairing_access(
            request.user, programme, [mentoring_request.mentee_id]
        )[mentoring_request.mentee_id]
        refusal = "" if may else why
    pool = {m.id: m for m in adapter.load_mentors(programme)} if not refusal else {}
    others = waiting.filter(
        mentee__mentorat_profile__superior=request.user, kind=MentoringKind.GROUP
    ).exclude(pk=mentoring_request.pk)
    errors = []
    if request.method == "POST" and not refusal:
        chosen, errors = team.read_team(request.POST, mentoring_request, pool, others)
        if not errors:
            try:
                team.make_team_pairing(programme, chosen, request.user)
            except RuleViolation as error:
                errors = list(error.messages)
            else:
                messages.success(
                    request,
                    _("Pairing made with %(mentors)s; the mentors are told.")
                    % {"mentors": ", ".join(person_name(m) for m in chosen["mentors"])},
                )
                return redirect("wagtail_mentorat:manager")
    # What was typed comes back on a refusal: nothing is lost.
    posted = request.POST
    secondary = posted.getlist("secondary") + [""] * team.SECONDARY_SLOTS
    contribution = posted.getlist("contribution") + [""] * team.SECONDARY_SLOTS
    kept = {
        "primary": posted.get("primary", ""),
        "primary_contribution": posted.get("primary_contribution", ""),
        "slots": list(zip(secondary, contribution, strict=False))[: team.SECONDARY_SLOTS],
        "mentees": set(posted.getlist("mentee")),
        "reason": posted.get("reason", ""),
    }
    return render(
        request,
        "wagtail_mentorat/space/manager_team.html",
        {
            "mentoring_request": mentoring_request,
            "refusal": refusal,
            "errors": errors,
            "mentors": sorted(pool.values(), key=lambda m: m.name.lower()),
            "others": list(others) if mentoring_request.kind == MentoringKind.GROUP else [],
            "kept": kept,
        },
        status=400 if errors else None,
    )


@login_required
def manager_transfer(request, pk):
    """The manager moves a staff member to another unit, site or manager; the pairing and
    its history stay (seed 002), both managers and the mentors are told. 404 for a pairing
    that is not of the manager's staff, as for none."""
    pairing = Pairing.objects.filter(pk=pk).first()
    mentee = pairing and pairing.mentee
    if mentee is None or not rules.is_manager_of(request.user, mentee):
        raise Http404
    refusal = lifecycle.transfer_refusal(pairing, request.user)
    profile = ParticipantProfile.objects.filter(user=mentee).first()
    form = TransferForm(request.POST if request.method == "POST" else None, profile=profile)
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.transfer_mentee(
                pairing,
                request.user,
                site=data["site"],
                unit=data["unit"],
                superior=data["superior"],
            )
        except RuleViolation as refused:
            form.add_error(None, refused)
        else:
            messages.success(
                request,
                _("The mentee is transferred; the pairing continues. Everyone concerned is told."),
            )
            return redirect("wagtail_mentorat:manager")
    return render(
        request,
        "wagtail_mentorat/space/manager_transfer.html",
        {"pairing": pairing, "mentee": mentee, "form": form, "refusal": refusal},
        status=400 if form.errors else None,
    )
