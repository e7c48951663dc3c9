import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from .models import MemberRole, Pairing, PairingState, ParticipantProfile


def profile_choices(field):
    """The distinct sites (or units) of the participants' profiles, as filter choices."""
    values = ParticipantProfile.objects.exclude(**{field: ""}).values_list(field, flat=True)
    return [(value, value) for value in values.distinct().order_by(field)]


class PairingFilterSet(WagtailFilterSet):
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[
            ("first_contact", _("First contact overdue")),
            ("midterm", _("Mid-term review overdue")),
            ("end", _("Past the planned end")),
        ],
        method="filter_overdue",
        empty_label=_("All"),
    )
    site = django_filters.ChoiceFilter(
        label=_("Mentee's site"),
        choices=lambda: profile_choices("site"),
        method="filter_site",
        empty_label=_("All"),
    )

    class Meta:
        model = Pairing
        fields = ["programme", "state", "kind", "premature"]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        today = timezone.localdate()
        if value == "first_contact":
            return queryset.filter(state=PairingState.APPROVED, first_contact_due__lt=now)
        if value == "midterm":
            return queryset.filter(state=PairingState.ACTIVE, midterm_review_due__lt=today).exclude(
                reviews__kind="midterm"
            )
        if value == "end":
            return queryset.filter(
                Q(state=PairingState.ACTIVE) | Q(state=PairingState.CONTACTED),
                planned_end__lt=today,
            )
        return queryset

    def filter_site(self, queryset, name, value):
        return queryset.filter(
            members__role=MemberRole.MENTEE, members__user__mentorat_profile__site=value
        ).distinct()
