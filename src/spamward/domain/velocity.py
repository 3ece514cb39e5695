"""The names of velocity signals, shared by the counters that fill them and the rules that
read them: `velocity.<subject>_<window>` and, on an entity, `e.<subject>_<window>`."""

from __future__ import annotations

WINDOWS = {"1m": 60, "10m": 600, "1h": 3600, "1d": 86400}  # name: seconds
LONGEST_WINDOW = max(WINDOWS.values())
ACTOR_SUBJECTS = ("user", "ip", "net", "email_domain", "signups_ip", "ip_accounts")
# near_users: distinct users who posted a near duplicate of a text (0 for other kinds).
ENTITY_SUBJECTS = ("posts", "users", "near_users")
