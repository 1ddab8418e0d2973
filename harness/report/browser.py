"""Open report.html in a real headless Chromium and check it: it renders, the matrix is there, a gap expands.

    python -m harness.report.browser reports/moto/report.html [--screenshot shot.png]

Exit 0 when every check holds, 1 when one does not, 2 when no Chromium is installed. Chromium is driven through
the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages on file descriptors 3 and 4), so nothing
beyond the standard library and the browser itself is needed: no driver binary, no websocket client, no port.
Set CHROMIUM=/path/to/binary to choose the browser.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe")


class BrowserError(RuntimeError):
    pass


def find_chromium() -> str | None:
    env = os.environ.get("CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else shutil.which(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """A headless Chromium with one page, driven by DevTools protocol commands (every wait bounded)."""

    def __init__(self, binary: str | None = None, *, timeout: float = 30.0, width: int = 1280, height: int = 900):
        found = binary or find_chromium()
        if not found:
            raise BrowserError("no Chromium found (install Debian's 'chromium' or set CHROMIUM)")
        self.binary: str = found
        self.timeout = timeout
        self.size = (width, height)
        self.events: list[dict[str, Any]] = []
        self._next = 0
        self._buf = b""
        self._session: str | None = None

    def __enter__(self) -> Chromium:
        self._dir = tempfile.mkdtemp(prefix="report-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        # In the child, the protocol pipes must be fds 3 (commands) and 4 (answers). close_fds=False because
        # subprocess would close 3 and 4 after preexec_fn; every other descriptor of ours is non-inheritable
        # (PEP 446) and closes on exec anyway.
        def fds() -> None:
            r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3, inheritable=True)
            os.dup2(w, 4, inheritable=True)

        self._log = open(os.path.join(self._dir, "chromium.log"), "wb")  # closed in __exit__
        args = [self.binary, *FLAGS, f"--user-data-dir={os.path.join(self._dir, 'profile')}",
                f"--window-size={self.size[0]},{self.size[1]}", "about:blank"]
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                         preexec_fn=fds, close_fds=False)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"}, browser=True)["targetId"]
            self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                      browser=True)["sessionId"]
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1, "mobile": False})
            for domain in ("Page", "Network", "Runtime"):
                self.send(f"{domain}.enable")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close", browser=True, timeout=5)
                except (BrowserError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._log.close()
            shutil.rmtree(self._dir, ignore_errors=True)

    # ------------------------------------------------------------ protocol
    def send(self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False,
             timeout: float | None = None) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if not browser and self._session:
            msg["sessionId"] = self._session
        os.write(self._to_child, json.dumps(msg).encode("utf-8") + b"\0")
        answer = self._wait(lambda m: m.get("id") == self._next, timeout, f"answer to {method}")
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def wait_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        return self._wait(lambda m: m.get("method") == method, timeout, f"event {method}")

    def _wait(self, match: Any, timeout: float | None, what: str) -> dict[str, Any]:
        """The first message ``match`` accepts; events read on the way are kept in ``self.events``."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                m = json.loads(raw)
                if match(m):
                    return m
                if "method" in m:
                    self.events.append(m)
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"timed out after {timeout or self.timeout:.0f} s waiting for the {what}")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 16)
                if not chunk:
                    raise BrowserError(f"Chromium exited (code {self.proc.poll()}) while waiting for the {what}")
                self._buf += chunk

    # ------------------------------------------------------------ page helpers
    def open(self, path_or_url: str) -> None:
        url = path_or_url if "://" in path_or_url else pathlib.Path(path_or_url).resolve().as_uri()
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise BrowserError(f"script failed: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r.get("result", {}).get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed + released) at the centre of the first element matching ``selector``."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return {x: r.left + Math.min(r.width / 2, 40), y: r.top + r.height / 2}; })()")
        if box is None:
            raise BrowserError(f"nothing matches {selector!r}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1})

    def type_into(self, selector: str, text: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path: str, *, height: int | None = None) -> str:
        params: dict[str, Any] = {"format": "png"}
        if height:
            params["clip"] = {"x": 0, "y": 0, "width": self.size[0], "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]


def check_report(html_path: str, *, screenshot: str | None = None, timeout: float = 30.0) -> dict[str, Any]:
    """Render ``html_path`` and check it like a reader would. Returns the facts and ``problems`` (empty: all good)."""
    facts: dict[str, Any] = {}
    problems: list[str] = []
    with Chromium(timeout=timeout) as b:
        b.open(html_path)
        facts["ready"] = b.evaluate("document.documentElement.dataset.ready === '1'")
        facts["matrix_cells"] = b.evaluate("document.querySelectorAll('#matrix td.cell').length")
        facts["checks"] = b.evaluate("document.querySelectorAll('#checks details.check').length")
        facts["gaps"] = b.evaluate("document.querySelectorAll('#checks details.check.v-gap').length")
        facts["requests"] = [u for u in b.requested_urls() if not u.startswith(("file:", "data:", "about:"))]
        if not facts["ready"]:
            problems.append("the page's script did not run")
        if facts["checks"] and not facts["matrix_cells"]:
            problems.append("no matrix cell rendered")
        if facts["requests"]:
            problems.append(f"the page made network requests: {facts['requests'][:3]}")
        if facts["gaps"]:
            if b.evaluate("document.querySelector('#checks details.check.v-gap .body').checkVisibility()"):
                problems.append("a gap's details are visible before it is expanded")
            b.click("#checks details.check.v-gap > summary")
            facts["gap_expanded"] = b.evaluate(
                "(() => { const d = document.querySelector('#checks details.check.v-gap');"
                " const body = d.querySelector('.body'); return d.open && body.checkVisibility()"
                " && body.getBoundingClientRect().height > 0 && !!d.querySelector('pre.repro, .exchange') })()")
            if not facts["gap_expanded"]:
                problems.append("clicking the first gap did not show its details")
        if screenshot:
            bottom = b.evaluate("(() => { const d = document.querySelector('#checks details.check[open]')"
                                " || document.querySelector('#checks'); const r = d.getBoundingClientRect();"
                                " return Math.ceil(r.bottom + window.scrollY + 12); })()")
            b.evaluate("window.scrollTo(0, 0)")
            b.screenshot(screenshot, height=min(max(int(bottom or 0), b.size[1]), 2400))
            facts["screenshot"] = screenshot
    facts["problems"] = problems
    return facts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.report.browser", description=__doc__.split("\n\n")[0])
    p.add_argument("html", help="a report.html")
    p.add_argument("--screenshot", help="also save a PNG of the page, the first gap expanded")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for any one browser answer")
    args = p.parse_args(argv)
    if not find_chromium():
        print("harness.report.browser: no Chromium found (apt-get install chromium, or set CHROMIUM)",
              file=sys.stderr)
        return 2
    if not os.path.isfile(args.html):
        print(f"harness.report.browser: {args.html}: no such file", file=sys.stderr)
        return 2
    try:
        facts = check_report(args.html, screenshot=args.screenshot, timeout=args.timeout)
    except BrowserError as e:
        print(f"harness.report.browser: {e}", file=sys.stderr)
        return 1
    print(json.dumps(facts, indent=1))
    return 1 if facts["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
