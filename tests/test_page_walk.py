"""Every page each demo role reaches, in French then in English (issue 18).

Logged in as each demo account, the walk starts at the role's start pages (``/``,
``/mentorat/``, ``/admin/``: the same addresses serve the English site when the language
cookie says English) and follows the same-site links of every page it reads (and the
admin sidebar's), breadth first, GET only (never log out, delete or change data; no
static or media files), at most ``LIMIT`` pages per role and language, two addresses of
one pattern (ids folded) and three filtered views of one listing (tests/walk.py). Every
page read is checked, and the test lists every offending address with its snippet:

- no 5xx;
- no phrase of the app's catalogues in the other language: an English message in a French
  page, a French translation in an English page (phrases of two words and twelve
  characters or more). Wagtail's own strings are Wagtail's, and what people wrote (a
  circle's name, a programme's texts, a page's title: anything stored in the database) is
  theirs;
- no raw stored value: ``True``/``False``/``None``, a ``snake_case`` token, or a choice's
  value where its label belongs (``Mentee`` or ``Peer`` on a French page);
- no stem in a reason ("(evalu)", "(mental, sant)": fragments of words in parentheses);
- the cases issue 18 found: abbreviated months ("15 Jui 2026"), "0.0" on a French page,
  a plural after 1 ("1 bonnes réponses"), "(fiche synthèse)" in a name, the workflow
  "Moderators approval" in French, English words on the French login, a person shown by
  their username, an admin screen titled "Accueil", two items of one menu with the same
  label; and the English registration and training pages reached from the English site.

A failure that belongs to a part another change is fixing is listed in ``KNOWN`` (the URL
pattern, the check, the reason, who fixes it) rather than hidden: remove the row once
fixed. ``WAGTAIL_OWN`` lists what Wagtail itself shows.
"""

import re
from fnmatch import fnmatchcase

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.utils import translation
from django.utils.html import strip_tags

from . import walk

# The fixture builds the demo once for the module (and rolls it back); the mark makes
# pytest-django set up the test database.
pytestmark = pytest.mark.django_db

# (account, start pages); the anonymous visitor reads the login pages.
ROLES = {
    "mentore1": ["/", "/mentorat/"],
    "mentore2": ["/", "/mentorat/"],
    "mentore6": ["/", "/mentorat/"],  # registered by her manager, to confirm
    "mentor1": ["/", "/mentorat/"],
    "mentor2": ["/", "/mentorat/"],
    "gestionnaire": ["/", "/mentorat/", "/mentorat/gestion/"],
    "coordination": ["/admin/", "/mentorat/"],
    "coordination2": ["/admin/", "/mentorat/"],
    "redaction": ["/admin/", "/"],
    "approbation": ["/admin/", "/"],
    "confidentialite": ["/admin/", "/mentorat/"],
    None: ["/connexion/", "/admin/login/"],
}
LANGUAGES = ("fr", "en")
LIMIT = 120

# Failures another part of issue 18 is fixing: (role or "*", language or "*", address
# pattern (fnmatch), check, token (fnmatch), reason, who fixes it). Remove once fixed.
KNOWN = []

# Wagtail's own screens: (address pattern, check, token, why).
WAGTAIL_OWN = []

# --- the checks ---------------------------------------------------------------------------

RAW_WORDS = re.compile(r"\b(True|False|None)\b")
# A snake_case token; not a path ("America/St_Johns" in Wagtail's time zone list) nor a
# dotted name ("mentorat_guides.guidepage" in Wagtail's page-types report).
SNAKE = re.compile(r"(?<![\w/.])[A-Za-z]+(?:_[A-Za-z]+)+(?![\w/]|\.\w)")
# "15 Jui 2026": a month cut short.
DAY_MONTH_YEAR = re.compile(r"\b\d{1,2} ([^\W\d_]{3,9}\.?) \d{4}\b")
FULL_MONTHS = {
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december",
}  # fmt: skip
DOT_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
# "1 bonnes réponses": a plural after one (words that end in s in the singular aside).
PLURAL_AFTER_ONE = re.compile(r"(?<![\d.,])(?<![\d.,] )\b1 ([^\W\d_]+s)\b")
SINGULAR_IN_S = {
    "fois", "mois", "cours", "temps", "pas", "plus", "sans", "dans", "sous", "ans", "was",
    "is", "has", "this", "its", "us", "as", "always", "access", "process", "status",
    "progress", "class", "address", "business", "less", "campus", "bus", "analysis",
}  # fmt: skip
PARENTHESES = re.compile(r"\(([^()]{1,120})\)")
NAME_SUFFIX = "(fiche synthèse)"
ENGLISH_ON_FRENCH_LOGIN = re.compile(r"\b(Password|Username|Log in|Sign in|Forgotten)\b")
ENGLISH_DATA = re.compile(r"\b(Moderators approval|Moderators|Editors)\b")
HOME_TITLES = {"Accueil", "Home", "Tableau de bord", "Dashboard"}
# Where a choice's value alone ("Mentee") would be a raw value: the front end and the
# app's admin screens (Wagtail's page explorer lists English page titles on French pages).
APP_ADMIN = re.compile(r"^/admin/(mentorat|formation|training_|wagtail_mentorat|snippets/wagt)")
SNIPPET = 60


def snippet(text, start, end):
    return "…" + text[max(start - SNIPPET, 0) : end + SNIPPET] + "…"


def choices_of_the_package():
    """{value: labels} of every choice field of the package's models whose value is not
    written as its label."""
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("wagtail_mentorat"):
            continue
        for model_field in model._meta.get_fields():
            for value, label in getattr(model_field, "flatchoices", None) or []:
                if isinstance(value, str) and value and value != str(label):
                    found.setdefault(value, []).append(label)
    return found


def stored_text():
    """What people wrote, as the pages show it: every text column of the package's and
    the demo's models and every page title, line by line."""
    lines = set()
    wanted = ("wagtail_mentorat", "home", "training", "wagtail.models")
    for model in apps.get_models():
        if not model.__module__.startswith(wanted) or model._meta.proxy:
            continue
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if not columns:
            continue
        for row in model._default_manager.values_list(*columns):
            for value in row:
                for line in strip_tags(value or "").splitlines():
                    line = " ".join(line.split())
                    if len(line) >= 12:
                        lines.add(line)
    return lines


class _Span:
    def __init__(self, start, end):
        self._start, self._end = start, end

    def start(self):
        return self._start

    def end(self):
        return self._end


class Checks:
    """What every page is held to; built once (catalogues, choices, vocabulary)."""

    def __init__(self, usernames, areas, stored):
        word = re.compile(r"[^\W\d_]+")
        self.foreign = walk.foreign_phrases()
        # Stored lines that hold a catalogue phrase: the phrase is theirs there.
        self.stored = {
            code: {p: [line for line in stored if p in line] for p in phrases}
            for code, phrases in self.foreign.items()
        }
        self.words = walk.words_by_language()
        self.vocabulary = {
            walk.plain(w)
            for w in self.words["fr"] | self.words["en"] | set(word.findall(" ".join(areas)))
        }
        self.labels = {}
        choices = choices_of_the_package()
        for code in LANGUAGES:
            with translation.override(code):
                self.labels[code] = {
                    value: {str(label) for label in labels} for value, labels in choices.items()
                }
        # A username shown where a name belongs: those that are not words.
        names = [n for n in usernames if re.search(r"\d", n) or n.lower() not in self.words["fr"]]
        self.username = re.compile(rf"(?<![\w@.])({'|'.join(map(re.escape, names))})(?![\w@])")

    # Each check returns (name, span) pairs.

    def raw_values(self, page, code):
        text, found = page.text, []
        for match in RAW_WORDS.finditer(text):
            # "None in particular" is English; "Aucun — None" is not.
            if code == "fr" or not re.match(r" [a-z]", text[match.end() :]):
                found.append(("raw value", match))
        found += [("raw value", match) for match in SNAKE.finditer(text)]
        if page.url.startswith("/admin/") and not APP_ADMIN.search(page.url):
            return found
        for value, labels in self.labels[code].items():
            form = value.capitalize()
            if "_" in value or form in labels or value.lower() in self.words[code]:
                continue  # "Urgent", "Active": a word of the page's language too
            found += [("raw value", m) for m in re.finditer(rf"\b{form}\b", text)]
        return found

    def is_stem(self, token):
        """A fragment of a word of the vocabulary ("evalu", "sant"), not a word itself."""
        token = walk.plain(token)
        if token in self.vocabulary:
            return False
        return any(word.startswith(token) for word in self.vocabulary)

    def stems(self, page, code):
        found = []
        for match in PARENTHESES.finditer(page.text):
            items = [item.strip() for item in match.group(1).split(",")]
            if all(re.fullmatch(r"[a-z]{2,}", item) for item in items) and any(
                self.is_stem(item) for item in items
            ):
                found.append(("stem in a reason", match))
        return found

    def foreign_text(self, page, code):
        text, found = page.text, []
        name = "English text" if code == "fr" else "French text"
        for phrase in self.foreign[code]:
            start = text.find(phrase)
            while start != -1:
                end = start + len(phrase)
                whole = not (text[start - 1 : start].isalnum() or text[end : end + 1].isalnum())
                if whole and not self._stored_at(text, start, phrase, self.stored[code][phrase]):
                    found.append((name, _Span(start, end)))
                    break
                start = text.find(phrase, end)
        return found

    @staticmethod
    def _stored_at(text, start, phrase, lines):
        for line in lines:
            offset = line.find(phrase)
            if text[start - offset : start - offset + len(line)] == line:
                return True
        return False

    def issue_cases(self, page, code):
        text, found = page.text, []
        for match in DAY_MONTH_YEAR.finditer(text):
            if match.group(1).lower() not in FULL_MONTHS:
                found.append(("abbreviated month", match))
        if code == "fr":
            for match in DOT_DECIMAL.finditer(text):
                if not text[: match.start()].endswith("Wagtail "):  # "Wagtail 8.0"
                    found.append(("dot decimal in French", match))
            found += [("English data in French", m) for m in ENGLISH_DATA.finditer(text)]
            if page.url.startswith(("/connexion/", "/admin/login/")):
                found += [
                    ("English on the French login", m)
                    for m in ENGLISH_ON_FRENCH_LOGIN.finditer(text)
                ]
        for match in PLURAL_AFTER_ONE.finditer(text):
            if match.group(1).lower() not in SINGULAR_IN_S:
                found.append(("plural after 1", match))
        start = text.find(NAME_SUFFIX)
        if start != -1:
            found.append(("(fiche synthèse) in a name", _Span(start, start + len(NAME_SUFFIX))))
        shown = [m for m in self.username.finditer(text)]
        if shown:  # one line for a list of people shown by their usernames
            found.append(("username for a person", _Span(shown[0].start(), shown[0].end())))
        if page.url.startswith("/admin/") and page.url.split("?")[0] != "/admin/":
            if page.h1 in HOME_TITLES:
                found.append(("admin screen titled as home", _Span(0, 0)))
        return found

    def menu(self, page):
        """Two items of one menu with the same label."""
        seen, found = {}, []
        for label, url, parent in page.menu:
            if (parent, label) in seen and seen[parent, label] != url:
                found.append(("two menu items with one label", f"{parent} › {label}"))
            seen.setdefault((parent, label), url)
        return found

    def page(self, page, code):
        """Every problem of one page: (check, token, snippet)."""
        if page.status >= 500:
            return [("server error", str(page.status), "")]
        if not page.text:
            return []
        text, problems = page.text, []
        for check in (self.raw_values, self.stems, self.foreign_text, self.issue_cases):
            for name, span in check(page, code):
                token = text[span.start() : span.end()] or page.h1 or ""
                problems.append((name, token, snippet(text, span.start(), span.end())))
        return problems + [(name, token, "") for name, token in self.menu(page)]


def listed(table, role, code, url, name, token):
    return any(
        fnmatchcase(str(role), row[0])
        and fnmatchcase(code, row[1])
        and fnmatchcase(url, row[2])
        and name == row[3]
        and fnmatchcase(token, row[4])
        for row in table
    )


def report(role, code, pages, checks):
    """One line per problem and address pattern, the first address and its snippet,
    the count of other addresses with it; known and Wagtail's own problems aside."""
    found = {}
    for page in pages:
        for name, token, context in checks.page(page, code):
            if listed(KNOWN, role, code, page.url, name, token) or listed(
                [("*", "*", *row[:3]) for row in WAGTAIL_OWN], role, code, page.url, name, token
            ):
                continue
            key = (name, token, walk.pattern_of(page.url))
            if key in found:
                found[key][2] += 1
            else:
                found[key] = [page.url, context, 0]
    return [
        f"{url}{f' (+{more} alike)' if more else ''}: {name} «{token}»: {context}"
        for (name, token, _pattern), (url, context, more) in found.items()
    ]


# --- the walk, once for the module -------------------------------------------------------------


def demo_starts(users):
    """Start pages that depend on the demo's ids: the records' inspect and history
    screens (the listings do not link every one of them) for the coordinators, and the
    edit screen of one page of each of the app's page types for the content roles."""
    from wagtail.models import Page

    from wagtail_mentorat.models import Agreement, MentoringRequest, Pairing

    snippets = "/admin/snippets/wagtail_mentorat"
    starts = {}
    for role in ("coordination", "coordination2"):
        programmes = users[role].coordinated_programmes.all()
        pairing = Pairing.objects.filter(programme__in=programmes).order_by("pk").first()
        request = MentoringRequest.objects.filter(programme__in=programmes).order_by("pk").first()
        agreement = Agreement.objects.filter(pairing__programme__in=programmes).first()
        starts[role] = [
            f"{snippets}/pairing/inspect/{pairing.pk}/",
            f"{snippets}/pairing/history/{pairing.pk}/",
            f"{snippets}/mentoringrequest/inspect/{request.pk}/",
            f"{snippets}/agreement/inspect/{agreement.pk}/",
        ]
    app_pages = Page.objects.filter(
        content_type__app_label__in=["wagtail_mentorat", "mentorat_guides", "mentorat_training"]
    ).order_by("content_type", "locale", "pk")
    one_per_type = {}
    for page in app_pages:
        one_per_type.setdefault((page.content_type_id, page.locale_id), page.pk)
    for role in ("redaction", "approbation"):
        starts[role] = [f"/admin/pages/{pk}/edit/" for pk in one_per_type.values()]
    return starts


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker):
    """{(role, language): (pages, problems)}: the demo is built once, every role walks it
    in both languages with one client, and the database is rolled back at the end."""
    from home import demo
    from wagtail_mentorat.models import ExpertiseArea

    results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        users = demo.build()["users"]
        areas = list(ExpertiseArea.objects.values_list("name", flat=True))
        checks = Checks(list(users), areas, stored_text())
        extra = demo_starts(users)
        shared = {code: set() for code in LANGUAGES}
        for role, starts in ROLES.items():
            client = Client()
            if role is not None:
                client.force_login(users[role])
            for code in LANGUAGES:
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
                pages = walk.walk(client, starts + extra.get(role, []), LIMIT, shared=shared[code])
                results[role, code] = (pages, report(role, code, pages, checks))
                import os
                import pickle  # TEMP

                if os.environ.get("WALK_DUMP"):
                    with open(f"/tmp/walkdump/{role}-{code}.pkl", "wb") as f:
                        pickle.dump(pages, f)
        transaction.set_rollback(True)
    return results


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_reads_right(walked, role, code):
    pages, problems = walked[role, code]
    assert len(pages) >= len(ROLES[role]), "the walk stopped at the start pages"
    assert not problems, f"{role or 'anonymous'} in {code}, {len(pages)} pages read:\n" + (
        "\n".join(problems)
    )


@pytest.mark.parametrize("role", ["mentore1", "mentor1"])
def test_the_english_site_has_registration_and_training(walked, role):
    """Issue 18: the English site had no registration page and no training pages, and
    "Register or update my profile" answered 404."""
    pages, _problems = walked[role, "en"]
    status = {page.url: page.status for page in pages}
    assert status.get("/sign-up/") == 200
    assert status.get("/training/") == 200
    french, _ = walked[role, "fr"]
    assert {page.url for page in french} >= {"/inscription/", "/formation/"}


def test_the_walk_reaches_the_app_admin_screens(walked):
    """The walk is only as good as its reach: the coordinator's walk reads the package's
    admin screens (the sidebar's links are followed), the manager's his space."""
    urls = {page.url for page in walked["coordination", "fr"][0]}
    for expected in (
        "/admin/mentorat/jumelage/",
        "/admin/snippets/wagtail_mentorat/pairing/",
        "/admin/mentorat/indicateurs/",
    ):
        assert expected in urls
    assert any(re.match(r"/admin/wagtail_mentorat/pairing/inspect/\d+/", url) for url in urls)
    manager = {page.url for page in walked["gestionnaire", "fr"][0]}
    assert "/mentorat/gestion/" in manager
    mentee = {page.url for page in walked["mentore1", "fr"][0]}
    assert any(re.match(r"/mentorat/jumelages/\d+/", url) for url in mentee)
