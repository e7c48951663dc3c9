"""The mentor pool per programme (issue 17; MENTOR's standard 2: mentors are screened):
a coordinator sees who applied to mentor in each programme they run, with the person's
experience and discipline against the programme's rules, and approves, asks for training
first, pauses or retires a mentor.

The rules are :func:`lifecycle.decide_offer` and :func:`lifecycle.offer_refusals`; the
screen offers a decision only when the rules allow it and says why otherwise. An offer
outside the coordinator's programmes is a 404, as one that does not exist. Imported at the
end of :mod:`wagtail_mentorat.wagtail_hooks`.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import formatting, ids, lifecycle, rules
from ..exceptions import RuleViolation
from ..models import MentorOffer, ParticipantProfile
from .menu import MENU_HOOK

POOL = MentorOffer.Status
# Waiting decisions first, then the pool, then those out of it.
STATUS_ORDER = [POOL.APPLIED, POOL.TRAINING, POOL.APPROVED, POOL.PAUSED, POOL.RETIRED]
# The coordinator's decisions, as the buttons read.
DECISIONS = [
    (POOL.APPROVED, gettext_lazy("Approve")),
    (POOL.TRAINING, gettext_lazy("Ask for training first")),
    (POOL.PAUSED, gettext_lazy("Pause")),
    (POOL.RETIRED, gettext_lazy("Retire")),
]

LOG_ACTIONS = {
    "offer_applied": (
        gettext_lazy("Apply to mentor"),
        gettext_lazy("Applied to mentor in the programme"),
    ),
    "offer_decided": (
        gettext_lazy("Decide on a mentor"),
        gettext_lazy("Mentor pool decision recorded"),
    ),
    "offer_unavailable": (
        gettext_lazy("Say when one takes mentees"),
        gettext_lazy("Mentor's availability for new mentees changed"),
    ),
}


@hooks.register("register_log_actions")
def register_pool_log_actions(actions):
    for name, (label, message) in LOG_ACTIONS.items():
        actions.register_action(f"wagtail_mentorat.{name}", label, message)


class ProgrammeField(forms.ModelChoiceField):
    """A programme chosen by id: ``abc`` or 30 digits is an invalid choice, not a 500."""

    def to_python(self, value):
        if value not in self.empty_values and ids.parse_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ProgrammeChoiceForm(forms.Form):
    programme = ProgrammeField(
        label=gettext_lazy("Programme"),
        queryset=None,
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of the programmes you coordinate.")
        },
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


def pool_offers(user, programme):
    """The offers of ``programme`` (one ``user`` coordinates), with the people and their
    profiles: one query."""
    return rules.coordinated(MentorOffer.objects.filter(programme=programme), user).select_related(
        "programme", "mentor", "mentor__mentorat_profile", "decided_by"
    )


def _profile(user):
    try:
        return user.mentorat_profile
    except ParticipantProfile.DoesNotExist:
        return None


def pool_rows(user, programme, today=None):
    """Each offer of the programme with what the coordinator decides on: a fixed number of
    queries whatever the number of offers."""
    today = today or timezone.localdate()
    offers = list(pool_offers(user, programme))
    refusals = lifecycle.offer_refusals(offers, user)
    taken = rules.places_taken([offer.mentor_id for offer in offers])
    rows = []
    for offer in offers:
        profile = _profile(offer.mentor)
        capacity = rules.mentor_capacity(programme, profile) if profile else None
        refused = refusals[offer.pk]
        rows.append(
            {
                "offer": offer,
                "name": formatting.person_name(offer.mentor),
                "profile": profile,
                "capacity": capacity,
                "taken": taken.get(offer.mentor_id, 0),
                "unavailable": bool(offer.unavailable_until and offer.unavailable_until >= today),
                "decided_by": formatting.person_name(offer.decided_by),
                "decisions": [
                    {"status": status, "label": label}
                    for status, label in DECISIONS
                    if not refused[status]
                ],
                # The approval's refusal says what the programme's rules miss (years,
                # discipline); the others only why a button is absent.
                "approval_refused": refused[POOL.APPROVED]
                if offer.status != POOL.APPROVED
                else None,
                "url": reverse("mentorat_pool_decide", args=[offer.pk]),
            }
        )
    rows.sort(key=lambda r: (STATUS_ORDER.index(r["offer"].status), r["name"].lower()))
    return rows


def _title():
    return _("Mentor pool")


def pool_list(request):
    if not rules.is_coordinator(request.user):
        raise Http404
    programmes = rules.coordinated_programmes(request.user).order_by("name")
    data = request.GET if "programme" in request.GET else None
    first = programmes.first()
    form = ProgrammeChoiceForm(
        data, programmes=programmes, initial={"programme": first.pk if first else None}
    )
    programme = None
    if form.is_bound:
        if form.is_valid():
            programme = form.cleaned_data["programme"]
    else:
        programme = first
    rows = pool_rows(request.user, programme) if programme else []
    title = _title()
    return TemplateResponse(
        request,
        "wagtail_mentorat/admin/pool/index.html",
        {
            "page_title": title,
            "header_title": title,
            "header_icon": "group",
            "form": form,
            "programme": programme,
            "rows": rows,
            "waiting": sum(row["offer"].status == POOL.APPLIED for row in rows),
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": title},
            ],
        },
    )


DECISION_DONE = {
    POOL.APPROVED: gettext_lazy("%(name)s is now an approved mentor of “%(programme)s”."),
    POOL.TRAINING: gettext_lazy("%(name)s is asked to train before mentoring in “%(programme)s”."),
    POOL.PAUSED: gettext_lazy(
        "%(name)s is paused in “%(programme)s”: no new mentee; pairings in progress go on."
    ),
    POOL.RETIRED: gettext_lazy(
        "%(name)s is retired from “%(programme)s”: no new mentee; pairings in progress go on."
    ),
}


@require_POST
def pool_decide(request, pk):
    if not rules.is_coordinator(request.user):
        raise Http404
    offer = ids.get_or_404(
        rules.coordinated(MentorOffer.objects.select_related("programme", "mentor"), request.user),
        pk,
    )
    status = request.POST.get("decision", "")
    try:
        lifecycle.decide_offer(offer, request.user, status)
    except RuleViolation as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            DECISION_DONE[status]
            % {"name": formatting.person_name(offer.mentor), "programme": offer.programme.name},
        )
    url = reverse("mentorat_pool") + "?" + urlencode({"programme": offer.programme_id})
    return redirect(url)


@hooks.register("register_admin_urls")
def register_pool_urls():
    return [
        path("mentorat/mentors/", pool_list, name="mentorat_pool"),
        path(
            "mentorat/mentors/<mentorat_id:pk>/decision/",
            pool_decide,
            name="mentorat_pool_decide",
        ),
    ]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.is_coordinator(request.user)


@hooks.register(MENU_HOOK)
def register_pool_menu_item():
    return CoordinatorMenuItem(
        gettext_lazy("Mentor pool"),
        reverse("mentorat_pool"),
        name="mentorat-pool",
        icon_name="group",
        order=5,
    )
