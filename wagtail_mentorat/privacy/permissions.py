"""Who sees the privacy registers: the ``privacy_officer`` permission only."""

from wagtail.permission_policies import ModelPermissionPolicy

PERMISSION = "mentorat_privacy.privacy_officer"


def is_privacy_officer(user):
    return bool(user and user.is_active and user.has_perm(PERMISSION))


class PrivacyOfficerPolicy(ModelPermissionPolicy):
    """Only privacy officers, and only the ``actions`` given: the incident register is
    append-only (``add`` and ``view``), the read audit read-only (``view``)."""

    def __init__(self, model, actions=("view",), **kwargs):
        super().__init__(model, **kwargs)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_privacy_officer(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions & set(actions)) and is_privacy_officer(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions, **kwargs):
        if not self.actions & set(actions):
            return self.user_model._default_manager.none()
        return super().users_with_any_permission(["view"], **kwargs)


class CoordinatorReadPolicy(ModelPermissionPolicy):
    """Programme staff (and privacy officers) read; nobody writes through the admin."""

    def _reads(self, user):
        from wagtail_mentorat.rules import is_coordinator

        return is_coordinator(user) or is_privacy_officer(user)

    def user_has_permission(self, user, action):
        return action == "view" and self._reads(user)

    def user_has_any_permission(self, user, actions):
        return "view" in set(actions) and self._reads(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)
