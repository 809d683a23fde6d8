"""The rows of a results table as a person reads them: each item's name (the link to it) and
the key under it."""

import re
from html import unescape

ROW = re.compile(r'<td class="item-name[^"]*"><a href="([^"]*)">([^<]*)</a>(.*?)</td>', re.S)
KEY_LINE = re.compile(r'<span class="key-line key">([^<]*)</span>')


def named_rows(html):
    """(url, name, key text, the rest of the cell) of each row, in display order: the name is
    the link, the key the muted line under it (absent where the name is the key)."""
    found = []
    for url, name, rest in ROW.findall(html):
        key = KEY_LINE.search(rest)
        found.append((unescape(url), unescape(name), unescape(key.group(1) if key else name),
                      rest))
    return found
