"""Admin views for programme staff: the indicators dashboard (and its CSV), the
references, the self-assessment and its printable report. Coordinators only."""

import csv

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import rules
from ..admin.naming import NamedPageMixin
from . import charts, metrics, standards
from .forms import AssessmentForm, AssessmentPeriodForm, IndicatorFilterForm, ReferencesForm
from .models import AssessmentAnswer, IndicatorReferences, SelfAssessment, Status


def forbidden():
    """A plain 403: Wagtail's admin would turn PermissionDenied into a redirect home."""
    return HttpResponseForbidden(
        _("These pages are for programme staff (coordinators) only."),
        content_type="text/plain; charset=utf-8",
    )


class CoordinatorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            return forbidden()
        return super().dispatch(request, *args, **kwargs)


def references_for(request=None):
    return IndicatorReferences.load(request_or_site=request)


# ----------------------------------------------------------------------------- dashboard


DASHBOARD = (gettext_lazy("Quality indicators"), "mentorat_indicators:dashboard")
ASSESSMENTS = (gettext_lazy("Self-assessment"), "mentorat_indicators:assessments")


class DashboardView(CoordinatorOnlyMixin, NamedPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "mentorat_indicators/dashboard.html"
    page_title = DASHBOARD[0]  # and its menu item's label (wagtail_hooks)
    header_icon = "table"

    def get_scope(self):
        """(scope, form): ``scope`` is None when the filters are invalid or there is no
        programme yet; the form then carries the errors to show."""
        form = IndicatorFilterForm(self.request.GET or None, user=self.request.user)
        if form.is_bound and not form.is_valid():
            return None, form
        data = form.cleaned_data if form.is_bound else form.clean_period({})
        programme = data.get("programme") or form.fields["programme"].queryset.first()
        if programme is None:
            return None, form
        scope = metrics.Scope(
            programme=programme,
            start=data["start"],
            end=data["end"],
            site=data.get("site") or "",
            unit=data.get("unit") or "",
        )
        return scope, form

    def get(self, request, *args, **kwargs):
        scope, form = self.get_scope()
        context = self.get_context_data(form=form, scope=scope)
        if scope is not None:
            context.update(self.indicators(scope))
        if request.GET.get("format") == "csv" and scope is not None:
            return self.csv(scope, context)
        return self.render_to_response(context)

    def indicators(self, scope):
        threshold = metrics.min_group()
        size = metrics.group_size(scope)
        if size is not None and size < threshold:
            return {"too_small": True, "threshold": threshold}
        references = references_for(self.request)
        data = metrics.suppress_small(metrics.compute(scope, references), threshold)
        return {
            "data": data,
            "threshold": threshold,
            "empty": not metrics.has_data(data),
            "chart": charts.monthly_chart(data["monthly"]),
            "shares": charts.share_bars(data["indicators"]),
            "csv_query": self._csv_query(),
        }

    def _csv_query(self):
        query = self.request.GET.copy()
        query["format"] = "csv"
        return query.urlencode()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = kwargs.get("scope")
        context["programme"] = getattr(scope, "programme", None)
        context["no_programme"] = scope is None and not kwargs["form"].errors
        return context

    def csv(self, scope, context):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"indicateurs-{scope.programme.pk}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")  # Excel reads UTF-8 with a BOM
        writer = csv.writer(response)
        writer.writerow(
            [_("Programme"), scope.programme.name, _("From"), scope.start, _("To"), scope.end]
        )
        writer.writerow([_("Site"), scope.site or _("All"), _("Unit"), scope.unit or _("All")])
        if context.get("too_small"):
            writer.writerow(
                [
                    _("This group has fewer than %(n)s people: no figure is shown.")
                    % {"n": context["threshold"]}
                ]
            )
            return response
        data = context["data"]
        writer.writerow([])
        writer.writerow(
            [
                _("Indicator"),
                _("Value"),
                _("Unit"),
                _("Count"),
                _("Out of"),
                _("Reference"),
                _("Source"),
            ]
        )
        for row in data["indicators"]:
            writer.writerow(
                [
                    row.label,
                    "" if row.value is None else row.value,
                    row.unit,
                    "" if row.numerator is None else row.numerator,
                    "" if row.denominator is None else row.denominator,
                    "" if row.reference is None else row.reference,
                    row.source,
                ]
            )
        writer.writerow([])
        writer.writerow(
            [
                _("Month"),
                _("Requests opened"),
                _("Pairings assigned"),
                _("Pairings closed"),
                _("Closed prematurely"),
            ]
        )
        for row in data["monthly"]:
            writer.writerow(
                [
                    f"{row['month']:%Y-%m}",
                    row["requests"],
                    row["assigned"],
                    row["closed"],
                    row["premature"],
                ]
            )
        writer.writerow([])
        writer.writerow([_("Closure reason"), _("Pairings"), _("Closed prematurely")])
        for row in data["reasons"]:
            writer.writerow([row["label"], row["count"], row["premature"]])
        if data["reasons_hidden"]:
            writer.writerow(
                [
                    _("Reasons given fewer than %(n)s times") % {"n": context["threshold"]},
                    data["reasons_hidden"],
                    "",
                ]
            )
        writer.writerow([])
        writer.writerow([_("Area of expertise"), _("Free mentor places"), _("Waiting requests")])
        for row in data["supply"]["areas"]:
            demand = (
                _("fewer than %(n)s") % {"n": context["threshold"]}
                if row["small"]
                else row["demand"]
            )
            writer.writerow([row["area"], row["supply"], demand])
        circles = data["circles"]
        if circles["circles"] and circles["people"] >= context["threshold"]:
            writer.writerow([])
            writer.writerow([_("Circles"), _("Members"), _("Meetings"), _("Attendance (%)")])
            writer.writerow(
                [circles["circles"], circles["people"], circles["meetings"], circles["attendance"]]
            )
            for row in circles["reasons"]:
                writer.writerow([_("Why circles ended"), row["label"], row["count"]])
        return response


# ----------------------------------------------------------------------------- references


class ReferencesView(CoordinatorOnlyMixin, NamedPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "mentorat_indicators/references.html"
    page_title = gettext_lazy("Indicator references")
    parent_pages = (DASHBOARD,)
    header_icon = "doc-full"

    def get(self, request, *args, **kwargs):
        form = ReferencesForm(instance=references_for())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ReferencesForm(request.POST, instance=references_for())
        if form.is_valid():
            form.save()
            messages.success(request, _("The references have been saved."))
            return redirect("mentorat_indicators:references")
        messages.error(request, _("The references could not be saved: see the errors below."))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["pairs"] = [
            (form[name], form[f"{name}_source"])
            for name in form.fields
            if not name.endswith("_source")
        ]
        return context


# ----------------------------------------------------------------------------- self-assessment


def _scope_of(assessment):
    return metrics.Scope(
        programme=assessment.programme, start=assessment.period_start, end=assessment.period_end
    )


def _indicators_by_key(assessment, request=None):
    data = metrics.compute(_scope_of(assessment), references_for(request))
    return {row.key: row for row in data["indicators"]}, data


def prefilled(assessment, indicators):
    """{item code: {status, evidence, action, measured}}: the saved answers, and for the
    items never answered the software's suggestion from the period's indicators."""
    saved = {a.item: a for a in assessment.answers.all()} if assessment.pk else {}
    out = {}
    for code, item in standards.ITEMS.items():
        status, measured = standards.suggest(item, indicators)
        if code in saved:
            answer = saved[code]
            out[code] = {
                "status": answer.status,
                "evidence": answer.evidence,
                "action": answer.action,
                "measured": measured,
                "saved": True,
            }
        else:
            out[code] = {
                "status": status,
                "evidence": measured,
                "action": "",
                "measured": measured,
                "saved": False,
            }
    return out


def _status_counts():
    return {
        "met": Count("answers", filter=Q(answers__status=Status.MET)),
        "partly": Count("answers", filter=Q(answers__status=Status.PARTLY)),
        "not_met": Count("answers", filter=Q(answers__status=Status.NOT_MET)),
    }


def _assessments(request):
    """The self-assessments of the programmes the user coordinates (another's: 404)."""
    return rules.coordinated(SelfAssessment.objects.select_related("programme"), request.user)


class AssessmentIndexView(
    CoordinatorOnlyMixin, NamedPageMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "mentorat_indicators/assessments.html"
    page_title = ASSESSMENTS[0]
    parent_pages = (DASHBOARD,)
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AssessmentPeriodForm(user=self.request.user))
        assessments = (
            _assessments(self.request)
            .annotate(**_status_counts())
            .order_by("programme__name", "-period_start", "-pk")
        )
        context["assessments"] = assessments
        context["item_count"] = len(standards.ITEMS)
        return context

    def post(self, request, *args, **kwargs):
        form = AssessmentPeriodForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        assessment, created = SelfAssessment.objects.get_or_create(
            programme=data["programme"],
            period_start=data["start"],
            period_end=data["end"],
            defaults={"created_by": request.user, "updated_by": request.user},
        )
        if not created:
            messages.info(request, _("A self-assessment of this period exists: here it is."))
        return redirect("mentorat_indicators:assessment_edit", assessment.pk)


class AssessmentEditView(
    CoordinatorOnlyMixin, NamedPageMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "mentorat_indicators/assessment_edit.html"
    page_title = ASSESSMENTS[0]
    parent_pages = (DASHBOARD, ASSESSMENTS)
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            return forbidden()
        self.assessment = get_object_or_404(_assessments(request), pk=kwargs["pk"])
        return super(CoordinatorOnlyMixin, self).dispatch(request, *args, **kwargs)

    def get_subtitle(self):
        a = self.assessment
        return f"{a.programme.name}, {a.period_start:%Y-%m-%d} – {a.period_end:%Y-%m-%d}"

    def context_for(self, form, answers):
        context = self.get_context_data(form=form, assessment=self.assessment)
        context["rows"] = form.rows()
        for group in context["rows"]:
            for row in group["items"]:
                row["measured"] = answers[row["item"].code]["measured"]
                row["saved"] = answers[row["item"].code]["saved"]
        context["previous"] = (
            SelfAssessment.objects.filter(
                programme=self.assessment.programme, period_start__lt=self.assessment.period_start
            )
            .annotate(**_status_counts())
            .order_by("-period_start")
            .first()
        )
        return context

    def get(self, request, *args, **kwargs):
        indicators, _data = _indicators_by_key(self.assessment, request)
        answers = prefilled(self.assessment, indicators)
        form = AssessmentForm(initial_answers=answers)
        return self.render_to_response(self.context_for(form, answers))

    def post(self, request, *args, **kwargs):
        indicators, _data = _indicators_by_key(self.assessment, request)
        answers = prefilled(self.assessment, indicators)
        form = AssessmentForm(request.POST, initial_answers=answers)
        if not form.is_valid():
            messages.error(
                request, _("The self-assessment could not be saved: see the errors below.")
            )
            return self.render_to_response(self.context_for(form, answers), status=400)
        with transaction.atomic():
            AssessmentAnswer.objects.filter(assessment=self.assessment).delete()
            AssessmentAnswer.objects.bulk_create(
                AssessmentAnswer(
                    assessment=self.assessment,
                    item=code,
                    status=value["status"],
                    evidence=value["evidence"],
                    action=value["action"],
                    measured=answers[code]["measured"][:300],
                )
                for code, value in form.answers().items()
            )
            self.assessment.updated_by = request.user
            self.assessment.save(update_fields=["updated_by", "updated_at"])
        messages.success(request, _("The self-assessment has been saved."))
        return redirect("mentorat_indicators:assessment_edit", self.assessment.pk)


class AssessmentReportView(CoordinatorOnlyMixin, TemplateView):
    """A printable page (print it, or save it as PDF from the browser) to bring to a
    quality-label review (seed 003)."""

    template_name = "mentorat_indicators/assessment_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = get_object_or_404(_assessments(self.request), pk=kwargs["pk"])
        indicators, data = _indicators_by_key(assessment, self.request)
        answers = prefilled(assessment, indicators)
        labels = dict(Status.choices)
        groups = []
        for standard in standards.STANDARDS:
            items = []
            for item in standard.items:
                answer = answers[item.code]
                items.append(
                    {
                        "item": item,
                        "status": labels.get(answer["status"], _("Not answered yet"))
                        if answer["saved"]
                        else _("Not answered yet"),
                        "status_code": answer["status"] if answer["saved"] else "",
                        "evidence": answer["evidence"] if answer["saved"] else "",
                        "action": answer["action"] if answer["saved"] else "",
                        "measured": answer["measured"],
                    }
                )
            groups.append({"standard": standard, "items": items})
        history = (
            SelfAssessment.objects.filter(programme=assessment.programme)
            .annotate(**_status_counts())
            .order_by("period_start")
        )
        context.update(
            assessment=assessment,
            groups=groups,
            indicators=data["indicators"],
            history=history,
            item_count=len(standards.ITEMS),
            back=reverse("mentorat_indicators:assessment_edit", args=[assessment.pk]),
        )
        return context
