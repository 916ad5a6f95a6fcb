"""Organization administration inside the app (not Django admin): the team tree,
people, team dependencies, the priority cascade, CSV import/export of people and
teams, and the audit log viewer. Owners and admins only (``permissions.can_manage``).

* ``importer``  — CSV parsing, validation, the import plan and its set-based apply; export.
* ``services``  — writes (one transaction each, ``ValidationError`` on bad input, audited).
* ``selectors`` — reads (paginated, ``select_related``, one query per structure).
* ``graph``     — the small dependency graphs, laid out server-side as inline SVG.
* ``views`` / ``forms`` / ``urls`` — the screens under ``/o/<org_slug>/manage/``.
"""
