"""Input and output of the catalogue (hand-written, rows never leave the service)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class CatalogueItemIn(_In):
    code: str = Field(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9\-]+$")
    name: str = Field(min_length=2, max_length=100)
    category: str = Field(max_length=20)
    description: str = Field(default="", max_length=2000)


class CatalogueItemOut(BaseModel):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    description: str
    is_active: bool


class FollowCategoryIn(_In):
    category: str = Field(max_length=20)


class FollowedCategoryOut(BaseModel):
    category: str
    label: str
    followed: bool


class FollowedCategoriesOut(BaseModel):
    """Every service category of the catalogue, with whether the organization follows it."""

    categories: list[FollowedCategoryOut]
