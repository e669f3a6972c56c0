# ruff: noqa: E501  (prose: CJK characters count double against the line length; splitting sentences helps nobody)
"""The words of the demo knowledge base: one topic per entry, in Chinese and English. No logic lives here."""

from __future__ import annotations

from dataclasses import dataclass

MANUFACTURING = "制造 Manufacturing"
LOGISTICS = "物流 Logistics"
RETAIL = "零售 Retail"
PHARMA = "医药 Pharma"
AUTOMOTIVE = "汽车 Automotive"
FOOD = "食品 Food"
ELECTRONICS = "电子 Electronics"


@dataclass(frozen=True)
class Text:
    title: str
    summary: str
    body: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    kind: str
    zh: Text
    en: Text
    product: str | None = None
    industry: str | None = None
    competitor: str | None = None
    stage: str | None = None
    status: str = "published"
    age_days: int = 40


# ---------------------------------------------------------------------------------------------- product sheets


@dataclass(frozen=True)
class Sheet:
    sku: str
    age_days: int
    zh_title: str
    en_title: str
    zh_summary: str
    en_summary: str
    specs: tuple[tuple[str, str, str], ...]  # (zh label, en label, value)
    zh_points: tuple[str, ...]
    en_points: tuple[str, ...]
    zh_faq: tuple[tuple[str, str], ...]
    en_faq: tuple[tuple[str, str], ...]
    zh_tags: tuple[str, ...]
    en_tags: tuple[str, ...]


def _sheet_zh(s: Sheet) -> str:
    specs = "\n".join(f"| {zh} | {value} |" for zh, _, value in s.specs)
    points = "\n".join(f"- {p}" for p in s.zh_points)
    faq = "\n\n".join(f"**问：{q}**\n答：{a}" for q, a in s.zh_faq)
    return f"## 产品概述\n\n{s.zh_summary}\n\n## 技术参数\n\n| 项目 | 参数 |\n|---|---|\n{specs}\n\n## 卖点\n\n{points}\n\n## 常见问题\n\n{faq}\n"


def _sheet_en(s: Sheet) -> str:
    specs = "\n".join(f"| {en} | {value} |" for _, en, value in s.specs)
    points = "\n".join(f"- {p}" for p in s.en_points)
    faq = "\n\n".join(f"**Q: {q}**\nA: {a}" for q, a in s.en_faq)
    return f"## Overview\n\n{s.en_summary}\n\n## Specifications\n\n| Item | Value |\n|---|---|\n{specs}\n\n## Why customers buy it\n\n{points}\n\n## FAQ\n\n{faq}\n"


SHEETS = (
    Sheet(
        "FL-EG100",
        35,
        "边缘网关 EG-100 产品说明书",
        "EG-100 Edge Gateway product sheet",
        "EG-100 边缘网关把车间里的 PLC、仪表和传感器接入设备云平台，支持断网缓存与本地规则计算，是设备联网项目的核心硬件。",
        "The EG-100 edge gateway connects PLCs, meters and sensors on the shop floor to the Device Cloud, buffers data "
        "when the network drops and runs local rules. It is the core hardware of every connectivity project.",
        (
            ("工业协议", "Industrial protocols", "Modbus RTU/TCP, OPC UA, Siemens S7, Mitsubishi MC, MQTT"),
            ("接口", "Ports", "2 × RS-485, 2 × 千兆以太网 Gigabit Ethernet, 4G/5G 模组 module"),
            ("断网缓存", "Offline buffer", "32 GB, 约 30 天 about 30 days"),
            ("工作温度", "Operating temperature", "-20 °C ~ 70 °C"),
            ("防护等级", "Protection", "IP40, DIN 导轨安装 DIN-rail mount"),
            ("认证", "Certifications", "CE, CCC, 等保 2.0 三级 MLPS 2.0 level 3"),
        ),
        (
            "一台网关接入最多 200 个数据点，两天完成一条产线的联网",
            "断网时本地缓存，恢复后自动补传，数据不丢",
            "支持西门子 S7 与三菱 PLC 直连，无需额外协议转换器",
            "远程升级固件，减少现场运维出差",
        ),
        (
            "One gateway takes up to 200 data points: a production line is connected in two days",
            "Buffers locally when the network is down and back-fills automatically, so no data is lost",
            "Talks to Siemens S7 and Mitsubishi PLCs directly, no protocol converter needed",
            "Firmware updates over the air save maintenance trips",
        ),
        (
            ("网关需要固定公网 IP 吗？", "不需要。网关主动向云平台建立加密连接，只需开放出站 443 端口。"),
            ("能否私有化部署？", "可以，网关也能连接客户自建的设备云企业版。"),
        ),
        (
            (
                "Does the gateway need a fixed public IP?",
                "No. It opens an encrypted connection to the cloud itself; only outbound port 443 is needed.",
            ),
            (
                "Can it work with an on-premises deployment?",
                "Yes, it also connects to a customer-hosted Device Cloud Enterprise.",
            ),
        ),
        ("网关", "边缘计算", "设备联网", "PLC"),
        ("gateway", "edge computing", "connectivity", "PLC"),
    ),
    Sheet(
        "FL-VS220",
        50,
        "无线振动传感器 VS-220 产品说明书",
        "VS-220 Wireless Vibration Sensor product sheet",
        "VS-220 是电池供电的三轴无线振动传感器，监测电机、泵、风机的振动与温度，为预测性维护提供数据。",
        "The VS-220 is a battery-powered tri-axial wireless vibration sensor. It watches the vibration and "
        "temperature of motors, pumps and fans and feeds predictive maintenance.",
        (
            ("测量轴", "Axes", "三轴 tri-axial, 0.5 Hz ~ 10 kHz"),
            ("电池寿命", "Battery life", "5 年 years（每小时上报 hourly reporting）"),
            ("无线", "Wireless", "LoRa 470 MHz, 空旷 1.5 km open field"),
            ("防护等级", "Protection", "IP67, 防爆版可选 explosion-proof option"),
            ("安装", "Mounting", "磁吸或螺纹 magnet or stud"),
        ),
        (
            "十分钟安装，无需布线，不停产即可部署",
            "振动加温度双参数，提前两到四周发现轴承故障",
            "电池五年免维护",
            "与预测性维护 AI 模块开箱即用",
        ),
        (
            "Installs in ten minutes without cabling or stopping production",
            "Vibration plus temperature catch bearing faults two to four weeks ahead",
            "Five years on one battery",
            "Works out of the box with the Predictive Maintenance AI module",
        ),
        (
            ("金属遮挡会影响信号吗？", "厂房内建议每 300 米部署一台 EG-100 网关作为 LoRa 接收端。"),
            ("采样频率可以调吗？", "可以，在云平台按设备设定上报间隔与采样长度。"),
        ),
        (
            (
                "Does metal shielding block the signal?",
                "Indoors we recommend one EG-100 gateway as LoRa receiver every 300 metres.",
            ),
            ("Can the sampling rate be changed?", "Yes, per device in the cloud: report interval and sample length."),
        ),
        ("振动", "传感器", "预测性维护", "轴承"),
        ("vibration", "sensor", "predictive maintenance", "bearing"),
    ),
    Sheet(
        "FL-TH10",
        70,
        "温湿度传感器 TH-10 产品说明书",
        "TH-10 Temperature & Humidity Sensor product sheet",
        "TH-10 用于冷库、冷链车厢、药品仓和机房的温湿度监测，超温即时告警，数据可用于 GSP 审计。",
        "The TH-10 monitors temperature and humidity in cold rooms, reefer trucks, pharma warehouses and server "
        "rooms, alarms on excursions at once and keeps the records GSP audits ask for.",
        (
            ("温度范围", "Temperature range", "-40 °C ~ 85 °C, 精度 accuracy ±0.3 °C"),
            ("湿度范围", "Humidity range", "0 ~ 100 %RH, 精度 accuracy ±2 %RH"),
            ("上报间隔", "Report interval", "1 ~ 60 分钟 minutes"),
            ("电池寿命", "Battery life", "3 年 years"),
            ("校准", "Calibration", "出厂校准证书 factory calibration certificate, 可送检 re-calibration available"),
        ),
        (
            "满足 GSP 冷链温度记录要求，报表一键导出",
            "超温短信与推送告警，值班人员五分钟内响应",
            "单价低，适合大规模铺设",
        ),
        (
            "Meets GSP cold-chain record keeping; reports export in one click",
            "Excursion alarms by SMS and push reach the person on duty within five minutes",
            "Low unit price, made for large roll-outs",
        ),
        (("是否支持计量检定？", "支持，提供第三方校准证书，每年可送检。"),),
        (("Is it certified for metrology?", "Yes, with third-party calibration certificates, renewable yearly."),),
        ("温湿度", "冷链", "GSP", "传感器"),
        ("temperature", "cold chain", "GSP", "sensor"),
    ),
    Sheet(
        "FL-CLD-STD",
        25,
        "设备云平台标准版 产品说明",
        "Device Cloud Standard product sheet",
        "设备云平台标准版按用户按年订阅，提供设备台账、实时监控、告警、报表与移动端 App，适合一到三个工厂。",
        "Device Cloud Standard is a per-user yearly subscription with asset registry, live monitoring, alarms, "
        "reports and a mobile app, sized for one to three plants.",
        (
            ("计费方式", "Pricing model", "按用户按年 per user per year"),
            ("设备数量", "Devices", "不限 unlimited"),
            ("数据保留", "Data retention", "13 个月 months"),
            ("部署", "Deployment", "公有云（阿里云华东）public cloud (Alibaba Cloud East China)"),
            ("可用性", "Availability", "99.9% SLA"),
        ),
        ("开通当天即可使用，无需服务器", "OEE、能耗、告警报表开箱即用", "支持钉钉、企业微信告警推送"),
        (
            "Ready the day it is ordered, no servers",
            "OEE, energy and alarm reports out of the box",
            "Alarm pushes to DingTalk and WeCom",
        ),
        (
            ("数据存在哪里？", "存储在中国境内的阿里云华东节点，符合数据出境要求。"),
            ("可以从标准版升级到企业版吗？", "可以，数据无缝迁移，剩余订阅费用按天折算抵扣。"),
        ),
        (
            ("Where is the data stored?", "In Alibaba Cloud's East China region, inside mainland China."),
            (
                "Can a customer upgrade to Enterprise?",
                "Yes, data moves over seamlessly and the unused subscription is credited by the day.",
            ),
        ),
        ("云平台", "订阅", "SaaS", "监控"),
        ("cloud", "subscription", "SaaS", "monitoring"),
    ),
    Sheet(
        "FL-CLD-ENT",
        30,
        "设备云平台企业版 产品说明",
        "Device Cloud Enterprise product sheet",
        "企业版按工厂按年订阅，支持私有化部署、单点登录、开放 API 与多工厂集团看板，面向集团型客户。",
        "Device Cloud Enterprise is a per-site yearly subscription with on-premises deployment, single sign-on, "
        "open APIs and group dashboards across plants, for group customers.",
        (
            ("计费方式", "Pricing model", "按工厂按年 per site per year"),
            ("部署", "Deployment", "私有化或专属云 on-premises or dedicated cloud"),
            ("集成", "Integration", "REST API, SAP/用友 ERP 接口 connectors, LDAP/SSO"),
            ("数据保留", "Data retention", "按客户要求 as the customer requires"),
            ("可用性", "Availability", "99.95% SLA（专属云 dedicated cloud）"),
        ),
        ("集团多工厂统一看板，横向对标 OEE", "满足等保三级与数据不出厂要求", "开放 API 对接 ERP 与 MES"),
        (
            "One dashboard across the group's plants, benchmarking OEE side by side",
            "Meets MLPS level 3 and keep-data-on-site requirements",
            "Open APIs to ERP and MES",
        ),
        (("私有化部署需要什么服务器？", "单工厂建议 3 台 16 核 64 GB 服务器，或客户现有 Kubernetes 集群。"),),
        (
            (
                "What servers does on-premises need?",
                "For one site, three servers with 16 cores and 64 GB each, or the customer's Kubernetes cluster.",
            ),
        ),
        ("云平台", "企业版", "私有化", "集团"),
        ("cloud", "enterprise", "on-premises", "group"),
    ),
    Sheet(
        "FL-PDM-AI",
        20,
        "预测性维护 AI 模块 产品说明",
        "Predictive Maintenance AI product sheet",
        "预测性维护 AI 模块基于振动与工艺数据建立设备健康模型，给出剩余寿命预测和维修建议，减少非计划停机。",
        "The Predictive Maintenance AI module builds equipment health models from vibration and process data, "
        "predicts remaining useful life and recommends repairs, cutting unplanned downtime.",
        (
            ("授权方式", "Licence", "按工厂 per site, 含 500 台设备模型 500 asset models"),
            ("模型", "Models", "轴承、齿轮箱、泵、风机、电机 bearings, gearboxes, pumps, fans, motors"),
            ("准确率", "Accuracy", "故障提前预警准确率 85%+ fault warning precision"),
            ("上线周期", "Time to value", "6 ~ 8 周 weeks"),
        ),
        ("非计划停机平均减少 30%", "维修从定期改为按需，备件库存降低 20%", "告警附带原因解释，维修工愿意用"),
        (
            "Unplanned downtime down 30% on average",
            "Maintenance moves from calendar to condition, spares stock down 20%",
            "Every alarm explains its cause, so technicians trust it",
        ),
        (
            ("需要多少历史数据？", "有三个月振动数据即可建立基线，无需历史故障样本。"),
            ("ROI 怎么算？", "以一条产线每小时停机损失乘以减少的停机小时数，通常 9 到 14 个月回本。"),
        ),
        (
            (
                "How much history is needed?",
                "Three months of vibration data set the baseline; no failure history needed.",
            ),
            (
                "How is ROI calculated?",
                "Hourly downtime cost of a line times the hours saved; payback is usually 9 to 14 months.",
            ),
        ),
        ("预测性维护", "AI", "停机", "ROI"),
        ("predictive maintenance", "AI", "downtime", "ROI"),
    ),
    Sheet(
        "FL-MES-LT",
        45,
        "轻量 MES 模块 产品说明",
        "Lite MES product sheet",
        "轻量 MES 按工厂授权，覆盖工单、报工、质量检验与追溯，三个月上线，适合中小型离散制造工厂。",
        "Lite MES is licensed per site and covers work orders, production reporting, quality inspection and "
        "traceability. It goes live in three months and suits small and mid-size discrete plants.",
        (
            ("授权方式", "Licence", "按工厂 per site, 不限用户 unlimited users"),
            ("功能", "Functions", "工单、报工、质检、追溯、看板 work orders, reporting, QC, traceability, boards"),
            ("上线周期", "Go-live", "3 个月 months"),
            ("终端", "Terminals", "工位平板、扫码枪、安卓 PDA station tablets, scanners, Android PDAs"),
        ),
        ("扫码报工，替代纸质流转卡", "一物一码全流程追溯，客诉两小时内定位批次", "与设备云打通，自动采集产量"),
        (
            "Scan-to-report replaces paper travellers",
            "Unit-level traceability: a complaint is traced to its batch in two hours",
            "Linked to the Device Cloud, output is counted automatically",
        ),
        (("能对接 ERP 吗？", "标准对接用友 U8/U9、金蝶云星空与 SAP Business One。"),),
        (
            (
                "Does it connect to ERP?",
                "Standard connectors for Yonyou U8/U9, Kingdee Cloud Galaxy and SAP Business One.",
            ),
        ),
        ("MES", "报工", "追溯", "工单"),
        ("MES", "production reporting", "traceability", "work order"),
    ),
    Sheet(
        "FL-SVC-IMP",
        90,
        "实施服务说明（人天）",
        "Implementation services (person-day) sheet",
        "实施服务按人天计费，涵盖现场勘查、网关安装调试、数据点配置、系统集成与培训。",
        "Implementation is billed per person-day and covers the site survey, gateway installation and "
        "commissioning, data point configuration, integration and training.",
        (
            ("计费", "Billing", "按人天 per person-day, 差旅另计 travel extra"),
            ("典型工作量", "Typical effort", "单条产线联网 8 ~ 12 人天 person-days per line"),
            ("团队", "Team", "项目经理 + 实施工程师 project manager + engineers"),
            ("交付物", "Deliverables", "勘查报告、点表、验收报告 survey report, point list, acceptance report"),
        ),
        ("固定范围、固定人天，预算可控", "上海、苏州、杭州本地团队，48 小时到场"),
        (
            "Fixed scope and fixed person-days keep the budget predictable",
            "Local teams in Shanghai, Suzhou and Hangzhou on site within 48 hours",
        ),
        (("实施人天可以打折吗？", "实施服务折扣上限 10%，超出需要交付总监审批。"),),
        (("Can person-days be discounted?", "Up to 10%; more needs the delivery director's approval."),),
        ("实施", "人天", "服务", "交付"),
        ("implementation", "person-day", "services", "delivery"),
    ),
    Sheet(
        "FL-SVC-SUP",
        60,
        "年度运维支持计划 说明",
        "Annual Support Plan sheet",
        "年度运维支持提供 7×24 热线、远程诊断、季度巡检与软件升级，是续约收入的主要来源。",
        "The Annual Support Plan gives a 24/7 hotline, remote diagnosis, quarterly health checks and software "
        "upgrades. It is the main source of renewal revenue.",
        (
            ("响应时间", "Response time", "P1 故障 30 分钟 minutes, P2 4 小时 hours"),
            ("巡检", "Health checks", "每季度一次 quarterly"),
            ("升级", "Upgrades", "软件版本免费升级 free software upgrades"),
            ("续约", "Renewal", "到期前 60 天提醒 reminder 60 days before expiry"),
        ),
        ("停机故障 30 分钟响应", "季度巡检报告帮助客户向管理层证明价值", "续约客户可锁定当年价格"),
        (
            "30-minute response on outages",
            "Quarterly health reports help the customer prove value to management",
            "Renewing customers lock this year's price",
        ),
        (("过保后还能买吗？", "可以，补购需先做一次付费巡检（2 人天）。"),),
        (("Can it be bought after coverage lapsed?", "Yes, after one paid health check (2 person-days)."),),
        ("运维", "续约", "支持", "SLA"),
        ("support", "renewal", "maintenance plan", "SLA"),
    ),
)


def _sheet_topics() -> list[Topic]:
    return [
        Topic(
            key=f"sheet-{s.sku.lower()}",
            kind="product_sheet",
            product=s.sku,
            age_days=s.age_days,
            zh=Text(s.zh_title, s.zh_summary, _sheet_zh(s), s.zh_tags),
            en=Text(s.en_title, s.en_summary, _sheet_en(s), s.en_tags),
        )
        for s in SHEETS
    ]


# ---------------------------------------------------------------------------------------------- price lists

PRICE_TABLE_ZH = """
| 料号 | 产品 | 单位 | 目录价（元） |
|---|---|---|---|
| FL-EG100 | 边缘网关 EG-100 | 台 | 12,800 |
| FL-VS220 | 无线振动传感器 VS-220 | 个 | 1,680 |
| FL-TH10 | 温湿度传感器 TH-10 | 个 | 480 |
| FL-CLD-STD | 设备云平台标准版 | 用户/年 | 3,600 |
| FL-CLD-ENT | 设备云平台企业版 | 工厂/年 | 168,000 |
| FL-PDM-AI | 预测性维护 AI 模块 | 工厂 | 128,000 |
| FL-MES-LT | 轻量 MES 模块 | 工厂 | 98,000 |
| FL-SVC-IMP | 实施服务 | 人天 | 2,800 |
| FL-SVC-SUP | 年度运维支持 | 年 | 36,000 |
"""

PRICE_TABLE_EN = """
| SKU | Product | Unit | List price (CNY) |
|---|---|---|---|
| FL-EG100 | EG-100 Edge Gateway | unit | 12,800 |
| FL-VS220 | VS-220 Wireless Vibration Sensor | unit | 1,680 |
| FL-TH10 | TH-10 Temperature & Humidity Sensor | unit | 480 |
| FL-CLD-STD | Device Cloud Standard | user/year | 3,600 |
| FL-CLD-ENT | Device Cloud Enterprise | site/year | 168,000 |
| FL-PDM-AI | Predictive Maintenance AI | site | 128,000 |
| FL-MES-LT | Lite MES | site | 98,000 |
| FL-SVC-IMP | Implementation | person-day | 2,800 |
| FL-SVC-SUP | Annual Support Plan | year | 36,000 |
"""

PRICE_LISTS = [
    Topic(
        key="price-list-2026",
        kind="price_list",
        age_days=12,
        zh=Text(
            "2026 年标准价目表",
            "2026 年全部产品与服务的目录价（含税），报价单一律以本表为准，有效期至 2026 年 12 月 31 日。",
            "## 适用范围\n\n本价目表自 2026 年 1 月 1 日起生效，适用于直销客户的全部报价。价格含 13% 增值税"
            "（服务类 6%）。\n\n## 目录价\n" + PRICE_TABLE_ZH + "\n## 报价规则\n\n- 报价单有效期 30 天。\n"
            "- 折扣按《折扣审批政策》执行：销售 10% 以内自批，10%–20% 需经理审批，20% 以上需财务总监审批。\n"
            "- 硬件含一年保修，软件订阅按年预付。\n",
            ("价格", "报价", "价目表", "2026"),
        ),
        en=Text(
            "Standard price list 2026",
            "List prices (tax included) of every product and service for 2026. Every quote uses this list; "
            "valid until 31 December 2026.",
            "## Scope\n\nThis price list applies from 1 January 2026 to all direct-sales quotes. Prices include "
            "13% VAT (6% for services).\n\n## List prices\n" + PRICE_TABLE_EN + "\n## Quoting rules\n\n"
            "- A quote is valid for 30 days.\n- Discounts follow the discount approval policy: reps approve up "
            "to 10%, managers 10–20%, the finance director above 20%.\n- Hardware includes a one-year warranty; "
            "software subscriptions are paid yearly in advance.\n",
            ("pricing", "quote", "price list", "2026"),
        ),
    ),
    Topic(
        key="price-list-2025",
        kind="price_list",
        age_days=400,
        zh=Text(
            "2025 年标准价目表（已停用）",
            "2025 年目录价，已被 2026 年价目表取代，仅供查询老合同使用，不得用于新报价。",
            "## 说明\n\n本表已于 2025 年 12 月 31 日停用，新报价请使用《2026 年标准价目表》。\n\n## 2025 目录价\n\n"
            "| 料号 | 产品 | 目录价（元） |\n|---|---|---|\n| FL-EG100 | 边缘网关 EG-100 | 13,500 |\n"
            "| FL-VS220 | 无线振动传感器 VS-220 | 1,880 |\n| FL-TH10 | 温湿度传感器 TH-10 | 520 |\n"
            "| FL-CLD-STD | 设备云平台标准版 | 3,200 |\n| FL-SVC-IMP | 实施服务 | 2,600 |\n",
            ("价格", "价目表", "2025", "停用"),
        ),
        en=Text(
            "Standard price list 2025 (retired)",
            "The 2025 list prices, replaced by the 2026 price list. For looking up old contracts only; never "
            "for new quotes.",
            "## Note\n\nThis list was retired on 31 December 2025. Quote from the 2026 standard price list.\n\n"
            "## 2025 list prices\n\n| SKU | Product | List price (CNY) |\n|---|---|---|\n"
            "| FL-EG100 | EG-100 Edge Gateway | 13,500 |\n| FL-VS220 | VS-220 Vibration Sensor | 1,880 |\n"
            "| FL-TH10 | TH-10 Sensor | 520 |\n| FL-CLD-STD | Device Cloud Standard | 3,200 |\n"
            "| FL-SVC-IMP | Implementation | 2,600 |\n",
            ("pricing", "price list", "2025", "retired"),
        ),
    ),
    Topic(
        key="price-list-partner",
        kind="price_list",
        age_days=20,
        zh=Text(
            "渠道合作伙伴价格表 2026",
            "授权代理商与系统集成商的进货价：金牌伙伴目录价 65 折，银牌 7 折，含项目报备保护规则。",
            "## 伙伴等级与折扣\n\n| 等级 | 年度目标（万元） | 进货折扣 |\n|---|---|---|\n| 金牌 | 500 | 目录价 65% |\n"
            "| 银牌 | 200 | 目录价 70% |\n| 注册 | — | 目录价 80% |\n\n## 项目报备\n\n- 伙伴须在首次拜访后 7 天内"
            "在系统中报备商机，报备有效期 90 天。\n- 已报备商机直销团队不得直接报价，避免渠道冲突。\n\n## 返点\n\n"
            "年度完成目标的伙伴另享 3% 返点，次年一季度以货款抵扣。\n",
            ("渠道", "代理", "伙伴", "价格"),
        ),
        en=Text(
            "Partner price list 2026",
            "Buying prices for authorised resellers and system integrators: gold partners pay 65% of list, "
            "silver 70%, with deal registration rules.",
            "## Tiers and discounts\n\n| Tier | Yearly target (CNY 10k) | Buying price |\n|---|---|---|\n"
            "| Gold | 500 | 65% of list |\n| Silver | 200 | 70% of list |\n| Registered | — | 80% of list |\n\n"
            "## Deal registration\n\n- A partner registers the opportunity within 7 days of the first visit; the "
            "registration holds for 90 days.\n- Direct sales may not quote a registered deal, to avoid channel "
            "conflict.\n\n## Rebate\n\nPartners who reach their yearly target get a 3% rebate, credited in Q1 of "
            "the following year.\n",
            ("channel", "reseller", "partner", "pricing"),
        ),
    ),
    Topic(
        key="price-list-services",
        kind="price_list",
        product="FL-SVC-IMP",
        age_days=55,
        zh=Text(
            "服务报价参考：实施、培训与驻场",
            "实施人天、培训、驻场支持与加急服务的标准报价，以及常见项目的人天估算。",
            "## 标准费率\n\n| 服务 | 单位 | 价格（元） |\n|---|---|---|\n| 实施工程师 | 人天 | 2,800 |\n"
            "| 项目经理 | 人天 | 3,500 |\n| 现场培训 | 场（半天） | 6,000 |\n| 驻场支持 | 月 | 48,000 |\n"
            "| 加急到场（24 小时内） | 次 | 5,000 |\n\n## 人天估算\n\n- 单条产线设备联网：8–12 人天\n"
            "- 预测性维护上线（50 台设备）：20–25 人天\n- 轻量 MES 上线：40–60 人天\n\n差旅费实报实销，上海市内免收。\n",
            ("服务", "人天", "实施", "培训", "报价"),
        ),
        en=Text(
            "Services rate card: implementation, training, on-site",
            "Standard rates for implementation person-days, training, on-site support and rush service, with "
            "effort estimates for common projects.",
            "## Standard rates\n\n| Service | Unit | Price (CNY) |\n|---|---|---|\n| Implementation engineer | "
            "person-day | 2,800 |\n| Project manager | person-day | 3,500 |\n| On-site training | half-day session "
            "| 6,000 |\n| Resident support | month | 48,000 |\n| Rush call-out (within 24 h) | visit | 5,000 |\n\n"
            "## Effort estimates\n\n- Connecting one production line: 8–12 person-days\n- Predictive maintenance "
            "go-live (50 assets): 20–25 person-days\n- Lite MES go-live: 40–60 person-days\n\nTravel is charged "
            "at cost; free within Shanghai.\n",
            ("services", "rate card", "implementation", "training", "quote"),
        ),
    ),
    Topic(
        key="price-list-2027-draft",
        kind="price_list",
        status="draft",
        age_days=3,
        zh=Text(
            "2027 年价目表草案（内部讨论）",
            "2027 年调价草案：硬件下调 5%，订阅上调 8%，尚未审批，请勿对外使用。",
            "## 调价方向\n\n- 硬件（EG-100、VS-220、TH-10）目录价下调 5%，应对研华的价格压力。\n- 云平台订阅上调 8%，"
            "反映新增的 AI 报表功能。\n- 实施人天维持 2,800 元。\n\n草案待管理层 12 月评审。\n",
            ("价格", "草案", "2027"),
        ),
        en=Text(
            "Price list 2027 draft (internal)",
            "Draft 2027 price changes: hardware down 5%, subscriptions up 8%. Not approved; do not share.",
            "## Direction\n\n- Hardware list prices (EG-100, VS-220, TH-10) down 5% to answer Advantech's price "
            "pressure.\n- Cloud subscriptions up 8%, reflecting the new AI reports.\n- Implementation stays at "
            "CNY 2,800 per person-day.\n\nThe draft goes to the management review in December.\n",
            ("pricing", "draft", "2027"),
        ),
    ),
]

# ---------------------------------------------------------------------------------------------- proposal templates

PROPOSALS = [
    Topic(
        key="proposal-manufacturing-pdm",
        kind="proposal_template",
        industry=MANUFACTURING,
        stage="proposal",
        age_days=28,
        zh=Text(
            "方案模板：离散制造预测性维护项目建议书",
            "面向机械、装备制造客户的预测性维护建议书模板，含现状痛点、方案架构、实施计划与投资回报测算。",
            "## 1. 项目背景\n\n客户现有 {设备数量} 台关键设备，依赖定期检修，近一年非计划停机 {停机小时} 小时。\n\n"
            "## 2. 方案架构\n\n- 无线振动传感器 VS-220 覆盖电机、减速机与主轴\n- 边缘网关 EG-100 就地采集与缓存\n"
            "- 预测性维护 AI 模块输出健康评分与剩余寿命\n\n## 3. 实施计划\n\n第 1–2 周勘查与安装，第 3–6 周建立基线，"
            "第 7–8 周验收。\n\n## 4. 投资回报\n\n按每小时停机损失 × 减少停机小时数测算，通常 9–14 个月回本。\n\n"
            "## 5. 报价\n\n引用《2026 年标准价目表》，折扣按审批政策填写。\n",
            ("建议书", "方案", "预测性维护", "制造"),
        ),
        en=Text(
            "Proposal template: predictive maintenance for discrete manufacturing",
            "Proposal template for machinery and equipment makers: pains today, solution architecture, project "
            "plan and return on investment.",
            "## 1. Background\n\nThe customer runs {asset count} critical assets on calendar maintenance and lost "
            "{downtime hours} hours to unplanned downtime last year.\n\n## 2. Architecture\n\n- VS-220 wireless "
            "vibration sensors on motors, gearboxes and spindles\n- EG-100 edge gateways collect and buffer on site"
            "\n- The Predictive Maintenance AI module scores health and predicts remaining life\n\n## 3. Plan\n\n"
            "Weeks 1–2 survey and install, weeks 3–6 baseline, weeks 7–8 acceptance.\n\n## 4. ROI\n\nHourly "
            "downtime cost times hours saved; payback is usually 9–14 months.\n\n## 5. Pricing\n\nQuote from the "
            "2026 standard price list; discounts per the approval policy.\n",
            ("proposal", "template", "predictive maintenance", "manufacturing"),
        ),
    ),
    Topic(
        key="proposal-logistics-coldchain",
        kind="proposal_template",
        industry=LOGISTICS,
        stage="proposal",
        age_days=33,
        zh=Text(
            "方案模板：冷链物流温控监测建议书",
            "面向冷链物流与冷库客户的温控监测建议书模板，突出 GSP 合规、超温告警和货损降低。",
            "## 1. 客户痛点\n\n冷库与冷藏车温度靠人工记录，超温发现滞后，货损与客户索赔频发，GSP 检查准备耗时。\n\n"
            "## 2. 方案\n\n- 每个冷库分区与车厢部署 TH-10 温湿度传感器\n- EG-100 网关或车载 4G 上传\n- 设备云平台生成"
            "温度曲线与 GSP 报表，超温五分钟内推送值班人员\n\n## 3. 预期收益\n\n货损下降 40%，GSP 报表准备从两天缩短到"
            "十分钟。\n\n## 4. 报价与服务\n\n按库位与车辆数量配置，附年度运维支持。\n",
            ("建议书", "冷链", "温控", "物流", "GSP"),
        ),
        en=Text(
            "Proposal template: cold-chain temperature monitoring for logistics",
            "Proposal template for cold-chain carriers and cold stores: GSP compliance, excursion alarms and "
            "fewer damaged goods.",
            "## 1. Pains\n\nTemperatures in cold rooms and reefer trucks are logged by hand, excursions are found "
            "late, spoiled goods lead to claims and GSP inspections take days to prepare.\n\n## 2. Solution\n\n"
            "- TH-10 sensors in every cold-room zone and truck body\n- EG-100 gateways or in-truck 4G upload\n"
            "- The Device Cloud draws temperature curves and GSP reports, and pushes excursions to the person on "
            "duty within five minutes\n\n## 3. Expected results\n\nSpoilage down 40%; GSP reports in ten minutes "
            "instead of two days.\n\n## 4. Pricing and service\n\nSized by zones and vehicles, with the Annual "
            "Support Plan.\n",
            ("proposal", "cold chain", "temperature", "logistics", "GSP"),
        ),
    ),
    Topic(
        key="proposal-pharma-gmp",
        kind="proposal_template",
        industry=PHARMA,
        stage="proposal",
        age_days=48,
        zh=Text(
            "方案模板：制药企业 GMP 环境监测与设备联网",
            "面向制药客户的建议书模板：洁净区温湿度压差监测、数据完整性（ALCOA+）与计算机化系统验证支持。",
            "## 1. 合规要求\n\n新版 GMP 附录要求环境数据连续记录、不可篡改、可追溯，审计追踪完整。\n\n"
            "## 2. 方案\n\n- 洁净区部署 TH-10 与压差传感器\n- 设备云企业版私有化部署，电子签名与审计追踪\n"
            "- 提供 IQ/OQ/PQ 验证文件模板\n\n## 3. 项目周期\n\n验证在内约 12 周。\n\n"
            "## 4. 注意事项\n\n制药客户决策链长，质量部（QA）是关键影响者，建议尽早邀请 QA 参加方案交流。\n",
            ("建议书", "制药", "GMP", "验证", "数据完整性"),
        ),
        en=Text(
            "Proposal template: GMP environmental monitoring for pharma",
            "Proposal template for pharmaceutical plants: cleanroom temperature, humidity and pressure, data "
            "integrity (ALCOA+) and computer system validation support.",
            "## 1. Compliance\n\nGMP annexes require environmental data recorded continuously, tamper-proof and "
            "traceable, with a complete audit trail.\n\n## 2. Solution\n\n- TH-10 and differential pressure sensors "
            "in clean areas\n- Device Cloud Enterprise on premises with e-signatures and audit trail\n- IQ/OQ/PQ "
            "validation document templates\n\n## 3. Timeline\n\nAbout 12 weeks including validation.\n\n"
            "## 4. Tips\n\nPharma decisions take long and Quality Assurance is the key influencer: invite QA to the "
            "solution workshop early.\n",
            ("proposal", "pharma", "GMP", "validation", "data integrity"),
        ),
    ),
    Topic(
        key="proposal-automotive-mes",
        kind="proposal_template",
        industry=AUTOMOTIVE,
        stage="proposal",
        age_days=38,
        zh=Text(
            "方案模板：汽车零部件产线数字化（MES + 追溯）",
            "面向汽车零部件一级、二级供应商的建议书模板：满足 IATF 16949 追溯要求，扫码报工与质量闭环。",
            "## 1. 背景\n\n主机厂要求零部件批次级追溯，客诉须 24 小时内给出遏制措施。\n\n## 2. 方案\n\n"
            "- 轻量 MES：工单、扫码报工、首末件检验\n- 设备云自动采集产量与停机原因\n- 追溯报表一键导出给主机厂\n\n"
            "## 3. 分期建议\n\n一期一条试点产线，两个月验证；二期全厂推广。\n\n## 4. 竞争提示\n\n"
            "客户常同时评估西门子 Opcenter，强调我们三个月上线与更低总拥有成本。\n",
            ("建议书", "汽车", "MES", "追溯", "IATF"),
        ),
        en=Text(
            "Proposal template: line digitalisation for automotive suppliers (MES + traceability)",
            "Proposal template for tier-1 and tier-2 auto parts suppliers: IATF 16949 traceability, "
            "scan-to-report and closed-loop quality.",
            "## 1. Background\n\nOEMs require batch-level traceability and containment within 24 hours of a "
            "complaint.\n\n## 2. Solution\n\n- Lite MES: work orders, scan-to-report, first and last piece "
            "inspection\n- The Device Cloud counts output and downtime reasons automatically\n- Traceability "
            "reports exported for the OEM in one click\n\n## 3. Phasing\n\nPhase one is a pilot line proven in two "
            "months; phase two rolls out plant-wide.\n\n## 4. Competition\n\nCustomers often evaluate Siemens "
            "Opcenter at the same time: stress our three-month go-live and lower total cost of ownership.\n",
            ("proposal", "automotive", "MES", "traceability", "IATF"),
        ),
    ),
    Topic(
        key="proposal-food-energy",
        kind="proposal_template",
        industry=FOOD,
        stage="proposal",
        age_days=65,
        zh=Text(
            "方案模板：食品饮料工厂能耗监测与节能",
            "面向食品、乳业与饮料工厂的能耗监测建议书模板：分项计量、空压机与制冷系统节能、碳排放报表。",
            "## 1. 痛点\n\n能源费用占生产成本 8%–12%，空压机、冷冻机房能耗不透明。\n\n## 2. 方案\n\n"
            "- 电表、流量计接入 EG-100 网关\n- 设备云能耗看板：分车间、分设备、分班次\n- 节能建议与碳排放月报\n\n"
            "## 3. 收益\n\n同类客户平均节能 8%–15%，一年内回本。\n",
            ("建议书", "能耗", "节能", "食品", "碳排放"),
        ),
        en=Text(
            "Proposal template: energy monitoring for food and beverage plants",
            "Proposal template for food, dairy and beverage plants: sub-metering, compressed air and "
            "refrigeration savings, carbon reports.",
            "## 1. Pains\n\nEnergy is 8–12% of production cost and nobody sees what the compressors and the "
            "refrigeration plant use.\n\n## 2. Solution\n\n- Power and flow meters connected through EG-100 "
            "gateways\n- Device Cloud energy dashboards by workshop, asset and shift\n- Saving recommendations and "
            "a monthly carbon report\n\n## 3. Results\n\nSimilar customers save 8–15% and recover the cost within "
            "a year.\n",
            ("proposal", "energy", "savings", "food", "carbon"),
        ),
    ),
    Topic(
        key="proposal-retail-refrigeration",
        kind="proposal_template",
        industry=RETAIL,
        stage="proposal",
        age_days=70,
        zh=Text(
            "方案模板：连锁超市与便利店冷柜监控",
            "面向连锁零售客户的建议书模板：门店冷柜与冷库温度监控、设备故障预警和门店能耗对标。",
            "## 1. 痛点\n\n门店冷柜故障常在闭店后发生，第二天才发现，生鲜报损严重；各门店电费差异大却找不到原因。\n\n"
            "## 2. 方案\n\n- 每台冷柜安装 TH-10，门店一台 EG-100 网关\n- 总部看板按门店对比温度达标率与电费\n"
            "- 冷柜故障自动派单给维保商\n\n## 3. 收益\n\n生鲜报损下降 30%，门店电费下降 6%–10%。\n\n"
            "## 4. 报价方式\n\n按门店数量打包报价，500 家门店以上可申请战略折扣。\n",
            ("建议书", "零售", "超市", "便利店", "冷柜"),
        ),
        en=Text(
            "Proposal template: refrigeration monitoring for supermarket and convenience chains",
            "Proposal template for retail chains: fridge and cold room temperatures in every store, failure "
            "warnings and store-by-store energy benchmarks.",
            "## 1. Pains\n\nStore fridges fail after closing time and nobody notices until morning, so fresh food "
            "is thrown away; power bills differ widely between stores for no known reason.\n\n## 2. Solution\n\n"
            "- A TH-10 in every fridge and one EG-100 gateway per store\n- A head-office board compares stores on "
            "temperature compliance and power cost\n- Fridge failures open a ticket with the service contractor "
            "automatically\n\n## 3. Results\n\nFresh food waste down 30%, store power bills down 6–10%.\n\n"
            "## 4. Pricing\n\nQuoted per store as a bundle; chains above 500 stores may ask for a strategic "
            "discount.\n",
            ("proposal", "retail", "supermarket", "convenience store", "refrigeration"),
        ),
    ),
    Topic(
        key="proposal-electronics-oee",
        kind="proposal_template",
        industry=ELECTRONICS,
        stage="solution",
        age_days=42,
        zh=Text(
            "方案模板：电子 SMT 产线 OEE 提升",
            "面向电子与半导体工厂的方案模板：SMT 贴片线设备联网、OEE 实时计算与换线时间分析。",
            "## 1. 背景\n\nSMT 产线换线频繁，OEE 普遍只有 55%–65%，停机原因靠班组长手写。\n\n## 2. 方案\n\n"
            "- EG-100 采集贴片机、回流焊与 AOI 状态\n- 设备云实时计算 OEE，停机原因在工位平板一键选择\n"
            "- 换线时间分析与 SMED 改善建议\n\n## 3. 目标\n\n六个月内 OEE 提升 8–12 个百分点。\n",
            ("方案", "电子", "SMT", "OEE", "换线"),
        ),
        en=Text(
            "Solution template: raising OEE on electronics SMT lines",
            "Solution template for electronics and semiconductor plants: connecting SMT lines, live OEE and "
            "changeover analysis.",
            "## 1. Background\n\nSMT lines change over often, OEE is typically only 55–65%, and downtime reasons "
            "are written down by hand by team leaders.\n\n## 2. Solution\n\n- EG-100 gateways read pick-and-place, "
            "reflow and AOI machine states\n- The Device Cloud computes OEE live; downtime reasons are picked on a "
            "station tablet\n- Changeover analysis with SMED improvement suggestions\n\n## 3. Target\n\nOEE up 8–12 "
            "points within six months.\n",
            ("solution", "electronics", "SMT", "OEE", "changeover"),
        ),
    ),
]

# ---------------------------------------------------------------------------------------------- battlecards

BATTLECARDS = [
    Topic(
        key="battlecard-siemens",
        kind="battlecard",
        competitor="西门子 Siemens",
        age_days=30,
        zh=Text(
            "竞争对手卡片：西门子 Siemens（MindSphere / Opcenter）",
            "西门子品牌强、PLC 装机量大，但平台贵、实施周期长、本地服务响应慢。我们赢在上线速度与总拥有成本。",
            "## 对手优势\n\n- 品牌与 PLC 装机基础，客户设备部门信任\n- Opcenter MES 功能全面\n\n## 对手弱点\n\n"
            "- 授权与实施费用高，中型工厂项目常超 300 万\n- 实施依赖合作伙伴，周期 9–18 个月\n- 数据存储与运维对国内"
            "客户不够灵活\n\n## 我们的打法\n\n1. 先做一条产线的试点，六周见效果\n2. 强调原生支持 S7 协议，无需更换 PLC\n"
            "3. 用三年总拥有成本对比表说话\n\n## 陷阱问题\n\n“你们的平台能支撑集团级多工厂吗？”——回答：企业版已在 "
            "12 家集团客户多工厂上线，可提供参考客户。\n",
            ("竞品", "西门子", "MindSphere", "Opcenter"),
        ),
        en=Text(
            "Battlecard: Siemens (MindSphere / Opcenter)",
            "Siemens has the brand and the PLC installed base, but the platform is expensive, projects are long "
            "and local service is slow. We win on time to value and total cost of ownership.",
            "## Their strengths\n\n- Brand and PLC installed base; maintenance departments trust them\n- Opcenter "
            "MES is very complete\n\n## Their weaknesses\n\n- Licences and services are expensive; mid-size plants "
            "often exceed CNY 3 million\n- Delivery relies on partners and takes 9–18 months\n- Data hosting and "
            "operations are rigid for Chinese customers\n\n## How we win\n\n1. Pilot one line and show results in "
            "six weeks\n2. Stress native S7 support: no PLC replacement\n3. Let a three-year TCO comparison do the "
            'talking\n\n## Trap question\n\n"Can your platform run a multi-plant group?" Answer: Enterprise runs '
            "multi-plant at 12 group customers; references available.\n",
            ("competitor", "Siemens", "MindSphere", "Opcenter"),
        ),
    ),
    Topic(
        key="battlecard-advantech",
        kind="battlecard",
        competitor="研华 Advantech",
        age_days=22,
        zh=Text(
            "竞争对手卡片：研华 Advantech（WISE-PaaS 与工业网关）",
            "研华硬件价格低、渠道广，常以网关低价切入。我们强调软硬一体、AI 应用和交付责任单一。",
            "## 对手打法\n\n研华常以工业网关和工控机低价报价，网关单价比 EG-100 低 20%–30%，软件平台由集成商二次开发。\n\n"
            "## 应对要点\n\n- 不要只比网关单价，比较整个项目：集成商开发费、后期维护费\n- 强调预测性维护 AI 模块是现成应用，"
            "研华需要集成商开发\n- 单一供应商负责到底，出现问题不推诿\n\n## 价格应对\n\n硬件可在审批范围内给到 15% 折扣，"
            "同时捆绑年度运维支持，守住项目整体毛利。\n",
            ("竞品", "研华", "网关", "价格战"),
        ),
        en=Text(
            "Battlecard: Advantech (WISE-PaaS and industrial gateways)",
            "Advantech has cheap hardware and a wide channel and opens deals with low-priced gateways. We stress "
            "one accountable vendor, ready-made AI applications and integrated hardware and software.",
            "## Their play\n\nAdvantech quotes gateways and industrial PCs low, 20–30% below the EG-100, and leaves "
            "the software to an integrator.\n\n## How to respond\n\n- Never compare gateway unit prices alone: "
            "compare the whole project, integrator fees and maintenance included\n- Predictive Maintenance AI is a "
            "ready application; with Advantech an integrator has to build it\n- One vendor answers for everything: "
            "no finger-pointing\n\n## On price\n\nHardware may go to a 15% discount within the approval policy; "
            "bundle the Annual Support Plan to protect the deal's margin.\n",
            ("competitor", "Advantech", "gateway", "price war"),
        ),
    ),
    Topic(
        key="battlecard-rootcloud",
        kind="battlecard",
        competitor="树根互联 Rootcloud",
        age_days=75,
        zh=Text(
            "竞争对手卡片：树根互联 Rootcloud",
            "树根互联背靠三一，工程机械行业案例多，平台偏重。我们在中小型离散制造与快速交付上有优势。",
            "## 对手特点\n\n- 工程机械与重工行业案例丰富\n- 平台能力全，但项目偏大、定制多\n\n## 我们的优势\n\n"
            "- 标准化产品，三个月内上线\n- 订阅制，首年投入低\n- 传感器到应用全栈自研\n\n## 客户常问\n\n"
            "“树根互联是国家级双跨平台，你们呢？”——回答：我们聚焦设备管理场景，提供可验证的停机降低数据与参考客户。\n",
            ("竞品", "树根互联", "工业互联网平台"),
        ),
        en=Text(
            "Battlecard: Rootcloud",
            "Rootcloud, backed by Sany, has many heavy machinery references and a heavy platform. We win with "
            "small and mid-size discrete manufacturers and fast delivery.",
            "## Profile\n\n- Many references in construction machinery and heavy industry\n- A complete platform, "
            "but projects are large and customised\n\n## Our edge\n\n- Standard products, live within three "
            "months\n- Subscriptions keep the first-year spend low\n- Our own stack from sensor to application\n\n"
            '## Customers ask\n\n"Rootcloud is a national cross-industry platform; are you?" Answer: we focus on '
            "asset management and bring measured downtime reductions and references.\n",
            ("competitor", "Rootcloud", "industrial internet platform"),
        ),
    ),
    Topic(
        key="battlecard-huawei-cloud",
        kind="battlecard",
        competitor="华为云 Huawei Cloud",
        age_days=18,
        zh=Text(
            "竞争对手卡片：华为云 Huawei Cloud IoT",
            "华为云提供 IoT 平台与云资源，需要集成商做行业应用。我们提供开箱即用的设备管理应用，也可部署在华为云上。",
            "## 定位差异\n\n华为云卖的是平台和算力，行业应用依赖伙伴；我们卖的是解决设备停机与能耗问题的应用。\n\n"
            "## 合作而非对抗\n\n客户已选华为云作为 IT 底座时，主动提出设备云企业版可部署在华为云 Stack 上，变竞争为合作。\n\n"
            "## 关键证据\n\n准备与华为云兼容性认证证书和两家联合客户案例。\n",
            ("竞品", "华为云", "IoT", "合作"),
        ),
        en=Text(
            "Battlecard: Huawei Cloud IoT",
            "Huawei Cloud sells an IoT platform and cloud resources and needs integrators for applications. We "
            "sell ready asset management applications that can also run on Huawei Cloud.",
            "## Positioning\n\nHuawei Cloud sells platform and compute and relies on partners for industry "
            "applications; we sell applications that cut downtime and energy cost.\n\n## Partner, don't fight\n\n"
            "When the customer has chosen Huawei Cloud as its IT foundation, offer Device Cloud Enterprise on Huawei "
            "Cloud Stack and turn a competitor into a partner.\n\n## Proof\n\nBring the Huawei Cloud compatibility "
            "certificate and two joint customer references.\n",
            ("competitor", "Huawei Cloud", "IoT", "partnership"),
        ),
    ),
    Topic(
        key="battlecard-schneider",
        kind="battlecard",
        competitor="施耐德 Schneider Electric",
        age_days=95,
        zh=Text(
            "竞争对手卡片：施耐德 Schneider Electric（EcoStruxure）",
            "施耐德在能耗管理与配电领域强势。能耗项目中我们强调跨品牌设备接入与生产数据结合。",
            "## 对手优势\n\n配电与能源管理品牌强，EcoStruxure 在楼宇与配电场景成熟。\n\n## 对手弱点\n\n"
            "- 偏重施耐德自有设备，跨品牌接入需要额外网关\n- 能耗数据与产量、工单割裂，难算单位产品能耗\n\n"
            "## 我们的打法\n\n用“单位产品能耗”看板演示，把能耗和产线产量放在一起；强调一个平台同时做设备维护和能耗。\n",
            ("竞品", "施耐德", "能耗", "EcoStruxure"),
        ),
        en=Text(
            "Battlecard: Schneider Electric (EcoStruxure)",
            "Schneider is strong in energy management and power distribution. In energy deals we stress "
            "multi-brand connectivity and combining energy with production data.",
            "## Their strengths\n\nA strong brand in power distribution and energy; EcoStruxure is mature for "
            "buildings and switchgear.\n\n## Their weaknesses\n\n- Favours Schneider devices; other brands need extra "
            "gateways\n- Energy data is separate from output and work orders, so energy per unit is hard to get\n\n"
            "## How we win\n\nDemo the energy-per-unit dashboard that puts energy next to line output, and stress "
            "one platform for both maintenance and energy.\n",
            ("competitor", "Schneider", "energy", "EcoStruxure"),
        ),
    ),
    Topic(
        key="battlecard-yonyou",
        kind="battlecard",
        competitor="用友 Yonyou",
        age_days=120,
        zh=Text(
            "竞争对手卡片：用友 Yonyou（精智工业互联网平台）",
            "用友从 ERP 延伸到 MES 与工业互联网。客户若已用用友 ERP，我们定位为互补的设备层方案并提供标准接口。",
            "## 情况判断\n\n- 客户已用用友 U8/U9：用友会捆绑推 MES\n- 我们的优势在设备数据采集与预测性维护，用友设备层能力弱\n\n"
            "## 打法\n\n强调与用友 ERP 的标准接口，已有 20 家客户对接；建议“ERP 用用友、设备层用我们”的分工。\n",
            ("竞品", "用友", "ERP", "MES"),
        ),
        en=Text(
            "Battlecard: Yonyou (industrial internet platform)",
            "Yonyou stretches from ERP into MES and the industrial internet. If the customer runs Yonyou ERP, "
            "position us as the complementary equipment layer with standard connectors.",
            "## Read the situation\n\n- The customer runs Yonyou U8/U9: Yonyou will bundle its MES\n- Our strength "
            "is equipment data and predictive maintenance, where Yonyou is weak\n\n## Play\n\nStress the standard "
            'Yonyou ERP connector, live at 20 customers; propose "Yonyou for ERP, us for the equipment layer".\n',
            ("competitor", "Yonyou", "ERP", "MES"),
        ),
    ),
]

# ---------------------------------------------------------------------------------------------- objection handling

OBJECTIONS = [
    Topic(
        key="objection-too-expensive",
        kind="objection_handling",
        stage="proposal",
        age_days=15,
        zh=Text(
            "异议处理：客户说“价格太贵”",
            "客户嫌报价太贵时，先弄清比较对象，再用停机损失与总拥有成本说话，最后才谈折扣。",
            "## 第一步：弄清“贵”是和谁比\n\n问：“您是和哪个方案比较？还是超出了预算？”\n\n## 第二步：换算价值\n\n"
            "- 把报价折算成每天的成本，对比一小时停机的损失\n- 用三年总拥有成本表，把集成费、运维费算进去\n\n"
            "## 第三步：调整方案而不是直接降价\n\n减少一期范围、改为订阅制分年付款，都比直接打折好。\n\n"
            "## 第四步：折扣\n\n确需折扣时，按《折扣审批政策》申请，并换取客户的条件：签约时间、付款条件或参考案例。\n",
            ("异议", "价格", "太贵", "折扣"),
        ),
        en=Text(
            'Objection handling: "your price is too expensive"',
            "When the customer says the quote is too expensive, find out what they compare with, talk downtime "
            "cost and total cost of ownership, and only then discuss discounts.",
            '## Step 1: expensive compared with what?\n\nAsk: "Which alternative are you comparing with, or is it '
            'over budget?"\n\n## Step 2: translate into value\n\n- Turn the quote into a daily cost and put it next '
            "to one hour of downtime\n- Use the three-year TCO table, integration and maintenance included\n\n"
            "## Step 3: change the scope, not the price\n\nA smaller first phase or a subscription paid yearly beats "
            "a straight discount.\n\n## Step 4: discount\n\nIf a discount is needed, request it under the discount "
            "approval policy and trade it for something: signing date, payment terms or a reference.\n",
            ("objection", "price", "expensive", "discount"),
        ),
    ),
    Topic(
        key="objection-bigger-discount",
        kind="objection_handling",
        stage="negotiation",
        age_days=21,
        zh=Text(
            "异议处理：谈判阶段客户要求更大折扣",
            "采购在谈判阶段压价时的应对话术：守住底线、有条件让步、必要时走审批，不在现场承诺超权限折扣。",
            "## 原则\n\n- 任何让步都要换取条件\n- 不在现场口头承诺超出权限的折扣\n\n## 话术\n\n"
            "“这个折扣超出了我的权限，我需要向经理申请。如果本月内签约并且预付 50%，我有把握争取到。”\n\n"
            "## 可交换的条件\n\n签约时间、预付比例、合同年限（三年订阅）、同意做参考客户、扩大采购范围。\n\n"
            "## 审批\n\n在 Fieldloop 中发起折扣审批，附上竞争对手报价与客户承诺条件，经理通常两小时内在手机上审批。\n",
            ("异议", "折扣", "谈判", "采购", "审批"),
        ),
        en=Text(
            "Objection handling: the buyer wants a bigger discount in negotiation",
            "How to handle procurement squeezing the price in negotiation: hold the floor, concede only for "
            "something in return, escalate for approval, never promise beyond your authority on the spot.",
            "## Principles\n\n- Every concession buys something\n- Never promise a discount beyond your authority in "
            "the meeting\n\n## What to say\n\n\"That discount is beyond my authority; I need my manager's approval. "
            "If we sign this month with a 50% prepayment, I'm confident I can get it.\"\n\n## What to trade\n\n"
            "Signing date, prepayment, contract length (three-year subscription), being a reference, a larger "
            "scope.\n\n## Approval\n\nRequest the discount approval in Fieldloop with the competitor's quote and "
            "the customer's commitments; managers usually approve from their phone within two hours.\n",
            ("objection", "discount", "negotiation", "procurement", "approval"),
        ),
    ),
    Topic(
        key="objection-no-budget",
        kind="objection_handling",
        stage="qualified",
        age_days=44,
        zh=Text(
            "异议处理：客户说“今年没有预算”",
            "需求确认阶段遇到“没有预算”时，判断是真没预算还是优先级不够，并帮助客户找到预算来源。",
            "## 判断\n\n问：“如果预算不是问题，这个项目会排在第几位？”优先级低才是真正的问题。\n\n## 找预算\n\n"
            "- 设备部维修费用、技改专项资金、数字化转型补贴（各地工信局）\n- 订阅制把一次性投入变为年度运营费用\n\n"
            "## 推进\n\n提出小范围试点，费用控制在部门审批权限以内（通常 20 万元以下）。\n",
            ("异议", "预算", "需求确认", "补贴"),
        ),
        en=Text(
            'Objection handling: "we have no budget this year"',
            "When a qualified prospect says there is no budget, find out whether it is money or priority, and "
            "help them find a budget source.",
            '## Diagnose\n\nAsk: "If budget were no issue, where would this project rank?" Low priority is the '
            "real problem.\n\n## Find the money\n\n- Maintenance budgets, equipment upgrade funds, local government "
            "digitalisation subsidies\n- Subscriptions turn a one-off investment into yearly operating cost\n\n"
            "## Move forward\n\nPropose a small pilot within a department head's approval limit (usually below "
            "CNY 200,000).\n",
            ("objection", "budget", "qualification", "subsidy"),
        ),
    ),
    Topic(
        key="objection-data-security",
        kind="objection_handling",
        stage="solution",
        age_days=26,
        zh=Text(
            "异议处理：客户担心数据安全，不想上云",
            "方案阶段客户 IT 担心生产数据上云泄露时，用等保认证、数据境内存储与私有化选项回应。",
            "## 先倾听\n\n问清楚担心的是什么：数据出境、被竞争对手看到、还是网络被攻击影响生产。\n\n## 回应\n\n"
            "- 平台通过等保 2.0 三级测评，数据存储在境内\n- 网关只出站连接，不开放任何入站端口，生产网络与办公网隔离\n"
            "- 企业版支持私有化部署，数据不出工厂\n\n## 证据\n\n提供等保测评报告、渗透测试报告摘要与《数据安全与隐私承诺》。\n",
            ("异议", "数据安全", "上云", "等保", "私有化"),
        ),
        en=Text(
            'Objection handling: data security worries, "we won\'t go to the cloud"',
            "When the customer's IT fears production data leaking from the cloud during the solution stage, "
            "answer with the MLPS certification, in-country storage and the on-premises option.",
            "## Listen first\n\nFind out what the fear is: data leaving China, competitors seeing it, or attacks "
            "stopping production.\n\n## Answer\n\n- The platform passed the MLPS 2.0 level 3 assessment and stores "
            "data in China\n- Gateways only connect outbound and open no inbound port; the production network "
            "stays separate from the office network\n- Enterprise runs on premises: data never leaves the plant\n\n"
            "## Proof\n\nShare the MLPS assessment, the penetration test summary and the data security and privacy "
            "commitment.\n",
            ("objection", "data security", "cloud", "MLPS", "on-premises"),
        ),
    ),
    Topic(
        key="objection-payment-terms",
        kind="objection_handling",
        stage="negotiation",
        age_days=52,
        zh=Text(
            "异议处理：客户要求 90 天以上账期",
            "客户要求延长付款账期时的应对：标准 30 天，60 天需财务审批，90 天以上需财务与法务共同审批。",
            "## 标准条件\n\n标准付款条件为验收后 30 天。60 天账期需财务审批，90 天及以上需财务与法务共同审批，"
            "并评估客户信用。\n\n## 应对\n\n- 以分期付款代替长账期：签约 30%、到货 40%、验收 30%\n"
            "- 长账期可以，但价格按每 30 天 1% 的资金成本调整\n\n## 审批\n\n在 Fieldloop 提交付款条件审批，注明账期天数。\n",
            ("异议", "账期", "付款条件", "合同"),
        ),
        en=Text(
            "Objection handling: the customer wants payment terms of 90 days or more",
            "When a customer asks for longer payment terms: standard is 30 days, 60 days needs finance, 90 days "
            "or more needs finance and legal together.",
            "## Standard terms\n\nPayment is due 30 days after acceptance. 60 days needs finance approval; 90 days "
            "or more needs finance and legal, with a credit check.\n\n## Responses\n\n- Offer instalments instead "
            "of long terms: 30% at signing, 40% on delivery, 30% on acceptance\n- Long terms are possible, priced "
            "at 1% per extra 30 days of financing\n\n## Approval\n\nSubmit a payment terms approval in Fieldloop "
            "with the number of days.\n",
            ("objection", "payment terms", "credit", "contract"),
        ),
    ),
    Topic(
        key="objection-not-now",
        kind="objection_handling",
        stage="lead",
        age_days=110,
        zh=Text(
            "异议处理：线索阶段客户说“现在不需要，以后再说”",
            "首次接触时客户说不需要，用一个具体的行业问题打开话题，争取一次现场参观或免费评估。",
            "## 话术\n\n“理解。很多像您这样的工厂一开始也这么想，后来发现空压机每年多花了几十万电费。"
            "我们可以花两个小时免费做一次设备能耗评估，您看下周哪天方便？”\n\n## 目标\n\n"
            "不是当场成交，而是拿到一次现场评估或参观样板工厂的机会。\n",
            ("异议", "线索", "开发客户", "免费评估"),
        ),
        en=Text(
            'Objection handling: "we don\'t need it now, maybe later" at the lead stage',
            "When a first contact says they don't need it, open with a concrete industry problem and ask for a "
            "site visit or a free assessment.",
            '## What to say\n\n"Understood. Many plants like yours thought the same, then found their compressors '
            "cost them hundreds of thousands in extra power every year. We can do a free two-hour energy assessment; "
            'which day next week suits you?"\n\n## Goal\n\nNot a sale on the spot, but a site assessment or a visit '
            "to a reference plant.\n",
            ("objection", "lead", "prospecting", "free assessment"),
        ),
    ),
]

# ---------------------------------------------------------------------------------------------- case studies

CASES = [
    Topic(
        key="case-auto-parts-pdm",
        kind="case_study",
        industry=AUTOMOTIVE,
        product="FL-PDM-AI",
        age_days=80,
        zh=Text(
            "客户案例：某汽车零部件企业预测性维护，非计划停机下降 37%",
            "嘉定一家汽车零部件一级供应商在 120 台冲压与焊接设备上部署振动监测与 AI 预警，一年非计划停机下降 37%。",
            "## 客户\n\n上海嘉定的汽车零部件一级供应商，为三家主机厂供货，冲压与焊接线 24 小时运转。\n\n## 挑战\n\n"
            "主轴与减速机突发故障导致整线停机，单次损失超过 40 万元，还面临主机厂的断供罚款。\n\n## 方案\n\n"
            "320 个 VS-220 振动传感器、12 台 EG-100 网关、预测性维护 AI 模块。\n\n## 结果\n\n- 非计划停机下降 37%\n"
            "- 备件库存下降 22%\n- 11 个月收回投资\n\n## 可引用\n\n客户同意作为参考客户接待参观（需提前两周预约）。\n",
            ("案例", "汽车", "预测性维护", "停机", "参考客户"),
        ),
        en=Text(
            "Case study: auto parts supplier cuts unplanned downtime 37% with predictive maintenance",
            "A tier-1 auto parts supplier in Jiading put vibration monitoring and AI warnings on 120 stamping and "
            "welding machines; unplanned downtime fell 37% in a year.",
            "## Customer\n\nA tier-1 auto parts supplier in Jiading, Shanghai, delivering to three OEMs, with "
            "stamping and welding lines running around the clock.\n\n## Challenge\n\nSudden spindle and gearbox "
            "failures stopped whole lines, each costing over CNY 400,000 plus OEM penalties.\n\n## Solution\n\n320 "
            "VS-220 vibration sensors, 12 EG-100 gateways and the Predictive Maintenance AI module.\n\n## Results\n\n"
            "- Unplanned downtime down 37%\n- Spare parts stock down 22%\n- Payback in 11 months\n\n## Reference\n\n"
            "The customer hosts reference visits (book two weeks ahead).\n",
            ("case study", "automotive", "predictive maintenance", "downtime", "reference"),
        ),
    ),
    Topic(
        key="case-coldchain-logistics",
        kind="case_study",
        industry=LOGISTICS,
        product="FL-TH10",
        age_days=140,
        zh=Text(
            "客户案例：冷链物流企业温控监测，货损下降 45%",
            "外高桥一家冷链物流企业为 8 座冷库和 60 辆冷藏车部署温湿度监测，货损下降 45%，顺利通过 GSP 复查。",
            "## 客户\n\n外高桥保税区的第三方冷链物流企业，服务医药与生鲜客户。\n\n## 挑战\n\n"
            "人工记录温度，夜间超温无人发现，一次疫苗运输事故赔偿 80 万元。\n\n## 方案\n\n"
            "600 个 TH-10 传感器、车载 4G 上传、设备云超温告警与 GSP 报表。\n\n## 结果\n\n- 货损下降 45%\n"
            "- 超温平均响应时间从 3 小时缩短到 6 分钟\n- GSP 复查一次通过\n",
            ("案例", "冷链", "物流", "温控", "GSP"),
        ),
        en=Text(
            "Case study: cold-chain carrier cuts spoilage 45% with temperature monitoring",
            "A cold-chain logistics company in Waigaoqiao monitors 8 cold stores and 60 reefer trucks; spoilage "
            "fell 45% and it passed its GSP re-inspection.",
            "## Customer\n\nA third-party cold-chain logistics company in the Waigaoqiao free trade zone serving "
            "pharma and fresh food customers.\n\n## Challenge\n\nTemperatures were logged by hand, night-time "
            "excursions went unnoticed, and one vaccine shipment cost CNY 800,000 in damages.\n\n## Solution\n\n600 "
            "TH-10 sensors, in-truck 4G upload, Device Cloud excursion alarms and GSP reports.\n\n## Results\n\n"
            "- Spoilage down 45%\n- Average response to an excursion from 3 hours to 6 minutes\n- GSP re-inspection "
            "passed first time\n",
            ("case study", "cold chain", "logistics", "temperature", "GSP"),
        ),
    ),
    Topic(
        key="case-pharma-gmp",
        kind="case_study",
        industry=PHARMA,
        product="FL-CLD-ENT",
        age_days=200,
        zh=Text(
            "客户案例：张江生物医药企业 GMP 环境监测私有化部署",
            "张江一家生物医药企业私有化部署设备云企业版，洁净区监测数据满足数据完整性要求，通过欧盟 GMP 审计。",
            "## 客户\n\n张江药谷的生物医药企业，生产注射剂，出口欧洲。\n\n## 方案\n\n"
            "设备云企业版私有化部署，电子签名与审计追踪，IQ/OQ/PQ 验证由我们的验证团队支持完成。\n\n## 结果\n\n"
            "- 通过欧盟 GMP 现场审计，数据完整性零缺陷项\n- 环境监测人工记录工作量减少 80%\n",
            ("案例", "制药", "GMP", "私有化", "审计"),
        ),
        en=Text(
            "Case study: Zhangjiang biopharma runs GMP environmental monitoring on premises",
            "A Zhangjiang biopharma company runs Device Cloud Enterprise on premises; cleanroom monitoring meets "
            "data integrity rules and passed an EU GMP audit.",
            "## Customer\n\nA biopharma manufacturer of injectables in Zhangjiang, exporting to Europe.\n\n"
            "## Solution\n\nDevice Cloud Enterprise on premises with e-signatures and audit trail; our validation "
            "team supported IQ/OQ/PQ.\n\n## Results\n\n- Passed the EU GMP on-site audit with zero data integrity "
            "findings\n- Manual environmental records work down 80%\n",
            ("case study", "pharma", "GMP", "on-premises", "audit"),
        ),
    ),
    Topic(
        key="case-dairy-energy",
        kind="case_study",
        industry=FOOD,
        product="FL-EG100",
        age_days=160,
        zh=Text(
            "客户案例：乳业工厂能耗监测，年节约电费 126 万元",
            "松江一家乳品工厂接入 180 块电表与空压机、冷冻机组，年节约电费 126 万元，单位产品能耗下降 11%。",
            "## 客户\n\n松江工业区的乳品加工厂，三条灌装线。\n\n## 方案\n\nEG-100 网关接入电表、空压机与冷冻机组，"
            "设备云能耗看板按班次统计。\n\n## 结果\n\n- 年节约电费 126 万元\n- 单位产品能耗下降 11%\n"
            "- 发现两台空压机夜间空载运行\n",
            ("案例", "能耗", "节能", "乳业", "食品"),
        ),
        en=Text(
            "Case study: dairy plant saves CNY 1.26 million a year on energy",
            "A dairy plant in Songjiang connected 180 power meters, compressors and chillers, saving CNY 1.26 "
            "million of electricity a year and 11% energy per unit.",
            "## Customer\n\nA dairy processor in the Songjiang industrial zone with three filling lines.\n\n"
            "## Solution\n\nEG-100 gateways read power meters, compressors and chillers; Device Cloud energy "
            "dashboards report by shift.\n\n## Results\n\n- CNY 1.26 million saved on electricity every year\n"
            "- Energy per unit down 11%\n- Two compressors found idling all night\n",
            ("case study", "energy", "savings", "dairy", "food"),
        ),
    ),
]

# ---------------------------------------------------------------------------------------------- policies

POLICIES = [
    Topic(
        key="policy-discount-approval",
        kind="policy",
        age_days=10,
        zh=Text(
            "折扣审批政策",
            "折扣权限：销售 10% 以内自批，10%–20% 经理审批，20%–30% 财务总监审批，30% 以上总经理审批。",
            "## 折扣权限\n\n| 折扣 | 审批人 |\n|---|---|\n| ≤ 10% | 销售本人 |\n| 10%–20% | 销售经理 |\n"
            "| 20%–30% | 财务总监 |\n| > 30% | 总经理 |\n\n## 规则\n\n- 折扣按整单计算，硬件与软件分别不得低于成本价\n"
            "- 实施服务折扣上限 10%\n- 审批通过的折扣 30 天内有效，过期需重新申请\n- 申请时必须说明理由：竞争对手报价、"
            "战略客户或批量采购\n\n## 流程\n\n在 Fieldloop 商机中发起折扣审批，审批人可在手机通知中直接批准或驳回。\n",
            ("政策", "折扣", "审批", "权限"),
        ),
        en=Text(
            "Discount approval policy",
            "Discount authority: reps up to 10%, managers 10–20%, the finance director 20–30%, the general "
            "manager above 30%.",
            "## Authority\n\n| Discount | Approver |\n|---|---|\n| ≤ 10% | the rep |\n| 10–20% | sales manager |\n"
            "| 20–30% | finance director |\n| > 30% | general manager |\n\n## Rules\n\n- Discounts apply to the "
            "whole deal; neither hardware nor software may go below cost\n- Implementation services are capped "
            "at 10%\n- An approved discount holds for 30 days; after that, request again\n- Every request gives a "
            "reason: competitor quote, strategic account or volume purchase\n\n## Process\n\nRequest the discount "
            "approval on the opportunity in Fieldloop; approvers approve or reject right from the phone "
            "notification.\n",
            ("policy", "discount", "approval", "authority"),
        ),
    ),
    Topic(
        key="policy-contract-terms",
        kind="policy",
        age_days=35,
        zh=Text(
            "合同与付款条件政策",
            "标准合同模板、付款条件、违约责任上限与需法务审核的条款清单。",
            "## 标准合同\n\n所有销售合同使用法务发布的标准模板（2026 版）。修改以下条款必须经法务审核：\n\n"
            "- 违约责任上限超过合同金额 100%\n- 知识产权归属\n- 源代码托管\n- 数据出境或第三方共享\n\n"
            "## 付款条件\n\n标准为验收后 30 天付款；60 天需财务审批；90 天及以上需财务与法务审批。\n\n"
            "## 签署\n\n合同以电子签章签署，盖章前须在 Fieldloop 完成合同审批。\n",
            ("政策", "合同", "付款条件", "法务"),
        ),
        en=Text(
            "Contract and payment terms policy",
            "The standard contract template, payment terms, the liability cap and the clauses that need legal review.",
            "## Standard contract\n\nEvery sales contract uses legal's standard template (2026 edition). Changing "
            "these clauses needs legal review:\n\n- Liability above 100% of the contract value\n- Ownership of "
            "intellectual property\n- Source code escrow\n- Data leaving China or shared with third parties\n\n"
            "## Payment terms\n\nStandard is 30 days after acceptance; 60 days needs finance approval; 90 days or "
            "more needs finance and legal.\n\n## Signing\n\nContracts are signed with e-seals, after the contract "
            "approval in Fieldloop.\n",
            ("policy", "contract", "payment terms", "legal"),
        ),
    ),
    Topic(
        key="policy-warranty-rma",
        kind="policy",
        age_days=150,
        zh=Text(
            "硬件保修与退换货（RMA）政策",
            "硬件保修一年，可购买延保；故障件五个工作日内寄回换新，人为损坏不在保修范围。",
            "## 保修期\n\nEG-100、VS-220、TH-10 自到货之日起保修 12 个月，可购买两年延保（目录价的 8%/年）。\n\n"
            "## 退换流程\n\n1. 客户或销售在系统提交 RMA 申请并附故障描述\n2. 技术支持远程诊断\n"
            "3. 确认硬件故障后五个工作日内寄出替换件\n\n## 不在保修范围\n\n人为损坏、进水（IP 等级以外）、私自拆机。\n",
            ("政策", "保修", "退换货", "RMA", "延保"),
        ),
        en=Text(
            "Hardware warranty and RMA policy",
            "Hardware carries a one-year warranty with optional extensions; faulty units are replaced within "
            "five working days; physical damage is not covered.",
            "## Warranty\n\nEG-100, VS-220 and TH-10 are covered for 12 months from delivery; a two-year extension "
            "costs 8% of list per year.\n\n## Replacement\n\n1. The customer or rep files an RMA request with a "
            "fault description\n2. Support diagnoses remotely\n3. Once a hardware fault is confirmed, a replacement "
            "ships within five working days\n\n## Not covered\n\nPhysical damage, water beyond the IP rating, "
            "opened housings.\n",
            ("policy", "warranty", "RMA", "return", "extended warranty"),
        ),
    ),
    Topic(
        key="policy-data-security",
        kind="policy",
        age_days=58,
        zh=Text(
            "数据安全与隐私承诺",
            "我们对客户数据的承诺：境内存储、客户拥有数据、加密传输与存储、等保三级，以及数据导出与删除。",
            "## 承诺\n\n- 客户数据归客户所有，我们不用于任何其他目的\n- 数据存储在中国境内，传输与存储全程加密（TLS 1.3、AES-256）\n"
            "- 平台通过等保 2.0 三级测评，每年第三方渗透测试\n- 合同终止后 30 天内可导出全部数据，之后彻底删除并出具证明\n\n"
            "## 对外使用\n\n可直接发给客户 IT 与法务，作为合同附件。\n",
            ("政策", "数据安全", "隐私", "等保", "加密"),
        ),
        en=Text(
            "Data security and privacy commitment",
            "What we promise about customer data: stored in China, owned by the customer, encrypted in transit "
            "and at rest, MLPS level 3, export and deletion.",
            "## Commitments\n\n- Customer data belongs to the customer and is used for nothing else\n- Data is "
            "stored in China and encrypted in transit and at rest (TLS 1.3, AES-256)\n- The platform passed the "
            "MLPS 2.0 level 3 assessment, with a yearly third-party penetration test\n- After termination all data "
            "can be exported for 30 days, then it is deleted with a certificate\n\n## Sharing\n\nSend it to the "
            "customer's IT and legal as a contract annex.\n",
            ("policy", "data security", "privacy", "MLPS", "encryption"),
        ),
    ),
]

TOPICS: tuple[Topic, ...] = (
    *_sheet_topics(), *PRICE_LISTS, *PROPOSALS, *BATTLECARDS, *OBJECTIONS, *CASES, *POLICIES,
)  # fmt: skip
