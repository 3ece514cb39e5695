"""Demo data for `make run`: a project, a key, a moderator and sample traffic."""
