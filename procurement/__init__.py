"""区民政局政府购买服务管理系统: the procurement context and the application root."""

import os

# Piccolo finds its configuration through this variable (migrations, engine_finder).
os.environ.setdefault("PICCOLO_CONF", "procurement.piccolo_conf")
