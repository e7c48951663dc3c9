"""Template context shared by every page of the demo intranet.

Every page shows the same header: the home page's menu children and, for those who may
use it, a link to the administration. Both are read once and kept in Django's cache
(:class:`wagtail_mentorat.caching.Generation`), not on every request: the menu until a
page is published, unpublished, moved or deleted; whether a person may enter the
administration until a user, group or permission changes (:func:`connect`, from the
home app's ``ready``).
"""

from django.conf import settings
from django.utils.translation import get_language
from wagtail.models import Site

from wagtail_mentorat.caching import PAGES, Generation

# Whether each person may enter the Wagtail admin (the header's link); the admin itself
# checks the permission on every request.
ADMIN_ACCESS = Generation("intranet:admin_access")


def navigation(request):
    """The site name, the home page's menu children in the visitor's language (title and
    address) and ``can_access_admin``, a callable the template calls only when it needs
    it."""
    context = {"settings_site_name": settings.WAGTAIL_SITE_NAME, "nav_pages": []}
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return context
    # The host (and port) names the site; the language, the translation of the menu.
    context["nav_pages"] = PAGES.get_or_set(
        ("intranet_menu", request.get_host(), get_language()), lambda: _menu(request)
    )
    context["can_access_admin"] = lambda: can_access_admin(user)
    return context


def _menu(request):
    site = Site.find_for_request(request)
    if site is None:
        return []
    root = site.root_page.localized
    pages = root.get_children().live().in_menu().only("id", "title", "url_path")
    return [{"title": page.title, "url": page.get_url(request)} for page in pages]


def can_access_admin(user):
    """Whether ``user`` holds ``wagtailadmin.access_admin`` (superusers do), from the cache."""
    return ADMIN_ACCESS.get_or_set(
        ("user", user.pk), lambda: user.has_perm("wagtailadmin.access_admin")
    )


def connect():
    """Drop the cached admin access when what grants it changes: a user's groups or
    permissions, a group's permissions, a user saved (active, superuser) or deleted, a
    group or permission deleted."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            ADMIN_ACCESS.bump, sender=through, dispatch_uid=f"intranet_admin_{through.__name__}"
        )
    for model in (User, Group, Permission):
        post_delete.connect(
            ADMIN_ACCESS.bump, sender=model, dispatch_uid=f"intranet_admin_del_{model.__name__}"
        )
    post_save.connect(_user_saved, sender=User, dispatch_uid="intranet_admin_user_saved")


def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    # A login saves last_login only: nothing that grants access changed.
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    ADMIN_ACCESS.bump()
