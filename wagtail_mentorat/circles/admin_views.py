"""Programme staff's screens for peer support circles: the list, opening a circle and
closing one. Imported at the end of :mod:`wagtail_mentorat.wagtail_hooks`.

The screens call :mod:`wagtail_mentorat.circles` and the lifecycle's closure; they check
nothing themselves. A circle's history is its pairing's (Pairings → History); its charter,
members' messages and meetings are for its members alone and are not shown here.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from .. import circles, ids, lifecycle, rules
from ..admin.menu import MENU_HOOK, ORDER
from ..admin.people import PersonChoiceField
from ..exceptions import RuleViolation
from ..imports.views import CoordinatorMenuItem
from ..models import (
    CareerStage,
    Circle,
    ClosureKind,
    ClosureReason,
    PairingState,
    Programme,
)
from ..models.circles import DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenCircleForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    theme = forms.CharField(label=gettext_lazy("Theme"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Public description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    career_stage = forms.ChoiceField(
        label=gettext_lazy("Career stage"),
        required=False,
        choices=[("", "—"), *CareerStage.choices],
    )
    site = forms.CharField(label=gettext_lazy("Site"), required=False, max_length=120)
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"),
        min_value=MIN_CAPACITY,
        max_value=MAX_CAPACITY,
        initial=DEFAULT_CAPACITY,
    )
    facilitator = PersonChoiceField(
        label=gettext_lazy("Facilitator (optional)"),
        required=False,
        queryset=get_user_model().objects.filter(is_active=True).order_by("last_name"),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Charter: purpose"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    frequency = forms.CharField(label=gettext_lazy("Charter: how often we meet"), max_length=200)
    confidentiality = forms.CharField(
        label=gettext_lazy("Charter: confidentiality among members"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    start_date = forms.DateField(label=gettext_lazy("Start"), required=False, widget=DATE)
    end_date = forms.DateField(label=gettext_lazy("End"), required=False, widget=DATE)
    review_date = forms.DateField(label=gettext_lazy("Review"), required=False, widget=DATE)


class CloseCircleForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of ending"), choices=ClosureKind.choices)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=ClosureReason.choices)
    exit_questions_done = forms.BooleanField(
        label=gettext_lazy("Final review or exit questions done with the members"),
        required=False,
    )


def _require_coordinator(request):
    if not rules.is_coordinator(request.user):
        raise PermissionDenied


def _page(request, template, title, **context):
    return TemplateResponse(
        request,
        template,
        {
            "page_title": title,
            "header_title": title,
            "header_icon": "group",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("mentorat_circles_admin"), "label": _("Peer support circles")},
                {"url": "", "label": title},
            ],
            **context,
        },
    )


def circle_list(request):
    _require_coordinator(request)
    items = (
        rules.coordinated(
            Circle.objects.select_related("pairing__programme"), request.user, "pairing__programme"
        )
        .annotate(
            member_count=Count(
                "pairing__members", filter=Q(pairing__members__role__in=circles.CIRCLE_ROLES)
            ),
            pending=Count("join_requests", filter=Q(join_requests__status="pending")),
        )
        .order_by("pairing__state", "title")
    )
    return _page(
        request,
        "wagtail_mentorat/admin/circles.html",
        _("Peer support circles"),
        circles=items,
        S=PairingState,
    )


def open_circle(request):
    _require_coordinator(request)
    form = OpenCircleForm(request.POST or None)
    form.fields["programme"].queryset = rules.coordinated(
        Programme.objects.filter(is_active=True), request.user, "pk"
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        programme = data.pop("programme")
        try:
            circle = circles.open_circle(programme, request.user, **data)
        except RuleViolation as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Circle “%(title)s” opened.") % {"title": circle.title})
            return redirect("mentorat_circles_admin")
    return _page(request, "wagtail_mentorat/admin/circle_form.html", _("Open a circle"), form=form)


def close_circle(request, pk):
    _require_coordinator(request)
    circles_in_scope = rules.coordinated(Circle.objects.all(), request.user, "pairing__programme")
    circle = circles_in_scope.select_related("pairing").filter(pk=pk).first()
    if circle is None:
        raise Http404
    form = CloseCircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # both steps, or neither
                pairing = circle.pairing
                if pairing.state != PairingState.CLOSING:
                    pairing = lifecycle.request_closure(
                        pairing,
                        request.user,
                        kind=data["kind"],
                        reason=data["reason"],
                        exit_questions_done=data["exit_questions_done"],
                    )
                lifecycle.close_pairing(pairing, request.user)
        except RuleViolation as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Circle “%(title)s” closed.") % {"title": circle.title})
            return redirect("mentorat_circles_admin")
    return _page(
        request,
        "wagtail_mentorat/admin/circle_form.html",
        _("Close the circle “%(title)s”") % {"title": circle.title},
        form=form,
    )


@hooks.register("register_admin_urls")
def register_circle_admin_urls():
    return [
        path("mentorat/cercles/", circle_list, name="mentorat_circles_admin"),
        path("mentorat/cercles/ouvrir/", open_circle, name="mentorat_circle_open"),
        path(
            "mentorat/cercles/<mentorat_id:pk>/fermer/",
            ids.record_view(close_circle),
            name="mentorat_circle_close",
        ),
    ]


@hooks.register(MENU_HOOK)
def register_circle_menu_item():
    return CoordinatorMenuItem(
        gettext_lazy("Peer support circles"),
        reverse("mentorat_circles_admin"),
        name="mentorat-circles",
        icon_name="group",
        order=ORDER["circles"],
    )
