"""Peer support circles in the participant space: browse, join, the circle's page.

Everyone logged in sees the open circles' public description and may ask to join; the
charter, the members, the meetings and the conversation are for the members alone. The
rules live in :mod:`wagtail_mentorat.circles` and :mod:`wagtail_mentorat.lifecycle`.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import circles, lifecycle, rules
from ..auth import login_required
from ..exceptions import RuleViolation
from ..forms import MeetingForm
from ..ids import IdField
from ..models import (
    CareerStage,
    CharterAcceptance,
    Circle,
    CircleJoinRequest,
    Meeting,
    MeetingNote,
    PairingMember,
    PairingState,
)
from ..templating import render
from . import messaging

S = PairingState


class CircleFilterForm(forms.Form):
    """Theme, stage and site filters. Choices come from the open circles, so a guessed or
    stale value is an error next to the field, never a crash."""

    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    stage = forms.ChoiceField(
        label=gettext_lazy("Career stage"),
        required=False,
        choices=[("", gettext_lazy("All stages")), *CareerStage.choices],
    )
    site = forms.ChoiceField(label=gettext_lazy("Site"), required=False)

    def __init__(self, *args, themes=(), sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes"))] + [(t, t) for t in themes]
        self.fields["site"].choices = [("", _("All sites"))] + [(s, s) for s in sites]


class JoinForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A word to the circle (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CharterForm(forms.Form):
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    frequency = forms.CharField(label=gettext_lazy("How often we meet"), max_length=200)
    confidentiality = forms.CharField(
        label=gettext_lazy("Confidentiality among members"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    join_request = IdField(widget=forms.HiddenInput)


def _open_circles():
    return (
        Circle.objects.filter(pairing__state=S.ACTIVE, is_open=True)
        .select_related("pairing__programme")
        .annotate(
            member_count=Count(
                "pairing__members",
                filter=Q(pairing__members__role__in=circles.CIRCLE_ROLES),
                distinct=True,
            )
        )
    )


@login_required
def circle_list(request):
    """Open circles by theme, career stage and site (seed 000: every stage of a career)."""
    base = _open_circles()
    themes = sorted(set(base.values_list("theme", flat=True)))
    sites = sorted(s for s in set(base.values_list("site", flat=True)) if s)
    form = CircleFilterForm(request.GET or None, themes=themes, sites=sites)
    found = base
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["theme"]:
                found = found.filter(theme=data["theme"])
            if data["stage"]:
                found = found.filter(career_stage=data["stage"])
            if data["site"]:
                found = found.filter(site=data["site"])
        else:
            found = found.none()
            status = 400
    found = list(found.order_by("title", "pk"))
    ids = [c.pairing_id for c in found]
    mine = set(
        PairingMember.objects.filter(pairing_id__in=ids, user=request.user).values_list(
            "pairing_id", flat=True
        )
    )
    pending = set(
        CircleJoinRequest.objects.filter(
            circle__in=found, user=request.user, status=CircleJoinRequest.Status.PENDING
        ).values_list("circle_id", flat=True)
    )
    for circle in found:
        circle.is_full = circle.member_count >= circle.capacity
        circle.is_mine = circle.pairing_id in mine
        circle.is_pending = circle.pk in pending
    context = {
        "form": form,
        "circles": found,
        "filtered": form.is_bound,
        "my_circles": list(
            Circle.objects.filter(pairing__members__user=request.user)
            .exclude(pairing__state=S.CANCELLED)
            .order_by("title")
        ),
    }
    return render(request, "wagtail_mentorat/circles/list.html", context, status=status)


def _circle_for(pk, user):
    """The circle of pairing ``pk`` with, for a member, what the page shows; a non-member
    gets the public part of an active circle only, and 404 otherwise."""
    circle = (
        Circle.objects.filter(pairing_id=pk)
        .select_related("pairing__programme")
        .prefetch_related(
            Prefetch(
                "pairing__members",
                queryset=PairingMember.objects.select_related("user").order_by("role", "pk"),
            )
        )
        .first()
    )
    if circle is None:
        return None, None
    role = next((m.role for m in circle.pairing.members.all() if m.user_id == user.pk), None)
    if (
        role is None
        and circle.pairing.state != S.ACTIVE
        and not rules.is_coordinator(user, circle.pairing.programme_id)
    ):
        return None, None
    return circle, role


ACTIONS = (
    "join",
    "accept_charter",
    "leave",
    "accept_join",
    "refuse_join",
    "meeting",
    "toggle",
    "charter",
)


@login_required
def circle_page(request, pk):
    circle, role = _circle_for(pk, request.user)
    if circle is None:
        raise Http404
    pairing = circle.pairing
    action = request.POST.get("action") if request.method == "POST" else None
    join_form = JoinForm(request.POST if action == "join" else None)
    meeting_form = MeetingForm(request.POST if action == "meeting" else None)
    # The roll call: who came, for the circle's attendance.
    meeting_form.fields["attendees"] = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Who was there"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (m.user_id, m.user.get_full_name() or m.user.get_username())
            for m in pairing.members.all()
            if m.role in circles.CIRCLE_ROLES
        ],
    )
    charter_form = CharterForm(
        request.POST if action == "charter" else None,
        initial={name: getattr(circle, name) for name in circles.CHARTER_FIELDS},
    )
    if action:
        result = _act(request, action, circle, role, join_form, meeting_form, charter_form)
        if result is not None:
            return result
    is_member = role is not None
    decider = circles.can_decide(circle, request.user)
    context = {
        "circle": circle,
        "pairing": pairing,
        "role": role,
        "is_member": is_member,
        "can_decide": decider,
        "members": list(pairing.members.all()),
        "member_count": sum(1 for m in pairing.members.all() if m.role in circles.CIRCLE_ROLES),
        "join_form": join_form,
        "meeting_form": meeting_form,
        "charter_form": charter_form,
        "posted": action,
        "S": S,
    }
    context["is_full"] = context["member_count"] >= circle.capacity
    context["my_request"] = (
        CircleJoinRequest.objects.filter(
            circle=circle, user=request.user, status=CircleJoinRequest.Status.PENDING
        ).first()
        if not is_member
        else None
    )
    if decider:
        context["pending_requests"] = list(
            circle.join_requests.filter(status=CircleJoinRequest.Status.PENDING).select_related(
                "user"
            )
        )
    if is_member:
        accepted = {
            a.user_id: a
            for a in CharterAcceptance.objects.filter(circle=circle, version=circle.charter_version)
        }
        context["charter_accepted_by"] = accepted
        context["i_accepted"] = request.user.pk in accepted
        context["meetings"] = list(
            Meeting.objects.filter(pairing=pairing)
            .select_related("logged_by")
            .prefetch_related(
                "attendees",
                Prefetch(
                    "private_notes",
                    queryset=MeetingNote.objects.filter(author=request.user),
                    to_attr="my_notes",
                ),
            )
        )
        context["unread"] = messaging.unread_counts(request.user, [pairing.pk]).get(pairing.pk, 0)
    status = 400 if action else 200
    return render(request, "wagtail_mentorat/circles/circle.html", context, status=status)


def _act(request, action, circle, role, join_form, meeting_form, charter_form):
    """Run one posted action; a redirect on success, None to show the page with errors."""
    user = request.user
    pairing = circle.pairing
    here = redirect("wagtail_mentorat:circle", pk=pairing.pk)
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return here
    try:
        if action == "join":
            if not join_form.is_valid():
                return None
            circles.ask_to_join(circle, user, join_form.cleaned_data["note"])
            messages.success(
                request,
                _("Your request was sent. The facilitator or programme staff will answer it."),
            )
        elif action == "accept_charter":
            circles.accept_charter(circle, user)
            messages.success(request, _("You accepted the circle's charter."))
        elif action == "leave":
            circles.leave(circle, user)
            messages.success(request, _("You left the circle. Thank you for your participation."))
            return redirect("wagtail_mentorat:circles")
        elif action in ("accept_join", "refuse_join"):
            form = DecisionForm(request.POST)
            join_request = (
                circle.join_requests.filter(pk=form.cleaned_data["join_request"]).first()
                if form.is_valid()
                else None
            )
            if join_request is None:
                raise RuleViolation(_("This request does not belong to this circle."))
            if action == "accept_join":
                circles.accept_join(join_request, user)
                messages.success(request, _("The person is now a member of the circle."))
            else:
                circles.refuse_join(join_request, user)
                messages.success(request, _("The request was declined."))
        elif action == "charter":
            if not charter_form.is_valid():
                return None
            circles.update_charter(circle, user, **charter_form.cleaned_data)
            messages.success(
                request, _("Charter saved. If it changed, every member accepts it again.")
            )
        elif action == "toggle":
            circles.set_open_for_joining(circle, user, not circle.is_open)
            messages.success(request, _("Saved."))
        elif action == "meeting":
            if role is None:
                raise Http404
            if not meeting_form.is_valid():
                return None
            data = meeting_form.cleaned_data
            lifecycle.log_meeting(
                pairing,
                user,
                data["held_at"],
                data["duration_minutes"],
                data["mode"],
                data["summary"],
                data["private_note"],
                data["rating"],
                attendees=data.get("attendees") or [],
            )
            messages.success(request, _("Meeting logged."))
    except RuleViolation as error:
        form = {"join": join_form, "meeting": meeting_form, "charter": charter_form}.get(action)
        if form is not None:
            form.add_error(None, error)
            return None
        for message in error.messages:
            messages.error(request, message)
    return here
