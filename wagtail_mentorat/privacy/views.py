"""The person's privacy page: their consents per purpose (give, withdraw) and the download
of their data as JSON or CSV."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..auth import login_required
from ..templating import render
from . import consent, export
from .purposes import Purpose

FILENAME = "mes-donnees-mentorat"


@login_required
def privacy_page(request):
    lines = consent.status(request.user)
    # Registered by their manager and not confirmed yet: nothing is given until they
    # confirm in their space.
    awaiting = consent.is_awaiting(request.user)
    rows = [
        {
            "purpose": purpose,
            "label": label,
            "line": lines[purpose],
            "active": not awaiting
            and (lines[purpose] is None or lines[purpose].withdrawn_at is None),
        }
        for purpose, label in Purpose.choices
    ]
    return render(request, "mentorat_privacy/privacy.html", {"rows": rows, "awaiting": awaiting})


@login_required
@require_POST
def change_consent(request):
    purpose = request.POST.get("purpose")
    if purpose not in Purpose.values:
        raise Http404
    if request.POST.get("decision") == "withdraw":
        consent.withdraw(request.user, purpose)
        messages.success(request, _("Your consent is withdrawn. It takes effect now."))
    elif consent.is_awaiting(request.user):
        # The registration their manager made is confirmed as a whole, with the notice.
        messages.info(request, _("Confirm your registration first, in your mentoring space."))
        return redirect("wagtail_mentorat:space")
    else:
        from wagtail_mentorat.models import ParticipantProfile

        profile = ParticipantProfile.objects.filter(user=request.user).first()
        consent.give(request.user, purpose, getattr(profile, "consent_version", "") or "")
        messages.success(request, _("Your consent is recorded."))
    return redirect("wagtail_mentorat:privacy:page")


def _attachment(content, content_type, extension):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}.{extension}"'
    return response


@login_required
def export_json(request):
    return _attachment(
        export.as_json(export.collect(request.user)), "application/json; charset=utf-8", "json"
    )


@login_required
def export_csv(request):
    return _attachment(
        export.as_csv(export.collect(request.user)), "text/csv; charset=utf-8", "csv"
    )
