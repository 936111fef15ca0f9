"""Publish a run's drift section: an artifact, and a WARNING when the profile's classes drifted.

The tally itself (extractors.drift) is filled per stored page by the batch step; this module
turns it into the run's `drift` summary, a markdown artifact `<flow>-drift`, and one warning
line naming the failed selectors and example URLs when a part's profile share is below the
profile's `drift_threshold`.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect.artifacts import create_markdown_artifact

from unn_ingest.extractors.drift import DriftTally
from unn_ingest.extractors.profile import SiteProfile

log = logging.getLogger(__name__)

__all__ = ["drift_markdown", "drift_warning", "publish_drift"]


def publish_drift(
    tally: DriftTally, profile: SiteProfile, flow_name: str, logger: Any = None
) -> dict[str, object]:
    """Publish the drift artifact, warn when a part drifted; return the drift summary."""
    summary = tally.summary(profile.css, profile.drift_threshold, profile.field_floors)
    warning = drift_warning(summary)
    if warning is not None:
        (logger or log).warning("%s: %s", flow_name, warning)
    if tally.pages:
        create_markdown_artifact(  # type: ignore[call-arg]
            key=f"{flow_name}-drift",
            markdown=f"# {flow_name}: profile drift\n\n{drift_markdown(summary)}",
            description=f"{flow_name}: share of pages the profile's class names explained",
            _sync=True,  # see flows.ingest.publish
        )
    return summary


def drift_warning(summary: dict[str, Any]) -> str | None:
    """Return the warning line for a summary with drifted parts, or None."""
    drifted, below = summary["drifted"], summary.get("fields_below", [])
    if not drifted and not below:
        return None
    parts, fields = summary["parts"], summary.get("fields", {})
    named = "; ".join(
        f"{part} selector {parts[part]['selector'] or '(none)'}__* found {_share(parts[part])} "
        f"(fallback on e.g. {', '.join(parts[part]['urls'][:3])})"
        for part in drifted
    )
    missing = "; ".join(
        f"{name} found on {_share(fields[name])} (floor {fields[name]['floor']:.0%}; "
        f"missing on e.g. {', '.join(fields[name]['urls'][:3])})"
        for name in below
    )
    versions = ", ".join(summary.get("versions", {})) or "-"
    text = (
        f"below {summary['threshold']:.0%} of {summary['pages']} pages: {named}. " if named else ""
    )
    text += f"fields below their floor: {missing}. " if missing else ""
    return (
        f"site profile drift (profile version {versions}): {text}"
        "Run `unn-ingest probe URL` on one of them for new class prefixes."
    )


def drift_markdown(summary: dict[str, Any]) -> str:
    """Return the drift summary as a markdown table."""
    lines = [
        f"{summary['pages']} pages; threshold {summary['threshold']:.0%}; "
        f"drifted: {', '.join(summary['drifted']) or 'none'}",
        "",
        "| part | selector | by profile | by fallback | share | sources | fallback URLs |",
        "|---|---|---|---|---|---|---|",
    ]
    for part, p in summary["parts"].items():
        sources = ", ".join(f"{k} {v}" for k, v in p["sources"].items())
        lines.append(
            f"| {part} | `{p['selector']}__*` | {p['by_profile']} | {p['by_fallback']} | "
            f"{_share(p)} | {sources} | {' '.join(p['urls'])} |"
        )
    lines += _fields_markdown(summary)
    return "\n".join(lines)


def _fields_markdown(summary: dict[str, Any]) -> list[str]:
    """Return the per-field table: share of pages that gave each field, against its floor."""
    fields = summary.get("fields") or {}
    if not fields:
        return []
    versions = ", ".join(f"{k} ({v} pages)" for k, v in summary.get("versions", {}).items())
    lines = [
        "",
        f"Profile version(s) that read the pages: {versions or '-'}; fields below their floor: "
        f"{', '.join(summary.get('fields_below', [])) or 'none'}",
        "",
        "| field | pages with it | share | floor | missing on e.g. |",
        "|---|---|---|---|---|",
    ]
    for name, f in fields.items():
        floor = "-" if f["floor"] is None else f"{f['floor']:.0%}"
        lines.append(f"| {name} | {f['found']} | {_share(f)} | {floor} | {' '.join(f['urls'])} |")
    return lines


def _share(part: dict[str, Any]) -> str:
    share = part["share"]
    return "-" if share is None else f"{share:.0%}"
