"""What a host intranet needs before its first participant: the app's three pages and the
three role groups. Idempotent and free of demo data: ``manage.py mentorat_setup`` calls it,
so do the tests, and the demo builder reuses its role definitions.

Nothing already there is changed: a page of the same type under the parent is left as it
is (whatever its slug), and a group only gains the permissions it lacks.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from wagtail.models import Locale, Page, Site

from . import conf

# Group names are data, not interface text: one English name whatever LANGUAGE_CODE is,
# so that a second run (or a change of LANGUAGE_CODE) finds the groups instead of
# duplicating them, and the documentation can name them. A host may rename them afterwards;
# the command would then create the missing ones again.
COORDINATORS = "Mentoring coordinators"
EDITORS = "Mentoring editors"
PRIVACY_OFFICERS = "Privacy officer"

_ANY = ("add", "change", "delete", "view")


@dataclass(frozen=True)
class Role:
    """A group's permissions: model permissions (``app_label.codename``), page permissions
    on the app's pages (Wagtail's ``add``, ``change``, ``publish``...) and permissions on
    the root collection (``app_label.codename``, images and documents)."""

    name: str
    permissions: tuple = ()
    page_permissions: tuple = ()
    collection_permissions: tuple = ()


COORDINATOR_ROLE = Role(
    COORDINATORS,
    permissions=(
        "wagtailadmin.access_admin",
        # Programme staff: the workbench, indicators, circles, imports, outbox, reports.
        "wagtail_mentorat.coordinate_programme",
        *(
            f"wagtail_mentorat.{action}_{model}"
            for model in ("programme", "expertisearea", "participantprofile")
            for action in _ANY
        ),
        # Read only: these change through the lifecycle, never an admin form.
        "wagtail_mentorat.view_pairing",
        "wagtail_mentorat.view_agreement",
        "wagtail_mentorat.view_mentoringrequest",
        # Training: sessions and requests, attendance, the completion reports.
        "mentorat_training.view_completion",
        "mentorat_training.view_quizattempt",
        *(f"mentorat_training.{action}_trainingsession" for action in _ANY),
        "mentorat_training.add_trainingrequest",
        "mentorat_training.change_trainingrequest",
        "mentorat_training.view_trainingrequest",
        "mentorat_training.change_sessionregistration",
        "mentorat_training.view_sessionregistration",
        # The wording of the programme's emails (with revisions) and the reminder schedules.
        *(f"mentorat_notifications.{action}_emailwording" for action in _ANY),
        *(f"mentorat_notifications.{action}_reminderschedule" for action in _ANY),
    ),
)
EDITOR_ROLE = Role(
    EDITORS,
    permissions=("wagtailadmin.access_admin",),
    # On the guides index, the registration page and the training index, and below them:
    # guides, programme pages, learning paths and training modules.
    page_permissions=("add", "change", "publish"),
    # Training modules embed images and documents.
    collection_permissions=(
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ),
)
PRIVACY_ROLE = Role(
    PRIVACY_OFFICERS,
    permissions=("wagtailadmin.access_admin", "mentorat_privacy.privacy_officer"),
)
ROLES = (COORDINATOR_ROLE, EDITOR_ROLE, PRIVACY_ROLE)


# The pages, in the order they are created, with their wording per language. Another
# language gets the English wording; editors reword every page afterwards.
PAGES = (
    (
        "mentorat_guides.GuideIndexPage",
        {
            "fr": {
                "title": "Guides et programmes",
                "slug": "guides",
                "intro": "<p>Mentorat, coaching, supervision : chaque pratique a son but. Ces "
                "guides vous aident à choisir et présentent les programmes de mentorat "
                "offerts.</p>",
            },
            "en": {
                "title": "Guides and programmes",
                "slug": "guides",
                "intro": "<p>Mentoring, coaching, supervision: each practice has its purpose. "
                "These guides help you choose and present the mentoring programmes on "
                "offer.</p>",
            },
        },
    ),
    (
        "wagtail_mentorat.RegistrationPage",
        {
            "fr": {
                "title": "Je veux m'inscrire",
                "slug": "inscription",
                "intro": "<p>Inscrivez-vous comme personne mentorée ou comme mentor. Un mentor "
                "vous sera proposé selon votre lieu de travail et vos besoins.</p>",
                "privacy_notice": "<p>Le programme de mentorat conserve votre profil "
                "(discipline, lieu de travail, champs d'expertise, objectifs), vos demandes et "
                "l'état de vos jumelages, pour vous jumeler et suivre la qualité du "
                "programme. Le contenu de vos rencontres et de votre entente appartient au "
                "duo : votre gestionnaire voit seulement les états et les dates.</p><p>Vous "
                "pouvez télécharger vos données en tout temps à partir de votre espace.</p>",
                "thank_you": "Merci! Votre inscription est enregistrée.",
            },
            "en": {
                "title": "I want to sign up",
                "slug": "sign-up",
                "intro": "<p>Sign up as a mentee or as a mentor. A mentor will be proposed to "
                "you according to your workplace and your needs.</p>",
                "privacy_notice": "<p>The mentoring programme keeps your profile (discipline, "
                "workplace, areas of expertise, goals), your requests and the state of your "
                "pairings, to pair you and to follow the programme's quality. What you say in "
                "your meetings and your agreement belongs to the pair: your manager sees "
                "only states and dates.</p><p>You can download your data at any time from "
                "your space.</p>",
                "thank_you": "Thank you! Your registration is recorded.",
            },
        },
    ),
    (
        "mentorat_training.TrainingIndexPage",
        {
            "fr": {
                "title": "Formation",
                "slug": "formation",
                "intro": "<p>Pour qu'un programme de mentorat réussisse, les mentors, les "
                "personnes mentorées et le personnel du programme doivent être bien formés. "
                "Suivez les modules à votre rythme : vos réponses sont enregistrées et une "
                "attestation est remise à la fin.</p>",
            },
            "en": {
                "title": "Training",
                "slug": "training",
                "intro": "<p>For a mentoring programme to succeed, mentors, mentees and "
                "programme staff need good training. Take the modules at your own pace: your "
                "answers are saved and a certificate is issued at the end.</p>",
            },
        },
    ),
)


class SetupError(Exception):
    """Nothing was written: the message says why and what to do."""


@dataclass
class Report:
    """What the setup created, what was already there, and what it could not do."""

    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    pages: list = field(default_factory=list)  # every page of the app found or created

    def lines(self, dry_run=False):
        verb = "Would create" if dry_run else "Created"
        lines = [f"{verb}: {item}" for item in self.created]
        lines += [f"Already there: {item}" for item in self.existing]
        lines += [f"Note: {note}" for note in self.notes]
        if not self.created:
            lines.append("Everything was already there: nothing to do.")
        elif dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


def parse_page_id(value):
    """The page id given on the command line, or ``SetupError``; checked before any query
    (a 30-digit number would overflow the database's integer)."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise SetupError(f"--parent expects a page id (a positive whole number), not {value!r}.")
    try:
        return Page.objects.get(pk=int(text)).specific
    except ObjectDoesNotExist:
        raise SetupError(f"No page has the id {text}.") from None


def default_parent():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise SetupError(
            "This site has no default Wagtail site: create one (Settings > Sites) or pass "
            "--parent PAGE_ID."
        )
    return site.root_page.specific


def run(parent=None, dry_run=False):
    """Create what is missing and return the :class:`Report`. ``dry_run`` does everything
    in a transaction it then rolls back, so the report is the exact plan."""
    with transaction.atomic():
        report = Report()
        parent = parent or default_parent()
        ensure_pages(parent, report)
        ensure_groups(report, pages=report.pages)
        if dry_run:
            transaction.set_rollback(True)
    return report


# ---------------------------------------------------------------------------- pages


def _language(locale):
    """The wording's language for ``locale``: the app writes French and English."""
    code = locale.language_code.split("-")[0].lower()
    return code if code in ("fr", "en") else "en"


def _locale_name(locale):
    return str(locale.get_display_name() or locale.language_code)


def _page_models():
    """The page types to create, skipping those of an app the host did not install."""
    models = []
    for label, wording in PAGES:
        try:
            models.append((apps.get_model(label), wording))
        except LookupError:
            continue
    return models


def _content_locales(parent_locale, report):
    """The parent's locale first, then (with ``WAGTAIL_I18N_ENABLED``) each other content
    language's; a missing ``Locale`` row is created for a content language only."""
    locales = [parent_locale]
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return locales
    languages = getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", None) or settings.LANGUAGES
    for code, _name in languages:
        locale = Locale.objects.filter(language_code=code).first()
        if locale is None:
            locale = Locale.objects.create(language_code=code)
            report.created.append(f"locale {code}")
        if locale.pk != parent_locale.pk:
            locales.append(locale)
    return locales


def _describe(page):
    return f"{page.specific_class._meta.verbose_name} “{page.title}” (id {page.pk}, " + (
        f"{page.locale.language_code}, under “{page.get_parent().title}”)"
    )


def ensure_pages(parent, report):
    """The guides index, the registration page and the training index under ``parent``
    and under its translation in each other content locale, linked as translations."""
    locales = _content_locales(parent.locale, report)
    parents = {parent.locale.pk: parent}
    for locale in locales[1:]:
        translated = parent.get_translation_or_none(locale)
        if translated is None:
            report.notes.append(
                f"no page in {_locale_name(locale)} ({locale.language_code}): “{parent.title}” "
                f"has no translation in that locale; translate it, then run this again."
            )
        else:
            parents[locale.pk] = translated.specific
    models = _page_models()
    refused = [
        (model, page_parent)
        for page_parent in parents.values()
        for model, _wording in models
        if not model.objects.child_of(page_parent).exists()
        and not model.can_exist_under(page_parent)
    ]
    if refused:
        names = ", ".join(
            f"{model._meta.verbose_name} under “{page_parent.title}” (id {page_parent.pk}, "
            f"{page_parent.specific_class.__name__})"
            for model, page_parent in refused
        )
        raise SetupError(
            f"Refused by the parent page's type: {names} (its subpage_types, or the page "
            "type's parent_page_types, do not allow it). Pass --parent PAGE_ID, the id of a "
            "page that accepts these pages; nothing was written."
        )
    for model, wording in models:
        found = {
            locale.pk: _existing(model, parents[locale.pk])
            for locale in locales
            if locale.pk in parents
        }
        # A page already there in any locale is the one the others translate.
        source = next((page for page in found.values() if page is not None), None)
        for locale in locales:
            if locale.pk not in parents:
                continue
            page = found[locale.pk]
            if page is None and source is not None:
                # Translated already, elsewhere (an editor moved it): left where it is.
                page = source.get_translation_or_none(locale)
                page = page and page.specific
            if page is None:
                page = _create_page(model, wording, parents[locale.pk], source, report)
                source = source or page
            else:
                report.existing.append(f"page {_describe(page)}")
            report.pages.append(page)


def _existing(model, parent):
    """The page of ``model`` under ``parent``, whatever its slug, if any."""
    return model.objects.child_of(parent).first()


def _create_page(model, wording, parent, source, report):
    """A translation of ``source`` (same translation key) in ``parent``'s locale, worded
    in its language, or a new page when there is no ``source``; published."""
    fields = dict(wording[_language(parent.locale)])
    if source is None:
        page = model(locale=parent.locale, show_in_menus=True, **fields)
        if hasattr(page, "privacy_notice_version"):
            page.privacy_notice_version = conf.privacy_notice_version()
        parent.add_child(instance=page)
    else:
        page = source.copy_for_translation(parent.locale)
        for name, value in fields.items():
            setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    report.created.append(f"page {_describe(page)}")
    return page


# --------------------------------------------------------------------------- groups


def _permissions(names):
    """``app_label.codename`` -> Permission, skipping apps the host did not install."""
    found = []
    for name in names:
        app_label, codename = name.split(".")
        try:
            apps.get_app_config(app_label)
        except LookupError:
            continue
        try:
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist:
            raise SetupError(f"The permission {name} is missing: run migrate first.") from None
    return found


def ensure_role(role, group=None, pages=(), report=None):
    """``role``'s permissions on ``group`` (by default the group named after the role,
    created if missing). Adds what is missing, never removes. Returns the group and the
    number of permissions added."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission
    from wagtail.models.content_types import get_default_page_content_type

    created = False
    if group is None:
        group, created = Group.objects.get_or_create(name=role.name)
    added = 0
    wanted = _permissions(role.permissions)
    have = set(group.permissions.values_list("pk", flat=True))
    missing = [permission for permission in wanted if permission.pk not in have]
    group.permissions.add(*missing)
    added += len(missing)
    if role.page_permissions and pages:
        page_type = get_default_page_content_type()
        for action in role.page_permissions:
            permission = Permission.objects.get(
                content_type=page_type, codename=f"{action}_{page_type.model}"
            )
            for page in pages:
                _, new = GroupPagePermission.objects.get_or_create(
                    group=group, page_id=page.pk, permission=permission
                )
                added += new
    collection = Collection.get_first_root_node() if role.collection_permissions else None
    if collection is not None:
        for permission in _permissions(role.collection_permissions):
            _, new = GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission
            )
            added += new
    if report is not None:
        if created:
            report.created.append(f"group “{group.name}” with {added} permissions")
        elif added:
            report.created.append(f"{added} missing permissions in the group “{group.name}”")
        else:
            report.existing.append(f"group “{group.name}” with its permissions")
    return group, added


def ensure_groups(report=None, pages=()):
    """The three role groups; the editors' page permissions are on ``pages``."""
    report = report if report is not None else Report()
    for role in ROLES:
        ensure_role(role, pages=pages, report=report)
    return report
