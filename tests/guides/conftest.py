"""Small fixtures for the guides: a home page, a guides index, a programme and its page.

Much lighter than the whole demo (``tests/conftest.py``'s ``demo_site``), which only
the demo tests build.
"""

import pytest
from django.test import Client
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from wagtail_mentorat.guides.models import GuideIndexPage, GuidePage, ProgrammePage
from wagtail_mentorat.models import Programme


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def streamfield(*items):
    return [{"type": kind, "value": value} for kind, value in items]


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(
        instance=HomePage(title="Accueil", slug="accueil-guides", locale=Locale.get_default())
    )
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return publish(home)


@pytest.fixture
def guides_index(home):
    return publish(home.add_child(instance=GuideIndexPage(title="Guides", slug="guides")))


@pytest.fixture
def make_guide(guides_index):
    def make(title="Un guide", parent=None, body=(), **fields):
        parent = parent or guides_index
        page = parent.add_child(instance=GuidePage(title=title, body=streamfield(*body), **fields))
        return publish(page)

    return make


@pytest.fixture
def programme(db):
    return Programme.objects.create(
        name="Mentorat clinique",
        description="Développer des compétences par le transfert d'expertise.",
        audience="Nouveaux intervenants.",
    )


@pytest.fixture
def programme_page(guides_index, programme):
    page = guides_index.add_child(
        instance=ProgrammePage(title="Fiche synthèse — mentorat", programme=programme)
    )
    return publish(page)


@pytest.fixture
def staff_client(django_user_model):
    """A logged-in staff member (no admin access)."""
    user = django_user_model.objects.create_user("intervenant", password="x")
    client = Client()
    client.force_login(user)
    client.user = user
    return client
