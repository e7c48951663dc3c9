"""Health endpoint for a load balancer, and a clear 503 page while the database is down.

Mount it before Wagtail's catch-all (the integrator's guide, docs/en/integration/index.md)::

    path("health/", include("wagtail_mentorat.health")),

``GET /health/`` (or ``HEAD``) answers 200 with ``{"database": "ok", "cache": "ok",
"tasks": "ok"}`` when the default database answers a query, the default cache returns
what was just stored in it, and the task queue is reachable (django-tasks-db: its table
answers a query; another backend: it loads). Otherwise 503, the failed part saying
``"unavailable"`` (or ``"timeout"``); the reason goes to the log (logger
``wagtail_mentorat.health``), never into the answer. Never cached, no session read, no
login needed (marked ``login_not_required`` for Django's ``LoginRequiredMiddleware``).
Each check runs in a thread of its own and the answer waits ``timeout`` seconds at most
(3 by default; ``HealthView.as_view(timeout=1)`` for another), so a database that hangs
instead of refusing still gives a quick 503.

``server_error`` is a ``handler500`` that answers a database (or Redis) outage with a
short 503 page and ``Retry-After`` instead of the generic error page: in the host's
root URLconf, ``handler500 = "wagtail_mentorat.health.server_error"``.
"""

import logging
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger("wagtail_mentorat.health")

OK = "ok"
UNAVAILABLE = "unavailable"
TIMEOUT = "timeout"
RETRY_AFTER_SECONDS = 30


def check_database():
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone() != (1,):
                raise OperationalError("The database did not answer SELECT 1 with 1.")
    finally:
        # The check runs in a thread of its own: its connection must not outlive it.
        connection.close()


def check_cache():
    key = f"wagtail_mentorat:health:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        if cache.get(key) != value:
            raise RuntimeError("The cache did not return the value just stored in it.")
    finally:
        try:
            cache.delete(key)
        finally:
            close = getattr(cache, "close", None)
            if close is not None:
                close()


def check_tasks():
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]  # imports and builds the backend
    if not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(backend, DatabaseBackend):
        try:
            DBTaskResult.objects.order_by().values_list("pk").exists()
        finally:
            connections[DEFAULT_DB_ALIAS].close()


CHECKS = {"database": check_database, "cache": check_cache, "tasks": check_tasks}


def run_checks(timeout):
    """{part: "ok" | "unavailable" | "timeout"}, within ``timeout`` seconds in all."""
    results = {}
    # Not a shared pool: a check that hangs must not hold back the next probe's checks.
    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="health")
    try:
        futures = {name: executor.submit(check) for name, check in CHECKS.items()}
        for name, future in futures.items():
            try:
                future.result(timeout=timeout)
            except FutureTimeout:
                logger.warning("Health check %s did not answer within %s s.", name, timeout)
                results[name] = TIMEOUT
            except Exception as error:
                # One line, no traceback: a load balancer probes every few seconds.
                logger.warning("Health check %s failed: %s: %s", name, type(error).__name__, error)
                results[name] = UNAVAILABLE
            else:
                results[name] = OK
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    return results


@method_decorator(never_cache, name="dispatch")
class HealthView(View):
    http_method_names = ["get", "head"]
    timeout = 3.0

    def get(self, request):
        results = run_checks(self.timeout)
        healthy = all(value == OK for value in results.values())
        return JsonResponse(results, status=200 if healthy else 503)


health = login_not_required(HealthView.as_view())

urlpatterns = [path("", health, name="mentorat_health")]


# --- a database outage on an ordinary page -------------------------------------------------


def _outage_errors():
    errors = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


def is_outage(error):
    """Whether ``error`` (or what caused it) says the database or the cache is out of reach."""
    errors = _outage_errors()
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, errors):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def unavailable_response(request=None):
    """A 503 page that reads nothing from the database, the cache or the session."""
    language = get_language() or "en"
    title = _("Service temporarily unavailable")
    message = _(
        "The intranet cannot reach its database at the moment. Your last action may not "
        "have been saved. Please try again in a few minutes."
    )
    html = (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>\n<body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p></main></body></html>\n"
    )
    response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name="500.html"):
    """``handler500``: a 503 page for a database or cache outage, Django's 500 otherwise."""
    if is_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    return default_server_error(request, template_name)
