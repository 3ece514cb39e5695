"""E-mail signals: whether an address's domain hands out throwaway mailboxes.

The list is the `disposable-email-domains` package's, kept up to date upstream; a subdomain
of a listed domain counts as listed.
"""

from __future__ import annotations

from disposable_email_domains import blocklist


def is_disposable(email: str | None) -> bool:
    if not email or "@" not in email:
        return False
    labels = email.rpartition("@")[2].strip().lower().rstrip(".").split(".")
    return any(".".join(labels[i:]) in blocklist for i in range(len(labels) - 1))
