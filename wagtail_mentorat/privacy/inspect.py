"""An admin inspect view whose every opening is audited (who, when, which record; never the
content). Importable without the privacy app installed: it then logs nothing."""

from wagtail.snippets.views.snippets import InspectView as SnippetInspectView

from .audit import log_read


class AuditedInspectMixin:
    audit_reason = "admin inspect"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log_read(self.request.user, self.object, self.audit_reason)
        return context


class AuditedInspectView(AuditedInspectMixin, SnippetInspectView):
    """For snippet viewsets: ``inspect_view_class = AuditedInspectView``."""
