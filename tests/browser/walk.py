"""Walking every page a person reaches, for the phone and accessibility checks (test_phones.py,
test_accessibility.py).

A walk signs a person in, opens the page they land on, then follows every link of the header's
navigation and, from the pages found, the links to further pages (a report, its history, an event, its
counts and participants, a person, an audit trail, a dashboard's drill-down...) up to ``DEPTH`` steps
away, one page per kind of address (``/reports/17/`` and ``/reports/18/`` are one kind) so that a list
of 150 reports costs one visit. New pages (the dashboards) are covered as soon as a link reaches them.

Each page visited is measured for sideways scrolling (``overflow``: the page's width beyond the
window's, with the widest element that sticks out) and, when asked, checked by axe-core for serious and
critical violations. Nothing here depends on pytest, so a person can run a walk against ``make run``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

AXE_PATH = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# How many links away from the landing page and the header's navigation a walk goes.
DEPTH = 3
# A walk's safety net: far more kinds of page than the site has.
MAX_PAGES = 80

# Addresses that are not pages: downloads, the API, the admin, actions behind a form.
SKIP = re.compile(
    r"/api/|/admin/|/i18n/|/logout/|/healthz|\.(csv|xlsx|pdf|docx|json|xml|zip)$|/files/\d+/$|"
    r"/evidence/\d+/$|/export"
)

# The widest element sticking out of the window, outside any box that scrolls or clips by itself:
# the one to blame for a page that scrolls sideways.
OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const doc = document.documentElement;
  const result = {overflow: doc.scrollWidth - width, culprit: null};
  if (result.overflow <= 0) { return result; }
  const contained = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== "visible") { return true; }
    }
    return false;
  };
  let worst = null, worstRight = width;
  // First outside any box that scrolls by itself; failing that (something absolutely positioned
  // escaping its scrolling box), anywhere.
  for (const strict of [true, false]) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right <= worstRight + 0.5 || (strict && contained(el))) { continue; }
      const parent = el.parentElement.getBoundingClientRect();
      // Blame the outermost element sticking out: one whose parent still fits.
      if (strict && parent.right > width + 0.5 && el.parentElement !== document.body) { continue; }
      worst = el; worstRight = r.right;
    }
    if (worst) { break; }
  }
  if (worst) {
    const id = worst.id ? "#" + worst.id : "";
    const cls = worst.classList.length ? "." + Array.from(worst.classList).join(".") : "";
    result.culprit = worst.tagName.toLowerCase() + id + cls + " (right edge at " + Math.round(worstRight) +
      " px): " + (worst.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 80);
  }
  return result;
}
"""

AXE_RUN_JS = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " " + (n.failureSummary || "")
                    .replace(/\\s+/g, " ").slice(0, 200))}));
}
"""


def kind_of(path: str) -> str:
    """The kind of page an address opens: its path with every number, and the key after ``agencies/``,
    ``activities/`` and ``audit/``, replaced by N."""
    path = re.sub(r"/(agencies|activities|audit)/[^/]+/", r"/\1/N/", path)
    return re.sub(r"\d+", "N", path)


@dataclass
class Finding:
    """What a walk found wrong on one page."""

    page: str
    problem: str

    def __str__(self) -> str:
        return f"{self.page}: {self.problem}"


@dataclass
class Walk:
    """The pages one person's walk visited and what was wrong on them."""

    base: str
    width: int
    axe: bool = False
    # Measure sideways scrolling (the phone test); the accessibility test leaves it to that one.
    fit: bool = True
    # Several window sizes to check each page at (the phone test: 375 and 1,280 px in one walk); empty: ``width``.
    widths: list[dict[str, int]] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def check(self, page, label: str | None = None) -> None:
        """Measure the page now shown: sideways scrolling, and axe-core's serious and critical findings, at
        the walk's width or, when the walk has ``widths``, at each of them in turn (the window resized, the
        page not loaded again), ending at the first."""
        name = label or page.url.removeprefix(self.base)
        for problem in page.evaluate("window.__walkProblems || []"):
            self.findings.append(Finding(name, problem))
        sizes = self.widths or [{"width": self.width, "height": 0}]
        for size in sizes:
            if self.widths:
                page.set_viewport_size(size)
            self._measure(page, name, size["width"])
        if len(self.widths) > 1:
            page.set_viewport_size(self.widths[0])
        self.visited.append(name)

    def _measure(self, page, name: str, width: int) -> None:
        page.evaluate("window.scrollTo(0, 0)")
        measured = page.evaluate(OVERFLOW_JS) if self.fit else {"overflow": 0}
        if measured["overflow"] > 0:
            self.findings.append(
                Finding(
                    name,
                    f"scrolls sideways by {measured['overflow']} px at {width} px; widest: {measured['culprit']}",
                )
            )
        if self.axe:
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                # The page's Content Security Policy governs the page's scripts, not what the test runs
                # through the DevTools protocol: evaluating axe's text defines window.axe, no bypass needed.
                page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
            for violation in page.evaluate(AXE_RUN_JS):
                nodes = "; ".join(violation["nodes"])
                self.findings.append(
                    Finding(
                        name,
                        f"axe {violation['impact']} {violation['id']} ({violation['help']}) at {width} px: {nodes}",
                    )
                )

    def visit(self, page, path: str, *, expect_status: int | None = None) -> list[str]:
        """Open ``path``, check it, and return the same-site links on it (paths with their query)."""
        response = page.goto(self.base + path)
        status = response.status if response else 0
        if expect_status is not None and status != expect_status:
            self.findings.append(Finding(path, f"answered {status}, expected {expect_status}"))
        elif expect_status is None and status >= 400:
            self.findings.append(Finding(path, f"answered {status}"))
        self.check(page, path)
        return links(page, self.base)

    def crawl(self, page, start: list[str], *, depth: int = DEPTH) -> None:
        """Visit ``start`` (the landing page, the navigation's links), then the pages their links reach,
        ``depth`` steps away, one page of each kind."""
        seen = {kind_of(urlsplit(path).path) for path in self.visited}
        frontier = []
        for path in start:
            kind = kind_of(urlsplit(path).path)
            if kind not in seen:
                seen.add(kind)
                frontier.append(path)
        for _step in range(depth + 1):
            found: list[str] = []
            for path in frontier:
                if len(self.visited) >= MAX_PAGES:
                    return
                for link in self.visit(page, path):
                    kind = kind_of(urlsplit(link).path)
                    if kind not in seen:
                        seen.add(kind)
                        found.append(link)
            frontier = found


LINKS_JS = """
() => Array.from(document.querySelectorAll("a[href]"))
  .filter((a) => !a.hasAttribute("download") && !a.closest(".skip-link"))
  .map((a) => a.href)
"""


def links(page, base: str) -> list[str]:
    """The same-site page links on the page, as paths with their query, in document order."""
    found = []
    for href in page.evaluate(LINKS_JS):
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def navigation(page, base: str) -> list[str]:
    """The links of the header's navigation (the user's own page included), as paths."""
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('.site-header a[href]')).map((a) => a.href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == base and not SKIP.search(parts.path):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def key_pages(username: str) -> list[str]:
    """The detail pages a person works on that a walk might not reach by links alone (the report list
    opens on the current year; an empty review queue links to no report): for people who write
    reports, a returned (else draft) report of their organisation's, to edit; for reviewers, one of
    their organisation's reports waiting for review (else any), with its history; an event with a list
    of participants (their organisation's, unless a coordinator) and that list; for people who record
    events, its import page and the counts page of an event counted by sex and age."""
    from wpsnap.accounts.models import User
    from wpsnap.registries.models import Event, Participation
    from wpsnap.reporting.models import ProgressReport
    from wpsnap.reporting.workflow import Status

    user = User.objects.select_related("organisation").get(username=username)
    own = ProgressReport.objects.filter(agency=user.organisation).order_by("pk")
    pages: list[str] = []
    if user.role in {"focal_point", "ngo_contributor"}:
        report = own.filter(status=Status.RETURNED).first() or own.filter(status=Status.DRAFT).first()
        if report:
            pages += [f"/reports/{report.pk}/edit/", f"/reports/{report.pk}/"]
    if user.role in {"approver", "coordinator"}:
        waiting = Status.SUBMITTED if user.role == "approver" else Status.ENDORSED
        scope = own if user.role == "approver" else ProgressReport.objects.order_by("pk")
        report = scope.filter(status=waiting).first() or scope.first()
        if report:
            pages += [f"/reports/{report.pk}/", f"/reports/{report.pk}/history/"]
    events = Event.objects.order_by("pk")
    if user.role != "coordinator":
        events = events.filter(organiser=user.organisation)
    listed = events.filter(participation=Participation.LIST).first()
    writes = user.role in {"focal_point", "ngo_contributor"}
    if listed and user.role != "evaluator":
        pages += [f"/events/{listed.pk}/", f"/events/{listed.pk}/participants/"]
        if writes:
            pages.append(f"/events/{listed.pk}/participants/import/")
    counted = events.filter(participation=Participation.COUNTS).first()
    if counted and writes:
        pages.append(f"/events/{counted.pk}/counts/")
    return pages


def sign_in(page, base: str, username: str, password: str, code=None, walk: Walk | None = None) -> None:
    """Sign in through the pages (checking the sign-in and second-factor pages on ``walk``);
    ``code()`` gives the authenticator's current code where the role needs one."""
    page.goto(f"{base}/accounts/login/")
    if walk:
        walk.check(page, "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if "/accounts/two-factor/" in page.url:
        if walk:
            walk.check(page, "/accounts/two-factor/")
        if code is None:  # a first sign-in stops at setting up the second factor
            return
        page.get_by_label("Code from your authenticator app").fill(code())
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()


# The people a walk signs in as, by role (the demo's usernames); the visitor is signed out.
ROLES = {
    "visitor": None,
    "coordinator": "coordinator",
    "approver": "mod.approver",
    "focal_point": "mod.focal",
    "ngo_contributor": "ngo.contributor",
    "evaluator": "evaluator",
}

# Records, in the page, uncaught errors and Content Security Policy violations (init scripts are not
# subject to the policy); a walk reports them with the page.
PROBLEMS_LISTENER = """
window.__walkProblems = [];
window.addEventListener("error", function (event) {
  window.__walkProblems.push("script error: " + event.message);
});
document.addEventListener("securitypolicyviolation", function (event) {
  window.__walkProblems.push("CSP refused " + event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def totp_code(username: str, ahead: int = 0) -> str:
    """The code of ``username``'s second factor ``ahead`` time steps from now: a code is good once, so
    a person signing in again (another window size) takes the next step's (the demo site's devices
    accept a few steps ahead: ``demo_site`` in conftest.py)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def walk_role(
    browser,
    base: str,
    role: str,
    viewport: dict[str, int] | list[dict[str, int]],
    *,
    password: str,
    sign_ins: dict[str, int],
    axe: bool = False,
    fit: bool = True,
    newcomer: tuple[str, str] | None = None,
) -> Walk:
    """One person's walk at one window size (or several: ``viewport`` a list, each page checked at each,
    without loading it again), in a browser context of its own: sign in (``sign_ins``
    counts each person's sign-ins, for their next second-factor code), the landing page, every page
    the navigation and the links from it reach, the key detail pages, and the error pages (404, 400
    and, where the role meets one, 403). The visitor's walk ends with ``newcomer`` (username, password:
    someone whose role needs a second factor and who has none yet) signing in, to see the page that
    sets it up."""
    username = ROLES[role]
    sizes = viewport if isinstance(viewport, list) else [viewport]
    walk = Walk(base, sizes[0]["width"], axe=axe, fit=fit, widths=sizes if len(sizes) > 1 else [])
    context = browser.new_context(viewport=sizes[0])
    try:
        page = context.new_page()
        page.add_init_script(PROBLEMS_LISTENER)
        if username:
            ahead = sign_ins.get(username, 0)
            sign_ins[username] = ahead + 1
            sign_in(page, base, username, password, code=lambda: totp_code(username, ahead), walk=walk)
            landing = page.url.removeprefix(base)
        else:
            landing = "/"
            page.goto(base + landing)
        start = [landing, *navigation(page, base), *(key_pages(username) if username else [])]
        walk.crawl(page, start)
        walk.visit(page, "/no-such-page/", expect_status=404)
        walk.visit(page, "/plans/az-2020-2023/?year=abc", expect_status=400)
        if role in {"approver", "focal_point", "ngo_contributor", "evaluator"}:
            walk.visit(page, "/publishing/public-statistics/", expect_status=403)
        if role == "visitor" and newcomer:
            sign_in(page, base, *newcomer, walk=walk)
            if "/accounts/two-factor/" not in page.url:
                walk.findings.append(
                    Finding(page.url, "the newcomer's sign-in did not reach the second factor's setup")
                )
    finally:
        context.close()
    return walk
