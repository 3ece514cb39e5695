"""Narrow storage functions. Each takes the session and, for site data, the project id."""
