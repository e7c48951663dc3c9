"""Programme staff's pairings (issue 17): the listing's filters, columns and bulk actions,
and a page per pairing with its members, dates, what is overdue, its history and the
actions staff may take (transfer the mentee, rematch, record a check-in).

Every action goes through its :mod:`wagtail_mentorat.lifecycle` function; an action the
rules would refuse is not offered: the page says why (``lifecycle.transfer_refusal``,
``lifecycle.rematch_refusal``). A pairing outside the programmes the person coordinates
answers 404, as one that does not exist. Meeting notes, help requests, messages, the
agreement's content and disagreements are the pair's: this page shows states and dates.
Imported at the end of :mod:`wagtail_mentorat.wagtail_hooks`.
"""

import csv
import datetime
import uuid

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.ui.tables import StatusTagColumn, TitleColumn
from wagtail.models import ModelLogEntry
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from .. import formatting, ids, lifecycle, rules
from ..exceptions import RuleViolation
from ..filters import PairingFilterSet, profile_choices
from ..forms import TransferForm
from ..models import (
    Agreement,
    ContactAfterClosure,
    Meeting,
    MemberRole,
    MentoringKind,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
    ProgressReview,
)
from .checkins import FOLLOWED, followed, is_overdue
from .display import LabelColumn, LabelledExportMixin, LabelledIndexView

S = PairingState

OPEN = (S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING)

# --- the listing ---------------------------------------------------------------------------

# "kind" in the listing: mentoring pairings (individual and group) unless circles are asked.
MENTORING, ALL_KINDS = "mentoring", "all"
KIND_CHOICES = [
    (MENTORING, gettext_lazy("Mentoring pairings")),
    (MentoringKind.INDIVIDUAL, MentoringKind.INDIVIDUAL.label),
    (MentoringKind.GROUP, MentoringKind.GROUP.label),
    (MentoringKind.CIRCLE, gettext_lazy("Peer support circles")),
    (ALL_KINDS, gettext_lazy("Pairings and circles")),
]

OVERDUE_CHOICES = [
    ("first_contact", gettext_lazy("First contact overdue")),
    ("midterm", gettext_lazy("Mid-term review overdue")),
    ("end", gettext_lazy("Past the planned end")),
    ("checkin", gettext_lazy("Check-in overdue")),
    ("quiet", gettext_lazy("No meeting for too long")),
]


def quiet_condition(pairings, now=None):
    """The condition "active, and no meeting within its programme's cadence, counted from
    the first contact" for ``pairings`` (one query for their cadences): the listing's filter
    and the admin home panel's count."""
    now = now or timezone.now()
    cadences = set(
        pairings.filter(state=S.ACTIVE)
        .order_by()
        .values_list("programme__meeting_cadence_weeks", flat=True)
        .distinct()
    )
    condition = Q(pk__in=[])
    for weeks in sorted(weeks for weeks in cadences if weeks is not None):
        since = now - datetime.timedelta(weeks=weeks)
        # The pairings with a recent meeting, one list read through the meetings' date
        # index (uncorrelated: PostgreSQL hashes it once), not a lookup per pairing.
        recent = Meeting.objects.filter(held_at__gte=since).values("pairing_id")
        condition |= Q(programme__meeting_cadence_weeks=weeks, first_contact_at__lt=since) & ~Q(
            pk__in=recent
        )
    return Q(state=S.ACTIVE) & condition


def quiet(pairings, now=None):
    """Active pairings with no meeting for too long (:func:`quiet_condition`)."""
    return pairings.filter(quiet_condition(pairings, now))


def checkin_overdue(pairings, today=None):
    """Followed pairings whose next scheduled check-in is past, as the check-ins screen
    says (:func:`.checkins.is_overdue`). Two queries."""
    today = today or timezone.localdate()
    late = [p.pk for p in followed(pairings.filter()) if is_overdue(p, today)]
    return pairings.filter(pk__in=late)


def _scoped_programmes(request):
    return rules.coordinated_programmes(request.user if request else None)


class IdModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A record chosen by id: ``abc`` or 30 digits is an invalid choice, not a 500."""

    class field_class(forms.ModelChoiceField):
        def to_python(self, value):
            if value not in self.empty_values and ids.parse_id(value) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            return super().to_python(value)


class PairingListFilterSet(PairingFilterSet):
    """The listing's filters: the programmes the person coordinates, state, kind (circles
    apart), what is overdue, premature closure, the mentee's site and unit."""

    programme = IdModelChoiceFilter(
        label=gettext_lazy("Programme"),
        queryset=_scoped_programmes,
        empty_label=gettext_lazy("All"),
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Type"),
        choices=KIND_CHOICES,
        method="filter_kind",
        empty_label=None,
        null_label=None,
    )
    overdue = django_filters.ChoiceFilter(
        label=gettext_lazy("Overdue"),
        choices=OVERDUE_CHOICES,
        method="filter_overdue",
        empty_label=gettext_lazy("All"),
    )
    unit = django_filters.ChoiceFilter(
        label=gettext_lazy("Mentee's unit"),
        choices=lambda: profile_choices("unit"),
        method="filter_unit",
        empty_label=gettext_lazy("All"),
    )

    class Meta(PairingFilterSet.Meta):
        fields = ["programme", "state", "kind", "premature"]

    def filter_kind(self, queryset, name, value):
        # The mentoring default is applied by the listing whatever the form says.
        if value in (MENTORING, ALL_KINDS):
            return queryset
        return queryset.filter(kind=value)

    def filter_overdue(self, queryset, name, value):
        if value == "checkin":
            return checkin_overdue(queryset)
        if value == "quiet":
            return quiet(queryset)
        return super().filter_overdue(queryset, name, value)

    def filter_unit(self, queryset, name, value):
        return queryset.filter(
            members__role=MemberRole.MENTEE, members__user__mentorat_profile__unit=value
        ).distinct()


def overdue_labels(pairing):
    """What is overdue for ``pairing``, by the listing's own definitions (one query each)."""
    filters = PairingListFilterSet(data={})
    one = Pairing.objects.filter(pk=pairing.pk)
    return [
        label
        for value, label in OVERDUE_CHOICES
        if filters.filter_overdue(one, "overdue", value).exists()
    ]


def staff_url(pairing):
    return reverse("mentorat_pairing", args=[pairing.pk])


def _members(pairing):
    """The members as prefetched by the listing (``members__user``): no query per row."""
    return list(pairing.members.all())


def mentee_names(pairing):
    return ", ".join(
        formatting.person_name(m.user) for m in _members(pairing) if m.role == MemberRole.MENTEE
    )


def mentor_names(pairing):
    return ", ".join(
        formatting.person_name(m.user) for m in _members(pairing) if m.role != MemberRole.MENTEE
    )


class PairingIndexView(LabelledIndexView):
    """The pairings listing: mentoring pairings unless the "type" filter asks for circles;
    each row's title leads to the pairing's staff page."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        kind = ""
        if self.filters and self.filters.is_valid():
            kind = self.filters.form.cleaned_data.get("kind") or ""
        if kind in ("", MENTORING):
            queryset = queryset.exclude(kind=MentoringKind.CIRCLE)
        return queryset

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)
        return column_class(
            field_name,
            label=_("Pairing"),
            accessor=str,
            sort_key="pk",
            get_url=staff_url,
            get_title_id=lambda instance: f"snippet_{instance.pk}_title",
        )


def list_display():
    return [
        "id",
        "programme",
        LabelColumn("mentee", label=gettext_lazy("Mentee"), accessor=mentee_names),
        LabelColumn("mentors", label=gettext_lazy("Mentors"), accessor=mentor_names),
        StatusTagColumn(
            "state",
            label=gettext_lazy("State"),
            accessor="get_state_display",
            sort_key="state",
            primary=lambda pairing: pairing.state in OPEN,
        ),
    ]


# --- bulk actions --------------------------------------------------------------------------


def remind_members(pairings, now=None):
    """For each open pairing, the reminders due to its members now (first contact,
    reviews, end approaching, no recent meeting: ``notifications.reminders``), sent again
    at programme staff's request, at most once a day for each deadline, following each
    programme's reminder schedule as the daily sweep does (a reminder the programme turned
    off is not sent). Returns the pairings with a reminder and the number of emails
    written."""
    from ..notifications import reminders

    now = now or timezone.now()
    today = timezone.localdate(now)
    ordered = [p.pk for p in pairings if p.state in OPEN]
    if not ordered:
        return [], 0
    rows = Pairing.objects.filter(pk__in=ordered)
    own = reminders.schedules()
    programme_rows = {
        p["pk"]: {**p, "schedule": own.get(p["pk"])}
        for p in Programme.objects.filter(pairings__pk__in=ordered)
        .distinct()
        .values("pk", "meeting_cadence_weeks", "final_review_required", "ends_on")
    }
    wanted = []
    for row in _reminder_rows(rows):
        for kind, audience, key, data in reminders.due_for_pairing(
            row, programme_rows[row["programme_id"]], today, now
        ):
            if audience != "coordinators":
                wanted.append((row["pk"], kind, audience, f"staff:{today}:{key}", data))
    if not wanted:
        return [], 0
    writer = reminders._Writer(uuid.uuid4().hex)
    written = writer.write(wanted, reminders._members_of({w[0] for w in wanted}))
    return sorted({w[0] for w in wanted}), len(written)


def _reminder_rows(pairings):
    reviews = ProgressReview.objects.filter(pairing=OuterRef("pk"))
    last_meeting = (
        Meeting.objects.filter(pairing=OuterRef("pk")).order_by("-held_at").values("held_at")[:1]
    )
    return pairings.annotate(
        last_meeting=Subquery(last_meeting),
        has_midterm=Exists(reviews.filter(kind=ProgressReview.Kind.MIDTERM)),
        has_final=Exists(reviews.filter(kind=ProgressReview.Kind.FINAL)),
    ).values(
        "pk",
        "state",
        "programme_id",
        "first_contact_due",
        "first_contact_at",
        "assigned_at",
        "planned_end",
        "midterm_review_due",
        "last_meeting",
        "has_midterm",
        "has_final",
    )


class PairingBulkAction(SnippetBulkAction):
    """A bulk action on pairings for programme staff: only the pairings of the programmes
    the person coordinates are acted on; any other id (another programme's, ``abc``) is
    left out as if it did not exist."""

    models = [Pairing]

    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def scoped(self):
        return rules.coordinated(Pairing.objects.all(), self.request.user)

    def get_actionable_objects(self):
        values = self.request.GET.getlist("id")
        rows = self.scoped().select_related("programme").prefetch_related("members__user")
        if "all" not in values:
            numbers = [n for n in (ids.parse_id(v) for v in values) if n is not None]
            rows = rows.filter(pk__in=numbers)
        return list(rows.order_by("pk")), {"items_with_no_access": []}

    def object_context(self, snippet):
        return {
            "item": snippet,
            "url": staff_url(snippet),
            "names": ", ".join(filter(None, [mentee_names(snippet), mentor_names(snippet)])),
        }


class RemindBulkAction(PairingBulkAction):
    display_name = gettext_lazy("Remind the members")
    action_type = "mentorat_remind"
    aria_label = gettext_lazy("Remind the members of the selected pairings")
    template_name = "wagtail_mentorat/admin/pairings/bulk_remind.html"
    action_priority = 10

    @classmethod
    def execute_action(cls, objects, **kwargs):
        action = kwargs["self"]
        action.reminded, action.emails = remind_members(objects)
        return len(action.reminded), action.emails

    def get_execution_context(self):
        return {"self": self}

    def get_success_message(self, num_parent_objects, num_child_objects):
        if not num_parent_objects:
            return None
        return ngettext(
            "The members of %(count)d pairing are reminded of what is due.",
            "The members of %(count)d pairings are reminded of what is due.",
            num_parent_objects,
        ) % {"count": num_parent_objects}

    def form_valid(self, form):
        response = super().form_valid(form)
        if not getattr(self, "reminded", None):
            messages.warning(
                self.request,
                _("Nothing is due for the selected pairings: no reminder was sent."),
            )
        return response


class _Export(LabelledExportMixin):
    list_export = None  # set from the viewset (PAIRING_EXPORT_FIELDS)


class ExportBulkAction(PairingBulkAction):
    """The selected pairings as a CSV file: the listing export's states and dates."""

    display_name = gettext_lazy("Export")
    action_type = "mentorat_export"
    aria_label = gettext_lazy("Export the selected pairings")
    action_priority = 20

    def get(self, request, *args, **kwargs):
        from .viewsets import PAIRING_EXPORT_FIELDS

        exporter = _Export()
        exporter.list_export = PAIRING_EXPORT_FIELDS
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="jumelages.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_heading(field) for field in PAIRING_EXPORT_FIELDS])
        for pairing in self.get_actionable_objects()[0]:
            row = exporter.to_row_dict(pairing)
            writer.writerow(["" if v is None else v for v in row.values()])
        return response

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)


class StaffClosureForm(forms.Form):
    """One unplanned reason for every selected pairing (seed 001's documented reasons)."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for closing"),
        choices=[(r.value, r.label) for r in lifecycle.STAFF_CLOSURE_REASONS],
    )
    contact_after = forms.ChoiceField(
        label=gettext_lazy("Contact after closure"),
        choices=ContactAfterClosure.choices,
        initial=ContactAfterClosure.NONE,
    )
    exit_questions_done = forms.BooleanField(
        label=gettext_lazy("The exit questions are done for each of these pairings"),
        error_messages={
            "required": gettext_lazy(
                "Confirm that the exit questions are done: a pairing is not closed without them."
            )
        },
    )


class CloseBulkAction(PairingBulkAction):
    """Close several pairings that ended for the same unplanned reason (issue 17), each
    through ``lifecycle.close_for_staff_reason`` in its own savepoint: a pairing the rules
    refuse is named with the reason and the others are closed."""

    display_name = gettext_lazy("Close for one reason")
    action_type = "mentorat_close"
    aria_label = gettext_lazy("Close the selected pairings for one unplanned reason")
    template_name = "wagtail_mentorat/admin/pairings/bulk_close.html"
    form_class = StaffClosureForm
    action_priority = 30

    def object_context(self, snippet):
        context = super().object_context(snippet)
        context["refusal"] = lifecycle.staff_closure_refusal(snippet, self.request.user)
        return context

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["closable"] = [item for item in context["items"] if not item["refusal"]]
        return context

    @classmethod
    def execute_action(cls, objects, **kwargs):
        action = kwargs["self"]
        data = action.cleaned_form.cleaned_data
        action.closed, action.refused = 0, []
        for pairing in objects:
            try:
                lifecycle.close_for_staff_reason(
                    pairing, action.request.user, data["reason"], data["contact_after"]
                )
            except RuleViolation as refused:
                names = ", ".join(filter(None, [mentee_names(pairing), mentor_names(pairing)]))
                action.refused.append(f"{names}: {' '.join(refused.messages)}")
            else:
                action.closed += 1
        return action.closed, 0

    def get_execution_context(self):
        return {"self": self}

    def get_success_message(self, num_parent_objects, num_child_objects):
        if not num_parent_objects:
            return None
        return ngettext(
            "%(count)d pairing is closed.", "%(count)d pairings are closed.", num_parent_objects
        ) % {"count": num_parent_objects}

    def form_valid(self, form):
        response = super().form_valid(form)
        for refusal in getattr(self, "refused", []):
            messages.error(self.request, refusal)
        return response


def _heading(field):
    if field == "id":
        return _("Pairing")
    return capfirst(Pairing._meta.get_field(field).verbose_name)


hooks.register("register_bulk_action", RemindBulkAction)
hooks.register("register_bulk_action", ExportBulkAction)
hooks.register("register_bulk_action", CloseBulkAction)


# --- the staff page ------------------------------------------------------------------------


def staff_pairings(user):
    """The pairings ``user`` may open as programme staff."""
    return rules.coordinated(Pairing.objects.select_related("programme"), user)


def _history(pairing):
    entries = ModelLogEntry.objects.for_instance(pairing).select_related("user")
    return [
        {
            "when": entry.timestamp,
            "what": entry.message,
            "who": formatting.person_name(entry.user) if entry.user else "",
        }
        for entry in entries.order_by("-timestamp", "-pk")
    ]


class PairingPage:
    """What the staff page shows of one pairing: states and dates, never content."""

    def __init__(self, pairing, user, today=None):
        self.pairing = pairing
        self.user = user
        self.today = today or timezone.localdate()

    @cached_property
    def members(self):
        members = sorted(
            self.pairing.members.select_related("user"),
            key=lambda m: (m.role != MemberRole.MENTEE, m.pk),
        )
        return [
            {
                "name": formatting.person_name(m.user),
                "role": m.get_role_display(),
                "contribution": m.contribution if m.role != MemberRole.MENTEE else "",
            }
            for m in members
        ]

    @cached_property
    def agreement(self):
        return (
            Agreement.objects.filter(pairing=self.pairing)
            .only("pk", "pairing_id", "version", "start_date", "end_date", "manager_approved_at")
            .first()
        )

    def dates(self):
        p = self.pairing
        rows = [
            (_("Proposed on"), p.proposed_at),
            (_("Assigned on"), p.assigned_at),
            (_("Accepted by the mentor on"), p.mentor_accepted_at),
            (_("First contact due"), p.first_contact_due),
            (_("First contact on"), p.first_contact_at),
        ]
        if self.agreement is not None:
            rows += [
                (_("Agreement: start"), self.agreement.start_date),
                (_("Agreement: end"), self.agreement.end_date),
                (_("Agreement approved by the manager on"), self.agreement.manager_approved_at),
            ]
        rows += [
            (_("Start date"), p.start_date),
            (_("Mid-term review due"), p.midterm_review_due),
            (_("Planned end"), p.planned_end),
            (_("Originally planned end"), p.original_end),
            (_("Closure requested on"), p.closure_requested_at),
            (_("Closed on"), p.closed_at),
        ]
        return [(label, formatting.display(value)) for label, value in rows]

    def closure(self):
        p = self.pairing
        if not (p.closure_kind or p.closure_reason):
            return []
        return [
            (_("Kind of ending"), p.get_closure_kind_display() or formatting.EMPTY),
            (_("Closure reason"), p.get_closure_reason_display() or formatting.EMPTY),
            (_("Ended prematurely"), formatting.yes_no(p.premature)),
        ]

    @cached_property
    def next_checkin(self):
        return lifecycle.next_checkin_due(self.pairing, self.today)

    @cached_property
    def checkin_url(self):
        is_followed = self.pairing.state in FOLLOWED and self.pairing.kind != MentoringKind.CIRCLE
        return reverse("mentorat_checkin", args=[self.pairing.pk]) if is_followed else ""

    @cached_property
    def profile(self):
        mentee = self.pairing.mentee
        if mentee is None:
            return None
        return ParticipantProfile.objects.select_related("superior").filter(user=mentee).first()

    def transfers(self):
        return [
            {
                "when": t.moved_at,
                "site": (t.from_site, t.to_site),
                "unit": (t.from_unit, t.to_unit),
                "superior": (
                    formatting.person_name(t.from_superior) or formatting.EMPTY,
                    formatting.person_name(t.to_superior) or formatting.EMPTY,
                ),
                "by": formatting.person_name(t.moved_by),
            }
            for t in self.pairing.transfers.select_related(
                "from_superior", "to_superior", "moved_by"
            )
        ]

    def context(self, transfer_form=None, rematch_error="", rematch_confirm=False):
        pairing, user = self.pairing, self.user
        transfer_refused = lifecycle.transfer_refusal(pairing, user)
        rematch_refused = lifecycle.rematch_refusal(pairing, user)
        wanted = lifecycle.rematch_wanted(pairing)
        if transfer_form is None and not transfer_refused:
            transfer_form = TransferForm(profile=self.profile)
        return {
            "pairing": pairing,
            "members": self.members,
            "dates": self.dates(),
            "closure": self.closure(),
            "overdue": overdue_labels(pairing),
            "next_checkin": self.next_checkin,
            "next_checkin_late": bool(self.next_checkin and self.next_checkin < self.today),
            "checkin_url": self.checkin_url,
            "history": _history(pairing),
            "transfers": self.transfers(),
            "profile": self.profile,
            "transfer_form": transfer_form if not transfer_refused else None,
            "transfer_refused": transfer_refused,
            "rematch_wanted": wanted,
            "rematch_offered": wanted and not rematch_refused,
            "rematch_refused": rematch_refused if wanted else "",
            "rematch_error": rematch_error,
            "rematch_confirm": rematch_confirm,
            "page_url": staff_url(pairing),
            "list_url": reverse("wagtailsnippets_wagtail_mentorat_pairing:list"),
        }


def _render(request, page, status=200, **extra):
    title = str(page.pairing)
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "group",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {
                "url": reverse("wagtailsnippets_wagtail_mentorat_pairing:list"),
                "label": _("Pairings"),
            },
            {"url": "", "label": title},
        ],
        **page.context(**extra),
    }
    return TemplateResponse(
        request, "wagtail_mentorat/admin/pairings/detail.html", context, status=status
    )


def pairing_page(request, pk):
    if not rules.is_coordinator(request.user):
        raise Http404
    pairing = ids.get_or_404(staff_pairings(request.user), pk)
    page = PairingPage(pairing, request.user)
    if request.method != "POST":
        return _render(request, page)
    action = request.POST.get("action")
    if action == "transfer":
        return _transfer(request, page)
    if action == "rematch":
        return _rematch(request, page)
    return redirect("mentorat_pairing", pk=pairing.pk)


def _transfer(request, page):
    form = TransferForm(request.POST, profile=page.profile)
    if lifecycle.transfer_refusal(page.pairing, request.user):
        return _render(request, page, status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.transfer_mentee(
                page.pairing,
                request.user,
                site=data["site"],
                unit=data["unit"],
                superior=data["superior"],
            )
        except RuleViolation as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The mentee is transferred; the pairing continues."))
            return redirect("mentorat_pairing", pk=page.pairing.pk)
    return _render(request, page, status=400, transfer_form=form)


def _rematch(request, page):
    if request.POST.get("confirm") != "yes":
        return _render(request, page, rematch_confirm=True)
    try:
        lifecycle.rematch(page.pairing, request.user)
    except RuleViolation as refused:
        return _render(request, page, status=400, rematch_error=" ".join(refused.messages))
    messages.success(
        request,
        _("The pairing is closed for a rematch; the mentee's request is back in matching."),
    )
    return redirect("mentorat_pairing", pk=page.pairing.pk)


@hooks.register("register_admin_urls")
def register_pairing_urls():
    return [
        path("mentorat/jumelages/<mentorat_id:pk>/", pairing_page, name="mentorat_pairing"),
    ]
