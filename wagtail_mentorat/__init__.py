"""Workplace mentoring programmes inside a Wagtail intranet."""
