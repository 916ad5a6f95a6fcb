"""``manage.py import_people`` and ``export_people``: exit codes, summaries, progress, round trip."""

import pytest
from django.core.management import CommandError, call_command

from peakos.models import Person
from tests.peakos.importing import csv_file, snapshot


def write(tmp_path, text, name="people.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_a_good_file_prints_a_summary(tenant_a, tmp_path, capsys):
    path = write(tmp_path, csv_file("ann@a.example,Ann,Alpha Team,,,manager", "p1@alpha.example,New Name,,,,"))
    call_command("import_people", tenant_a.org.slug, path)
    out = capsys.readouterr().out
    assert "new person ann@a.example" in out
    assert "p1@alpha.example: name: Alpha Person 1 → New Name; team: Alpha Department → (none)" in out
    assert "Imported 2 rows into alpha-corp: 1 created, 1 updated, 0 deactivated, 0 unchanged" in out
    assert Person.objects.get(organization=tenant_a.org, email="ann@a.example").team == tenant_a.team


@pytest.mark.django_db
def test_a_bad_file_exits_1_listing_the_errors_and_changes_nothing(tenant_a, tmp_path, capsys):
    before = snapshot(tenant_a.org)
    path = write(tmp_path, csv_file("ann@a.example,Ann,Alpha Team,,ghost@a.example,", "bad,Bad,,,,"))
    with pytest.raises(CommandError) as raised:
        call_command("import_people", tenant_a.org.slug, path)
    assert raised.value.returncode == 1
    assert "2 errors" in str(raised.value) and "nothing was imported" in str(raised.value)
    err = capsys.readouterr().err
    assert "Row 2, column manager_email: unknown manager" in err
    assert "Row 3, column email: “bad” is not a valid e-mail address" in err
    assert snapshot(tenant_a.org) == before


@pytest.mark.django_db
def test_the_command_line_exits_with_status_1_on_errors_and_0_on_success(tenant_a, tmp_path, capsys, monkeypatch):
    from django.core.management import ManagementUtility
    from django.db import connections

    # The command line closes database connections when it ends; keep the test's transaction open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    bad = write(tmp_path, csv_file("bad,Bad,,,,"), name="bad.csv")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_people", tenant_a.org.slug, bad]).execute()
    assert exited.value.code == 1
    assert "Row 2, column email" in capsys.readouterr().err
    good = write(tmp_path, csv_file("ann@a.example,Ann,,,,"), name="good.csv")
    ManagementUtility(["manage.py", "import_people", tenant_a.org.slug, good]).execute()  # no SystemExit: 0
    assert "1 created" in capsys.readouterr().out


@pytest.mark.django_db
def test_large_files_show_progress(tenant_a, tmp_path, capsys):
    rows = [f"p{i}@big.example,Person {i},Team {i % 9},Alpha Department,,individual" for i in range(2500)]
    call_command("import_people", tenant_a.org.slug, write(tmp_path, csv_file(*rows)))
    captured = capsys.readouterr()
    assert "read 1000 rows" in captured.err and "read 2000 rows" in captured.err
    assert "created 2500 of 2500 people" in captured.err
    assert "2500 created" in captured.out
    assert Person.objects.filter(organization=tenant_a.org).count() == 2506


@pytest.mark.django_db
def test_deactivate_missing_and_dry_run(tenant_a, tmp_path, capsys):
    path = write(tmp_path, csv_file("p1@alpha.example,Alpha Person 1,Alpha Department,Alpha Leadership,,individual"))
    before = snapshot(tenant_a.org)
    call_command("import_people", tenant_a.org.slug, path, "--deactivate-missing", "--dry-run")
    assert (
        "Would import 1 rows into alpha-corp: 0 created, 0 updated, 5 deactivated, 1 unchanged"
        in capsys.readouterr().out
    )
    assert snapshot(tenant_a.org) == before
    call_command("import_people", tenant_a.org.slug, path)
    assert Person.objects.filter(organization=tenant_a.org, active=True).count() == 6
    call_command("import_people", tenant_a.org.slug, path, "--deactivate-missing")
    assert list(Person.objects.filter(organization=tenant_a.org, active=True).values_list("email", flat=True)) == [
        "p1@alpha.example"
    ]


@pytest.mark.django_db
def test_export_then_import_with_the_commands_changes_nothing(tenant_a, tmp_path, capsys):
    path = str(tmp_path / "out.csv")
    call_command("export_people", tenant_a.org.slug, path)
    assert "Exported 6 people of alpha-corp" in capsys.readouterr().out
    before = snapshot(tenant_a.org)
    call_command("import_people", tenant_a.org.slug, path, "--deactivate-missing")
    assert "0 created, 0 updated, 0 deactivated, 6 unchanged; 0 teams created, 0 moved" in capsys.readouterr().out
    assert snapshot(tenant_a.org) == before


@pytest.mark.django_db
def test_an_unknown_organization_or_file_is_a_clear_error(tenant_a, tmp_path):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        call_command("import_people", "nope", write(tmp_path, csv_file()))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_people", tenant_a.org.slug, str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        call_command("export_people", "nope", str(tmp_path / "x.csv"))
