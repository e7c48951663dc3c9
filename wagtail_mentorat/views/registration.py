from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from .. import lifecycle
from .. import registration as enrolment
from ..auth import login_required
from ..exceptions import RuleViolation
from ..forms import RegistrationForm, RoleForm
from ..models import ParticipantProfile
from ..templating import render


def _staff_of(user):
    """The people who report directly to ``user``."""
    return (
        get_user_model()
        .objects.filter(mentorat_profile__superior=user)
        .order_by("last_name", "first_name")
    )


def _admin_add_programme_url(user):
    """Where this person creates a programme in the admin, if they may."""
    if not user.has_perm("wagtail_mentorat.add_programme"):
        return ""
    try:
        return reverse("wagtailsnippets_wagtail_mentorat_programme:add")
    except NoReverseMatch:
        return ""


def _no_programme(request, page, context, reasons=()):
    """The empty state: no programme to register in, what to do next."""
    context = {
        **context,
        "no_programme": True,
        "closed_reasons": reasons,
        "add_programme_url": _admin_add_programme_url(request.user),
    }
    return render(request, page.get_template(request), context)


def _initial(profile, role):
    """The person's own profile, to update it (never a manager's, for their staff)."""
    if profile is None or role == RegistrationForm.ROLE_FOR_STAFF:
        return {}
    return {
        "goals": profile.goals,
        "availability": profile.availability,
        "years_experience": profile.years_experience,
        "discipline": profile.discipline,
        "site": profile.site,
        "unit": profile.unit,
        "mentor_capacity": profile.mentor_capacity,
        "expertise": list(profile.expertise.values_list("pk", flat=True)),
    }


@login_required
def registration(request, page):
    """Register as mentee or mentor, or register a member of one's staff (seed 001), in
    two short steps that need no script: who registers (``?role=``), then only what that
    role needs. The view only chooses the form; the rules are
    :mod:`wagtail_mentorat.registration`'s and the lifecycle's.

    A second registration updates the profile instead of duplicating it; consent is
    recorded with the notice's version and the time. A manager registering a member of
    their staff consents for nobody: the person confirms themself.
    """
    profile = ParticipantProfile.objects.filter(user=request.user).first()
    staff = list(_staff_of(request.user))
    context = {"page": page, "self": page, "profile": profile, "staff": staff}
    if not (
        enrolment.open_programmes(requests=False).exists() or enrolment.open_programmes().exists()
    ):
        # None at all, or none any role can register in any more: say which and why.
        return _no_programme(request, page, context, reasons=enrolment.closed_reasons())

    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("role")
    manager = bool(staff)
    if chosen is None:
        # A person who registered before finds the role they registered with chosen.
        initial = {}
        if profile is not None and profile.consent_at is not None:
            mentor, mentee = RegistrationForm.ROLE_MENTOR, RegistrationForm.ROLE_MENTEE
            initial["role"] = mentor if profile.is_mentor else mentee
        role_form = RoleForm(manager=manager, initial=initial)
    else:
        role_form = RoleForm({"role": chosen}, manager=manager)
    if not role_form.is_bound or not role_form.is_valid():
        # The first step (or a role that is not one, or not this person's: said, not a 500).
        return render(request, page.get_template(request), {**context, "role_form": role_form})

    role = role_form.cleaned_data["role"]
    programmes = enrolment.open_programmes(requests=role != RegistrationForm.ROLE_MENTOR)
    if not programmes.exists():
        # Open programmes, none taking requests today: say when (no form to fill in vain),
        # and offer to change the answer (a mentor may register before requests open).
        context["role"] = role
        return _no_programme(request, page, context, reasons=enrolment.closed_reasons())
    form_class = RegistrationForm.for_role(role)
    kwargs = {"programmes": programmes}
    if role == RegistrationForm.ROLE_FOR_STAFF:
        kwargs["staff"] = staff
    elif role == RegistrationForm.ROLE_MENTEE and enrolment.asks_for_manager(profile, programmes):
        kwargs["manager_for"] = request.user  # else nobody could pair the request
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=_initial(profile, role), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            _register(request.user, page, form.cleaned_data)
        except RuleViolation as error:
            form.add_error(None, error)
        else:
            messages.success(request, page.thank_you or "OK")
            return redirect("wagtail_mentorat:space")
    context.update(form=form, role=role)
    return render(request, page.get_template(request), context)


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
    if data.get("manager") is not None and profile.superior_id is None:
        profile.superior = data["manager"]  # where managers pair, someone now can
    if role == RegistrationForm.ROLE_MENTOR:
        profile.is_mentor = True
        # The field shows the current capacity: 0 is "no new mentee for now", empty the
        # programme's default (None), so the value is taken as given, 0 included.
        profile.mentor_capacity = data.get("mentor_capacity")
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
