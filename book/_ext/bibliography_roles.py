"""Give the bibliography's entries a role that their list allows.

docutils writes a citation list as <div role="list"> whose entries have role="doc-biblioentry".
ARIA requires a list's children to be list items, and doc-biblioentry is deprecated (DPUB-ARIA
1.1), so axe-core reports the references page as a critical violation (aria-required-children) and
a screen reader cannot announce the list's length. Each entry becomes role="listitem".
"""


def entries_as_list_items(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", entries_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
