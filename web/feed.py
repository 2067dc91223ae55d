"""The Atom feed of new, revised and inconsistent reports (issue 11, item 3): a canned query this
plugin adds to every database, which datasette-atom renders as Atom when `.atom` is asked for:
`/DB/feed.atom?site=NAME` (the reports on one site, its copies of other sites' reports too) or `?site=` (every site). One entry per event (a report's
first version, each later version, a report's open errors as of its version), so a feed reader
shows each once; its link is the report's page in the web view, its 原文 the portal's page (on the
site asked for: a copy's, with 首发 naming the report's own site and page)."""

from __future__ import annotations

TITLE = "nianbao：新发布、已修订、数据不一致的年度报告"
# Each kind of event takes its newest 200 first (versions from the index on fetched_at, read
# backwards and stopped there; open errors are few), then the two are merged: the same 200 as
# sorting every event, without reading every version.
SQL = """select * from (
  select * from (
    select 'nianbao:report:' || r.id || ':version:' || v.id as atom_id,
      case when v.id = (select min(id) from versions where report_id = r.id) then '新发布：' else '已修订：' end
        || coalesce(r.agency, r.title, '') || ' ' || coalesce(r.year, '') || '年度' as atom_title,
      v.fetched_at as atom_updated,
      '/-/report/' || r.id as atom_link,
      coalesce(r.title, '') || char(10) || '原文：' || case when :site in ('', r.site) then v.url
        else coalesce((select url from copies where report_id = r.id and site = :site), v.url)
          || char(10) || '首发：' || r.site || ' ' || v.url end as atom_content,
      r.site as atom_author_name
    from versions v join reports r on r.id = v.report_id
    where :site = '' or r.id in (select report_id from copies where site = :site)
    order by v.fetched_at desc limit 200
  )
  union all
  select * from (
    select 'nianbao:inconsistent:' || r.id || ':version:' || max(f.version_id) as atom_id,
      '数据不一致：' || coalesce(r.agency, r.title, '') || ' ' || coalesce(r.year, '') || '年度（' || count(*) || ' 个错误）',
      max(f.last_seen) as atom_updated, '/-/report/' || r.id,
      group_concat(f.where_ || '：' || f.message, char(10)), r.site
    from findings f join reports r on r.id = f.report_id
    where f.severity = 'error' and f.resolved_at is null and f.rule != 'missing_report'
      and (:site = '' or r.id in (select report_id from copies where site = :site))
    group by r.id order by atom_updated desc limit 200
  )
) order by atom_updated desc limit 200"""


def queries() -> dict[str, dict[str, str]]:
    return {"feed": {"title": TITLE, "sql": SQL, "description": "Atom：在地址后加 .atom；?site=站点名 只看一个站点"}}
