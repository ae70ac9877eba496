"""Placeholder: filled by its feature."""

__all__: list[str] = []
