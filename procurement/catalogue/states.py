"""The service categories of the 指导性目录 (rule 7): what a catalogue item, and the
tender bought under it, is about."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    ELDERLY = "elderly"
    DISABILITY = "disability"
    YOUTH = "youth"
    GOVERNANCE = "governance"
    ASSISTANCE = "assistance"
    CORRECTION = "correction"
    FAMILY = "family"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.ELDERLY: "为老服务",
    Category.DISABILITY: "助残服务",
    Category.YOUTH: "青少年服务",
    Category.GOVERNANCE: "社区治理",
    Category.ASSISTANCE: "社会救助",
    Category.CORRECTION: "社区矫正",
    Category.FAMILY: "婚姻家庭与儿童福利",
    Category.OTHER: "其他公共服务",
}
