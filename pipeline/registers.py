"""The register catalogue, as data (shared/spec/registers.md).

Which header spellings map to which canonical column, which values a vocabulary column accepts,
which columns are required and which form a register's key: all of it lives here, in tables, not
in `if` chains scattered through the readers (the PUDL habit). Readers, staging, schemas,
templates and the sample-company generator all read this one catalogue.

Column kinds (how staging normalises a cell):
    text      trimmed text
    code      trimmed text, full-width -> half-width (customer code, part no, order no, ...)
    date      a calendar day
    datetime  a moment; a value with no time of day is 00:00 of that day
    int       whole number (thousands separators, full-width digits, trailing unit accepted)
    number    real number (same forms as int)
    bool      是/否, Y/N, √/×, OK/NG, ...
    vocab     one of a fixed vocabulary (see `vocab`)
    month     a calendar month: 2026-10, 2026/10, 2026年10月, or any date in it
    round     a survey round: 2026H1, 2026Q3, 2026
    customer  pseudo-column: satisfied by customer_code or customer_name
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    aliases: tuple[str, ...]
    required: bool = False
    # vocabulary: canonical value -> the spellings accepted (canonical value itself always accepted)
    vocab: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the canonical value a blank cell takes (None: stays missing)
    blank: object = None
    ge: float | None = None          # value >= ge
    gt: float | None = None          # value > gt
    le: float | None = None          # value <= le
    zh: str = ""                     # header used in templates and reports
    en: str = ""

    @property
    def label(self) -> str:
        return self.zh or (self.aliases[0] if self.aliases else self.name)


@dataclass(frozen=True)
class Register:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # alternative key used when the first key column set is not available
    key_fallback: tuple[str, ...] = ()
    # the register's "customer" requirement: customer_code or customer_name must be present
    needs_customer: bool = True

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Required canonical columns, with the customer pair shown as 'customer'."""
        req = [c.name for c in self.columns if c.required]
        if self.needs_customer:
            req.append("customer")
        return tuple(req)


# --- shared column definitions ------------------------------------------------------------

CUSTOMER_CODE_ALIASES = ("客户代码", "客户编号", "客户代号", "客户编码",
                         "customer code", "customer id", "customer no")
CUSTOMER_NAME_ALIASES = ("客户名称", "客户", "客户全称", "customer name", "customer")

PART_NO_ALIASES = ("料号", "品号", "产品编号", "物料编码", "产品型号",
                   "part no", "part number", "item")
LOT_NO_ALIASES = ("批号", "批次", "交货批次", "项次", "lot no", "lot", "batch")

CATEGORY_ABC = MappingProxyType({
    "A": ("a", "a类", "Ａ", "ａ", "A类"),
    "B": ("b", "b类", "Ｂ", "ｂ", "B类"),
    "C": ("c", "c类", "Ｃ", "ｃ", "C类"),
})
CATEGORY_ABCD = MappingProxyType({**CATEGORY_ABC, "D": ("d", "d类", "Ｄ", "ｄ", "D类")})

VERIFIED_ALIASES = ("效果确认", "有效性验证", "效果验证", "verified", "effectiveness verified")
RESPONSIBLE_DEPT_ALIASES = ("责任部门", "责任单位", "responsible dept")


def _customer_columns() -> tuple[Column, ...]:
    return (
        Column("customer_code", "code", CUSTOMER_CODE_ALIASES, zh="客户代码", en="Customer code"),
        Column("customer_name", "text", CUSTOMER_NAME_ALIASES, zh="客户名称", en="Customer name"),
    )


CUSTOMERS = Register(
    "customers", "客户清单", "Customer master",
    (
        Column("customer_code", "code", CUSTOMER_CODE_ALIASES, required=True, zh="客户代码", en="Customer code"),
        Column("customer_name", "text", CUSTOMER_NAME_ALIASES, required=True, zh="客户名称", en="Customer name"),
        Column("segment", "vocab", ("客户类别", "客户类型", "行业", "segment", "customer type"),
               vocab={"automotive": ("汽车", "汽车件", "车载", "auto"),
                      "non-automotive": ("非汽车", "其他", "一般", "non-auto")},
               blank="non-automotive", zh="客户类别", en="Segment"),
        Column("annual_order_value", "number", ("年订单额", "年度订单金额", "订单额", "年销售额",
                                                "annual order value", "annual sales"),
               ge=0, zh="年订单额", en="Annual order value"),
        Column("key_customer", "bool", ("重点客户", "是否重点客户", "key customer"), blank=False,
               zh="重点客户", en="Key customer"),
        Column("ppm_target", "number", ("PPM目标", "目标PPM", "ppm target"), gt=0,
               zh="PPM目标", en="PPM target"),
    ),
    key=("customer_code",),
    needs_customer=False,
)

DELIVERIES = Register(
    "deliveries", "订单交货进度表", "Delivery schedule",
    (
        Column("order_no", "code", ("订单号", "订单编号", "销售订单号", "客户订单号",
                                    "order no", "order number", "po"), required=True,
               zh="订单号", en="Order no"),
        Column("lot_no", "code", LOT_NO_ALIASES, zh="批号", en="Lot no"),
        *_customer_columns(),
        Column("part_no", "code", PART_NO_ALIASES, zh="料号", en="Part no"),
        Column("due_date", "date", ("交期", "要求交期", "客户交期", "预定交期", "应交日期",
                                    "due date", "required date"), required=True,
               zh="要求交期", en="Due date"),
        Column("delivered_date", "date", ("实际交货日期", "实交日期", "实际出货日期", "出货日期",
                                          "delivered date", "actual delivery date", "ship date"),
               required=True, zh="实际交货日期", en="Delivered date"),
        Column("qty_due", "int", ("订单数量", "应交数量", "需求数量", "交货数量要求",
                                  "qty due", "order qty", "quantity ordered"), required=True, ge=0,
               zh="订单数量", en="Qty due"),
        Column("qty_delivered", "int", ("实交数量", "出货数量", "实际交货数量",
                                        "qty delivered", "shipped qty"), ge=0, blank=0,
               zh="实交数量", en="Qty delivered"),
        Column("plant", "text", ("厂区", "工厂", "生产基地", "plant", "site"), zh="厂区", en="Plant"),
    ),
    key=("order_no", "lot_no"),
    key_fallback=("order_no", "part_no", "due_date"),
)

COMPLAINTS = Register(
    "complaints", "顾客抱怨事件登录表", "Complaint register",
    (
        Column("complaint_no", "code", ("客诉编号", "投诉编号", "抱怨编号", "客诉单号",
                                        "complaint no", "complaint id", "case no"), required=True,
               zh="客诉编号", en="Complaint no"),
        Column("received_date", "datetime", ("投诉日期", "客诉日期", "接收日期", "反馈日期", "抱怨日期",
                                             "received date", "complaint date", "date received"),
               required=True, zh="客诉日期", en="Received date"),
        *_customer_columns(),
        Column("part_no", "code", PART_NO_ALIASES, zh="料号", en="Part no"),
        Column("lot_no", "code", LOT_NO_ALIASES, zh="批号", en="Lot no"),
        Column("category", "vocab", ("类别", "问题类别", "客诉类别", "category", "class"),
               vocab=CATEGORY_ABC, blank="unclassified", zh="客诉类别", en="Category"),
        Column("severity", "vocab", ("紧急程度", "严重度", "急件", "severity", "urgency"),
               vocab={"urgent": ("紧急", "急件", "急", "urgent", "high"),
                      "normal": ("一般", "普通件", "普通", "normal")},
               blank="normal", zh="紧急程度", en="Severity"),
        Column("description", "text", ("不良描述", "问题描述", "投诉内容", "异常描述",
                                        "description", "defect description"),
               zh="不良描述", en="Description"),
        Column("defect_qty", "int", ("不良数量", "不良数", "退货数量", "拒收数量",
                                     "defect qty", "rejected qty", "nonconforming qty"), ge=0, blank=0,
               zh="不良数量", en="Defect qty"),
        Column("root_cause", "vocab", ("原因分类", "根本原因类别", "5M1E", "原因类别",
                                       "root cause", "cause category"),
               vocab={"man": ("人", "人员"), "machine": ("机", "设备"),
                      "material": ("料", "物料", "材料"), "method": ("法", "方法"),
                      "environment": ("环", "环境"), "measurement": ("测", "测量")},
               blank="undetermined", zh="原因分类", en="Root cause"),
        Column("responsible_dept", "text", RESPONSIBLE_DEPT_ALIASES, zh="责任部门", en="Responsible dept"),
        Column("first_response_at", "datetime", ("首次回复时间", "回复时间", "回复日期", "初步回复",
                                                 "first response", "response date"),
               zh="首次回复时间", en="First response"),
        Column("report_8d_at", "datetime", ("8D回复日期", "8D报告日期", "8D提交日期",
                                            "8D date", "8D report date"), zh="8D回复日期", en="8D date"),
        Column("closed_date", "date", ("结案日期", "完结日期", "关闭日期", "closed date", "closure date"),
               zh="结案日期", en="Closed date"),
        Column("verified", "bool", VERIFIED_ALIASES, zh="效果确认", en="Verified"),
        Column("claim_amount", "number", ("索赔金额", "扣款金额", "claim amount"), ge=0,
               zh="索赔金额", en="Claim amount"),
        Column("batch_reject", "bool", ("批退", "是否批退", "batch reject", "lot rejected"), blank=False,
               zh="是否批退", en="Batch reject"),
        Column("defect_code", "code", ("不良代码", "缺陷代码", "不良类别代码", "defect code"),
               zh="不良代码", en="Defect code"),
    ),
    key=("complaint_no",),
)

INCIDENTS = Register(
    "incidents", "顾客处罚及异常事件", "Customer incidents",
    (
        Column("date", "date", ("日期", "发生日期", "date"), required=True, zh="发生日期", en="Date"),
        *_customer_columns(),
        Column("type", "vocab", ("类型", "事件类型", "类别", "type", "incident type"), required=True,
               vocab={"special_acceptance": ("特采",), "fine": ("罚款",),
                      "premium_freight": ("超额运费", "加急运费", "空运费"), "recall": ("召回",),
                      "late_8d": ("8D延迟", "整改延迟"), "other": ("其他",)},
               zh="事件类型", en="Type"),
        Column("count", "int", ("次数", "数量", "count"), ge=1, blank=1, zh="次数", en="Count"),
        Column("amount", "number", ("金额", "amount"), ge=0, zh="金额", en="Amount"),
        Column("description", "text", ("说明", "描述", "备注", "description", "remark"),
               zh="说明", en="Description"),
    ),
)

CUSTOMER_SCORECARDS = Register(
    "customer_scorecards", "顾客计分卡", "Customer-issued scorecards",
    (
        *_customer_columns(),
        Column("month", "month", ("月份", "评价月份", "期间", "month", "period"), required=True,
               zh="评价月份", en="Month"),
        Column("score", "number", ("得分", "分数", "评分", "综合得分", "score"), required=True,
               ge=0, le=100, zh="得分", en="Score"),
    ),
    key=("customer", "month"),
)

SURVEY_ITEMS = MappingProxyType({
    "quality": ("产品质量", "质量", "quality"),
    "delivery": ("交期", "交货", "准时交货", "delivery"),
    "price": ("价格", "price"),
    "service": ("服务", "服务态度", "service"),
    "technical": ("技术支持", "技术服务", "technical", "technical support"),
    "communication": ("沟通", "沟通协调", "communication"),
    "packaging": ("包装", "packaging"),
})
SURVEY_ITEM_ZH = {"quality": "产品质量", "delivery": "交期", "price": "价格", "service": "服务",
                  "technical": "技术支持", "communication": "沟通", "packaging": "包装"}

SURVEY_RETURNS = Register(
    "survey_returns", "客户满意度调查表", "Survey returns",
    (
        Column("round", "round", ("调查批次", "调查期间", "调查轮次", "round", "survey round"),
               required=True, zh="调查批次", en="Round"),
        *_customer_columns(),
        Column("respondent", "text", ("填表人", "受访人", "联系人", "respondent", "contact"),
               zh="填表人", en="Respondent"),
        Column("sent_date", "date", ("发出日期", "发放日期", "sent date"), zh="发出日期", en="Sent date"),
        Column("returned_date", "date", ("回收日期", "返回日期", "returned date"), required=True,
               zh="回收日期", en="Returned date"),
        *(Column(item, "score", aliases, ge=0, zh=SURVEY_ITEM_ZH[item], en=item.capitalize())
          for item, aliases in SURVEY_ITEMS.items()),
        Column("overall", "score", ("总分", "综合评分", "总体满意度", "overall", "total score"), ge=0,
               zh="总分", en="Overall"),
        Column("comments", "text", ("意见", "建议", "客户意见", "comments", "suggestions"),
               zh="客户意见", en="Comments"),
    ),
    key=("round", "customer", "respondent"),
)

FEEDBACK = Register(
    "feedback", "客户质量信息反馈登记表", "Quality feedback register",
    (
        Column("feedback_no", "code", ("编号", "反馈编号", "反馈单号", "信息反馈编号", "feedback no"),
               required=True, zh="反馈编号", en="Feedback no"),
        *_customer_columns(),
        Column("feedback_date", "date", ("反馈日期", "客户反馈日期", "接到日期", "feedback date"),
               required=True, zh="反馈日期", en="Feedback date"),
        Column("filed_date", "date", ("填表日期", "登记日期", "发出日期", "filed date"),
               zh="填表日期", en="Filed date"),
        Column("subject", "text", ("主题", "subject"), zh="主题", en="Subject"),
        Column("category", "vocab", ("类别", "问题类别", "category"), vocab=CATEGORY_ABCD, blank="C",
               zh="类别", en="Category"),
        Column("handler", "text", ("经手人", "handler"), zh="经手人", en="Handler"),
        Column("dept", "text", ("处理部门", "责任部门", "department"), zh="处理部门", en="Department"),
        Column("completed_date", "date", ("完结日期", "完成日期", "completed date"),
               zh="完结日期", en="Completed date"),
        Column("remark", "text", ("备注", "remark"), zh="备注", en="Remark"),
    ),
    key=("feedback_no",),
)

VISITS = Register(
    "visits", "客户走访记录", "Customer visit log",
    (
        Column("visit_date", "date", ("走访日期", "拜访日期", "访问日期", "visit date"), required=True,
               zh="走访日期", en="Visit date"),
        *_customer_columns(),
        Column("visitor", "text", ("走访人", "业务员", "拜访人", "visitor"), zh="走访人", en="Visitor"),
        Column("report_date", "date", ("报告日期", "走访报告日期", "报告提交日期", "report date"),
               zh="报告日期", en="Report date"),
        Column("findings", "text", ("客户新要求", "走访内容", "备注", "findings", "notes"),
               zh="走访内容", en="Findings"),
    ),
)

SERVICE = Register(
    "service", "报修登记表", "After-sales service register",
    (
        Column("service_no", "code", ("报修编号", "维修单号", "服务单号", "service no"), required=True,
               zh="报修编号", en="Service no"),
        *_customer_columns(),
        Column("request_date", "date", ("报修日期", "申请日期", "报修时间", "request date"), required=True,
               zh="报修日期", en="Request date"),
        Column("service_date", "date", ("服务日期", "维修日期", "完成日期", "service date"),
               zh="服务日期", en="Service date"),
        Column("type", "vocab", ("服务类型", "类型", "type"), required=True,
               vocab={"repair": ("维修", "报修"), "install": ("安装", "调试"), "training": ("培训",),
                      "warranty_repair": ("包修",), "warranty_replace": ("包换",),
                      "warranty_return": ("包退",), "other": ("其他",)},
               zh="服务类型", en="Type"),
        Column("rating", "vocab", ("服务评价", "顾客评价", "满意度", "rating"),
               vocab={"satisfied": ("满意", "很满意", "非常满意"),
                      "neutral": ("一般", "基本满意"),
                      "dissatisfied": ("不满意", "很不满意")},
               zh="服务评价", en="Rating"),
    ),
    key=("service_no",),
)

CUSTOMER_PROPERTY = Register(
    "customer_property", "顾客财产登记表", "Customer property register",
    (
        Column("property_no", "code", ("财产编号", "资产编号", "property no"), required=True,
               zh="财产编号", en="Property no"),
        *_customer_columns(),
        Column("name", "text", ("名称", "财产名称", "name"), zh="财产名称", en="Name"),
        Column("kind", "vocab", ("财产类别", "类别", "kind"),
               vocab={"material": ("材料", "物料"), "tooling": ("工治具", "模具", "治具"),
                      "equipment": ("仪器", "设备"), "document": ("文件", "规格", "图纸"),
                      "other": ("其他",)}, zh="财产类别", en="Kind"),
        Column("registered_date", "date", ("登录日期", "登记日期", "registered date"),
               zh="登记日期", en="Registered date"),
        Column("status", "vocab", ("状态", "status"), required=True,
               vocab={"in_use": ("在用", "正常"), "lost": ("遗失",), "damaged": ("损坏",),
                      "unsuitable": ("不适用",), "returned": ("已归还", "归还")},
               zh="状态", en="Status"),
        Column("event_date", "date", ("异常日期", "发现日期", "event date"), zh="异常日期", en="Event date"),
        Column("reported_date", "date", ("报告客户日期", "通知客户日期", "reported to customer"),
               zh="通知客户日期", en="Reported to customer"),
    ),
    key=("property_no",),
)

CUSTOMER_AUDITS = Register(
    "customer_audits", "顾客稽核记录", "Customer audit findings",
    (
        Column("audit_date", "date", ("稽核日期", "审核日期", "来厂稽核日期", "audit date"), required=True,
               zh="稽核日期", en="Audit date"),
        *_customer_columns(),
        Column("finding", "text", ("稽核发现", "发现事项", "稽核意见", "finding"), required=True,
               zh="稽核发现", en="Finding"),
        Column("finding_type", "vocab", ("事项类别", "发现类别", "类别", "finding type"), required=True,
               vocab={"positive": ("满意事项", "优点"),
                      "nonconformity": ("缺失", "不符合", "不符合项"),
                      "suggestion": ("建议", "改善建议")}, zh="事项类别", en="Finding type"),
        Column("responsible_dept", "text", RESPONSIBLE_DEPT_ALIASES, zh="责任部门", en="Responsible dept"),
        Column("due_date", "date", ("要求完成日期", "计划完成日期", "due date"), zh="要求完成日期", en="Due date"),
        Column("closed_date", "date", ("完成日期", "结案日期", "closed date"), zh="完成日期", en="Closed date"),
        Column("verified", "bool", VERIFIED_ALIASES, zh="效果确认", en="Verified"),
    ),
)

REGISTERS: Mapping[str, Register] = MappingProxyType({r.name: r for r in (
    CUSTOMERS, DELIVERIES, COMPLAINTS, INCIDENTS, CUSTOMER_SCORECARDS, SURVEY_RETURNS,
    FEEDBACK, VISITS, SERVICE, CUSTOMER_PROPERTY, CUSTOMER_AUDITS,
)})

# Columns added by reading and resolving, on every staged frame.
PROVENANCE = ("_file", "_sheet", "_row")
