"""``manage.py mentorat_import``: one line per error, non-zero exit, a summary otherwise."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.imports.conftest import csv_file
from wagtail_mentorat.models import ParticipantProfile

pytestmark = pytest.mark.django_db


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("mentorat_import", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "personnel.csv"
    path.write_bytes(
        csv_file(
            "a@x.example;A;", "b@x.example;B;a@x.example", header="email;first_name;superior_email"
        )
    )
    return path


def test_command_prints_each_error_with_line_and_column_and_exits_non_zero(tmp_path):
    path = tmp_path / "personnel.csv"
    path.write_bytes(
        csv_file("a@x.example,-3", "a@x.example,2", "b@x.example,x", header="email,mentor_capacity")
    )

    with pytest.raises(CommandError) as raised:
        run(path)

    assert raised.value.returncode == 1
    assert str(raised.value) == "3 errors; nothing was written."
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("mentorat_import", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2, column mentor_capacity: Ensure this value is greater than or equal to 0.",
        "line 3, column email: This email already appears on line 2.",
        "line 4, column mentor_capacity: Enter a whole number.",
    ]
    assert not ParticipantProfile.objects.exists()


def test_command_reports_a_file_error_without_column(tmp_path):
    path = tmp_path / "personnel.csv"
    path.write_bytes("email\na@x.example\nbé@x.example\n".encode("latin-1"))

    with pytest.raises(CommandError):
        call_command(
            "mentorat_import", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO())
        )

    assert err.getvalue().startswith("line 3: The file is not in UTF-8")


def test_command_dry_run_prints_the_summary_and_writes_nothing(good_file):
    out, err = run(good_file, "--dry-run")

    assert err == ""
    assert out.startswith("Dry run, nothing written. The import would create 2 account(s)")
    assert not ParticipantProfile.objects.exists()


def test_command_imports_and_prints_the_summary(good_file):
    out, _err = run(good_file)

    assert out.strip() == (
        "Import done: 2 account(s) created, 0 updated; 2 profile(s) created, 0 updated; "
        "0 line(s) unchanged."
    )
    assert ParticipantProfile.objects.get(user__email="b@x.example").superior.email == "a@x.example"


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "absent.csv")
