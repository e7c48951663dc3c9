"""A plain Wagtail 8 host, as `wagtail start` makes it, with wagtail-mentorat added by the
integrator's guide's steps alone (docs/en/integration/index.md): English default, Django's
full LANGUAGES, a base template with only the blocks `title` and `content`, no demo app or
middleware."""
