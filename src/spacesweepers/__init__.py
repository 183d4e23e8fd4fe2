"""Space Sweepers: an operations system for space-debris salvage."""

__version__ = "0.1.0"
