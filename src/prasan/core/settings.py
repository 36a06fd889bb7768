"""The one place configuration comes from: environment variables prefixed ``PRASAN_``.

Demo mode (the default) generates its secret into ``var/`` so ``make demo`` needs no set-up;
production mode refuses to start without a secret set by the operator.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from prasan.core.errors import ConfigurationError

Language = Literal["th", "en"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRASAN_", env_file=None, extra="ignore")

    mode: Literal["demo", "production"] = "demo"
    data_dir: Path = Path("var")
    database_url: str = ""
    # The population register runs apart from the platform, on its own database.
    population_database_url: str = ""
    key_dir: Path = Path()
    secret_key: str = Field(default="", repr=False)
    default_language: Language = "th"
    cookie_secure: bool | None = None
    session_max_age_s: int = 8 * 3600
    login_max_failures: int = 5
    login_window_s: int = 15 * 60
    host: str = "127.0.0.1"
    port: int = 8000
    # OpenID Connect (a national digital ID or any other provider); off when issuer is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = Field(default="", repr=False)
    oidc_scopes: str = "openid profile"
    oidc_citizen_id_claim: str = "citizen_id"
    oidc_label: str = "ThaID"

    @model_validator(mode="after")
    def _fill_derived(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'prasan.db'}"
        if not self.population_database_url:
            self.population_database_url = f"sqlite:///{self.data_dir / 'population.db'}"
        if self.key_dir == Path():
            self.key_dir = self.data_dir / "keys"
        if self.cookie_secure is None:
            self.cookie_secure = self.mode == "production"
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def resolved_secret(self) -> str:
        """The secret that signs cookies; generated once into ``var/`` in demo mode only."""
        if self.secret_key:
            return self.secret_key
        if self.mode == "production":
            raise ConfigurationError(
                "PRASAN_SECRET_KEY is not set: production mode needs a secret of at least 32 "
                "random characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
