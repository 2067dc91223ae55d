"""Alert digests: after each crawl, what is new in the store becomes one e-mail per
recipient list (never one per finding), queued in the database and delivered by SMTP
or, with no SMTP host configured, written as .eml files to the outbox folder."""

from __future__ import annotations

import difflib
import html
import json
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from checks.assess import JUDGE
from crawler.config import Config
from parsers.model import APPLICATION_ROWS_2019, APPLICATION_ROWS_2021, REVIEW_FIELDS, REVIEW_GROUPS
from storage import alert_queue as q
from storage.store import Store

COLUMN_NAMES = {
    "natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他",
    "org_subtotal": "小计", "total": "总计",
}  # fmt: skip
CHINA = ZoneInfo("Asia/Shanghai")
MAX_DIFF_LINES = 120
MAX_LISTED = 40  # a first crawl finds hundreds of reports: list some, count the rest


@dataclass
class Digest:
    site: str
    site_name: str
    recipients: list[str]
    new: list[dict[str, Any]] = field(default_factory=list)
    revised: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    failing: list[dict[str, Any]] | None = None
    stale_since: str | None = None
    covers: dict[str, list] = field(
        default_factory=lambda: {k: [] for k in ("reports", "findings", "fixed", "failures", "watchdog")}
    )

    def empty(self) -> bool:
        return not (self.new or self.revised or self.findings or self.fixed or self.failing or self.stale_since)


def recipients_for(config: Config, site: str) -> list[str]:
    profile = config.sites.get(site)
    return list(profile.recipients if profile and profile.recipients else config.alerts.get("recipients", []))


def collect(store: Store, config: Config, site: str, now: datetime | None = None) -> Digest:
    """Everything about one site that has not been alerted yet."""
    now = now or datetime.now(UTC)
    profile = config.sites.get(site)
    d = Digest(site, profile.name if profile else site, recipients_for(config, site))
    for row in q.pending_reports(store, site):
        d.covers["reports"].append((row["id"], row["current_version"]))
        if row["alerted_version"] is None:
            d.new.append(row)
        else:
            old = q.records_of(store, row["alerted_version"])
            diff = list(difflib.unified_diff(old, row["records"].split("\n"), "before", "after", lineterm="", n=1))
            d.revised.append((row, diff))
    d.findings = q.pending_findings(store, site)
    d.covers["findings"] = [f["id"] for f in d.findings]
    d.fixed = q.pending_fixed(store, site)
    d.covers["fixed"] = [f["id"] for f in d.fixed]
    streak = q.failure_streak(store, site)
    if streak:
        d.failing = streak
        d.covers["failures"].append((site, streak[0]["id"]))
    interval = interval_of(config, site)
    last_ok = q.last_success(store, site)
    # With no success yet, the clock starts at the first crawl: a new site is not stale at once.
    since_text = last_ok or q.first_run_started(store, site)
    if interval and since_text:
        if now - datetime.fromisoformat(since_text) > 2 * interval:
            if not q.watchdog_alerted(store, site):
                d.stale_since = last_ok or "never"
                d.covers["watchdog"].append(site)
        elif q.watchdog_alerted(store, site):
            q.clear_watchdog(store, site)
    return d


def interval_of(config: Config, site: str) -> timedelta | None:
    """The site's crawl interval, for the watchdog: explicit hours, else the gap of its cron."""
    profile = config.sites.get(site)
    hours = (profile.interval_hours if profile else None) or config.schedule.get("interval_hours")
    if hours:
        return timedelta(hours=float(hours))
    from crawler.schedule_triggers import trigger_for

    trigger = trigger_for(config, site)
    t0 = datetime.now(UTC)
    first = trigger.get_next_fire_time(None, t0)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    return (second - first) if first and second else None


# --- composing ---------------------------------------------------------------


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def subject(d: Digest) -> str:
    inconsistent = {f["report_id"] for f in d.findings if f["severity"] == "error" and f["rule"] != "missing_report"}
    missing = sum(f["rule"] == "missing_report" for f in d.findings)
    late = sum(f["rule"] == "late_publication" for f in d.findings)
    counts = (
        (len(d.new), "new report", "new reports"),
        (len(d.revised), "revised report", "revised reports"),
        (len(inconsistent), "inconsistent", "inconsistent"),
        (missing, "missing report", "missing reports"),
        (late, "late", "late"),
        (len(d.fixed), "finding fixed", "findings fixed"),
    )
    parts = [_count(n, one, many) for n, one, many in counts if n]
    if d.failing:
        parts.append(f"crawl failed {len(d.failing)} times in a row")
    if d.stale_since:
        parts.append("no successful crawl recently")
    return f"{d.site_name}: " + (", ".join(parts) or "no news")


def _report_label(row: dict[str, Any]) -> str:
    return f"{row.get('agency') or row.get('title') or '?'} {row.get('year') or ''}".strip()


def text_body(d: Digest) -> str:
    out = [subject(d), ""]
    if d.new:
        out.append("New reports:")
        out += [f"  - {_report_label(r)}  {r['url']}" for r in d.new[:MAX_LISTED]]
        if len(d.new) > MAX_LISTED:
            out.append(f"  … and {len(d.new) - MAX_LISTED} more (crawl export --format json)")
        out.append("")
    for row, diff in d.revised:
        out.append(f"Revised: {_report_label(row)}  {row['url']}")
        out += ["    " + line for line in diff[:MAX_DIFF_LINES]]
        if len(diff) > MAX_DIFF_LINES:
            out.append(f"    … {len(diff) - MAX_DIFF_LINES} more lines")
        out.append("")
    if d.findings:
        out.append("Findings:")
        for f in d.findings:
            out.append(f"  [{f['severity'].upper()}] {_report_label(f)} · {f['rule']} @ {f['where_']}: {f['message']}")
            cells = json.loads(f["cells"] or "[]")
            if cells and f["severity"] == "error":
                out.append("      cells: " + ", ".join(cells[:12]))
            out.append(f"      {f['url']}   (silence: crawl ack {f['fingerprint']})")
        out.append("")
    if d.fixed:
        out.append("Fixed by a later version:")
        out += [f"  - {_report_label(f)} · {f['rule']} @ {f['where_']}" for f in d.fixed]
        out.append("")
    if d.failing:
        out.append(f"The crawl of {d.site} failed {len(d.failing)} times in a row; last error: "
                   f"{(json.loads(d.failing[0]['errors'] or '[]') or ['?'])[0]}")  # fmt: skip
    if d.stale_since:
        out.append(f"No successful crawl of {d.site} since {d.stale_since}: is the scheduler running?")
    return "\n".join(out).rstrip() + "\n"


def _table_html(report: dict[str, Any], marked: set[str]) -> str:
    """Table 2 (and 3) laid out as the official table, the cells of findings marked."""
    apps = report.get("applications") or {}
    if not apps:
        return ""
    order = APPLICATION_ROWS_2021 if report.get("template") == "2021" else APPLICATION_ROWS_2019
    rows = [r for r in order if r in apps] + [r for r in apps if r not in order]
    cols = list(next(iter(apps.values())).keys())
    e = html.escape
    h = ['<table border="1" cellspacing="0" cellpadding="3" style="border-collapse:collapse;font-size:13px">',
         "<tr><th></th>" + "".join(f"<th>{e(COLUMN_NAMES.get(c, c))}</th>" for c in cols) + "</tr>"]  # fmt: skip
    for r in rows:
        tds = []
        for c in cols:
            v = apps[r].get(c)
            where = f"applications.{r}.{c}"
            text = "" if v is None else e(str(v))
            if where in marked:
                tds.append(f'<td class="bad" style="background:#ffd0d0;font-weight:bold;color:#a00000">{text}</td>')
            else:
                tds.append(f"<td>{text}</td>")
        h.append(f"<tr><th style='text-align:left'>{e(r)}</th>{''.join(tds)}</tr>")
    h.append("</table>")
    review = report.get("review_litigation") or {}
    if any(m.startswith("review_litigation.") for m in marked) and review:
        h.append('<table border="1" cellspacing="0" cellpadding="3" style="border-collapse:collapse;margin-top:6px">')
        h.append("<tr><th></th>" + "".join(f"<th>{f}</th>" for f in REVIEW_FIELDS) + "</tr>")
        for g in REVIEW_GROUPS:
            tds = []
            for fld in REVIEW_FIELDS:
                v = review.get(g, {}).get(fld)
                cls = (
                    ' class="bad" style="background:#ffd0d0;font-weight:bold"'
                    if f"review_litigation.{g}.{fld}" in marked
                    else ""
                )
                tds.append(f"<td{cls}>{'' if v is None else e(str(v))}</td>")
            h.append(f"<tr><th>{g}</th>{''.join(tds)}</tr>")
        h.append("</table>")
    return "\n".join(h)


def html_body(d: Digest, store: Store) -> str:
    e = html.escape
    out = [f"<html><body style='font-family:sans-serif'><h2>{e(subject(d))}</h2>"]
    if d.new:
        out.append("<h3>New reports</h3><ul>")
        out += [f"<li><a href='{e(r['url'])}'>{e(_report_label(r))}</a></li>" for r in d.new[:MAX_LISTED]]
        if len(d.new) > MAX_LISTED:
            out.append(f"<li>… and {len(d.new) - MAX_LISTED} more</li>")
        out.append("</ul>")
    for row, diff in d.revised:
        out.append(f"<h3>Revised: <a href='{e(row['url'])}'>{e(_report_label(row))}</a></h3>")
        out.append("<pre style='font-size:12px'>" + e("\n".join(diff[:MAX_DIFF_LINES])) + "</pre>")
    by_report: dict[int, list[dict[str, Any]]] = {}
    for f in d.findings:
        by_report.setdefault(f["report_id"], []).append(f)
    if by_report:
        out.append("<h3>Findings</h3>")
    for report_id, findings in by_report.items():
        first = findings[0]
        out.append(f"<h4><a href='{e(first['url'])}'>{e(_report_label(first))}</a></h4><ul>")
        marked: set[str] = set()
        for f in findings:
            out.append(f"<li><b>{e(f['severity'].upper())}</b> {e(f['rule'])} @ <code>{e(f['where_'])}</code>: "
                       f"{e(f['message'])} <small>(crawl ack {e(f['fingerprint'])})</small></li>")  # fmt: skip
            if f["severity"] == "error":
                marked.update(json.loads(f["cells"] or "[]"))
        out.append("</ul>")
        if marked:
            report = q.current_report_json(store, report_id)
            if report:
                out.append(_table_html(report, marked))
    if d.fixed:
        out.append("<h3>Fixed by a later version</h3><ul>")
        out += [f"<li>{e(_report_label(f))} · {e(f['rule'])} @ <code>{e(f['where_'])}</code></li>" for f in d.fixed]
        out.append("</ul>")
    if d.failing:
        out.append(f"<p><b>The crawl of {e(d.site)} failed {len(d.failing)} times in a row.</b></p>")
    if d.stale_since:
        out.append(f"<p><b>No successful crawl of {e(d.site)} since {e(d.stale_since)}.</b></p>")
    out.append("</body></html>")
    return "\n".join(out)


def after_crawl(store: Store, config: Config, sites: list[str]) -> tuple[list[int], int, int]:
    """The alert step of a crawl: flag reports now overdue, queue the digests, deliver the queue."""
    store.check_missing_reports(datetime.now(CHINA).date(), JUDGE)  # deadlines are Beijing dates
    queued = queue_digests(store, config, sites)
    sent, failed = deliver(store, config)
    return queued, sent, failed


def queue_digests(store: Store, config: Config, sites: list[str], now: datetime | None = None) -> list[int]:
    """Compute each site's digest and queue one e-mail per recipient list."""
    with q.locked(store):  # a crawl and the watchdog may both be here: one queues, the other sees nothing new
        return _queue(store, config, sites, now)


def _queue(store: Store, config: Config, sites: list[str], now: datetime | None) -> list[int]:
    groups: dict[tuple[str, ...], list[Digest]] = {}
    for site in sites:
        d = collect(store, config, site, now)
        if not d.empty():
            groups.setdefault(tuple(d.recipients), []).append(d)
    ids = []
    for recipients, digests in groups.items():
        subj = " · ".join(subject(d) for d in digests)
        text = "\n\n".join(text_body(d) for d in digests)
        body = "\n<hr>\n".join(html_body(d, store) for d in digests)
        covers: dict[str, list] = {}
        for d in digests:
            for k, v in d.covers.items():
                covers.setdefault(k, []).extend(v)
        digest = {"site": ",".join(d.site for d in digests), "recipients": json.dumps(list(recipients)),
                  "subject": subj, "text": text, "html": body}  # fmt: skip
        ids.append(q.enqueue(store, digest, covers))
    return ids


# --- delivering ----------------------------------------------------------------


def message(alert: dict[str, Any], config: Config) -> EmailMessage:
    msg = EmailMessage()
    recipients = json.loads(alert["recipients"] or "[]") or ["nianbao@localhost"]
    msg["From"] = config.alerts.get("from", "nianbao <nianbao@localhost>")
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = alert["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = alert["message_id"]
    msg.set_content(alert["text"])
    msg.add_alternative(alert["html"], subtype="html")
    return msg


def deliver(store: Store, config: Config) -> tuple[int, int]:
    """Send every queued digest; what fails stays queued for the next run. (sent, failed)"""
    sent = failed = 0
    for alert in q.unsent(store):
        if not q.claim(store, alert["id"]):
            continue  # another process is sending it
        try:
            msg = message(alert, config)
            if config.alerts.get("smtp_host"):
                _smtp_send(msg, config)
            else:
                _write_outbox(msg, alert, config)
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            q.mark_failed(store, alert["id"], f"{type(exc).__name__}: {exc}")
            failed += 1
            continue
        q.mark_sent(store, alert["id"])
        sent += 1
    return sent, failed


def _smtp_send(msg: EmailMessage, config: Config) -> None:
    a = config.alerts
    host, port = a["smtp_host"], int(a.get("smtp_port", 25))
    security = a.get("smtp_security", "none")
    timeout = float(a.get("smtp_timeout", 30))
    if security == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if a.get("smtp_user"):
            # The password only ever comes from the environment variable the config names.
            password = os.environ.get(a.get("smtp_password_env", "NIANBAO_SMTP_PASSWORD"), "")
            client.login(a["smtp_user"], password)
        client.send_message(msg)


def outbox_dir(config: Config) -> Path:
    return config.resolve(str(config.alerts.get("outbox", "data/outbox")))


def _write_outbox(msg: EmailMessage, alert: dict[str, Any], config: Config) -> None:
    folder = outbox_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{alert['created'][:19].replace(':', '').replace('-', '')}-alert-{alert['id']}.eml"
    tmp = folder / (name + ".tmp")
    tmp.write_bytes(bytes(msg))
    tmp.replace(folder / name)  # atomic: a reader never sees half a message
