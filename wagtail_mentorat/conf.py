"""The app's settings: one dictionary, ``WAGTAIL_MENTORAT = {...}`` in the host's settings.

Read when used, never at import, so ``override_settings`` works and a host may set them
in any order. Every key, its default and its meaning are declared once in ``SETTINGS``;
the settings reference of the documentation (docs/*/integration/settings.md) is generated
from it when the documentation is built.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Setting:
    default: object
    doc: str
    # The meaning in French, for the French settings reference (docs/fr); the docs build
    # fails on a key without one.
    doc_fr: str = ""


SETTINGS = {
    "PRIVACY_NOTICE_VERSION": Setting(
        "2026-01",
        "The version of the privacy notice participants consent to.",
        doc_fr="La version de l'avis de confidentialité à laquelle les participants consentent.",
    ),
    "BASE_TEMPLATE": Setting(
        "base.html",
        "The host's base template that the app's pages extend (blocks `title` and `content`).",
        doc_fr=(
            "Le gabarit de base du site hôte qu'étendent les pages de l'app (blocs `title` et"
            " `content`)."
        ),
    ),
    "ADMIN_MENU": Setting(
        "grouped",
        '`"grouped"`: one top-level "Mentoring" ("Mentorat") menu in the Wagtail admin; '
        '`"flat"`: its items at the top level (emails, training and privacy stay submenus).',
        doc_fr=(
            '`"grouped"` : un seul menu « Mentorat » (« Mentoring ») au premier niveau de '
            'l\'administration Wagtail ; `"flat"` : ses entrées au premier niveau (courriels, '
            "formation et confidentialité restent des sous-menus)."
        ),
    ),
    # Notifications (wagtail_mentorat.notifications; readers in notifications/conf.py)
    "NOTIFICATIONS_MAX_ATTEMPTS": Setting(
        8,
        "Sending attempts of one email (transient failures) before it is marked failed.",
        doc_fr=(
            "Tentatives d'envoi d'un courriel (échecs passagers) avant qu'il soit marqué en échec."
        ),
    ),
    "NOTIFICATIONS_RETRY_BASE_SECONDS": Setting(
        60,
        "The first retry waits this long; each next one twice as long.",
        doc_fr=(
            "La première nouvelle tentative attend ce délai ; chacune des suivantes, deux "
            "fois plus."
        ),
    ),
    "NOTIFICATIONS_RETRY_MAX_SECONDS": Setting(
        3600,
        "The longest wait between two retries.",
        doc_fr="L'attente la plus longue entre deux tentatives.",
    ),
    "NOTIFICATIONS_STUCK_AFTER_MINUTES": Setting(
        15,
        'An email left "sending" longer than this is shown for review, never resent.',
        doc_fr=(
            "Un courriel resté « en cours d'envoi » plus longtemps est signalé pour "
            "vérification, jamais renvoyé."
        ),
    ),
    "NOTIFICATIONS_FLUSH_GRACE_MINUTES": Setting(
        5,
        "The sweep enqueues a pending email again only this long after it was due.",
        doc_fr=(
            "Le balayage ne remet en file un courriel en attente que ce délai après son échéance."
        ),
    ),
    "NOTIFICATIONS_BATCH_SIZE": Setting(
        1000,
        "Pairings read per batch by the daily sweep.",
        doc_fr="Jumelages lus par lot par le balayage quotidien.",
    ),
    "NOTIFICATIONS_END_REMINDER_DAYS": Setting(
        (30, 7),
        "Days before a pairing's planned end when its members are reminded.",
        doc_fr="Jours avant la fin prévue d'un jumelage où ses membres reçoivent un rappel.",
    ),
    "NOTIFICATIONS_REVIEW_REMINDER_DAYS": Setting(
        7,
        "Days before a review's due date when the members are reminded.",
        doc_fr="Jours avant l'échéance d'un bilan où les membres reçoivent un rappel.",
    ),
    "NOTIFICATIONS_ESCALATE_AFTER_HOURS": Setting(
        24,
        "Hours past a deadline before programme staff are told.",
        doc_fr="Heures après une échéance dépassée avant que l'équipe de programme soit avisée.",
    ),
    "NOTIFICATIONS_DIGEST_WEEKDAY": Setting(
        0,
        "The day of the managers' weekly digest (0 = Monday, 7 = never).",
        doc_fr="Le jour du résumé hebdomadaire des gestionnaires (0 = lundi, 7 = jamais).",
    ),
    "NOTIFICATIONS_BASE_URL": Setting(
        None,
        "The intranet's public address for links in emails; else `WAGTAILADMIN_BASE_URL`.",
        doc_fr=(
            "L'adresse publique de l'intranet pour les liens des courriels ; sinon "
            "`WAGTAILADMIN_BASE_URL`."
        ),
    ),
    "NOTIFICATIONS_FROM_EMAIL": Setting(
        None,
        "The emails' sender; else `DEFAULT_FROM_EMAIL`.",
        doc_fr="L'expéditeur des courriels ; sinon `DEFAULT_FROM_EMAIL`.",
    ),
    "NOTIFICATIONS_REQUIRE_WEBHOOK_SECRET": Setting(
        True,
        "Refuse every delivery-tracking webhook call while anymail's secret is not set.",
        doc_fr=(
            "Refuser tout appel des webhooks de suivi de livraison tant que le secret "
            "d'anymail n'est pas défini."
        ),
    ),
    # Retention (wagtail_mentorat.privacy, `manage.py mentorat_retention`)
    "RETENTION_DAYS": Setting(
        730,
        "Days records are kept after their purpose ends, for every kind not in `RETENTION`.",
        doc_fr=(
            "Jours de conservation des dossiers après la fin de leur finalité, pour chaque "
            "type absent de `RETENTION`."
        ),
    ),
    "RETENTION": Setting(
        {},
        "Days per kind, overriding `RETENTION_DAYS`: `pairings`, `profiles`, `training`, "
        "`outbox`, `read_audit`, `login_records`.",
        doc_fr=(
            "Jours par type, à la place de `RETENTION_DAYS` : `pairings`, `profiles`, "
            "`training`, `outbox`, `read_audit`, `login_records`."
        ),
    ),
    # Quality indicators (wagtail_mentorat.indicators)
    "INDICATORS_MIN_GROUP": Setting(
        5,
        "The smallest group a breakdown is shown for (privacy).",
        doc_fr="Le plus petit groupe pour lequel une ventilation est affichée (confidentialité).",
    ),
    # Help inside the product (wagtail_mentorat.help)
    "DOCS_URL": Setting(
        None,
        "The address of the user guides (the built documentation, one folder per language): "
        "each screen's help link leads to `<DOCS_URL><language>/<page>.html`. `None` (the "
        "default) shows no help link: publish the guides first (the demo serves them at "
        "`/docs/`).",
        doc_fr=(
            "L'adresse des guides d'utilisation (la documentation construite, un dossier par "
            "langue) : le lien d'aide de chaque écran mène à `<DOCS_URL><langue>/<page>.html`. "
            "`None` (par défaut) n'affiche aucun lien d'aide : publiez d'abord les guides (la "
            "démo les sert à `/docs/`)."
        ),
    ),
}


def host_values():
    """The host's ``WAGTAIL_MENTORAT`` dict (empty when unset; the system checks report a
    value that is not a dict)."""
    values = getattr(settings, "WAGTAIL_MENTORAT", None) or {}
    return values if isinstance(values, dict) else {}


def get(name, default=None):
    """The host's value for ``name``, else its declared default, else ``default``.

    The former names (``WAGTAIL_MENTORAT_<KEY>``, ``MENTORAT_RETENTION``...) are not read:
    nothing was released with them; a system check (W005) names any still set."""
    values = host_values()
    if name in values:
        return values[name]
    if name in SETTINGS:
        return SETTINGS[name].default
    return default


def privacy_notice_version():
    """The version of the privacy notice participants consent to."""
    return get("PRIVACY_NOTICE_VERSION")


def base_template():
    """The host's base template, extended by ``wagtail_mentorat/base.html``."""
    return get("BASE_TEMPLATE")


def admin_menu_grouped():
    """Whether the admin screens sit in one "Mentoring" menu (read per request)."""
    return get("ADMIN_MENU") != "flat"


def retention_days(kind):
    """Days a kind of record is kept after its purpose ends (privacy.retention.KINDS)."""
    overrides = get("RETENTION") or {}
    return int(overrides.get(kind, get("RETENTION_DAYS")))


def indicators_min_group():
    """The smallest group an indicators breakdown is shown for (privacy)."""
    return int(get("INDICATORS_MIN_GROUP"))


def _shown(value):
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


HEADERS = {"en": ("key", "default", "meaning"), "fr": ("clé", "valeur par défaut", "signification")}


def settings_table(language="en"):
    """The settings reference table (Markdown), generated from ``SETTINGS``, in English or
    French (the documentation's ``{mentorat-settings}`` directive)."""
    french = language == "fr"
    lines = ["| {} | {} | {} |".format(*HEADERS["fr" if french else "en"]), "|---|---|---|"]
    lines += [
        f"| `{key}` | {_shown(s.default)} | {(s.doc_fr or s.doc) if french else s.doc} |"
        for key, s in SETTINGS.items()
    ]
    return "\n".join(lines) + "\n"
