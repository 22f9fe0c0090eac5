"""One person at the hub in Chromium: log in, use JupyterLab's Assignments tab, call their server."""

from __future__ import annotations

import time

from hub_harness import ClassHub


class LabSession:
    """A browser context logged in as ``user``, whose server the hub has started."""

    def __init__(self, hub: ClassHub, browser, user: str):
        self.hub = hub
        self.user = user
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.server = f"{hub.url}/user/{user}"

    def log_in(self) -> float:
        """Log in through the hub's form; return the seconds until the user's JupyterLab answered."""
        page = self.page
        page.goto(f"{self.hub.url}/hub/login")
        page.fill("#username_input", self.user)
        page.fill("#password_input", self.hub.password)
        started = time.monotonic()
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{self.user}/lab**", timeout=60_000)
        seconds = time.monotonic() - started
        page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
        return seconds

    def close(self) -> None:
        self.context.close()

    # --- The user's Jupyter server, with the user's own cookies ------------------------------------
    def xsrf(self) -> str:
        for cookie in self.context.cookies(self.server + "/"):
            if cookie["name"] == "_xsrf":
                return cookie["value"]
        raise AssertionError(f"no _xsrf cookie for {self.server}")

    def api(self, method: str, path: str, data=None, expect_ok: bool = True):
        response = self.page.request.fetch(
            f"{self.server}/{path}",
            method=method,
            data=data,
            headers={"X-XSRFToken": self.xsrf(), "Content-Type": "application/json"},
        )
        if expect_ok:
            assert response.ok, f"{method} {path} as {self.user}: {response.status} {response.text()[:500]}"
        return response

    def read_notebook(self, path: str) -> dict:
        return self.api("GET", f"api/contents/{path}?content=1").json()["content"]

    def write_notebook(self, path: str, notebook: dict) -> None:
        self.api("PUT", f"api/contents/{path}", data={"type": "notebook", "content": notebook})

    def listing(self, path: str) -> list[str]:
        return sorted(item["name"] for item in self.api("GET", f"api/contents/{path}").json()["content"])

    # --- JupyterLab's Nbgrader menu and Assignments tab --------------------------------------------
    def open_nbgrader_menu(self):
        """Open the main menu's Nbgrader menu (a click can land while JupyterLab still lays out)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        menu = self.page.locator("#jp-mainmenu-nbgrader")
        for _ in range(5):
            if menu.is_visible():
                return menu
            self.page.click("#jp-MainMenu >> text=Nbgrader")
            try:
                menu.wait_for(state="visible", timeout=2_000)
            except PlaywrightTimeout:  # not open yet: click again
                continue
        raise AssertionError("the Nbgrader menu did not open")

    def nbgrader_menu_items(self) -> list[str]:
        menu = self.open_nbgrader_menu()
        items = menu.locator(".lm-Menu-itemLabel").all_inner_texts()
        self.page.mouse.click(5, 300)  # a click outside closes a menu
        menu.wait_for(state="hidden")
        return [item for item in items if item]  # a disabled plugin's command has an empty label

    def open_assignments_tab(self) -> None:
        self.open_nbgrader_menu().locator("text=Assignment List").click()
        self.page.wait_for_selector("#released_assignments_list")

    def refresh_assignments(self) -> None:
        self.page.click("#refresh_assignments_list")

    def row(self, listing: str, assignment: str):
        """The row of ``assignment`` in one of the tab's lists: released, fetched or submitted."""
        return self.page.locator(f"#{listing}_assignments_list .list_item", has_text=assignment)

    def click_in_row(self, listing: str, assignment: str, button: str) -> None:
        self.row(listing, assignment).get_by_role("button", name=button).first.click()

    # --- Formgrader (instructors) ------------------------------------------------------------------
    def formgrader_action(self, assignment: str, column: str, success: str) -> None:
        """Press one of formgrader's buttons in the row of ``assignment`` and wait for its success.

        ``column`` is the button's column ("assign" generates the student version, "release"
        releases it); ``success`` is the start of the message formgrader shows when it worked.
        """
        page = self.page
        if "/formgrader" not in page.url:
            page.goto(f"{self.server}/formgrader")
        row = page.locator("tr", has=page.locator("td.name", has_text=assignment))
        row.locator(f"td.{column} a").click()
        outcome = page.locator("#success-modal:visible, #error-modal:visible")
        outcome.wait_for(state="visible", timeout=60_000)
        text = outcome.inner_text()
        assert success in text, f"formgrader's {column} of {assignment}: {text[:1500]}"
        outcome.get_by_role("button", name="OK").click()
        outcome.wait_for(state="hidden")
