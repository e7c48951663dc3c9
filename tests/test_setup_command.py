"""``manage.py mentorat_setup`` on a fresh database (Wagtail's migrations only: a root page
and a default site whose root is a welcome page of type ``Page``): the pages, their
translations, the role groups, and what each role may then do."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Locale, Page, Site

from wagtail_mentorat import setup
from wagtail_mentorat.guides.models import GuideIndexPage
from wagtail_mentorat.models import RegistrationPage
from wagtail_mentorat.training.models import TrainingIndexPage

pytestmark = pytest.mark.django_db

APP_PAGES = (GuideIndexPage, RegistrationPage, TrainingIndexPage)
ENGLISH_ONLY = {
    "LANGUAGES": [("en", "English")],
    "WAGTAIL_CONTENT_LANGUAGES": [("en", "English")],
    "LANGUAGE_CODE": "en",
}


def run(*args):
    out = io.StringIO()
    call_command("mentorat_setup", *args, stdout=out)
    return out.getvalue()


def welcome():
    return Site.objects.get(is_default_site=True).root_page


@pytest.fixture
def english_welcome():
    """The welcome page translated into English, as a bilingual host has its home page."""
    english, _ = Locale.objects.get_or_create(language_code="en")
    page = welcome().copy_for_translation(english)
    page.save_revision().publish()
    return page


def snapshot():
    """Everything the command may write: pages, locales, groups and their permissions."""
    return {
        "pages": sorted(
            (
                page.pk,
                page.title,
                page.slug,
                page.locale.language_code,
                str(page.translation_key),
                page.get_parent().pk,
                page.live,
                page.specific_class.__name__,
            )
            for page in Page.objects.filter(depth__gt=1).select_related("locale")
        ),
        "locales": sorted(Locale.objects.values_list("language_code", flat=True)),
        "groups": {
            group.name: sorted(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.all()
        },
        "page_permissions": sorted(
            GroupPagePermission.objects.values_list(
                "group__name", "page_id", "permission__codename"
            )
        ),
        "collection_permissions": sorted(
            GroupCollectionPermission.objects.values_list(
                "group__name", "collection_id", "permission__codename"
            )
        ),
    }


def app_pages():
    return [page for model in APP_PAGES for page in model.objects.order_by("locale__language_code")]


def test_twice_gives_the_same_tree_groups_and_permissions(english_welcome):
    first = run()
    after_first = snapshot()
    second = run()
    assert snapshot() == after_first
    assert "Created: page guides index “Guides et programmes”" in first
    assert "Created: group “Mentoring coordinators”" in first
    assert "Created:" not in second
    assert "Everything was already there" in second
    assert second.count("Already there: page") == 6
    assert "Already there: group “Privacy officer” with its permissions" in second


def test_each_page_in_french_and_english_linked_as_translations_and_published(english_welcome):
    run()
    home = welcome()
    for model, french, english in [
        (GuideIndexPage, ("Guides et programmes", "guides"), ("Guides and programmes", "guides")),
        (RegistrationPage, ("Je veux m'inscrire", "inscription"), ("I want to sign up", "sign-up")),
        (TrainingIndexPage, ("Formation", "formation"), ("Training", "training")),
    ]:
        fr = model.objects.child_of(home).get()
        en = model.objects.child_of(english_welcome).get()
        assert (fr.locale.language_code, en.locale.language_code) == ("fr", "en")
        assert (fr.title, fr.slug) == french
        assert (en.title, en.slug) == english
        assert fr.translation_key == en.translation_key
        for page in (fr, en):
            assert page.live and page.show_in_menus and not page.has_unpublished_changes
            assert page.live_revision_id is not None and page.intro.startswith("<p>")
    assert (
        "programme de mentorat conserve"
        in RegistrationPage.objects.get(locale__language_code="fr").privacy_notice
    )
    assert (
        "mentoring programme keeps"
        in RegistrationPage.objects.get(locale__language_code="en").privacy_notice
    )


def test_a_home_page_without_translation_gets_its_own_language_only_and_a_note():
    out = run()
    assert {page.locale.language_code for page in app_pages()} == {"fr"}
    assert len(app_pages()) == 3
    assert "has no translation in that locale" in out
    assert "Created: locale en" in out  # a content language of the host, without its row


def test_another_content_language_gets_the_english_wording():
    languages = [("fr", "Français"), ("de", "Deutsch")]
    with override_settings(LANGUAGES=languages, WAGTAIL_CONTENT_LANGUAGES=languages):
        german = Locale.objects.create(language_code="de")
        welcome().copy_for_translation(german).save_revision().publish()
        run()
    german_pages = {page.title for page in app_pages() if page.locale_id == german.pk}
    assert german_pages == {"Guides and programmes", "I want to sign up", "Training"}
    assert not Locale.objects.filter(language_code="en").exists()  # not a content language


def test_dry_run_prints_the_plan_and_writes_nothing(english_welcome):
    before = snapshot()
    out = run("--dry-run")
    assert snapshot() == before
    assert "Would create: page training index “Training”" in out
    assert "Would create: group “Mentoring editors”" in out
    assert "Dry run: nothing was written." in out


def test_a_page_already_there_is_left_as_it_is_whatever_its_slug():
    home = welcome()
    mine = home.add_child(instance=TrainingIndexPage(title="Learn with us", slug="learn"))
    run()
    assert list(TrainingIndexPage.objects.all()) == [mine]
    mine.refresh_from_db()
    assert (mine.title, mine.slug) == ("Learn with us", "learn")


def test_an_existing_group_gains_what_it_lacks_and_keeps_what_it_has():
    group = Group.objects.create(name=setup.COORDINATORS)
    extra = Permission.objects.get(codename="add_redirect")
    group.permissions.add(extra)
    out = run()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_redirect", "coordinate_programme", "access_admin", "view_pairing"} <= codenames
    assert "missing permissions in the group “Mentoring coordinators”" in out
    assert Group.objects.filter(name=setup.COORDINATORS).count() == 1


def test_parent_puts_the_pages_under_that_page():
    section = welcome().add_child(instance=Page(title="Intranet section", slug="section"))
    out = run("--parent", str(section.pk))
    assert {page.get_parent().pk for page in app_pages()} == {section.pk}
    assert "under “Intranet section”" in out
    assert not Page.objects.child_of(welcome()).exclude(pk=section.pk).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "expects a page id"),
        ("1" * 30, "expects a page id"),
        ("0", "expects a page id"),
        ("987654", "No page has the id 987654"),
    ],
)
def test_a_bad_parent_is_a_clear_error_and_writes_nothing(value, message):
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        run("--parent", value)
    assert snapshot() == before


def test_a_parent_that_refuses_the_page_types_is_an_error_suggesting_parent():
    guides = welcome().add_child(instance=GuideIndexPage(title="Guides", slug="guides"))
    before = snapshot()
    with pytest.raises(CommandError, match=r"Refused by the parent.*--parent PAGE_ID"):
        run("--parent", str(guides.pk))
    assert snapshot() == before


def test_an_english_only_host_gets_english_pages_only():
    Locale.objects.update(language_code="en")  # its migrations ran with LANGUAGE_CODE "en"
    with override_settings(**ENGLISH_ONLY):
        run()
    assert sorted(page.title for page in app_pages()) == [
        "Guides and programmes",
        "I want to sign up",
        "Training",
    ]
    assert list(Locale.objects.values_list("language_code", flat=True)) == ["en"]


# ------------------------------------------------------------------------------ roles


@pytest.fixture
def people(english_welcome):
    run()
    User = get_user_model()
    clients = {}
    for key, group in [
        ("coordinator", setup.COORDINATORS),
        ("editor", setup.EDITORS),
        ("privacy", setup.PRIVACY_OFFICERS),
    ]:
        user = User.objects.create_user(key, f"{key}@example.org", "x")
        user.groups.add(Group.objects.get(name=group))
        clients[key] = Client()
        clients[key].force_login(user)
    return clients


def screens():
    guides = GuideIndexPage.objects.get(locale__language_code="fr")
    training_en = TrainingIndexPage.objects.get(locale__language_code="en")
    return {
        "workbench": reverse("mentorat_workbench"),
        "programmes": reverse("wagtailsnippets_wagtail_mentorat_programme:list"),
        "training sessions": reverse("training_sessions:index"),
        "indicators": reverse("mentorat_indicators:dashboard"),
        "edit guides index": reverse("wagtailadmin_pages:edit", args=[guides.pk]),
        "add a guide": reverse(
            "wagtailadmin_pages:add", args=["mentorat_guides", "guidepage", guides.pk]
        ),
        "edit English training index": reverse("wagtailadmin_pages:edit", args=[training_en.pk]),
        "edit the home page": reverse("wagtailadmin_pages:edit", args=[welcome().pk]),
        "incident register": reverse("mentorat_incidents:index"),
        "read-access audit": reverse("mentorat_read_audit:index"),
    }


ROLE_SCREENS = {
    "coordinator": {"workbench", "programmes", "training sessions", "indicators"},
    "editor": {"edit guides index", "add a guide", "edit English training index"},
    "privacy": {"incident register", "read-access audit"},
}


@pytest.mark.parametrize("role", sorted(ROLE_SCREENS))
def test_each_group_does_its_roles_work_and_not_the_others(people, role):
    client = people[role]
    reached = {name for name, url in screens().items() if client.get(url).status_code == 200}
    assert reached == ROLE_SCREENS[role]


def test_the_demo_groups_hold_exactly_the_setup_roles(demo_site):
    """The demo builds its coordinators' and privacy officer's groups (French names) from
    the same role definitions as ``mentorat_setup``."""
    from home import demo

    def held(name):
        group = Group.objects.get(name=name)
        return {f"{app}.{codename}" for app, codename in snapshot()["groups"][group.name]}

    assert held(demo.COORDINATORS_GROUP) == set(setup.COORDINATOR_ROLE.permissions)
    assert held(demo.PRIVACY_GROUP) == set(setup.PRIVACY_ROLE.permissions)
    # 28, plus the four model permissions of the email wordings and of the reminder
    # schedules (issue 21: the coordinators word their programme's emails).
    assert len(setup.COORDINATOR_ROLE.permissions) == 36
