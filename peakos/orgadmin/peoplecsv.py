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

Reading the bytes (``read_upload``): UTF-8, with or without the BOM spreadsheets add. A
file that is not UTF-8 is read as Windows-1252 (what Excel on Windows writes) and the
person is told so, to check accented names in the preview. UTF-16 (Excel's "Unicode
text"), images, PDFs, workbooks and other binary data are refused with how to save a CSV
UTF-8 instead. No cell may be longer than its column allows (``CELL_LIMITS``, attributes
``MAX_ATTRIBUTE``) or hold a NUL; a file the csv module cannot read names the row.
A file with only the header row is refused (there is nothing to import, and with
``deactivate_missing`` it would deactivate everybody).

Spreadsheet formula injection: the export prefixes a cell that starts with
``= + - @`` with an apostrophe, and the import strips that apostrophe again.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from peakos.i18n import bcp47, normalize_language, shipped_languages
from peakos.models import LANGUAGE_MAX_LENGTH, Layer, Organization, Person, Team
from peakos.textcheck import BAD_CHARACTERS, bad_character

REQUIRED_COLUMNS = ("email", "name", "team", "parent_team", "manager_email", "layer")
OPTIONAL_COLUMNS = ("language", "lead_email")
# Columns of their own: never attributes.
RESERVED_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, "language")
COLUMN_ALIASES = {"e_mail": "email", "manager_e_mail": "manager_email"}
LAYER_LOOKUP = {**{v.casefold(): v for v in Layer.values}, **{label.casefold(): v for v, label in Layer.choices}}
MAX_NAME = 200
MAX_EMAIL = 254  # Person.email (Django's EmailField); RFC 5321's limit on a forward path
MAX_ATTRIBUTE = 1000  # an attribute's value (a location, a cost centre…), stored in Person.attributes
MAX_COLUMN_NAME = 100
# The longest cell of each column, checked before anything else in a row (a cell over its
# limit is reported with its length, never echoed back).
CELL_LIMITS = {
    "email": MAX_EMAIL,
    "name": MAX_NAME,
    "team": MAX_NAME,
    "parent_team": MAX_NAME,
    "manager_email": MAX_EMAIL,
    "layer": 32,
    "language": LANGUAGE_MAX_LENGTH,
}
# Python's csv module refuses cells over 131,072 characters with a bare ``_csv.Error``; the
# limit is raised to the largest browser upload so that every cell of an accepted file is
# read and then reported by its row and column; longer cells (the command has no upload
# cap) stop the reading with the row named.
CSV_FIELD_LIMIT = 10 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
SAVE_AS_UTF8 = "In your spreadsheet choose “Save as” → “CSV UTF-8 (comma delimited)” and upload that file."
# The first bytes of files people upload by mistake.
SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
)
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


class UploadError(ValidationError):
    """The bytes are not a CSV file that can be read (UTF-16, binary data); nothing was read."""


@dataclass(frozen=True)
class Upload:
    text: str
    note: str = ""  # empty for UTF-8; else how the file was read, for the person to check


WINDOWS_1252_NOTE = (
    "The file is not UTF-8, so it was read as Windows-1252 (Western European, what Excel on Windows "
    "writes). Check accented names in the preview; if they look wrong, save the file as CSV UTF-8 and "
    "upload it again."
)


def read_upload(raw: bytes) -> Upload:
    """The text of an uploaded file: UTF-8 (with or without the BOM), else Windows-1252 with a note.

    Raises ``UploadError`` for UTF-16 (a byte-order mark, or NUL bytes in every other place:
    read as UTF-8 it would only give "missing column email"), known binary formats and
    other binary data, each with how to save the file as CSV UTF-8.
    """
    for signature, what in SIGNATURES:
        if raw.startswith(signature):
            raise UploadError(f"This file is {what}, not a CSV file. {SAVE_AS_UTF8}")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(raw):
        raise UploadError(f"This file is UTF-16 text, not UTF-8. {SAVE_AS_UTF8}")
    if _looks_binary(raw):
        raise UploadError(f"This file holds binary data, not text. {SAVE_AS_UTF8}")
    try:
        return Upload(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        return Upload(raw.decode("cp1252"), note=WINDOWS_1252_NOTE)
    except UnicodeDecodeError:  # a byte Windows-1252 does not define either
        raise UploadError(f"This file is neither UTF-8 nor Windows-1252 text. {SAVE_AS_UTF8}")


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 without a BOM: most characters of a CSV are ASCII, so every other byte is NUL."""
    sample = raw[:4000]
    if len(sample) < 4:
        return False
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) > 0.4 * half and min(even, odd) < 0.05 * half


def _looks_binary(raw: bytes) -> bool:
    """More than 5% control bytes (other than tab, line breaks and form feed) in the first 8 KB."""
    sample = raw[:8192]
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return controls > 0.05 * len(sample)


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    for candidate in (";", "\t"):
        if candidate in first:
            return candidate
    return ","


def parse_csv(text: str, *, progress: Progress = no_progress) -> ParsedFile:  # noqa: C901 (a row parser: one branch per column, each with its own message)
    """Read and check every row on its own; checks that need the database come later."""
    parsed = ParsedFile()
    text = text.lstrip("\ufeff")
    # newline="": line breaks inside quoted cells, and old Mac files (\r only), as csv expects.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    check_characters = BAD_CHARACTERS.search(text) is not None
    try:
        header = next(reader, None)
    except csv.Error as exc:
        parsed.errors.append(RowError(1, "", _csv_error(exc)))
        return parsed
    if not header or not any(cell.strip() for cell in header):
        parsed.errors.append(RowError(1, "", "the file is empty; the first row must name the columns"))
        return parsed
    keys = [normalize_header(h) for h in header]
    seen_columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        if check_characters and (problem := bad_character(header[index])):
            parsed.errors.append(RowError(1, f"#{index + 1}", f"the column name {problem}"))
        elif len(key) > MAX_COLUMN_NAME:
            parsed.errors.append(RowError(1, f"#{index + 1}", f"a column name {_too_long(MAX_COLUMN_NAME, key)}"))
        elif not key:
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

    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.errors.append(RowError(reader.line_num, "", f"{_csv_error(exc)}; the rows after it were not read"))
            break
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
        if cell_errors := _cell_errors(row, start, record[:width], header, keys, check_characters):
            parsed.errors.extend(cell_errors)
            continue  # the row's other checks would echo the bad cells back

        def cell(name: str, record=record) -> str:
            return unescape_cell(record[col[name]])

        email, name, team, parent = cell("email").lower(), cell("name"), cell("team"), cell("parent_team")
        manager, layer = cell("manager_email").lower(), cell("layer")

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
        if manager and not _is_email(manager):
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
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(2, "", "the file has only the header row: there is nobody to import"))
    return parsed


def _cell_errors(row: int, start: int, record: list[str], header: list[str], keys: list[str], check_characters: bool):
    """Cells no column can take: over their column's length, holding a NUL or a lone surrogate, or a
    line break (nothing here is multi-line; usually a quote left open, which swallows the next rows)."""
    errors = []
    for index, value in enumerate(record):
        key = keys[index]
        column = key if key in RESERVED_COLUMNS else header[index].strip()
        limit = CELL_LIMITS.get(key, MAX_ATTRIBUTE)
        value = value.strip()
        if check_characters and (problem := bad_character(value)):
            errors.append(RowError(row, column, problem))
        elif len(value) > limit:
            errors.append(RowError(row, column, _too_long(limit, value)))
        elif "\n" in value or "\r" in value:
            where = f"rows {start}–{row}" if row > start else f"row {row}"
            errors.append(
                RowError(
                    row, column, f"a line break inside the cell (a quote left open on {where}?); keep it on one line"
                )
            )
    return errors


def _csv_error(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {CSV_FIELD_LIMIT:,} characters"
    return f"this row cannot be read as CSV ({exc})"


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
