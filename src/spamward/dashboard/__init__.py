"""The server-rendered Spam Manager. Every page escapes site text (Jinja autoescape) and
runs no inline script (the Content-Security-Policy forbids it)."""
