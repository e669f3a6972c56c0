"""What the demo organisations are made of: people, catalogue, places, words. No logic lives here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

PASSWORD = "fieldloop-demo"
SEED = 20261128
# Every demo id is a uuid5 in this namespace, so a second load recognises the rows of the first one.
NAMESPACE = uuid.UUID("6f1c2a53-3d0e-5c8e-9a57-2f0d4b1e7c11")


@dataclass(frozen=True)
class UserSeed:
    email: str
    name: str
    roles: tuple[str, ...]
    team: str | None = None
    manager: str | None = None  # the manager's email
    locale: str = "zh-CN"


@dataclass(frozen=True)
class ProductSeed:
    sku: str
    name: str
    series: str
    list_price: int  # fen
    max_quantity: int


@dataclass(frozen=True)
class Theme:
    """A kind of project a customer buys, with the products that make it up (sku, share of the amount)."""

    zh: str
    en: str
    products: tuple[tuple[str, float], ...]
    amount_yuan: tuple[int, int]


@dataclass(frozen=True)
class Industry:
    label: str  # what Account.industry shows
    names: tuple[tuple[str, str, str], ...]  # (name part, short part, English part) of company names
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    """A business area of Shanghai: its district, a WGS-84 centre, real street names and typical industries."""

    district: str
    lat: float
    lon: float
    streets: tuple[str, ...]
    industries: tuple[str, ...]


@dataclass(frozen=True)
class OrgPlan:
    key: str
    name: str
    timezone: str
    currency: str
    locale: str
    users: tuple[UserSeed, ...]
    products: tuple[ProductSeed, ...]
    themes: dict[str, Theme]
    industries: dict[str, Industry]
    # Each rep's territory: the areas their accounts lie in.
    territories: dict[str, tuple[str, ...]]
    brands: tuple[tuple[str, str], ...]  # (Chinese, pinyin)
    accounts_per_rep: int
    opportunities: int
    amount_bounds_yuan: tuple[int, int]
    org_age_days: int


# ---------------------------------------------------------------------------------------------- places

AREAS: dict[str, Area] = {
    "zhangjiang": Area(
        "浦东新区",
        31.2040,
        121.5960,
        ("张江路", "祖冲之路", "郭守敬路", "蔡伦路", "哈雷路", "碧波路", "高斯路", "李冰路"),
        ("pharma", "electronics", "electronics", "manufacturing"),
    ),
    "jinqiao": Area(
        "浦东新区",
        31.2650,
        121.6050,
        ("金桥路", "新金桥路", "川桥路", "金海路", "宁桥路"),
        ("automotive", "electronics", "manufacturing"),
    ),
    "waigaoqiao": Area(
        "浦东新区",
        31.3450,
        121.5950,
        ("杨高北路", "富特北路", "港澳路", "日京路", "基隆路"),
        ("logistics", "logistics", "retail", "food"),
    ),
    "yangpu": Area(
        "杨浦区", 31.2950, 121.5200, ("国定路", "政立路", "军工路", "黄兴路"), ("electronics", "retail", "food")
    ),
    "baoshan": Area(
        "宝山区",
        31.3900,
        121.4400,
        ("蕴川路", "富联路", "长江西路", "友谊路"),
        ("manufacturing", "chemicals", "logistics"),
    ),
    "lingang": Area(
        "浦东新区",
        30.9300,
        121.8400,
        ("海港大道", "新元南路", "飞渡路", "环湖西二路", "云鹃路"),
        ("energy", "manufacturing", "automotive"),
    ),
    "fengxian": Area(
        "奉贤区", 30.9180, 121.4740, ("金海公路", "沪杭公路", "望园路", "奉浦大道"), ("chemicals", "food", "pharma")
    ),
    "kangqiao": Area(
        "浦东新区", 31.1450, 121.5800, ("康桥路", "秀浦路", "康士路", "沪南路"), ("manufacturing", "food", "retail")
    ),
    "minhang": Area(
        "闵行区", 31.1000, 121.3650, ("春东路", "光华路", "元江路", "都会路"), ("manufacturing", "food", "pharma")
    ),
    "zizhu": Area("闵行区", 31.0250, 121.4500, ("东川路", "紫星路", "紫月路"), ("electronics", "energy")),
    "caohejing": Area(
        "徐汇区",
        31.1700,
        121.3950,
        ("宜山路", "桂平路", "田林路", "虹梅路", "钦州北路"),
        ("electronics", "retail", "pharma"),
    ),
    "jiading": Area(
        "嘉定区",
        31.3800,
        121.2500,
        ("叶城路", "城北路", "嘉唐公路", "胜辛路"),
        ("automotive", "manufacturing", "logistics"),
    ),
    "anting": Area(
        "嘉定区", 31.2950, 121.1650, ("墨玉路", "于田南路", "安驰路", "博园路"), ("automotive", "automotive")
    ),
    "putuo": Area(
        "普陀区", 31.2450, 121.3950, ("真北路", "金沙江路", "武威路", "祁连山南路"), ("retail", "logistics", "food")
    ),
    "shibei": Area(
        "静安区", 31.2850, 121.4500, ("江场西路", "汶水路", "共和新路", "灵石路"), ("electronics", "retail")
    ),
    "songjiang": Area(
        "松江区",
        31.0350,
        121.2250,
        ("荣乐东路", "民益路", "九新公路", "新飞路"),
        ("electronics", "manufacturing", "food"),
    ),
    "qingpu": Area(
        "青浦区",
        31.1550,
        121.1200,
        ("华腾路", "崧泽大道", "外青松公路", "嘉松中路"),
        ("logistics", "manufacturing", "food"),
    ),
    "hongqiao": Area(
        "闵行区", 31.1950, 121.3150, ("申长路", "申虹路", "甬虹路", "苏虹路"), ("retail", "pharma", "logistics")
    ),
    # Northwind sells to the city centre.
    "xujiahui": Area("徐汇区", 31.1930, 121.4370, ("漕溪北路", "虹桥路", "天钥桥路"), ("catering", "retail")),
    "nanjingxi": Area("静安区", 31.2290, 121.4500, ("南京西路", "延安中路", "江宁路"), ("hospitality", "catering")),
    "changning": Area("长宁区", 31.2180, 121.4100, ("愚园路", "长宁路", "天山路"), ("catering", "hospitality")),
    "hongkou": Area("虹口区", 31.2650, 121.4900, ("四川北路", "东江湾路", "曲阳路"), ("retail", "catering")),
}

CITY = "上海 Shanghai"

# ---------------------------------------------------------------------------------------------- people

SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("朱", "Zhu"), ("马", "Ma"),
    ("胡", "Hu"), ("郭", "Guo"), ("林", "Lin"), ("何", "He"), ("高", "Gao"), ("罗", "Luo"), ("沈", "Shen"),
    ("顾", "Gu"), ("陆", "Lu"), ("钱", "Qian"),
)  # fmt: skip
GIVEN_NAMES = (
    ("伟", "Wei"), ("芳", "Fang"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"), ("洋", "Yang"), ("艳", "Yan"),
    ("勇", "Yong"), ("军", "Jun"), ("杰", "Jie"), ("娟", "Juan"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"),
    ("秀英", "Xiuying"), ("海燕", "Haiyan"), ("志强", "Zhiqiang"), ("建华", "Jianhua"), ("晓东", "Xiaodong"),
    ("丽娜", "Lina"), ("文博", "Wenbo"), ("子涵", "Zihan"), ("佳怡", "Jiayi"), ("浩然", "Haoran"), ("雪", "Xue"),
    ("俊杰", "Junjie"), ("思远", "Siyuan"), ("慧", "Hui"),
)  # fmt: skip
DECISION_MAKER_TITLES = (
    "总经理 General Manager", "生产副总 VP Production", "运营总监 Operations Director", "IT 总监 IT Director",
    "副总经理 Deputy General Manager",
)  # fmt: skip
CONTACT_TITLES = (
    "设备部经理 Maintenance Manager", "采购经理 Purchasing Manager", "信息化主管 IT Lead", "财务经理 Finance Manager",
    "生产主管 Production Supervisor", "仓储经理 Warehouse Manager", "质量经理 Quality Manager",
)  # fmt: skip

DEMO_DOMAIN = "demo.fieldloop.example"
EAST_1 = "华东一组 East 1"
EAST_2 = "华东二组 East 2"

DEMO_USERS = (
    UserSeed(f"admin@{DEMO_DOMAIN}", "陈静 Chen Jing", ("admin",)),
    UserSeed(f"manager1@{DEMO_DOMAIN}", "王磊 Wang Lei", ("manager", "approver"), EAST_1),
    UserSeed(f"manager2@{DEMO_DOMAIN}", "李娜 Li Na", ("manager", "approver"), EAST_2),
    UserSeed(f"rep1@{DEMO_DOMAIN}", "张伟 Zhang Wei", ("rep",), EAST_1, f"manager1@{DEMO_DOMAIN}"),
    UserSeed(f"rep2@{DEMO_DOMAIN}", "刘洋 Liu Yang", ("rep",), EAST_1, f"manager1@{DEMO_DOMAIN}"),
    UserSeed(f"rep3@{DEMO_DOMAIN}", "赵敏 Zhao Min", ("rep",), EAST_1, f"manager1@{DEMO_DOMAIN}", "en"),
    UserSeed(f"rep4@{DEMO_DOMAIN}", "孙浩 Sun Hao", ("rep",), EAST_2, f"manager2@{DEMO_DOMAIN}"),
    UserSeed(f"rep5@{DEMO_DOMAIN}", "周婷 Zhou Ting", ("rep",), EAST_2, f"manager2@{DEMO_DOMAIN}"),
    UserSeed(f"rep6@{DEMO_DOMAIN}", "吴涛 Wu Tao", ("rep",), EAST_2, f"manager2@{DEMO_DOMAIN}"),
    UserSeed(f"finance@{DEMO_DOMAIN}", "徐芳 Xu Fang", ("finance", "approver")),
    UserSeed(f"legal@{DEMO_DOMAIN}", "陈明 Michael Chen", ("legal", "approver"), locale="en"),
    UserSeed(f"cs@{DEMO_DOMAIN}", "林晓燕 Lin Xiaoyan", ("cs",)),
)

# ---------------------------------------------------------------------------------------------- catalogue

DEMO_PRODUCTS = (
    ProductSeed("FL-EG100", "边缘网关 EG-100 Edge Gateway", "边缘 Edge", 1_280_000, 200),
    ProductSeed("FL-VS220", "无线振动传感器 VS-220 Wireless Vibration Sensor", "传感器 Sensors", 168_000, 2_000),
    ProductSeed("FL-TH10", "温湿度传感器 TH-10 Temperature & Humidity Sensor", "传感器 Sensors", 48_000, 3_000),
    ProductSeed(
        "FL-CLD-STD", "设备云平台标准版（用户/年）Device Cloud Standard (user/year)", "云平台 Cloud", 360_000, 500
    ),
    ProductSeed(
        "FL-CLD-ENT", "设备云平台企业版（工厂/年）Device Cloud Enterprise (site/year)", "云平台 Cloud", 16_800_000, 8
    ),
    ProductSeed("FL-PDM-AI", "预测性维护 AI 模块 Predictive Maintenance AI", "智能 AI", 12_800_000, 6),
    ProductSeed("FL-MES-LT", "轻量 MES 模块（工厂）Lite MES (per site)", "MES", 9_800_000, 6),
    ProductSeed("FL-SVC-IMP", "实施服务（人天）Implementation (person-day)", "服务 Services", 280_000, 400),
    ProductSeed("FL-SVC-SUP", "年度运维支持 Annual Support Plan", "服务 Services", 3_600_000, 5),
)

DEMO_THEMES = {
    "connect": Theme(
        "设备联网",
        "Equipment connectivity",
        (("FL-EG100", 0.35), ("FL-VS220", 0.25), ("FL-SVC-IMP", 0.2), ("FL-CLD-STD", 0.2)),
        (80_000, 900_000),
    ),
    "pdm": Theme(
        "预测性维护",
        "Predictive maintenance",
        (("FL-PDM-AI", 0.4), ("FL-VS220", 0.3), ("FL-EG100", 0.15), ("FL-SVC-IMP", 0.15)),
        (200_000, 2_500_000),
    ),
    "energy": Theme(
        "能耗监测",
        "Energy monitoring",
        (("FL-EG100", 0.3), ("FL-TH10", 0.2), ("FL-CLD-STD", 0.3), ("FL-SVC-IMP", 0.2)),
        (50_000, 600_000),
    ),
    "coldchain": Theme(
        "冷链温控监测",
        "Cold-chain monitoring",
        (("FL-TH10", 0.5), ("FL-EG100", 0.2), ("FL-CLD-STD", 0.3)),
        (50_000, 800_000),
    ),
    "mes": Theme(
        "产线数字化（MES）",
        "Line digitalisation (MES)",
        (("FL-MES-LT", 0.5), ("FL-CLD-ENT", 0.2), ("FL-SVC-IMP", 0.3)),
        (300_000, 3_000_000),
    ),
    "platform": Theme(
        "设备云平台订阅", "Device cloud subscription", (("FL-CLD-ENT", 0.6), ("FL-SVC-SUP", 0.4)), (150_000, 1_500_000)
    ),
    "renewal": Theme(
        "年度运维续约", "Annual support renewal", (("FL-SVC-SUP", 0.6), ("FL-CLD-STD", 0.4)), (50_000, 300_000)
    ),
    "warehouse": Theme(
        "仓储资产追踪",
        "Warehouse asset tracking",
        (("FL-EG100", 0.3), ("FL-TH10", 0.3), ("FL-CLD-STD", 0.2), ("FL-SVC-IMP", 0.2)),
        (80_000, 1_000_000),
    ),
}

DEMO_INDUSTRIES = {
    "manufacturing": Industry(
        "制造 Manufacturing",
        (
            ("精密机械", "精密", "Precision Machinery"),
            ("重工", "重工", "Heavy Industries"),
            ("机电设备", "机电", "Electromechanical"),
            ("模具", "模具", "Moulds"),
        ),
        ("connect", "pdm", "energy", "mes", "platform", "renewal"),
    ),
    "logistics": Industry(
        "物流 Logistics",
        (("物流", "物流", "Logistics"), ("供应链管理", "供应链", "Supply Chain"), ("冷链物流", "冷链", "Cold Chain")),
        ("warehouse", "coldchain", "connect", "renewal"),
    ),
    "retail": Industry(
        "零售 Retail",
        (("商贸", "商贸", "Trading"), ("连锁超市", "超市", "Supermarkets"), ("便利店", "便利", "Convenience")),
        ("coldchain", "energy", "warehouse", "renewal"),
    ),
    "pharma": Industry(
        "医药 Pharma",
        (("生物医药", "生物", "Biopharma"), ("制药", "制药", "Pharmaceutical")),
        ("coldchain", "mes", "energy", "platform"),
    ),
    "automotive": Industry(
        "汽车 Automotive",
        (("汽车零部件", "汽配", "Auto Parts"), ("汽车电子", "汽车电子", "Automotive Electronics")),
        ("pdm", "mes", "connect", "platform"),
    ),
    "food": Industry(
        "食品 Food",
        (("食品", "食品", "Foods"), ("乳业", "乳业", "Dairy"), ("饮料", "饮料", "Beverages")),
        ("coldchain", "energy", "mes", "renewal"),
    ),
    "electronics": Industry(
        "电子 Electronics",
        (("电子科技", "电子", "Electronics"), ("半导体", "半导体", "Semiconductor")),
        ("mes", "pdm", "energy", "platform"),
    ),
    "chemicals": Industry(
        "化工 Chemicals",
        (("化工", "化工", "Chemical"), ("新材料", "新材料", "New Materials")),
        ("energy", "pdm", "connect"),
    ),
    "energy": Industry(
        "新能源 New energy",
        (("新能源", "新能源", "New Energy"), ("储能科技", "储能", "Energy Storage")),
        ("pdm", "mes", "connect"),
    ),
}

DEMO_BRANDS = (
    ("申茂", "Shenmao"), ("浦润", "Purun"), ("东昊", "Donghao"), ("金泓", "Jinhong"), ("华屹", "Huayi"),
    ("锦川", "Jinchuan"), ("鼎辉", "Dinghui"), ("汇澜", "Huilan"), ("启衡", "Qiheng"), ("博远", "Boyuan"),
    ("瑞铂", "Ruibo"), ("远恒", "Yuanheng"), ("嘉沅", "Jiayuan"), ("通域", "Tongyu"), ("宏骏", "Hongjun"),
    ("凯翔", "Kaixiang"), ("晟达", "Shengda"), ("润泽", "Runze"), ("立丰", "Lifeng"), ("辰宇", "Chenyu"),
    ("铭扬", "Mingyang"), ("新湃", "Xinpai"), ("恒川", "Hengchuan"), ("联拓", "Liantuo"), ("安岚", "Anlan"),
    ("科朗", "Kelang"), ("德沣", "Defeng"), ("易卓", "Yizhuo"), ("沃川", "Wochuan"), ("泰舜", "Taishun"),
    ("天衡", "Tianheng"), ("驰越", "Chiyue"), ("长岳", "Changyue"), ("景弘", "Jinghong"), ("汉谷", "Hangu"),
    ("御丰", "Yufeng"), ("卓研", "Zhuoyan"), ("澜启", "Lanqi"), ("普睿", "Purui"), ("元祺", "Yuanqi"),
    ("和晟", "Hesheng"), ("优米", "Youmi"), ("赛弗", "Saifu"), ("浩泽", "Haoze"), ("思源", "Siyuan"),
    ("群岳", "Qunyue"), ("万澄", "Wancheng"), ("兆翊", "Zhaoyi"), ("力恒", "Liheng"), ("聚鑫", "Juxin"),
    ("朗驰", "Langchi"), ("信昌", "Xinchang"), ("雅川", "Yachuan"), ("冠群", "Guanqun"), ("舜泽", "Shunze"),
    ("昊天", "Haotian"), ("亿嘉", "Yijia"), ("中沛", "Zhongpei"), ("鸿睿", "Hongrui"), ("峰岚", "Fenglan"),
    ("翰域", "Hanyu"), ("佳湃", "Jiapai"), ("星岑", "Xingcen"), ("南溪", "Nanxi"),
)  # fmt: skip

DEMO = OrgPlan(
    key="demo",
    name="Demo",
    timezone="Asia/Shanghai",
    currency="CNY",
    locale="zh-CN",
    users=DEMO_USERS,
    products=DEMO_PRODUCTS,
    themes=DEMO_THEMES,
    industries=DEMO_INDUSTRIES,
    # East 1 covers Pudong and the north-east, East 2 the west and south-west: a rep's day stays on one side.
    territories={
        f"rep1@{DEMO_DOMAIN}": ("zhangjiang", "jinqiao"),
        f"rep2@{DEMO_DOMAIN}": ("waigaoqiao", "yangpu", "baoshan"),
        f"rep3@{DEMO_DOMAIN}": ("lingang", "fengxian", "kangqiao"),
        f"rep4@{DEMO_DOMAIN}": ("minhang", "zizhu", "caohejing"),
        f"rep5@{DEMO_DOMAIN}": ("jiading", "anting", "putuo", "shibei"),
        f"rep6@{DEMO_DOMAIN}": ("songjiang", "qingpu", "hongqiao"),
    },
    brands=DEMO_BRANDS,
    accounts_per_rep=10,
    opportunities=250,
    amount_bounds_yuan=(50_000, 3_000_000),
    org_age_days=800,
)

# ---------------------------------------------------------------------------------------------- Northwind

NORTHWIND_DOMAIN = "northwind.fieldloop.example"

NORTHWIND = OrgPlan(
    key="northwind",
    name="Northwind 北风贸易",
    timezone="Asia/Shanghai",
    currency="CNY",
    locale="zh-CN",
    users=(
        UserSeed(f"admin@{NORTHWIND_DOMAIN}", "郑凯 Zheng Kai", ("admin",), locale="en"),
        UserSeed(f"rep1@{NORTHWIND_DOMAIN}", "何佳 He Jia", ("rep",), "销售部 Sales"),
        UserSeed(f"rep2@{NORTHWIND_DOMAIN}", "马骏 Ma Jun", ("rep",), "销售部 Sales"),
    ),
    products=(
        ProductSeed("NW-ESP-01", "商用意式咖啡机 Commercial Espresso Machine", "设备 Equipment", 3_800_000, 20),
        ProductSeed("NW-GRN-05", "精品咖啡豆（5 kg）Specialty Coffee Beans (5 kg)", "耗材 Supplies", 120_000, 400),
        ProductSeed("NW-SVC-Y", "年度保养服务 Annual Maintenance", "服务 Services", 600_000, 20),
    ),
    themes={
        "upgrade": Theme(
            "咖啡设备更新", "Coffee equipment upgrade", (("NW-ESP-01", 0.7), ("NW-SVC-Y", 0.3)), (60_000, 400_000)
        ),
        "rollout": Theme(
            "新店开业采购",
            "New store fit-out",
            (("NW-ESP-01", 0.5), ("NW-GRN-05", 0.3), ("NW-SVC-Y", 0.2)),
            (80_000, 600_000),
        ),
        "supply": Theme("年度咖啡豆供应", "Annual bean supply", (("NW-GRN-05", 1.0),), (50_000, 300_000)),
    },
    industries={
        "catering": Industry(
            "餐饮 Catering",
            (("餐饮管理", "餐饮", "Catering"), ("咖啡", "咖啡", "Coffee")),
            ("upgrade", "supply", "rollout"),
        ),
        "hospitality": Industry("酒店 Hospitality", (("酒店管理", "酒店", "Hotels"),), ("upgrade", "supply")),
        "retail": Industry(
            "零售 Retail", (("商贸", "商贸", "Trading"), ("便利店", "便利", "Convenience")), ("rollout", "supply")
        ),
    },
    territories={
        f"rep1@{NORTHWIND_DOMAIN}": ("xujiahui", "changning"),
        f"rep2@{NORTHWIND_DOMAIN}": ("nanjingxi", "hongkou"),
    },
    brands=(
        ("北岸", "Bei'an"),
        ("栖木", "Qimu"),
        ("拾光", "Shiguang"),
        ("云朵", "Yunduo"),
        ("晨曦", "Chenxi"),
        ("麦垛", "Maiduo"),
    ),
    accounts_per_rep=3,
    opportunities=14,
    amount_bounds_yuan=(50_000, 600_000),
    org_age_days=500,
)

PLANS = (DEMO, NORTHWIND)

# ---------------------------------------------------------------------------------------------- the pipeline

# How many days a deal typically stays in each open stage, and how often it is lost when it leaves it.
DWELL_DAYS = {
    "lead": (4, 14),
    "qualified": (7, 28),
    "solution": (14, 45),
    "proposal": (14, 40),
    "negotiation": (14, 45),
}
LOSS_RATE = {"lead": 0.15, "qualified": 0.12, "solution": 0.1, "proposal": 0.12, "negotiation": 0.2}
STALL_CHANCE = 0.12  # a stage that drags on three times as long
# How far ahead an open deal is expected to close, by stage (days).
CLOSE_IN_DAYS = {
    "lead": (45, 150),
    "qualified": (30, 120),
    "solution": (20, 90),
    "proposal": (10, 60),
    "negotiation": (3, 35),
}
FORECAST = {"proposal": "best_case", "negotiation": "commit"}
PROMISED_DATE_CHANCE = 0.35
LINE_DISCOUNTS = (0.0, 0.0, 0.0, 5.0, 8.0, 10.0, 12.5, 15.0, 20.0)

COMPETITORS = (
    "西门子 Siemens", "用友 Yonyou", "金蝶 Kingdee", "SAP", "纷享销客 Fxiaoke", "销售易 Neocrm", "Salesforce",
    "研华 Advantech", "树根互联 Rootcloud", "华为云 Huawei Cloud", "施耐德 Schneider Electric",
)  # fmt: skip
LOSS_REASONS = (
    ("价格过高", "Price too high"), ("选择了竞争对手", "Chose competitor"), ("预算取消", "Budget cancelled"),
    ("项目延期", "Project postponed"), ("需求不匹配", "Requirements not met"), ("决定内部自研", "Built in-house"),
    ("决策人变动", "Decision maker changed"),
)  # fmt: skip
NEXT_STEPS = {
    "lead": (
        "电话确认项目背景 Call to confirm the project background",
        "约见设备部负责人 Meet the head of maintenance",
    ),
    "qualified": ("安排现场调研 Schedule a site survey", "确认预算与时间表 Confirm budget and timeline"),
    "solution": ("提交技术方案 Submit the technical proposal", "安排 POC 部署 Arrange the POC deployment"),
    "proposal": ("跟进报价反馈 Follow up on the quote", "准备折扣审批 Prepare the discount approval"),
    "negotiation": ("确认合同条款 Confirm the contract terms", "法务审核合同 Legal review of the contract"),
    "won": ("安排实施启动会 Hold the implementation kick-off",),
}

# ---------------------------------------------------------------------------------------------- activities

# (kind, Chinese, English): the customer's action that justified entering each stage.
EVIDENCE = {
    "qualified": (("call", "客户来电说明项目需求", "Customer called to explain the project needs"),),
    "solution": (
        ("meeting", "客户邀请我方做方案交流", "Customer invited us to present a solution"),
        ("call", "客户来电确认需求范围", "Customer called to confirm the scope"),
        ("visit", "客户技术团队来访交流", "Customer's engineers visited us"),
    ),
    "proposal": (
        ("email", "客户邮件索取正式报价", "Customer asked for a formal quote by email"),
        ("poc", "客户确认 POC 验收通过", "Customer signed off the POC"),
    ),
    "negotiation": (
        ("meeting", "客户采购部约谈商务条款", "Purchasing invited us to discuss terms"),
        ("email", "客户发来合同修订意见", "Customer sent contract redlines"),
    ),
    "won": (
        ("document", "客户签回合同", "Customer returned the signed contract"),
        ("email", "客户发出中标通知书", "Customer issued the award letter"),
    ),
}
DEAL_OUTBOUND = (
    ("call", "电话跟进项目进展", "Follow-up call on the project"),
    ("email", "发送产品资料与案例", "Sent brochures and case studies"),
    ("meeting", "线上演示设备云平台", "Online demo of the device cloud"),
    ("visit", "上门拜访设备部负责人", "On-site visit to the head of maintenance"),
    ("poc", "部署 POC 网关与传感器", "Deployed the POC gateway and sensors"),
    ("document", "提交技术方案书", "Submitted the technical proposal"),
    ("email", "发送报价单", "Sent the quotation"),
    ("visit", "陪同客户参观标杆工厂", "Took the customer to a reference site"),
)
RECENT_INBOUND = (
    ("call", "客户来电询问项目排期", "Customer called about the project schedule"),
    ("email", "客户确认下次会议时间", "Customer confirmed the next meeting"),
    ("meeting", "客户约见讨论实施细节", "Customer asked to meet about implementation details"),
)
ACCOUNT_ACTIVITIES = (
    ("call", "inbound", "客户来电咨询备件价格", "Customer called about spare-part prices"),
    ("email", "inbound", "客户反馈平台使用问题", "Customer reported an issue with the platform"),
    ("visit", "inbound", "客户来访参观展厅", "Customer visited our showroom"),
    ("document", "inbound", "客户发来设备清单", "Customer sent their equipment list"),
    ("visit", "outbound", "例行客户拜访", "Routine account visit"),
    ("call", "outbound", "回访服务满意度", "Satisfaction follow-up call"),
    ("email", "outbound", "发送新品介绍", "Sent news about new products"),
    ("meeting", "outbound", "季度业务回顾", "Quarterly business review"),
)
LOSS_NOTICE = ("call", "客户告知未选择我方：{zh}", "Customer told us we lost: {en}")

# ---------------------------------------------------------------------------------------------- after the sale

# A product's next tier (sku → sku): what a customer near its tier's limit is offered.
TIER_LADDER = {"FL-CLD-STD": "FL-CLD-ENT"}
# Products measured monthly against the quantity bought (the tier's limit).
METERED = ("FL-CLD-STD", "FL-EG100")
PAYMENT_TERMS = (
    "签约后 30 天内一次付清 Net 30", "分两期付款 Two instalments", "按季度付款 Quarterly in advance",
    "验收后 60 天付款 Net 60 after acceptance",
)  # fmt: skip
SCOPES = (
    "一期：核心产线 Phase 1: main production lines", "扩展至二号厂房 Extended to plant 2",
    "缩减至一号车间 Reduced to workshop 1", "增加移动端账号 Added mobile users", "取消现场驻点 Dropped on-site staff",
)  # fmt: skip
# (kind, severity, Chinese, English)
CASES = (
    ("support", "normal", "平台登录异常", "Cannot sign in to the platform"),
    ("support", "low", "报表导出格式问题", "Report export format issue"),
    ("support", "high", "网关离线", "Gateway offline"),
    ("support", "normal", "传感器数据缺失", "Sensor data missing"),
    ("support", "critical", "产线监控中断", "Line monitoring down"),
    ("complaint", "high", "实施进度延误", "Implementation running late"),
    ("complaint", "normal", "服务响应太慢", "Support too slow to answer"),
    ("complaint", "high", "账单金额有误", "Invoice amount wrong"),
)
ENGAGEMENTS = (
    ("email", "客户回复周报邮件", "Customer replied to the weekly report"),
    ("call", "客户来电沟通使用情况", "Customer called about their usage"),
    ("meeting", "客户参加月度例会", "Customer attended the monthly review"),
)
