"""“Mentoring in the programmes”: a mentor's offers to mentor in their space. They apply to
mentor in another programme and say "no new mentee until DATE" (or take mentees again);
the rules are :func:`lifecycle.offer_to_mentor` and :func:`lifecycle.set_unavailable`,
whose refusals the forms show. The coordinators decide in the admin's "Mentor pool"."""

import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import lifecycle, registration, rules
from ..auth import login_required
from ..exceptions import RuleViolation
from ..forms import TEXT, ProgrammeChoiceField
from ..models import MentorOffer, ParticipantProfile
from ..templating import render

POOL = MentorOffer.Status


class ApplyForm(forms.Form):
    programme = ProgrammeChoiceField(
        label=gettext_lazy("Programme"), queryset=None, empty_label=None
    )
    note = forms.CharField(
        label=gettext_lazy("What I can offer in this programme"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class UnavailableForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("No new mentee until (that day included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Leave empty to take mentees again. Your pairings in progress go on either way."
        ),
    )

    def clean_until(self):
        value = self.cleaned_data["until"]
        # The rule's own check says the same; a year 9999 is refused here first.
        if value and value > timezone.localdate() + datetime.timedelta(
            days=lifecycle.UNAVAILABLE_MAX_DAYS
        ):
            raise forms.ValidationError(
                _("Choose a date within two years: you can push it back later."), code="date"
            )
        return value


def _offers(user):
    return list(
        MentorOffer.objects.filter(mentor=user)
        .exclude(status=POOL.RETIRED)
        .select_related("programme")
        .order_by("programme__name")
    )


def can_apply_here(user):
    """A person who registered as a mentor (with the privacy notice) applies to other
    programmes here; anyone else registers first."""
    return ParticipantProfile.objects.filter(
        user=user, is_mentor=True, consent_at__isnull=False
    ).exists()


def _open_for(user):
    """Open programmes the person has not applied to yet (or retired from)."""
    return registration.open_programmes(requests=False).exclude(
        offers__in=MentorOffer.objects.filter(mentor=user).exclude(status=POOL.RETIRED)
    )


def status_sentence(offer, today=None):
    """What an offer's status means for the mentor, in one sentence."""
    today = today or timezone.localdate()
    if offer.status == POOL.APPROVED:
        if offer.unavailable_until and offer.unavailable_until >= today:
            return _("Approved; you take no new mentee until %(date)s.") % {
                "date": date_format(offer.unavailable_until)
            }
        return _("Approved: you can be suggested to mentees.")
    return {
        POOL.APPLIED: _("Applied: a coordinator of the programme will decide."),
        POOL.TRAINING: _("The coordinator asks you to train first; they approve you afterwards."),
        POOL.PAUSED: _("Paused by the programme's coordinator: no new mentee for now."),
    }.get(offer.status, offer.get_status_display())


def _page(request, apply_form, unavailable_form):
    offers = _offers(request.user)
    today = timezone.localdate()
    context = {
        "offers": [
            {
                "offer": offer,
                "sentence": status_sentence(offer, today),
                "training": rules.missing_training(offer.programme, request.user, "mentor"),
            }
            for offer in offers
        ],
        "apply_form": apply_form,
        "unavailable_form": unavailable_form,
        "registration_page": registration.notice_page(),
    }
    return render(request, "wagtail_mentorat/space/offers.html", context)


@login_required
def my_offers(request):
    user = request.user
    offers = _offers(user)
    current = next((o.unavailable_until for o in offers if o.unavailable_until), None)
    may_apply = can_apply_here(user)
    programmes = _open_for(user)
    data = request.POST if request.method == "POST" else None
    action = data.get("action") if data else None
    apply_form = (
        ApplyForm(data if action == "apply" else None, programmes=programmes)
        if may_apply and programmes.exists()
        else None
    )
    unavailable_form = (
        UnavailableForm(
            data if action == "unavailable" else None,
            initial={"until": current if current and current >= timezone.localdate() else None},
        )
        if offers
        else None
    )
    if action == "apply" and apply_form is not None and apply_form.is_valid():
        try:
            offer = lifecycle.offer_to_mentor(
                apply_form.cleaned_data["programme"], user, apply_form.cleaned_data["note"]
            )
        except RuleViolation as refused:
            apply_form.add_error(None, refused)
        else:
            messages.success(
                request,
                _(
                    "Thank you: your offer to mentor in “%(programme)s” waits for a "
                    "coordinator's decision."
                )
                % {"programme": offer.programme.name}
                if offer.status == POOL.APPLIED
                else _("Your offer to mentor in “%(programme)s” is updated.")
                % {"programme": offer.programme.name},
            )
            return redirect("wagtail_mentorat:my_offers")
    elif action == "unavailable" and unavailable_form is not None and unavailable_form.is_valid():
        until = unavailable_form.cleaned_data["until"]
        try:
            lifecycle.set_unavailable(user.mentorat_profile, user, until)
        except RuleViolation as refused:
            unavailable_form.add_error("until", refused)
        else:
            messages.success(
                request,
                _("You take no new mentee until %(date)s.") % {"date": date_format(until)}
                if until
                else _("You take new mentees again."),
            )
            return redirect("wagtail_mentorat:my_offers")
    elif action is not None and not (
        (action == "apply" and apply_form is not None)
        or (action == "unavailable" and unavailable_form is not None)
    ):
        messages.error(request, _("Unknown action."))
        return redirect("wagtail_mentorat:my_offers")
    return _page(request, apply_form, unavailable_form)
