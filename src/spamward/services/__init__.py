"""Named state changes, shared by the API, the dashboard and the CLI."""
