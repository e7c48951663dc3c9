from django.http import Http404
from django.shortcuts import get_object_or_404

from ..auth import login_required
from ..models import Agreement
from ..templating import render


@login_required
def agreement_print(request, pk):
    """The printable agreement, for the people in the pairing only.

    Anyone else gets a 404, which does not even confirm that the agreement exists.
    """
    agreement = get_object_or_404(
        Agreement.objects.select_related("pairing__programme").prefetch_related(
            "objectives", "acceptances__user", "pairing__members__user"
        ),
        pk=pk,
    )
    if not agreement.pairing.is_member(request.user):
        raise Http404
    return render(
        request,
        "wagtail_mentorat/agreement_print.html",
        {
            "agreement": agreement,
            "pairing": agreement.pairing,
            "acceptances": agreement.current_acceptances(),
        },
    )
