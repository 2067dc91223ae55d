"""The official labels of the State Council tables (国办公开办函〔2019〕60号, 〔2021〕30号): row
keys -> the row labels a 政务公开 office reads, the column heads, the rules' Chinese names.

Data only, in `common` so that both the digest (alerts/) and the web view (web/) lay a report
out as the official table from one source; docs/report-model.md lists the same labels.
"""

from __future__ import annotations

# Table 2 (applications). The label of each row as the template prints it.
APPLICATION_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld_state_secret": "（三）不予公开 1.属于国家秘密",
    "withheld_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "withheld_security_stability": "3.危及“三安全一稳定”",
    "withheld_third_party": "4.保护第三方合法权益",
    "withheld_internal_affairs": "5.属于三类内部事务信息",
    "withheld_process_info": "6.属于四类过程性信息",
    "withheld_enforcement_file": "7.属于行政执法案卷",
    "withheld_query_matter": "8.属于行政查询事项",
    "unavailable_not_held": "（四）无法提供 1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "2.没有现成信息需要另行制作",
    "unavailable_unclear": "3.补正后申请内容仍不明确",
    "rejected_petition": "（五）不予处理 1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请",
    "rejected_publication": "3.要求提供公开出版物",
    "rejected_excessive": "4.无正当理由大量反复申请",
    "rejected_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other_no_correction": "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
# Short names of the rows, for an equation written out in a sentence.
APPLICATION_SHORT = {
    "new_received": "一、本年新收",
    "carried_over": "二、上年结转",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
RESULTS_HEADING = "三、本年度办理结果"  # the group heading over （一）…（七）
APPLICANTS_HEADING = "申请人情况"
ORG_HEADING = "法人或其他组织"  # the group heading over the five kinds of organisation
APPLICANT_LABELS = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "org_subtotal": "小计",
    "total": "总计",
}

# Table 1 (active_disclosure): its blocks, each headed by the 条例 article it reports on.
ACTIVE_ROW_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
ACTIVE_FIELD_LABELS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount": "本年收费金额（单位：万元）",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "previous_year": "上一年项目数量",
    "change": "本年增/减",
    "projects": "采购项目数量",
}
ACTIVE_FIELD_LABELS_2019 = {**ACTIVE_FIELD_LABELS, "decisions": "处理决定数量", "amount": "采购总金额"}
ACTIVE_ITEM_HEAD = "信息内容"
# (article, field keys, row keys) of each block, per template.
ACTIVE_BLOCKS = {
    "2021": (
        ("第二十条第（一）项", ("issued", "repealed", "in_force"), ("regulations", "normative_documents")),
        ("第二十条第（五）项", ("decisions",), ("licensing",)),
        ("第二十条第（六）项", ("decisions",), ("punishment", "enforcement")),
        ("第二十条第（八）项", ("amount",), ("fees",)),
    ),
    "2019": (
        ("第二十条第（一）项", ("made", "published", "total_published"), ("regulations", "normative_documents")),
        ("第二十条第（五）项", ("previous_year", "change", "decisions"), ("licensing", "other_services")),
        ("第二十条第（六）项", ("previous_year", "change", "decisions"), ("punishment", "enforcement")),
        ("第二十条第（八）项", ("previous_year", "change"), ("fees",)),
        ("第二十条第（九）项", ("projects", "amount"), ("procurement",)),
    ),
}

# Table 3 (review_litigation).
REVIEW_HEADING = "行政复议"
LITIGATION_HEADING = "行政诉讼"
REVIEW_GROUP_LABELS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_GROUP_HEADS = {"litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}
REVIEW_FIELD_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

TABLE_TITLES = {
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}
PART_LABELS = {
    "overview": "一、总体情况",
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}

# The rules as an office reads them (keys: common.constants.Rule values).
RULE_LABELS = {
    "balance": "勾稽关系不平衡",
    "results_sum": "办理结果之和不等于总计",
    "row_total": "申请人之和不等于总计",
    "review_total": "复议诉讼结果之和不等于总计",
    "missing_table": "缺少表格",
    "missing_cells": "表格有空格",
    "template_mismatch": "表格模板与年度不符",
    "carry_continuity": "上年结转与上一年度结转下年不一致",
    "narrative_mismatch": "正文所述申请数与表格不一致",
    "in_force_continuity": "现行有效件数与上一年度不衔接",
    "missing_section": "缺少报告部分",
    "late_publication": "逾期发布",
    "missing_report": "逾期未发布",
    "url_year_mismatch": "网址年度与标题年度不符",
    "copies_differ": "各网站转载的版本数据不一致",
}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "未核验"}

OCR_UNCONFIRMED = "（数字由 OCR 识别，尚未经人工确认）"  # after a finding that rests on OCR numbers
