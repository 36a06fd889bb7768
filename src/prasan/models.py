"""Imports every part's tables so Alembic and the tests see the whole schema.

A part adds one line here when it gains a ``models.py``; nothing else imports across parts'
models (see conventions: parts talk through ``service.py`` or the exchange).
"""

from prasan.accounts import models as accounts_models
from prasan.policy import models as policy_models

__all__ = ["accounts_models", "policy_models"]
