"""The demo's training content: French, from seeds 002 and 004, idempotent, searchable."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from home import demo
from training import demo as training_demo
from wagtail_mentorat.training.models import (
    LearningPathPage,
    TrainingIndexPage,
    TrainingModulePage,
    TrainingSession,
)

pytestmark = pytest.mark.django_db


def _counts():
    return (
        TrainingIndexPage.objects.count(),
        TrainingModulePage.objects.count(),
        LearningPathPage.objects.count(),
        TrainingSession.objects.count(),
    )


def test_demo_training_is_built_once(demo_site):
    before = _counts()
    demo.build()
    training_demo.build(demo_site["home"])
    # French and English: the index, five modules and the path in each; one session.
    assert _counts() == before == (2, 10, 2, 1)


def test_training_index_is_a_menu_child_of_the_french_home(demo_site):
    index = TrainingIndexPage.objects.get(locale__language_code="fr")
    assert index.get_parent().specific == demo_site["home"]
    assert index.live and index.show_in_menus and index.url == "/formation/"


def test_every_demo_module_has_a_short_quiz(demo_site):
    for module in TrainingModulePage.objects.live():
        assert 2 <= len(module.questions) <= 3, module.slug
        for question in module.questions:
            assert question.correct_ids, module.slug
            assert all(choice.feedback for choice in question.choices)


def test_lgbt2sq_module_is_continuing_training(demo_site):
    module = TrainingModulePage.objects.get(slug="jeunes-lgbt2sq")
    assert module.validity_months == 12
    others = TrainingModulePage.objects.exclude(translation_key=module.translation_key)
    assert not others.filter(validity_months__isnull=False).exists()


def test_learning_path_orders_modules(demo_site):
    path = LearningPathPage.objects.get(locale__language_code="fr")
    assert [m.slug for m in path.get_modules()] == training_demo.PATH["modules"]


def test_coordinators_can_read_training_reports(demo_site, demo_users):
    assert demo_users["coordination"].has_perm("mentorat_training.view_completion")
    assert not demo_users["mentore1"].has_perm("mentorat_training.view_completion")
    assert Group.objects.get(name=training_demo.COORDINATORS_GROUP).permissions.filter(
        codename="change_trainingsession"
    )


def test_nav_shows_training_and_the_index_lists_the_path(client_for):
    client = client_for("mentor1")
    home = client.get("/").content.decode()
    assert 'href="/formation/"' in home
    index = client.get("/formation/").content.decode()
    assert "Avant votre premier jumelage" in index
    assert "Modules terminés : 0 sur 4" in index
    assert "Atelier : les différences culturelles en mentorat" in index


@pytest.mark.parametrize("query", ["différences culturelles", "differences culturelles"])
def test_search_finds_modules_with_or_without_accents(client_for, query):
    html = client_for("mentore1").get("/recherche/", {"query": query}).content.decode()
    assert "Les différences culturelles dans la relation de mentorat" in html


def test_every_demo_page_renders_in_its_language(client_for):
    client = client_for("mentore1")
    pages = [*TrainingModulePage.objects.live(), *LearningPathPage.objects.live()]
    assert {page.locale.language_code for page in pages} == {"fr", "en"}
    for page in pages:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = page.locale.language_code
        assert client.get(page.url).status_code == 200, page.url
