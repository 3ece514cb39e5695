"""spamward: self-hosted anti-spam decisions, Spam Manager and auto-remediation."""

__version__ = "0.1.0"
