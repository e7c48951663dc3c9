"""deploy/ running: gunicorn started by mentorat-web.service's command with
deploy/gunicorn.conf.py and the env file made from deploy/env.example, nginx with
deploy/nginx/mentorat.conf in front of it over TLS, the timers' commands and a task
worker started by their units' commands, on a migrated database of their own."""

import http.client
import json
import secrets
import signal
import socket
import ssl
import subprocess
import time

import pytest

from . import stack

WEB = stack.SYSTEMD / "mentorat-web.service"
WORKER = stack.SYSTEMD / "mentorat-worker@.service"
PYTHON = str(stack.ROOT / ".venv/bin/python")
MB = 1024 * 1024


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory):
    """The env file a server would have, with this machine's paths, database and port."""
    directory = tmp_path_factory.mktemp("deploy")
    database = stack.Database(directory)
    database.create()
    env_file = directory / "env"
    gunicorn_port = stack.free_port()
    env_file.write_text(
        stack.render_env_file(
            {
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": database.url,
                "EMAIL_BACKEND": "anymail.backends.test.EmailBackend",
                "STATIC_ROOT": directory / "static",
                "MEDIA_ROOT": directory / "media",
                "INTRANET_VAR_DIR": directory / "var",
                "BIND": f"127.0.0.1:{gunicorn_port}",
                "WEB_CONCURRENCY": "1",
                "CACHE_KEY_PREFIX": f"deploy-test-{secrets.token_hex(6)}",
            }
        )
    )
    env = stack.unit_environment(WEB, env_file)
    env["HOME"] = str(directory)
    migrate = subprocess.Popen(  # in parallel with collectstatic
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=stack.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        stack.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
        output, _ = migrate.communicate(timeout=600)
        assert migrate.returncode == 0, output
        yield {
            "directory": directory,
            "env_file": env_file,
            "env": env,
            "database": database,
            "gunicorn_port": gunicorn_port,
        }
    finally:
        if migrate.poll() is None:
            migrate.kill()
            migrate.wait(timeout=10)
        database.drop()


@pytest.fixture(scope="module")
def served(stack_env):
    """gunicorn (the web unit's command) behind nginx (the site file), both running."""
    directory = stack_env["directory"]
    env = stack_env["env"]
    gunicorn = stack.start(
        stack.unit_command(WEB, stack_env["env_file"]),
        env=env,
        log_path=directory / "gunicorn.log",
        cwd=stack.working_directory(WEB),
    )
    nginx_process = None
    try:
        stack.wait_for_port(stack_env["gunicorn_port"], gunicorn)
        nginx = stack.nginx_binary()
        stack.self_signed_certificate(directory / "tls")
        ports = {"http_port": stack.free_port(), "https_port": stack.free_port()}
        site = directory / "mentorat.conf"
        site.write_text(
            stack.render_nginx_site(
                **ports,
                upstream_port=stack_env["gunicorn_port"],
                tls_dir=directory / "tls",
                media_dir=directory / "media",
                cache_dir=directory / "nginx-cache",
            )
        )
        main = directory / "nginx.conf"
        main.write_text(stack.nginx_main_conf(directory, site))
        nginx_process = stack.start(
            [nginx, "-p", str(directory), "-c", str(main), "-e", str(directory / "error.log")],
            env={"PATH": "/usr/sbin:/usr/bin:/bin"},
            log_path=directory / "nginx.log",
        )
        stack.wait_for_port(ports["https_port"], nginx_process)
        stack.wait_for_port(ports["http_port"], nginx_process)
        yield {**stack_env, **ports, "gunicorn": gunicorn, "nginx": nginx_process}
    finally:
        if nginx_process is not None:
            stack.stop(nginx_process, sig=signal.SIGQUIT)
        stack.stop(gunicorn)


class TLSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 for the public host name: SNI, Host and the certificate's name
    are intranet.example.org, as a browser would send them."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def tls_context(served, **versions):
    context = ssl.create_default_context(cafile=served["directory"] / "tls" / "fullchain.pem")
    for name, value in versions.items():
        setattr(context, name, value)
    return context


def https(served, method, path, body=None, headers=None, host=stack.HOST):
    connection = TLSConnection(host, served["https_port"], timeout=30, context=tls_context(served))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def plain(port, path, host=stack.HOST, extra_headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **(extra_headers or {})})
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def django_hsts(served):
    result = stack.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)",
        ],
        env=served["env"],
        timeout=120,
    )
    seconds, subdomains, preload = result.stdout.split()
    assert (subdomains, preload) == ("True", "True")
    return f"max-age={seconds}; includeSubDomains; preload"


def test_plain_http_redirects_to_https_and_other_hosts_get_nothing(served):
    response = plain(served["http_port"], "/connexion/?next=/mentorat/")
    assert response.status == 301
    assert (
        response.getheader("Location") == "https://intranet.example.org/connexion/?next=/mentorat/"
    )
    with pytest.raises(http.client.RemoteDisconnected):
        plain(served["http_port"], "/", host="elsewhere.example.com")
    with pytest.raises(ssl.SSLError):
        https(served, "GET", "/connexion/", host="elsewhere.example.com")


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_2_and_1_3_only(served):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        context = tls_context(served, minimum_version=version, maximum_version=version)
        with socket.create_connection(("127.0.0.1", served["https_port"]), timeout=10) as sock:
            with context.wrap_socket(sock, server_hostname=stack.HOST) as tls:
                assert tls.version() == version.name.replace("_", ".")
    # TLS 1.1, which this client would still speak: the server refuses it (its alert).
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
    with socket.create_connection(("127.0.0.1", served["https_port"]), timeout=10) as sock:
        with pytest.raises(ssl.SSLError, match="ALERT_PROTOCOL_VERSION"):
            old.wrap_socket(sock, server_hostname=stack.HOST)


def test_a_page_over_https_is_secure_for_django_with_every_header_once(served):
    response = https(served, "GET", "/connexion/")
    # Seen as HTTPS through X-Forwarded-Proto: the page itself, not a redirect to HTTPS.
    assert response.status == 200, response.body[:500]
    headers = response.getheaders()
    hsts = [value for name, value in headers if name.lower() == "strict-transport-security"]
    assert hsts == [django_hsts(served)]  # Django's, not a second copy from nginx
    assert response.getheader("Permissions-Policy").startswith("camera=()")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("Server") == "nginx"  # no version
    cookies = [value for name, value in headers if name.lower() == "set-cookie"]
    assert cookies and all("Secure" in cookie for cookie in cookies)
    # Straight to gunicorn, without the proxy's header, Django redirects to HTTPS.
    direct = plain(served["gunicorn_port"], "/connexion/")
    assert direct.status == 301
    assert direct.getheader("Location").startswith("https://intranet.example.org/")


def test_the_health_endpoint_answers_through_the_proxy(served):
    response = https(served, "GET", "/health/")
    assert response.status == 200, response.body
    assert json.loads(response.body) == {"database": "ok", "cache": "ok", "tasks": "ok"}


def test_static_files_come_from_whitenoise_with_a_long_cache_and_are_cached(served):
    manifest = json.loads((served["directory"] / "static" / "staticfiles.json").read_text())
    original, hashed = next(
        (name, hashed)
        for name, hashed in manifest["paths"].items()
        if name.endswith(".css") and name.startswith("wagtailadmin/")
    )
    response = https(served, "GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert "max-age=315360000" in response.getheader("Cache-Control")
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("Content-Encoding") == "gzip"
    hsts = [v for n, v in response.getheaders() if n.lower() == "strict-transport-security"]
    assert len(hsts) == 1
    cache = served["directory"] / "nginx-cache"
    assert any(path.is_file() for path in cache.rglob("*")), "nginx cached nothing"
    # Under its own name (not hashed): short cache, it may change at the next deploy.
    response = https(served, "GET", f"/static/{original}")
    assert response.status == 200
    assert "immutable" not in response.getheader("Cache-Control")


def test_an_upload_over_the_limit_is_refused_by_nginx_and_one_under_it_reaches_django(served):
    connection = TLSConnection(
        stack.HOST, served["https_port"], timeout=30, context=tls_context(served)
    )
    try:  # headers only: nginx answers from Content-Length, before the body
        connection.putrequest("POST", "/connexion/")
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(13 * MB))
        connection.endheaders()
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 413
    # nginx's own answer carries the same HSTS as Django's.
    assert response.getheader("Strict-Transport-Security") == django_hsts(served)
    body = b"x" * (10 * MB + MB // 2)
    response = https(
        served,
        "POST",
        "/connexion/",
        body=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status == 403  # Django's CSRF check: the request got through


def test_image_renditions_are_served_documents_and_originals_never(served):
    media = served["directory"] / "media"
    for folder, name in (("images", "a.fill-10x10.png"), ("documents", "b.pdf")):
        (media / folder).mkdir(parents=True, exist_ok=True)
        (media / folder / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    (media / "original_images").mkdir(exist_ok=True)
    (media / "original_images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    response = https(served, "GET", "/media/images/a.fill-10x10.png")
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/png"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in response.getheader("Content-Security-Policy")
    assert response.getheader("Strict-Transport-Security") == django_hsts(served)
    assert https(served, "GET", "/media/documents/b.pdf").status == 404
    assert https(served, "GET", "/media/original_images/a.png").status == 404


# --- the timers' services and the task worker -------------------------------------------


@pytest.mark.parametrize(
    "unit, expected",
    [
        ("mentorat-remind.service", "reminders: 0 written"),
        ("mentorat-outbox.service", "outbox: 0 notification(s) enqueued"),
        ("mentorat-retention.service", '"pairings"'),
    ],
)
def test_each_timers_service_runs_its_command(stack_env, unit, expected):
    path = stack.SYSTEMD / unit
    result = stack.run(
        stack.unit_command(path, stack_env["env_file"]),
        env=stack_env["env"] | {"HOME": str(stack_env["directory"])},
        cwd=stack.working_directory(path),
        timeout=300,
    )
    assert expected in result.stdout


def test_a_worker_instance_runs_a_task_and_stops_on_its_kill_signal(stack_env):
    from django_tasks_db.models import DBTaskResult

    table = DBTaskResult._meta.db_table
    env = stack_env["env"]
    enqueued = stack.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from wagtail_mentorat.notifications.tasks import remind; print(remind.enqueue().id)",
        ],
        env=env,
        timeout=120,
    )
    task_id = enqueued.stdout.strip().splitlines()[-1].replace("-", "")
    worker = stack.start(
        stack.unit_command(WORKER, stack_env["env_file"], instance="7"),
        env=env,
        log_path=stack_env["directory"] / "worker.log",
        cwd=stack.working_directory(WORKER),
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and worker.poll() is None:
            rows = stack_env["database"].rows(f"SELECT id, status, worker_ids FROM {table}")
            found = [row for row in rows if str(row[0]).replace("-", "") == task_id]
            if found and found[0][1] == "SUCCESSFUL":
                status = found[0]
                break
            time.sleep(0.5)
        assert status, stack.log_of(worker)
        assert f"{socket.gethostname().split('.')[0]}-7" in str(status[2])
        (kill_signal,) = stack.unit_values(WORKER, "Service", "KillSignal")
        assert stack.stop(worker, sig=getattr(signal, kill_signal), timeout=30) == 0
    finally:
        stack.stop(worker, sig=signal.SIGKILL)
