"""URL normalisation and article ids: one article, one canonical URL, one id.

Feeds, GDELT and Google News hand out the same article under many URLs: with
``utm_*`` and ``spm`` tracking parameters, ``#comments`` fragments, upper-case hosts,
default ports. They are stripped so that a re-collect finds the row it made before.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that identify the visitor or the campaign, never the article.
TRACKING_PARAMS = {
    "spm", "scm", "from", "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid",
    "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "ref_url", "share", "share_token",
    "cmpid", "ocid", "oc", "_ga", "_gl", "wt.mc_id", "ncid", "cid_source", "sr_share",
    "s_cid", "xtor", "__twitter_impression", "vn_source", "share_from", "isappinstalled",
}  # fmt: skip
TRACKING_PREFIXES = ("utm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters.

    Remaining query parameters keep their order (some sites' ids depend on it); the path
    keeps its case. ``http://News.Example:80/a?utm_source=x&id=3#top`` becomes
    ``http://news.example/a?id=3``.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def article_id(canonical_url: str) -> str:
    """A short, stable id: the first 16 hex digits of SHA-1 of the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to one site (www.x.com and m.x.com do; x.com and y.com not).

    A syndicated copy may declare the original as its ``rel=canonical``; accepting that
    would merge two outlets' rows into one, so a foreign canonical is ignored.
    """
    return _site(a) == _site(b)


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in {"com", "net", "org", "gov", "edu", "co", "ac"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:]) if not host.replace(".", "").isdigit() else host
