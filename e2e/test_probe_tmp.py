import os, time
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from pathlib import Path
import pytest
from playwright.sync_api import sync_playwright

def test_probe(live_server, db):
    t = time.time()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"])
        print("launch", time.time()-t, b.version)
        ctx = b.new_context(base_url=live_server.url)
        page = ctx.new_page()
        msgs = []
        page.on("console", lambda m: msgs.append((m.type, m.text)))
        reqs = []
        page.on("request", lambda r: reqs.append(r.url))
        r = page.goto("/konto/anmelden/")
        print(r.status, r.headers.get("content-security-policy"))
        print("cookies", ctx.cookies())
        try:
            page.add_script_tag(path="e2e/vendor/axe-core-4.11.4/axe.min.js")
        except Exception as e:
            print("add_script_tag error", repr(e)[:300])
        print("axe?", page.evaluate("typeof window.axe"))
        page.evaluate(Path("e2e/vendor/axe-core-4.11.4/axe.min.js").read_text())
        print("axe after eval?", page.evaluate("typeof window.axe"))
        res = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}}).then(r => r.violations.map(v => [v.id, v.nodes.length]))")
        print("violations", res)
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        print("after lang", page.locator("h1").inner_text(), ctx.cookies())
        print(msgs)
        print(reqs)
        b.close()
