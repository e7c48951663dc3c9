"""Matching weights as people set them: one number per part of the fit, never raw JSON.

:class:`~.widgets.WeightsWidget` edits ``Programme.matching_weights`` in the programme
form; the preview screen (:class:`WeightsPreviewView`) shows, for a waiting request of the
programme, the top suggestions with the saved weights beside those with the weights being
tried, and saves them for the programme's coordinators.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from .. import ids, rules
from . import adapter, scoring
from .widgets import LABELS, MAX_WEIGHT


class WeightsForm(forms.Form):
    """The weights being tried on the preview screen, and the request they are tried on."""

    request = forms.TypedChoiceField(label=gettext_lazy("Request"), coerce=int, required=False)

    def __init__(self, *args, requests=(), initial_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        weights = initial_weights or scoring.DEFAULT_WEIGHTS
        for key, default in scoring.DEFAULT_WEIGHTS.items():
            self.fields[key] = forms.IntegerField(
                label=LABELS[key],
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=weights.get(key, default),
                widget=forms.NumberInput(attrs={"step": 1}),
            )
        self.fields["request"].choices = [
            (r.pk, f"{r.mentee.get_full_name() or r.mentee.get_username()} — {r.need[:60]}")
            for r in requests
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(key) for key in scoring.DEFAULT_WEIGHTS):
            raise forms.ValidationError(_("At least one part of the fit must count."))
        return cleaned

    def weights(self):
        return {key: self.cleaned_data[key] for key in scoring.DEFAULT_WEIGHTS}


def _ranking(request, weights, limit=5):
    mentee = adapter.load_mentees([request])[0]
    mentors = adapter.mentor_pool(request.programme)
    best, _excluded = scoring.suggest(
        mentee, mentors, adapter.rules_for(request.programme), weights, limit
    )
    return best


def compare(request, saved, tried, limit=5):
    """Rows of the preview: each mentor in either top list, with both ranks and scores."""
    before = {fit.mentor.id: (rank, fit) for rank, fit in enumerate(_ranking(request, saved), 1)}
    after = {fit.mentor.id: (rank, fit) for rank, fit in enumerate(_ranking(request, tried), 1)}
    rows = []
    for mentor_id in dict.fromkeys([*after, *before]):
        old, new = before.get(mentor_id), after.get(mentor_id)
        fit = (new or old)[1]
        rows.append(
            {
                "name": fit.mentor.name,
                "old_rank": old[0] if old else None,
                "old_score": old[1].score if old else None,
                "new_rank": new[0] if new else None,
                "new_score": new[1].score if new else None,
                "moved": (old[0] - new[0]) if old and new else None,
                "places": abs(old[0] - new[0]) if old and new else 0,
            }
        )
    return sorted(rows, key=lambda row: (row["new_rank"] or limit + 1, row["old_rank"] or 0))


class WeightsPreviewView(WagtailAdminTemplateMixin, TemplateView):
    """Try weights on a waiting request; save them for the programme (its coordinators)."""

    template_name = "wagtail_mentorat/admin/weights_preview.html"
    page_title = gettext_lazy("Matching weights")
    header_icon = "sliders"

    def dispatch(self, request, pk):
        if not rules.is_coordinator(request.user):
            raise Http404
        self.programme = ids.get_or_404(rules.coordinated_programmes(request.user), pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.programme.name

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("mentorat_workbench"), "label": _("Matching workbench")},
            {"url": "", "label": _("Matching weights")},
        ]

    def saved_weights(self):
        return adapter.weights_for(self.programme)

    def post(self, request, pk):
        requests = list(adapter.waiting_requests(self.programme)[:50])
        form = WeightsForm(request.POST, requests=requests, initial_weights=self.saved_weights())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.programme.matching_weights = form.weights()
        self.programme.save(update_fields=["matching_weights"])
        log(self.programme, "wagtail.edit", user=request.user)
        messages.success(
            request,
            _("The matching weights of “%(programme)s” are saved.")
            % {"programme": self.programme.name},
        )
        return redirect(request.path)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        requests = list(adapter.waiting_requests(self.programme)[:50])
        saved = self.saved_weights()
        if form is None:
            data = self.request.GET if "expertise" in self.request.GET else None
            form = WeightsForm(data, requests=requests, initial_weights=saved)
        chosen = None
        tried = saved
        if form.is_bound and form.is_valid():
            tried = form.weights()
            chosen = next((r for r in requests if r.pk == form.cleaned_data["request"]), None)
        chosen = chosen or (requests[0] if requests else None)
        context.update(
            programme=self.programme,
            form=form,
            request_shown=chosen,
            rows=compare(chosen, saved, tried) if chosen else [],
            saved=[(LABELS[key], saved.get(key, 0)) for key in scoring.DEFAULT_WEIGHTS],
        )
        return context


@hooks.register("register_admin_urls")
def register_weights_url():
    return [
        path(
            "mentorat/programmes/<mentorat_id:pk>/ponderations/",
            WeightsPreviewView.as_view(),
            name="mentorat_weights",
        )
    ]
