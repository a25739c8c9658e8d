"""The realistic mix of bench/bench_load.py: secretaries at their desks, staff at the dashboard.

Sessions are prepared by bench_load.py (no password hashing inside the measured window) and
handed over in BENCH_SESSIONS (a JSON file of {"role", "session", "org"}).

The users are locust's FastHttpUser (geventhttpclient), not HttpUser (requests): the load
generator runs on the same two cores as the portal, and requests-based users took a large share
of a core at 45 requests/s, time the portal's own processes then waited for.
"""
import datetime
import itertools
import json
import os
import random
from html.parser import HTMLParser
from http.cookiejar import Cookie
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

SESSIONS = json.load(open(os.environ["BENCH_SESSIONS"]))
# Seconds a person spends on a page before the next click (reading the due list, filling in a
# form); BENCH_WAIT="1,3" gives the impatient mix also reported in docs/performance.md.
WAIT = between(*(float(x) for x in os.environ.get("BENCH_WAIT", "2,8").split(",")))
_secretaries = itertools.cycle([s for s in SESSIONS if s["role"] == "secretary"])
_upper = itertools.cycle([s for s in SESSIONS if s["role"] != "secretary"])


class FormFields(HTMLParser):
    """What a browser would submit from the page's main form (defaults as rendered)."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = [a.get("name"), None, None]
        elif tag == "option" and self._select is not None:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, chosen, first = self._select
            if name:
                self.fields.append((name, chosen if chosen is not None else first or ""))
            self._select = None
        if tag == "textarea":
            self._textarea = None


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(0, name, value, None, False, host, False, False, "/", True, False, None, False,
                  None, None, {})


class PortalUser(FastHttpUser):
    """A logged-in person: takes the next prepared session of its kind."""

    abstract = True
    wait_time = WAIT
    sessions = None  # an iterator of prepared sessions, set by each kind of user

    def on_start(self):
        me = next(self.sessions)
        self.org = me["org"]
        host = self.host.split("//", 1)[-1].split(":", 1)[0]
        self.client.cookiejar.set_cookie(_cookie("sessionid", me["session"], host))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    def page(self, url, name):
        """GET a page; anything but a 200 (a redirect to the login form included) is a failure."""
        with self.client.get(url, name=name, catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
            return response


class Secretary(PortalUser):
    weight = 8
    sessions = _secretaries

    @task(4)
    def home(self):
        self.page(f"/reports/branch/?org={self.org}", "secretary home")

    @task(3)
    def roster(self):
        self.page(f"/members/?org={self.org}", "roster")

    @task(2)
    def meeting_list(self):
        self.page(f"/meetings/?org={self.org}", "meeting list")

    @task(1)
    def record_meeting(self):
        page = self.page(f"/meetings/new/?org={self.org}", "meeting form")
        parser = FormFields()
        parser.feed(page.text)
        data = [(k, v) for k, v in parser.fields if k not in ("kinds", "date", "topic")]
        data += [("kinds", "theme_day"), ("date", datetime.date.today().isoformat()),
                 ("topic", f"主题党日 {random.randint(1, 10**6)}")]
        token = self.cookie("csrftoken")
        with self.client.post(
            f"/meetings/new/?org={self.org}", data=urlencode(data), name="save meeting",
            headers={"Referer": f"{self.host}/meetings/new/?org={self.org}", "X-CSRFToken": token,
                     "Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False, catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/accounts/login/" in location:
                response.failure(f"meeting not saved: {response.status_code} {location}")


class UpperLevel(PortalUser):
    weight = 2
    sessions = _upper

    @task(4)
    def dashboard(self):
        self.page("/reports/", "dashboard")

    @task(3)
    def branch_table(self):
        self.page("/reports/overview/", "branch table")

    @task(2)
    def tree(self):
        self.page("/orgs/", "org tree")

    @task(1)
    def organization(self):
        self.page(f"/orgs/{self.org}/", "org page")
