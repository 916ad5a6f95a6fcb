"""``manage.py import_people`` with nasty files: exit 1, a specific message by row, nothing written."""

import pytest
from django.core.management import CommandError, call_command

from peakos.models import Person
from tests.inputs.conftest import LONG_EMAIL, OVER_CSV_FIELD_LIMIT, PNG, utf16
from tests.peakos.importing import HEADER, csv_file

pytestmark = pytest.mark.django_db
GOOD_ROW = "ann@alpha.example,Ann Able,Alpha Team,,,manager"


def refused(tenant, tmp_path, capsys, content: bytes) -> str:
    """Run the command on ``content``; assert it exits 1 saying nothing was imported; return all it said."""
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        call_command("import_people", tenant.org.slug, str(path))
    assert raised.value.returncode == 1
    assert "othing was imported" in str(raised.value)
    return str(raised.value) + "\n" + capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv_file(GOOD_ROW, "bob@alpha.example,Bob\x00,,,,").encode(), "Row 3, column name: contains a NUL character"),
        (
            csv_file(GOOD_ROW, f"{LONG_EMAIL},Long,,,,").encode(),
            "Row 3, column email: longer than 254 characters (it has 255)",
        ),
        (
            csv_file(GOOD_ROW, f"bob@alpha.example,Bob,,,{LONG_EMAIL},").encode(),
            "Row 3, column manager_email: longer than 254",
        ),
        (
            csv_file(GOOD_ROW, "bob@alpha.example," + "B" * 201 + ",,,,").encode(),
            "Row 3, column name: longer than 200 characters (it has 201)",
        ),
        (
            csv_file(GOOD_ROW, f"bob@alpha.example,{OVER_CSV_FIELD_LIMIT},,,,").encode(),
            "Row 3, column name: longer than 200 characters (it has 131,073)",
        ),
        (
            csv_file(f"bob@alpha.example,Bob,,,,,{OVER_CSV_FIELD_LIMIT}", header=HEADER + ",desk").encode(),
            "Row 2, column desk: longer than 1,000 characters",
        ),
        (PNG, "This file is a PNG image, not a CSV file."),
        (b"PK\x03\x04" + b"\x00" * 40, "an Excel workbook (.xlsx)"),
        (bytes(range(256)) * 4, "binary data"),
        (utf16(csv_file(GOOD_ROW)), "This file is UTF-16 text, not UTF-8."),
        (csv_file(GOOD_ROW).encode("utf-16-le"), "This file is UTF-16 text, not UTF-8."),
        (b"", "Row 1: the file is empty"),
        (HEADER.encode() + b"\n", "Row 2: the file has only the header row"),
        (csv_file(GOOD_ROW, header=HEADER + ",Email").encode(), "Row 1, column Email: this column appears twice"),
        (
            csv_file(GOOD_ROW, 'bob@alpha.example,"Bob,,,,', "carl@alpha.example,Carl,,,,").encode(),
            "column name: a line break inside the cell (a quote left open on rows 3–4?)",
        ),
    ],
    ids=[
        "nul",
        "email-255",
        "manager-255",
        "name-201",
        "cell-over-131072",
        "attribute-over-131072",
        "png",
        "xlsx",
        "binary",
        "utf-16-bom",
        "utf-16-no-bom",
        "empty",
        "only-header",
        "duplicate-headers",
        "unclosed-quote",
    ],
)
def test_a_nasty_file_exits_1_with_a_specific_message_and_changes_nothing(
    tenant_a, tmp_path, capsys, unchanged, content, expected
):
    with unchanged():
        said = refused(tenant_a, tmp_path, capsys, content)
    assert expected in said
    assert "Traceback" not in said


def test_a_cell_over_the_csv_field_limit_names_its_row(tenant_a, tmp_path, capsys, unchanged):
    huge = "x" * (10 * 1024 * 1024 + 1)
    with unchanged():
        said = refused(tenant_a, tmp_path, capsys, csv_file(GOOD_ROW, f'bob@alpha.example,"{huge}",,,,').encode())
    assert "Row 3: a cell is longer than 10,485,760 characters; the rows after it were not read" in said


def test_a_windows_1252_file_is_read_and_says_so(tenant_a, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_file("jose@alpha.example,José Müller,,,,").encode("cp1252"))
    call_command("import_people", tenant_a.org.slug, str(path))
    assert "read as Windows-1252" in capsys.readouterr().err
    assert Person.objects.get(organization=tenant_a.org, email="jose@alpha.example").name == "José Müller"


def test_an_email_of_254_characters_is_imported(tenant_a, tmp_path, capsys):
    email = "a" * 63 + "@" + ".".join(["b" * 60] * 3) + ".example"
    assert len(email) == 254
    path = tmp_path / "people.csv"
    path.write_bytes(csv_file(f"{email},Long Address,,,,").encode())
    call_command("import_people", tenant_a.org.slug, str(path))
    assert Person.objects.filter(organization=tenant_a.org, email=email).exists()


def test_old_mac_line_breaks_are_read(tenant_a, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_file(GOOD_ROW, "bob@alpha.example,Bob,,,,").replace("\n", "\r").encode())
    call_command("import_people", tenant_a.org.slug, str(path))
    assert Person.objects.filter(organization=tenant_a.org, email="bob@alpha.example").exists()


def test_formula_cells_are_escaped_in_the_export_and_read_back_unchanged(tenant_a, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_file("eve@alpha.example,=cmd|' /C calc'!A0,,,,", "mal@alpha.example,@SUM(1+1),,,,").encode())
    call_command("import_people", tenant_a.org.slug, str(path))
    assert Person.objects.get(organization=tenant_a.org, email="eve@alpha.example").name == "=cmd|' /C calc'!A0"
    out = tmp_path / "export.csv"
    call_command("export_people", tenant_a.org.slug, str(out))
    exported = out.read_text(encoding="utf-8")
    assert "eve@alpha.example,'=cmd|' /C calc'!A0," in exported
    assert "mal@alpha.example,'@SUM(1+1)," in exported
    before = {p.email: p.name for p in Person.objects.filter(organization=tenant_a.org)}
    call_command("import_people", tenant_a.org.slug, str(out))
    assert {p.email: p.name for p in Person.objects.filter(organization=tenant_a.org)} == before
