"""Generators of test fixtures (code, never copied data)."""
