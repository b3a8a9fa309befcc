"""Input and output models of the accounts API, written by hand."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procurement.accounts import rules
from procurement.accounts.states import OrgKind, Role
from procurement.core.api import BodyId
from procurement.core.i18n import N_


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)


class OrganizationRef(BaseModel):
    id: int
    name: str
    kind: OrgKind


class MeOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    organization: OrganizationRef | None


class LoginOut(BaseModel):
    token: str = Field(description="Bearer token: send as `Authorization: Bearer <token>`.")
    expires_at: datetime
    csrf_token: str = Field(description="For cookie sessions: send as the X-CSRFToken header on writes.")
    user: MeOut


class RegisterOrganizationIn(_In):
    name: str = Field(min_length=2, max_length=200)
    credit_code: str = Field(min_length=1, max_length=30)
    legal_representative: str = Field(min_length=1, max_length=50)
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: str = Field(max_length=30, description=N_("手机号码，或带区号的固定电话。"))
    address: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    username: str = Field(min_length=1, max_length=50)
    display_name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)
    password_confirm: str | None = Field(default=None, max_length=200, description=N_("再次输入的密码（表单使用）。"))

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        problem = rules.phone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class CreateOrganizationIn(_In):
    name: str = Field(min_length=2, max_length=200)
    kind: OrgKind
    credit_code: str | None = Field(default=None, max_length=30)
    parent_id: BodyId | None = None
    legal_representative: str = Field(default="", max_length=50)
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        problem = rules.phone_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value


class RejectOrganizationIn(_In):
    reason: str = Field(min_length=2, max_length=500)


class OrganizationOut(BaseModel):
    id: int
    name: str
    kind: OrgKind
    kind_label: str
    status: str
    status_label: str
    credit_code: str | None
    parent_id: int | None
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str
    created_at: datetime
    approved_at: datetime | None


class OrganizationList(BaseModel):
    items: list[OrganizationOut]
    total: int


class CreateUserIn(_In):
    username: str = Field(min_length=1, max_length=50)
    display_name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)
    role: Role
    organization_id: BodyId | None = None
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=120)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    organization_id: int | None
    organization_name: str
    is_active: bool
    last_login_at: datetime | None
