"""Admin access to personal and mentoring records beyond Wagtail's defaults.

Wagtail's snippet choosers check no permission: any person with admin access (a content
editor) could list every registered snippet, see its ``str()`` and fetch it as JSON. For
the records of people and their mentoring, choosing needs a permission on the model, as
listing does (ASVS V8.2.2). Programmes and areas of expertise keep Wagtail's open
chooser: editors pick a programme for a programme page, and neither holds personal data.

Wagtail's permissions are per model; a coordinator runs only some programmes (A-2.1 s. 62:
access where the duties need it). :class:`ProgrammeScopedViewSetMixin` narrows a viewset to
the programmes its user coordinates, in the listing and its exports and in every view of
one record, where another programme's record answers 404 (ASVS V8.2.2, no existence leak).
"""

import functools

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern
from wagtail.admin.views import generic
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet

from .. import rules
from ..ids import parse_id

ANY_ACTION = ["add", "change", "delete", "view"]


def _wrap(patterns, guard):
    return [
        URLPattern(p.pattern, guard(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]


def _outbox_scope(queryset, user):
    """An email about a pairing follows its programme; one about no pairing (a manager's
    digest, an invitation) is the organisation's and stays readable by programme staff."""
    from django.db.models import Q

    if user.is_superuser:
        return queryset
    programmes = rules.coordinated_programmes(user)
    return queryset.filter(Q(pairing__isnull=True) | Q(pairing__programme__in=programmes))


# Model -> the path from its rows to their programme (or a function of queryset and user).
# Participant profiles are not here: mentors are the organisation's pool, in every programme.
PROGRAMME_SCOPE = {
    "wagtail_mentorat.programme": "pk",
    "wagtail_mentorat.pairing": "programme",
    "wagtail_mentorat.mentoringrequest": "programme",
    "wagtail_mentorat.agreement": "pairing__programme",
    "wagtail_mentorat.disagreement": "pairing__programme",
    "mentorat_notifications.notification": _outbox_scope,
}


def scoped(queryset, user):
    """``queryset`` narrowed to the programmes ``user`` coordinates, for a scoped model."""
    scope = PROGRAMME_SCOPE.get(queryset.model._meta.label_lower)
    if scope is None:
        return queryset
    if callable(scope):
        return scope(queryset, user)
    return rules.coordinated(queryset, user, scope)


def scope_for(model, user):
    """The rows of ``model`` that ``user`` may reach in the admin."""
    return scoped(model._default_manager.all(), user)


def _require(rows, pk):
    """404 unless the record ``pk`` (quoted as in admin URLs) is among ``rows``; an id no
    record can have (``abc``, ``-1``, past the bigint range) is a missing record."""
    number = parse_id(unquote(str(pk)))
    if number is None or not rows.filter(pk=number).exists():
        raise Http404


class ProgrammeScopedViewSetMixin:
    """A viewset of the app: every URL that names one record (edit, inspect, history,
    usage, delete, revisions) answers 404 alike for a missing record, a hostile id, a
    record outside the programmes the user coordinates (for a model in
    ``PROGRAMME_SCOPE``; call ``scoped`` in ``get_queryset`` for the listing) and any
    record for a person with no permission on the model: no redirect that would tell an
    existing id apart."""

    def scoped(self, queryset, request):
        return scoped(queryset, request.user)

    def get_urlpatterns(self):
        return _wrap(super().get_urlpatterns(), self._guard_record)

    def _guard_record(self, view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is None:
                return view(request, *args, **kwargs)
            if not self.permission_policy.user_has_any_permission(request.user, ANY_ACTION):
                raise Http404
            _require(self.scoped(self.model._default_manager.all(), request), pk)
            # A record they can list: Wagtail's own refusal of an action tells nothing new.
            return view(request, *args, **kwargs)

        return guarded


class ScopedIndexView(generic.IndexView):
    """The listing (and its exports) of a ModelViewSet, which has no ``get_queryset``
    hook of its own, narrowed like the rest of ``ProgrammeScopedViewSetMixin``."""

    def get_base_queryset(self):
        return scoped(super().get_base_queryset(), self.request.user)


class _ScopedChoose:
    def get_object_list(self):
        return scope_for(self.model_class, self.request.user)


class ScopedChooseView(_ScopedChoose, ChooseView):
    pass


class ScopedChooseResultsView(_ScopedChoose, ChooseResultsView):
    pass


class IdCheckedChooserViewSet(SnippetChooserViewSet):
    """Wagtail's chooser, whose ``chosen/<pk>/`` answers 404 (not a 500) for an id no
    record can have (``abc``, past the bigint range)."""

    def get_urlpatterns(self):
        return _wrap(super().get_urlpatterns(), self._check_id)

    def _check_id(self, view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None and parse_id(unquote(str(pk))) is None:
                raise Http404
            return view(request, *args, **kwargs)

        return checked


class PermissionCheckedChooserViewSet(SnippetChooserViewSet):
    """Every view of the chooser refuses (403) a person with no permission on the model,
    lists only the records in their programmes and answers 404 for the others."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView

    def get_urlpatterns(self):
        return _wrap(super().get_urlpatterns(), self._guard)

    def _guard(self, view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            policy = policy_registry.get_by_type(self.model) or ModelPermissionPolicy(self.model)
            pk = kwargs.get("pk")
            if not policy.user_has_any_permission(request.user, ANY_ACTION):
                raise PermissionDenied if pk is None else Http404
            if pk is not None:
                _require(scope_for(self.model, request.user), pk)
            return view(request, *args, **kwargs)

        return guarded
