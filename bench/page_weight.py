"""Page weight of the catalogue for a first-time visitor: HTML + CSS + JS + images, compressed.

    .venv/bin/python bench/page_weight.py [--size large] [--json PATH]

Renders ``/testbeds/`` in-process with DEBUG=0 (the manifest storage, so hashed static
names, after ``collectstatic``), then follows what a browser with an empty cache fetches:
every stylesheet, script, icon and image the HTML references, and every ``url(…)`` inside
the stylesheets (fonts, background images). Static files count at the size WhiteNoise
serves them with ``Accept-Encoding: gzip`` (its pre-built ``.gz`` when that is smaller, else
the file itself); the HTML counts gzip-compressed at level 6, as a proxy would send it.
Photos under /media/ count as stored (JPEG does not compress further).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    SECRET_KEY,
    SIZES,
    Result,
    database_url,
    prepare_database,
    print_table,
    setup_django,
    write_results,
)
from server import collectstatic, server_env  # noqa: E402

TARGET_KB = 100
HTML_REFS = re.compile(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"', re.I)
CSS_REFS = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def served_size(path: str) -> tuple[int, int]:
    """(bytes on the wire, bytes uncompressed) of a /static/ or /media/ URL."""
    from django.conf import settings

    if path.startswith(settings.STATIC_URL):
        file = Path(settings.STATIC_ROOT) / path[len(settings.STATIC_URL) :]
        raw = file.stat().st_size
        packed = Path(f"{file}.gz")
        return (min(raw, packed.stat().st_size) if packed.exists() else raw), raw
    file = Path(settings.MEDIA_ROOT) / path[len(settings.MEDIA_URL) :]
    size = file.stat().st_size if file.exists() else 0
    return size, size


def css_references(path: str) -> list[str]:
    from django.conf import settings

    if not path.startswith(settings.STATIC_URL) or not path.endswith(".css"):
        return []
    css = (Path(settings.STATIC_ROOT) / path[len(settings.STATIC_URL) :]).read_text()
    found = []
    for ref in CSS_REFS.findall(css):
        if ref.startswith(("data:", "#")):
            continue
        found.append(urlsplit(urljoin(path, ref)).path)
    return found


def references(html: str) -> list[str]:
    """Same-site resources the page makes a browser fetch, in order, each once."""
    seen: list[str] = []
    queue = [urlsplit(ref).path for ref in HTML_REFS.findall(html)]
    queue = [p for p in queue if p.startswith(("/static/", "/media/"))]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        queue += css_references(path)
    return seen


def measure(size: str) -> list[Result]:
    env = server_env(database_url(size))
    collectstatic(env)
    for name in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"):
        os.environ[name] = env[name]
    os.environ["SECRET_KEY"] = SECRET_KEY
    setup_django(database_url(size))
    from django.test import Client

    prepare_database(size)
    response = Client().get("/testbeds/", HTTP_HOST="127.0.0.1")
    if response.status_code != 200:
        raise SystemExit(f"/testbeds/ answered {response.status_code}")
    html = response.content
    html_wire = len(gzip.compress(html, compresslevel=6))
    total_wire, total_raw = html_wire, len(html)
    print(f"{'/testbeds/ (HTML)':<60} {len(html):>9,} B raw {html_wire:>9,} B gzip")
    for path in references(html.decode()):
        wire, raw = served_size(path)
        total_wire += wire
        total_raw += raw
        print(f"{path:<60} {raw:>9,} B raw {wire:>9,} B served")
    print(f"{'total':<60} {total_raw:>9,} B raw {total_wire:>9,} B on the wire")
    kb = total_wire / 1024
    return [
        Result("page weight", "catalogue first visit, compressed", kb, "KB", "≤ 100 KB", kb <= 100),
        Result("page weight", "catalogue first visit, uncompressed", total_raw / 1024, "KB"),
        Result("page weight", "catalogue HTML alone, gzip", html_wire / 1024, "KB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = measure(args.size)
    print_table(results)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
