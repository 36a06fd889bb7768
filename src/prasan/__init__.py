"""Prasan (ประสาน, "to join together"): Thailand's digital-government platform.

One package, one part per folder: ``core`` (settings, database, errors, Thai essentials),
``accounts`` (people and roles), ``web`` (the application that mounts every part) and the parts
built on them. See ``docs/`` and the README for how they fit.
"""

__version__ = "0.1.0"
