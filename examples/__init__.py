"""Example sites with spamward in front of their comment form, one per framework; each
runs on its own (`python -m examples.flask_site`) and is tested (tests/test_examples.py)."""
