from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ..auth import login_required
from ..templating import render
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
    return render(
        request,
        "mentorat_notifications/settings.html",
        {"form": form, "prefs": prefs},
    )
