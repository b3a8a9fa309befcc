"""Settings, read from environment variables (prefix ``PROCUREMENT_``, and
``DATABASE_URL``). Every default works on a laptop. The README's settings table
lists each one; ``tests/unit/test_settings.py`` checks the table matches."""

from __future__ import annotations

import os
import re
import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from procurement.core.i18n import N_, _

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")

    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "PROCUREMENT_DATABASE_URL"),
        description=N_(
            "数据库。空 = 内嵌 SQLite（var/procurement.sqlite3）；postgresql://user@host:5432/db 用 PostgreSQL。"
        ),
    )
    var_dir: Path = Field(default=ROOT / "var", description=N_("数据目录：SQLite 文件、上传文件、密钥。"))
    secret_key: str = Field(
        default="",
        description=N_("签名会话与 CSRF 的密钥。为空时首次启动生成并保存在 var/secret_key。"),
    )
    audit_key_file: str = Field(
        default="",
        description=N_(
            "审计日志摘要的签名私钥文件（Ed25519）。为空时首次使用生成在 var/audit_anchor_key.pem；应放在数据库备份之外。"
        ),
    )
    pdf_signing_p12: str = Field(
        default="",
        description=N_(
            "平台签发 PDF（合同等）的数字签名证书与私钥（PKCS#12 文件路径）。为空时首次使用生成自签名演示证书 var/pdf_signing.p12。"
        ),
    )
    pdf_signing_p12_password: SecretStr = Field(
        default=SecretStr(""), description=N_("PDF 签名证书（PKCS#12）的密码；无密码时留空。")
    )
    host: str = Field(default="127.0.0.1", description=N_("服务监听地址。"))
    port: int = Field(default=8000, description=N_("服务监听端口。"))
    time_travel: bool = Field(
        default=False,
        description=N_("允许管理员通过 AdvanceClock 拨快服务器时钟（仅用于培训沙箱与验收）。"),
    )
    scheduler_enabled: bool = Field(
        default=True, description=N_("在应用进程内运行定时扫描任务；多进程部署时关掉，另起 `procurement scheduler`。")
    )
    scheduler_interval_seconds: int = Field(default=30, description=N_("定时扫描的间隔（秒）。"))
    session_hours: int = Field(default=12, description=N_("登录会话有效时长（小时）。"))
    cookie_secure: bool = Field(default=False, description=N_("只通过 HTTPS 发送会话 Cookie（生产环境应开启）。"))
    login_max_failures: int = Field(default=5, description=N_("同一账号在时间窗内允许的登录失败次数。"))
    login_max_failures_per_ip: int = Field(
        default=50, description=N_("同一 IP 在时间窗内允许的登录失败次数（单位内网常共用出口 IP，故较宽）。")
    )
    login_window_minutes: int = Field(default=15, description=N_("登录失败计数的时间窗（分钟），超出后锁定同样时长。"))
    argon2_time_cost: int = Field(default=2, description=N_("argon2 密码哈希的迭代次数（越大越慢越安全）。"))
    argon2_memory_kib: int = Field(
        default=19456, description=N_("argon2 密码哈希使用的内存（KiB）。测试中调低以加快速度。")
    )
    password_min_length: int = Field(default=10, description=N_("密码最短长度（还须同时含字母和数字）。"))
    max_request_mb: int = Field(default=60, description=N_("单个请求体上限（MB）。"))
    max_file_mb: int = Field(default=20, description=N_("投标文件单个上限（MB）。"))
    max_bid_total_mb: int = Field(default=100, description=N_("一份投标全部文件的合计上限（MB）。"))
    max_unpacked_mb: int = Field(
        default=100,
        ge=1,
        description=N_("Office 文件（DOCX、XLSX）解压后的合计上限（MB）；超过或压缩比异常的视为压缩炸弹，拒收。"),
    )
    open_tender_threshold_yuan: int = Field(
        default=4_000_000, description=N_("服务类公开招标数额标准（元），；由省级规定，常见 200 万或 400 万。")
    )
    venture_min_call_days: int = Field(
        default=10, description=N_("公益创投征集公告发布至申报截止的最少天数（地方规定）。")
    )
    question_cutoff_days: int = Field(
        default=3, description=N_("答疑截止时间默认在投标截止前的天数（可在项目中另行设定，但须早于截止时间）。")
    )
    abnormal_low_margin_percent: int = Field(
        default=20,
        ge=0,
        le=100,
        description=N_(
            "报价低于全部有效报价平均值超过该百分比即提示异常低价，须书面说明（《政府采购货物和服务招标投标管理办法》第六十条，地方规定）。"
        ),
    )
    score_outlier_percent: int = Field(
        default=30,
        ge=1,
        le=100,
        description=N_(
            "专家某项评分偏离全体成员平均分超过该项满分的此百分比，即标为畸高畸低（《政府采购货物和服务招标投标管理办法》第六十四条，地方规定）。"
        ),
    )
    annual_report_deadline: str = Field(
        default="06-30",
        description=N_(
            "社会组织年报报送截止日（月-日）。截止日（含）之前只能要求前年度的年报，次日起可要求上一年度的年报（地方规定）。"
        ),
    )
    venture_pass_score: int = Field(
        default=60, ge=0, le=100, description=N_("公益创投项目建议立项的最低得分（地方规定）。")
    )
    venture_publicity_working_days: int = Field(
        default=5, ge=1, le=30, description=N_("公益创投立项公示期（工作日，地方规定）。")
    )
    grade_excellent_min: int = Field(
        default=90, ge=1, le=100, description=N_("评估等级「优秀」的最低得分（百分制，地方规定，常见 90）。")
    )
    grade_good_min: int = Field(
        default=80, ge=1, le=100, description=N_("评估等级「良好」的最低得分（百分制，地方规定，常见 80）。")
    )
    grade_pass_min: int = Field(
        default=60,
        ge=1,
        le=100,
        description=N_("评估等级「合格」的最低得分（百分制，地方规定，常见 60）；低于此分为「不合格」。"),
    )
    grade_labels: str = Field(
        default="优秀,良好,合格,不合格",  # i18n: data
        description=N_("四个评估等级的名称，从高到低用逗号分隔（有的城市第三档称「基本合格」）。"),
    )
    grade_rectify_at_or_below: str = Field(
        default="pass",
        pattern=r"^(excellent|good|pass|fail)$",
        description=N_("评估等级在此等级及以下须整改并复评：excellent、good、pass（合格，默认）或 fail（仅不合格）。"),
    )
    evaluation_rectification_days: int = Field(default=30, ge=1, le=180, description=N_("评估后要求整改的期限（天）。"))
    report_reminder_days: int = Field(
        default=3, ge=0, le=30, description=N_("进度报告截止日前几天提醒服务机构提交（0 为不提醒）。")
    )
    evaluation_final_days_before_end: int = Field(
        default=30, ge=0, le=180, description=N_("末期评估默认在合同期满前多少天完成（地方做法，约 1 个月）。")
    )
    evaluation_spot_check_percent: int = Field(
        default=30,
        ge=0,
        le=100,
        description=N_("跨年度合同每个预算年度至少专项抽查的比例（%，地方规定，常见 30%）。"),
    )
    evaluation_evidence_max_mb: int = Field(
        default=20, ge=1, le=200, description=N_("评估佐证材料（PDF、图片、DOCX、XLSX）单个文件上限（MB）。")
    )
    survey_min_responses: int = Field(
        default=30,
        ge=1,
        le=10000,
        description=N_("社区评议（居民满意度问卷）有效答卷的最低份数；不足时结果标为「样本不足」。"),
    )
    payment_days: int = Field(
        default=30,
        ge=1,
        le=60,
        description=N_(
            "付款条件达成后的默认付款期限（日）；《保障中小企业款项支付条例》为 30 日，合同可约定不超过 60 日。"
        ),
    )
    payment_days_by_kind: dict[str, int] = Field(
        default_factory=dict,
        description=N_(
            '按服务机构类型设定的付款期限（日），JSON，例如 {"social_org": 30}；未列出的类型用默认付款期限。'
        ),
    )
    payment_provider_requests: bool = Field(
        default=True,
        description=N_("分期款项应付后须由服务机构提出拨付申请；关闭则应付时自动生成拨付申请。"),
    )
    payment_second_approval: bool = Field(
        default=False, description=N_("经办人审核后，拨付前还须财务复核（第二道审批）。")
    )
    payment_midterm_fail_withholds: bool = Field(
        default=True, description=N_("中期评估不合格时暂缓支付下一期款项（整改复评合格后恢复）。")
    )
    payment_final_fail_withholds: bool = Field(default=True, description=N_("终期评估不合格时暂缓支付最后一期款项。"))
    payment_final_scaled_by_score: bool = Field(
        default=False, description=N_("最后一期款项按终期评估得分比例支付（得分/100）。")
    )
    grade_fail_bars_next_year: bool = Field(
        default=True,
        description=N_(
            "上一年度有项目评估结果为「不合格」的服务机构，不得参加本年度的项目申报；优秀、良好在资格检查中注明可优先。"
        ),
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description=N_("平台对外访问地址，用于通知邮件中的链接（例如 https://zfgm.example.gov.cn）。"),
    )
    email_backend: str = Field(
        default="file",
        pattern=r"^(file|smtp)$",
        description=N_(
            "通知邮件的发送方式：file（写入 var/outbox 下的 .eml 文件，笔记本默认）或 smtp（经邮件服务器发送）。"
        ),
    )
    email_sender: str = Field(
        default="政府购买服务管理平台 <noreply@example.gov.cn>",  # i18n: data
        description=N_("通知邮件的发件人（可写作「名称 <地址>」）。"),
    )
    smtp_host: str = Field(default="localhost", description=N_("SMTP 服务器地址。"))
    smtp_port: int = Field(default=587, ge=1, le=65535, description=N_("SMTP 服务器端口。"))
    smtp_security: str = Field(
        default="starttls",
        pattern=r"^(none|starttls|tls)$",
        description=N_(
            "SMTP 连接加密：none（不加密）、starttls（先明文再升级，常用 587 端口）或 tls（直接 TLS，常用 465 端口）。"
        ),
    )
    smtp_username: str = Field(default="", description=N_("SMTP 登录用户名；为空则不登录。"))
    smtp_password: SecretStr = Field(default=SecretStr(""), description=N_("SMTP 登录密码。"))
    smtp_timeout_seconds: int = Field(default=30, ge=1, le=300, description=N_("连接和发送一封邮件的超时（秒）。"))
    email_max_attempts: int = Field(
        default=6, ge=1, le=50, description=N_("一封通知邮件最多尝试发送的次数，用尽后标为发送失败，由管理员重试。")
    )
    email_retry_base_seconds: int = Field(
        default=60,
        ge=1,
        le=86400,
        description=N_("发送失败后首次重试的等待时间（秒）；此后每次加倍，最长 6 小时。"),
    )
    email_digest_hour: int = Field(
        default=8, ge=0, le=23, description=N_("选择「每日汇总」的用户每天收到汇总邮件的时刻（北京时间，整点）。")
    )
    email_keep_days: int = Field(
        default=180,
        ge=7,
        le=3650,
        description=N_(
            "已发送、不发送或已并入汇总的通知邮件记录保留的天数，之后删去（站内消息和审计日志中的发送记录不受影响）。"
        ),
    )
    demo_password: str = Field(
        default="Shangcheng2026", description=N_("演示账号的统一密码（仅 `procurement demo` 使用）。")
    )
    log_level: str = Field(default="INFO", description=N_("日志级别。"))
    access_log: bool = Field(
        default=False, description=N_("服务器逐条记录每个请求的访问日志（默认关闭，以免拖慢服务）。")
    )
    template_auto_reload: bool = Field(
        default=False, description=N_("每次渲染前检查模板文件是否改动（开发时开启；生产环境关闭以免每次读盘）。")
    )
    language: str = Field(
        default="zh_CN",
        description=N_("界面语言：zh_CN（源语言）或 procurement/locale 下已编译的语言，例如 en。"),
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://", "sqlite:///")):
            raise ValueError(_("DATABASE_URL 只支持 postgresql://… 或 sqlite:///…"))
        return value

    @field_validator("payment_days_by_kind")
    @classmethod
    def _payment_days(cls, value: dict[str, int]) -> dict[str, int]:
        """Each provider type's payment term is 1–60 days (rule 35)."""
        for kind, days in value.items():
            if not 1 <= int(days) <= 60:
                raise ValueError(_("{kind} 的付款期限须为 1 至 60 日。").format(kind=kind))
        return value

    @field_validator("annual_report_deadline")
    @classmethod
    def _month_day(cls, value: str) -> str:
        """A day of a year, as MM-DD ("06-30"); 29 February is refused (it is not in every year)."""
        value = value.strip()
        match = re.fullmatch(r"(\d{2})-(\d{2})", value)
        try:
            if match is None:
                raise ValueError
            date(2025, int(match.group(1)), int(match.group(2)))
        except ValueError:
            raise ValueError(_("年报报送截止日须为「月-日」格式的日期，例如 06-30。")) from None
        return value

    @field_validator("grade_labels")
    @classmethod
    def _four_labels(cls, value: str) -> str:
        labels = [v.strip() for v in value.replace("，", ",").split(",")]
        if len(labels) != 4 or not all(labels):
            raise ValueError(_("评估等级名称须为四个，从高到低用逗号分隔，例如：优秀,良好,合格,不合格。"))
        return ",".join(labels)

    @model_validator(mode="after")
    def _rising_grades(self) -> Settings:
        if not self.grade_pass_min < self.grade_good_min < self.grade_excellent_min:
            raise ValueError(_("评估等级的最低得分须满足：合格 < 良好 < 优秀。"))
        return self

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.var_dir / "procurement.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.var_dir / "files"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept under var/."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(key)
        tmp.chmod(0o600)
        try:
            # Two processes starting together must end with one key: link fails if it exists.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
