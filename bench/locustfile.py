"""The real people of the demo intranet, for locust (bench/load.py, bench/faults.py and the
load smoke test run it headless; ``locust -f bench/locustfile.py --host …`` also works).

Each simulated person logs in through the login form (CSRF token and all) with a demo
account (home/demo.py; password ``mentorat-demo``), then does what that person does,
with think times between actions (LOAD_THINK_MIN/MAX seconds):

- mentees and mentors: their space, the pairing page, log a meeting, read and send a
  message, a training module;
- managers: their space, a decision (approve the first pending item, else look);
- coordinators: the matching workbench, the pairings listing, the indicators;
- editors: a guide page;
- everyone: the plain login-restricted Wagtail page ("À propos"), the reference.

Requests are named by page, so locust's statistics group per page. Every meeting and
message written carries a unique marker, and every write or decision the server
acknowledged is appended to LOAD_LEDGER (one JSON object a line), with every failed
request and what its body looked like: bench/faults.py compares them with the database.
"""

import datetime
import itertools
import json
import os
import random
import re
import time
import uuid
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import gevent
from locust import HttpUser, between, events, task

PASSWORD = "mentorat-demo"
PLAIN_PAGE = "/le-mentorat/"
TRAINING_MODULES = ["/formation/avant-votre-premier-jumelage/",
                    "/formation/responsabilites-mentor-mentore/"]  # fmt: skip
GUIDES = ["/guides/mentorat-clinique/", "/guides/mentorat-coaching-supervision/",
          "/guides/principes-de-qualite/"]  # fmt: skip
# Members of the demo's active individual pairings and their pairing: LOAD_PAIRINGS (JSON,
# from the database before the run), else found on each person's dashboard.
PAIRINGS = json.loads(os.environ.get("LOAD_PAIRINGS") or "{}")
MEMBERS = sorted(PAIRINGS) or ["mentor1", "mentore1", "mentor2", "mentore2", "mentor3",
                               "mentore3", "mentor4", "mentore8"]  # fmt: skip
MANAGERS = ["gestionnaire", "gestionnaire2"]
COORDINATORS = ["coordination"]
EDITORS = ["redaction"]
# The 503 page of wagtail_mentorat.health (French first, English complete).
OUTAGE_PAGE = ("Service momentanément indisponible", "Service temporarily unavailable")
# A rule's refusal after the redirect (a decision another session of the same manager took).
REFUSED = re.compile(r'class="message message--error')
TRACEBACK = ("Traceback", "Server Error (500)", "Erreur de serveur")
LOCAL = ZoneInfo(os.environ.get("TIME_ZONE", "America/Montreal"))

RUN_ID = os.environ.get("LOAD_RUN_ID", "load")
LEDGER = os.environ.get("LOAD_LEDGER")
THINK = (float(os.environ.get("LOAD_THINK_MIN", "0.5")),
         float(os.environ.get("LOAD_THINK_MAX", "1.5")))  # fmt: skip
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DECISION = re.compile(
    r'<form method="post" action="(/mentorat/gestion/jumelages/\d+/)"[^>]*>(.*?)</form>', re.S
)
ERRORS = re.compile(r'class="[^"]*error[^"]*"[^>]*>(.*?)</(?:p|ul|li|div)>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')

MEASURE = float(os.environ.get("LOAD_MEASURE_SECONDS", "0"))
EVERY_PAGE = os.environ.get("LOAD_EVERY_PAGE") == "1"
SETTLE = float(os.environ.get("LOAD_SETTLE_SECONDS", "10"))

_accounts = {}
_logins = {"done": 0, "started": None}


def next_account(kind, names):
    """The demo accounts of one kind in turn: the load spreads over every real person."""
    if kind not in _accounts:
        _accounts[kind] = itertools.cycle(names)
    return next(_accounts[kind])


def record(**row):
    if not LEDGER:
        return
    row["t"] = time.time()
    with open(LEDGER, "a", encoding="utf-8") as file:
        file.write(json.dumps(row) + "\n")


def logged_in_once(environment):
    """Every person logs in once first (PBKDF2 makes a login cost far more CPU than a
    page): with LOAD_MEASURE_SECONDS, the statistics are reset LOAD_SETTLE_SECONDS (10)
    after the last first login, and the run stops that many seconds later, so the figures
    are those of the pages under a steady load. The logins' own figures go to the ledger first."""
    _logins["done"] += 1
    target = environment.parsed_options.num_users if environment.parsed_options else None
    if not MEASURE or _logins["done"] != target:
        return
    entry = environment.stats.get("login POST", "POST")
    record(
        kind="logins",
        count=entry.num_requests,
        failures=entry.num_failures,
        p50=entry.get_response_time_percentile(0.5),
        p95=entry.get_response_time_percentile(0.95),
        seconds=time.time() - _logins["started"],
    )

    def measure():
        # The pages asked during the logins waited behind them: a few seconds more before
        # the statistics start, so the queue they made has drained.
        gevent.sleep(SETTLE)
        environment.runner.stats.reset_all()
        record(kind="measure_start")
        gevent.sleep(MEASURE)
        record(kind="measure_end")
        environment.runner.quit()

    gevent.spawn(measure)


@events.test_start.add_listener
def _started(environment, **kwargs):
    _logins["started"] = time.time()


def marker(kind):
    return f"[{RUN_ID}:{kind}:{uuid.uuid4().hex}]"


class Person(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    accounts = []

    def on_start(self):
        self.client.trust_env = False  # loopback only, never a proxy
        self.username = next_account(type(self).__name__, self.accounts)
        self.logged_in = False
        try:
            self.login()
        finally:
            logged_in_once(self.environment)
        self.setup()
        if EVERY_PAGE:  # the smoke test: each of this person's pages once, in order
            for action in dict.fromkeys(self.tasks):
                action(self)

    def setup(self):
        """What a person does once logged in, before the tasks."""

    def login(self):
        page = self.fetch("login", "/connexion/")
        token = page and CSRF.search(page.text)
        if not token:
            return
        with self.client.post(
            "/connexion/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": PASSWORD,
            },  # fmt: skip
            headers={"Referer": self.host + "/connexion/"},
            name="login POST",
            allow_redirects=False,
            catch_response=True,
            timeout=30,
        ) as response:
            if response.status_code == 302:
                self.logged_in = True
                response.success()
            else:
                self.fail(response, "login refused")

    def fail(self, response, why):
        body = response.text or ""
        record(
            kind="failure",
            name=response.request_meta["name"] if hasattr(response, "request_meta") else "",
            status=response.status_code,
            why=why,
            outage_page=any(text in body for text in OUTAGE_PAGE),
            traceback=any(text in body for text in TRACEBACK),
            retry_after=response.headers.get("Retry-After"),
            error=repr(response.error)[:200] if response.error else None,
            body=body[:300],
            errors=[" ".join(re.sub("<[^>]+>", " ", e).split()) for e in ERRORS.findall(body)][:4],
        )
        response.failure(f"{why}: {response.status_code}")

    def fetch(self, name, path):
        """GET ``path`` named ``name``; the response if it is the page asked for."""
        if not self.logged_in and name != "login":
            self.login()
            if not self.logged_in:
                return None
        with self.client.get(path, name=name, catch_response=True, timeout=30) as response:
            if response.status_code != 200:
                self.fail(response, "not 200")
                return None
            if "/connexion/" in response.url and name != "login":
                self.logged_in = False
                self.fail(response, "sent to the login page")
                return None
            response.success()
            return response

    def post(self, name, path, data, confirmation, **ledger):
        """POST a form; the server acknowledges with a redirect to a page that says
        ``confirmation`` (or, for a decision someone took first, refuses it with an error
        message). Writes what was acknowledged to the ledger.

        The POST is timed alone (redirect not followed): the page it redirects to is
        another request, named ``<name> → page``, so a write's figure is the write's."""
        data = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), **data}
        with self.client.post(
            path, data=data, name=name, headers={"Referer": self.host + path},
            allow_redirects=False, catch_response=True, timeout=30,
        ) as response:  # fmt: skip
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location:
                record(status=response.status_code, acknowledged=False, **ledger)
                self.fail(response, "not acknowledged")
                return None
            response.success()
        target = urljoin(self.host + path, location)
        with self.client.get(
            target, name=f"{name} → page", catch_response=True, timeout=30
        ) as page:
            confirmed = page.status_code == 200 and any(
                text in page.text for text in confirmation
            )  # fmt: skip
            refused = not confirmed and bool(REFUSED.search(page.text))
            record(status=302, acknowledged=True, confirmed=confirmed, refused=refused,
                   page_status=page.status_code, **ledger)  # fmt: skip
            if not confirmed and not refused:
                self.fail(page, "no confirmation on the page")
                return None
            page.success()
            return page

    @task(2)
    def plain_page(self):
        self.fetch("plain page", PLAIN_PAGE)


class MenteeOrMentor(Person):
    weight = 6
    accounts = MEMBERS

    def setup(self):
        self.pairing, self.began = PAIRINGS.get(self.username) or (None, 0)
        self.dashboard()

    @task(3)
    def dashboard(self):
        page = self.fetch("dashboard", "/mentorat/")
        if page is None or self.pairing is not None:
            return
        # This person's active pairing: the one whose page offers to log a meeting (the
        # others listed are proposed, closed, or circles).
        for pk in dict.fromkeys(re.findall(r'href="/mentorat/jumelages/(\d+)/"', page.text)):
            found = self.fetch("pairing page", f"/mentorat/jumelages/{pk}/")
            if found is not None and 'name="held_at"' in found.text:
                self.pairing = pk
                return

    @task(3)
    def pairing_page(self):
        if self.pairing:
            self.fetch("pairing page", f"/mentorat/jumelages/{self.pairing}/")

    @task(1)
    def log_meeting(self):
        if not self.pairing:
            return
        path = f"/mentorat/jumelages/{self.pairing}/"
        if self.fetch("pairing page", path) is None:
            return
        # Within the last hour, never before the pairing began (the form keeps minutes:
        # the next whole minute after its start), never in the future.
        now = time.time()
        earliest = max(now - 3600, (self.began // 60 + 1) * 60)
        if earliest > now:
            return  # a pairing begun this very minute has had no meeting yet
        held = datetime.datetime.fromtimestamp(random.uniform(earliest, now), LOCAL)
        tag = marker("meeting")
        self.post(
            "meeting POST",
            path,
            {
                "action": "meeting",
                "held_at": held.strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": "45",
                "mode": "video",
                "summary": f"Suivi {tag}",
                "private_note": "",
                "rating": "4",
            },  # fmt: skip
            ("Rencontre consignée", "Meeting logged"),
            kind="meeting",
            marker=tag,
            pairing=self.pairing,
            user=self.username,
        )

    @task(1)
    def send_message(self):
        if not self.pairing:
            return
        path = f"/mentorat/conversations/{self.pairing}/"
        if self.fetch("thread", path) is None:
            return
        tag = marker("message")
        self.post(
            "message POST",
            path,
            {"body": f"Bonjour, une question {tag}", "answers": ""},
            ("Message envoyé", "Message sent"),
            kind="message",
            marker=tag,
            pairing=self.pairing,
            user=self.username,
        )

    @task(1)
    def training_module(self):
        self.fetch("training module", random.choice(TRAINING_MODULES))


class Manager(Person):
    weight = 1
    accounts = MANAGERS

    @task(3)
    def space(self):
        self.fetch("manager space", "/mentorat/gestion/")

    @task(1)
    def decide(self):
        page = self.fetch("manager space", "/mentorat/gestion/")
        if page is None:
            return
        form = DECISION.search(page.text)
        if form is None:
            return  # nothing pending: this person only looked
        fields = dict(HIDDEN.findall(form.group(2)))
        fields.pop("csrfmiddlewaretoken", None)
        self.post(
            "manager decision POST",
            form.group(1),
            {**fields, "decision": "approve"},
            (
                "Jumelage approuvé",
                "Pairing approved",
                "Prolongation approuvée",
                "Extension approved",
                "Entente approuvée.",
                "Agreement approved.",
            ),  # fmt: skip
            kind="decision",
            decided=form.group(1),
            what=fields.get("what"),
            item=fields.get("extension") or fields.get("concern") or "",
            user=self.username,
        )


class Coordinator(Person):
    weight = 1
    accounts = COORDINATORS

    @task(1)
    def workbench(self):
        self.fetch("workbench (admin)", "/admin/mentorat/jumelage/")

    @task(2)
    def pairings(self):
        self.fetch("pairings listing (admin)", "/admin/snippets/wagtail_mentorat/pairing/")

    @task(1)
    def indicators(self):
        self.fetch("indicators (admin)", "/admin/mentorat/indicateurs/")


class Editor(Person):
    weight = 1
    accounts = EDITORS

    @task(3)
    def guide(self):
        self.fetch("guide page", random.choice(GUIDES))
