"""Input and output of keeping indicator systems (issue 14 §2: the page, XLSX import and
export), written by hand."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.assessments.schemas import IndicatorSystemOut
from procurement.core.i18n import N_


class ImportIndicatorSystemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=6, max_length=200, description=N_("文件名（.xlsx）"))
    content_base64: str = Field(
        min_length=4, max_length=14_000_000, description=N_("文件内容（base64；文件不超过 1 MB）")
    )
    name: str = Field(
        default="",
        max_length=100,
        description=N_("保存为哪个指标体系；不填则用文件中的名称。与已有体系同名即为它的新版本"),
    )


class IndicatorSystemVersions(BaseModel):
    """One version of a system with every version of the same name, newest first."""

    system: IndicatorSystemOut
    versions: list[IndicatorSystemOut]
