"""Shared fixtures: the demo intranet, its accounts and logged-in clients."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

PLAIN_HOST = "tests.plainhost.settings"


def pytest_ignore_collect(collection_path, config):
    """The plain host's tests run in their own session, under their own settings
    (``pytest --ds=tests.plainhost.settings tests/plainhost``); the demo's tests need
    the demo."""
    in_plain_host = "plainhost" in collection_path.parts
    if settings.SETTINGS_MODULE != PLAIN_HOST:
        return in_plain_host or None
    on_the_way = collection_path.is_dir() and (collection_path / "plainhost").is_dir()
    return not (in_plain_host or on_the_way) or None


@pytest.fixture(autouse=True)
def fresh_cache():
    """Wagtail caches site root paths (and more) in Django's cache: a test must not see
    another test's sites."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_site(db):
    """The demo intranet as `make run` builds it."""
    from home import demo

    return demo.build()


@pytest.fixture
def demo_users(demo_site):
    return demo_site["users"]


@pytest.fixture
def client_for(demo_users):
    """A client logged in as the named demo account."""

    def make(username):
        client = Client()
        client.force_login(demo_users[username])
        return client

    return make
