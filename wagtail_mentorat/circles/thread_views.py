"""The conversation of a pairing or a circle: for its members only (404 for anyone else,
whatever the id). Bodies are shown escaped, with line breaks: never as HTML."""

from django import forms
from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..auth import login_required
from ..exceptions import RuleViolation
from ..ids import IdField
from ..models import MESSAGE_MAX_LENGTH, MentoringKind, Pairing, PairingMember, PairingState
from ..templating import render
from . import has_accepted_charter, messaging


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={"required": gettext_lazy("Write your message.")},
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent: I need an answer quickly (a client is waiting)"),
        required=False,
    )
    answers = IdField(widget=forms.HiddenInput, required=False)


def _pairing_for(pk, user):
    pairing = (
        Pairing.objects.filter(pk=pk, members__user=user)
        .exclude(state=PairingState.CANCELLED)
        .select_related("programme", "circle")
        .first()
    )
    if pairing is None:
        raise Http404
    return pairing


@login_required
def thread(request, pk):
    pairing = _pairing_for(pk, request.user)
    role = (
        PairingMember.objects.filter(pairing=pairing, user=request.user)
        .values_list("role", flat=True)
        .first()
    )
    form = MessageForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                messaging.post_message(
                    pairing,
                    request.user,
                    data["body"],
                    urgent=data["urgent"],
                    answers=data["answers"],
                )
                flash.success(
                    request,
                    _("Urgent request sent: an answer is due within %(hours)s hours.")
                    % {"hours": pairing.programme.urgent_response_hours}
                    if data["urgent"]
                    else _("Message sent."),
                )
                return redirect("wagtail_mentorat:thread", pk=pairing.pk)
            except RuleViolation as error:
                form.add_error("body" if error.code in ("empty", "too_long") else None, error)
        status = 400
    is_circle = pairing.kind == MentoringKind.CIRCLE
    circle = getattr(pairing, "circle", None) if is_circle else None
    # In a circle, the charter (confidentiality among members) comes before the thread.
    needs_charter = circle is not None and not has_accepted_charter(circle, request.user)
    items = [] if needs_charter else messaging.thread(pairing)
    if items:
        messaging.mark_read(pairing, request.user, items[-1].pk)
    context = {
        "pairing": pairing,
        "circle": circle,
        "needs_charter": needs_charter,
        "items": items,
        "form": form,
        "can_mark_urgent": is_circle or role == "mentee",
        "state_allows": pairing.state in messaging.THREAD_STATES,
        "max_length": MESSAGE_MAX_LENGTH,
    }
    return render(request, "wagtail_mentorat/messages/thread.html", context, status=status)
