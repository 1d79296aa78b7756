"""The label vocabulary: for each fact, the labels real documents print before its value, and the value's kind.

One place to add a synonym: every extractor takes its labels from here, and a value ends where
any label of its document type (or of FORM_LABELS) begins. `python -m extractors.vocabulary`
prints the table the README shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

__all__ = ["FactLabels", "FACT_LABELS", "FORM_LABELS", "KINDS", "labels", "stops", "markdown_table"]

# What each value kind is checked for before it is accepted (extractors/validate.py does the checking).
KINDS: dict[str, str] = {
    "org": "机构名称：以组织形式结尾（有限公司、分公司、合伙企业、中心、协会……），去掉（以下简称…）等定义语",
    "person": "人名：2–4个汉字（复姓、少数民族姓名可更长），姓在常见姓氏中；与下一栏粘连时在地名、标签处截断",
    "party": "合同当事人：机构名称，或者人名（出租人可以是自然人）",
    "entity_type": "市场主体类型：与登记机关的类型表逐字对照，只接受唯一最接近的完整类型，不截短",
    "code": "统一社会信用代码：18位，GB 32100 校验位通过（注册号15位不是信用代码）",
    "date": "日期：公历日期有效（2024年1月1日、2024.01.01、2024-01-01、二〇二四年一月一日）",
    "term": "期限：起止两个日期，或“长期”",
    "money": "金额：人民币元（万元、亿元、大写金额换算），外币单列",
    "area": "面积：平方米（㎡、m²、平米），值在1–100000之间",
    "address": "地址：以省、市、县（区）等行政区划或街道名开头，含路、街、号、室、层等，不含日期和金额",
    "count": "人数、家数、场次：整数（阿拉伯数字或中文数字）",
    "ratio": "比例：0–1（95%、95.0%、百分之九十五）",
    "text": "文字：至少2个字，不含其他标签",
    "category": "服务类别：综合，或专业服务的类别名",
    "list": "列表：以分号、顿号或换行分开的多项",
}


@dataclass(frozen=True)
class FactLabels:
    """The labels a fact is printed under on one kind of document, and its value's kind."""

    key: str
    doc_types: tuple[str, ...]
    labels: tuple[str, ...]  # most specific first; "^称" only counts at the start of a piece (OCR split 名称)
    kind: str


LICENCES = ("business_license", "legal_person_certificate")
LEASE = ("lease_contract",)
PROPERTY = ("property_certificate",)
REPORT = ("application_report",)
CREDIT = ("creditchina_report",)
RECOMMENDATION = ("recommendation_form",)
CCGP = ("ccgp_record",)

FACT_LABELS: tuple[FactLabels, ...] = (
    # 营业执照 and 法人证书 (事业单位法人证书, 社会团体法人登记证书, 民办非企业单位登记证书)
    FactLabels("org_name", LICENCES, ("企业名称", "单位名称", "机构名称", "社会组织名称", "名称", "^称"), "org"),
    FactLabels("credit_code", LICENCES, ("统一社会信用代码", "社会信用代码", "信用代码"), "code"),
    FactLabels("entity_type", LICENCES, ("市场主体类型", "主体类型", "企业类型", "类型", "^型"), "entity_type"),
    FactLabels("legal_representative", LICENCES,
               ("法定代表人（负责人）", "法定代表人", "执行事务合伙人", "负责人", "经营者", "投资人", "法人代表"), "person"),
    FactLabels("registered_capital_cny", LICENCES, ("注册资本", "认缴出资额", "出资额", "出资数额", "开办资金", "注册资金"),
               "money"),
    FactLabels("registration_date", LICENCES, ("成立日期", "注册日期"), "date"),
    FactLabels("business_term", LICENCES, ("营业期限", "合伙期限", "经营期限", "有效期"), "term"),  # 有效期: a certificate's
    FactLabels("address", LICENCES, ("主要经营场所", "经营场所", "营业场所", "住所", "地址", "^所"), "address"),
    FactLabels("business_scope", LICENCES, ("宗旨和业务范围", "经营范围", "业务范围"), "text"),
    # 房屋租赁合同: the parties' own blocks, and the premises clause
    FactLabels("premises_lessor", LEASE, ("出租方", "出租人", "甲方"), "party"),
    FactLabels("premises_lessee", LEASE, ("承租方", "承租人", "乙方"), "party"),
    FactLabels("premises_address", LEASE, ("房屋坐落地址", "房屋坐落", "房屋地址", "房屋位置", "租赁地址", "坐落于", "坐落在",
                                           "坐落", "位于"), "address"),
    FactLabels("premises_area_m2", LEASE, ("租赁建筑面积", "房屋建筑面积", "建筑面积", "计租面积", "租赁面积", "出租面积", "使用面积", "套内建筑面积", "面积"),
               "area"),
    FactLabels("premises_lease_start", LEASE, ("租赁期限", "租赁期", "租期", "期限"), "date"),
    FactLabels("premises_lease_end", LEASE, ("租赁期限", "租赁期", "租期", "期限"), "date"),
    # 不动产权证书 / 房屋所有权证
    FactLabels("premises_owner", PROPERTY, ("房屋所有权人", "所有权人", "权利人", "产权人"), "party"),
    FactLabels("premises_address", PROPERTY, ("房屋坐落", "坐落", "房屋地址", "地址"), "address"),
    FactLabels("premises_area_m2", PROPERTY, ("房屋建筑面积", "建筑面积", "面积"), "area"),
    # 申请报告: the 基本情况 table
    FactLabels("org_name", REPORT, ("申报单位名称", "申请单位名称", "申报机构名称", "申请机构名称", "机构名称", "单位名称",
                                    "企业名称", "申报单位", "申请单位"), "org"),
    FactLabels("credit_code", REPORT, ("统一社会信用代码", "社会信用代码", "信用代码"), "code"),
    FactLabels("legal_representative", REPORT, ("法定代表人", "法人代表", "单位负责人", "负责人"), "person"),
    FactLabels("registration_date", REPORT, ("成立时间", "成立日期", "注册时间", "注册日期", "设立时间", "登记时间"), "date"),
    FactLabels("registered_capital_cny", REPORT, ("注册资本", "注册资金", "开办资金"), "money"),
    FactLabels("premises_area_m2", REPORT, ("服务场所面积", "办公场所面积", "服务场地面积", "经营场所面积", "办公用房面积",
                                            "场所面积", "办公面积", "场地面积", "服务场所"), "area"),
    FactLabels("staff_fulltime_count", REPORT, ("专职人员数", "专职人员总数", "专职服务人员数", "专职工作人员数", "专职人员人数",
                                                "专职服务人员", "专职工作人员", "专职人员", "全职人员"), "count"),
    FactLabels("staff_qualified_count", REPORT, ("本科以上学历或中级以上职称人数", "大专以上学历或中级以上职称人数",
                                                 "本科及以上学历或中级及以上职称人数", "大专及以上学历或中级及以上职称人数",
                                                 "本科以上学历或中级以上职称", "大专以上学历或中级以上职称",
                                                 "本科及以上学历或中级及以上职称", "大专及以上学历或中级及以上职称"), "count"),
    FactLabels("total_assets_cny", REPORT, ("资产总额", "资产总计", "总资产"), "money"),
    FactLabels("service_category", REPORT, ("服务类别", "机构类别", "申报类别", "服务类型", "机构类型", "申报类型"), "category"),
    FactLabels("satisfaction_rate", REPORT, ("用户满意度", "服务满意度", "客户满意度", "企业满意度", "满意度"), "ratio"),
    FactLabels("public_service_ratio", REPORT, ("公益性服务占比", "公益性服务比例", "公益服务占比", "公益性服务比重",
                                                "公益服务比例", "公益性（低收费）服务占比", "公益性或低收费服务占比",
                                                "公益性（低收费）服务比例", "低收费服务占比"), "ratio"),
    FactLabels("partner_institutions_count", REPORT, ("集聚合作服务机构", "合作服务机构", "集聚服务机构", "合作机构"), "count"),
    FactLabels("activities_per_year", REPORT, ("年开展服务活动", "开展服务活动", "年服务活动", "服务活动场次", "开展活动"), "count"),
    FactLabels("trainees_per_year", REPORT, ("年培训人次", "培训人次", "培训人数"), "count"),
    FactLabels("financing_total_cny", REPORT, ("帮助企业融资总额", "帮助企业融资", "融资总额", "融资金额"), "money"),
    FactLabels("guarantee_new_cny", REPORT, ("新增担保额", "新增担保金额", "新增担保"), "money"),
    # 湖北 第五条's own words (获得县（市、区）级及以上相关部门认定、表彰、资金支持) as forms print them, a cell's wrap
    # keeping only the first part (获得县级以上认定、 / 表彰或资金支持情 / 况)
    FactLabels("recognitions", REPORT, ("获得县（市、区）级及以上", "获得县级及以上认定", "获得县级以上认定", "获得认定或表彰",
                                        "获得认定", "获得表彰", "所获荣誉", "获奖情况", "荣誉称号", "荣誉"),
               "list"),
    # 信用中国 and 中国政府采购网
    FactLabels("credit_subject_name", CREDIT, ("企业名称", "主体名称", "单位名称", "机构名称"), "org"),
    FactLabels("credit_subject_code", CREDIT, ("统一社会信用代码",), "code"),
    FactLabels("credit_query_date", CREDIT, ("数据更新/查询日期", "查询日期", "报告日期", "生成日期", "报告生成时间", "查询时间"),
               "date"),
    FactLabels("ccgp_subject_name", CCGP, ("企业名称", "供应商名称", "单位名称"), "org"),
    FactLabels("ccgp_query_date", CCGP, ("查询日期", "查询时间"), "date"),
    # 推荐表 / 推荐函
    FactLabels("recommender", RECOMMENDATION, ("推荐单位（盖章）", "推荐单位", "推荐部门"), "org"),
    FactLabels("recommender_opinion", RECOMMENDATION, ("推荐单位意见", "推荐部门意见", "主管部门意见", "县区推荐意见", "推荐意见"),
               "text"),
)

# Labels forms print for things no fact is read from: a value never runs on into one of them.
FORM_LABELS: tuple[str, ...] = (
    "联系人", "联系电话", "电话", "手机", "手机号码", "传真", "电子邮箱", "邮箱", "邮政编码", "邮编", "网址", "职务", "职称",
    "身份证号码", "身份证号", "证件号码", "证件类型", "开户银行", "开户行", "银行账号", "账号", "委托代理人", "签字", "盖章",
    "登记机关", "发证机关", "登记管理机关", "业务主管单位", "举办单位", "经费来源", "活动地域", "组成形式", "注册号", "证照编号",
    "核准日期", "发证日期", "场所性质", "房屋性质", "单位性质",  # 场所性质 □自有 □租赁 beside the report's area
)


@cache
def labels(doc_type: str, key: str) -> tuple[str, ...]:
    """The labels of one fact on one document type (empty when the vocabulary has none)."""
    return next((f.labels for f in FACT_LABELS if f.key == key and doc_type in f.doc_types), ())


@cache
def stops(doc_type: str) -> tuple[str, ...]:
    """Every label that can follow a value on a document type: its facts' labels and FORM_LABELS."""
    found = [label for f in FACT_LABELS if doc_type in f.doc_types for label in f.labels] + list(FORM_LABELS)
    return tuple(dict.fromkeys(found))


DOC_TYPE_NAMES = {"business_license": "营业执照", "legal_person_certificate": "法人证书",
                  "lease_contract": "租赁合同", "property_certificate": "不动产权证", "application_report": "申请报告",
                  "creditchina_report": "信用中国", "ccgp_record": "政府采购网", "recommendation_form": "推荐表"}


def markdown_table() -> str:
    """The vocabulary as the README's table: fact, documents, labels, validation."""
    lines = ["| 事实 | 文档 | 标签（同义词） | 校验 |", "|---|---|---|---|"]
    for f in FACT_LABELS:
        shown = "、".join(label.lstrip("^") for label in f.labels if not label.startswith("^"))
        docs = "、".join(DOC_TYPE_NAMES.get(d, d) for d in f.doc_types)
        lines.append(f"| `{f.key}` | {docs} | {shown} | {f.kind} |")
    lines += ["", "| 校验 | 含义 |", "|---|---|"] + [f"| {kind} | {text} |" for kind, text in KINDS.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
