"""The coordinators' panel on the Wagtail admin home: what needs attention today."""

from django.db.models import Count, FilteredRelation, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from ..models import Extension, HelpRequest, Pairing, PairingState, ProgressReview

S = PairingState
OPEN = [S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING]


def attention(now=None, programmes=None):
    """Counts of what is overdue or waiting, in ``programmes`` (None: every programme).
    Five queries."""
    now = now or timezone.now()
    pairings = Pairing.objects.all()
    if programmes is not None:
        pairings = pairings.filter(programme__in=programmes)
    today = timezone.localdate(now)
    # At most one review of each kind per pairing: two outer joins, not a subquery per row.
    reviewed = pairings.annotate(
        midterm_review=FilteredRelation(
            "reviews", condition=Q(reviews__kind=ProgressReview.Kind.MIDTERM)
        ),
        final_review=FilteredRelation(
            "reviews", condition=Q(reviews__kind=ProgressReview.Kind.FINAL)
        ),
    )
    midterm = Q(midterm_review__pk__isnull=False)
    final = Q(final_review__pk__isnull=False)
    # The listing's own definition, so the count and the filtered list agree.
    from ..admin.pairings import quiet_condition

    quiet = quiet_condition(pairings, now)
    row = reviewed.filter(state__in=[S.PROPOSED, *OPEN]).aggregate(
        first_contact=Count("pk", filter=Q(state=S.APPROVED, first_contact_due__lt=now)),
        midterm=Count(
            "pk",
            filter=Q(
                state=S.ACTIVE,
                midterm_review_due__lt=today,
                programme__midterm_review_required=True,
            )
            & ~midterm,
        ),
        final=Count(
            "pk",
            filter=Q(
                state__in=[S.ACTIVE, S.CLOSING],
                planned_end__lt=today,
                programme__final_review_required=True,
            )
            & ~final,
        ),
        quiet=Count("pk", filter=quiet),
        proposed=Count("pk", filter=Q(state=S.PROPOSED)),
        closing=Count("pk", filter=Q(state=S.CLOSING)),
    )
    help_row = HelpRequest.objects.filter(
        urgent=True, answered_at__isnull=True, pairing__in=pairings.filter(state__in=OPEN)
    ).aggregate(urgent=Count("pk"), urgent_overdue=Count("pk", filter=Q(due_at__lt=now)))
    row.update(help_row)
    row["extensions"] = Extension.objects.filter(
        status=Extension.Status.REQUESTED, pairing__in=pairings
    ).count()
    return row


def _pairings_url(query):
    try:
        return reverse("wagtailsnippets_wagtail_mentorat_pairing:list") + query
    except NoReverseMatch:  # pragma: no cover - the core's admin is always installed
        return ""


class AttentionPanel(Component):
    name = "mentorat_attention"
    template_name = "mentorat_indicators/home_panel.html"
    order = 90

    def get_context_data(self, parent_context):
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

        from ..rules import coordinated_programmes

        user = parent_context["request"].user
        counts = attention(programmes=None if user.is_superuser else coordinated_programmes(user))
        # Programme staff's check-ins (MENTOR standard 5), as the check-ins screen counts them.
        from ..admin.checkins import overdue_count

        checkins_overdue = overdue_count(user)
        # Each label follows its count: "1 Pairing…", "2 Pairings…".
        items = [
            (
                counts["first_contact"],
                ngettext(
                    "First contact overdue", "First contacts overdue", counts["first_contact"]
                ),
                _pairings_url("?overdue=first_contact"),
            ),
            (
                counts["urgent"],
                ngettext(
                    "Urgent help request unanswered",
                    "Urgent help requests unanswered",
                    counts["urgent"],
                ),
                "",
            ),
            (counts["urgent_overdue"], _("… of which past their deadline"), ""),
            (
                counts["midterm"],
                ngettext("Mid-term review overdue", "Mid-term reviews overdue", counts["midterm"]),
                _pairings_url("?overdue=midterm"),
            ),
            (
                counts["final"],
                ngettext("Final review overdue", "Final reviews overdue", counts["final"]),
                _pairings_url("?overdue=end"),
            ),
            (
                counts["quiet"],
                ngettext(
                    "Pairing with no meeting for too long",
                    "Pairings with no meeting for too long",
                    counts["quiet"],
                ),
                _pairings_url("?overdue=quiet"),
            ),
            (
                checkins_overdue,
                ngettext("Check-in overdue", "Check-ins overdue", checkins_overdue),
                reverse("mentorat_checkins"),
            ),
            (
                counts["proposed"],
                ngettext(
                    "Pairing waiting for approval",
                    "Pairings waiting for approval",
                    counts["proposed"],
                ),
                _pairings_url("?state=proposed"),
            ),
            (
                counts["closing"],
                ngettext(
                    "Closure waiting for approval",
                    "Closures waiting for approval",
                    counts["closing"],
                ),
                _pairings_url("?state=closing"),
            ),
            (
                counts["extensions"],
                ngettext(
                    "Extension waiting for a decision",
                    "Extensions waiting for a decision",
                    counts["extensions"],
                ),
                "",
            ),
        ]
        total = sum(c for i, (c, _label, _url) in enumerate(items) if i != 2)
        return {
            "items": [
                {"count": c, "label": label, "url": url, "sub": i == 2}
                for i, (c, label, url) in enumerate(items)
            ],
            "total": total,
            "dashboard_url": reverse("mentorat_indicators:dashboard"),
        }
