"""The app's one entry in the Wagtail admin sidebar: "Mentoring" ("Mentorat").

Every screen of the app registers its menu item with the Wagtail hook :data:`MENU_HOOK`
(a function returning a ``MenuItem``, or a viewset whose ``menu_hook`` names it); the
"Mentoring" group (:class:`~wagtail_mentorat.admin.viewsets.MentoratViewSetGroup`) gathers
them. Each item keeps its own visibility check, so a role sees only what it may use, and
the group is hidden when none is shown. A host may add its own items with the same hook.

``WAGTAIL_MENTORAT["ADMIN_MENU"] = "flat"`` puts the items at the top level instead. It is
decided per request (``construct_main_menu``), so ``override_settings`` works.
"""

import copy

from .. import conf

MENU_HOOK = "register_mentorat_menu_item"
MENU_NAME = "mentorat"

# The items' order in the "Mentoring" menu (the snippets' viewsets take 1 to 6).
ORDER = {
    "workbench": 0,
    "disagreements": 7,
    "closures": 8,
    "circles": 850,
    "import": 900,
    "indicators": 910,
    "emails": 920,
    "training": 930,
    "privacy": 940,
}


def flatten(request, menu_items):
    """With the flat setting, the "Mentoring" group's items (those this user may see)
    take its place at the top level, in its order."""
    if conf.admin_menu_grouped():
        return
    for index, item in enumerate(menu_items):
        if item.name == MENU_NAME:
            children = sorted(item.menu.menu_items_for_request(request), key=lambda i: i.order)
            menu_items[index : index + 1] = [
                _placed(child, item.order + (position + 1) / 1000)
                for position, child in enumerate(children)
            ]
            return


def _placed(item, order):
    """A copy of ``item`` with a top-level ``order``: menu items are shared by every
    request and must not be changed."""
    item = copy.copy(item)
    item.order = order
    return item
