#!/usr/bin/env python3
"""The dashboard in real headless Chromium (selenium and chromedriver), against a fresh server started as the README
says. Follows the first-start link to set the owner's password, creates a key with the Read preset, copies it off
the page and calls the API with it, rolls and revokes it from the page and sees the API refuse it, checks that a
stored script in a key name never runs and that a forged form is refused, invites a marketer from the Team page,
imports a CSV through the Imports page and follows it to the end, builds a segment and sees its live count, and accepts the invitation in a second browser (at phone width), which cannot open the API keys page. A screenshot of each page goes to --screenshots for review.

    dashboard_browser.py --binary .build/debug/smartmails --engine sqlite|postgres [--screenshots DIR]
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import LocalDNS, Server, StageFailure  # noqa: E402

# What reading a page can raise while a submitted form's answer replaces it: Chromium also reports a node of the old
# page as "Node with given id does not belong to the document", a plain WebDriverException. A wait retries on these
# and still fails, with the page's text, when its condition never holds.
PAGE_CHANGING = (StaleElementReferenceException, NoSuchElementException, WebDriverException)

PASSWORD = "correct horse battery"
READ_SCOPES = ["keys:read", "contacts:read", "messages:read", "campaigns:read", "analytics:read", "templates:read"]
LINK = re.compile(r"http://\S+/login/password/[0-9A-Za-z]+")


def api(server, key, path="/v1/me", body=None):
    headers = {"Authorization": f"Bearer {key}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, headers=headers, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def check(condition, message):
    if not condition:
        raise StageFailure(message)


class Browser:
    def __init__(self, screenshots, engine, name, width=1280):
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},900"):
            options.add_argument(argument)
        options.binary_location = "/usr/bin/chromium"
        service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_page_load_timeout(60)
        # Elements are looked for until the page that has them has loaded (a click on a link returns before).
        self.driver.implicitly_wait(15)
        self.screenshots, self.prefix = screenshots, f"{engine}-{name}"

    def open(self, url):
        self.driver.get(url)

    def shot(self, name):
        os.makedirs(self.screenshots, exist_ok=True)
        # The whole page, not only the window.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        width = self.driver.get_window_size()["width"]
        self.driver.set_window_size(width, max(900, height + 100))
        self.driver.save_screenshot(os.path.join(self.screenshots, f"{self.prefix}-{name}.png"))
        self.driver.set_window_size(width, 900)

    def fill(self, field_id, text):
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(text)

    def submit(self, selector):
        self.driver.find_element(By.CSS_SELECTOR, selector).click()

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def wait_for(self, text, failure):
        """Waits (up to 30 s, for a loaded machine) for the page to show `text`: a click that submits a form returns before the next page."""
        try:
            WebDriverWait(self.driver, 30, ignored_exceptions=PAGE_CHANGING).until(lambda driver: text in driver.find_element(By.TAG_NAME, "body").text)
        except TimeoutException:
            raise StageFailure(f"{failure}; the page at {self.driver.current_url} shows:\n{self.text()[:500]}")

    def wait_until(self, condition, failure):
        try:
            WebDriverWait(self.driver, 30, ignored_exceptions=PAGE_CHANGING).until(condition)
        except TimeoutException:
            raise StageFailure(f"{failure}; the browser is at {self.driver.current_url}:\n{self.text()[:800]}")

    def fill_selector(self, selector, text):
        element = self.driver.find_element(By.CSS_SELECTOR, selector)
        element.clear()
        element.send_keys(text)

    def wait_for_text(self, element_id, text, failure):
        try:
            WebDriverWait(self.driver, 30, ignored_exceptions=PAGE_CHANGING).until(lambda driver: driver.find_element(By.ID, element_id).text == text)
        except TimeoutException:
            raise StageFailure(f"{failure}; #{element_id} shows {self.driver.find_element(By.ID, element_id).text!r}; the page:\n{self.text()[:500]}")

    def wait_for_url(self, suffix, failure):
        try:
            WebDriverWait(self.driver, 30, ignored_exceptions=PAGE_CHANGING).until(lambda driver: driver.current_url.endswith(suffix))
        except TimeoutException:
            raise StageFailure(f"{failure}; the browser is at {self.driver.current_url}:\n{self.text()[:500]}")

    def quit(self):
        self.driver.quit()


def set_password(browser, link):
    browser.open(link)
    check("Set your password" in browser.text(), f"the password link shows no form: {browser.text()[:300]}")
    browser.shot("set-password")
    browser.fill("password", PASSWORD)
    browser.fill("confirm", PASSWORD)
    browser.submit("form button[type=submit]")
    browser.wait_for_url("/app", "setting the password did not sign in")


def owner_journey(server, browser):
    link = LINK.search(server.banner)
    check(link, f"the first start printed no dashboard link:\n{server.banner}")
    set_password(browser, link.group(0))
    browser.shot("overview")

    # Create a key with the Read preset and copy it off the page.
    browser.driver.find_element(By.LINK_TEXT, "API keys").click()
    browser.fill("name", "Browser test key")
    browser.driver.find_element(By.CSS_SELECTOR, "input[name=preset][value=read]").click()
    browser.shot("keys")
    browser.submit("form[action='/app/keys'] button[type=submit]")
    browser.wait_for("This is the only time it is shown", "creating a key showed no secret")
    secret = browser.driver.find_element(By.ID, "secret").get_attribute("value")
    browser.submit("button[data-copy]")
    browser.wait_for("Copied", "the copy button did not copy")
    browser.shot("key-created")
    status, me = api(server, secret)
    check(status == 200 and me["key"]["scopes"] == READ_SCOPES, f"GET /v1/me with the new key: {status} {me}")

    # Roll it (the old secret ends at once), then revoke it; the API follows each step.
    browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Done").click()
    browser.wait_for("Audit trail", "the key's page did not open")
    browser.shot("key")
    browser.driver.find_element(By.CSS_SELECTOR, "#overlap option[value='0']").click()
    browser.submit("form[action$='/roll'] button[type=submit]")
    browser.wait_for("New secret for", "rolling showed no new secret")
    rolled = browser.driver.find_element(By.ID, "secret").get_attribute("value")
    status, refused = api(server, secret)
    check(status == 401 and refused["error"]["code"] == "api_key_expired", f"the rolled-away secret: {status} {refused}")
    check(api(server, rolled)[0] == 200, "the new secret does not work")
    browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Done").click()
    browser.wait_for("Audit trail", "the key's page did not open")
    browser.fill("confirm_name", "Browser test key")
    browser.submit("form[action$='/revoke'] button[type=submit]")
    browser.wait_for("api_key.revoked", "the key's page does not show the revocation")
    browser.shot("key-revoked")
    status, refused = api(server, rolled)
    check(status == 401 and refused["error"]["code"] == "api_key_revoked", f"the revoked key: {status} {refused}")

    # A stored script in a key name is shown as text and never runs.
    browser.open(server.url + "/app/keys")
    payload = '<img src=x onerror="window.smXSS=1"><script>window.smXSS=1</script>'
    browser.fill("name", payload)
    browser.submit("form[action='/app/keys'] button[type=submit]")
    browser.wait_for("This is the only time it is shown", "creating a key with markup in its name failed")
    browser.open(server.url + "/app/keys")
    check(browser.driver.execute_script("return window.smXSS === undefined"), "a script in a key name ran")
    check(payload in browser.text(), "the key name is not shown as the text it is")
    browser.shot("keys-with-markup-in-a-name")

    # A form whose CSRF token was tampered with is refused and changes nothing.
    rows = len(browser.driver.find_elements(By.CSS_SELECTOR, "tbody tr"))
    browser.driver.execute_script("document.querySelector(\"form[action='/app/keys'] input[name=csrf]\").value = 'forged'")
    browser.fill("name", "Forged")
    browser.submit("form[action='/app/keys'] button[type=submit]")
    browser.wait_for("CSRF", "a forged form was not refused")
    browser.shot("csrf-refused")
    browser.open(server.url + "/app/keys")
    check(len(browser.driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == rows, "the forged form created a key")


AUDIENCE_CSV = "\ufeffE-Mail;First Name;Plan;Orders\r\nana@example.com;Ana;pro;3\r\nbo@example.com;Bo;free;1\r\nnot-an-address;X;pro;2\r\ncy@example.com;\"Cy \"\"Junior\"\"\";pro;7\r\n"


def audience_journey(server, browser, folder):
    """A list made, a CSV imported through the page (its columns mapped in the browser) and followed to the end, the
    contacts found, and a segment built with the rule builder whose live count is the right one."""
    browser.open(server.url + "/app/lists")
    browser.fill("list-name", "Newsletter")
    browser.submit("form[action='/app/lists'] button[type=submit]")
    browser.wait_for("Newsletter", "creating a list did not show it")

    path = os.path.join(folder, "customers.csv")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(AUDIENCE_CSV)
    browser.open(server.url + "/app/imports")
    browser.driver.find_element(By.ID, "import-file").send_keys(path)
    browser.wait_for("attribute orders", "choosing a file showed no column mapping")
    check("ana@example.com" in browser.text(), "the mapping shows no first value")
    browser.driver.find_element(By.CSS_SELECTOR, "select[aria-label='Type of Orders'] option[value=number]").click()
    browser.driver.find_element(By.XPATH, "//select[@id='import-list']/option[text()='Newsletter']").click()
    browser.shot("import-mapping")
    browser.submit("#import-start")
    browser.wait_until(lambda driver: "/app/imports/imp_" in driver.current_url, "starting the import did not open its page")
    browser.wait_for("completed", "the import page never showed the import completed")
    browser.wait_for("3 created", "the import page does not count 3 created contacts")
    check("1 failed" in browser.text() and "not-an-address" in browser.text(), f"the bad row is not reported: {browser.text()[:600]}")
    browser.shot("import-finished")

    browser.open(server.url + "/app/contacts")
    browser.wait_for("3 contacts match", "the contacts page does not list the imported contacts")
    browser.shot("contacts")
    browser.driver.find_element(By.LINK_TEXT, "cy@example.com").click()
    browser.wait_for('Cy "Junior"', "a contact's page does not show its fields")
    check("orders" in browser.text() and "Newsletter" in browser.text(), "a contact's page does not show its attributes and lists")
    browser.shot("contact")

    browser.open(server.url + "/app/segments/new")
    browser.fill("segment-name", "Big pro buyers")
    browser.driver.find_element(By.CSS_SELECTOR, ".rule-field option[value=attribute]").click()
    browser.fill_selector(".rule-attribute", "plan")
    browser.driver.find_element(By.CSS_SELECTOR, ".rule-op option[value=eq]").click()
    browser.fill_selector(".rule-value", "pro")
    browser.wait_for_text("rule-count", "2", "the live count of plan = pro is not 2")
    browser.submit("#rule-add")
    rows = browser.driver.find_elements(By.CSS_SELECTOR, ".rule-row")
    rows[1].find_element(By.CSS_SELECTOR, ".rule-field option[value=attribute]").click()
    rows[1].find_element(By.CSS_SELECTOR, ".rule-attribute").send_keys("orders")
    rows[1].find_element(By.CSS_SELECTOR, ".rule-op option[value=gt]").click()
    rows[1].find_element(By.CSS_SELECTOR, ".rule-value").send_keys("5")
    browser.wait_for_text("rule-count", "1", "the live count of plan = pro and orders > 5 is not 1")
    browser.shot("segment-builder")
    browser.submit("#segment-form button[type=submit]")
    browser.wait_until(lambda driver: "/app/segments/seg_" in driver.current_url, "saving the segment did not open it")
    browser.open(server.url + "/app/segments")
    browser.wait_for("Big pro buyers", "the saved segment is not listed")
    check(browser.driver.find_element(By.CSS_SELECTOR, "tbody tr td:nth-child(2)").text == "1", "the segments page does not count 1 contact")


def domains_journey(server, browser, dns):
    """A sending domain added through the page shows the records to publish and, checked against DNS, each record's
    state: missing before they are published, verified after; the policy to send only from verified domains is
    switched on from the page and holds in the API. A bad name is explained."""
    browser.open(server.url + "/app/domains")
    browser.wait_for("No sending domains yet", "the domains page did not open empty")
    browser.fill("domain-name", "Shop.Example")
    browser.submit("form[action='/app/domains'] button[type=submit]")
    browser.wait_for("_domainkey.shop.example", "adding a domain did not show its DKIM records")
    text = browser.text()
    check("v=DKIM1; k=ed25519; p=" in text and "v=DKIM1; k=rsa; p=" in text, "the page lacks one of the two DKIM records")
    check("_dmarc.shop.example" in text and "bounces.shop.example" in text, "the page lacks the DMARC or return-path record")
    check("PRIVATE KEY" not in browser.driver.page_source, "the page shows a private key")
    check("not checked yet" in text and "not verified" in text, "a new domain is not shown as unchecked")
    browser.submit("form[action$='/verify'] button[type=submit]")
    browser.wait_for("last checked", "checking the records did not show the check")
    check(browser.text().count("missing") >= 5, "records not published yet are not all shown as missing")
    status, listed = api(server, server.first_key, "/v1/domains")
    check(status == 200, f"listing domains answered {status}")
    records = listed["data"][0]["dns_records"]
    dns.publish([{"name": r["name"], "type": r["type"], "value": r["value"]} for r in records])
    browser.submit("form[action$='/verify'] button[type=submit]")
    browser.wait_until(lambda driver: driver.find_element(By.CSS_SELECTOR, "[data-testid=domain-state]").text == "verified", "publishing the records did not verify the domain")
    check("missing" not in browser.text(), "a published record is still shown as missing")
    browser.shot("domains")
    box = browser.driver.find_element(By.ID, "require-verified")
    box.click()
    browser.submit("#sending-policy button[type=submit]")
    # The box was ticked by the click: wait for the page the form answered with, and read the box from it.
    browser.wait_until(staleness_of(box), "saving the sending policy did not answer")
    check(browser.driver.find_element(By.ID, "require-verified").is_selected(), "the sending policy was not saved")
    message = {"from": {"email": "hi@elsewhere.example"}, "to": [{"email": "ana@example.org"}], "subject": "Hi", "text": "x"}
    status, refused = api(server, server.first_key, "/v1/messages", message)
    check(status == 422 and refused["error"]["code"] == "domain_not_verified", f"with the policy on, an unverified domain's message got {status}")
    box = browser.driver.find_element(By.ID, "require-verified")
    box.click()
    browser.submit("#sending-policy button[type=submit]")
    browser.wait_until(staleness_of(box), "switching the sending policy off did not answer")
    check(not browser.driver.find_element(By.ID, "require-verified").is_selected(), "the sending policy was not switched off")
    browser.fill("domain-name", "not a domain")
    browser.submit("form[action='/app/domains'] button[type=submit]")
    browser.wait_for("is not a domain name", "a bad domain name was not explained")
    # A sending key limited from its page to the new domain and a daily quota; the API holds it to both.
    status, created = api(server, server.first_key, "/v1/api-keys", {"name": "shop sender", "scopes": ["messages:send"]})
    check(status == 201, f"creating a sending key answered {status}")
    browser.open(server.url + "/app/keys/" + created["id"])
    browser.wait_for("any domain", "a new key's page does not say it sends from any domain")
    browser.fill("edit_from_domains", "shop.example")
    browser.fill("edit_daily", "2")
    browser.submit("form[action$='/edit'] button[type=submit]")
    browser.wait_for("0 of 2 (starts over at", "the key's page does not show its quota")
    check("shop.example" in browser.driver.find_element(By.ID, "send-from").text, "the key's page does not show its domain")
    message = {"from": {"email": "hi@elsewhere.example"}, "to": [{"email": "ana@example.org"}], "subject": "Hi", "text": "x"}
    status, refused = api(server, created["secret"], "/v1/messages", message)
    check(status == 422 and refused["error"]["code"] == "from_domain_not_allowed", f"a key limited to shop.example sent from elsewhere: {status}")
    message["from"]["email"] = "hi@shop.example"
    message["to"] = [{"email": "ana@example.org"}, {"email": "ben@example.org"}, {"email": "cy@example.org"}]
    status, refused = api(server, created["secret"], "/v1/messages", message)
    check(status == 429 and refused["error"]["code"] == "quota_exceeded", f"three recipients on a quota of two got {status}")


def templates_journey(server, browser):
    """A template written in the editor: a syntax error is explained where it is, the live preview renders the
    sample data (escaped, inside a sandboxed frame whose scripts never run), and a message sent with it through the
    API shows on the Messages page with its timeline."""
    browser.open(server.url + "/app/templates")
    browser.wait_for("No templates yet", "the templates page did not open empty")
    browser.submit("a[href='/app/templates/new']")
    browser.wait_for("New template", "the new-template editor did not open")
    browser.fill("template-name", "welcome")
    browser.fill("template-subject", "Welcome {{name}}")
    browser.fill("template-html", "<p style=\"color: #c00\">Hi {{name}}</p>\n{{#open}}<script>parent.smTemplateXSS = 1</script>")
    browser.driver.find_element(By.CSS_SELECTOR, "#template-form details summary").click()
    browser.fill("template-sample", '{"name": "<Ana>"}')
    # The preview follows the typing: the frame shows the syntax error with its line.
    def preview_text(driver):
        # Looked up each time: a refused save brings a new page, with a new frame.
        driver.switch_to.frame(driver.find_element(By.ID, "template-preview"))
        try:
            return driver.find_element(By.TAG_NAME, "body").text
        finally:
            driver.switch_to.default_content()

    browser.wait_until(lambda driver: "line 2" in preview_text(driver), "the live preview does not show the syntax error")
    browser.submit("#template-form button[type=submit]:not([formaction])")
    browser.wait_for("syntax error at line 2", "saving a broken template did not explain where it is broken")
    browser.fill("template-html", "<p style=\"color: #c00\">Hi {{name}}</p><script>parent.smTemplateXSS = 1</script>")
    browser.wait_until(lambda driver: "Welcome <Ana>" in preview_text(driver), "the live preview does not render the subject over the sample data")
    browser.driver.switch_to.frame(browser.driver.find_element(By.ID, "template-preview"))
    inner = browser.driver.find_element(By.ID, "preview-html")
    browser.driver.switch_to.frame(inner)
    paragraph = browser.driver.find_element(By.TAG_NAME, "p")
    check(paragraph.text == "Hi <Ana>", f"the HTML part shows {paragraph.text!r}, not the escaped sample value")
    check(paragraph.value_of_css_property("color") in ("rgba(204, 0, 0, 1)", "rgb(204, 0, 0)"), "the mail's inline style was not applied in the preview")
    browser.driver.switch_to.default_content()
    check(browser.driver.execute_script("return window.smTemplateXSS === undefined"), "a script in the template ran in the preview")
    browser.shot("template-editor")
    browser.submit("#template-form button[type=submit]:not([formaction])")
    browser.wait_for("Template: welcome", "saving the template did not open it")
    check("Version 1" in browser.text(), "the saved template lists no version 1")
    template_id = re.search(r"tpl_[0-9a-z]{26}", browser.driver.current_url).group(0)

    status, accepted = api(server, server.first_key, "/v1/messages", {
        "from": {"email": "shop@shop.example"}, "to": [{"email": "bo@example.org"}],
        "template": {"id": template_id, "data": {"name": "Bo"}},
    })
    check(status == 202, f"sending with the template: {status} {accepted}")
    for _ in range(100):
        if api(server, server.first_key, f"/v1/messages/{accepted['id']}")[1].get("status") == "delivered":
            break
        time.sleep(0.1)
    browser.open(server.url + "/app/messages")
    browser.wait_for("Welcome Bo", "the Messages page does not list the message sent with the template")
    browser.submit(f"a[href='/app/messages/{accepted['id']}']")
    browser.wait_for("Timeline", "the message's page did not open")
    check("delivered" in browser.text().split("Timeline")[-1], f"the message's timeline shows no delivery: {browser.text()[:600]}")
    browser.shot("message")


def invite_marketer(server, browser):
    """The owner invites a marketer from the Team page and copies the link it shows once."""
    browser.open(server.url + "/app/team")
    browser.wait_for("Invite someone", "the team page did not open")
    browser.fill("email", "marketer@example.com")
    browser.driver.find_element(By.CSS_SELECTOR, "#role option[value=marketer]").click()
    browser.shot("team")
    browser.submit("form[action='/app/team/invite'] button[type=submit]")
    browser.wait_for("Pass this link on", "inviting showed no link")
    browser.shot("invitation-link")
    return browser.driver.find_element(By.ID, "invitation").get_attribute("value")


def marketer_journey(server, link, screenshots, engine):
    """The invitee, in a second browser at phone width, accepts and finds the API keys page closed to them."""
    browser = Browser(screenshots, engine, "marketer", width=390)
    try:
        browser.open(link)
        browser.wait_for("Join Default", "the invitation link shows no invitation")
        browser.shot("join")
        browser.fill("password", PASSWORD)
        browser.fill("confirm", PASSWORD)
        browser.submit("form button[type=submit]")
        browser.wait_for_url("/app", "accepting the invitation did not sign in")
        check("marketer of this workspace" in browser.text(), "the invitee is not a marketer")
        check("API keys" not in browser.text(), "a marketer's navigation offers API keys")
        check("Domains" not in browser.text(), "a marketer's navigation offers sending domains")
        browser.shot("overview-phone")
        browser.open(server.url + "/app/keys")
        browser.wait_for("Not allowed", "a marketer opened the API keys page")
        check("keys:read" in browser.text(), "the refusal does not name the scope")
        browser.shot("keys-refused")
        browser.open(link)
        browser.wait_for("This invitation does not work", "the invitation link worked twice")
    finally:
        browser.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--screenshots", default=os.path.join(".build", "screenshots"))
    arguments = parser.parse_args()
    try:
        with LocalDNS() as dns, Server(arguments.binary, arguments.engine, os.environ.get("SMARTMAILS_TEST_POSTGRES_URL"), {"SMARTMAILS_DNS_SERVER": dns.address}) as server:
            owner = Browser(arguments.screenshots, arguments.engine, "owner")
            try:
                owner_journey(server, owner)
                audience_journey(server, owner, server.folder)
                domains_journey(server, owner, dns)
                templates_journey(server, owner)
                link = invite_marketer(server, owner)
            finally:
                owner.quit()
            marketer_journey(server, link, arguments.screenshots, arguments.engine)
    except StageFailure as failure:
        print(f"dashboard in Chromium ({arguments.engine}): FAILED\n{failure}")
        return 1
    shots = len([name for name in os.listdir(arguments.screenshots) if name.startswith(arguments.engine)])
    print(f"dashboard in Chromium ({arguments.engine}): owner and marketer journeys passed, {shots} screenshots in {arguments.screenshots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
