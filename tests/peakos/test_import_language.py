"""A person's language: the CSV import's optional ``language`` column (BCP 47), the export,
the API (bulk upsert and one person) and the person form; checked against the
organization's languages with an error that names the row."""

import pytest
from django.urls import reverse

from peakos.models import Organization, Person
from peakos.orgadmin.peoplecsv import export_people_csv
from peakos.tenancy import org_scope
from tests.peakos.importing import HEADER, csv_file, import_errors, run_import

pytestmark = pytest.mark.django_db
WITH_LANGUAGE = HEADER + ",language"


def language_of(org, email):
    return Person.objects.get(organization=org, email=email).language


def test_the_language_column_sets_each_persons_language_in_bcp47_any_case(tenant_a):
    run_import(
        tenant_a.org,
        csv_file(
            "ana@a.example,Ana,Sales,,,individual,pt-BR",
            "bo@a.example,Bo,Sales,,,individual,de_AT",
            "cy@a.example,Cy,Sales,,,individual,JA",
            "di@a.example,Di,Sales,,,individual,",
            header=WITH_LANGUAGE,
        ),
    )
    org = tenant_a.org
    assert language_of(org, "ana@a.example") == "pt-br"
    assert language_of(org, "bo@a.example") == "de"  # a region we do not ship reads as its language
    assert language_of(org, "cy@a.example") == "ja"
    assert language_of(org, "di@a.example") == ""  # empty: the organization's default


def test_an_unknown_language_is_refused_with_its_row_and_nothing_changes(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file(
            "ana@a.example,Ana,Sales,,,individual,de",
            "bo@a.example,Bo,Sales,,,individual,Klingon",
            header=WITH_LANGUAGE,
        ),
    )
    assert errors == [
        "Row 3, column language: unknown language “Klingon”; use a BCP 47 tag of en, de, fr, es, pt-BR, nl, it, ja "
        "(empty: the organization's default)"
    ]


def test_a_language_the_organization_does_not_offer_is_refused_with_its_row(tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(languages=["en", "de"])
    tenant_a.org.refresh_from_db()
    errors = import_errors(tenant_a.org, csv_file("ana@a.example,Ana,Sales,,,individual,ja", header=WITH_LANGUAGE))
    assert errors == [
        "Row 2, column language: Alpha Corp does not offer “ja”; its languages are en, de "
        "(an admin can turn on more in Organization settings)"
    ]


def test_a_file_without_the_column_leaves_languages_alone_and_an_empty_cell_resets(tenant_a):
    person = tenant_a.people[1]
    Person.objects.filter(pk=person.pk).update(language="fr")
    row = f"{person.email},{person.name},{person.team.name},,,individual"
    plan = run_import(tenant_a.org, csv_file(row))
    assert language_of(tenant_a.org, person.email) == "fr" and plan.summary()["updated"] == 0
    plan = run_import(tenant_a.org, csv_file(row + ",", header=WITH_LANGUAGE))
    assert language_of(tenant_a.org, person.email) == ""
    assert [c for u in plan.people_to_update for c in u.changes] == [("language", "fr", "")]


def test_the_export_writes_languages_and_imports_back_unchanged(tenant_a):
    import io

    Person.objects.filter(pk=tenant_a.people[2].pk).update(language="pt-br")
    out = io.StringIO()
    with org_scope(tenant_a.org):
        export_people_csv(tenant_a.org, out)
    text = out.getvalue()
    assert text.splitlines()[0].startswith(WITH_LANGUAGE)
    assert f"{tenant_a.people[2].email},Alpha Person 1,Alpha Department,Alpha Leadership,,individual,pt-BR" in text
    plan = run_import(tenant_a.org, text)
    assert not plan.has_changes


def test_language_is_not_an_attribute(tenant_a):
    run_import(tenant_a.org, csv_file("ana@a.example,Ana,Sales,,,individual,nl", header=WITH_LANGUAGE))
    assert Person.objects.get(organization=tenant_a.org, email="ana@a.example").attributes == {}


# --------------------------------------------------------------------------- the person form


def test_the_person_form_offers_the_organizations_languages_and_saves_one(as_role, tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(languages=["en", "de", "ja"])
    person = tenant_a.people[1]
    url = reverse("manage_person", args=[tenant_a.org.slug, person.pk])
    client = as_role("admin")
    page = client.get(url).content.decode()
    choices = page.split('id="id_language"', 1)[1].split("</select>", 1)[0]
    assert "The organization&#x27;s default (English)" in choices and ">日本語<" in choices
    assert "Français" not in choices
    data = {"email": person.email, "name": person.name, "team": person.team_id, "layer": "individual", "active": "on"}
    response = client.post(url, {**data, "language": "ja"})
    assert response.status_code == 302
    assert language_of(tenant_a.org, person.email) == "ja"
