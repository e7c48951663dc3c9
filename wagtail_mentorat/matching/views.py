"""The coordinators' matching workbench in the Wagtail admin: waiting requests,
explained suggestions, one-click assignment through the lifecycle, the cohort proposal
to accept line by line, pairings with several mentors or a group of mentees, and supply
against demand by area.

No request reaches a dead end (issue 17): the rules say, per request, whether the person
may pair it (:func:`rules.pairing_access`); where they may not, no button is offered but the
reason and what to do, and requests nobody can pair are counted at the top."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import ids, lifecycle, rules
from ..admin.naming import NamedPageMixin
from ..exceptions import RuleViolation
from ..formatting import person_name
from ..models import (
    MemberRole,
    MentorDecline,
    MentoringKind,
    MentoringRequest,
    MentorPreference,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
)
from . import adapter, export, scoring, team

UNMATCHED = {
    "no_eligible_mentor": gettext_lazy("no eligible mentor"),
    "capacity": gettext_lazy("every eligible mentor is at capacity"),
}


def _admin_url(user, model, pk):
    """The admin edit page of a ``model`` record, if ``user`` may change it there."""
    label = model._meta.label_lower.replace(".", "_")
    if not user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
        return ""
    try:
        return reverse(f"wagtailsnippets_{label}:edit", args=[pk])
    except NoReverseMatch:
        return ""


class CoordinatorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WorkbenchView(CoordinatorOnlyMixin, NamedPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentorat/admin/workbench.html"
    page_title = gettext_lazy("Matching workbench")  # and its menu item's (wagtail_hooks)
    header_icon = "group"

    def get_programme(self):
        programmes = rules.coordinated(
            Programme.objects.filter(is_active=True).order_by("name"), self.request.user, "pk"
        )
        chosen = self.request.GET.get("programme") or self.request.POST.get("programme")
        programme = ids.first_or_none(programmes, chosen)
        return programme or programmes.first(), programmes

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            programme, _programmes = self.get_programme()
            table = programme and export.cohort_table(programme)
            if table is None:
                messages.error(request, _("This programme has no mentors: nothing to propose."))
                return redirect(request.path)
            stream = io.StringIO()
            export.write_csv(table, stream)
            response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
            name = f"proposition-{slugify(programme.name)}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme, programmes = self.get_programme()
        context.update(programme=programme, programmes=programmes)
        if programme is None:
            return context
        requests = list(adapter.waiting_requests(programme))
        mentees = adapter.load_mentees(requests)
        pool = adapter.mentor_pool(programme)
        mentors = pool.mentors
        names = {m.id: m.name for m in mentors}
        rule_set, weights = adapter.rules_for(programme), adapter.weights_for(programme)
        show_excluded = self.request.GET.get("excluded") == "1"
        proposals = list(
            Pairing.objects.filter(programme=programme, state=PairingState.PROPOSED)
            .select_related("request__mentee")
            .prefetch_related("members__user")
            .order_by("proposed_at")
        )
        declines = {}
        request_ids = [r.pk for r in requests] + [p.request_id for p in proposals]
        for decline in (
            MentorDecline.objects.filter(request_id__in=request_ids)
            .select_related("mentor")
            .order_by("created_at")
        ):
            declines.setdefault(decline.request_id, []).append(decline)
        # Who may pair what, from the rules (never a button the lifecycle would refuse).
        user = self.request.user
        for proposal in proposals:
            proposal.mentee_ids = [
                m.user_id for m in proposal.members.all() if m.role == MemberRole.MENTEE
            ]
        access = rules.pairing_access(
            user,
            programme,
            {r.mentee_id for r in requests} | {i for p in proposals for i in p.mentee_ids},
        )
        nobody = [i for i, (_may, _why, none) in access.items() if none]
        profiles = dict(
            ParticipantProfile.objects.filter(user_id__in=nobody).values_list("user_id", "pk")
            if nobody
            else ()
        )
        for proposal in proposals:
            proposal.decline_history = declines.get(proposal.request_id, [])
            verdicts = [access[i] for i in proposal.mentee_ids]
            refused = [v for v in verdicts if not v[0]]
            proposal.may_confirm = not refused
            proposal.refusal = refused[0][1] if refused else ""
            proposal.nobody = any(v[2] for v in verdicts)
        context["proposals"] = proposals
        # Where the manager pairs, staff may pair someone with no manager on file, with a
        # written reason, if the programme allows it (the team form asks for the reason).
        with_reason = rules.staff_pair_with_reason(user, programme)
        managed = (
            set(
                ParticipantProfile.objects.filter(
                    user_id__in=[r.mentee_id for r in requests], superior__isnull=False
                ).values_list("user_id", flat=True)
            )
            if with_reason
            else set()
        )
        context["rows"] = []
        for request, mentee in zip(requests, mentees, strict=True):
            best, excluded = scoring.suggest(mentee, pool, rule_set, weights, limit=5)
            rank = {mentor_id: i for i, mentor_id in enumerate(mentee.preferred, start=1)}
            may_pair, refusal, none = access[request.mentee_id]
            profile = profiles.get(request.mentee_id)
            context["rows"].append(
                {
                    "request": request,
                    "may_pair": may_pair,
                    "refusal": refusal,
                    "nobody": none,
                    "with_reason": with_reason and request.mentee_id not in managed,
                    "profile_url": profile and _admin_url(user, ParticipantProfile, profile),
                    "suggestions": [(fit, rank.get(fit.mentor.id)) for fit in best],
                    "preferred": [(i, names.get(m, "?")) for m, i in rank.items()],
                    "declines": declines.get(request.pk, []),
                    "excluded": [(m, scoring.constraint_label(c)) for m, c in excluded]
                    if show_excluded
                    else [],
                    "excluded_count": len(excluded),
                }
            )
        pairable = [row["request"] for row in context["rows"] if row["may_pair"]]
        context["dead_ends"] = [row for row in context["rows"] if row["nobody"]] + [
            p for p in proposals if p.nobody
        ]
        context["programme_url"] = _admin_url(user, Programme, programme.pk)
        context["team"] = {
            "requests": pairable
            + [row["request"] for row in context["rows"] if row["with_reason"]],
            "staff_reason": with_reason,
            "group_requests": [r for r in pairable if r.kind == MentoringKind.GROUP],
            "mentors": sorted(mentors, key=lambda m: m.name.lower()),
            "slots": range(team.SECONDARY_SLOTS),
        }
        context["awaiting"] = list(adapter.awaiting_requests(programme))
        context["show_excluded"] = show_excluded
        context["max_preferences"] = MentorPreference.MAX
        context["supply"] = adapter.supply_and_demand(programme, mentors, requests)
        if self.request.GET.get("cohort") == "1":
            result = scoring.cohort(mentees, pool, rule_set, weights)
            by_mentee = {r.mentee_id: r for r in requests}
            context["cohort"] = [
                {
                    "request": by_mentee[x.id],
                    "mentor": y,
                    "score": round(s, 1),
                    "may_pair": access[x.id][0],
                    "refusal": access[x.id][1],
                }
                for x, y, s in result.pairs
            ]
            context["cohort_pairable"] = any(line["may_pair"] for line in context["cohort"])
            context["unmatched"] = [
                (by_mentee[x.id], UNMATCHED[why]) for x, why in result.unmatched
            ]
            context["cohort_total"] = round(result.total, 1)
        return context

    def decide_proposal(self, request, programme):
        """Confirm or refuse a waiting proposal (a fallback, or one made elsewhere)."""
        confirm, refuse = request.POST.get("confirm", ""), request.POST.get("refuse", "")
        pairing = ids.first_or_none(
            Pairing.objects.all(),
            confirm or refuse,
            programme=programme,
            state=PairingState.PROPOSED,
        )
        if pairing is None:
            messages.error(request, _("This proposal is no longer waiting."))
            return
        try:
            if confirm:
                lifecycle.approve_pairing(pairing, request.user)
                messages.success(request, _("Pairing approved: the mentor has been assigned."))
            else:
                lifecycle.cancel_pairing(pairing, request.user)
                messages.success(request, _("Proposal refused: the request waits again."))
        except RuleViolation as error:
            for message in error.messages:
                messages.error(request, message)

    def team_choices(self, request, programme):
        """The request, mentees and mentors the team form names, or a list of errors. The
        request must be one of the person's programmes' (404 otherwise, as for any record
        out of scope); mentors are chosen among the programme's mentors."""
        posted = request.POST
        if ids.parse_id(posted.get("request")) is None:
            return None, [_("Choose the waiting request to pair.")]
        mentoring_request = ids.get_or_404(
            rules.coordinated(MentoringRequest.objects.all(), request.user).select_related(
                "mentee"
            ),
            posted.get("request"),
            programme=programme,
            status=MentoringRequest.Status.OPEN,
        )
        pool = {m.id: m for m in adapter.load_mentors(programme)}
        return team.read_team(posted, mentoring_request, pool, adapter.waiting_requests(programme))

    def pair_team(self, request, programme):
        """Several mentors each with a written contribution (seed 004), or a group of
        mentees with one mentor (seed 002): proposed and approved through the lifecycle in
        one transaction, so a refusal says the rule's reason and changes nothing."""
        chosen, errors = self.team_choices(request, programme)
        if errors:
            for message in errors:
                messages.error(request, message)
            return
        try:
            team.make_team_pairing(programme, chosen, request.user)
        except RuleViolation as error:
            for message in error.messages:
                messages.error(request, message)
            return
        messages.success(
            request,
            _("Pairing made with %(mentors)s; the mentors are told.")
            % {"mentors": ", ".join(person_name(m) for m in chosen["mentors"])},
        )

    def post(self, request, *args, **kwargs):
        """Assign: one line (``assign=request:mentor``) or the accepted cohort lines; or a
        pairing with several mentors or mentees (``action=team``)."""
        programme, _programmes = self.get_programme()
        target = request.path + (f"?programme={programme.pk}" if programme else "")
        if request.POST.get("action") == "team":
            if programme is None:
                raise PermissionDenied  # coordinates no open programme
            self.pair_team(request, programme)
            return redirect(target)
        if request.POST.get("confirm") or request.POST.get("refuse"):
            if programme is not None:
                self.decide_proposal(request, programme)
            return redirect(target)
        lines = request.POST.getlist("accept") or [request.POST.get("assign", "")]
        done = 0
        for line in lines:
            request_id, _sep, mentor_id = line.partition(":")
            if ids.parse_id(request_id) is None or ids.parse_id(mentor_id) is None:
                messages.error(request, _("Choose a suggestion to assign."))
                continue
            mentoring_request = ids.get_or_404(
                rules.coordinated(MentoringRequest.objects.all(), request.user),
                request_id,
                status=MentoringRequest.Status.OPEN,
            )
            mentor = ids.get_or_404(ParticipantProfile, mentor_id, field="user_id").user
            try:
                adapter.assign(mentoring_request, mentor, request.user)
                done += 1
            except RuleViolation as error:
                for message in error.messages:
                    messages.error(request, message)
        if done:
            messages.success(
                request, _("%(count)s pairing(s) assigned; the mentors are told.") % {"count": done}
            )
        return redirect(target)
