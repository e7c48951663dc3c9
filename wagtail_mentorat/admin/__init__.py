"""Wagtail admin wiring of the core app: viewsets, scope guard, reports, closure register."""
