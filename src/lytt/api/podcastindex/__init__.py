"""Podcast Index-compatible endpoints under /api/1.0/ (see docs/api.md)."""
