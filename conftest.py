"""Shared fixtures live in kent360.testing so every test tree sees them."""

pytest_plugins = ["kent360.testing"]
