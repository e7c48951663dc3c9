"""The wheel holds the one package and everything it needs at run time, nothing of the demo."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (".html", ".txt", ".css", ".js", ".mo", ".po", ".svg")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Built from the tracked files alone, in a copy (the build leaves nothing in the tree)."""
    source = tmp_path_factory.mktemp("source")
    for name in tracked("wagtail_mentorat") | {"pyproject.toml", "README.md"}:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("wagtail_mentorat-*.whl")
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def tracked(folder):
    listed = subprocess.run(  # noqa: S603,S607 (git, fixed arguments)
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", folder],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {name for name in listed if "__pycache__" not in name and (ROOT / name).is_file()}


def test_the_wheel_ships_only_wagtail_mentorat(wheel):
    top = {name.split("/")[0] for name in wheel if not name.endswith(".dist-info/")}
    assert {name for name in top if not name.endswith(".dist-info")} == {"wagtail_mentorat"}
    for demo in ("home/", "search/", "intranet/", "training/", "tests/", "templates/"):
        assert not any(name.startswith(demo) for name in wheel), demo


def test_every_app_ships_its_migrations_templates_static_and_catalogues(wheel):
    source = tracked("wagtail_mentorat")
    assert source, "git ls-files found nothing"
    needed = {name for name in source if name.endswith(SHIPPED) or name.endswith(".py")}
    assert needed - wheel == set()
    for app in ("", "training/", "guides/", "notifications/", "indicators/", "privacy/"):
        prefix = f"wagtail_mentorat/{app}"
        assert any(n.startswith(prefix + "migrations/0001") for n in wheel), app
    assert "wagtail_mentorat/locale/fr/LC_MESSAGES/django.mo" in wheel
    assert "wagtail_mentorat/training/locale/fr/LC_MESSAGES/django.mo" in wheel
    assert "wagtail_mentorat/static/wagtail_mentorat/mentorat.css" in wheel
    assert any(n.startswith("wagtail_mentorat/templates/wagtail_mentorat/") for n in wheel)
    assert "wagtail_mentorat/management/commands/mentorat_setup.py" in wheel
