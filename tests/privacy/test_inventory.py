"""The data inventory (A-2.1 s. 63.5) and privacy by default (art. 25 GDPR)."""

import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import ContactAfterClosure
from wagtail_mentorat.privacy import inventory

DOCS = Path(__file__).resolve().parents[2] / "docs"
# The privacy pages of the documentation, where the generated inventory lives.
PAGES = [DOCS / language / "privacy" / "inventory.md" for language in ("fr", "en")]
WRITE = "python manage.py mentorat_privacy_inventory --write " + " ".join(
    str(page.relative_to(DOCS.parent)) for page in PAGES
)


def test_every_field_of_our_apps_is_classified():
    missing = inventory.unclassified()
    assert not missing, "classify in wagtail_mentorat/privacy/inventory.py: " + ", ".join(missing)


def test_the_inventory_covers_every_app_of_the_package_and_nothing_of_the_host():
    package = {
        c.label
        for c in apps.get_app_configs()
        if c.name == "wagtail_mentorat" or c.name.startswith("wagtail_mentorat.")
    }
    with_models = {c.label for c in apps.get_app_configs() if list(c.get_models())} & package
    classified = {label.split(".")[0] for label in inventory.INVENTORY}
    assert with_models <= classified, "an app of the package is missing from the inventory"
    assert classified <= package, "the inventory lists a model outside the package"
    # The demo's own pages are the host's, not the app's.
    assert apps.is_installed("home")
    assert not any(inventory.is_ours(m) for m in apps.get_app_config("home").get_models())
    assert "home." not in inventory.markdown()


def test_the_inventory_names_no_field_that_is_gone():
    assert inventory.stale() == []


def test_every_classification_uses_known_keys():
    for label, entry in inventory.INVENTORY.items():
        assert entry.retention in inventory.RETENTION, label
        assert entry.purpose.strip(), label
        for names, access in entry.fields.items():
            assert access in inventory.ACCESS, f"{label}: {names}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.parts[-3])
def test_the_documentation_privacy_page_is_generated_and_up_to_date(page):
    text = page.read_text(encoding="utf-8")
    assert inventory.START in text and inventory.END in text, f"run: {WRITE}"
    block = text.split(inventory.START, 1)[1].split(inventory.END, 1)[0]
    assert block == "\n" + inventory.markdown(), f"the inventory is stale: {WRITE}"


def test_the_command_prints_the_markdown(capsys):
    call_command("mentorat_privacy_inventory", "--markdown")
    assert capsys.readouterr().out == inventory.markdown()


def test_the_command_writes_only_the_file_it_is_given_and_needs_no_base_dir(settings, tmp_path):
    """A host has no BASE_DIR to speak of, and our documentation is not its to find. The
    former option name, --write-readme, still works for hosts' scripts."""
    del settings.BASE_DIR
    target = tmp_path / "PRIVACY.md"
    target.write_text("# Our intranet\n\nText.\n")
    pages_before = [page.read_text() for page in PAGES]
    call_command("mentorat_privacy_inventory", "--write-readme", str(target))
    written = target.read_text()
    assert written.startswith("# Our intranet\n\nText.\n")
    assert inventory.START + "\n" + inventory.markdown() + inventory.END in written
    assert [page.read_text() for page in PAGES] == pages_before
    with pytest.raises(CommandError, match="no such file"):
        call_command("mentorat_privacy_inventory", "--write-readme", str(tmp_path / "nope.md"))


def test_the_command_writes_every_page_it_is_given_or_none(tmp_path):
    fr, en = tmp_path / "fr.md", tmp_path / "en.md"
    fr.write_text("# Inventaire\n")
    en.write_text("# Inventory\n")
    call_command("mentorat_privacy_inventory", "--write", str(fr), str(en))
    for page in (fr, en):
        assert inventory.START + "\n" + inventory.markdown() + inventory.END in page.read_text()
    # A missing file is refused before anything is written.
    fr.write_text("# Inventaire\n")
    with pytest.raises(CommandError, match="no such file"):
        call_command("mentorat_privacy_inventory", "--write", str(fr), str(tmp_path / "no.md"))
    assert fr.read_text() == "# Inventaire\n"


def test_readme_block_goes_under_the_privacy_heading_or_at_the_end():
    under = inventory.readme_with_inventory("# T\n\n### Privacy (A-2.1)\n\nIntro.\n\n## Next\n")
    assert under.index(inventory.START) > under.index("Intro.")
    assert under.index(inventory.END) < under.index("## Next")
    end = inventory.readme_with_inventory("# T\n\nText.\n")
    assert end.rstrip().endswith(inventory.END)
    again = inventory.readme_with_inventory(under)
    assert again == under


def _sharing_candidates():
    for model in apps.get_models():
        if not inventory.is_ours(model):
            continue
        label = f"{model._meta.app_label}.{model._meta.object_name}"
        for f in inventory.own_fields(model):
            name = f"{label}.{f.name}"
            if name in inventory.SHARING_OPTIONS or any(
                hint in f.name for hint in inventory.SHARING_NAME_HINTS
            ):
                yield name, f


def test_every_visibility_or_sharing_option_defaults_to_its_most_restrictive_value():
    found = dict(_sharing_candidates())
    assert set(inventory.SHARING_OPTIONS) <= set(found), "a listed option no longer exists"
    for name, field in found.items():
        if name in inventory.NOT_SHARING_OPTIONS:
            continue
        assert name in inventory.SHARING_OPTIONS, (
            f"{name} looks like a visibility or sharing option: list it in SHARING_OPTIONS with "
            "its most restrictive value, or in NOT_SHARING_OPTIONS with the reason"
        )
        default = field.get_default()
        assert default in inventory.SHARING_OPTIONS[name], f"{name} defaults to {default!r}"
        if field.choices:
            assert set(inventory.SHARING_OPTIONS[name]) & ({""} | {c[0] for c in field.choices})


def test_closing_shares_no_contact_unless_asked():
    default = inspect.signature(lifecycle.request_closure).parameters["contact_after"].default
    assert default == ContactAfterClosure.NONE
    # The form's first choice (what a browser shows selected) is the restrictive one.
    assert ContactAfterClosure.choices[0][0] == ContactAfterClosure.NONE


@pytest.mark.django_db
def test_email_consent_is_restrictive_about_optional_reminders_nowhere_else():
    """Privacy by default also covers the privacy app's own switches: a legal hold and a
    withdrawal are explicit, never preset."""
    from wagtail_mentorat.privacy.models import Consent, LegalHold

    assert Consent._meta.get_field("withdrawn_at").get_default() is None
    assert LegalHold._meta.get_field("lifted_at").get_default() is None


def test_the_block_moves_under_the_privacy_heading_once_it_exists():
    first = inventory.readme_with_inventory("# T\n\nText.\n")
    later = first + "\n## Security and privacy\n\n### Privacy (A-2.1)\n\nIntro.\n\n## Next\n"
    moved = inventory.readme_with_inventory(later)
    assert moved.count(inventory.START) == 1
    assert moved.index("### Privacy (A-2.1)") < moved.index(inventory.START)
    assert moved.index(inventory.END) < moved.index("## Next")
