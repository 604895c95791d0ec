"""X's batch compliance endpoints (x-api/compliance/batch-compliance), app-only bearer, on api.x.com.

A job: POST /2/compliance/jobs {"type": "tweets", "name"} → {"data": {"id", "upload_url", "download_url",
"status"}}; the ids go to `upload_url` (PUT, text/plain, one per line); GET /2/compliance/jobs/:id says when it is
`complete`; `download_url` then holds one JSON line per post X wants removed. The two URLs are signed: only https
is followed, and what is read back is bounded. X's current ones are on api.x.com and "must also carry your
Authorization: Bearer header" (batch-compliance/integrate.mdx); the older Google Cloud Storage ones take none, and
the app's bearer is never sent to any other host. X keeps one active job per type (409 for a second one): a job
carebird gives up on is cancelled (DELETE /2/compliance/jobs/:id), so it never holds the slot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from carebird.domain.xrules import MAX_LINE, MAX_RESULT_LINES
from carebird.x.admin import API, TIMEOUT, XAdmin, XAdminError

MAX_DOWNLOAD_BYTES = MAX_RESULT_LINES * 200  # X's result lines are ~150 bytes
X_HOSTS = frozenset({urlsplit(API).hostname, "api.twitter.com"})


def _https(url: str) -> str:
    if urlsplit(url).scheme != "https" or not urlsplit(url).hostname:
        raise XAdminError(f"X gave a storage URL that is not https: {url[:80]!r}")
    return url


class XCompliance(XAdmin):
    def _signed(self, url: str) -> dict[str, str]:
        """The app's bearer for X's own signed URLs (api.x.com), nothing for a storage provider's."""
        if urlsplit(url).hostname in X_HOSTS:
            return {"Authorization": f"Bearer {self.credentials.get('bearer_token', '')}"}
        return {}

    def create_compliance_job(self, name: str) -> dict[str, Any]:
        data = self._call("POST", "/2/compliance/jobs", json={"type": "tweets", "name": name[:64]}).get("data") or {}
        if not data.get("id") or not data.get("upload_url") or not data.get("download_url"):
            raise XAdminError(f"X created no usable compliance job: {str(data)[:200]}")
        return data

    def upload_compliance_ids(self, upload_url: str, ids: list[str]) -> None:
        body = ("\n".join(ids) + "\n").encode("ascii")
        response = self.session.put(
            _https(upload_url),
            data=body,
            headers={"Content-Type": "text/plain", **self._signed(upload_url)},
            timeout=TIMEOUT,
        )
        if response.status_code >= 400:
            raise XAdminError(f"uploading the ids for X's compliance job failed: HTTP {response.status_code}")

    def cancel_compliance_job(self, job_id: str) -> None:
        self._call("DELETE", f"/2/compliance/jobs/{job_id}")

    def compliance_job(self, job_id: str) -> dict[str, Any]:
        return self._call("GET", f"/2/compliance/jobs/{job_id}").get("data") or {}

    def compliance_results(self, download_url: str) -> Iterator[str]:
        url = _https(download_url)
        with self.session.get(url, headers=self._signed(url), stream=True, timeout=TIMEOUT) as response:
            if response.status_code >= 400:
                raise XAdminError(f"downloading X's compliance results failed: HTTP {response.status_code}")
            read = 0
            for raw in response.iter_lines(chunk_size=65536):
                read += len(raw) + 1
                if read > MAX_DOWNLOAD_BYTES:
                    raise XAdminError("X's compliance results are larger than any job carebird submits")
                yield raw[: MAX_LINE + 1].decode("utf-8", "replace")
