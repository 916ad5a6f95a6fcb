"""CSV import and export of people and the team tree.

The file has a header row and one row per person::

    email,name,team,parent_team,manager_email,layer[,language][,any attribute columns…]

* Headers are matched loosely: case, spaces and dashes do not matter
  ("Parent team", "parent-team" and "parent_team" are the same column).
  Every other column is an attribute, stored in ``Person.attributes`` under
  its header as written; an empty cell removes that attribute.
* ``team`` is the person's team (empty: no team). ``parent_team`` is that team's
  parent. Teams are matched by name (case-insensitive) and created when missing:
  a new top-level team is a leadership team, its children departments, deeper
  ones teams. An empty ``parent_team`` leaves an existing team where it is
  (moving a team to the top level is done on the team's page).
* ``manager_email`` must be a person in the file or already in the organization;
  empty means no manager. ``layer`` is executive, director, manager, lead or
  individual (or its label, e.g. "Team lead"); empty means individual.
* ``language`` (optional column) is a BCP 47 tag: ``de``, ``pt-BR``, ``ja``…; a region
  Peak OS does not ship falls back to its language (``de-AT`` → ``de``). Empty means the
  organization's default language; a file without the column leaves languages alone.
  It must be one of the organization's enabled languages (checked in the importer).
* ``lead_email`` (optional column) names the lead of the row's ``team``: a person in the file
  or already in the organization (an unknown address is an error of its row). Rows of one
  team must not name two leads; an empty cell or a file without the column leaves leads alone.
  The lead files the team's business review and sees its results once invited.
* A row with only ``team`` (and ``parent_team``) filled declares a team without
  people; the export writes such rows so the whole tree survives a round trip.
* Row numbers are the file's line numbers: the header is row 1.

Rules: all or nothing (every error names its row and column, and nothing is
written while any error remains); people are matched by e-mail, so importing
the same file twice changes nothing and an updated file updates only what
changed; people missing from the file are deactivated only when asked
(``deactivate_missing``). Everything is set-based: one query loads the
organization's people, one its teams, and writes are ``bulk_create`` /
``bulk_update`` in one transaction, so 10,000 rows import in seconds.

Spreadsheet formula injection: the export prefixes a cell that starts with
``= + - @`` with an apostrophe, and the import strips that apostrophe again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from peakos.i18n import bcp47, normalize_language, shipped_languages
from peakos.models import Layer, Organization, Person, Team

REQUIRED_COLUMNS = ("email", "name", "team", "parent_team", "manager_email", "layer")
OPTIONAL_COLUMNS = ("language", "lead_email")
# Columns of their own: never attributes.
RESERVED_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, "language")
COLUMN_ALIASES = {"e_mail": "email", "manager_e_mail": "manager_email"}
LAYER_LOOKUP = {**{v.casefold(): v for v in Layer.values}, **{label.casefold(): v for v, label in Layer.choices}}
MAX_NAME = 200
MAX_EMAIL = 254  # Person.email (Django's EmailField); RFC 5321's limit on a forward path
BATCH = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[str], None]


def no_progress(message: str) -> None:
    pass


@dataclass(frozen=True, order=True)
class RowError:
    """One problem of the file, named by its row (the header is row 1) and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, column {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


def normalize_header(header: str) -> str:
    key = header.strip().casefold().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(key, key)


def unescape_cell(value: str) -> str:
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def escape_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


# --------------------------------------------------------------------------- parsing


@dataclass
class PersonRow:
    row: int
    email: str
    name: str
    team_key: str  # casefolded team name, "" for no team
    manager_email: str
    layer: str
    attributes: dict[str, str]  # the file's attribute columns; "" removes the attribute
    # A shipped language code, "" for the organization's default, None when the file has no
    # language column (languages stay as they are). ``language_tag`` is the cell as written.
    language: str | None = None
    language_tag: str = ""


@dataclass
class TeamMention:
    name: str  # first spelling seen in the file
    parent_key: str = ""  # "" when the file does not say
    parent_row: int = 0  # the row that set the parent
    first_row: int = 0
    lead_email: str = ""  # "" when the file does not say
    lead_row: int = 0


@dataclass
class ParsedFile:
    people: list[PersonRow] = field(default_factory=list)
    teams: dict[str, TeamMention] = field(default_factory=dict)  # casefolded name -> mention
    attribute_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def decode_upload(raw: bytes) -> str:
    """UTF-8 (with or without the BOM spreadsheets add); Windows-1252 as a fallback."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    for candidate in (";", "\t"):
        if candidate in first:
            return candidate
    return ","


def parse_csv(text: str, *, progress: Progress = no_progress) -> ParsedFile:
    """Read and check every row on its own; checks that need the database come later."""
    parsed = ParsedFile()
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        parsed.errors.append(RowError(1, "", "the file is empty; the first row must name the columns"))
        return parsed
    keys = [normalize_header(h) for h in header]
    seen_columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        if not key:
            parsed.errors.append(RowError(1, f"#{index + 1}", "a column has no name"))
        elif key in seen_columns:
            parsed.errors.append(RowError(1, header[index].strip(), "this column appears twice"))
        seen_columns.setdefault(key, index)
    for column in REQUIRED_COLUMNS:
        if column not in seen_columns:
            parsed.errors.append(RowError(1, column, "missing column"))
    if parsed.errors:
        return parsed
    col = {key: seen_columns[key] for key in RESERVED_COLUMNS if key in seen_columns}
    attribute_index = {header[i].strip(): i for i, k in enumerate(keys) if k not in RESERVED_COLUMNS}
    parsed.attribute_columns = list(attribute_index)
    width = len(header)
    first_row_of_email: dict[str, int] = {}

    for record in reader:
        row = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        parsed.rows += 1
        if parsed.rows % 1000 == 0:
            progress(f"read {parsed.rows} rows")
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            parsed.errors.append(RowError(row, "", f"{len(record)} cells, but the header names {width} columns"))
            continue
        record = record + [""] * (width - len(record))

        def cell(name: str, record=record) -> str:
            return unescape_cell(record[col[name]])

        email, name, team, parent = cell("email").lower(), cell("name"), cell("team"), cell("parent_team")
        manager, layer = cell("manager_email").lower(), cell("layer")

        for column, value in (("team", team), ("parent_team", parent), ("name", name)):
            if len(value) > MAX_NAME:
                parsed.errors.append(RowError(row, column, _too_long(MAX_NAME, value)))
        if parent and not team:
            parsed.errors.append(RowError(row, "team", f"parent team “{parent}” is given but the team is empty"))
        if team:
            _mention_team(parsed, row, team, parent)
        if parent:
            _mention_team(parsed, row, parent, "")
        lead = cell("lead_email").lower() if "lead_email" in col else ""
        if lead:
            _mention_lead(parsed, row, team, lead)

        language_cell = cell("language") if "language" in col else ""
        if not email and not name and not manager and not layer and not language_cell:
            if not team:
                parsed.errors.append(RowError(row, "email", "e-mail is required"))
            continue  # a team row: declares a team (and its parent) without people
        if not email:
            parsed.errors.append(RowError(row, "email", "e-mail is required"))
            continue
        if len(email) > MAX_EMAIL:
            parsed.errors.append(RowError(row, "email", _too_long(MAX_EMAIL, email)))
            continue
        if not _is_email(email):
            parsed.errors.append(RowError(row, "email", f"“{email}” is not a valid e-mail address"))
            continue
        if email in first_row_of_email:
            parsed.errors.append(
                RowError(row, "email", f"duplicate e-mail “{email}”: already on row {first_row_of_email[email]}")
            )
            continue
        first_row_of_email[email] = row
        if not name:
            parsed.errors.append(RowError(row, "name", "name is required"))
        if len(manager) > MAX_EMAIL:
            parsed.errors.append(RowError(row, "manager_email", _too_long(MAX_EMAIL, manager)))
            manager = ""
        elif manager and not _is_email(manager):
            parsed.errors.append(RowError(row, "manager_email", f"“{manager}” is not a valid e-mail address"))
            manager = ""
        layer_value = LAYER_LOOKUP.get(layer.casefold()) if layer else Layer.INDIVIDUAL
        if layer_value is None:
            parsed.errors.append(
                RowError(row, "layer", f"unknown layer “{layer}”; use one of {', '.join(Layer.values)}")
            )
            layer_value = Layer.INDIVIDUAL
        language, tag = None, ""
        if "language" in col:
            tag = language_cell
            language = normalize_language(tag) if tag else ""
            if language is None:
                parsed.errors.append(
                    RowError(
                        row,
                        "language",
                        f"unknown language “{tag}”; use a BCP 47 tag of "
                        + ", ".join(bcp47(c) for c in shipped_languages())
                        + " (empty: the organization's default)",
                    )
                )
        attributes = {column: unescape_cell(record[i]) for column, i in attribute_index.items()}
        parsed.people.append(
            PersonRow(row, email, name, team.casefold(), manager, str(layer_value), attributes, language, tag)
        )
    if parsed.rows >= 1000:
        progress(f"read {parsed.rows} rows")
    return parsed


def _too_long(limit: int, value: str) -> str:
    return f"longer than {limit:,} characters (it has {len(value):,})"


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _mention_lead(parsed: ParsedFile, row: int, team: str, lead: str) -> None:
    if not team:
        parsed.errors.append(RowError(row, "lead_email", "a team lead is given but the team is empty"))
        return
    if not _is_email(lead):
        parsed.errors.append(RowError(row, "lead_email", f"“{lead}” is not a valid e-mail address"))
        return
    mention = parsed.teams[team.casefold()]
    if mention.lead_email and mention.lead_email != lead:
        parsed.errors.append(
            RowError(
                row,
                "lead_email",
                f"team “{mention.name}” already has lead “{mention.lead_email}” on row {mention.lead_row}",
            )
        )
    elif not mention.lead_email:
        mention.lead_email, mention.lead_row = lead, row


def _mention_team(parsed: ParsedFile, row: int, name: str, parent: str) -> None:
    key = name.casefold()
    mention = parsed.teams.get(key)
    if mention is None:
        mention = parsed.teams[key] = TeamMention(name=name, first_row=row)
    if not parent:
        return
    parent_key = parent.casefold()
    if parent_key == key:
        parsed.errors.append(RowError(row, "parent_team", f"team cycle: “{name}” cannot be its own parent"))
    elif mention.parent_key and mention.parent_key != parent_key:
        earlier = parsed.teams[mention.parent_key].name
        parsed.errors.append(
            RowError(
                row, "parent_team", f"team “{name}” already has parent team “{earlier}” on row {mention.parent_row}"
            )
        )
    elif not mention.parent_key:
        mention.parent_key, mention.parent_row = parent_key, row


# --------------------------------------------------------------------------- export


def export_people_csv(organization: Organization, stream) -> int:
    """Write active people (and teams without people) in the import format; returns the people count.

    Importing the result back changes nothing: every team's parent is written
    (on its people's rows, or on a team row), managers by e-mail, every attribute.
    """
    teams = {
        tid: (name, parent, archived)
        for tid, name, parent, archived in Team.objects.filter(organization=organization).values_list(
            "id", "name", "parent_id", "archived"
        )
    }
    email_of = dict(Person.objects.filter(organization=organization).values_list("id", "email"))
    people = list(
        Person.objects.filter(organization=organization, active=True).values_list(
            "email", "name", "team_id", "manager_id", "layer", "language", "attributes"
        )
    )
    reserved = set(RESERVED_COLUMNS)
    columns = sorted(
        {str(k) for *_, attributes in people for k in (attributes or {}) if normalize_header(str(k)) not in reserved}
    )
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*EXPORT_COLUMNS, *columns])

    def team_cells(team_id):
        if team_id is None:
            return ["", ""]
        name, parent, _ = teams[team_id]
        return [name, teams[parent][0] if parent else ""]

    staffed = {team_id for _, _, team_id, *_ in people}
    for tid, (_name, _, archived) in sorted(teams.items(), key=lambda t: t[1][0].casefold()):
        if tid not in staffed and not archived:
            writer.writerow([escape_cell(c) for c in ["", "", *team_cells(tid), "", "", "", *[""] * len(columns)]])
    people.sort(key=lambda p: (teams[p[2]][0].casefold() if p[2] else "", p[1].casefold(), p[0]))
    for email, name, team_id, manager_id, layer, language, attributes in people:
        attributes = attributes or {}
        values = [email, name, *team_cells(team_id), email_of.get(manager_id, ""), layer, bcp47(language)]
        values += [str(attributes.get(c, "")) for c in columns]
        writer.writerow([escape_cell(v) for v in values])
    return len(people)
