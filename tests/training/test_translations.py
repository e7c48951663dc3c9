"""A module is the same module in every language: a completion of any translation of a
required module counts, wherever the rule is checked; and a module's address answers with
the other language active (issue 18)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page

from home.models import HomePage
from wagtail_mentorat import rules
from wagtail_mentorat.models import Programme
from wagtail_mentorat.training import services
from wagtail_mentorat.training.i18n import route_with_translations
from wagtail_mentorat.training.models import TrainingIndexPage, TrainingModulePage

pytestmark = pytest.mark.django_db

D = datetime.date


def _module(parent, slug):
    module = parent.add_child(instance=TrainingModulePage(title=f"Module {slug}", slug=slug))
    module.save_revision().publish()
    return module


@pytest.fixture
def modules(db):
    """Two French modules and the English translation of the first (no demo needed)."""
    french, _ = Locale.objects.get_or_create(language_code="fr")
    english_locale, _ = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    index = root.add_child(
        instance=TrainingIndexPage(title="Formation", slug="formation-tr", locale=french)
    )
    first, second = _module(index, "premier"), _module(index, "second")
    english = first.copy_for_translation(english_locale, copy_parents=True)
    english.save_revision().publish()
    english = TrainingModulePage.objects.get(pk=english.pk)
    assert english.translation_key == first.translation_key and english.pk != first.pk
    return {"fr": first, "fr_other": second, "en": english}


@pytest.fixture
def person(db):
    return get_user_model().objects.create(username="apprenant", first_name="Léa")


@pytest.fixture
def programme(modules):
    programme = Programme.objects.create(name="Programme formation")
    programme.mentor_training.set([modules["fr"]])
    return programme


def test_an_english_completion_meets_the_french_requirement(modules, person, programme):
    services.record_completion(person, modules["en"])
    assert services.has_completed(person, modules["fr"])
    assert services.missing_modules(person, [modules["fr"]]) == []
    assert rules.missing_training(programme, person, "mentor") == []
    assert not any("formation" in e or "training" in e for e in rules.training_errors(
        programme, [], [person]
    ))  # fmt: skip
    assert services.current_completion(person, modules["fr"]).module_id == modules["en"].pk
    for given in ([modules["fr"]], [modules["fr"].pk]):  # pages or bare ids
        assert person.pk in set(services.users_who_completed(given))
    # Both languages of one module required count once.
    assert person.pk in set(services.users_who_completed([modules["fr"], modules["en"]]))
    assert person.pk in set(services.users_who_completed([modules["fr"].pk, modules["en"].pk]))


def test_it_does_not_count_for_another_module(modules, person, programme):
    services.record_completion(person, modules["en"])
    assert services.missing_modules(person, [modules["fr_other"], modules["fr"]]) == [
        modules["fr_other"]
    ]
    assert person.pk not in set(services.users_who_completed([modules["fr"], modules["fr_other"]]))
    ids = [modules["fr"].pk, modules["fr_other"].pk]
    assert person.pk not in set(services.users_who_completed(ids))
    programme.mentor_training.add(modules["fr_other"])
    assert rules.missing_training(programme, person, "mentor") == [modules["fr_other"]]


def test_expiry_still_applies_across_languages(modules, person):
    TrainingModulePage.objects.filter(pk=modules["en"].pk).update(validity_months=12)
    english = TrainingModulePage.objects.get(pk=modules["en"].pk)
    services.record_completion(person, english, completed_on=D(2025, 1, 10))
    assert services.has_completed(person, modules["fr"], on=D(2025, 6, 1))
    assert not services.has_completed(person, modules["fr"], on=D(2026, 1, 10))
    assert services.missing_modules(person, [modules["fr"]], on=D(2026, 1, 10)) == [modules["fr"]]
    assert person.pk not in set(services.users_who_completed([modules["fr"]], on=D(2026, 2, 1)))
    # Renewed in French: the English completion is no longer "expiring".
    services.record_completion(person, modules["fr"], completed_on=D(2026, 1, 5))
    soon = services.expiring_completions(on=D(2026, 1, 1))
    assert not soon.filter(user=person).exists()


def test_one_query_whatever_the_number_of_modules_and_languages(modules, person):
    services.record_completion(person, modules["en"])
    required = [modules["fr"], modules["fr_other"]]
    with CaptureQueriesContext(connection) as queries:
        services.missing_modules(person, required)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        services.latest_completions(person, required)
    assert len(queries) == 1
    User = get_user_model()
    with CaptureQueriesContext(connection) as queries:  # a subquery inside the filter
        list(User.objects.filter(pk__in=services.users_who_completed([m.pk for m in required])))
    assert len(queries) == 1


@pytest.fixture
def demo_modules(demo_site):
    """The demo's first French module, another, and the English translation of the first."""
    french = list(
        TrainingModulePage.objects.filter(locale__language_code="fr").live().order_by("path")
    )
    english = french[0].get_translation(Locale.objects.get(language_code="en")).specific
    return {"fr": french[0], "fr_other": french[1], "en": english}


def test_the_blocked_report_and_the_learners_pages_follow_the_rule(demo_modules, client_for):
    modules, person = demo_modules, get_user_model().objects.get(username="mentor2")
    programme = Programme.objects.order_by("pk").first()
    programme.mentor_training.set([modules["fr"]])
    coordinator = client_for("coordination")
    name = person.get_full_name()
    assert name in coordinator.get("/admin/mentorat/bloques/").content.decode()
    completion = services.record_completion(person, modules["en"], score=100)
    assert name not in coordinator.get("/admin/mentorat/bloques/").content.decode()

    learner = client_for("mentor2")  # French active
    french_page = learner.get(modules["fr"].url)
    assert french_page.status_code == 200
    certificate = modules["fr"].url + f"certificat/{completion.pk}/"
    assert certificate in french_page.content.decode()  # the status links to it
    response = learner.get(certificate)
    assert response.status_code == 200
    assert modules["fr"].title in response.content.decode()  # in the page's language
    # Someone else's completion stays theirs.
    assert client_for("mentor1").get(certificate).status_code == 404


@pytest.fixture
def translated_routing(monkeypatch):
    """The demo's home page with ``TranslatedAddressRoutingMixin`` (the host's change)."""
    monkeypatch.setattr(
        HomePage,
        "route",
        lambda self, request, components: route_with_translations(
            self, request, components, lambda r, c: Page.route(self, r, c)
        ),
    )


def test_a_french_address_with_english_active_leads_to_the_english_module(
    demo_modules, demo_users, client_for, translated_routing
):
    modules = demo_modules
    client = client_for("mentor2")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(modules["fr"].url + "?from=mail")
    assert response.status_code == 302
    assert response["Location"] == modules["en"].url + "?from=mail"
    assert client.get(response["Location"]).status_code == 200
    # And back: the English address with French active.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get(modules["en"].url)["Location"] == modules["fr"].url

    # A sub-address (a certificate) answers in the page's own language.
    completion = services.record_completion(demo_users["mentor2"], modules["fr"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    certificate = client.get(modules["fr"].url + f"certificat/{completion.pk}/")
    assert certificate.status_code == 200
    html = certificate.content.decode()
    assert '<html lang="fr"' in html and "Attestation de formation" in html
    # With no English translation, the French module is served in French.
    modules["en"].unpublish()
    response = client.get(modules["fr"].url)
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
    # An address no language knows is still "not found".
    assert client.get("/formation/no-such-module/").status_code == 404
    assert client.get("/training/no-such-module/").status_code == 404
