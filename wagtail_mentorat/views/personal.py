"""The person's own data: an iCalendar feed and a JSON export (Quebec's Law 25)."""

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from ..auth import login_required
from ..models import (
    Meeting,
    ParticipantProfile,
)
from ..scheduling import planned_for
from ..space import pairings_for
from ..templating import render


@login_required
def calendar_settings(request):
    profile, _created = ParticipantProfile.objects.get_or_create(user=request.user)
    url = (
        request.build_absolute_uri(
            reverse("wagtail_mentorat:calendar", args=[profile.calendar_token])
        )
        if profile.calendar_token
        else None
    )
    return render(request, "wagtail_mentorat/space/calendar.html", {"feed_url": url})


@login_required
@require_POST
def calendar_reset(request):
    """A new secret address; the old one stops working at once."""
    profile, _created = ParticipantProfile.objects.get_or_create(user=request.user)
    profile.calendar_token = secrets.token_urlsafe(32)
    profile.save(update_fields=["calendar_token"])
    messages.success(request, _("New calendar address created. The old one no longer works."))
    return redirect("wagtail_mentorat:calendar_settings")


@login_not_required
def calendar_feed(request, token):
    """Meetings, deadlines and review dates, for calendar apps that cannot log in: the
    secret address is the key. No confidential text, only titles and dates."""
    if len(token) < 20:
        raise Http404
    profile = ParticipantProfile.objects.filter(calendar_token=token).select_related("user").first()
    if profile is None:
        raise Http404
    user = profile.user
    calendar = Calendar()
    calendar.add("prodid", "-//wagtail-mentorat//FR")
    calendar.add("version", "2.0")

    def add(uid, summary, start, end=None):
        event = Event()
        event.add("uid", f"{uid}@wagtail-mentorat")
        event.add("summary", summary)
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
        calendar.add_component(event)

    for pairing in pairings_for(user):
        if pairing.first_contact_due and pairing.state == "approved":
            add(f"contact-{pairing.pk}", _("First contact due"), pairing.first_contact_due)
        if pairing.midterm_review_due:
            add(f"midterm-{pairing.pk}", _("Mid-term review due"), pairing.midterm_review_due)
        if pairing.planned_end:
            add(f"end-{pairing.pk}", _("Planned end of the mentoring"), pairing.planned_end)
    for meeting in Meeting.objects.filter(pairing__members__user=user):
        add(
            f"meeting-{meeting.pk}",
            _("Mentoring meeting"),
            meeting.held_at,
            meeting.held_at + datetime.timedelta(minutes=meeting.duration_minutes),
        )
    # Planned meetings (issue 21), until held and logged (then the meeting above) or
    # cancelled: the date only, never the place.
    for planned in planned_for(user):
        add(
            f"planned-{planned.pk}",
            _("Mentoring meeting (planned)"),
            planned.starts_at,
            planned.ends_at,
        )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    # Calendar apps poll it: they may keep a copy and ask again; shared caches may not.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
def my_data(request):
    """Everything the product holds about the person, as JSON (portability right, A-2.1
    s. 84). Other people's private notes are never included: only the person's own. The
    content is built by :mod:`wagtail_mentorat.privacy.export` (also as CSV)."""
    from ..privacy import export

    response = HttpResponse(
        export.as_json(export.collect(request.user)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-mentorat.json"'
    return response
