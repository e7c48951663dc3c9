"""A mentee's suggested mentors, with the reasons, and up to three preferences."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ..auth import login_required
from ..exceptions import RuleViolation
from ..forms import PreferencesForm
from ..matching import preferences
from ..models import MentoringRequest, MentorPreference
from ..privacy import consent
from ..templating import render


@login_required
def request_mentors(request, pk):
    """Only the mentee sees their suggestions (404 for anyone else, whatever the id)."""
    mentoring_request = (
        MentoringRequest.objects.filter(pk=pk, mentee=request.user)
        .select_related("programme", "mentee")
        .first()
    )
    if mentoring_request is None:
        raise Http404
    waiting = mentoring_request.status == MentoringRequest.Status.OPEN
    if waiting and consent.is_awaiting(request.user):
        # No matching before the person's own consent: they confirm first.
        messages.info(request, _("Confirm your registration first, in your mentoring space."))
        return redirect("wagtail_mentorat:space")
    suggestions = preferences.choices(mentoring_request) if waiting else []
    chosen = list(
        MentorPreference.objects.filter(request=mentoring_request).values_list(
            "mentor_id", flat=True
        )
    )
    initial = {f"choice_{rank}": str(m) for rank, m in enumerate(chosen, start=1)}
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        suggestions=suggestions,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if waiting and form.is_valid():
            try:
                preferences.set_preferences(
                    mentoring_request, request.user, form.cleaned_data["mentors"]
                )
                messages.success(
                    request,
                    _("Your preferences are saved. The person who pairs sees them and decides."),
                )
                return redirect("wagtail_mentorat:request_mentors", pk=mentoring_request.pk)
            except RuleViolation as error:
                form.add_error(None, error)
        elif not waiting:
            form.add_error(None, _("This request is no longer waiting for a mentor."))
        status = 400
    return render(
        request,
        "wagtail_mentorat/space/request_mentors.html",
        {
            "mentoring_request": mentoring_request,
            "waiting": waiting,
            "suggestions": suggestions,
            "preferred": set(chosen),
            "form": form,
        },
        status=status,
    )
