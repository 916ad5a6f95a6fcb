"""The browser's CSV import with nasty files: the upload page again with a specific message, nothing stored.

The preview runs every check the confirmation runs (one parser), so a file the preview
accepts is never refused on confirm: shown here at the limits (a 254-character e-mail).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peakos.models import PeopleImport, Person
from tests.inputs.conftest import LONG_EMAIL, OVER_CSV_FIELD_LIMIT, PNG, utf16
from tests.peakos.importing import HEADER, csv_file

pytestmark = pytest.mark.django_db
GOOD_ROW = "ann@alpha.example,Ann Able,Alpha Team,,,manager"


def upload(client, tenant, content: bytes, name="people.csv"):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    return client.post(reverse("manage_import", args=[tenant.org.slug]), data)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv_file(GOOD_ROW, "bob@alpha.example,Bob\x00,,,,").encode(), "contains a NUL character"),
        (csv_file(GOOD_ROW, f"{LONG_EMAIL},Long,,,,").encode(), "longer than 254 characters (it has 255)"),
        (csv_file(GOOD_ROW, f"bob@alpha.example,{OVER_CSV_FIELD_LIMIT},,,,").encode(), "(it has 131,073)"),
        (PNG, "This file is a PNG image, not a CSV file."),
        (utf16(csv_file(GOOD_ROW)), "This file is UTF-16 text, not UTF-8."),
        (b"", "The submitted file is empty."),
        (HEADER.encode() + b"\n", "the file has only the header row"),
        (csv_file(GOOD_ROW, header=HEADER + ",Email").encode(), "this column appears twice"),
    ],
    ids=["nul", "email-255", "cell-over-131072", "png", "utf-16", "empty", "only-header", "duplicate-headers"],
)
def test_a_nasty_file_is_refused_at_upload_with_a_specific_message(as_role, tenant_a, unchanged, content, expected):
    client = as_role("admin")
    with unchanged():
        response = upload(client, tenant_a, content)
    assert response.status_code == 400
    assert expected in response.content.decode()


def test_a_file_at_the_limits_is_previewed_and_confirmed(as_role, tenant_a):
    client = as_role("admin")
    email = "a" * 63 + "@" + ".".join(["b" * 60] * 3) + ".example"
    response = upload(client, tenant_a, csv_file(f"{email}," + "N" * 200 + ",,,,").encode())
    assert response.status_code == 302
    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302
    assert Person.objects.get(organization=tenant_a.org, email=email).name == "N" * 200
    assert PeopleImport.objects.get().status == PeopleImport.Status.APPLIED


def test_a_windows_1252_file_is_previewed_with_a_note(as_role, tenant_a):
    client = as_role("admin")
    response = upload(client, tenant_a, csv_file("jose@alpha.example,José Müller,,,,").encode("cp1252"))
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "read as Windows-1252" in preview
    assert "jose@alpha.example" in preview
    client.post(response["Location"])
    assert Person.objects.get(organization=tenant_a.org, email="jose@alpha.example").name == "José Müller"


def test_the_export_escapes_formula_cells(as_role, tenant_a):
    client = as_role("admin")
    response = upload(client, tenant_a, csv_file('eve@alpha.example,=HYPERLINK("http://x"),,,,').encode())
    client.post(response["Location"])
    exported = client.get(reverse("manage_export", args=[tenant_a.org.slug])).content.decode("utf-8-sig")
    assert 'eve@alpha.example,"\'=HYPERLINK(""http://x"")",' in exported
