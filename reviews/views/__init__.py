"""Pages of the reviews app under /o/<org_slug>/reviews/. Thin: parse, call a service or selector, render.

Objects are looked up through the scoped managers (another organization's id is
a 404); role rules come from reviews/access.py (a rule that fails is a 403 with its message).
Modules: ``cycles``, ``review`` (read, decide, print, compare), ``editing`` (the
form), ``teams`` (team page, asks, the cascade), ``actions``.
"""
