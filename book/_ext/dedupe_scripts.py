"""Drop repeated <script> entries from every page.

Jupyter Book 1 adds the inline set-up scripts of sphinx-thebe and
sphinx-togglebutton twice, so every page declared
`const THEBE_JS_URL` twice and the browser logged a SyntaxError on each
page load (tests/test_browser.py looks for console errors). Sphinx keeps
inline scripts even when they repeat; this keeps the first of each.
"""


def drop_repeats(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for script in context.get("script_files", []):
        # An inline script's filename is None or "", depending on who added it.
        key = (getattr(script, "filename", str(script)) or None,
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    # After every other handler: some add their scripts during this event.
    app.connect("html-page-context", drop_repeats, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
