"""Imports every part's tables so Alembic and the tests see the whole schema.

A part adds one line here when it gains a ``models.py``; nothing else imports across parts'
models (see conventions: parts talk through ``service.py`` or the exchange).
"""

from prasan.accounts import models as accounts_models
from prasan.exchange import models as exchange_models
from prasan.policy import models as policy_models
from prasan.registries.population import models as population_models

__all__ = ["accounts_models", "exchange_models", "policy_models", "population_models"]
