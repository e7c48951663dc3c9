"""``{% raised_disagreements pairing request.user as raised %}``: the disagreements a member
raised in their pairing, for their pairing page. States and dates only: how programme staff
handled one (the resolution note) is for programme staff alone, and a member never sees
what another member raised."""

from django import template

from ..models import Disagreement

register = template.Library()


@register.simple_tag
def raised_disagreements(pairing, user):
    if pairing is None or user is None or not user.is_authenticated:
        return []
    return list(
        Disagreement.objects.filter(pairing=pairing, raised_by=user).only(
            "pk", "pairing_id", "topic", "status", "created_at", "resolved_at"
        )
    )
