"""The app's one "Mentorat" entry in the Wagtail admin sidebar: each role sees in it only
the screens it may use; ``WAGTAIL_MENTORAT["ADMIN_MENU"] = "flat"`` puts them at the top
level; a person with no role sees none of it. Read from the sidebar Wagtail renders (its
props, JSON in ``#wagtail-sidebar-props``) and from the menu objects."""

import json
import re

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from wagtail.admin.menu import admin_menu
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.django_db

FLAT = {"WAGTAIL_MENTORAT": {"ADMIN_MENU": "flat"}}
WORKBENCH = "/admin/mentorat/jumelage/"
INDICATORS = "/admin/mentorat/indicateurs/"
INCIDENTS = "/admin/mentorat_incidents/"
DISAGREEMENTS = "/admin/snippets/wagtail_mentorat/disagreement/"


def _unpack(value, refs):
    """Telepath's packing undone: a repeated value is sent once (``_id``), then ``_ref``."""
    if isinstance(value, list):
        return [_unpack(item, refs) for item in value]
    if not isinstance(value, dict):
        return value
    if "_ref" in value:
        return refs[value["_ref"]]
    if "_val" in value:
        result = _unpack(value["_val"], refs)
    elif "_list" in value:
        result = _unpack(value["_list"], refs)
    elif "_dict" in value:
        result = {key: _unpack(item, refs) for key, item in value["_dict"].items()}
    else:
        result = {key: _unpack(item, refs) for key, item in value.items()}
    if "_id" in value:
        refs[value["_id"]] = result
    return result


def _item(packed):
    """(label, url) for a link, (label, [children]) for a submenu."""
    meta, *rest = packed["_args"]
    if packed["_type"] == "wagtail.sidebar.SubMenuItem":
        return meta["label"], [_item(child) for child in rest[0]]
    return meta["label"], meta["url"]


def sidebar(client):
    """The main menu of the admin's sidebar, as the browser receives it."""
    html = client.get("/admin/").content.decode()
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    modules = _unpack(json.loads(props.group(1)), {})["modules"]
    main = next(m for m in modules if m["_type"] == "wagtail.sidebar.MainMenuModule")
    return [_item(item) for item in main["_args"][0]]


def urls(items):
    """Every link's address, at any depth."""
    found = []
    for _label, target in items:
        found += urls(target) if isinstance(target, list) else [target]
    return found


def mentoring(items):
    entries = [target for label, target in items if label == "Mentorat"]
    assert len(entries) == 1, [label for label, _ in items]
    return entries[0]


def test_the_coordinator_has_one_mentorat_entry_with_the_programme_screens(client_for):
    top = sidebar(client_for("coordination"))
    menu = mentoring(top)
    assert WORKBENCH not in urls([item for item in top if item[0] != "Mentorat"])
    labels = [label for label, _ in menu]
    assert labels[0] == "Atelier de jumelage"
    for label in ("Jumelages", "Mésententes", "Registre des clôtures", "Indicateurs de qualité"):
        assert label in labels
    submenus = {label: urls(target) for label, target in menu if isinstance(target, list)}
    assert set(submenus) == {"Courriels", "Formation"}
    assert "/admin/training_sessions/" in submenus["Formation"]
    reached = urls(menu)
    for url in (WORKBENCH, INDICATORS, DISAGREEMENTS, "/admin/mentorat/cercles/"):
        assert url in reached
    assert "/admin/mentorat/importer/" in reached
    assert INCIDENTS not in reached  # the privacy officer's


def test_the_privacy_officer_sees_the_registers_and_the_disagreements_only(client_for):
    menu = mentoring(sidebar(client_for("confidentialite")))
    assert menu == [
        ("Mésententes", DISAGREEMENTS),
        (
            "Protection des renseignements personnels",
            [
                ("Incidents de confidentialité", INCIDENTS),
                ("Suivis des incidents", "/admin/mentorat_incident_followups/"),
                ("Journal des consultations", "/admin/mentorat_read_audit/"),
                ("Suspensions de destruction", "/admin/mentorat_legal_holds/"),
            ],
        ),
    ]


def test_the_content_editor_has_no_mentorat_entry(client_for):
    top = sidebar(client_for("redaction"))
    assert "Pages" in [label for label, _ in top]
    assert "Mentorat" not in [label for label, _ in top]
    assert not [url for url in urls(top) if "mentorat" in url]


def test_the_entry_is_in_english_for_an_english_admin(client_for, demo_users):
    profile = UserProfile.get_for_user(demo_users["coordination"])
    profile.preferred_language = "en"
    profile.save()
    labels = [label for label, _ in sidebar(client_for("coordination"))]
    assert "Mentoring" in labels and "Mentorat" not in labels


def _menu_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin_menu.menu_items_for_request(request)


@pytest.mark.parametrize("username", ["gestionnaire", "mentore1", "mentor1"])
def test_a_person_with_no_role_sees_no_mentoring_entry(demo_users, username):
    for setting in ({}, FLAT):
        with override_settings(**setting):
            items = _menu_for(demo_users[username])
        assert not [item for item in items if item.name == "mentorat"]
        assert not [item for item in items if "mentorat" in str(getattr(item, "url", ""))]


@override_settings(**FLAT)
def test_flat_puts_each_screen_at_the_top_level_in_the_same_order(client_for):
    top = sidebar(client_for("coordination"))
    assert "Mentorat" not in [label for label, _ in top]
    labels = [label for label, _ in top]
    first = labels.index("Atelier de jumelage")
    assert labels[first : first + 3] == ["Atelier de jumelage", "Jumelages", "Demandes de mentorat"]
    assert ("Indicateurs de qualité", INDICATORS) in top
    assert "Formation" in labels
    assert "Courriels du mentorat" in labels  # at the top level, it says whose emails
    assert "Protection des renseignements personnels" not in labels
    privacy = sidebar(client_for("confidentialite"))
    assert [label for label, _ in privacy][:2] == [
        "Mésententes",
        "Protection des renseignements personnels",
    ]


def test_flat_changes_no_shared_menu_item(client_for):
    """The flat layout copies the items: the grouped menu is the same afterwards."""
    grouped = sidebar(client_for("coordination"))
    with override_settings(**FLAT):
        sidebar(client_for("coordination"))
    assert sidebar(client_for("coordination")) == grouped


def test_the_screens_keep_their_addresses():
    assert reverse("mentorat_workbench") == WORKBENCH
    assert reverse("mentorat_indicators:dashboard") == INDICATORS
    assert reverse("mentorat_incidents:index") == INCIDENTS
    assert reverse("mentorat_import") == "/admin/mentorat/importer/"
    assert reverse("mentorat_circles_admin") == "/admin/mentorat/cercles/"
    assert reverse("mentorat_outbox:index") == "/admin/mentorat/courriels/"
    assert reverse("training_sessions:index") == "/admin/training_sessions/"
