"""Every import error names its row and column, and a file with any error changes nothing."""

import pytest

from tests.peakos.importing import csv_file, import_errors


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["email", "name", "team", "parent_team", "manager_email", "layer"])
def test_a_missing_column_is_named(tenant_a, column):
    header = ",".join(c for c in ["email", "name", "team", "parent_team", "manager_email", "layer"] if c != column)
    errors = import_errors(tenant_a.org, csv_file("x@a.example,X,Sales,,,individual", header=header))
    assert f"Row 1, column {column}: missing column" in errors


@pytest.mark.django_db
def test_an_empty_file_is_refused(tenant_a):
    assert import_errors(tenant_a.org, "") == ["Row 1: the file is empty; the first row must name the columns"]


@pytest.mark.django_db
def test_an_unknown_manager_is_named_with_its_row(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file(
            "ann@a.example,Ann,Sales,,,executive",
            "bob@a.example,Bob,Sales,,nobody@a.example,individual",
        ),
    )
    assert errors == [
        "Row 3, column manager_email: unknown manager “nobody@a.example”: not in this file and not in Alpha Corp"
    ]


@pytest.mark.django_db
def test_a_team_cycle_in_the_file_is_refused(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file(
            "ann@a.example,Ann,Sales,Marketing,,manager",
            "bob@a.example,Bob,Marketing,Sales,,manager",
        ),
    )
    assert errors == ["Row 2, column parent_team: team cycle: Sales → Marketing → Sales"]


@pytest.mark.django_db
def test_moving_a_team_under_its_own_subteam_is_a_cycle(tenant_a):
    # Alpha Department is above Alpha Team, which is above Alpha Subteam.
    errors = import_errors(tenant_a.org, csv_file("ann@a.example,Ann,Alpha Department,Alpha Subteam,,manager"))
    assert len(errors) == 1
    assert errors[0].startswith("Row 2, column parent_team: team cycle:")
    assert "Alpha Department" in errors[0] and "Alpha Subteam" in errors[0]


@pytest.mark.django_db
def test_a_team_cannot_be_its_own_parent(tenant_a):
    errors = import_errors(tenant_a.org, csv_file("ann@a.example,Ann,Sales,sales,,manager"))
    assert errors == ["Row 2, column parent_team: team cycle: “Sales” cannot be its own parent"]


@pytest.mark.django_db
def test_two_parents_for_one_team_are_refused(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file("ann@a.example,Ann,Sales,Alpha Leadership,,manager", "bob@a.example,Bob,Sales,Alpha Team,,individual"),
    )
    assert errors == ["Row 3, column parent_team: team “Sales” already has parent team “Alpha Leadership” on row 2"]


@pytest.mark.django_db
def test_a_duplicate_email_in_the_file_names_both_rows(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file(
            "ann@a.example,Ann,Sales,,,manager", "x@a.example,X,Sales,,,individual", "ANN@a.example,Ann B,Sales,,,"
        ),
    )
    assert errors == ["Row 4, column email: duplicate e-mail “ann@a.example”: already on row 2"]


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["ann.example", "ann@", "ann @a.example", "@a.example"])
def test_a_malformed_email_is_refused(tenant_a, email):
    errors = import_errors(tenant_a.org, csv_file("ok@a.example,Ok,Sales,,,", f"{email},Ann,Sales,,,"))
    assert errors == [f"Row 3, column email: “{email.lower()}” is not a valid e-mail address"]


@pytest.mark.django_db
def test_a_malformed_manager_email_is_refused(tenant_a):
    errors = import_errors(tenant_a.org, csv_file("ann@a.example,Ann,Sales,,boss-at-a.example,"))
    assert errors == ["Row 2, column manager_email: “boss-at-a.example” is not a valid e-mail address"]


@pytest.mark.django_db
def test_an_unknown_layer_lists_the_known_ones(tenant_a):
    errors = import_errors(tenant_a.org, csv_file("ann@a.example,Ann,Sales,,,ceo"))
    assert errors == [
        "Row 2, column layer: unknown layer “ceo”; use one of executive, director, manager, lead, individual"
    ]


@pytest.mark.django_db
def test_a_manager_loop_in_the_file_is_refused(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file(
            "ann@a.example,Ann,Sales,,cid@a.example,manager",
            "bob@a.example,Bob,Sales,,ann@a.example,individual",
            "cid@a.example,Cid,Sales,,bob@a.example,individual",
        ),
    )
    assert errors == [
        "Row 2, column manager_email: manager loop: ann@a.example → cid@a.example → bob@a.example → ann@a.example"
    ]


@pytest.mark.django_db
def test_a_manager_loop_through_someone_not_in_the_file_is_refused(tenant_a):
    # p1@alpha.example is already in the organization and reports to ann once she exists...
    from peakos.models import Person

    p1 = tenant_a.people[1]
    ann = Person.objects.create(organization=tenant_a.org, email="ann@a.example", name="Ann")
    p1.manager = ann
    p1.save()
    # ...so the file must not make ann report to p1.
    errors = import_errors(tenant_a.org, csv_file(f"ann@a.example,Ann,,,{p1.email},manager"))
    assert errors == [f"Row 2, column manager_email: manager loop: ann@a.example → {p1.email} → ann@a.example"]


@pytest.mark.django_db
def test_someone_managing_themselves_is_a_loop(tenant_a):
    errors = import_errors(tenant_a.org, csv_file("ann@a.example,Ann,Sales,,ann@a.example,"))
    assert errors == ["Row 2, column manager_email: manager loop: ann@a.example → ann@a.example"]


@pytest.mark.django_db
def test_a_missing_email_or_name_is_refused(tenant_a):
    errors = import_errors(tenant_a.org, csv_file(",Ann,Sales,,,", "bob@a.example,,Sales,,,"))
    assert errors == ["Row 2, column email: e-mail is required", "Row 3, column name: name is required"]


@pytest.mark.django_db
def test_a_row_with_more_cells_than_columns_is_refused(tenant_a):
    errors = import_errors(tenant_a.org, csv_file("ann@a.example,Ann,Sales,,,,Berlin"))
    assert errors == ["Row 2: 7 cells, but the header names 6 columns"]


@pytest.mark.django_db
def test_every_error_of_a_file_is_reported_at_once(tenant_a):
    errors = import_errors(
        tenant_a.org,
        csv_file(
            "not-an-email,Ann,Sales,,,",
            "bob@a.example,Bob,Sales,,ghost@a.example,",
            "cid@a.example,Cid,Sales,,,wizard",
            "bob@a.example,Bob again,Sales,,,",
        ),
    )
    assert [e.split(":")[0] for e in errors] == [
        "Row 2, column email",
        "Row 3, column manager_email",
        "Row 4, column layer",
        "Row 5, column email",
    ]


@pytest.mark.django_db
def test_a_bad_row_among_many_good_ones_still_changes_nothing(tenant_a):
    rows = [f"person{i}@a.example,Person {i},Team {i % 7},Alpha Department,,individual" for i in range(300)]
    rows.append("broken,Broken,Team 1,,,")
    errors = import_errors(tenant_a.org, csv_file(*rows))
    assert errors == ["Row 302, column email: “broken” is not a valid e-mail address"]
