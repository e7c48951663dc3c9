"""Programme staff's check-ins (MENTOR standard 5): the pairings of the programmes a
coordinator runs with their next check-in due, overdue first, and a screen per pairing to
record one with the standard questions and see the schedule.

The rules are :func:`lifecycle.record_checkin` and :func:`lifecycle.next_checkin_due`; the
screens only show them. A pairing outside the coordinator's programmes is a 404, as one
that does not exist. Imported at the end of :mod:`wagtail_mentorat.wagtail_hooks`.
"""

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import formatting, ids, lifecycle, rules
from ..exceptions import RuleViolation
from ..models import CheckIn, MemberRole, MentoringKind, Pairing, PairingState, Programme
from .menu import MENU_HOOK

FOLLOWED = (PairingState.APPROVED, *lifecycle.FOLLOW_UP_STATES)


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = [
            "with_role",
            "held_on",
            "relationship_quality",
            "activities",
            "safety_concern",
            "notes",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "relationship_quality": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
        }
        help_texts = {
            "relationship_quality": gettext_lazy("From 1 (difficult) to 5 (excellent)."),
            "notes": gettext_lazy("Seen by programme staff only."),
        }


def followed(pairings):
    """Of ``pairings``, those programme staff follow with check-ins (approved or in follow-up;
    not circles), with what :func:`lifecycle.next_checkin_due` reads loaded."""
    return (
        pairings.filter(state__in=FOLLOWED)
        .exclude(kind=MentoringKind.CIRCLE)
        .select_related("programme")
        .annotate(checkin_count=Count("checkins"))
    )


def is_overdue(pairing, today):
    due = lifecycle.next_checkin_due(pairing, today)
    return bool(due and due < today)


def followed_pairings(user):
    """The pairings ``user`` follows as programme staff, with their members and the number
    of check-ins recorded: three queries whatever their number."""
    return (
        followed(rules.coordinated(Pairing.objects.all(), user))
        .prefetch_related("members__user")
        .order_by("assigned_at", "pk")
    )


def _row(pairing, today):
    due = lifecycle.next_checkin_due(pairing, today)
    members = sorted(pairing.members.all(), key=lambda m: m.role != MemberRole.MENTEE)
    return {
        "pairing": pairing,
        "members": [(formatting.person_name(m.user), m.get_role_display()) for m in members],
        "due": due,
        "overdue": bool(due and due < today),
        "url": reverse("mentorat_checkin", args=[pairing.pk]),
    }


def checkin_rows(user, today=None):
    """Each followed pairing with its next check-in due; overdue first, then by date."""
    today = today or timezone.localdate()
    rows = [_row(pairing, today) for pairing in followed_pairings(user)]
    return sorted(rows, key=lambda r: (not r["overdue"], r["due"] is None, r["due"] or today))


def overdue_count(user, today=None):
    """How many of the pairings ``user`` follows have a check-in overdue (the admin home's
    panel): the same rule as :func:`checkin_rows`, from plain rows (two queries), without
    the members, names and links the screen shows — no model instance per pairing."""
    today = today or timezone.localdate()
    pairings = followed(rules.coordinated(Pairing.objects.all(), user)).order_by()
    programmes = {}
    count = 0
    for row in pairings.values(
        "assigned_at", "state", "planned_end", "programme_id", "checkin_count"
    ):
        pid = row.pop("programme_id")
        if pid not in programmes:
            programmes[pid] = Programme.objects.get(pk=pid)
        pairing = SimpleNamespace(programme=programmes[pid], **row)
        count += is_overdue(pairing, today)
    return count


def _context(title, **context):
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "calendar-check",
        **context,
    }


def checkin_list(request):
    if not rules.is_coordinator(request.user):
        raise Http404
    rows = checkin_rows(request.user)
    title = _("Check-ins")
    return TemplateResponse(
        request,
        "wagtail_mentorat/admin/checkins/index.html",
        _context(
            title,
            rows=rows,
            overdue=sum(row["overdue"] for row in rows),
            breadcrumbs_items=[
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": title},
            ],
        ),
    )


def checkin_record(request, pk):
    if not rules.is_coordinator(request.user):
        raise Http404
    pairing = ids.get_or_404(followed_pairings(request.user), pk)
    form = CheckInForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.record_checkin(pairing, request.user, **form.cleaned_data)
        except RuleViolation as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The check-in is recorded."))
            return redirect("mentorat_checkins")
    today = timezone.localdate()
    row = _row(pairing, today)
    end = pairing.planned_end or today
    assigned = timezone.localdate(pairing.assigned_at) if pairing.assigned_at else today
    title = _("Check-in for pairing #%(number)s") % {"number": pairing.pk}
    return TemplateResponse(
        request,
        "wagtail_mentorat/admin/checkins/record.html",
        _context(
            title,
            form=form,
            row=row,
            schedule=lifecycle.checkin_schedule(pairing.programme, assigned, end),
            done=pairing.checkins.select_related("coordinator"),
            breadcrumbs_items=[
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("mentorat_checkins"), "label": _("Check-ins")},
                {"url": "", "label": title},
            ],
        ),
    )


@hooks.register("register_admin_urls")
def register_checkin_urls():
    return [
        path("mentorat/suivis/", checkin_list, name="mentorat_checkins"),
        path("mentorat/suivis/<mentorat_id:pk>/", checkin_record, name="mentorat_checkin"),
    ]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.is_coordinator(request.user)


@hooks.register(MENU_HOOK)
def register_checkin_menu_item():
    return CoordinatorMenuItem(
        gettext_lazy("Check-ins"),
        reverse("mentorat_checkins"),
        name="mentorat-checkins",
        icon_name="calendar-check",
        order=6,
    )
