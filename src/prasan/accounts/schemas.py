"""What the accounts API reads and returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from prasan.core.roles import Role


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9._@-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    roles: list[Role] = Field(min_length=1)
    citizen_id: str | None = None
    agency_code: str | None = Field(default=None, max_length=40)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    roles: list[Role]
    citizen_id: str | None
    agency_code: str | None
    is_active: bool
