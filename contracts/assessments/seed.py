"""The indicator system seeded for purchased social-work projects (社会工作服务项目), as
bureaus commonly write it: project management, service results, finance and
satisfaction, with the scoring guidance an evaluator reads beside each indicator. Data,
not interface text (each line is marked so); loaded with the demo (``contracts.demo``)
and by the tests through ``services.seed_systems``.
"""

from __future__ import annotations

from typing import Any

SOCIAL_WORK_SYSTEM: dict[str, Any] = {
    "name": "社会工作服务项目绩效评估指标体系",  # i18n: data
    "description": "适用于政府购买社会工作服务项目的中期、末期评估及专项抽查（第三方评估机构使用）。",  # i18n: data
    "tree": {
        "dimensions": [
            {
                "name": "项目管理",  # i18n: data
                "weight": 20,
                "indicators": [
                    {
                        "name": "组织架构与制度建设",  # i18n: data
                        "weight": 30,
                        "guidance": "项目团队分工明确，有督导、培训、安全、档案等管理制度并执行：齐全且执行良好得 90 分以上；有制度但执行不到位 60–80 分；无制度 60 分以下。",  # i18n: data
                    },
                    {
                        "name": "项目计划与执行",  # i18n: data
                        "weight": 40,
                        "guidance": "按合同和年度计划推进，进度报告按时报送，偏差有说明和调整：按计划完成得 90 分以上；个别环节滞后 70–89 分；进度严重滞后或报告缺失 60 分以下。",  # i18n: data
                    },
                    {
                        "name": "档案与服务台账",  # i18n: data
                        "weight": 30,
                        "guidance": "个案、小组、社区活动的记录、签到表、照片等台账完整、真实、可追溯：抽查 10 份，每份缺失或不实扣 10 分。",  # i18n: data
                    },
                ],
            },
            {
                "name": "服务成效",  # i18n: data
                "weight": 40,
                "indicators": [
                    {
                        "name": "服务指标完成情况",  # i18n: data
                        "weight": 40,
                        "guidance": "服务人次、个案数、活动场次等合同指标的完成率：完成率 × 100，超额完成不加分；中期评估按时间进度折算。",  # i18n: data
                    },
                    {
                        "name": "服务质量与专业性",  # i18n: data
                        "weight": 35,
                        "guidance": "运用社会工作专业方法，需求评估、服务计划、过程记录与结案评估规范；持证社工占比达到合同承诺：规范得 85 分以上，一般 60–84 分。",  # i18n: data
                    },
                    {
                        "name": "社会影响与服务创新",  # i18n: data
                        "weight": 25,
                        "guidance": "形成服务品牌、典型案例或经验总结，链接志愿者和社区资源（五社联动），获得媒体报道或上级肯定的酌情加分，满分 100。",  # i18n: data
                    },
                ],
            },
            {
                "name": "财务管理",  # i18n: data
                "weight": 20,
                "indicators": [
                    {
                        "name": "预算执行",  # i18n: data
                        "weight": 40,
                        "guidance": "实际支出与预算相符，调整有审批；支出进度与服务进度匹配：偏差 10% 以内得 90 分以上，10%–30% 得 60–89 分，超过 30% 不及格。",  # i18n: data
                    },
                    {
                        "name": "资金使用合规",  # i18n: data
                        "weight": 40,
                        "guidance": "专款专用、票据合法合规，人员经费、督导培训经费按合同比例使用；发现违规支出的每笔扣 20 分。",  # i18n: data
                    },
                    {
                        "name": "财务档案",  # i18n: data
                        "weight": 20,
                        "guidance": "单独核算、账目清楚、凭证与台账可对应：完整得满分，缺失酌情扣分。",  # i18n: data
                    },
                ],
            },
            {
                "name": "满意度",  # i18n: data
                "weight": 20,
                "indicators": [
                    {
                        "name": "服务对象满意度",  # i18n: data
                        "weight": 60,
                        "guidance": "以社区评议问卷或抽样回访的满意率计分（满意率 × 100）；有效答卷不足最低份数时按回访结果计分并说明。",  # i18n: data
                    },
                    {
                        "name": "社区及购买方评价",  # i18n: data
                        "weight": 40,
                        "guidance": "街道、社区居委会和民政部门对项目配合度、响应速度与成效的评价：好 90 分以上，较好 75–89 分，一般 60–74 分，差 60 分以下。",  # i18n: data
                    },
                ],
            },
        ]
    },
}

SEEDED = (SOCIAL_WORK_SYSTEM,)
