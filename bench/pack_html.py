"""The evidence pack's content as one HTML document, for the WeasyPrint comparison.

The same text, the same tables (approvals, KPIs with every measurement, log, timeline,
files, outcome, review) and the same photos (``<img>`` of the same print-rendition files,
two to a row with captions) as ``trials.pdf.render`` lays out; KPI charts as inline SVG
polylines. A4 pages with a running footer, a plain system font. Built from a PackContent only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from trials.pdf.content import PackContent, PackKpi

CSS = """
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-center { content: "Evidence pack " string(code) " · page " counter(page)
                   " of " counter(pages); font-size: 8pt; color: #505a5f; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35;
       color: #0b0c0c; }
h1 { font-size: 20pt; string-set: code attr(data-code); } h2 { font-size: 13pt;
  margin-top: 14pt; border-bottom: 1px solid #b1b4b6; } h3 { font-size: 10.5pt; }
table { width: 100%; border-collapse: collapse; margin: 4pt 0 8pt; }
th, td { text-align: left; vertical-align: top; padding: 2pt 4pt;
         border-bottom: 0.5pt solid #b1b4b6; }
th { background: #f3f2f1; } thead { display: table-header-group; } tr { break-inside: avoid; }
.photos { display: flex; flex-wrap: wrap; gap: 6mm; }
figure { width: 84mm; margin: 0; break-inside: avoid; }
figure img { width: 84mm; height: auto; } figcaption { font-size: 8pt; }
.chart { width: 120mm; height: 40mm; }
.cover { break-after: page; }
"""


def text(value: object) -> str:
    return escape(str(value or ""))


def paragraphs(value: str) -> str:
    return "".join(f"<p>{text(part)}</p>" for part in value.split("\n\n") if part.strip())


def table(headings: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{text(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{text(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def chart(kpi: PackKpi) -> str:
    values = [float(m.value) for m in kpi.measurements]
    if not values:
        return ""
    low = min(values + [float(kpi.baseline), float(kpi.target)])
    high = max(values + [float(kpi.baseline), float(kpi.target)])
    span = (high - low) or 1
    step = 440 / max(1, len(values) - 1)
    points = " ".join(
        f"{20 + i * step:.1f},{140 - (v - low) / span * 120:.1f}" for i, v in enumerate(values)
    )
    target_y = 140 - (float(kpi.target) - low) / span * 120
    return (
        '<svg class="chart" viewBox="0 0 480 160" xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="20" x2="460" y1="{target_y:.1f}" y2="{target_y:.1f}" stroke="#00703c" '
        'stroke-dasharray="4 3"/>'
        f'<polyline points="{points}" fill="none" stroke="#1d70b8" stroke-width="2"/></svg>'
    )


def kpi_section(kpi: PackKpi) -> str:
    summary = table(
        ["Baseline", "Target", "Latest", "Met"],
        [[kpi.baseline, kpi.target, kpi.latest, {True: "Yes", False: "No"}.get(kpi.met, "–")]],
    )
    readings = table(
        ["Date", "Value", "Note", "Recorded by"],
        [[m.date, m.value, m.note, m.recorded_by] for m in kpi.measurements],
    )
    return (
        f"<h3>{text(kpi.name)} ({text(kpi.unit)})</h3><p>{text(kpi.method)}</p>"
        f"<p>Source: {text(kpi.data_source)}</p>{summary}{chart(kpi)}{readings}"
    )


def cover(content: PackContent) -> str:
    facts = [
        ["Reference", content.trial_reference],
        ["Start-up", content.startup_name],
        ["Test bed", f"{content.testbed_name}, {content.provider_name}"],
        ["Where", f"{content.testbed_place}, {content.testbed_region}"],
        ["Programme", content.programme_name],
        ["Dates", f"{content.first_day} to {content.last_day}"],
        ["TRL", f"{content.trl_start} → {content.trl_target} (achieved {content.trl_achieved})"],
        ["Status", content.status],
        ["Verify at", content.verify_url],
    ]
    return (
        f'<section class="cover"><h1 data-code="{text(content.code)}">'
        f"{text(content.trial_title)}</h1><p>Evidence pack {text(content.code)}, version "
        f"{content.version}, generated {content.generated_at:%d %B %Y %H:%M}</p>"
        f"{table(['', ''], facts)}<h2>Summary of results</h2>"
        f"{paragraphs(content.executive_summary)}<p>Recommendation: "
        f"{text(content.recommendation)}</p></section>"
    )


def plan(content: PackContent) -> str:
    parts = [
        ("The test bed", content.testbed_summary),
        ("The problem", content.problem_statement),
        ("Objectives", content.objectives),
        ("Hypothesis", content.hypothesis),
        ("Setting and participants", content.setting_and_participants),
    ]
    body = "".join(f"<h3>{text(h)}</h3>{paragraphs(t)}" for h, t in parts)
    approvals = table(
        ["Approval", "Status", "Note"], [[a.label, a.status, a.note] for a in content.approvals]
    )
    return (
        f"<h2>The plan</h2>{body}<h3>Approvals</h3>{approvals}{paragraphs(content.approvals_note)}"
    )


def records(content: PackContent) -> str:
    log = table(
        ["Date", "Who", "Kind", "Entry"],
        [[e.date, f"{e.author}, {e.organisation}", e.kind, e.text] for e in content.log_entries],
    )
    events = table(
        ["When", "Who", "From", "To", "Note"],
        [[e.at, e.actor, e.from_status, e.to_status, e.note] for e in content.events],
    )
    files = table(
        ["File", "Caption", "Kind", "Size", "SHA-256"],
        [[f.name, f.caption, f.kind, f.size, f.sha256] for f in content.files],
    )
    return f"<h2>Progress log</h2>{log}<h2>Timeline</h2>{events}<h2>Evidence files</h2>{files}"


def photos(content: PackContent) -> str:
    figures = "".join(
        f'<figure><img src="{Path(p.path).as_uri()}" alt="{text(p.alt_text)}">'
        f"<figcaption>{text(p.caption)}</figcaption></figure>"
        for p in content.photos
    )
    return f'<h2>Photos</h2><div class="photos">{figures}</div>'


def outcome(content: PackContent) -> str:
    body = "".join(f"<h3>{text(o.heading)}</h3>{paragraphs(o.text)}" for o in content.outcome)
    review = ""
    if content.review:
        r = content.review
        review = "<h2>Review and sign-off</h2>" + table(
            ["Reviewer", "Decision", "When", "Version", "SHA-256", "Comments"],
            [
                [
                    f"{r.reviewer}, {r.reviewer_organisation}",
                    r.decision,
                    r.decided_at,
                    r.reviewed_version,
                    r.reviewed_sha256,
                    r.comments,
                ]
            ],
        )
    return f"<h2>Outcome</h2>{body}{review}"


def pack_html(content: PackContent) -> str:
    kpis = "<h2>KPIs</h2>" + "".join(kpi_section(kpi) for kpi in content.kpis)
    sections = [cover(content), plan(content), kpis, records(content), photos(content)]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
        f"{text(content.trial_title)}</title><style>{CSS}</style></head><body>"
        + "".join(sections)
        + outcome(content)
        + "</body></html>"
    )
