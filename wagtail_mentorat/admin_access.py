"""Admin access to personal and mentoring records beyond Wagtail's defaults.

Wagtail's snippet choosers check no permission: any person with admin access (a content
editor) could list every registered snippet, see its ``str()`` and fetch it as JSON. For
the records of people and their mentoring, choosing needs a permission on the model, as
listing does (ASVS V8.2.2). Programmes and areas of expertise keep Wagtail's open
chooser: editors pick a programme for a programme page, and neither holds personal data.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import SnippetChooserViewSet

ANY_ACTION = ["add", "change", "delete", "view"]


class PermissionCheckedChooserViewSet(SnippetChooserViewSet):
    """Every view of the chooser refuses (403) a person with no permission on the model."""

    def get_urlpatterns(self):
        return [
            URLPattern(p.pattern, self._guard(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in super().get_urlpatterns()
        ]

    def _guard(self, view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            policy = policy_registry.get_by_type(self.model) or ModelPermissionPolicy(self.model)
            if not policy.user_has_any_permission(request.user, ANY_ACTION):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded
