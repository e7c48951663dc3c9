"""Permission policies: some records change only through the lifecycle, never a form."""

from wagtail.permission_policies import ModelPermissionPolicy

WRITE_ACTIONS = frozenset({"add", "change", "delete"})


class LifecycleOnlyPolicy(ModelPermissionPolicy):
    """Lists and inspection follow the model's permissions; nobody, superusers included,
    adds, edits or deletes through the generic admin forms (the rules live in
    :mod:`wagtail_mentorat.lifecycle`)."""

    def user_has_permission(self, user, action):
        return action not in WRITE_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, set(actions) - WRITE_ACTIONS)

    def user_has_permission_for_instance(self, user, action, instance):
        return action not in WRITE_ACTIONS and super().user_has_permission_for_instance(
            user, action, instance
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return super().user_has_any_permission_for_instance(
            user, set(actions) - WRITE_ACTIONS, instance
        )
