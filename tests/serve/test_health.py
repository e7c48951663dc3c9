"""The health endpoint (200 / 503) and the 503 page of an outage, with real parts: a
Redis address where nothing listens, a server that never answers, a database that cannot
be opened."""

import json

import pytest
from django.core.handlers.exception import response_for_exception
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from tests.serve.helpers import Silent, free_port, on_postgresql
from wagtail_mentorat.health import HealthView, run_checks

pytestmark = pytest.mark.django_db

HEALTH = "/health/"
ALL_OK = {"database": "ok", "cache": "ok", "tasks": "ok"}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def redis_cache(port):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }


@pytest.fixture
def unreachable_database():
    """The default database's settings, for the connections the checks open in their own
    threads, pointing where no database can be opened (the test's own connection stays)."""
    original = connections.settings[DEFAULT_DB_ALIAS]
    broken = dict(original)
    if on_postgresql():
        broken.update(HOST="127.0.0.1", PORT=str(free_port()))
    else:
        broken["NAME"] = "/nonexistent-directory/mentorat.sqlite3"
    connections.settings[DEFAULT_DB_ALIAS] = broken
    yield
    connections.settings[DEFAULT_DB_ALIAS] = original


def test_healthy_answers_200_json_never_cached_without_login_or_session(client):
    assert reverse("mentorat_health") == HEALTH
    response = client.get(HEALTH)  # anonymous, with the demo's login-required middleware
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == ALL_OK
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie
    assert "Cookie" not in response.get("Vary", "")


def test_head_answers_and_other_methods_are_refused(client):
    assert client.head(HEALTH).status_code == 200
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)(HEALTH).status_code == 405


@override_settings(TASKS=DATABASE_TASKS)
def test_the_database_task_queue_is_checked_through_its_table(client):
    assert json.loads(client.get(HEALTH).content) == ALL_OK


def test_a_cache_on_a_closed_port_answers_503_naming_the_cache(client):
    with override_settings(CACHES=redis_cache(free_port())):
        response = client.get(HEALTH)
    assert response.status_code == 503
    assert json.loads(response.content) == {**ALL_OK, "cache": "unavailable"}
    assert "no-cache" in response["Cache-Control"]


@override_settings(TASKS=DATABASE_TASKS)
def test_an_unreachable_database_answers_503_and_says_no_more(client, unreachable_database):
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "database": "unavailable",
        "cache": "ok",
        "tasks": "unavailable",
    }
    # No error text, host, path or setting in the answer: only which part failed.


def test_a_server_that_never_answers_gives_a_quick_timeout():
    view = HealthView.as_view(timeout=0.5)
    with Silent() as silent, override_settings(CACHES=redis_cache(silent.port)):
        response = view(RequestFactory().get(HEALTH))
    assert response.status_code == 503
    assert json.loads(response.content)["cache"] == "timeout"


def test_run_checks_reports_each_part():
    assert run_checks(timeout=5) == ALL_OK


# --- an outage on an ordinary page -------------------------------------------------------


def test_a_cache_outage_on_a_page_answers_the_503_page(demo_users):
    """Redis on a closed port: Wagtail's page serving reads the site's root paths from the
    cache, and the person sees the short 503 page, not the 500 page."""
    client = Client(raise_request_exception=False)
    client.force_login(demo_users["mentore1"])
    with override_settings(CACHES=redis_cache(free_port())):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "Service momentanément indisponible" in html
    assert "Traceback" not in html and "redis" not in html.lower()


def test_a_database_error_anywhere_answers_503_and_other_errors_the_500_page(rf):
    request = rf.get("/")
    try:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    except OperationalError as error:
        response = response_for_exception(request, error)
    assert response.status_code == 503
    html = response.content.decode()
    assert "127.0.0.1" not in html and "Connection refused" not in html
    try:
        raise ValueError("a bug")
    except ValueError as error:
        assert response_for_exception(request, error).status_code == 500
