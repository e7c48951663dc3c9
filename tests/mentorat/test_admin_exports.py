"""The admin's CSV and XLSX exports read like the listings (issue 18): a choice's label,
"Oui"/"Non", a person's name, an empty cell; never "True", "False", "None", a stored code
or a username where a name is known. In French and in English, for each export of the
app's admin (pairings, requests, agreements, participants, outbox, the report of people
blocked by training) and the register of closures, which has no export but a listing.

The demo is built once for the module; its exports are read and the database rolled back."""

import csv
import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from wagtail.users.models import UserProfile

from wagtail_mentorat import formatting
from wagtail_mentorat.admin.display import LabelledExportMixin
from wagtail_mentorat.models import MentoringRequest, Programme

LANGUAGES = ("fr", "en")
EXPORTS = {
    "pairings": "/admin/snippets/wagtail_mentorat/pairing/",
    "requests": "/admin/snippets/wagtail_mentorat/mentoringrequest/",
    "agreements": "/admin/snippets/wagtail_mentorat/agreement/",
    "participants": "/admin/snippets/wagtail_mentorat/participantprofile/",
    "outbox": "/admin/mentorat/courriels/",
    "blocked": "/admin/mentorat/bloques/",
}
CLOSURES = "/admin/wagtail_mentorat/pairing/"
RAW_WORDS = {"True", "False", "None"}


def raw_choice_values():
    """Every stored value of a choice field of the package whose label differs from it."""
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("wagtail_mentorat"):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value and value != str(label):
                    found.add(value)
    return found


def read_csv(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [
        ["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)
    ]


def client_in(user, code):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = code
    profile.save()
    client = Client()
    client.force_login(user)
    return client


# The mark orders these tests with the other database tests, before the transactional ones
# (browser tests), whose teardown empties the database this module's fixture builds on.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker):
    """{(export, format, language): rows} for the coordinator; the closures register's
    listing and inspect pages; what the other roles get; the demo's names."""
    from home import demo

    seen = {}
    with django_db_blocker.unblock(), transaction.atomic():
        users = demo.build()["users"]
        named = get_user_model().objects.exclude(first_name="").exclude(last_name="")
        seen["usernames"] = set(named.values_list("username", flat=True))
        seen["names"] = {user.get_full_name() for user in named}
        seen["raw"] = raw_choice_values()
        for code in LANGUAGES:
            client = client_in(users["coordination"], code)
            for name, url in EXPORTS.items():
                for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
                    response = client.get(url, {"export": fmt})
                    assert response.status_code == 200, (url, fmt, response.status_code)
                    seen[name, fmt, code] = read(response)
            listing = client.get(CLOSURES).content.decode()
            closure = re.search(rf'href="{CLOSURES}inspect/(\d+)/"', listing)
            inspect = client.get(f"{CLOSURES}inspect/{closure.group(1)}/").content.decode()
            seen["closures", code] = (listing, inspect)
        seen["editor"] = client_in(users["redaction"], "fr").get(
            EXPORTS["requests"], {"export": "csv"}
        )
        narrow = client_in(users["coordination2"], "fr")
        seen["narrow"] = read_csv(narrow.get(EXPORTS["requests"], {"export": "csv"}))
        seen["narrow_programmes"] = set(
            Programme.objects.filter(coordinators=users["coordination2"]).values_list(
                "name", flat=True
            )
        )
        transaction.set_rollback(True)
    return seen


def cells(rows):
    return [str(cell) for row in rows[1:] for cell in row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("name", list(EXPORTS))
def test_an_export_has_no_raw_value_and_no_username(exported, name, fmt, code):
    rows = exported[name, fmt, code]
    if name != "blocked":  # the demo's mentors have their training: none may be blocked
        assert len(rows) > 1, name
    values = cells(rows)
    assert not RAW_WORDS & set(values), (name, sorted(RAW_WORDS & set(values)))
    assert not exported["raw"] & set(values), (name, sorted(exported["raw"] & set(values)))
    assert not exported["usernames"] & set(values), sorted(exported["usernames"] & set(values))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_people_are_exported_by_name_and_flags_in_words(exported, fmt):
    for name in ("requests", "participants", "outbox"):
        assert exported["names"] & set(cells(exported[name, fmt, "fr"])), name
    for code, words in (("fr", {"Oui", "Non"}), ("en", {"Yes", "No"})):
        rows = exported["participants", fmt, code]
        column = [row[5] for row in rows[1:]]  # is_mentor (list_export)
        assert set(column) <= words and set(column), (code, set(column))


def test_the_headings_and_labels_follow_the_language(exported):
    fr, en = exported["requests", "csv", "fr"], exported["requests", "csv", "en"]
    assert fr[0] != en[0]
    statuses = {label for _value, label in MentoringRequest.Status.choices}
    status_fr = {row[fr[0].index("Statut")] for row in fr[1:]}
    status_en = {row[en[0].index("Status")] for row in en[1:]}
    assert status_en <= {str(label) for label in statuses}
    assert status_fr and not status_fr & status_en  # "En attente d'un mentor", not "Waiting…"


def test_dates_are_local_and_to_the_second(exported):
    rows = exported["outbox", "csv", "fr"]
    created = rows[0].index("Date de création")
    for row in rows[1:]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[created]), row[created]


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_closures_register_reads_in_words(exported, code):
    listing, inspect = exported["closures", code]
    for page in (listing, inspect):
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]+>", " ", page)
        assert not re.search(r"\b(True|False|None)\b", text)
        assert not [value for value in exported["raw"] if re.search(rf">\s*{value}\s*<", page)]


def test_the_exports_keep_to_the_reader_s_scope(exported):
    assert exported["editor"].status_code in (302, 403, 404)
    assert "text/csv" not in exported["editor"].get("Content-Type", "")
    rows = exported["narrow"]
    column = rows[0].index("Programme")
    assert {row[column] for row in rows[1:]} <= exported["narrow_programmes"]


def test_a_cell_goes_through_the_formatting_layer(db):
    """Each kind of value, on a record built here (not the demo's)."""
    from tests.mentorat.conftest import ProgrammeFactory, person

    mentee = person("sans-nom")
    mentee.first_name = mentee.last_name = ""
    mentee.save()
    named = person("avec-nom")
    request = MentoringRequest.objects.create(
        programme=ProgrammeFactory(), mentee=named, need="Besoin", urgency="urgent"
    )
    view = LabelledExportMixin()
    view.list_export = ["mentee", "urgency", "opened_by", "programme.is_active"]
    row = view.to_row_dict(request)
    assert row["mentee"] == named.get_full_name() != named.get_username()
    assert row["urgency"] == str(MentoringRequest.Urgency.URGENT.label)
    assert row["opened_by"] == ""
    assert row["programme.is_active"] in ("Yes", "Oui")
    assert formatting.export_value(mentee) == "sans-nom"  # no name known: the username
