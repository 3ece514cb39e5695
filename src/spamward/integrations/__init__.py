"""Helpers that put spamward in front of a site's form posts, one per framework:
`spamward.integrations.flask`, `.fastapi` and `.django` (docs/integrations.md)."""
