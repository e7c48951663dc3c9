from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .forms import NotificationSettingsForm
from .models import NotificationSettings


@login_required
def notification_settings(request):
    """Each person turns off the reminders that are not required of their role."""
    prefs, _created = NotificationSettings.objects.get_or_create(user=request.user)
    form = NotificationSettingsForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email settings are saved."))
        return redirect("mentorat_notifications:settings")
    return TemplateResponse(
        request,
        "mentorat_notifications/settings.html",
        {"form": form, "prefs": prefs},
    )
