"""kent360: a 360-degree public relations system for municipalities."""

__version__ = "0.1.0"
