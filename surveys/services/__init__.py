"""Writes of the surveys app, split along the domain:

* ``questions`` — the bank copied into an organization, custom questions, versioning;
* ``setup`` — creating and changing surveys (audience, cadence, schedule);
* ``schedule`` — opening and closing rounds, reminders, the beat ``tick``;
* ``mail`` — sending invitation and reminder e-mails, idempotently;
* ``submit`` — the anonymous answer sheet.

Each service is one transaction, validates its input and raises ``ValidationError``.
"""
