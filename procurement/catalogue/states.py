"""The service categories of the 指导性目录 (rule 7): what a catalogue item, and the
tender bought under it, is about."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels


class Category(StrEnum):
    ELDERLY = "elderly"
    DISABILITY = "disability"
    YOUTH = "youth"
    GOVERNANCE = "governance"
    ASSISTANCE = "assistance"
    CORRECTION = "correction"
    FAMILY = "family"
    OTHER = "other"


CATEGORY_LABELS = Labels(
    {
        Category.ELDERLY: N_("为老服务"),
        Category.DISABILITY: N_("助残服务"),
        Category.YOUTH: N_("青少年服务"),
        Category.GOVERNANCE: N_("社区治理"),
        Category.ASSISTANCE: N_("社会救助"),
        Category.CORRECTION: N_("社区矫正"),
        Category.FAMILY: N_("婚姻家庭与儿童福利"),
        Category.OTHER: N_("其他公共服务"),
    }
)
