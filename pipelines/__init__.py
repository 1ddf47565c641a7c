"""Audit the targeting of Indonesian social assistance (bansos)."""

__version__ = "0.1.0"
