"""The JSON API: thin handlers over services, declared once in an operation table that
drives both routing and the OpenAPI document."""
