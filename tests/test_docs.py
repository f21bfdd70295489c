"""The README stays one screenful and every page it leads to is there: each relative link in README.md and
docs/ resolves, and the README is under 12 KB."""
import re

from helpers import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def relative_links(markdown):
    """The targets of the page's markdown links that are not web addresses or anchors (pure)."""
    return [target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", markdown)
            if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


def test_every_relative_link_of_the_readme_and_the_docs_resolves():
    broken = [f"{page.relative_to(REPO)} -> {target}" for page in PAGES for target in relative_links(page.read_text())
              if not (page.parent / target).exists()]
    assert broken == []


def test_the_link_check_sees_a_broken_link():
    assert relative_links("[a](docs/a.md#x) [b](https://x.org) [c](#top) [d](../LICENSE)") == ["docs/a.md",
                                                                                              "../LICENSE"]


def test_the_readme_is_one_screenful_and_leads_to_every_page():
    readme = (REPO / "README.md").read_text()
    assert len(readme.encode()) < 12 * 1024
    linked = {target for target in relative_links(readme)}
    pages = {f"docs/{page.name}" for page in PAGES[1:]}
    assert pages - linked == set()  # no page that a reader cannot reach from the README
