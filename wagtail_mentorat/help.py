"""Help inside the product: each screen links to its page of the user guides, in the
person's language.

The guides are the documentation's ``docs/<language>/`` source trees (``docs/fr``,
``docs/en``), built by Sphinx into ``<language>/<page>.html``. Their address is the
setting ``WAGTAIL_MENTORAT["DOCS_URL"]``: a host points it at wherever it publishes the
guides (the demo intranet: ``/docs/``, where it serves what ``make docs`` builds); unset
(``None``), no help link is shown, rather than links to pages the host does not have.

Screens name their page by a key of :data:`PAGES`, so one table says which page of the
guides documents which screen (tests/docs checks each page exists in both languages).
"""

from django.utils.translation import get_language

from . import conf

# The languages the guides are written in; any other language reads the English ones.
LANGUAGES = ("fr", "en")
FALLBACK_LANGUAGE = "en"

# Screen (or guide) → page of the guides: its path under docs/<language>/, without ".md".
PAGES = {
    # The participant's and manager's front end.
    "participant": "participant/index",
    "space": "participant/index",
    "registration": "participant/register",
    "preferences": "participant/register",
    "offers": "participant/register",
    "pairing": "participant/meetings",
    "training": "participant/training",
    "thread": "participant/help",
    "circles": "participant/circles",
    "circle": "participant/circles",
    "circle_thread": "participant/circles",
    "calendar": "participant/calendar",
    "confidentiality": "confidentiality",
    "manager": "manager/index",
    "manager_team": "manager/approve",
    "manager_transfer": "manager/follow",
    # The coordinator's admin screens.
    "coordinator": "coordinator/index",
    "pool": "coordinator/pool",
    "import": "coordinator/import",
    "workbench": "coordinator/matching",
    "checkins": "coordinator/follow-up",
    "admin_pairing": "coordinator/follow-up",
    "disagreement": "coordinator/follow-up",
    "indicators": "coordinator/indicators",
    "assessment": "coordinator/indicators",
    "admin_circles": "coordinator/circles",
    # The editor's guide (the admin's help menu).
    "editor": "editor/index",
}


def docs_url():
    """The guides' base address (ends with "/"), or "" when no help link is shown."""
    base = conf.get("DOCS_URL")
    if not base:
        return ""
    return str(base).rstrip("/") + "/"


def language(code=None):
    """The guides' language for a Django language code ("fr-ca" reads the French ones)."""
    code = (code or get_language() or "").lower().split("-")[0]
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


def help_url(key, language_code=None):
    """The address of the guides' page for ``key`` (a key of :data:`PAGES`) in the
    person's language, or "" when the host shows no help link. An unknown key is a
    programming error (KeyError), caught by the tests."""
    page = PAGES[key]
    base = docs_url()
    if not base:
        return ""
    return f"{base}{language(language_code)}/{page}.html"
