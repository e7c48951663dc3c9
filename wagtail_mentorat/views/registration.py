from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect

from .. import lifecycle
from .. import registration as enrolment
from ..auth import login_required
from ..exceptions import RuleViolation
from ..forms import RegistrationForm
from ..models import ParticipantProfile
from ..templating import render


def _staff_of(user):
    """The people who report directly to ``user``."""
    return (
        get_user_model()
        .objects.filter(mentorat_profile__superior=user)
        .order_by("last_name", "first_name")
    )


@login_required
def registration(request, page):
    """Register as mentee or mentor, or register a member of one's staff (seed 001).

    A second registration updates the profile instead of duplicating it; consent is
    recorded with the notice's version and the time. A manager registering a member of
    their staff consents for nobody: the person confirms themself
    (:mod:`wagtail_mentorat.registration`).
    """
    profile = ParticipantProfile.objects.filter(user=request.user).first()
    staff = list(_staff_of(request.user))
    initial = {}
    if profile:
        initial = {
            "goals": profile.goals,
            "availability": profile.availability,
            "years_experience": profile.years_experience,
            "discipline": profile.discipline,
            "site": profile.site,
            "unit": profile.unit,
            "mentor_capacity": profile.mentor_capacity,
            "expertise": list(profile.expertise.values_list("pk", flat=True)),
        }
    form = RegistrationForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _register(request.user, page, form.cleaned_data)
        except RuleViolation as error:
            form.add_error(None, error)
        else:
            messages.success(request, page.thank_you or "OK")
            return redirect("wagtail_mentorat:space")
    return render(
        request,
        page.get_template(request),
        {"page": page, "self": page, "form": form, "staff": staff, "profile": profile},
    )


@transaction.atomic
def _register(user, page, data):
    role = data["role"]
    if role == RegistrationForm.ROLE_FOR_STAFF:
        # The staff member's consent is their own: none is recorded for them here;
        # they confirm, or decline, at their next visit to their space.
        return enrolment.register_staff(
            user,
            data.get("staff_user"),
            data["programme"],
            data["need"],
            urgency=data["urgency"],
            kind=data["kind"],
            expertise=data.get("expertise") or (),
        )
    profile, _created = ParticipantProfile.objects.get_or_create(user=user)
    for name in ("goals", "availability", "discipline", "site", "unit"):
        if data.get(name):
            setattr(profile, name, data[name].strip())
    if data.get("years_experience") is not None:
        profile.years_experience = data["years_experience"]
    if role == RegistrationForm.ROLE_MENTOR:
        profile.is_mentor = True
        profile.mentor_capacity = data.get("mentor_capacity") or profile.mentor_capacity
    profile.save()
    enrolment.record_consent(profile, page.privacy_notice_version)
    if data.get("expertise"):
        profile.expertise.set(data["expertise"])
    if role == RegistrationForm.ROLE_MENTOR:
        lifecycle.offer_to_mentor(data["programme"], user, note=data.get("goals", ""))
    else:
        lifecycle.open_request(
            data["programme"],
            user,
            user,
            data["need"],
            urgency=data["urgency"],
            kind=data["kind"],
            expertise=data.get("expertise") or (),
        )
