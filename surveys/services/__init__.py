"""Writes of the surveys app, split along the domain:

* ``questions`` — the bank copied into an organization, custom questions, versioning;
* ``setup`` — creating and changing surveys (audience, cadence, schedule);
* ``schedule`` — opening and closing rounds, reminders, the beat ``tick``;
* ``mail`` — sending invitation and reminder e-mails, idempotently;
* ``submit`` — the anonymous answer sheet;
* ``guard`` — the double-submit guard (a keyed hash) and the "answered" marks, applied in
  shuffled batches at a round's reminder moments and close.

Each service is one transaction, validates its input and raises ``ValidationError``.
"""
