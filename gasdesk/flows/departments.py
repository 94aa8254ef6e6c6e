"""Departments named in the process document; seeded into every new database."""

from __future__ import annotations

DEPARTMENTS: dict[str, str] = {
    "customer_service": "客户服务部",
    "distribution": "输配中心",
    "market": "市场发展部",
    "business_group": "业务组",
    "design": "设计室",
    "metering": "抄表组",
    "management": "公司管理层",
}
