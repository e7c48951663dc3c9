"""Shared fixtures: the demo intranet, its accounts and logged-in clients."""

import pytest
from django.core.cache import cache
from django.test import Client

from home import demo


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
