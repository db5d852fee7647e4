"""Character-level clean-up done before any matching, keeping a map back to the original text.

- Full-width ASCII (``ｉｎｆｏ＠ｂｒａｎｄ．ｃｏｍ``, common in Japanese and Chinese bios) and the
  small/full-width at-signs become plain ASCII, one character for one.
- Invisible characters (zero-width spaces and joiners, direction marks, soft hyphens) are
  dropped: they break matching and are sometimes inserted on purpose to defeat scrapers.
- The Japanese "replace ★ with @" convention (``info★brand.jp ★を@に変えてください``) is undone
  when the bio states the rule, and only between address characters.

Because ``index[i]`` is the original position of folded character ``i``, a caller can tell
whether the original span differed (that is what marks an address as de-obfuscated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad")
_EXTRA = {"\u3000": " ", "\ufe6b": "@", "\ufe52": "."}  # ideographic space, small @ and .

# "★を@に", "☆→@", "(*=@)", "replace ★ with @": the symbol the author substitutes for @.
_STAR_RULE = re.compile(
    r"([★☆*＊◆◇■□●○◎#＃])\s*(?:を|は|→|->|=>|⇒|=|＝|⇨|➡\ufe0f?)\s*[@＠]"
    r"|replace\s*([★☆*＊◆◇■□●○◎#＃])\s*(?:with|by)\s*[@＠]",
    re.IGNORECASE,
)
_ADDR = "A-Za-z0-9._+-"


@dataclass(frozen=True)
class Folded:
    text: str
    index: tuple[int, ...]  # original position of each folded character

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text span of the non-empty folded span ``[start, end)``."""
        return self.index[start], self.index[end - 1] + 1


def _fold_char(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block maps 1:1 onto ASCII
        return chr(code - 0xFEE0)
    return _EXTRA.get(ch, ch)


def fold(text: str) -> Folded:
    """Fold ``text`` as described in the module docstring."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        out.append(_fold_char(ch))
        index.append(i)
    folded = "".join(out)
    for m in _STAR_RULE.finditer(text):
        symbol = _fold_char(m.group(1) or m.group(2))
        folded = re.sub(rf"(?<=[{_ADDR}]){re.escape(symbol)}(?=[A-Za-z0-9])", "@", folded)
    return Folded(folded, tuple(index))
