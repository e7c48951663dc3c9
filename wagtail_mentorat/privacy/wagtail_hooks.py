from wagtail.admin.viewsets import viewsets
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from wagtail_mentorat.models import Disagreement

from .admin_views import DisagreementViewSet, PrivacyViewSetGroup
from .models import Incident, IncidentFollowUp, LegalHold, ReadAccess
from .permissions import CoordinatorReadPolicy, PrivacyOfficerPolicy

# Registered before the viewsets, which then use them (Wagtail 8).
register_permission_policy(Incident, PrivacyOfficerPolicy(Incident, actions=("add", "view")))
register_permission_policy(
    IncidentFollowUp, PrivacyOfficerPolicy(IncidentFollowUp, actions=("add", "view"))
)
register_permission_policy(ReadAccess, PrivacyOfficerPolicy(ReadAccess, actions=("view",)))
register_permission_policy(
    LegalHold, PrivacyOfficerPolicy(LegalHold, actions=("add", "change", "view"))
)
register_permission_policy(Disagreement, CoordinatorReadPolicy(Disagreement))

viewsets.register(PrivacyViewSetGroup())
register_snippet(DisagreementViewSet)
