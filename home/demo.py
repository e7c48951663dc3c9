"""The demo intranet: site, home page and one account per role.

Every function is idempotent: it finds what a previous run made and leaves it as
it is, so `mentorat_demo` can run on every `make run`.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Locale, Page, Site

from home.models import ContentPage, HomePage
from wagtail_mentorat import setup
from wagtail_mentorat.models import ParticipantProfile

DEMO_PASSWORD = "mentorat-demo"
COORDINATORS_GROUP = "Coordination du programme"
MANAGERS_GROUP = "Gestionnaires"
PRIVACY_GROUP = "Protection des renseignements personnels"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str
    discipline: str = ""
    site: str = ""
    unit: str = ""
    reports_to: str = ""


ACCOUNTS = [
    DemoAccount("redaction", "Camille", "Gagnon", "content editor / rédactrice"),
    # A second pair of eyes before publication: Camille submits, Mathieu approves (Wagtail's
    # default workflow, named "Approbation des modérateurs" by name_default_workflow);
    # guides and training speak of clinical practice.
    DemoAccount(
        "approbation",
        "Mathieu",
        "Caron",
        "content approver (Moderators) / approbateur du contenu",
    ),
    DemoAccount(
        "confidentialite",
        "Nadia",
        "Lavoie",
        "privacy officer / responsable de la protection des renseignements personnels",
    ),
    DemoAccount(
        "coordination",
        "Sophie",
        "Tremblay",
        "coordinator / coordonnatrice (APPR)",
        "Agente de planification",
        "Siège social",
        "Direction des services multidisciplinaires",
    ),
    DemoAccount(
        "coordination2",
        "Julien",
        "Morin",
        "coordinator of one programme only / coordonnateur d'un seul programme (APPR)",
    ),
    DemoAccount(
        "gestionnaire",
        "Marc",
        "Bouchard",
        "manager / gestionnaire",
        "Gestion",
        "CLSC de Limoilou",
        "Services sociaux généraux",
    ),
    DemoAccount(
        "mentor1",
        "Isabelle",
        "Roy",
        "mentor",
        "Travail social",
        "CLSC de Limoilou",
        "Services sociaux généraux",
    ),
    DemoAccount(
        "mentor2",
        "Jean-François",
        "Côté",
        "mentor",
        "Soins infirmiers",
        "Hôpital de l'Enfant-Jésus",
        "Soins à domicile",
    ),
    DemoAccount(
        "mentore1",
        "Amélie",
        "Pelletier",
        "mentee / mentorée",
        "Travail social",
        "CLSC de Limoilou",
        "Services sociaux généraux",
        "gestionnaire",
    ),
    DemoAccount(
        "mentore2",
        "Karim",
        "Benali",
        "mentee / mentoré",
        "Soins infirmiers",
        "CLSC de Limoilou",
        "Services sociaux généraux",
        "gestionnaire",
    ),
    # Registered by her manager: her space asks her to confirm (A-2.1: her own consent).
    DemoAccount(
        "mentore6",
        "Émilie",
        "Dubé",
        "registered by her manager, to confirm / inscrite par son gestionnaire, à confirmer",
        "Travail social",
        "CLSC de Limoilou",
        "Services sociaux généraux",
        "gestionnaire",
    ),
]

HOME_FR = {
    "title": "Intranet du CISSS — Mentorat",
    "intro": (
        "<p>Bienvenue dans l'espace mentorat de l'intranet. Le mentorat soutient le "
        "développement des compétences par le transfert d'expertise, de connaissances "
        "et de ressources.</p>"
    ),
}
HOME_EN = {
    "title": "CISSS Intranet — Mentoring",
    "intro": (
        "<p>Welcome to the intranet's mentoring space. Mentoring supports the development "
        "of skills through the transfer of expertise, knowledge and resources.</p>"
    ),
}
ABOUT_FR = {
    "title": "Le mentorat au CISSS",
    "slug": "le-mentorat",
    "intro": (
        "Une relation de soutien et d'échanges visant le développement des compétences. "
        "Le mentor agit à titre de guide, de conseiller et de modèle."
    ),
    "body": [
        ("heading", "Mentorat, coaching ou supervision?"),
        (
            "paragraph",
            "<p>Le mentorat n'est ni de la supervision ni du coaching : c'est une relation "
            "confidentielle, sur quelques mois, entre un intervenant expérimenté et un "
            "collègue qui développe une compétence. La durée maximale est de six mois, avec "
            "un bilan à la mi-temps et à la fin.</p>",
        ),
    ],
}
ABOUT_EN = {
    "title": "Mentoring at the CISSS",
    "slug": "mentoring",
    "intro": (
        "A supportive relationship of exchange aimed at developing skills. The mentor acts "
        "as a guide, an adviser and a role model."
    ),
    "body": [
        ("heading", "Mentoring, coaching or supervision?"),
        (
            "paragraph",
            "<p>Mentoring is neither supervision nor coaching: it is a confidential "
            "relationship, over a few months, between an experienced practitioner and a "
            "colleague developing a skill. It lasts six months at most, with a review at "
            "mid-term and at the end.</p>",
        ),
    ],
}


def ensure_groups():
    """Programme staff and the privacy officer reach the Wagtail admin with the package's
    role permissions (``mentorat_setup``'s), on the demo's French-named groups; managers
    stay on the front end; the content editor is in Wagtail's own "Editors" group (the
    whole demo tree), the content approver in Wagtail's "Moderators" group (publishes, and
    approves what editors submit)."""
    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    setup.ensure_role(setup.COORDINATOR_ROLE, group=coordinators)
    managers, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    # The incident register and the read audit (Quebec's ), in the Wagtail admin.
    privacy, _ = Group.objects.get_or_create(name=PRIVACY_GROUP)
    setup.ensure_role(setup.PRIVACY_ROLE, group=privacy)
    editors = Group.objects.get(name="Editors")
    moderators = Group.objects.get(name="Moderators")
    # The editor's guide translates a page (Wagtail's "Translate", simple_translation): its
    # permission is given to no group by Wagtail's migrations.
    translate = Permission.objects.get(
        content_type__app_label="simple_translation", codename="submit_translation"
    )
    editors.permissions.add(translate)
    moderators.permissions.add(translate)
    return {
        "editors": editors,
        "moderators": moderators,
        "coordinators": coordinators,
        "managers": managers,
        "privacy": privacy,
    }


# Wagtail's migrations create the default workflow and its one task named in English;
# the admin prints the name as it is stored ("Soumettre à Moderators approval"). The demo,
# French first, names them in French; a name changed by hand is left as it is.
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"
WORKFLOW_NAME = "Approbation des modérateurs"


def name_default_workflow():
    from wagtail.models import Task, Workflow

    for model in (Workflow, Task):
        model.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).update(name=WORKFLOW_NAME)


def ensure_accounts():
    """One account per role; passwords are set only when an account is created."""
    User = get_user_model()
    groups = ensure_groups()
    users = {}
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@intranet.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[account.username] = user
    groups["editors"].user_set.add(users["redaction"])
    groups["moderators"].user_set.add(users["approbation"])
    groups["coordinators"].user_set.add(users["coordination"], users["coordination2"])
    groups["managers"].user_set.add(users["gestionnaire"])
    groups["privacy"].user_set.add(users["confidentialite"])
    for account in ACCOUNTS:
        if not account.discipline:
            continue
        ParticipantProfile.objects.get_or_create(
            user=users[account.username],
            defaults={
                "discipline": account.discipline,
                "site": account.site,
                "unit": account.unit,
                "superior": users.get(account.reports_to),
            },
        )
    return users


def _streamfield(items):
    return [{"type": kind, "value": value} for kind, value in items]


def ensure_site():
    """The French home page as the default site's root, with its English translation."""
    french = Locale.get_default()
    english, _ = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=french).first()
    if home is None:
        home = root.add_child(instance=HomePage(locale=french, slug="accueil", **HOME_FR))
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    if site.root_page_id != home.id:
        placeholder = site.root_page
        site.root_page = home
        site.site_name = "Intranet"
        site.save()
        if placeholder.specific_class is Page and not placeholder.get_children().exists():
            placeholder.delete()  # Wagtail's "Welcome to your new Wagtail site!" page
    home_en = _ensure_translation(home, english, HOME_EN)
    about = ContentPage.objects.filter(locale=french, slug=ABOUT_FR["slug"]).first()
    if about is None:
        about = home.add_child(
            instance=ContentPage(
                locale=french,
                show_in_menus=True,
                title=ABOUT_FR["title"],
                slug=ABOUT_FR["slug"],
                intro=ABOUT_FR["intro"],
                body=_streamfield(ABOUT_FR["body"]),
            )
        )
        about.save_revision().publish()
    _ensure_translation(about, english, ABOUT_EN)
    return {"home": home, "home_en": home_en, "about": about}


def _ensure_translation(page, locale, fields):
    """The page's translation in ``locale``, created and published once."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        if name == "body":
            value = _streamfield(value)
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def ensure_app_pages(home):
    """The app's pages (guides index, registration page, training index) in French and in
    English, made by ``mentorat_setup`` as on any host: the demo shows what a host gets."""
    report = setup.Report()
    setup.ensure_pages(home, report)
    return report.pages


@transaction.atomic
def build():
    users = ensure_accounts()
    name_default_workflow()
    pages = ensure_site()
    ensure_app_pages(pages["home"])
    from training import demo as training_demo

    training_demo.build(pages["home"])
    from home import demo_mentoring
    from home import demo_notifications as notifications_demo

    notifications_demo.build(users)
    programmes = demo_mentoring.build(users)
    from home import demo_guides as guides_demo

    guides = guides_demo.build(
        pages["home"], [programmes[demo_mentoring.CISSS], programmes[demo_mentoring.SERVICE]]
    )
    return {"users": users, "programmes": programmes, "guides": guides, **pages}
