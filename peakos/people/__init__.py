"""An organization's directory: teams, people, dependencies and priorities.

* ``peakos.people.services`` — the writes (one transaction each, validated, audited),
  called alike by the organization-admin pages (``peakos/orgadmin/``), the REST API
  (``peakos/api.py``) and the CSV importer.
* ``peakos.people.bulk_upsert`` — the REST API's HRIS sync: JSON rows fed through the
  people CSV importer (``peakos/orgadmin/importer.py``), so both share one rule set.
"""
