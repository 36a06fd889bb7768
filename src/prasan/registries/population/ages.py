"""Ages and anniversaries in whole years, the way the register counts them.

A person born on 29 February has their anniversary on 28 February in common years, which is
how Thai district offices count ages and ID-card expiry dates.
"""

from __future__ import annotations

import datetime as dt


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February if needed."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day`` (consistent with ``add_years``)."""
    years = day.year - birth.year
    if add_years(birth, years) > day:
        years -= 1
    return years
